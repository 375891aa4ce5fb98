"""Signatures kept in the database and synced (issue 16, item 1; docs/signing.md).

Each signature accepted by :class:`~app.workshops.signing.SigningSession` becomes one
row of the synced table ``attendance_signature``, in the same transaction as the
participant's "présent" mark. The rows of a half-day form a hash chain: each row's
``link_sha256`` is the SHA-256 of the previous link and of the row's content (signer,
role, strokes' digest, times, device, flags, marks), so changing, removing or
reordering any row afterwards shows in :func:`chain_problems`.

The trainer's countersignature closes the half-day: the participants who did not sign
and are not excused are marked absent, the marks are written into the
countersignature's row (so the chain covers them), and from then on nothing about the
half-day changes — on the laptop (``slot_countersigned``, ``signature_frozen``) and on
the siège (siege/authority.py).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import ConflictError
from app.ids import deterministic_id
from app.models import ActivitySlot, Attendance, AttendanceSignature, DeviceIdentity
from app.uow import UnitOfWorkFactory
from app.workshops import attendance, plausibility
from app.workshops.attendance import Mark
from app.workshops.signing import (
    EarlierSignature,
    Point,
    Signature,
    SignerRole,
    SigningSession,
    shape_fingerprint,
)
from app.workshops.workshop_values import ABSENT, EXCUSED, EXPECTED, PRESENT, SessionDetail

GENESIS = ""  # the previous link of a half-day's first signature


def signature_id(slot_id: str, signer_id: str) -> str:
    """One signature per signer and half-day, the same id on every device."""
    return deterministic_id("attendance-signature", slot_id, signer_id)


@dataclass(frozen=True)
class StoredSignature:
    signature: Signature
    position: int
    device: str
    sync_stamp: str
    flags: tuple[dict[str, Any], ...]
    marks: dict[str, str]
    previous_sha256: str
    link_sha256: str


def strokes_json(signature: Signature) -> str:
    record = signature.as_record()
    return json.dumps({"box": record["box"], "strokes": record["strokes"]}, separators=(",", ":"))


def link_content(row: AttendanceSignature) -> dict[str, Any]:
    """What the chain covers of one row (everything but the bookkeeping columns)."""
    return {
        "slot_id": row.slot_id,
        "person_id": row.person_id or "",
        "signer_name": row.signer_name,
        "role": row.role,
        "position": row.position,
        "strokes_sha256": hashlib.sha256(row.strokes.encode()).hexdigest(),
        "signature_sha256": row.strokes_sha256,
        "captured_at": row.captured_at.isoformat(),
        "sync_stamp": row.sync_stamp,
        "device": row.device,
        "flags": row.flags,
        "marks": row.marks,
    }


def link_digest(previous: str, content: dict[str, Any]) -> str:
    data = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{previous}\n{data}".encode()).hexdigest()


def chain_problems(rows: Iterable[AttendanceSignature]) -> list[str]:
    """Codes of what breaks the chain of one half-day's rows (empty: intact)."""
    problems: list[str] = []
    previous = GENESIS
    ordered = sorted(rows, key=lambda r: r.position)
    for expected, row in enumerate(ordered):
        if row.position != expected:
            problems.append(f"chain_gap:{expected}")
        if row.previous_sha256 != previous:
            problems.append(f"chain_broken:{row.signer_name}")
        if link_digest(row.previous_sha256, link_content(row)) != row.link_sha256:
            problems.append(f"row_changed:{row.signer_name}")
        if _strokes_digest(row) != row.strokes_sha256:
            problems.append(f"strokes_changed:{row.signer_name}")
        previous = row.link_sha256
    return problems


def _strokes_digest(row: AttendanceSignature) -> str:
    return _signature_of(row).digest


def _signature_of(row: AttendanceSignature) -> Signature:
    data = json.loads(row.strokes)
    strokes = tuple(
        tuple(Point(float(x), float(y), int(t)) for x, y, t in stroke) for stroke in data["strokes"]
    )
    width, height = data["box"]
    return Signature(
        row.person_id or row.signer_name,
        row.signer_name,
        SignerRole(row.role),
        strokes,
        row.captured_at,
        (float(width), float(height)),
    )


def stored_signature(row: AttendanceSignature) -> StoredSignature:
    return StoredSignature(
        _signature_of(row),
        row.position,
        row.device,
        row.sync_stamp,
        tuple(json.loads(row.flags or "[]")),
        json.loads(row.marks) if row.marks else {},
        row.previous_sha256,
        row.link_sha256,
    )


def slot_rows(session: Session, slot_id: str) -> list[AttendanceSignature]:
    return list(
        session.scalars(
            select(AttendanceSignature)
            .where(AttendanceSignature.slot_id == slot_id, AttendanceSignature.deleted_at.is_(None))
            .order_by(AttendanceSignature.position)
        )
    )


def stored_signatures(uow_factory: UnitOfWorkFactory, slot_id: str) -> list[StoredSignature]:
    with uow_factory() as uow:
        return [stored_signature(row) for row in slot_rows(uow.session, slot_id)]


def slot_chain_problems(uow_factory: UnitOfWorkFactory, slot_id: str) -> list[str]:
    with uow_factory() as uow:
        return chain_problems(slot_rows(uow.session, slot_id))


def open_signing(
    uow_factory: UnitOfWorkFactory, detail: SessionDetail, slot_id: str, **options: Any
) -> SigningSession:
    """A signing session for one half-day, resumed from what is stored (a laptop that
    restarted mid-session keeps its signatures); refused once countersigned."""
    signing = SigningSession.open(detail, slot_id, **options)
    with uow_factory() as uow:
        rows = slot_rows(uow.session, slot_id)
        if any(r.role == SignerRole.TRAINER for r in rows):
            raise ConflictError("slot_countersigned")
        signing.signatures = [_signature_of(r) for r in rows]
        signing.earlier = [
            EarlierSignature(shape_fingerprint(s.strokes), s.name)
            for s in _session_signatures(uow.session, detail.id, exclude_slot=slot_id)
        ]
    signing.on_capture = lambda signature: _store(uow_factory, signing, signature)
    return signing


def _session_signatures(
    session: Session, activity_id: str, *, exclude_slot: str = ""
) -> list[Signature]:
    rows = session.scalars(
        select(AttendanceSignature)
        .join(ActivitySlot, ActivitySlot.id == AttendanceSignature.slot_id)
        .where(
            ActivitySlot.activity_id == activity_id,
            AttendanceSignature.slot_id != exclude_slot,
            AttendanceSignature.deleted_at.is_(None),
        )
    )
    return [_signature_of(r) for r in rows]


def _device(session: Session, fallback: str) -> str:
    device_id = session.scalar(select(DeviceIdentity.device_id).limit(1))
    return str(device_id or fallback)[:120]


def _sync_stamp(session: Session) -> str:
    # The sync clock (HLC) of this laptop: orders the capture among every change
    # the siège receives, whatever the laptop's wall clock says (DESIGN §4).
    from app.sync.capture import load_clock

    return load_clock(session.connection()).now()


def _store(uow_factory: UnitOfWorkFactory, signing: SigningSession, signature: Signature) -> None:
    slot = signing.slot
    with uow_factory() as uow:
        session = uow.session
        rows = slot_rows(session, slot.id)
        if any(r.role == SignerRole.TRAINER for r in rows):
            raise ConflictError("slot_countersigned")
        kept = [
            plausibility.known(s.signer_id, s.name, s.strokes)
            for s in (
                *(_signature_of(r) for r in rows),
                *_session_signatures(session, signing.detail.id, exclude_slot=slot.id),
            )
            if s.role == SignerRole.PARTICIPANT
        ]
        flags = []
        marks: dict[str, str] = {}
        if signature.role == SignerRole.PARTICIPANT:
            flags = plausibility.flags_for(signature.signer_id, signature.strokes, kept)
            moment = max(attendance.local_now(), slot.starts_at)
            if slot.starts_at <= moment:
                attendance.mark_in_session(session, [Mark(slot.id, signature.signer_id, PRESENT)])
        else:
            marks = _close_marks(session, signing)
        previous = rows[-1].link_sha256 if rows else GENESIS
        row = AttendanceSignature(
            id=signature_id(slot.id, signature.signer_id),
            slot_id=slot.id,
            person_id=signature.signer_id if signature.role == SignerRole.PARTICIPANT else None,
            signer_name=signature.name[:200],
            role=str(signature.role),
            position=len(rows),
            strokes=strokes_json(signature),
            strokes_sha256=signature.digest,
            captured_at=signature.captured_at,
            sync_stamp=_sync_stamp(session),
            device=_device(session, signing.device),
            flags=json.dumps([f.as_record() for f in flags], ensure_ascii=False),
            marks=json.dumps(marks, sort_keys=True) if marks else "",
            previous_sha256=previous,
        )
        row.link_sha256 = link_digest(previous, link_content(row))
        session.add(row)
        uow.commit()


def _close_marks(session: Session, signing: SigningSession) -> dict[str, str]:
    """At the countersignature: who did not sign and is not excused is absent; returns
    every participant's mark as closed (person id -> state)."""
    slot = signing.slot
    signed = signing.signed_ids()
    states = {
        person_id: state
        for person_id, state in session.execute(
            select(Attendance.person_id, Attendance.state).where(
                Attendance.slot_id == slot.id, Attendance.deleted_at.is_(None)
            )
        )
    }
    closing: list[Mark] = []
    for participant in signing.detail.participants:
        state = states.get(participant.person_id, EXPECTED)
        if participant.person_id in signed:
            state = PRESENT
        elif state not in (ABSENT, EXCUSED):
            state = ABSENT  # never signed for: absent (issue 16, item 1)
        if states.get(participant.person_id, EXPECTED) != state:
            closing.append(Mark(slot.id, participant.person_id, state))
        states[participant.person_id] = state
    if closing:
        attendance.mark_in_session(session, closing)
    return {p.person_id: states[p.person_id] for p in signing.detail.participants}

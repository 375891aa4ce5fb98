"""Where each half-day of a session stands in electronic signing (issue 16): how many
signatures, countersigned (closed) or not, sealed by the siège and when (the synced
``sheet_seal`` row). Read by the session panel's header."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from app.models import ActivitySlot, AttendanceSignature, SheetSeal
from app.uow import UnitOfWorkFactory


@dataclass(frozen=True)
class SlotSigning:
    slot_id: str
    starts_at: dt.datetime
    signatures: int  # participants' signatures
    countersigned: bool
    sealed_at: dt.datetime | None  # UTC, the TSA's time; None: not sealed by the siège yet
    sealer: str = ""


def slot_signing(uow_factory: UnitOfWorkFactory, activity_id: str) -> list[SlotSigning]:
    """The session's half-days that have at least one signature, in order."""
    with uow_factory() as uow:
        session = uow.session
        counts = session.execute(
            select(
                AttendanceSignature.slot_id,
                func.count().filter(AttendanceSignature.role == "participant"),
                func.count().filter(AttendanceSignature.role == "formateur"),
            )
            .join(ActivitySlot, ActivitySlot.id == AttendanceSignature.slot_id)
            .where(
                ActivitySlot.activity_id == activity_id, AttendanceSignature.deleted_at.is_(None)
            )
            .group_by(AttendanceSignature.slot_id)
        ).all()
        if not counts:
            return []
        ids = [row[0] for row in counts]
        starts = dict(
            session.execute(
                select(ActivitySlot.id, ActivitySlot.starts_at).where(ActivitySlot.id.in_(ids))
            ).all()
        )
        seals = {
            slot_id: (sealed_at, sealer)
            for slot_id, sealed_at, sealer in session.execute(
                select(SheetSeal.slot_id, SheetSeal.sealed_at, SheetSeal.sealer).where(
                    SheetSeal.slot_id.in_(ids), SheetSeal.deleted_at.is_(None)
                )
            )
        }
    out = [
        SlotSigning(
            slot_id,
            starts[slot_id],
            int(signed),
            bool(trainer),
            seals.get(slot_id, (None, ""))[0],
            seals.get(slot_id, (None, ""))[1],
        )
        for slot_id, signed, trainer in counts
    ]
    return sorted(out, key=lambda s: s.starts_at)

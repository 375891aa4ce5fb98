"""Signatures captured on the laptop, offline, for one half-day (issue 16).

Each registered participant signs with the pen or the mouse; the UI only records
the strokes (points with their times, never an image) and hands them here. This
module decides what is accepted:

- only during the slot's time window (its hours, widened by a margin), read from
  ``app.clock``: never for another day, never collected in a batch afterwards;
- a signature identical to an earlier one (same strokes: pasted or replayed) is
  refused, whether earlier on this sheet or on a sheet already sealed for the session;
- the trainer countersigns last, which closes the half-day: nothing can be added.

The closed sheet becomes a PDF (``app/pdf/signed_sheet.py``) with the strokes drawn
as vector paths, the record embedded as JSON and a seal applied with pyHanko
(``app/workshops/signing_seal.py``). Each accepted signature is handed to
``on_capture`` before it counts: ``app/workshops/signature_store.py`` writes it to the
synced table ``attendance_signature`` (hash-chained), so it reaches the siège, which
seals the closed sheet with the CAE's certificate and a timestamp (siege/sealing.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from app.clock import localnow
from app.errors import ConflictError, NotFoundError
from app.workshops.workshop_values import SessionDetail, SlotInfo

RECORD_FORMAT = "permanence-emargement/1"
DEFAULT_MARGIN = dt.timedelta(minutes=30)
MIN_POINTS = 5  # fewer points is a dot or a slip of the pen, not a signature
MIN_EXTENT = 10.0  # canvas units: a signature spans at least this much
# At most ~20 s of drawing at 100 Hz: keeps each synced row far below the sync's text and
# batch limits (app/sync/codec.py MAX_TEXT, app/sync/protocol.py MAX_BODY_BYTES).
MAX_POINTS = 2000


class SignerRole(StrEnum):
    PARTICIPANT = "participant"
    TRAINER = "formateur"


@dataclass(frozen=True)
class Point:
    """One pen position, in canvas units (y downwards), ``t_ms`` after the pen first touched."""

    x: float
    y: float
    t_ms: int


Stroke = tuple[Point, ...]


def canonical_strokes(strokes: Iterable[Stroke]) -> list[list[list[float]]]:
    """The strokes as plain numbers (two decimals): what is hashed and stored."""
    # float(): a point given in whole numbers must hash as it reads back from JSON (40.0).
    return [
        [[round(float(p.x), 2), round(float(p.y), 2), int(p.t_ms)] for p in stroke]
        for stroke in strokes
    ]


def strokes_digest(strokes: Iterable[Stroke]) -> str:
    """SHA-256 of the strokes (positions and times): printed on the sheet, checked later."""
    data = json.dumps(canonical_strokes(strokes), separators=(",", ":"))
    return hashlib.sha256(data.encode()).hexdigest()


def shape_fingerprint(strokes: Iterable[Stroke]) -> str:
    """The drawing's geometry alone, moved to the origin and rounded to the unit.

    Two people never draw the same points, nor one person twice: equal
    fingerprints mean the strokes were copied (pasted or replayed), whatever
    their timing or their place on the canvas.
    """
    points = [p for stroke in strokes for p in stroke]
    if not points:
        return ""
    left = min(p.x for p in points)
    top = min(p.y for p in points)
    shape = [[[round(p.x - left), round(p.y - top)] for p in stroke] for stroke in strokes]
    return hashlib.sha256(json.dumps(shape, separators=(",", ":")).encode()).hexdigest()


@dataclass(frozen=True)
class Signature:
    signer_id: str  # the person's id; the trainer's name for the countersignature
    name: str
    role: SignerRole
    strokes: tuple[Stroke, ...]
    captured_at: dt.datetime  # French local wall time, when the pen lifted
    box: tuple[float, float]  # the canvas' width and height, to draw it back to scale

    @property
    def digest(self) -> str:
        return strokes_digest(self.strokes)

    @property
    def fingerprint(self) -> str:
        return shape_fingerprint(self.strokes)

    def as_record(self) -> dict[str, Any]:
        return {
            "signer_id": self.signer_id,
            "name": self.name,
            "role": str(self.role),
            "captured_at": self.captured_at.isoformat(),
            "box": [round(self.box[0], 2), round(self.box[1], 2)],
            "strokes": canonical_strokes(self.strokes),
            "sha256": self.digest,
        }

    @classmethod
    def from_record(cls, data: dict[str, Any]) -> Signature:
        strokes = tuple(
            tuple(Point(float(x), float(y), int(t)) for x, y, t in stroke)
            for stroke in data["strokes"]
        )
        width, height = data["box"]
        return cls(
            str(data["signer_id"]),
            str(data["name"]),
            SignerRole(data["role"]),
            strokes,
            dt.datetime.fromisoformat(data["captured_at"]),
            (float(width), float(height)),
        )


@dataclass(frozen=True)
class EarlierSignature:
    """A signature already on a sealed sheet of the session: its shape and who signed."""

    fingerprint: str
    name: str


def signing_window(
    slot: SlotInfo, margin: dt.timedelta = DEFAULT_MARGIN
) -> tuple[dt.datetime, dt.datetime]:
    """From ``margin`` before the slot starts to ``margin`` after it ends, on the slot's day."""
    day_start = dt.datetime.combine(slot.starts_at.date(), dt.time.min)
    day_end = dt.datetime.combine(slot.ends_at.date(), dt.time.max)
    return max(slot.starts_at - margin, day_start), min(slot.ends_at + margin, day_end)


def open_slot(
    detail: SessionDetail, now: dt.datetime, margin: dt.timedelta = DEFAULT_MARGIN
) -> SlotInfo | None:
    """The half-day of ``detail`` that can be signed at ``now`` (local wall time), if any."""
    for slot in detail.slots:
        opens, closes = signing_window(slot, margin)
        if opens <= now <= closes:
            return slot
    return None


def local_wall_time() -> dt.datetime:
    """Now, French local time, naive (slots are kept in the place's wall time)."""
    return localnow().replace(tzinfo=None, microsecond=0)


@dataclass
class SigningSession:
    """One half-day being signed on this laptop; closed by the trainer's countersignature.

    ``now`` reads the clock (``app.clock`` by default); ``earlier``: the signatures of
    sheets already sealed for the session, against which copies are looked for.
    """

    detail: SessionDetail
    slot: SlotInfo
    device: str = ""
    margin: dt.timedelta = DEFAULT_MARGIN
    now: Callable[[], dt.datetime] = local_wall_time
    earlier: list[EarlierSignature] = field(default_factory=list)
    signatures: list[Signature] = field(default_factory=list)
    countersignature: Signature | None = None
    # Called with each accepted signature before it counts (stored in the database);
    # if it raises, the signature is not taken.
    on_capture: Callable[[Signature], None] | None = None

    def __post_init__(self) -> None:
        self.check_window()

    @classmethod
    def open(
        cls,
        detail: SessionDetail,
        slot_id: str,
        **options: Any,
    ) -> SigningSession:
        slot = next((s for s in detail.slots if s.id == slot_id), None)
        if slot is None:
            raise NotFoundError("not_found", kind="slot", id=slot_id)
        return cls(detail, slot, **options)

    # What the screen shows --------------------------------------------------------
    @property
    def closed(self) -> bool:
        return self.countersignature is not None

    def signed_ids(self) -> set[str]:
        return {s.signer_id for s in self.signatures}

    def pending(self) -> list[tuple[str, str]]:
        """(person id, name) of the registered participants who have not signed yet."""
        done = self.signed_ids()
        return [
            (p.person_id, p.full_name) for p in self.detail.participants if p.person_id not in done
        ]

    # Capturing --------------------------------------------------------------------
    def check_window(self) -> dt.datetime:
        """The current local time, if it lies in the slot's window; refused otherwise."""
        moment = self.now()
        opens, closes = signing_window(self.slot, self.margin)
        if not opens <= moment <= closes:
            raise ConflictError("signing_outside_window", opens=opens, closes=closes, now=moment)
        return moment

    def sign(
        self, person_id: str, strokes: Iterable[Stroke], box: tuple[float, float]
    ) -> Signature:
        """Record a participant's signature, captured now; refused when it cannot be trusted."""
        if self.closed:
            raise ConflictError("signing_closed")
        person = next((p for p in self.detail.participants if p.person_id == person_id), None)
        if person is None:
            raise ConflictError("not_registered", person_id=person_id)
        if person_id in self.signed_ids():
            raise ConflictError("already_signed", name=person.full_name)
        signature = self._capture(person_id, person.full_name, SignerRole.PARTICIPANT, strokes, box)
        if self.on_capture is not None:
            self.on_capture(signature)
        self.signatures.append(signature)
        return signature

    def countersign(
        self, trainer: str, strokes: Iterable[Stroke], box: tuple[float, float]
    ) -> Signature:
        """The trainer signs last: the half-day is closed, nothing more can be signed."""
        if self.closed:
            raise ConflictError("signing_closed")
        if not self.signatures:
            raise ConflictError("nobody_signed")
        name = " ".join(trainer.split())
        if not name:
            raise ConflictError("trainer_name_required")
        signature = self._capture(name, name, SignerRole.TRAINER, strokes, box)
        if self.on_capture is not None:
            self.on_capture(signature)
        self.countersignature = signature
        return signature

    def _capture(
        self,
        signer_id: str,
        name: str,
        role: SignerRole,
        strokes: Iterable[Stroke],
        box: tuple[float, float],
    ) -> Signature:
        moment = self.check_window()
        kept = tuple(tuple(s) for s in strokes if s)
        points = [p for stroke in kept for p in stroke]
        if len(points) < MIN_POINTS or _extent(points) < MIN_EXTENT:
            raise ConflictError("signature_empty")
        if len(points) > MAX_POINTS:
            raise ConflictError("signature_too_long")
        signature = Signature(signer_id, name, role, kept, moment, box)
        copied = self._copy_of(signature.fingerprint)
        if copied is not None:
            raise ConflictError("signature_duplicate", name=copied)
        return signature

    def _copy_of(self, fingerprint: str) -> str | None:
        """The name of whoever already signed with exactly these strokes, if anyone."""
        for earlier in self.signatures:
            if earlier.fingerprint == fingerprint:
                return earlier.name
        for sealed in self.earlier:
            if sealed.fingerprint == fingerprint:
                return sealed.name
        return None

    # The closed sheet -------------------------------------------------------------
    def record(self, organisation: str = "") -> dict[str, Any]:
        """Everything the sealed sheet proves, as plain data (embedded in the PDF as JSON)."""
        if self.countersignature is None:
            raise ConflictError("countersign_required")
        signatures = [s.as_record() for s in (*self.signatures, self.countersignature)]
        signed = self.signed_ids()
        return {
            "format": RECORD_FORMAT,
            "organisation": organisation,
            "device": self.device,
            "activity": {"id": self.detail.id, "title": self.detail.title},
            "slot": {
                "id": self.slot.id,
                "starts_at": self.slot.starts_at.isoformat(),
                "ends_at": self.slot.ends_at.isoformat(),
            },
            "not_signed": [
                {"person_id": p.person_id, "name": p.full_name}
                for p in self.detail.participants
                if p.person_id not in signed
            ],
            "signatures": signatures,
            "sha256": record_digest(signatures),
        }


def record_digest(signatures: list[dict[str, Any]]) -> str:
    """SHA-256 over every signature of the sheet, in order: one number for the whole record."""
    data = json.dumps(signatures, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(data.encode()).hexdigest()


def record_problems(record: dict[str, Any]) -> list[str]:
    """Codes of what no longer matches inside a record (empty: every digest still holds)."""
    problems: list[str] = []
    if record.get("format") != RECORD_FORMAT:
        return ["unknown_format"]
    signatures = record.get("signatures", [])
    for entry in signatures:
        strokes = [
            tuple(Point(float(x), float(y), int(t)) for x, y, t in stroke)
            for stroke in entry["strokes"]
        ]
        if strokes_digest(strokes) != entry.get("sha256"):
            problems.append(f"strokes_changed:{entry.get('name', '')}")
    if record_digest(signatures) != record.get("sha256"):
        problems.append("record_changed")
    # A record rebuilt from the synced rows (app/workshops/sheet_record.py) carries what
    # their hash chain showed when the siège sealed it: a break is a finding too.
    problems += [f"chain:{problem}" for problem in record.get("chain_problems", [])]
    return problems


def _extent(points: list[Point]) -> float:
    return max(
        max(p.x for p in points) - min(p.x for p in points),
        max(p.y for p in points) - min(p.y for p in points),
    )

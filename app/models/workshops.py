"""Workshops and cooperative events share one machinery: activity, slots, registrations,
attendance per slot."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Synced
from app.text import fold


class WorkshopTheme(Synced, Base):
    __tablename__ = "workshop_theme"

    name: Mapped[str] = mapped_column(String(120), unique=True)
    default_duration_minutes: Mapped[int] = mapped_column(Integer, default=210)
    description: Mapped[str] = mapped_column(Text, default="")


class Activity(Synced, Base):
    """An atelier collectif session, a réunion coopérative or a manifestation."""

    __tablename__ = "activity"

    kind: Mapped[str] = mapped_column(String(30), default="atelier")
    title: Mapped[str] = mapped_column(String(300))
    theme_id: Mapped[str | None] = mapped_column(ForeignKey("workshop_theme.id"), default=None)
    held_on: Mapped[dt.date] = mapped_column(Date, index=True)
    permanence_id: Mapped[str | None] = mapped_column(ForeignKey("permanence.id"), default=None)
    place_address: Mapped[str] = mapped_column(String(300), default="")
    animateurs: Mapped[str] = mapped_column(String(300), default="")
    capacity: Mapped[int | None] = mapped_column(Integer, default=None)
    # Past capacity, newcomers go on a waiting list (promoted when someone cancels);
    # without it, a registration over capacity is refused.
    has_waiting_list: Mapped[bool] = mapped_column(Boolean, default=True)
    description: Mapped[str] = mapped_column(Text, default="")
    # Accent- and case-folded title for the session list's search box.
    title_key: Mapped[str] = mapped_column(String(300), default="")


class ActivityFunder(Synced, Base):
    __tablename__ = "activity_funder"
    __table_args__ = (UniqueConstraint("activity_id", "funder_id"),)

    activity_id: Mapped[str] = mapped_column(ForeignKey("activity.id"), index=True)
    funder_id: Mapped[str] = mapped_column(ForeignKey("funder.id"))
    # The funder's operation number (FSE+: "Ma démarche FSE+" operation), printed on
    # the sheet and the attestation, and grouping the FSE+ participant export.
    operation_ref: Mapped[str] = mapped_column(String(40), default="")


class ActivitySlot(Synced, Base):
    """A half-day slot; each participant signs once per slot."""

    __tablename__ = "activity_slot"

    activity_id: Mapped[str] = mapped_column(ForeignKey("activity.id"), index=True)
    # Local wall time of the session's place (what is printed on the sheet).
    starts_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    ends_at: Mapped[dt.datetime] = mapped_column(DateTime)


class Registration(Synced, Base):
    """A person registered to an activity; id is deterministic (activity, person)."""

    __tablename__ = "registration"
    __table_args__ = (UniqueConstraint("activity_id", "person_id"),)

    activity_id: Mapped[str] = mapped_column(ForeignKey("activity.id"), index=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="inscrit")  # liste_attente | annule
    registered_at: Mapped[dt.datetime] = mapped_column(DateTime)


class Attendance(Synced, Base):
    """Attendance of one person at one slot; id = deterministic_id("attendance", slot, person),
    so two laptops marking it produce one row."""

    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("slot_id", "person_id"),)

    slot_id: Mapped[str] = mapped_column(ForeignKey("activity_slot.id"), index=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"), index=True)
    state: Mapped[str] = mapped_column(String(10), default="attendu")  # present|absent|excuse


@event.listens_for(Activity, "before_insert")
@event.listens_for(Activity, "before_update")
def _refresh_title_key(_mapper: object, _connection: object, activity: Activity) -> None:
    activity.title_key = fold(activity.title)


class AttendanceSignature(Synced, Base):
    """One signature of one half-day, captured on a laptop (issue 16, docs/signing.md).

    Insert-only: id = deterministic_id("attendance-signature", slot, signer), so a
    signature is written once; the siège refuses any change to it (docs/authority.md).
    Rows of a slot form a hash chain in ``position`` order: ``link_sha256`` covers the
    row's content and the previous link, so a later change anywhere shows. The trainer's
    countersignature (role "formateur") comes last, carries the attendance marks of the
    half-day as closed (``marks``) and freezes the slot.
    """

    __tablename__ = "attendance_signature"
    __table_args__ = (UniqueConstraint("slot_id", "position"),)

    slot_id: Mapped[str] = mapped_column(ForeignKey("activity_slot.id"), index=True)
    # None for the trainer's countersignature (the trainer is named in signer_name).
    person_id: Mapped[str | None] = mapped_column(ForeignKey("person.id"), default=None)
    signer_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))  # participant | formateur
    position: Mapped[int] = mapped_column(Integer)
    # The strokes as JSON: {"box": [w, h], "strokes": [[[x, y, t_ms], ...], ...]}.
    strokes: Mapped[str] = mapped_column(Text)
    strokes_sha256: Mapped[str] = mapped_column(String(64))
    captured_at: Mapped[dt.datetime] = mapped_column(DateTime)  # local wall time
    sync_stamp: Mapped[str] = mapped_column(String(60), default="")  # HLC at capture
    device: Mapped[str] = mapped_column(String(120), default="")
    # Plausibility flags (JSON list of {"code", "name"}): shown, never blocking.
    flags: Mapped[str] = mapped_column(Text, default="[]")
    marks: Mapped[str] = mapped_column(Text, default="")  # countersignature only
    previous_sha256: Mapped[str] = mapped_column(String(64), default="")
    link_sha256: Mapped[str] = mapped_column(String(64))


class SheetSeal(Synced, Base):
    """A half-day's sheet sealed by the siège (PAdES + RFC 3161 timestamp).

    Written by the siège only (siege/sealing.py); laptops receive it to show when the
    sheet was sealed. The sealed PDF itself stays on the siège (siege_sheet_seal).
    id = deterministic_id("sheet-seal", slot_id).
    """

    __tablename__ = "sheet_seal"

    slot_id: Mapped[str] = mapped_column(ForeignKey("activity_slot.id"), index=True)
    sealed_at: Mapped[dt.datetime] = mapped_column(DateTime)  # UTC, the TSA's time
    sealer: Mapped[str] = mapped_column(String(200), default="")
    tsa: Mapped[str] = mapped_column(String(200), default="")
    record_sha256: Mapped[str] = mapped_column(String(64), default="")
    pdf_sha256: Mapped[str] = mapped_column(String(64), default="")


@event.listens_for(AttendanceSignature, "before_update")
@event.listens_for(AttendanceSignature, "before_delete")
def _refuse_signature_change(_mapper: object, _connection: object, _row: object) -> None:
    # Insert-only (docs/signing.md): a stored signature is evidence, never changed here;
    # the siège refuses it too (siege/authority.py).
    from app.errors import ConflictError

    raise ConflictError("signature_frozen")

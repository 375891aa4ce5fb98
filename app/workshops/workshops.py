"""Sessions of ateliers, réunions coopératives and manifestations: create, edit, read.

Registrations live in :mod:`app.workshops.registrations`, attendance and
follow-up figures in :mod:`app.workshops.attendance`; all three share these
tables, whatever the activity's kind.
"""

from __future__ import annotations

import itertools
import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.errors import Collector, ConflictError, NotFoundError
from app.ids import deterministic_id
from app.models import (
    Activity,
    ActivityFunder,
    ActivitySlot,
    Attendance,
    Funder,
    Permanence,
    Person,
    Registration,
    WorkshopTheme,
)
from app.uow import UnitOfWorkFactory

# Re-exported: the person's record shows hours per theme (see app.workshops.attendance).
from app.workshops.attendance import hours_by_theme as hours_by_theme
from app.workshops.workshop_values import (
    CANCELLED,
    EXPECTED,
    KINDS,
    REGISTERED,
    WAITING,
    FunderInfo,
    RegistrationInfo,
    SessionDetail,
    SessionInput,
    SlotInfo,
)

TITLE_MAX = 300
ADDRESS_MAX = 300
OPERATION_REF_MAX = 40  # activity_funder.operation_ref
OPERATION_REF = re.compile(r"[0-9A-Za-z][0-9A-Za-z ./_-]*|")


def place_label(permanence: Permanence | None, address: str) -> str:
    """Where the session is held, as printed: the free address wins over the permanence."""
    if address.strip():
        return address.strip()
    if permanence is None:
        return ""
    street = ", ".join(p for p in (permanence.place, permanence.address) if p)
    town = f"{permanence.postcode} {permanence.town}".strip()
    return f"{street}, {town}" if street else town


def validate_session(data: SessionInput) -> None:
    errors = Collector()
    title = data.title.strip()
    errors.check(bool(title), "title", "required")
    errors.check(len(title) <= TITLE_MAX, "title", "too_long", max=TITLE_MAX)
    errors.check(data.kind in KINDS, "kind", "invalid_choice")
    errors.check(
        bool(data.permanence_id) or bool(data.place_address.strip()), "place", "place_required"
    )
    errors.check(len(data.place_address) <= ADDRESS_MAX, "place", "too_long", max=ADDRESS_MAX)
    if data.capacity is not None:
        errors.check(data.capacity >= 1, "capacity", "capacity_min")
    if not data.slots:
        errors.add("slots", "slots_required")
    for number, slot in enumerate(data.slots, start=1):
        if slot.ends_at <= slot.starts_at:
            errors.add("slots", "slot_end_before_start", slot=number)
    ordered = sorted(data.slots, key=lambda s: s.starts_at)
    for before, after in itertools.pairwise(ordered):
        if after.starts_at < before.ends_at and before.ends_at > before.starts_at:
            errors.add("slots", "slots_overlap")
            break
    for reference in data.operation_refs.values():
        # An operation number as funders give it ("202300123", "MP0012345-2"): letters,
        # digits and separators, at most OPERATION_REF_MAX characters.
        cleaned = " ".join(reference.split())
        if len(cleaned) > OPERATION_REF_MAX or not OPERATION_REF.fullmatch(cleaned):
            errors.add("funders", "invalid_operation_ref", max=OPERATION_REF_MAX)
            break
    errors.raise_if_any()


def create_session(uow_factory: UnitOfWorkFactory, data: SessionInput) -> str:
    validate_session(data)
    with uow_factory() as uow:
        _check_references(uow.session, data)
        activity = Activity(title=data.title.strip())
        _apply(uow.session, activity, data)
        uow.session.add(activity)
        uow.session.flush()
        _replace_slots(uow.session, activity, data)
        _replace_funders(uow.session, activity.id, data.funder_ids, data.operation_refs)
        uow.commit()
        return activity.id


def update_session(uow_factory: UnitOfWorkFactory, activity_id: str, data: SessionInput) -> None:
    """Save the editor's content; refuses to shrink below the registered or drop a marked slot."""
    from app.workshops.registrations import promote_waiting

    validate_session(data)
    with uow_factory() as uow:
        session = uow.session
        activity = activity_or_raise(session, activity_id)
        _check_references(session, data)
        registered = _count_status(session, activity_id, REGISTERED)
        if data.capacity is not None and data.capacity < registered:
            errors = Collector()
            errors.add("capacity", "capacity_below_registered", registered=registered)
            errors.raise_if_any()
        _apply(session, activity, data)
        _replace_slots(session, activity, data)
        _replace_funders(session, activity.id, data.funder_ids, data.operation_refs)
        promote_waiting(session, activity)
        uow.commit()


def delete_session(uow_factory: UnitOfWorkFactory, activity_id: str) -> None:
    """Tombstone the session; refused once attendance was recorded (funders' evidence)."""
    with uow_factory() as uow:
        session = uow.session
        activity = activity_or_raise(session, activity_id)
        marked = session.scalar(
            select(Attendance.id)
            .join(ActivitySlot, ActivitySlot.id == Attendance.slot_id)
            .where(
                ActivitySlot.activity_id == activity_id,
                Attendance.deleted_at.is_(None),
                Attendance.state != EXPECTED,
            )
            .limit(1)
        )
        if marked is not None:
            raise ConflictError("session_has_attendance")
        now = utcnow()
        activity.deleted_at = now
        children: list[ActivitySlot | Registration | ActivityFunder | Attendance] = [
            *session.scalars(select(ActivitySlot).where(ActivitySlot.activity_id == activity_id)),
            *session.scalars(select(Registration).where(Registration.activity_id == activity_id)),
            *session.scalars(
                select(ActivityFunder).where(ActivityFunder.activity_id == activity_id)
            ),
        ]
        slot_ids = [row.id for row in children if isinstance(row, ActivitySlot)]
        marks = session.scalars(select(Attendance).where(Attendance.slot_id.in_(slot_ids)))
        for row in [*children, *marks]:
            row.deleted_at = row.deleted_at or now
        uow.commit()


def get_session(uow_factory: UnitOfWorkFactory, activity_id: str) -> SessionDetail:
    with uow_factory() as uow:
        return load_detail(uow.session, activity_id)


def load_detail(session: Session, activity_id: str) -> SessionDetail:
    activity = activity_or_raise(session, activity_id)
    permanence = session.get(Permanence, activity.permanence_id) if activity.permanence_id else None
    theme = session.get(WorkshopTheme, activity.theme_id) if activity.theme_id else None
    slots = [
        SlotInfo(s.id, s.starts_at, s.ends_at)
        for s in session.scalars(
            select(ActivitySlot)
            .where(ActivitySlot.activity_id == activity_id, ActivitySlot.deleted_at.is_(None))
            .order_by(ActivitySlot.starts_at)
        )
    ]
    funders = [
        FunderInfo(f.id, f.code, f.name, f.statement, f.emblem_png, operation_ref)
        for f, operation_ref in session.execute(
            select(Funder, ActivityFunder.operation_ref)
            .join(ActivityFunder, ActivityFunder.funder_id == Funder.id)
            .where(ActivityFunder.activity_id == activity_id, ActivityFunder.deleted_at.is_(None))
            .order_by(Funder.code)
        )
    ]
    registrations = registrations_of(session, activity_id)
    attendance: dict[tuple[str, str], str] = {}
    if slots:
        rows = session.execute(
            select(Attendance.slot_id, Attendance.person_id, Attendance.state).where(
                Attendance.slot_id.in_([s.id for s in slots]), Attendance.deleted_at.is_(None)
            )
        )
        attendance = {(r[0], r[1]): r[2] for r in rows if r[2] != EXPECTED}
    participants = sorted(
        (r for r in registrations if r.status == REGISTERED),
        key=lambda r: (r.last_name.casefold(), r.first_name.casefold(), r.person_id),
    )
    waiting = [r for r in registrations if r.status == WAITING]
    return SessionDetail(
        id=activity.id,
        kind=activity.kind,
        title=activity.title,
        theme_id=activity.theme_id,
        theme_name=theme.name if theme else None,
        held_on=activity.held_on,
        permanence_id=activity.permanence_id,
        permanence_town=permanence.town if permanence else None,
        place_address=activity.place_address,
        place_label=place_label(permanence, activity.place_address),
        animateurs=activity.animateurs,
        capacity=activity.capacity,
        has_waiting_list=activity.has_waiting_list,
        description=activity.description,
        slots=slots,
        funders=funders,
        participants=participants,
        waiting=waiting,
        attendance=attendance,
    )


def registrations_of(session: Session, activity_id: str) -> list[RegistrationInfo]:
    """Live registrations (not cancelled) of one activity, first registered first."""
    rows = session.execute(
        select(
            Registration.id,
            Registration.person_id,
            Person.civility,
            Person.last_name,
            Person.first_name,
            Registration.status,
            Registration.registered_at,
        )
        .join(Person, Person.id == Registration.person_id)
        .where(
            Registration.activity_id == activity_id,
            Registration.deleted_at.is_(None),
            Registration.status != CANCELLED,
        )
        .order_by(Registration.registered_at, Registration.id)
    )
    return [RegistrationInfo(r[0], activity_id, r[1], r[2], r[3], r[4], r[5], r[6]) for r in rows]


# Internals -------------------------------------------------------------------


def activity_or_raise(session: Session, activity_id: str) -> Activity:
    activity = session.get(Activity, activity_id)
    if activity is None or activity.deleted_at is not None:
        raise NotFoundError("not_found", kind="activity", id=activity_id)
    return activity


def _count_status(session: Session, activity_id: str, status: str) -> int:
    return int(
        session.scalar(
            select(func.count(Registration.id)).where(
                Registration.activity_id == activity_id,
                Registration.status == status,
                Registration.deleted_at.is_(None),
            )
        )
        or 0
    )


def _check_references(session: Session, data: SessionInput) -> None:
    errors = Collector()
    if data.theme_id is not None:
        theme = session.get(WorkshopTheme, data.theme_id)
        errors.check(theme is not None and theme.deleted_at is None, "theme_id", "invalid_choice")
    if data.permanence_id is not None:
        permanence = session.get(Permanence, data.permanence_id)
        errors.check(
            permanence is not None and permanence.deleted_at is None, "place", "invalid_choice"
        )
    for funder_id in data.funder_ids:
        funder = session.get(Funder, funder_id)
        errors.check(funder is not None and funder.deleted_at is None, "funders", "invalid_choice")
    errors.raise_if_any()


def _apply(session: Session, activity: Activity, data: SessionInput) -> None:
    activity.kind = data.kind
    activity.title = data.title.strip()
    activity.theme_id = data.theme_id
    activity.held_on = min(s.starts_at for s in data.slots).date()
    activity.permanence_id = data.permanence_id
    activity.place_address = data.place_address.strip()
    activity.animateurs = data.animateurs.strip()
    activity.capacity = data.capacity
    activity.has_waiting_list = data.has_waiting_list
    activity.description = data.description.strip()


def _replace_slots(session: Session, activity: Activity, data: SessionInput) -> None:
    existing = {
        s.id: s
        for s in session.scalars(
            select(ActivitySlot).where(
                ActivitySlot.activity_id == activity.id, ActivitySlot.deleted_at.is_(None)
            )
        )
    }
    kept = {s.id for s in data.slots if s.id}
    dropped = [slot_id for slot_id in existing if slot_id not in kept]
    if dropped:
        marked = session.scalar(
            select(Attendance.id)
            .where(
                Attendance.slot_id.in_(dropped),
                Attendance.deleted_at.is_(None),
                Attendance.state != EXPECTED,
            )
            .limit(1)
        )
        if marked is not None:
            raise ConflictError("slot_has_attendance")
        now = utcnow()
        for slot_id in dropped:
            existing[slot_id].deleted_at = now
    for slot in data.slots:
        row = existing.get(slot.id) if slot.id else None
        if row is None:
            session.add(
                ActivitySlot(
                    activity_id=activity.id, starts_at=slot.starts_at, ends_at=slot.ends_at
                )
            )
        elif (row.starts_at, row.ends_at) != (slot.starts_at, slot.ends_at):
            row.starts_at, row.ends_at = slot.starts_at, slot.ends_at


def _replace_funders(
    session: Session, activity_id: str, funder_ids: list[str], refs: dict[str, str]
) -> None:
    current = {
        link.funder_id: link
        for link in session.scalars(
            select(ActivityFunder).where(ActivityFunder.activity_id == activity_id)
        )
    }
    wanted = set(funder_ids)
    now = utcnow()
    for funder_id, link in current.items():
        if funder_id in wanted and link.deleted_at is not None:
            link.deleted_at = None
        elif funder_id not in wanted and link.deleted_at is None:
            link.deleted_at = now
        reference = " ".join(refs.get(funder_id, "").split())
        if funder_id in wanted and link.operation_ref != reference:
            link.operation_ref = reference
    for funder_id in wanted - current.keys():
        # Deterministic id: two laptops adding the same funder make one link.
        session.add(
            ActivityFunder(
                id=deterministic_id("activity_funder", activity_id, funder_id),
                activity_id=activity_id,
                funder_id=funder_id,
                operation_ref=" ".join(refs.get(funder_id, "").split()),
            )
        )

"""Registrations to any activity: capacity, waiting list, promotion on cancellation.

A registration's id is ``deterministic_id("registration", activity, person)``:
the same person registered on two laptops is one row after sync, and
re-registering after a cancellation revives that row.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.errors import ConflictError, NotFoundError
from app.ids import deterministic_id
from app.models import Activity, Person, Registration
from app.uow import UnitOfWorkFactory
from app.workshops.workshop_values import CANCELLED, REGISTERED, WAITING, RegistrationInfo
from app.workshops.workshops import activity_or_raise


def registration_id(activity_id: str, person_id: str) -> str:
    return deterministic_id("registration", activity_id, person_id)


def register_person(
    uow_factory: UnitOfWorkFactory,
    activity_id: str,
    person_id: str,
    *,
    now: dt.datetime | None = None,
) -> RegistrationInfo:
    """Register, or put on the waiting list when the session is full.

    Refused (nothing saved): the person already registered or waiting
    (``already_registered``); the session full without a waiting list
    (``activity_full``).
    """
    moment = now or utcnow()
    with uow_factory() as uow:
        session = uow.session
        activity = activity_or_raise(session, activity_id)
        person = session.get(Person, person_id)
        if person is None or person.deleted_at is not None:
            raise NotFoundError("not_found", kind="person", id=person_id)
        row = _registration(session, activity_id, person_id)
        if row is not None and row.deleted_at is None and row.status != CANCELLED:
            raise ConflictError(
                "already_registered",
                name=f"{person.first_name} {person.last_name}",
                waiting=row.status == WAITING,
            )
        status = REGISTERED
        if _is_full(session, activity):
            if not activity.has_waiting_list:
                raise ConflictError("activity_full", capacity=activity.capacity)
            status = WAITING
        if row is None:
            row = Registration(
                id=registration_id(activity_id, person_id),
                activity_id=activity_id,
                person_id=person_id,
            )
            session.add(row)
        row.status = status
        row.registered_at = moment
        row.deleted_at = None
        uow.commit()
        return _info(row, person)


def cancel_registration(
    uow_factory: UnitOfWorkFactory, activity_id: str, person_id: str
) -> RegistrationInfo | None:
    """Cancel; the first person waiting takes the freed place. Returns who was promoted."""
    with uow_factory() as uow:
        session = uow.session
        activity = activity_or_raise(session, activity_id)
        row = _registration(session, activity_id, person_id)
        if row is None or row.deleted_at is not None or row.status == CANCELLED:
            raise NotFoundError("not_found", kind="registration", id=person_id)
        row.status = CANCELLED
        session.flush()
        promoted = promote_waiting(session, activity)
        uow.commit()
        return promoted[0] if promoted else None


def promote_waiting(session: Session, activity: Activity) -> list[RegistrationInfo]:
    """Move waiting people (first come, first served) into free places."""
    promoted: list[RegistrationInfo] = []
    while not _is_full(session, activity):
        row = session.scalar(
            select(Registration)
            .where(
                Registration.activity_id == activity.id,
                Registration.status == WAITING,
                Registration.deleted_at.is_(None),
            )
            .order_by(Registration.registered_at, Registration.id)
            .limit(1)
        )
        if row is None:
            break
        row.status = REGISTERED
        session.flush()
        person = session.get(Person, row.person_id)
        assert person is not None
        promoted.append(_info(row, person))
    return promoted


def _registration(session: Session, activity_id: str, person_id: str) -> Registration | None:
    """By the natural key: after a person merge the row keeps its old deterministic id."""
    return session.scalar(
        select(Registration).where(
            Registration.activity_id == activity_id, Registration.person_id == person_id
        )
    )


def _is_full(session: Session, activity: Activity) -> bool:
    if activity.capacity is None:
        return False
    registered = session.scalar(
        select(func.count(Registration.id)).where(
            Registration.activity_id == activity.id,
            Registration.status == REGISTERED,
            Registration.deleted_at.is_(None),
        )
    )
    return int(registered or 0) >= activity.capacity


def _info(row: Registration, person: Person) -> RegistrationInfo:
    return RegistrationInfo(
        row.id,
        row.activity_id,
        row.person_id,
        person.civility,
        person.last_name,
        person.first_name,
        row.status,
        row.registered_at,
    )

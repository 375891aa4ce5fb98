"""A person's attachment over time: the antenne and referent accompagnateur they belong to
from a day on (``person_attachment``, docs/indicators.md "Antenne filter").

The people services call :func:`record_attachment` whenever they may have changed a
person's antenne or referent, in the same unit of work, so the history and the record
never disagree. The indicators read the attachment valid on each fact's date: moving a
person today never rewrites a past year.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from app.clock import today
from app.models import Person, PersonAttachment
from app.uow import UnitOfWorkFactory


@dataclass(frozen=True)
class Attachment:
    valid_from: dt.date
    antenne_id: str | None
    referent_id: str | None


def attachments_of(session: Session, person_id: str) -> list[PersonAttachment]:
    """The person's live attachments, oldest first (same-day rows: the later written last;
    ids are time-ordered UUIDv7)."""
    return list(
        session.scalars(
            select(PersonAttachment)
            .where(PersonAttachment.person_id == person_id, PersonAttachment.deleted_at.is_(None))
            .order_by(PersonAttachment.valid_from, PersonAttachment.id)
        )
    )


def record_attachment(session: Session, person: Person, on: dt.date | None = None) -> None:
    """Record the person's current antenne and referent from ``on`` (today by default)
    if they differ from the attachment valid then. A second change the same day corrects
    that day's row instead of adding one. Flushes the person first (it needs its id).

    A person with no history yet (a row written around this service, e.g. imported on
    the siège) first gets one with the values they had before this change, valid from
    their creation day: their past stays where it was."""
    before = None if inspect(person).pending else _before_change(person)
    if person.id is None:
        session.flush()
    day = on or today()
    rows = attachments_of(session, person.id)
    if not rows and before is not None and before != (person.antenne_id, person.referent_id):
        created = person.created_at.date() if person.created_at else day
        rows = [_add(session, person.id, before, min(created, day))]
    valid = [r for r in rows if r.valid_from <= day]
    current = valid[-1] if valid else (rows[0] if rows else None)
    wanted = (person.antenne_id, person.referent_id)
    if current is not None and (current.antenne_id, current.referent_id) == wanted:
        return
    if current is not None and current.valid_from == day:
        current.antenne_id, current.referent_id = wanted
        return
    _add(session, person.id, wanted, day)


def _before_change(person: Person) -> tuple[str | None, str | None]:
    """The person's antenne and referent before the changes not yet flushed."""
    state = inspect(person)

    def old(name: str) -> str | None:
        history = state.attrs[name].history
        value = history.deleted[0] if history.deleted else getattr(person, name)
        return value  # type: ignore[no-any-return]

    return old("antenne_id"), old("referent_id")


def _add(
    session: Session, person_id: str, values: tuple[str | None, str | None], day: dt.date
) -> PersonAttachment:
    row = PersonAttachment(
        person_id=person_id, antenne_id=values[0], referent_id=values[1], valid_from=day
    )
    session.add(row)
    return row


def attachment_history(uow_factory: UnitOfWorkFactory, person_id: str) -> list[Attachment]:
    """The person's attachments, oldest first (the person file's history)."""
    with uow_factory() as uow:
        return [
            Attachment(r.valid_from, r.antenne_id, r.referent_id)
            for r in attachments_of(uow.session, person_id)
        ]

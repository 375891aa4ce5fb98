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

from sqlalchemy import select
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
    that day's row instead of adding one. Flushes the person first (it needs its id)."""
    if person.id is None:
        session.flush()
    day = on or today()
    rows = attachments_of(session, person.id)
    valid = [r for r in rows if r.valid_from <= day]
    current = valid[-1] if valid else (rows[0] if rows else None)
    wanted = (person.antenne_id, person.referent_id)
    if current is not None and (current.antenne_id, current.referent_id) == wanted:
        return
    if current is not None and current.valid_from == day:
        current.antenne_id, current.referent_id = wanted
        return
    session.add(
        PersonAttachment(
            person_id=person.id,
            antenne_id=person.antenne_id,
            referent_id=person.referent_id,
            valid_from=day,
        )
    )


def attachment_history(uow_factory: UnitOfWorkFactory, person_id: str) -> list[Attachment]:
    """The person's attachments, oldest first (the person file's history)."""
    with uow_factory() as uow:
        return [
            Attachment(r.valid_from, r.antenne_id, r.referent_id)
            for r in attachments_of(uow.session, person_id)
        ]

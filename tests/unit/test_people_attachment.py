"""A person's attachment history (app/people/attachment.py) is written by the people
service in the same transaction as the record: creation, a move, a new referent, a merge."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from sqlalchemy import select

from app import clock
from app.models import OutboxEntry, PersonAttachment
from app.people.attachment import Attachment, attachment_history
from app.people.merge import merge_persons
from app.people.persons import PersonInput, create_person, update_person
from tests.indicators_data import Builder, antenne

TODAY = dt.date(2026, 11, 26)  # tests/clock_support.py SUITE_INSTANT
REIMS, TROYES = antenne("Reims"), antenne("Troyes")


def _staff(uow) -> tuple[str, str]:
    with Builder(uow) as b:
        return b.accompagnateur("Anne", "Thévenin"), b.accompagnateur("Marc", "Delaunay")


def _at(pinned_clock, day: dt.date) -> None:
    pinned_clock.set(dt.datetime.combine(day, dt.time(10), tzinfo=clock.PARIS))


def test_creating_a_person_records_their_first_attachment(uow) -> None:
    anne, _marc = _staff(uow)
    data = PersonInput(first_name="Inès", last_name="Roux", antenne_id=TROYES, referent_id=anne)
    person = create_person(uow, data)
    assert attachment_history(uow, person.id) == [Attachment(TODAY, TROYES, anne)]
    # Without antenne nor referent: one row all the same (the person's first attachment).
    other = create_person(uow, PersonInput(first_name="Jean", last_name="Vidal"))
    assert attachment_history(uow, other.id) == [Attachment(TODAY, None, None)]


def test_a_move_and_a_new_referent_are_dated_the_day_they_are_saved(uow, pinned_clock) -> None:
    anne, marc = _staff(uow)
    data = PersonInput(first_name="Inès", last_name="Roux", antenne_id=TROYES, referent_id=anne)
    pid = create_person(uow, data).id
    _at(pinned_clock, dt.date(2026, 12, 3))
    update_person(uow, pid, replace(data, city="Reims"))  # no attachment change
    assert len(attachment_history(uow, pid)) == 1
    moved = replace(data, antenne_id=REIMS, referent_id=marc)
    update_person(uow, pid, moved)
    _at(pinned_clock, dt.date(2027, 1, 4))
    update_person(uow, pid, replace(moved, referent_id=None))
    assert attachment_history(uow, pid) == [
        Attachment(TODAY, TROYES, anne),
        Attachment(dt.date(2026, 12, 3), REIMS, marc),
        Attachment(dt.date(2027, 1, 4), REIMS, None),
    ]


def test_a_second_change_the_same_day_corrects_that_days_row(uow, pinned_clock) -> None:
    anne, marc = _staff(uow)
    data = PersonInput(first_name="Inès", last_name="Roux", antenne_id=TROYES, referent_id=anne)
    pid = create_person(uow, data).id
    _at(pinned_clock, dt.date(2026, 12, 3))
    update_person(uow, pid, replace(data, antenne_id=REIMS, referent_id=marc))
    update_person(uow, pid, replace(data, antenne_id=None, referent_id=marc))  # a slip
    assert attachment_history(uow, pid) == [
        Attachment(TODAY, TROYES, anne),
        Attachment(dt.date(2026, 12, 3), None, marc),
    ]


def test_attachment_rows_travel_with_the_move(uow, pinned_clock) -> None:
    """Written through the unit of work: captured for the siège like the record."""
    pid = create_person(uow, PersonInput(first_name="Inès", last_name="Roux")).id
    _at(pinned_clock, dt.date(2026, 12, 3))
    update_person(uow, pid, PersonInput(first_name="Inès", last_name="Roux", antenne_id=REIMS))
    with uow() as unit:
        ids = set(unit.session.scalars(select(PersonAttachment.id)))
        sent = set(
            unit.session.scalars(
                select(OutboxEntry.row_id).where(OutboxEntry.table_name == "person_attachment")
            )
        )
    assert len(ids) == 2 and ids <= sent


def test_a_merge_keeps_the_kept_records_history_and_dates_what_it_takes(uow, pinned_clock) -> None:
    anne, _marc = _staff(uow)
    keep = create_person(uow, PersonInput(first_name="Inès", last_name="Roux")).id
    other = create_person(
        uow,
        PersonInput(first_name="Ines", last_name="Roux", antenne_id=TROYES, referent_id=anne),
        allow_duplicate=True,
    ).id
    _at(pinned_clock, dt.date(2026, 12, 3))
    merge_persons(uow, keep, other)
    assert attachment_history(uow, keep) == [
        Attachment(TODAY, None, None),
        Attachment(dt.date(2026, 12, 3), TROYES, anne),
    ]
    # The merged record's own history stays with its tombstone.
    assert attachment_history(uow, other) == [Attachment(TODAY, TROYES, anne)]


def test_a_person_without_history_keeps_their_past_when_moved(uow, pinned_clock) -> None:
    """Written around the service (imported on the siège, say): the move first records
    where they were, from their creation day."""
    with Builder(uow) as b:
        pid = b.person("Importée", ant="Troyes")
    _at(pinned_clock, dt.date(2026, 12, 3))
    update_person(uow, pid, PersonInput(first_name="A", last_name="Importée", antenne_id=REIMS))
    assert attachment_history(uow, pid) == [
        Attachment(TODAY, TROYES, None),
        Attachment(dt.date(2026, 12, 3), REIMS, None),
    ]

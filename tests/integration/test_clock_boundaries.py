"""The user's date is the French local date: year ends, summer time and leap days.

Each test pins the application's clock to the awkward moment itself, so these cases
are checked on every run whatever the real date (docs/architecture.md, "One clock").
"""

from __future__ import annotations

import datetime as dt

import pytest

from app import clock, formatting
from app.errors import ValidationError
from app.invoicing.validation import validate_invoice
from app.people import persons
from app.people.persons import PersonInput
from app.profile import Profile, open_profile
from tests.invoicing_fixtures import add_client, add_draft, add_entrepreneur, complete_identity

UTC = dt.UTC


def test_half_past_midnight_on_new_years_day_in_reims_is_the_new_year(
    pinned_clock: clock.PinnedClock,
) -> None:
    pinned_clock.set(dt.datetime(2026, 12, 31, 23, 30, tzinfo=UTC))
    assert clock.today() == dt.date(2027, 1, 1)
    assert clock.utcnow().date() == dt.date(2026, 12, 31)  # stored timestamps stay UTC
    pinned_clock.set(dt.datetime(2027, 6, 30, 22, 30, tzinfo=UTC))  # summer time: UTC+2
    assert clock.today() == dt.date(2027, 7, 1)


def test_invoice_validated_at_half_past_midnight_on_new_years_day_opens_the_new_series(
    profile: Profile, pinned_clock: clock.PinnedClock
) -> None:
    complete_identity(profile.uow)
    person = add_entrepreneur(profile.uow)
    client = add_client(profile.uow, person)
    pinned_clock.set(dt.datetime(2026, 12, 31, 16, 0, tzinfo=clock.PARIS))
    docs = profile.paths.documents
    last_of_year = validate_invoice(profile.uow, docs, add_draft(profile.uow, person, client))
    assert (last_of_year.number, last_of_year.issue_date) == (
        "LOC-2026-00001",
        dt.date(2026, 12, 31),
    )

    pinned_clock.set(dt.datetime(2027, 1, 1, 0, 30, tzinfo=clock.PARIS))
    first = validate_invoice(profile.uow, docs, add_draft(profile.uow, person, client))
    assert first.issue_date == dt.date(2027, 1, 1)
    assert first.number == "LOC-2027-00001"


def test_birth_dates_are_checked_on_the_29th_of_february(
    profile: Profile, pinned_clock: clock.PinnedClock
) -> None:
    pinned_clock.set(dt.datetime(2028, 2, 29, 10, 0, tzinfo=clock.PARIS))
    fifteen = PersonInput(first_name="Inès", last_name="Hadj", birth_date=dt.date(2013, 2, 28))
    created = persons.create_person(profile.uow, fifteen, allow_duplicate=True)
    assert persons.get_person(profile.uow, created.id).last_contact_on == dt.date(2028, 2, 29)
    too_young = PersonInput(first_name="Noé", last_name="Hadj", birth_date=dt.date(2013, 3, 1))
    with pytest.raises(ValidationError) as refused:
        persons.create_person(profile.uow, too_young, allow_duplicate=True)
    assert [e.field for e in refused.value.errors] == ["birth_date"]


def test_the_daily_backup_follows_the_application_clock(
    profile: Profile, pinned_clock: clock.PinnedClock
) -> None:
    root = profile.paths.root
    profile.backup(label="manuel")
    profile.close()
    before = sorted(p.name for p in (root / "backups").glob("permanence-*.sqlite3"))

    pinned_clock.advance(dt.timedelta(hours=20))
    open_profile(root).close()
    same_day = sorted(p.name for p in (root / "backups").glob("permanence-*.sqlite3"))
    assert same_day == before

    pinned_clock.advance(dt.timedelta(hours=6))
    open_profile(root).close()
    next_day = sorted(p.name for p in (root / "backups").glob("permanence-*.sqlite3"))
    assert len(next_day) == len(before) + 1


def test_stored_timestamps_are_shown_in_french_local_time() -> None:
    winter = dt.datetime(2026, 1, 15, 23, 30)  # naive UTC, as stored
    summer = dt.datetime(2026, 7, 15, 23, 30)
    assert formatting.timestamp(winter) == "16/01/2026 00:30"
    assert formatting.timestamp(summer) == "16/07/2026 01:30"
    assert formatting.timestamp(None) == ""

"""The person list's plain-SQL reads (app/people/person_list.py): the early reader opened
on the file at launch finds what the profile's units of work find, never writes, never
creates a file; the list's light formatting writes what app.formatting and
app.validation write."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from app import formatting
from app.models import ParcoursStage, Person
from app.people import person_directory
from app.people.person_list import EarlyReader, list_count, list_date, list_phone
from app.states import StageKind
from app.validation import display_phone


def _people(profile) -> None:
    with profile.uow() as uow:
        for i in range(7):
            uow.session.add(
                Person(first_name=f"Hélène{i}", last_name="Dupré", city="Langres", phone="")
            )
        zoe = Person(first_name="Zoé", last_name="Perrin", phone="+33612345678")
        uow.session.add(zoe)
        uow.session.add(Person(first_name="Hervé", last_name="Lambert", phone="+3225551234"))
        uow.session.flush()
        uow.session.add(
            ParcoursStage(person_id=zoe.id, kind=StageKind.ACCUEIL, start_date=dt.date(2026, 1, 5))
        )
        uow.commit()


def test_the_early_reader_finds_what_the_profile_finds(profile) -> None:
    _people(profile)
    reader = EarlyReader.open(profile.paths.database)
    try:
        for text in ("", "helene", "dupre lang", "zoe", "xyz"):
            early = reader.first_page(text, limit=5)
            usual = person_directory.search_page(profile.uow.reading(), text, limit=5)
            assert early == usual, text
            assert reader.page(text, offset=5, limit=5) == person_directory.search_persons(
                profile.uow.reading(), text, offset=5, limit=5
            )
        assert reader.first_page("", limit=5).total == 9
        assert reader.first_page("zoe").rows[0].status == "accueil"
        assert reader.schema_revision() is not None
    finally:
        reader.close()


def test_the_early_reader_never_writes(profile) -> None:
    _people(profile)
    reader = EarlyReader.open(profile.paths.database)
    try:
        with pytest.raises(sqlite3.OperationalError):
            list(reader._execute("DELETE FROM person", {}))
        assert reader.first_page("").total == 9
    finally:
        reader.close()


def test_the_early_reader_does_not_create_a_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "permanence.sqlite3"
    with pytest.raises(FileNotFoundError):
        EarlyReader.open(missing)
    assert not missing.exists()


@pytest.mark.parametrize(
    "phone",
    ["", "+33612345678", "+33325609716", "+33123456789", "+33912345678", "+33800123456",
     "+33012345678", "+3225551234", "+41791234567", "0612", "n/a"],
)  # fmt: skip
def test_the_list_writes_phones_as_the_app_does(phone: str) -> None:
    assert list_phone(phone) == display_phone(phone)


@pytest.mark.parametrize(
    "day", [None, dt.date(2026, 12, 5), dt.date(1999, 1, 31), dt.date(2030, 10, 1)]
)
def test_the_list_writes_dates_as_the_app_does(day: dt.date | None) -> None:
    assert list_date(day) == formatting.date(day)


@pytest.mark.parametrize("total", [0, 1, 999, 1000, 5000, 12345, 1234567])
def test_the_list_writes_counts_as_the_app_does(total: int) -> None:
    assert list_count(total) == formatting.number(total, 0)


def test_the_early_reader_opens_an_encrypted_profile_with_its_passphrase(tmp_path: Path) -> None:
    from app.config import ProfileSettings
    from app.profile import create_profile

    settings = ProfileSettings(display_name="Langres", encrypted=True)
    profile = create_profile(tmp_path / "chiffre", settings, passphrase="Vouziers 2026!")
    try:
        _people(profile)
    finally:
        profile.close()
    reader = EarlyReader.open(tmp_path / "chiffre" / "permanence.sqlite3", "Vouziers 2026!")
    try:
        assert reader.first_page("zoe").rows[0].first_name == "Zoé"
    finally:
        reader.close()
    with pytest.raises(sqlite3.DatabaseError):
        EarlyReader.open(tmp_path / "chiffre" / "permanence.sqlite3").first_page("")

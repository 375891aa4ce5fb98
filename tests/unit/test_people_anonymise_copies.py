"""Anonymisation on one laptop reaches the copies that laptop holds (docs/personal-data.md):
the outbox entries not yet sent, the conflicts kept for review, the records merged into
the person, the documents generated about them — and nothing of anyone else."""

from __future__ import annotations

import datetime as dt

from pypdf import PdfReader
from sqlalchemy import select

from app.models import FollowupInterview, OutboxEntry, Person, SyncConflict
from app.people import people_reports
from app.people.anonymise import anonymise_person
from app.people.merge import merge_persons
from app.profile import Profile
from app.sync.apply import record_local_conflict

NAME = "Quatremarre"
NOTE = "Vannerieconfidentielle"
DAY = dt.date(2026, 11, 20)


def _person(profile: Profile, first: str, notes: str = "") -> str:
    with profile.uow() as uow:
        person = Person(first_name=first, last_name=NAME, notes=notes)
        uow.session.add(person)
        uow.commit()
        return person.id


def _outbox_text(profile: Profile) -> str:
    with profile.engine.connect() as conn:
        return " ".join(conn.execute(select(OutboxEntry.fields_json)).scalars())


def test_unsent_edits_and_conflicts_lose_the_former_values(profile: Profile) -> None:
    pid = _person(profile, "Albertinette", notes=f"{NOTE} 1")
    with profile.uow() as uow:
        uow.session.get_one(Person, pid).notes = f"{NOTE} 2"
        uow.session.add(FollowupInterview(person_id=pid, held_on=DAY, points_discussed=NOTE))
        uow.commit()
    other = _person(profile, "Bertrand", notes="Autre dossier")
    with profile.engine.begin() as conn:
        record_local_conflict(conn, "field", "person", pid, "notes", f"{NOTE} perdu")
        record_local_conflict(conn, "field", "person", other, "notes", "Autre perdu")
    assert NOTE in _outbox_text(profile)

    anonymise_person(profile.uow, pid)

    outbox = _outbox_text(profile)
    assert NOTE not in outbox and "Albertinette" not in outbox
    assert "Autre dossier" in outbox and "Bertrand" in outbox  # nobody else's
    with profile.engine.connect() as conn:
        rows = conn.execute(
            select(SyncConflict.row_id, SyncConflict.lost_value, SyncConflict.resolved_at)
        ).all()
    by_row = {r[0]: r for r in rows}
    assert by_row[pid][1] == "" and by_row[pid][2] is not None
    assert by_row[other][1] == "Autre perdu" and by_row[other][2] is None


def test_records_merged_into_the_person_are_erased_with_it(profile: Profile) -> None:
    kept = _person(profile, "Albertinette")
    merged = _person(profile, "Albertinette", notes=f"{NOTE} (fiche en double)")
    merge_persons(profile.uow, kept, merged)
    anonymise_person(profile.uow, kept)
    with profile.uow() as uow:
        for pid in (kept, merged):
            record = uow.session.get_one(Person, pid)
            assert (record.last_name, record.first_name, record.notes) == ("Anonyme", "", "")
            assert record.anonymised_at is not None
    assert NOTE not in _outbox_text(profile) and NAME not in _outbox_text(profile)


def test_documents_about_the_person_go_and_others_stay(profile: Profile) -> None:
    pid = _person(profile, "Albertinette")
    other = _person(profile, "Bertrand")
    folder = profile.paths.documents / "parcours"
    mine = people_reports.write_parcours_summary(profile.uow, pid, folder)
    theirs = people_reports.write_parcours_summary(profile.uow, other, folder)
    anonymise_person(profile.uow, pid)
    assert not mine.exists() and theirs.exists()


def test_workshop_attestation_and_printed_sheets_go(profile: Profile) -> None:
    from app.workshops import attendance, registrations, workshop_documents
    from tests.workshops_support import BEFORE, DURING, new_session

    pid = _person(profile, "Albertinette")
    other = _person(profile, "Bertrand")
    # A workshop without EU funding: FSE+ evidence would keep the person for 10 years
    # (tests/integration/test_cofinanced_retention.py).
    activity = new_session(profile.uow, funder_ids=[])
    for person in (pid, other):
        registrations.register_person(profile.uow, activity, person, now=BEFORE)
    attendance.mark_all_present(profile.uow, activity, now=DURING)
    documents = profile.paths.documents
    mine, theirs = workshop_documents.generate_attestations(
        profile.uow, documents, [(activity, pid), (activity, other)]
    )
    sheet = workshop_documents.print_attendance_sheet(profile.uow, documents, activity, filled=True)
    assert NAME.lower() in mine.name.lower()

    anonymise_person(profile.uow, pid)

    assert not mine.exists() and not sheet.exists()  # the sheet listed the person
    assert theirs.exists()
    again = workshop_documents.print_attendance_sheet(profile.uow, documents, activity, filled=True)
    text = " ".join(page.extract_text() for page in PdfReader(again).pages)
    assert "Albertinette" not in text and "Bertrand" in text  # printed again, anonymised

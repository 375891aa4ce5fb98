"""Anonymisation reaches every copy (docs/personal-data.md): after a person is anonymised on
laptop A, neither their former name nor their notes remain in any file under the
profile folders of A, of laptop B (which held the person, a conflict about them, their
documents and an unsent edit of its own) and of laptop C enrolled afterwards, nor in
any table of the three laptops and of the siège — a real ``python -m siege serve`` over
HTTP, on SQLite and on PostgreSQL. The backups taken before are searched too."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import Engine, LargeBinary, MetaData, String, Text, select

from app.config import ProfileSettings
from app.invoicing import documents
from app.models import Appointment, FollowupInterview, IntakeInterview, Person, SyncConflict
from app.people import people_reports, personal_data
from app.profile import PREVIEWS_FOLDER, Profile, create_profile
from app.sync import service
from app.sync.erasure import ERASED_TABLES
from siege import db, devices
from siege.tables import conflict as siege_conflict
from tests.invoicing_fixtures import add_client, add_draft, complete_identity
from tests.sync_support import postgres_database
from tests.sync_support.processes import SiegeProcess

LAST = "Quatremarre"
FIRST = "Albertinette"
NOTE = "Vannerieconfidentielle"  # a word of the notes and texts, found nowhere else
SECRETS = (LAST, FIRST, NOTE)
DAY = dt.date(2026, 11, 20)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def siege_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/siege.sqlite3"
        engine = db.make_engine(url)
        db.migrate(engine)
        engine.dispose()
        yield url
        return
    template = request.getfixturevalue("pg_siege_url").rsplit("/", 1)[1]
    with postgres_database(template) as url:
        yield url


@pytest.fixture
def server(siege_url: str, tmp_path: Path) -> Iterator[SiegeProcess]:
    process = SiegeProcess(siege_url, tmp_path / "siege.log")
    process.start()
    yield process
    process.kill()


def _laptop(server: SiegeProcess, root: Path, name: str) -> Profile:
    profile = create_profile(root / name, ProfileSettings(display_name=name))
    profile.uow.actor = name
    engine = db.make_engine(server.database_url)
    code, _prefix = devices.enroll(engine, name, "Reims")
    engine.dispose()
    service.enrol(profile, server.url, code)
    return profile


def _person_with_texts(profile: Profile) -> str:
    with profile.uow() as uow:
        person = Person(
            first_name=FIRST,
            last_name=LAST,
            email="albertinette.quatremarre@example.fr",
            notes=f"Notes : {NOTE}",
            activity_name=f"Vannerie {LAST}",
        )
        uow.session.add(person)
        uow.session.flush()
        uow.session.add(
            IntakeInterview(
                person_id=person.id, held_on=DAY, project_what=f"Paniers {NOTE}", is_draft=False
            )
        )
        uow.session.add(
            FollowupInterview(person_id=person.id, held_on=DAY, points_discussed=f"{NOTE} tarifs")
        )
        uow.session.add(
            Appointment(
                person_id=person.id,
                starts_at=dt.datetime(2026, 12, 3, 10, 0),
                note=f"Rappeler {FIRST} {LAST}",
            )
        )
        uow.commit()
        return person.id


def _edit_notes(profile: Profile, person_id: str, notes: str) -> None:
    with profile.uow() as uow:
        uow.session.get_one(Person, person_id).notes = notes
        uow.commit()


def _write_documents(profile: Profile, person_id: str) -> list[Path]:
    folder = profile.paths.documents
    with profile.uow() as uow:
        intake_id = uow.session.scalars(
            select(IntakeInterview.id).where(IntakeInterview.person_id == person_id)
        ).one()
    client = add_client(profile.uow, person_id)
    draft = add_draft(profile.uow, person_id, client)
    return [
        people_reports.write_interview_report(
            profile.uow, "accueil", intake_id, folder / "entretiens"
        ),
        people_reports.write_parcours_summary(profile.uow, person_id, folder / "parcours"),
        *personal_data.write_export(profile.uow, person_id, folder / "donnees-personnelles"),
        documents.draft_preview(profile.uow, draft, folder / PREVIEWS_FOLDER),
    ]


def _file_text(path: Path) -> bytes:
    """The bytes of a file, and the text inside it when it is compressed (PDF, XLSX)."""
    data = path.read_bytes()
    if data.startswith(b"%PDF"):
        text = "\n".join(page.extract_text() for page in PdfReader(path).pages)
        return data + text.encode("utf-8")
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            return data + b"".join(archive.read(name) for name in archive.namelist())
    return data


def _leaks_in_files(root: Path) -> list[str]:
    found = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        content = _file_text(path).lower()
        name = str(path.relative_to(root)).lower()
        found += [
            f"{path.relative_to(root)}: {s}"
            for s in SECRETS
            if s.lower().encode("utf-8") in content or s.lower() in name
        ]
    return found


def _leaks_in_tables(engine: Engine) -> list[str]:
    """Every text or binary column of every table the database holds (read from the
    database itself, so a table added later is searched too)."""
    found = []
    reflected = MetaData()
    with engine.connect() as conn:
        reflected.reflect(bind=conn)
        for table_name, table in sorted(reflected.tables.items()):
            columns = [c for c in table.columns if isinstance(c.type, String | Text | LargeBinary)]
            for row in conn.execute(select(*columns)) if columns else []:
                for column, value in zip(columns, row, strict=True):
                    if value is None:
                        continue
                    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
                    found += [
                        f"{table_name}.{column.name}: {s}"
                        for s in SECRETS
                        if s.lower() in str(text).lower()
                    ]
    return found


def _open_conflicts(profile: Profile) -> list[tuple[str, str, str]]:
    with profile.engine.connect() as conn:
        rows = conn.execute(
            select(SyncConflict.table_name, SyncConflict.field, SyncConflict.lost_value).where(
                SyncConflict.resolved_at.is_(None), SyncConflict.table_name.in_(ERASED_TABLES)
            )
        ).all()
    return [(str(t), str(f), str(v)) for t, f, v in rows]


@pytest.mark.slow
def test_anonymisation_reaches_files_tables_outbox_conflicts_and_other_laptops(
    server: SiegeProcess, tmp_path: Path
) -> None:
    a = _laptop(server, tmp_path, "Portable A")
    b = _laptop(server, tmp_path, "Portable B")
    complete_identity(a.uow)
    person_id = _person_with_texts(a)
    service.run_sync(a)
    service.run_sync(b)
    # Both edit the notes unaware of each other: the siège keeps one and records the
    # other as a conflict to review, which reaches both laptops.
    _edit_notes(a, person_id, f"{NOTE} vu par A")
    _edit_notes(b, person_id, f"{NOTE} vu par B")
    service.run_sync(a)
    service.run_sync(b)
    service.run_sync(a)
    assert any(t == "person" and f == "notes" and NOTE in v for t, f, v in _open_conflicts(a))
    siege_engine = db.make_engine(server.database_url)
    with siege_engine.connect() as conn:
        assert any(NOTE in v for v in conn.execute(select(siege_conflict.c.lost_value)).scalars())
    written_a = _write_documents(a, person_id)
    written_b = [
        people_reports.write_parcours_summary(b.uow, person_id, b.paths.documents / "parcours")
    ]
    # An export made by an older version, named after the person, on the other laptop.
    older = b.paths.documents / "donnees-personnelles" / f"donnees-{LAST}-{FIRST}-2026-11-01"
    older.parent.mkdir(parents=True, exist_ok=True)
    older.with_suffix(".json").write_text(
        json.dumps({"person": {"id": person_id, "last_name": LAST}}), encoding="utf-8"
    )
    older.with_suffix(".pdf").write_bytes(f"%PDF-1.4 {LAST}".encode())
    written_b += [older.with_suffix(".json"), older.with_suffix(".pdf")]
    # Backups taken before the anonymisation are rewritten too.
    a.backup()
    b.backup()
    # Unsent edits carrying the name: one on A (rewritten in its outbox by the
    # anonymisation), one on B (sent later, by a laptop not yet told).
    _edit_notes(a, person_id, f"{FIRST} {LAST} : {NOTE} encore")
    _edit_notes(b, person_id, f"{NOTE} tard, de B")

    personal_data.anonymise_person(a.uow, person_id, documents_dir=a.paths.documents)

    assert not any(path.exists() for path in written_a)
    assert _leaks_in_files(a.paths.root) == []
    service.run_sync(a)
    service.run_sync(b)
    service.run_sync(a)
    assert not any(path.exists() for path in written_b)
    c = _laptop(server, tmp_path, "Portable C")
    service.run_sync(c)
    for laptop in (a, b, c):
        with laptop.uow() as uow:
            person = uow.session.get_one(Person, person_id)
            assert (person.last_name, person.first_name, person.notes) == ("Anonyme", "", "")
            assert person.anonymised_at is not None
        assert _open_conflicts(laptop) == [], laptop.settings.display_name
        assert _leaks_in_tables(laptop.engine) == [], laptop.settings.display_name
    for laptop in (a, b, c):
        laptop.close()
    for laptop in (a, b, c):
        assert _leaks_in_files(laptop.paths.root) == [], laptop.settings.display_name
    assert _leaks_in_tables(siege_engine) == []
    siege_engine.dispose()

"""An encrypted profile's backups get the anonymisation too (docs/personal-data.md): each
backup, opened with the profile's passphrase, holds the person as « Anonyme » and no
former value in any table, and still opens (so a restore brings nobody back)."""

from __future__ import annotations

from pathlib import Path

from app.config import ProfileSettings
from app.migrate import open_raw
from app.models import IntakeInterview, Person
from app.people.anonymise import anonymise_person
from app.profile import create_profile

PASSPHRASE = "Sedan, le 26 novembre !"
NAME = "Quatremarre"
NOTE = "Vannerieconfidentielle"


def test_backups_of_an_encrypted_profile_are_anonymised_and_still_open(tmp_path: Path) -> None:
    profile = create_profile(
        tmp_path / "p", ProfileSettings(display_name="Portable"), passphrase=PASSPHRASE
    )
    with profile.uow() as uow:
        person = Person(first_name="Albertinette", last_name=NAME, notes=NOTE)
        uow.session.add(person)
        uow.session.flush()
        uow.session.add(
            IntakeInterview(person_id=person.id, held_on=person.created_at.date(), needs=NOTE)
        )
        uow.commit()
        person_id = person.id
    profile.backup()
    profile.backup("second")
    backups = sorted(profile.paths.backups.glob("*.sqlite3"))
    assert len(backups) >= 2

    anonymise_person(profile.uow, person_id)

    for backup in backups:
        conn = open_raw(backup, PASSPHRASE)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            row = conn.execute(
                "SELECT last_name, first_name, notes, anonymised_at FROM person WHERE id = ?",
                (person_id,),
            ).fetchone()
            assert row[:3] == ("Anonyme", "", "") and row[3] is not None, backup.name
            tables = [
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            ]
            for table in tables:
                for values in conn.execute(f'SELECT * FROM "{table}"'):
                    text = " ".join(str(v) for v in values)
                    assert NAME not in text and NOTE not in text, (backup.name, table)
        finally:
            conn.close()
    profile.close()

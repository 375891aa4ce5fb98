"""A profile's database: created, reopened, protected, backed up, migrated, never overwritten."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select, text

from app import migrate
from app.config import ProfilePaths, ProfileSettings
from app.errors import ProfileError
from app.models import Antenne, DeviceIdentity, Permanence, Person
from app.profile import create_profile, open_profile


def test_new_profile_has_wal_foreign_keys_busy_timeout_and_seed(tmp_path: Path) -> None:
    profile = create_profile(tmp_path / "p", ProfileSettings(display_name="Vouziers"))
    try:
        with profile.engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
            assert conn.execute(text("PRAGMA busy_timeout")).scalar_one() >= 1000
            # Wide invoice rows fit several to a page (app/db.py PAGE_SIZE).
            assert conn.execute(text("PRAGMA page_size")).scalar_one() == 16384
        with profile.uow() as uow:
            towns = set(uow.session.scalars(select(Permanence.town)))
            assert {"Vouziers", "Langres", "Sedan", "Reims"} <= towns
            assert uow.session.scalar(select(DeviceIdentity.device_id)) is not None
        assert migrate.current_revision(profile.engine) == migrate.head_revision()
        assert profile.paths.documents.is_dir() and profile.paths.logs.is_dir()
    finally:
        profile.close()


def test_foreign_keys_are_enforced(profile) -> None:
    with profile.uow() as uow:
        uow.session.add(Person(first_name="A", last_name="B", antenne_id="nope"))
        with pytest.raises(Exception, match="FOREIGN KEY"):
            uow.commit()


def test_synced_rows_get_uuid7_ids_timestamps_and_author(profile) -> None:
    with profile.uow() as uow:
        person = Person(first_name="Hélène", last_name="Dupré")
        uow.session.add(person)
        uow.commit()
        assert person.id[14] == "7"  # version nibble of a UUIDv7
        assert person.created_at is not None and person.deleted_at is None
        assert person.created_by == "Claire Testeuse"


def test_unit_of_work_rolls_back_unless_committed(profile) -> None:
    with profile.uow() as uow:
        uow.session.add(Person(first_name="Non", last_name="Enregistré"))
        uow.session.flush()
    with profile.uow() as uow:
        assert uow.session.scalar(select(Person).where(Person.last_name == "Enregistré")) is None


def test_second_instance_is_refused_while_profile_is_open(profile) -> None:
    with pytest.raises(ProfileError) as info:
        open_profile(profile.paths.root)
    assert info.value.code == "locked"


def test_file_that_is_not_a_database_is_refused_and_left_untouched(tmp_path: Path) -> None:
    root = tmp_path / "p"
    create_profile(root, ProfileSettings()).close()
    db = ProfilePaths(root).database
    for suffix in ("-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    garbage = b"Ceci est un tableur, pas une base." * 50
    db.write_bytes(garbage)
    with pytest.raises(ProfileError) as info:
        open_profile(root)
    assert info.value.code == "not_a_database"
    assert db.read_bytes() == garbage


def test_database_from_a_newer_version_is_refused_and_left_untouched(tmp_path: Path) -> None:
    root = tmp_path / "p"
    create_profile(root, ProfileSettings()).close()
    db = ProfilePaths(root).database
    conn = sqlite3.connect(db)
    conn.execute("UPDATE alembic_version SET version_num = '9999_future'")
    conn.commit()
    conn.close()
    before = db.read_bytes()
    with pytest.raises(ProfileError) as info:
        open_profile(root)
    assert info.value.code == "too_new"
    assert db.read_bytes() == before


def test_failed_migration_restores_the_backup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "p"
    profile = create_profile(root, ProfileSettings())
    with profile.uow() as uow:
        uow.session.add(Person(first_name="Jeanne", last_name="Conservée"))
        uow.commit()
    profile.close()
    db = ProfilePaths(root).database
    conn = sqlite3.connect(db)
    conn.execute("UPDATE alembic_version SET version_num = '0001'")
    conn.commit()
    conn.close()

    # Pretend a newer head exists whose upgrade breaks half-way.
    monkeypatch.setattr(migrate, "head_revision", lambda: "0002_broken")

    def broken_upgrade(engine, target="head"):
        with engine.begin() as c:
            c.execute(text("DELETE FROM person"))
        raise RuntimeError("migration exploded")

    monkeypatch.setattr(migrate, "upgrade", broken_upgrade)
    with pytest.raises(ProfileError) as info:
        open_profile(root)
    assert info.value.code == "migration_failed"
    monkeypatch.undo()
    reopened = open_profile(root)
    try:
        with reopened.uow() as uow:
            names = list(uow.session.scalars(select(Person.last_name)))
        assert names == ["Conservée"]
    finally:
        reopened.close()


def test_backups_are_pruned_to_the_last_n(profile) -> None:
    from app.config import BACKUPS_KEPT

    made = [profile.backup(label=f"t{i}") for i in range(BACKUPS_KEPT + 3)]
    kept = sorted(profile.paths.backups.glob("permanence-*.sqlite3"))
    assert kept == sorted(made[-BACKUPS_KEPT:])
    conn = sqlite3.connect(kept[-1])
    assert conn.execute("SELECT count(*) FROM antenne").fetchone()[0] == 4
    conn.close()


def test_encrypted_profile_is_unreadable_without_its_passphrase(tmp_path: Path) -> None:
    root = tmp_path / "chiffre"
    profile = create_profile(root, ProfileSettings(encrypted=True), passphrase="Vouziers 2026!")
    with profile.uow() as uow:
        uow.session.add(Person(first_name="Secret", last_name="Gardé"))
        uow.commit()
    backup = profile.backup()
    profile.close()
    db = ProfilePaths(root).database
    assert b"SQLite format 3" not in db.read_bytes()[:16]
    assert b"Secret" not in db.read_bytes()
    plain = sqlite3.connect(db)
    with pytest.raises(sqlite3.DatabaseError):
        plain.execute("SELECT * FROM person").fetchall()
    plain.close()
    assert b"SQLite format 3" not in backup.read_bytes()[:16]

    with pytest.raises(ProfileError) as info:
        open_profile(root, "mauvaise phrase")
    assert info.value.code == "bad_passphrase"
    with pytest.raises(ProfileError) as info:
        open_profile(root)
    assert info.value.code == "passphrase_required"
    reopened = open_profile(root, "Vouziers 2026!")
    try:
        with reopened.engine.connect() as conn:  # SQLCipher's default, no page size to name
            assert int(conn.execute(text("PRAGMA page_size")).scalar_one()) == 4096
        with reopened.uow() as uow:
            assert uow.session.scalar(select(Person.first_name)) == "Secret"
            assert uow.session.scalar(select(Antenne.name).where(Antenne.is_head_office)) == "Reims"
    finally:
        reopened.close()


def test_creating_over_an_existing_profile_is_refused(profile) -> None:
    with pytest.raises(ProfileError) as info:
        create_profile(profile.paths.root, ProfileSettings())
    assert info.value.code == "already_exists"


def test_schema_head_constant_is_alembics_head() -> None:
    # The constant lets start-up skip importing Alembic; it must name the real head.
    assert migrate.alembic_head() == migrate.SCHEMA_HEAD

"""What a laptop refuses in a snapshot file (app/sync/snapshot_check.py): a real file
built by the siège passes; the same file with one value a page of changes would refuse,
or with something that would run or hide when read, is refused whole."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
import sqlcipher3

from app.sync import snapshot_check
from siege import devices
from siege import snapshot as siege_snapshot
from tests.integration.test_sync_scope import build_region
from tests.sync_support import Siege

SERVER_MS = 1_800_000_000_000  # 2027-01-15, well after the region's stamps

BREAKS = {
    "NUL in a text": "UPDATE person SET notes = 'a' || char(0) || 'b' WHERE rowid = 1",
    "encoded surrogate": "UPDATE person SET notes = CAST(x'41eda08042' AS TEXT) WHERE rowid = 1",
    "invalid UTF-8": "UPDATE person SET last_name = CAST(x'ff' AS TEXT) WHERE rowid = 1",
    "text too long": "UPDATE person SET first_name = printf('%.*c', 5000, 'x') WHERE rowid = 1",
    "bytes in a text": "UPDATE person SET last_name = x'4142' WHERE rowid = 1",
    "missing required": "UPDATE person SET last_name = NULL WHERE rowid = 1",
    "impossible date": "UPDATE person SET birth_date = '1990-02-30' WHERE rowid = 1",
    "impossible month": "UPDATE person SET birth_date = '1990-13-05' WHERE rowid = 1",
    "day zero": "UPDATE person SET birth_date = '1990-01-00' WHERE rowid = 1",
    "date outside the window": "UPDATE person SET birth_date = '1066-10-14' WHERE rowid = 1",
    "datetime form": "UPDATE person SET created_at = '2026-01-02T03:04:05' WHERE rowid = 1",
    "hour 24": "UPDATE person SET created_at = '2026-01-02 24:00:00.000000' WHERE rowid = 1",
    "a datetime's impossible day": (
        "UPDATE person SET created_at = '2026-02-29 10:00:00.000000' WHERE rowid = 1"
    ),
    "row id": "UPDATE person SET id = '../../etc' WHERE rowid = 1",
    "row id not lower-case hex": "UPDATE person SET id = 'A' || substr(id, 2) WHERE rowid = 1",
    "two row ids in one": "UPDATE person SET id = id || char(10) || id WHERE rowid = 1",
    "unknown column": "ALTER TABLE person ADD COLUMN secret TEXT",
    "unknown table": "CREATE TABLE extra (id TEXT)",
    "a trigger": "CREATE TRIGGER t AFTER INSERT ON person BEGIN SELECT 1; END",
    "a view": "CREATE VIEW v AS SELECT 1",
    "clock from the future": "UPDATE _clock SET hlc = 'ffffffffffff' || substr(hlc, 13)",
    "stamp not of the protocol's shape": "UPDATE _clock SET hlc = 'g' || substr(hlc, 2)",
    "two stamps in one": "UPDATE _clock SET hlc = hlc || char(10) || hlc WHERE rowid = 1",
    "no stamp": "UPDATE _clock SET hlc = NULL WHERE rowid = 1",
    "clock of another row id": "UPDATE _clock SET row_id = '../../etc' WHERE rowid = 1",
    "clock of an untracked field": "UPDATE _clock SET field = 'id' WHERE rowid = 1",
    "conflict after the cursor": "UPDATE _conflict SET seq = seq + 1000000",
    "another cursor": "UPDATE _meta SET value = '1' WHERE key = 'cursor'",
}


@pytest.fixture
def built(siege: Siege, tmp_path: Path) -> tuple[Path, int]:
    build_region(siege)
    code, _prefix = devices.enroll(siege.engine, "Vérif", "Reims", devices.SIEGE)
    record = devices.complete_enrolment(siege.engine, code)[0]
    prepared = siege_snapshot.prepare(siege.engine, record, tmp_path)
    return prepared.path, prepared.cursor


def test_a_file_built_by_the_siege_passes(built: tuple[Path, int]) -> None:
    path, cursor = built
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM person").fetchone()[0] > 0
        snapshot_check.check(db, cursor, SERVER_MS)


@pytest.mark.parametrize("change", list(BREAKS.values()), ids=list(BREAKS))
def test_a_file_breaking_a_rule_is_refused(
    built: tuple[Path, int], tmp_path: Path, change: str
) -> None:
    path, cursor = built
    altered = tmp_path / "altered.sqlite"
    shutil.copy(path, altered)
    with sqlite3.connect(altered) as db:
        if "_conflict" in change:
            db.execute(
                "INSERT INTO _conflict VALUES (1, 'k', 'person', 'x', 'f', '', '', '', 'd', '')"
            )
        db.execute(change)
    db = sqlite3.connect(altered)
    try:
        with pytest.raises(snapshot_check.FileRefused):
            snapshot_check.check(db, cursor, SERVER_MS)
    finally:
        db.close()


def test_a_bad_row_in_a_later_batch_is_found(
    built: tuple[Path, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Rows are read a batch at a time: the last row of a table is read too.
    path, cursor = built
    altered = tmp_path / "last.sqlite"
    shutil.copy(path, altered)
    with sqlite3.connect(altered) as db:
        assert db.execute("SELECT count(*) FROM person").fetchone()[0] > 3
        db.execute(
            "UPDATE person SET notes = 'a' || char(0) WHERE rowid = (SELECT max(rowid) FROM person)"
        )
    monkeypatch.setattr(snapshot_check, "BATCH", 2)
    db = sqlite3.connect(altered)
    try:
        with pytest.raises(snapshot_check.FileRefused, match="NUL"):
            snapshot_check.check(db, cursor, SERVER_MS)
    finally:
        db.close()


def test_a_bad_clock_in_a_later_batch_is_found(
    built: tuple[Path, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Clocks are read a batch at a time too: the last one is read.
    path, cursor = built
    altered = tmp_path / "last-clock.sqlite"
    shutil.copy(path, altered)
    with sqlite3.connect(altered) as db:
        assert db.execute("SELECT count(*) FROM _clock").fetchone()[0] > 3
        db.execute(
            "UPDATE _clock SET hlc = upper(hlc) || 'x'"
            " WHERE rowid = (SELECT max(rowid) FROM _clock)"
        )
    monkeypatch.setattr(snapshot_check, "BATCH", 2)
    db = sqlite3.connect(altered)
    try:
        with pytest.raises(snapshot_check.FileRefused, match="clock"):
            snapshot_check.check(db, cursor, SERVER_MS)
    finally:
        db.close()


def test_an_encrypted_file_passes_with_its_key_only(siege: Siege, tmp_path: Path) -> None:
    build_region(siege)
    code, _prefix = devices.enroll(siege.engine, "Chiffré", "Reims", devices.SIEGE)
    record = devices.complete_enrolment(siege.engine, code)[0]
    prepared = siege_snapshot.prepare(siege.engine, record, tmp_path, encrypted=True)
    key_file = prepared.path.with_name(prepared.name + siege_snapshot.KEY_SUFFIX)
    assert len(prepared.key) == 64 and key_file.stat().st_mode & 0o777 == 0o600
    assert prepared.plan()["key"] == prepared.key
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(prepared.path).execute("SELECT count(*) FROM person").fetchone()
    db = sqlcipher3.connect(str(prepared.path))
    try:
        db.execute(f"PRAGMA key = \"x'{prepared.key}'\"")
        snapshot_check.check(db, prepared.cursor, SERVER_MS)
    finally:
        db.close()
    # From the cache: the same key. A worker building the same file again (its file
    # gone, the key there) uses the key already beside it, so file and key agree.
    assert siege_snapshot.prepare(siege.engine, record, tmp_path, encrypted=True).key == (
        prepared.key
    )
    prepared.path.unlink()
    again = siege_snapshot.prepare(siege.engine, record, tmp_path, encrypted=True)
    assert again.built and again.key == prepared.key


def test_an_encrypted_file_with_invalid_text_is_refused(siege: Siege, tmp_path: Path) -> None:
    # sqlcipher3 raises its own error classes, not sqlite3's: still a refusal (pages of
    # changes then), not a failed sync that would try the same file again.
    build_region(siege)
    code, _prefix = devices.enroll(siege.engine, "Chiffré", "Reims", devices.SIEGE)
    record = devices.complete_enrolment(siege.engine, code)[0]
    prepared = siege_snapshot.prepare(siege.engine, record, tmp_path, encrypted=True)
    db = sqlcipher3.connect(str(prepared.path))
    try:
        db.execute(f"PRAGMA key = \"x'{prepared.key}'\"")
        db.execute("UPDATE person SET last_name = CAST(x'ff' AS TEXT) WHERE rowid = 1")
        db.commit()
        with pytest.raises(snapshot_check.FileRefused, match="UTF-8"):
            snapshot_check.check(db, prepared.cursor, SERVER_MS)
    finally:
        db.close()

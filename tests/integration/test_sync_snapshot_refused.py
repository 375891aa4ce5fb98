"""A snapshot file whose values break a rule, found while the copy runs (docs/sync.md,
"First sync from a snapshot"): the laptop checks the file's structure before copying it
and its values beside the copy (app/sync/snapshot.py), on SQLite and PostgreSQL
sièges. A value refused there rolls the copy back whole: nothing of the file is kept,
the file is deleted and the first sync reads pages of changes instead."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest

from app.models.base import synced_tables
from app.profile import Profile
from app.sync import service, snapshot_check
from app.sync import snapshot as laptop_snapshot
from app.sync.apply import get_state, set_state
from app.sync.client import CURSOR_KEY, SyncClient
from siege import devices
from tests.integration.test_sync_scope import build_region
from tests.integration.test_sync_snapshot import _dump, _Stop, held, laptop, persons, state
from tests.sync_support import BASE_URL, Siege, snapshot


def _downloaded(server: Siege, tmp_path: Path, name: str) -> tuple[Profile, Path]:
    """A siège-staff laptop whose first sync stopped with the file downloaded, its
    checksum verified and its structure checked, just before the copy."""
    build_region(server)
    profile = laptop(server, tmp_path, name, "Épernay", devices.SIEGE)

    def stop(point: str) -> None:
        if point == "snapshot_checked":
            raise _Stop(point)

    with pytest.raises(_Stop):
        service.run_sync(profile, http_factory=server.http_factory, fault=stop)
    return profile, laptop_snapshot.download_path(profile.engine)


def _alter(profile: Profile, target: Path, change: str) -> laptop_snapshot.Position:
    """Change the downloaded file and its saved checksum (as if the siège had built it
    so): only the content checks can refuse it."""
    db = sqlite3.connect(target)
    try:
        with db:
            db.execute(change)
    finally:
        db.close()
    engine = profile.engine
    with engine.connect() as conn:
        position = json.loads(get_state(conn, laptop_snapshot.POSITION_KEY, ""))
    position["size"] = target.stat().st_size
    position["sha256"] = hashlib.sha256(target.read_bytes()).hexdigest()
    with engine.begin() as conn:
        set_state(conn, laptop_snapshot.POSITION_KEY, json.dumps(position))
    return laptop_snapshot.Position(**position)


# The last person: the value checks read it after the copy has started.
LAST = "WHERE rowid = (SELECT max(rowid) FROM person)"


def test_a_value_refused_beside_the_copy_rolls_it_back_whole(siege: Siege, tmp_path: Path) -> None:
    profile, target = _downloaded(siege, tmp_path, "Refus")
    at = _alter(profile, target, f"UPDATE person SET notes = 'a' || char(0) || 'b' {LAST}")
    before = _dump(profile)
    with siege.http_factory(BASE_URL, None) as http:
        client = SyncClient(profile.engine, http)
        with pytest.raises(snapshot_check.FileRefused, match="NUL"):
            laptop_snapshot._copy_checked(client, target, at)
    # No row, no clock, no cursor; the copy's dropped triggers and indexes are back.
    assert _dump(profile) == before
    assert persons(profile) == 0


def test_a_file_refused_beside_the_copy_gives_way_to_pages(siege: Siege, tmp_path: Path) -> None:
    profile, target = _downloaded(siege, tmp_path, "Pages")
    _alter(profile, target, f"UPDATE person SET birth_date = '1990-02-30' {LAST}")
    seen: list[str] = []
    report = service.run_sync(profile, http_factory=siege.http_factory, fault=seen.append)
    # Refused after its structure passed: never copied, deleted, its position forgotten.
    assert "snapshot_checked" in seen and "snapshot_copied" not in seen
    assert not target.exists() and state(profile, laptop_snapshot.POSITION_KEY) == ""
    # Pages of changes instead: the laptop holds the siège's scope (all of it, siège staff).
    assert "page_applied" in seen and report.pulled > 0
    assert held(profile) == snapshot(siege.engine, synced_tables())
    assert state(profile, CURSOR_KEY) not in ("", "0")

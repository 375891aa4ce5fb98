"""First sync from a snapshot (docs/sync.md, "First sync from a snapshot"), on SQLite and
PostgreSQL, real laptop profiles through the siège's HTTP API: a new laptop copying the
siège's SQLite file of its scope ends with exactly what a laptop reading pages of changes
holds (rows, values, conflicts to review), for a one-antenne laptop, a siège-staff one and
an encrypted (SQLCipher) profile; the file is private to the profile while it exists and
gone after; a file altered on the way is refused before anything of it is used; a file
whose content breaks a rule a page would refuse is not used (pages instead). A transfer
cut by the server mid-stream resumes at the bytes it has: tests/integration/
test_sync_snapshot_cut.py."""

from __future__ import annotations

import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from app.config import ProfileSettings
from app.indicators import derived
from app.models import Person, SyncConflict
from app.models.base import synced_tables
from app.profile import Profile, create_profile
from app.sync import service
from app.sync import snapshot as laptop_snapshot
from app.sync.apply import get_state
from app.sync.client import CURSOR_KEY, SyncError
from app.sync.codec import table_of
from siege import devices
from tests.integration.test_sync_scope import build_region
from tests.sync_support import BASE_URL, Siege, new_laptop, snapshot
from tests.sync_support.authority import op


def laptop(
    server: Siege,
    root: Path,
    name: str,
    town: str,
    role: str = devices.ACCOMPAGNATEUR,
    passphrase: str | None = None,
) -> Profile:
    if passphrase:
        profile = create_profile(root / name, ProfileSettings(encrypted=True), passphrase)
    else:
        profile = new_laptop(root, name)
    code, _prefix = devices.enroll(server.engine, name, town, role)
    service.enrol(profile, BASE_URL, code, http_factory=server.http_factory)
    return profile


def held(profile: Profile) -> dict[str, dict[str, tuple[Any, ...]]]:
    return snapshot(profile.engine, synced_tables())


def conflicts(profile: Profile) -> list[tuple[Any, ...]]:
    sc = table_of(SyncConflict)
    with profile.engine.connect() as conn:
        return sorted(
            tuple(r)
            for r in conn.execute(select(sc.c.server_seq, sc.c.kind, sc.c.table_name, sc.c.row_id))
        )


def state(profile: Profile, key: str) -> str:
    with profile.engine.connect() as conn:
        return get_state(conn, key, "")


def persons(profile: Profile) -> int:
    with profile.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(Person)).scalar_one())


def _with_a_conflict(server: Siege) -> None:
    region = build_region(server)
    # Two Reims laptops change the same phone: the late, older write is kept as a conflict.
    second = region.reims
    first = second.push(op("person", region.ids["pa"], phone="0600000001"))
    assert first.status_code == 200, first.text
    now = second.clock.now()
    early = f"{int(now[:12], 16) - 60_000:012x}{now[12:]}"
    late = second.push({**op("person", region.ids["pa"], phone="0600000002"), "hlc": early})
    assert late.status_code == 200, late.text


@pytest.mark.parametrize("role", [devices.ACCOMPAGNATEUR, devices.SIEGE])
def test_a_snapshot_gives_exactly_what_pages_of_changes_give(
    siege: Siege, tmp_path: Path, role: str
) -> None:
    _with_a_conflict(siege)
    fast = laptop(siege, tmp_path, "Neuf", "Épernay", role)
    slow = laptop(siege, tmp_path, "Ancien", "Épernay", role)
    seen: list[str] = []
    modes: list[int] = []
    target = laptop_snapshot.download_path(fast.engine)

    def note(point: str) -> None:
        seen.append(point)
        if point == "snapshot_block":
            modes.append(stat.S_IMODE(target.stat().st_mode))

    report = service.run_sync(fast, http_factory=siege.http_factory, fault=note)
    service.run_sync(slow, http_factory=siege.http_factory, snapshot=False)
    assert "snapshot_copied" in seen and "page_applied" in seen
    # Downloaded under the profile, readable by its owner only, deleted once copied.
    assert target.parent == fast.paths.root.resolve() and modes and set(modes) == {0o600}
    assert not target.exists()
    assert held(fast) == held(slow)
    # The indicators' derived tables, recomputed after the copy, are what triggers give.
    with fast.engine.connect() as conn:
        assert set(derived.differences(conn).values()) == {0}
    assert conflicts(fast) == conflicts(slow) and conflicts(fast)
    assert report.pulled > 0 and state(fast, laptop_snapshot.POSITION_KEY) == ""
    # Both go on from the same place: a change reaches both.
    assert state(fast, CURSOR_KEY) == state(slow, CURSOR_KEY)
    if role == devices.SIEGE:
        assert held(fast) == snapshot(siege.engine, synced_tables())


def test_an_encrypted_profile_copies_the_plain_snapshot_file(siege: Siege, tmp_path: Path) -> None:
    _with_a_conflict(siege)
    locked = laptop(siege, tmp_path, "Chiffré", "Épernay", passphrase="Vouziers 2026!")
    plain = laptop(siege, tmp_path, "Clair", "Épernay")
    seen: list[str] = []
    service.run_sync(locked, http_factory=siege.http_factory, fault=seen.append)
    service.run_sync(plain, http_factory=siege.http_factory, snapshot=False)
    assert "snapshot_copied" in seen
    assert held(locked) == held(plain) and persons(locked) > 0
    assert conflicts(locked) == conflicts(plain)
    # The profile is still encrypted: its database does not open as plain SQLite.
    assert not locked.paths.database.read_bytes().startswith(b"SQLite format 3")


class Tamper(httpx.BaseTransport):
    """Flips one byte of the snapshot file on its way to the laptop."""

    def __init__(self, inner: httpx.BaseTransport, hit: Callable[[], None]) -> None:
        self.inner, self.hit = inner, hit

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if "/snapshot/file/" not in request.url.path:
            return response
        body = bytearray(response.read())
        body[len(body) // 2] ^= 0x01
        self.hit()
        return httpx.Response(response.status_code, headers=response.headers, content=bytes(body))


def test_an_altered_file_is_refused_before_use(siege: Siege, tmp_path: Path) -> None:
    build_region(siege)
    profile = laptop(siege, tmp_path, "Altéré", "Épernay")
    reference = laptop(siege, tmp_path, "Témoin", "Épernay")
    hits: list[int] = []

    def tampered(url: str, token: str | None) -> httpx.Client:
        client = siege.http_factory(url, token)
        client._transport = Tamper(client._transport, lambda: hits.append(1))
        return client

    with pytest.raises(SyncError) as refused:
        service.run_sync(profile, http_factory=tampered)
    assert refused.value.code == "bad_response" and hits
    # Nothing of it entered the database, and the altered file is gone.
    assert persons(profile) == 0 and state(profile, CURSOR_KEY) in ("", "0")
    assert not laptop_snapshot.download_path(profile.engine).exists()
    service.run_sync(profile, http_factory=siege.http_factory)
    service.run_sync(reference, http_factory=siege.http_factory)
    assert held(profile) == held(reference) and persons(profile) > 0

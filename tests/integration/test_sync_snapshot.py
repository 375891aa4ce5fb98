"""First sync from a snapshot (docs/sync.md, "First sync from a snapshot"), on SQLite and
PostgreSQL, real laptop profiles through the siège's HTTP API: a new laptop copying the
siège's SQLite file of its scope ends with exactly what a laptop reading pages of changes
holds (rows, values, conflicts to review), for a one-antenne laptop, a siège-staff one and
an encrypted (SQLCipher) profile; the file is private to the profile while it exists and
gone after; an encrypted profile's file is encrypted under a key the siège gives only to
a device of its scope, so a download cut and left on the disk holds no personal data in
plain; a file altered on the way is refused before anything of it is used; a file
whose content breaks a rule a page would refuse is not used (pages instead); a copy
stopped by its ``before_commit`` hook leaves the laptop exactly as it was. A transfer
cut by the server mid-stream resumes at the bytes it has: tests/integration/
test_sync_snapshot_cut.py."""

from __future__ import annotations

import json
import sqlite3
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from app.config import ProfileSettings
from app.ids import new_id
from app.indicators import derived
from app.models import Person, SyncConflict
from app.models.base import synced_tables
from app.profile import Profile, create_profile
from app.sync import service, snapshot_copy
from app.sync import snapshot as laptop_snapshot
from app.sync.apply import get_state
from app.sync.client import CURSOR_KEY, SyncClient, SyncError
from app.sync.codec import table_of
from siege import devices
from siege import snapshot as siege_snapshot
from tests.integration.test_sync_scope import build_region
from tests.sync_support import BASE_URL, Siege, new_laptop, snapshot
from tests.sync_support.authority import HEADERS, REIMS, complete, enrol, op

PASSPHRASE = "Vouziers 2026!"


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


def _schema(profile: Profile) -> list[tuple[str, str]]:
    with profile.engine.connect() as conn:
        return sorted(
            (str(name), str(sql))
            for name, sql in conn.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL"
            )
        )


def _clocks(profile: Profile) -> list[tuple[Any, ...]]:
    with profile.engine.connect() as conn:
        return sorted(tuple(r) for r in conn.exec_driver_sql("SELECT * FROM sync_field_clock"))


def test_tables_and_clocks_indexed_after_their_rows_end_the_same(
    siege: Siege, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every table of the file counts as large and narrow here: each one (the clocks too)
    # has its indexes dropped for the copy and built after its rows, in the transaction.
    monkeypatch.setattr(snapshot_copy, "LARGE_TABLE", 0)
    monkeypatch.setattr(snapshot_copy, "WIDE_ROW", 10**9)
    _with_a_conflict(siege)
    fast = laptop(siege, tmp_path, "Neuf", "Épernay", devices.SIEGE)
    slow = laptop(siege, tmp_path, "Ancien", "Épernay", devices.SIEGE)
    seen: list[str] = []
    service.run_sync(fast, http_factory=siege.http_factory, fault=seen.append)
    service.run_sync(slow, http_factory=siege.http_factory, snapshot=False)
    assert "snapshot_copied" in seen
    assert held(fast) == held(slow) and _clocks(fast) == _clocks(slow) and _clocks(fast)
    # The same indexes, triggers and views as a laptop that read pages.
    assert _schema(fast) == _schema(slow)
    with fast.engine.connect() as conn:
        assert set(derived.differences(conn).values()) == {0}
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar_one() == "ok"


def test_an_encrypted_profile_copies_its_encrypted_snapshot_file(
    siege: Siege, tmp_path: Path
) -> None:
    _with_a_conflict(siege)
    locked = laptop(siege, tmp_path, "Chiffré", "Épernay", passphrase=PASSPHRASE)
    plain = laptop(siege, tmp_path, "Clair", "Épernay")
    seen: list[str] = []
    service.run_sync(locked, http_factory=siege.http_factory, fault=seen.append)
    service.run_sync(plain, http_factory=siege.http_factory, snapshot=False)
    assert "snapshot_copied" in seen
    assert held(locked) == held(plain) and persons(locked) > 0
    assert conflicts(locked) == conflicts(plain)
    # The key is forgotten with the position, the file deleted.
    assert state(locked, laptop_snapshot.POSITION_KEY) == ""
    assert not laptop_snapshot.download_path(locked.engine).exists()
    # The profile is still encrypted: its database does not open as plain SQLite.
    assert not locked.paths.database.read_bytes().startswith(b"SQLite format 3")


class KeyDropped(httpx.BaseTransport):
    """A siège that builds only plain files: its /snapshot answer carries no key."""

    def __init__(self, inner: httpx.BaseTransport, files: list[str]) -> None:
        self.inner, self.files = inner, files

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if "/snapshot/file/" in request.url.path:
            self.files.append(request.url.path)
        response = self.inner.handle_request(request)
        if request.url.path != "/api/v1/snapshot":
            return response
        plan = json.loads(response.read())
        plan.pop("key", None)
        return httpx.Response(response.status_code, json=plan)


def test_an_encrypted_profile_takes_pages_from_a_siege_without_encrypted_files(
    siege: Siege, tmp_path: Path
) -> None:
    _with_a_conflict(siege)
    locked = laptop(siege, tmp_path, "Chiffré", "Épernay", passphrase=PASSPHRASE)
    plain = laptop(siege, tmp_path, "Clair", "Épernay")
    files: list[str] = []

    def older(url: str, token: str | None) -> httpx.Client:
        client = siege.http_factory(url, token)
        client._transport = KeyDropped(client._transport, files)
        return client

    service.run_sync(locked, http_factory=older)
    service.run_sync(plain, http_factory=siege.http_factory, snapshot=False)
    # No file downloaded: the same rows, from pages of changes.
    assert files == [] and held(locked) == held(plain) and persons(locked) > 0
    assert not laptop_snapshot.download_path(locked.engine).exists()


class Cut(httpx.BaseTransport):
    """Ends the first snapshot file answer after ``keep(size)`` bytes (a dropped
    connection); records the ranges asked for (in ``ranges``, shared by the clients)."""

    def __init__(
        self, inner: httpx.BaseTransport, keep: Callable[[int], int], ranges: list[str]
    ) -> None:
        self.inner, self.keep, self.ranges = inner, keep, ranges

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if "/snapshot/file/" not in request.url.path:
            return response
        self.ranges.append(request.headers.get("range", ""))
        if len(self.ranges) > 1:
            return response
        body = response.read()
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=Dropped(body[: self.keep(len(body))]),
        )


class Dropped(httpx.SyncByteStream):
    def __init__(self, head: bytes) -> None:
        self.head = head

    def __iter__(self) -> Iterator[bytes]:
        yield self.head
        raise httpx.ReadError("connection dropped")


def test_a_cut_download_on_an_encrypted_profile_holds_no_personal_data_in_plain(
    siege: Siege, tmp_path: Path
) -> None:
    region = build_region(siege)
    rare = "Brisbarre-Quentelot"
    added = region.reims.push(
        op("person", new_id(), **complete("person", first_name="Léonie", last_name=rare,
                                          antenne_id=REIMS)),
    )  # fmt: skip
    assert added.status_code == 200, added.text
    locked = laptop(siege, tmp_path, "Chiffré", "Épernay", passphrase=PASSPHRASE)
    reference = laptop(siege, tmp_path, "Témoin", "Épernay")
    ranges: list[str] = []

    def cut(url: str, token: str | None) -> httpx.Client:
        client = siege.http_factory(url, token)
        # Everything but the last page: the persons' rows are in what arrived.
        client._transport = Cut(client._transport, lambda size: size - 4096, ranges)
        return client

    with pytest.raises(SyncError) as dropped:
        service.run_sync(locked, http_factory=cut)
    assert dropped.value.code == "offline"
    target = laptop_snapshot.download_path(locked.engine)
    partial = target.read_bytes()
    assert partial and persons(locked) == 0
    # The same scope's file in plain holds the name: the encrypted one does not.
    (record,) = [d for d in devices.list_devices(siege.engine) if d.name == "Chiffré"]
    plain = siege_snapshot.prepare(siege.engine, record)
    assert rare.encode() in plain.path.read_bytes()
    assert rare.encode() not in partial and not partial.startswith(b"SQLite format 3")
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(target).execute("SELECT name FROM sqlite_master").fetchall()
    # The key stays in the encrypted profile only: a resumed download completes.
    assert state(locked, laptop_snapshot.POSITION_KEY) != ""
    service.run_sync(locked, http_factory=cut)
    assert ranges == ["bytes=0-", f"bytes={len(partial)}-"]
    service.run_sync(reference, http_factory=siege.http_factory, snapshot=False)
    assert held(locked) == held(reference) and not target.exists()
    with locked.engine.connect() as conn:
        assert conn.execute(select(Person.id).where(Person.last_name == rare)).first()


def test_the_siege_gives_a_snapshot_key_only_to_a_device_of_its_scope(siege: Siege) -> None:
    build_region(siege)
    epernay, sedan = enrol(siege, "Épernay"), enrol(siege, "Sedan")
    mine = epernay.http.get("/api/v1/snapshot", params={"encrypted": "1"}, headers=HEADERS)
    theirs = sedan.http.get("/api/v1/snapshot", params={"encrypted": "1"}, headers=HEADERS)
    assert mine.status_code == 200 and theirs.status_code == 200
    key, name = mine.json()["key"], mine.json()["name"]
    assert len(key) == 64 and theirs.json()["key"] != key and theirs.json()["name"] != name
    # The other device's file is refused to it, and it is encrypted.
    refused = sedan.http.get(f"/api/v1/snapshot/file/{name}", headers=HEADERS)
    assert refused.status_code == 422 and refused.json()["detail"]["code"] == "not_yours"
    whole = epernay.http.get(f"/api/v1/snapshot/file/{name}", headers=HEADERS)
    assert whole.status_code == 200 and not whole.content.startswith(b"SQLite format 3")
    # A laptop with a plain profile gets a plain file and no key.
    plain = epernay.http.get("/api/v1/snapshot", headers=HEADERS).json()
    assert "key" not in plain and plain["name"] != name


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


class _Stop(Exception):
    """Raised from a hook to stop a sync or a copy at one point."""


def _dump(profile: Profile) -> list[str]:
    """The laptop's whole database as SQL: schema (indexes, triggers) and every row."""
    database = profile.engine.url.database
    assert database
    with sqlite3.connect(database) as raw:
        return list(raw.iterdump())


def test_a_copy_stopped_just_before_its_commit_leaves_the_laptop_as_it_was(
    siege: Siege, tmp_path: Path
) -> None:
    _with_a_conflict(siege)
    profile = laptop(siege, tmp_path, "Interrompu", "Épernay", devices.SIEGE)

    def stop(point: str) -> None:
        if point == "snapshot_checked":
            raise _Stop(point)

    # The file is downloaded and checked; the sync stops just before copying it.
    with pytest.raises(_Stop):
        service.run_sync(profile, http_factory=siege.http_factory, fault=stop)
    target = laptop_snapshot.download_path(profile.engine)
    position = json.loads(state(profile, laptop_snapshot.POSITION_KEY))
    before = _dump(profile)
    reached: list[int] = []

    def refuse() -> None:
        reached.append(1)
        raise _Stop("refused")

    with siege.http_factory(BASE_URL, None) as http:
        client = SyncClient(profile.engine, http)
        with pytest.raises(_Stop, match="refused"):
            snapshot_copy.copy(
                client,
                target,
                position["cursor"],
                position["epoch"],
                laptop_snapshot.POSITION_KEY,
                position["key"],
                before_commit=refuse,
            )
    assert reached == [1]
    # No row, no clock, no cursor; the dropped triggers and indexes are back.
    assert _dump(profile) == before
    assert persons(profile) == 0 and state(profile, CURSOR_KEY) in ("", "0")
    # The file is still there to copy: the next sync copies it.
    service.run_sync(profile, http_factory=siege.http_factory)
    assert held(profile) == snapshot(siege.engine, synced_tables())

"""First sync from a snapshot (docs/sync.md, "First sync from a snapshot"), on SQLite and
PostgreSQL, real laptop profiles through the siège's HTTP API: a new laptop reading a
snapshot ends with exactly what a laptop reading pages of changes holds (rows, values,
conflicts to review), for a one-antenne laptop and a siège-staff one; a transfer cut
after a chunk resumes at the next chunk with the same cursor; a change made on the siège
while the snapshot streams arrives with the pull that follows; a chunk altered on the
way is refused before anything of it is used."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from app.models import SyncConflict
from app.models.base import synced_tables
from app.profile import Profile
from app.sync import service
from app.sync import snapshot as laptop_snapshot
from app.sync.apply import get_state
from app.sync.client import CURSOR_KEY, SyncError
from app.sync.codec import table_of
from siege import devices
from tests.integration.test_sync_scope import build_region
from tests.sync_support import BASE_URL, Siege, new_laptop, snapshot
from tests.sync_support.authority import op
from tests.sync_support.faults import SimulatedCrash


def laptop(
    server: Siege, root: Path, name: str, town: str, role: str = devices.ACCOMPAGNATEUR
) -> Profile:
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
    chunks: list[str] = []
    report = service.run_sync(fast, http_factory=siege.http_factory, fault=chunks.append)
    service.run_sync(slow, http_factory=siege.http_factory, snapshot=False)
    assert chunks.count("snapshot_chunk_applied") > len(synced_tables())
    assert held(fast) == held(slow)
    assert conflicts(fast) == conflicts(slow) and conflicts(fast)
    assert report.pulled > 0 and state(fast, laptop_snapshot.POSITION_KEY) == ""
    # Both go on from the same place: a change reaches both.
    assert state(fast, CURSOR_KEY) == state(slow, CURSOR_KEY)
    if role == devices.SIEGE:
        assert held(fast) == snapshot(siege.engine, synced_tables())


def test_a_cut_snapshot_resumes_at_its_next_chunk_and_changes_made_meanwhile_arrive(
    siege: Siege, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    region = build_region(siege)
    monkeypatch.setattr(laptop_snapshot, "CHUNK_ROWS", 3)  # many chunks for a small siège
    cut = laptop(siege, tmp_path, "Coupé", "Épernay")
    whole = laptop(siege, tmp_path, "Entier", "Épernay")
    applied: list[str] = []

    def crash_at_the_fifth_chunk(point: str) -> None:
        if point != "snapshot_chunk_applied":
            return
        applied.append(point)
        if len(applied) == 2:
            # A change on the siège while the snapshot streams: after its cursor.
            moved = region.reims.push(op("person", region.ids["pa"], phone="0699999999"))
            assert moved.status_code == 200, moved.text
        if len(applied) == 5:
            raise SimulatedCrash

    with pytest.raises(SimulatedCrash):
        service.run_sync(cut, http_factory=siege.http_factory, fault=crash_at_the_fifth_chunk)
    saved = state(cut, laptop_snapshot.POSITION_KEY)
    assert saved and state(cut, CURSOR_KEY) in ("", "0")
    asked: list[dict[str, str]] = []

    def recorded(url: str, token: str | None) -> httpx.Client:
        client = siege.http_factory(url, token)
        client._transport = Recorder(client._transport, asked)
        return client

    service.run_sync(cut, http_factory=recorded)
    # It went on from the chunk after the cut, with the same cursor: nothing fetched twice.
    position = json.loads(saved)
    first = asked[0]
    assert (first["table"], first["after"]) == (position["table"], position["after"])
    assert int(first["cursor"]) == position["cursor"]
    service.run_sync(whole, http_factory=siege.http_factory)
    assert held(cut) == held(whole)
    with cut.engine.connect() as conn:
        from app.models import Person

        person = table_of(Person)
        phone = conn.execute(select(person.c.phone).where(person.c.id == region.ids["pa"])).scalar()
    assert phone == "0699999999"


class Recorder(httpx.BaseTransport):
    """Notes the position of every snapshot chunk asked for."""

    def __init__(self, inner: httpx.BaseTransport, asked: list[dict[str, str]]) -> None:
        self.inner, self.asked = inner, asked

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/snapshot/chunk"):
            self.asked.append(dict(request.url.params))
        return self.inner.handle_request(request)


class Tamper(httpx.BaseTransport):
    """Flips one byte of the third snapshot chunk on its way to the laptop."""

    def __init__(self, inner: httpx.BaseTransport, hit: Callable[[], None]) -> None:
        self.inner, self.hit, self.seen = inner, hit, 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if not request.url.path.endswith("/snapshot/chunk"):
            return response
        self.seen += 1
        if self.seen != 3:
            return response
        body = bytearray(response.read())
        body[len(body) // 2] ^= 0x01
        self.hit()
        return httpx.Response(response.status_code, headers=response.headers, content=bytes(body))


def test_an_altered_chunk_is_refused_before_use(
    siege: Siege, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_region(siege)
    monkeypatch.setattr(laptop_snapshot, "CHUNK_ROWS", 3)
    profile = laptop(siege, tmp_path, "Altéré", "Épernay")
    reference = laptop(siege, tmp_path, "Témoin", "Épernay")
    hits: list[int] = []

    def tampered(url: str, token: str | None) -> httpx.Client:
        client = siege.http_factory(url, token)
        client._transport = Tamper(client._transport, lambda: hits.append(1))
        return client

    positions: list[str] = []

    def note(point: str) -> None:
        if point == "snapshot_chunk_applied":
            positions.append(state(profile, laptop_snapshot.POSITION_KEY))

    with pytest.raises(SyncError) as refused:
        service.run_sync(profile, http_factory=tampered, fault=note)
    assert refused.value.code == "bad_response" and hits
    # Two good chunks applied, the altered third one not at all (a chunk and the next
    # position are committed together).
    assert len(positions) == 2
    assert state(profile, laptop_snapshot.POSITION_KEY) == positions[1]
    service.run_sync(profile, http_factory=siege.http_factory)
    service.run_sync(reference, http_factory=siege.http_factory)
    assert held(profile) == held(reference)

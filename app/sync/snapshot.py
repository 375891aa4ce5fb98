"""A new laptop's first sync from a snapshot of its scope (docs/sync.md, "First sync from
a snapshot"; the siège's side is siege/snapshot.py).

The laptop asks where a snapshot starts (``GET /snapshot``: a cursor and the scope
epoch), then reads chunks (``GET /snapshot/chunk``) one after the other. Each chunk is
checked before anything of it is used: its SHA-256 against the header, its size once
inflated, its shape, then every row goes through the same checks as a pulled row
(app/sync/pulled.py) before being applied. A chunk and the position of the next one
are committed together, so a cut transfer resumes at the chunk where it stopped, with
the same cursor. When the last chunk is in, the pull cursor takes the snapshot's
cursor and the change feed goes on from there.
"""

from __future__ import annotations

import hashlib
import json
import logging
import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete

from app.models import SyncState
from app.sync import evict, pulled
from app.sync.apply import apply_rows, get_state, relaxed_links, set_state, store_conflicts
from app.sync.codec import table_of, table_specs
from app.sync.hlc import STAMP_LEN, WALL_HEX
from app.sync.protocol import (
    ROW_ID,
    SNAPSHOT_CONFLICTS,
    SNAPSHOT_NEXT_AFTER_HEADER,
    SNAPSHOT_NEXT_TABLE_HEADER,
    SNAPSHOT_ROWS_HEADER,
    SNAPSHOT_SHA_HEADER,
    Conflict,
    ProtocolError,
    Row,
)
from app.sync.transport import SyncError, json_body, request

if TYPE_CHECKING:
    from app.jobs import JobControl
    from app.sync.client import SyncClient

log = logging.getLogger(__name__)

POSITION_KEY = "snapshot_position"
CHUNK_ROWS = 5000
# A chunk of CHUNK_ROWS rows is a few MB once inflated; anything far larger is refused
# (a compressed bomb would otherwise fill the memory).
MAX_INFLATED_BYTES = 64 * 1024 * 1024
MAX_CHUNKS = 100_000


class ChunkRefused(ValueError):
    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@dataclass
class Position:
    cursor: int
    epoch: int
    tables: list[str]
    table: str
    after: str

    def to_json(self) -> str:
        return json.dumps(self.__dict__)


def run(client: SyncClient, job: JobControl | None = None) -> tuple[int, int] | None:
    """Fetch and apply the snapshot (or what is left of one cut short); returns (rows,
    conflicts), or None when the siège offers none (an older siège: pages of changes)."""
    with client.engine.connect() as conn:
        saved = get_state(conn, POSITION_KEY, "")
    position = _load(saved) if saved else _start(client)
    if position is None:
        return None
    rows_done = conflicts_done = 0
    for _ in range(MAX_CHUNKS):
        response = request(
            client.http,
            "GET",
            "/snapshot/chunk",
            params={
                "cursor": position.cursor,
                "table": position.table,
                "after": position.after,
                "limit": CHUNK_ROWS,
            },
        )
        if response.status_code != 200:
            raise SyncError("bad_response", status=response.status_code)
        try:
            rows, conflicts, newest, following = _verify(response, position)
        except ChunkRefused as exc:
            log.warning("snapshot chunk refused: %s", exc.reason)
            raise SyncError("bad_response", reason=exc.reason[:200]) from None
        kept = _apply(client, rows, conflicts, position, following)
        rows_done += kept
        conflicts_done += len(conflicts)
        if client.capture is not None and client.capture.clock is not None and newest:
            client.capture.clock.observe(newest)
        client.fault("snapshot_chunk_applied")
        if job is not None:
            done = (
                position.tables.index(following.table) if following.table else len(position.tables)
            )
            job.progress(done, len(position.tables), "snapshot")
        if not following.table:
            return rows_done, conflicts_done
        position = following
    raise SyncError("bad_response", reason=f"more than {MAX_CHUNKS} snapshot chunks")


def _start(client: SyncClient) -> Position | None:
    response = request(client.http, "GET", "/snapshot")
    if response.status_code == 404:
        return None
    body = json_body(response)
    if response.status_code != 200:
        raise SyncError("bad_response", status=response.status_code)
    cursor, epoch, tables = body.get("cursor"), body.get("scope_epoch"), body.get("tables")
    if (
        not isinstance(cursor, int)
        or isinstance(cursor, bool)
        or not 0 <= cursor < 2**62
        or not isinstance(epoch, int)
        or isinstance(epoch, bool)
        or not isinstance(tables, list)
        or not tables
        or not all(isinstance(t, str) for t in tables)
    ):
        raise SyncError("bad_response", reason="snapshot plan")
    known = set(table_specs()) | {SNAPSHOT_CONFLICTS}
    # Tables this version does not know are skipped (a newer siège), never applied.
    order = [t for t in tables if t in known]
    return Position(cursor, epoch, order, order[0], "")


def _load(saved: str) -> Position | None:
    try:
        raw = json.loads(saved)
        return Position(
            int(raw["cursor"]),
            int(raw["epoch"]),
            [str(t) for t in raw["tables"]],
            str(raw["table"]),
            str(raw["after"]),
        )
    except (ValueError, KeyError, TypeError):
        return None


def _verify(response: Any, at: Position) -> tuple[list[Row], list[Conflict], str, Position]:
    body: bytes = response.content
    declared = response.headers.get(SNAPSHOT_SHA_HEADER, "")
    if hashlib.sha256(body).hexdigest() != declared:
        raise ChunkRefused("checksum mismatch")
    inflater = zlib.decompressobj()
    try:
        raw = inflater.decompress(body, MAX_INFLATED_BYTES)
    except zlib.error:
        raise ChunkRefused("not a zlib stream") from None
    if inflater.unconsumed_tail or not inflater.eof:
        raise ChunkRefused("inflated chunk too large or truncated")
    try:
        payload = json.loads(raw)
    except (ValueError, RecursionError):
        raise ChunkRefused("not JSON") from None
    if not isinstance(payload, dict) or payload.get("table") != at.table:
        raise ChunkRefused("chunk of another table")
    items = payload.get("rows")
    if not isinstance(items, list) or str(len(items)) != response.headers.get(SNAPSHOT_ROWS_HEADER):
        raise ChunkRefused("row count")
    following = _following(response, at)
    if at.table == SNAPSHOT_CONFLICTS:
        try:
            found = [Conflict.from_json(c) for c in items]
        except ProtocolError as exc:
            raise ChunkRefused(exc.reason) from None
        if any(c.seq > at.cursor for c in found):
            raise ChunkRefused("conflict after the snapshot's cursor")
        return [], found, "", following
    return _rows(payload, items, at), [], _stamp(payload.get("newest_stamp")), following


def _rows(payload: dict[str, Any], items: list[Any], at: Position) -> list[Row]:
    columns, clocks = payload.get("columns"), payload.get("clocks", {})
    spec = table_specs()[at.table]
    if (
        not isinstance(columns, list)
        or not all(isinstance(c, str) and c in spec.columns for c in columns)
        or not isinstance(clocks, dict)
    ):
        raise ChunkRefused("columns")
    width = len(columns) + 1
    rows: list[Row] = []
    last = at.after
    for item in items:
        if not isinstance(item, list) or len(item) != width or not isinstance(item[0], str):
            raise ChunkRefused("row shape")
        row_id = item[0]
        if row_id <= last:
            raise ChunkRefused("rows out of order")
        last = row_id
        stamps = clocks.get(row_id, {})
        if not isinstance(stamps, dict) or not all(isinstance(v, str) for v in stamps.values()):
            raise ChunkRefused("clocks")
        rows.append(Row(0, at.table, row_id, dict(zip(columns, item[1:], strict=True)), stamps))
    return rows


def _stamp(value: Any) -> str:
    if not isinstance(value, str) or not value:
        return ""
    if len(value) != STAMP_LEN or not pulled.STAMP.fullmatch(value):
        raise ChunkRefused("newest_stamp")
    int(value[:WALL_HEX], 16)
    return value


def _following(response: Any, at: Position) -> Position:
    table = response.headers.get(SNAPSHOT_NEXT_TABLE_HEADER, "")
    after = response.headers.get(SNAPSHOT_NEXT_AFTER_HEADER, "")
    if table and table not in at.tables:
        raise ChunkRefused("next table unknown")
    if table and at.tables.index(table) < at.tables.index(at.table):
        raise ChunkRefused("next table goes backwards")
    if table == at.table and not (after > at.after):
        raise ChunkRefused("next position does not move")
    if table == SNAPSHOT_CONFLICTS and after and not after.isdigit():
        raise ChunkRefused("next position")
    if table not in ("", SNAPSHOT_CONFLICTS) and after and not ROW_ID.match(after):
        raise ChunkRefused("next position")
    return Position(at.cursor, at.epoch, at.tables, table, after)


def _apply(
    client: SyncClient,
    rows: list[Row],
    conflicts: list[Conflict],
    at: Position,
    following: Position,
) -> int:
    with relaxed_links(client.engine) as conn:
        kept, refused = pulled.screen(conn, rows, client.server_ms)
        client.record_pull_refusals(conn, refused)
        if kept:
            apply_rows(conn, kept)
        if conflicts:
            store_conflicts(conn, conflicts)
        if following.table:
            set_state(conn, POSITION_KEY, following.to_json())
        else:
            # The snapshot is whole: the change feed goes on from its cursor.
            from app.sync.client import CURSOR_KEY

            set_state(conn, CURSOR_KEY, str(at.cursor))
            set_state(conn, evict.EPOCH_KEY, str(at.epoch))
            st = table_of(SyncState)
            conn.execute(delete(st).where(st.c.key == POSITION_KEY))
    return len(kept)

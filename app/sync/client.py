"""Laptop side of the sync: handshake, push the outbox, pull pages of changes.

Mechanisms borrowed (DESIGN §4): PowerSync's idempotent upload queue (the outbox is
cleared only after the siège acknowledges; operation numbers let the siège skip what
it already applied), CouchDB checkpoints (each pulled page is applied in the same
local transaction as its cursor, so a crash resumes at the last whole page), Anki's
update sequence numbers (the cursor is the siège's sequence number).

Faults can be injected at named points (``fault`` callback) so tests can crash the
client exactly where it hurts.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, delete, func, select, update

from app.errors import PermanenceError
from app.jobs import JobControl
from app.migrate import head_revision
from app.models import OutboxEntry
from app.sync.apply import apply_rows, get_state, record_local_conflict, set_state, store_conflicts
from app.sync.capture import FREEZE, OFFSET_KEY, ChangeCapture
from app.sync.codec import table_of
from app.sync.hlc import SKEW_WARNING_MS, wall_now_ms

if TYPE_CHECKING:
    # httpx (200 ms of imports) is loaded when a sync runs, not when the app starts.
    import httpx

from app.sync.protocol import (
    API_PREFIX,
    DEFAULT_PAGE,
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    SCHEMA_HEADER,
    Conflict,
    Row,
)

log = logging.getLogger(__name__)

CURSOR_KEY = "pull_cursor"
MAX_REJECTION_ROUNDS = 20
FaultHook = Callable[[str], None]


class SyncError(PermanenceError):
    """Sync could not complete; ``code``: offline, unauthorized, update_required,
    server_error, bad_response, not_enrolled, enrol_refused. Local data is untouched
    and the outbox keeps every waiting change."""

    code = "sync"


@dataclass(frozen=True)
class SyncReport:
    pushed: int
    pulled: int
    rejected: int
    forked: int
    conflicts: int
    clock_offset_ms: int

    @property
    def clock_warning(self) -> bool:
        return abs(self.clock_offset_ms) > SKEW_WARNING_MS


def _no_fault(_point: str) -> None:
    return None


@cache
def schema_version() -> str:
    """This program's schema revision (read from the migration scripts once)."""
    return head_revision()


def request(http: httpx.Client, method: str, path: str, **kwargs: Any) -> httpx.Response:
    """One HTTP exchange; transport failures become ``SyncError("offline")``.

    The token travels in the client's default headers and is never formatted into an
    error or a log line.
    """
    import httpx

    headers = {PROTOCOL_HEADER: str(PROTOCOL_VERSION), SCHEMA_HEADER: schema_version()}
    try:
        response = http.request(method, API_PREFIX + path, headers=headers, **kwargs)
    except httpx.HTTPError as exc:
        raise SyncError("offline", reason=type(exc).__name__) from None
    if response.status_code == 401:
        raise SyncError("unauthorized")
    if response.status_code == 426:
        raise SyncError("update_required", detail=_detail(response))
    if response.status_code >= 500:
        raise SyncError("server_error", status=response.status_code)
    return response


def _detail(response: httpx.Response) -> Any:
    try:
        return response.json().get("detail")
    except (ValueError, AttributeError):
        return None


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        raise SyncError("bad_response", status=response.status_code) from None
    if not isinstance(body, dict):
        raise SyncError("bad_response", status=response.status_code)
    return body


SENT_KEY = "sent_through"  # highest operation number this database has set out to send


def settle_operation_numbers(conn: Connection, last_op: int) -> int:
    """At hello, square the outbox with ``last_op``, the highest operation number the
    siège has applied for this device; returns how many entries were renumbered.

    - Entries numbered up to ``last_op`` are acknowledged (an answer may have been lost).
    - A restored backup forgets the numbers it used after the backup: the changes made
      since would reuse them and the siège would skip them, lost without a word. The sign
      is the siège knowing more numbers than this database ever set out to send
      (``SENT_KEY``). Then every entry above that mark moves above ``last_op``, in order
      (resending an entry that was in fact applied is harmless: its field clocks lose to
      anything newer), and the AUTOINCREMENT counter follows.
    - What this sync is about to push is marked as sent, in the caller's transaction (no
      commit of its own). The outbox goes out in order: if the siège ever knows a number
      above the mark, everything up to it did reach it. A mark left behind (a push
      without hello) only means harmless resends after a restore.
    """
    ob = table_of(OutboxEntry)
    sent = int(get_state(conn, SENT_KEY, "0") or 0)
    moved = 0
    if last_op > sent:
        shift = last_op - sent
        # Two steps: shifting in place could collide with a primary key not yet moved.
        moved = conn.execute(update(ob).where(ob.c.seq > sent).values(seq=-ob.c.seq)).rowcount
        conn.execute(update(ob).where(ob.c.seq < 0).values(seq=shift - ob.c.seq))
        highest = max(last_op, int(conn.execute(select(func.max(ob.c.seq))).scalar() or 0))
        updated = conn.exec_driver_sql(
            "UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = ?",
            (highest, OutboxEntry.__tablename__),
        ).rowcount
        if not updated:
            conn.exec_driver_sql(
                "INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)",
                (OutboxEntry.__tablename__, highest),
            )
        sent = last_op
        if moved:
            log.warning(
                "database older than the siège's record (restored backup?): %d pending "
                "operation(s) renumbered after %d",
                moved,
                last_op,
            )
    conn.execute(delete(ob).where(ob.c.seq <= last_op))
    pending = conn.execute(select(func.max(ob.c.seq))).scalar()
    set_state(conn, SENT_KEY, str(max(sent, int(pending or 0))))
    return int(moved)


class SyncClient:
    def __init__(
        self,
        engine: Engine,
        http: httpx.Client,
        capture: ChangeCapture | None = None,
        *,
        batch_size: int = 200,
        page_size: int = DEFAULT_PAGE,
        fault: FaultHook = _no_fault,
    ) -> None:
        self.engine = engine
        self.http = http
        self.capture = capture
        self.batch_size = batch_size
        self.page_size = page_size
        self.fault = fault

    # -- handshake ---------------------------------------------------------------
    def hello(self) -> dict[str, Any]:
        sent = wall_now_ms()
        response = request(self.http, "GET", "/hello")
        body = _json(response)
        if response.status_code != 200:
            raise SyncError("bad_response", status=response.status_code)
        received = wall_now_ms()
        server_ms = int(body.get("server_time_ms", received))
        offset = server_ms - (sent + received) // 2
        with self.engine.begin() as conn:
            set_state(conn, OFFSET_KEY, str(offset))
            last_op = int(body.get("device", {}).get("last_op", 0))
            settle_operation_numbers(conn, last_op)
        if self.capture is not None and self.capture.clock is not None:
            self.capture.clock.offset_ms = offset
        body["clock_offset_ms"] = offset
        return body

    # -- push --------------------------------------------------------------------
    def push(self, job: JobControl | None = None) -> tuple[int, int, int]:
        """Send the outbox in batches; returns (pushed, rejected, forked)."""
        pushed = rejected = forked = rounds = 0
        ob = table_of(OutboxEntry)
        while True:
            with self.engine.connect() as conn:
                entries = list(
                    conn.execute(select(ob).order_by(ob.c.seq).limit(self.batch_size)).mappings()
                )
                # An issued invoice and its lines travel together (see siege.rules).
                while entries and entries[-1]["kind"] == FREEZE:
                    nxt = (
                        conn.execute(
                            select(ob)
                            .where(ob.c.seq > entries[-1]["seq"])
                            .order_by(ob.c.seq)
                            .limit(1)
                        )
                        .mappings()
                        .first()
                    )
                    if nxt is None or nxt["kind"] != FREEZE or nxt["table_name"] == "invoice":
                        break
                    entries.append(nxt)
                total_waiting = conn.execute(select(ob.c.seq)).all()
            if not entries:
                return pushed, rejected, forked
            if job is not None:
                job.progress(pushed, pushed + len(total_waiting), "push")
            ops = [
                {
                    "op": e["seq"],
                    "table": e["table_name"],
                    "row_id": e["row_id"],
                    "hlc": e["hlc"],
                    "fields": json.loads(e["fields_json"]),
                    "bases": json.loads(e["bases_json"] or "{}"),
                    "freeze": e["kind"] == FREEZE,
                }
                for e in entries
            ]
            batch_id = f"{entries[0]['seq']}-{entries[-1]['seq']}"
            response = request(self.http, "POST", "/push", json={"batch_id": batch_id, "ops": ops})
            body = _json(response)
            self.fault("push_answered")
            if response.status_code == 409:
                rounds += 1
                if rounds > MAX_REJECTION_ROUNDS:
                    raise SyncError("server_error", status=409)
                rejected += self._drop_rejected(body.get("detail", {}), entries)
                continue
            if response.status_code != 200:
                raise SyncError("bad_response", status=response.status_code)
            through = int(body["accepted_through"])
            with relaxed_links(self.engine) as conn:
                # Acknowledged first: the siège's rows then replace the forked local copy
                # instead of losing to the very changes just acknowledged.
                conn.execute(delete(ob).where(ob.c.seq <= through))
                self._apply_forced(conn, body.get("server_rows", []))
            pushed += len([e for e in entries if e["seq"] <= through])
            forked += len(body.get("forked", []))

    def _drop_rejected(self, detail: dict[str, Any], entries: list[Any]) -> int:
        refused = {int(r["op"]): str(r.get("reason", "")) for r in detail.get("rejected", [])}
        if not refused:
            raise SyncError("bad_response", status=409)
        by_seq = {e["seq"]: e for e in entries}
        ob = table_of(OutboxEntry)
        with relaxed_links(self.engine) as conn:
            for seq, reason in refused.items():
                entry = by_seq.get(seq)
                if entry is None:
                    continue
                log.warning(
                    "change %s of %s refused by the siège: %s", seq, entry["table_name"], reason
                )
                record_local_conflict(
                    conn,
                    "rejected",
                    entry["table_name"],
                    entry["row_id"],
                    "",
                    entry["fields_json"][:4000],
                    reason,
                )
                conn.execute(delete(ob).where(ob.c.seq == seq))
            self._apply_forced(conn, detail.get("server_rows", []))
        return len(refused)

    def _apply_forced(self, conn: Connection, raw_rows: list[Any]) -> None:
        rows = [Row.from_json(r) for r in raw_rows]
        if rows:
            apply_rows(conn, rows)

    # -- pull --------------------------------------------------------------------
    def pull(self, job: JobControl | None = None) -> tuple[int, int]:
        """Fetch and apply pages after the saved cursor; returns (rows, conflicts)."""
        pulled = conflicts = 0
        while True:
            with self.engine.connect() as conn:
                cursor = int(get_state(conn, CURSOR_KEY, "0"))
            response = request(
                self.http, "GET", "/changes", params={"after": cursor, "limit": self.page_size}
            )
            body = _json(response)
            if response.status_code != 200:
                raise SyncError("bad_response", status=response.status_code)
            rows = [Row.from_json(r) for r in body.get("rows", [])]
            found = [Conflict.from_json(c) for c in body.get("conflicts", [])]
            next_cursor = int(body["next_cursor"])
            self._apply_page(rows, found, next_cursor)
            pulled += len(rows)
            conflicts += len(found)
            if job is not None:
                job.progress(next_cursor, int(body.get("last_seq", next_cursor)), "pull")
            if not body.get("has_more"):
                return pulled, conflicts

    def _apply_page(self, rows: list[Row], conflicts: list[Conflict], cursor: int) -> None:
        with relaxed_links(self.engine) as conn:
            apply_rows(conn, rows)
            store_conflicts(conn, conflicts)
            self.fault("page_applied")
            set_state(conn, CURSOR_KEY, str(cursor))
        if self.capture is not None and self.capture.clock is not None:
            for row in rows:
                for stamp in row.clocks.values():
                    self.capture.clock.observe(stamp)

    # -- whole run ---------------------------------------------------------------
    def sync(self, job: JobControl | None = None) -> SyncReport:
        started = time.monotonic()
        hello = self.hello()
        pushed, rejected, forked = self.push(job)
        pulled, conflicts = self.pull(job)
        log.info(
            "sync done in %.2fs: pushed %d, pulled %d, rejected %d, forked %d",
            time.monotonic() - started,
            pushed,
            pulled,
            rejected,
            forked,
        )
        return SyncReport(
            pushed, pulled, rejected, forked, conflicts, int(hello["clock_offset_ms"])
        )


@contextmanager
def relaxed_links(engine: Engine) -> Iterator[Connection]:
    """One transaction in which rows from the siège may arrive child before parent.

    A page may hold a child before its parent (the parent changed later); the siège's
    data is consistent as a whole, so links are not checked row by row. The pragma
    only takes effect outside a transaction, hence set on the raw connection first.
    """
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        raw.execute("PRAGMA foreign_keys = OFF")
        try:
            with conn.begin():
                yield conn
        finally:
            raw.execute("PRAGMA foreign_keys = ON")

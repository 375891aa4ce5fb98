"""Laptop side of the sync: handshake, then push the outbox (app/sync/client_push.py) and
pull pages of changes (app/sync/client_pull.py), a first sync starting from a snapshot of
the device's scope (app/sync/snapshot.py).

Mechanisms borrowed (docs/architecture.md §6): PowerSync's idempotent upload queue (the outbox is
cleared only after the siège acknowledges; operation numbers let the siège skip what
it already applied), CouchDB checkpoints (each pulled page is applied in the same
local transaction as its cursor, so a crash resumes at the last whole page), Anki's
update sequence numbers (the cursor is the siège's sequence number).

Faults can be injected at named points (``fault`` callback) so tests can crash the
client exactly where it hurts.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine

from app.jobs import JobControl
from app.sync import client_pull, client_push, evict, journal, pulled, role
from app.sync.apply import apply_rows, record_local_conflict, set_state
from app.sync.capture import OFFSET_KEY, ChangeCapture
from app.sync.client_common import CURSOR_KEY, FaultHook, RefusedChange, log
from app.sync.client_common import bad_answer as _bad
from app.sync.hlc import SKEW_WARNING_MS, estimate_offset, wall_now_ms
from app.sync.outbox import settle_operation_numbers
from app.sync.protocol import DEFAULT_PAGE, Row
from app.sync.pulled import RowRefusal
from app.sync.transport import SyncError, json_body, request, schema_version

if TYPE_CHECKING:
    # httpx (200 ms of imports) is loaded when a sync runs, not when the app starts.
    import httpx

__all__ = [
    "CURSOR_KEY",
    "RefusedChange",
    "SyncClient",
    "SyncError",
    "SyncReport",
    "request",
    "schema_version",
]


@dataclass(frozen=True)
class SyncReport:
    pushed: int
    pulled: int
    rejected: int
    forked: int
    conflicts: int
    clock_offset_ms: int
    refused: tuple[RefusedChange, ...] = ()
    pull_refused: tuple[RowRefusal, ...] = ()
    evicted: int = 0

    @property
    def clock_warning(self) -> bool:
        return abs(self.clock_offset_ms) > SKEW_WARNING_MS


def _no_fault(_point: str) -> None:
    return None


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
        on_new_token: Callable[[str], object] | None = None,
        snapshot: bool = True,
        journal_days: int = journal.DEFAULT_DAYS,
    ) -> None:
        self.engine = engine
        # Where a token rotated by the siège in /hello is kept (docs/sync.md, "Tokens").
        self.on_new_token = on_new_token
        self.http = http
        self.capture = capture
        self.batch_size = batch_size
        self.page_size = page_size
        self.fault = fault
        self.server_ms = wall_now_ms()
        self.refused: list[RefusedChange] = []
        self.pull_refused: list[pulled.RowRefusal] = []
        self.evicted = 0
        self.restarted = False  # the cursor went back to 0 (a restored siège) this run
        # A first sync reads a snapshot when the siège offers one (False: pages only).
        self.snapshot = snapshot
        # How long acknowledged changes are kept to be sent again to a restored siège
        # (the profile's sync_journal_days; app/sync/journal.py).
        self.journal_days = journal_days

    # -- handshake ---------------------------------------------------------------
    def hello(self) -> dict[str, Any]:
        sent = wall_now_ms()
        response = request(self.http, "GET", "/hello")
        body = json_body(response)
        if response.status_code != 200:
            raise SyncError("bad_response", status=response.status_code)
        received = wall_now_ms()
        try:
            self.server_ms = pulled.check_server_time(body)
            last_op = pulled.check_last_op(body)
            epoch = journal.check_epoch(body)
        except pulled.PullRefused as exc:
            raise _bad(exc.reason) from None
        except journal.EpochRefused as exc:
            raise _bad(str(exc)) from None
        offset = estimate_offset(self.server_ms, sent, received)
        with self.engine.begin() as conn:
            set_state(conn, OFFSET_KEY, str(offset))
            if journal.siege_restored(conn, last_op, epoch):
                # Restored from an older backup (docs/sync.md, "A restored siège gets
                # back what it acknowledged"): the journal above last_op is queued
                # again, and the siège is read again from the start.
                set_state(conn, CURSOR_KEY, "0")
            settle_operation_numbers(conn, last_op)
            journal.prune(conn, self.journal_days)
            # The role the siège gives this device (read-only screens: app/sync/role.py).
            answer = body.get("device")
            role.remember(conn, answer if isinstance(answer, dict) else {})
        if self.capture is not None and self.capture.clock is not None:
            self.capture.clock.offset_ms = offset
        fresh = body.get("next_token")
        if self.on_new_token is not None and isinstance(fresh, str) and 20 <= len(fresh) <= 200:
            # The old token stays valid on the siège until this one is used once: a
            # crash before this line leaves the laptop with a working token.
            self.on_new_token(fresh)
        body["clock_offset_ms"] = offset
        return body

    def apply_forced(
        self, conn: Connection, rows: list[Row], forked: frozenset[str] = frozenset()
    ) -> None:
        kept, refused = pulled.screen(conn, rows, self.server_ms, replaceable=forked)
        self.record_pull_refusals(conn, refused)
        if kept:
            apply_rows(conn, kept)

    def record_pull_refusals(self, conn: Connection, refused: list[pulled.RowRefusal]) -> None:
        for item in refused:
            record_local_conflict(
                conn, "pull_refused", item.table, item.row_id, "", "", item.reason
            )
        self.pull_refused.extend(refused)

    # -- push and pull -------------------------------------------------------------
    def push(self, job: JobControl | None = None) -> tuple[int, int, int]:
        """Send the outbox in batches; returns (pushed, rejected, forked)."""
        return client_push.push(self, job)

    def pull(self, job: JobControl | None = None) -> tuple[int, int]:
        """Fetch and apply pages after the saved cursor (a first sync: a snapshot first);
        returns (rows, conflicts). Then, if the siège's scope epoch moved, evict what left
        this device's scope."""
        return client_pull.pull(self, job)

    def evict_outside_scope(self) -> int:
        """Drop the rows that left this device's scope (app/sync/evict.py)."""
        evicted = evict.run(self)
        self.evicted += evicted
        return evicted

    # -- whole run ---------------------------------------------------------------
    def sync(self, job: JobControl | None = None) -> SyncReport:
        started = time.monotonic()
        hello = self.hello()
        pushed, rejected, forked = self.push(job)
        pulled_rows, conflicts = self.pull(job)
        log.info(
            "sync done in %.2fs: pushed %d, pulled %d, rejected %d, forked %d, "
            "pulled rows refused %d",
            time.monotonic() - started,
            pushed,
            pulled_rows,
            rejected,
            forked,
            len(self.pull_refused),
        )
        return SyncReport(
            pushed,
            pulled_rows,
            rejected,
            forked,
            conflicts,
            int(hello["clock_offset_ms"]),
            tuple(self.refused),
            tuple(self.pull_refused),
            self.evicted,
        )

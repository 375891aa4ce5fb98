"""Laptop side of the sync: handshake, push the outbox, pull pages of changes.

Mechanisms borrowed (docs/architecture.md §6): PowerSync's idempotent upload queue (the outbox is
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
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, delete, func, select

from app.jobs import JobControl
from app.models import OutboxEntry
from app.models.base import Base
from app.sync import evict, pulled, role, snapshot
from app.sync.apply import (
    apply_rows,
    get_state,
    record_local_conflict,
    relaxed_links,
    set_state,
    store_conflicts,
)
from app.sync.capture import FREEZE, OFFSET_KEY, ChangeCapture
from app.sync.codec import table_of
from app.sync.hlc import SKEW_WARNING_MS, wall_now_ms
from app.sync.outbox import (
    ACKED_KEY,
    PENDING_KEY,
    pending_entries,
    settle_operation_numbers,
    siege_forgot,
)
from app.sync.protocol import DEFAULT_PAGE, Op, ProtocolError, PushRequest, Refusal, Row
from app.sync.pulled import RowRefusal
from app.sync.transport import SyncError, json_body, request, schema_version

if TYPE_CHECKING:
    # httpx (200 ms of imports) is loaded when a sync runs, not when the app starts.
    import httpx

__all__ = ["SyncClient", "SyncError", "SyncReport", "request", "schema_version"]

log = logging.getLogger(__name__)

CURSOR_KEY = "pull_cursor"
MAX_REJECTION_ROUNDS = 20
# However large the siège, a sync that needs more pages than this is not a sync.
MAX_PULL_PAGES = 100_000
# Fields every change carries; a refusal is explained by the others.
BOOKKEEPING = frozenset({"updated_at", "updated_by", "created_at", "created_by", "search_key"})
FaultHook = Callable[[str], None]


@dataclass(frozen=True)
class RefusedChange:
    """A local change the siège refused: kept as a conflict to review, reported."""

    table: str
    row_id: str
    reason: str
    fields: tuple[str, ...]


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


def _bad(reason: str, status: int = 200) -> SyncError:
    log.warning("answer of the siège refused: %s", reason)
    return SyncError("bad_response", reason=reason[:200], status=status)


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
        except pulled.PullRefused as exc:
            raise _bad(exc.reason) from None
        offset = self.server_ms - (sent + received) // 2
        with self.engine.begin() as conn:
            set_state(conn, OFFSET_KEY, str(offset))
            if siege_forgot(conn, last_op):
                # Restored from an older backup (docs/sync.md, "Tokens"): read it again.
                set_state(conn, CURSOR_KEY, "0")
            settle_operation_numbers(conn, last_op)
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

    # -- push --------------------------------------------------------------------
    def push(self, job: JobControl | None = None) -> tuple[int, int, int]:
        """Send the outbox in batches; returns (pushed, rejected, forked)."""
        pushed = rejected = forked = rounds = 0
        ob = table_of(OutboxEntry)
        while True:
            with self.engine.connect() as conn:
                # A batch whose answer never came back (a crash, a lost connection) is sent
                # again as it was, under its id: the siège gives its stored answer, with the
                # rows it forked (outbox.PENDING_KEY).
                entries = pending_entries(conn)
                if not entries:
                    entries = list(
                        conn.execute(
                            select(ob).order_by(ob.c.seq).limit(self.batch_size)
                        ).mappings()
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
                waiting = int(conn.execute(select(func.count()).select_from(ob)).scalar_one())
                newest = int(conn.execute(select(func.max(ob.c.seq))).scalar() or 0)
            if not entries:
                return pushed, rejected, forked
            if job is not None:
                job.progress(pushed, pushed + waiting, "push")
            batch = PushRequest(
                f"{entries[0]['seq']}-{entries[-1]['seq']}",
                tuple(
                    Op(
                        e["seq"],
                        e["table_name"],
                        e["row_id"],
                        e["hlc"],
                        json.loads(e["fields_json"]),
                        json.loads(e["bases_json"] or "{}"),
                        e["kind"] == FREEZE,
                    )
                    for e in entries
                ),
            )
            with self.engine.begin() as conn:
                set_state(conn, PENDING_KEY, batch.batch_id)
            response = request(self.http, "POST", "/push", json=batch.to_json())
            body = json_body(response)
            self.fault("push_answered")
            if response.status_code == 409:
                rounds += 1
                if rounds > MAX_REJECTION_ROUNDS:
                    raise SyncError("server_error", status=409)
                rejected += self._drop_rejected(body.get("detail"), entries)
                with self.engine.begin() as conn:
                    set_state(conn, PENDING_KEY, "")
                continue
            if response.status_code != 200:
                raise SyncError("bad_response", status=response.status_code)
            through, forked_ids, server_rows = self._check_answer(body, entries[-1]["seq"], newest)
            with relaxed_links(self.engine) as conn:
                # Acknowledged first: the siège's rows then replace the forked local copy
                # instead of losing to the very changes just acknowledged.
                conn.execute(delete(ob).where(ob.c.seq <= through))
                set_state(conn, ACKED_KEY, str(through))
                set_state(conn, PENDING_KEY, "")
                self._apply_forced(conn, server_rows, forked_ids)
            pushed += len([e for e in entries if e["seq"] <= through])
            forked += len(forked_ids)

    @staticmethod
    def _check_answer(
        body: dict[str, Any], last_sent: int, newest: int
    ) -> tuple[int, frozenset[str], list[Row]]:
        """A 200 answer must acknowledge the batch (or the siège would be asked again for
        ever) and nothing this laptop never numbered (or unsent changes would be lost)."""
        through = body.get("accepted_through")
        if (
            isinstance(through, bool)
            or not isinstance(through, int)
            or not last_sent <= through <= newest
        ):
            raise _bad(f"accepted_through {str(through)[:40]!r} outside [{last_sent}, {newest}]")
        raw_forks = body.get("forked", [])
        if not isinstance(raw_forks, list) or not all(
            isinstance(f, dict) and isinstance(f.get("row_id"), str) for f in raw_forks
        ):
            raise _bad("forked: list of {row_id, new_row_id} expected")
        try:
            rows = pulled.check_rows(body.get("server_rows", []))
        except pulled.PullRefused as exc:
            raise _bad(exc.reason) from None
        return through, frozenset(f["row_id"] for f in raw_forks), rows

    def _drop_rejected(self, detail: Any, entries: list[Any]) -> int:
        """Refused changes leave the outbox, never silently: each becomes a conflict to
        review holding the user's values, the local row goes back to the siège's state,
        and the sync reports it."""
        by_seq = {e["seq"]: e for e in entries}
        try:
            if not isinstance(detail, dict) or not isinstance(detail.get("rejected"), list):
                raise ProtocolError("detail.rejected: list expected")
            refusals = [Refusal.from_json(r) for r in detail["rejected"]]
            server_rows = pulled.check_rows(detail.get("server_rows", []))
        except (ProtocolError, pulled.PullRefused) as exc:
            raise _bad(getattr(exc, "reason", str(exc)), 409) from None
        mine = [r for r in refusals if r.op in by_seq]
        if not mine:
            # Nothing of this batch named: dropping nothing and sending it again would loop.
            raise _bad("409 naming no operation of the batch", 409)
        ob = table_of(OutboxEntry)
        theirs = {(r.table, r.row_id): r.values for r in server_rows}
        with relaxed_links(self.engine) as conn:
            for refusal in mine:
                entry = by_seq[refusal.op]
                values = json.loads(entry["fields_json"])
                names = tuple(sorted(n for n in values if n not in BOOKKEEPING)) or tuple(values)
                log.warning(
                    "change %s of %s/%s refused by the siège: %s",
                    refusal.op,
                    entry["table_name"],
                    entry["row_id"],
                    refusal.reason,
                )
                held = theirs.get((entry["table_name"], entry["row_id"]))
                kept = {n: held.get(n) for n in names} if held is not None else {}
                record_local_conflict(
                    conn,
                    "rejected",
                    entry["table_name"],
                    entry["row_id"],
                    ",".join(names)[:60],
                    json.dumps({n: values[n] for n in names}, ensure_ascii=False),
                    refusal.reason,
                    kept=json.dumps(kept, ensure_ascii=False) if kept else "",
                    # The refused edit's own stamp: which of two equal edits was refused.
                    lost_hlc=str(entry["hlc"]),
                )
                self.refused.append(
                    RefusedChange(entry["table_name"], entry["row_id"], refusal.reason, names)
                )
                conn.execute(delete(ob).where(ob.c.seq == refusal.op))
                if held is None and entry["table_name"] in Base.metadata.tables:
                    # The siège holds no such row (a creation refused, e.g. a draft for a
                    # person moved away): the local row goes too; its values are in the
                    # conflict just recorded (docs/sync.md, "A refusal is never silent").
                    table = Base.metadata.tables[entry["table_name"]]
                    conn.execute(delete(table).where(table.c.id == entry["row_id"]))
            self._apply_forced(conn, server_rows)
        return len(mine)

    def _apply_forced(
        self, conn: Connection, rows: list[Row], forked: frozenset[str] = frozenset()
    ) -> None:
        kept, refused = pulled.screen(conn, rows, self.server_ms, replaceable=forked)
        self._record_pull_refusals(conn, refused)
        if kept:
            apply_rows(conn, kept)

    def _record_pull_refusals(self, conn: Connection, refused: list[pulled.RowRefusal]) -> None:
        for item in refused:
            record_local_conflict(
                conn, "pull_refused", item.table, item.row_id, "", "", item.reason
            )
        self.pull_refused.extend(refused)

    # -- pull --------------------------------------------------------------------
    def pull(self, job: JobControl | None = None) -> tuple[int, int]:
        """Fetch and apply pages after the saved cursor; returns (rows, conflicts). Then,
        if the siège's scope epoch moved, evict what left this device's scope."""
        pulled_rows = conflicts = 0
        last_seq = 0
        with self.engine.connect() as conn:
            first_sync = int(get_state(conn, CURSOR_KEY, "0")) == 0
        if first_sync and self.snapshot:
            # A new laptop starts from a snapshot of its scope (app/sync/snapshot.py).
            done = snapshot.run(self, job)
            if done is not None:
                pulled_rows, conflicts = done
        with self.engine.connect() as conn:
            started = int(get_state(conn, CURSOR_KEY, "0"))
            held_epoch = get_state(conn, evict.EPOCH_KEY, "")
        first_epoch: int | None = None
        for _page in range(MAX_PULL_PAGES):
            with self.engine.connect() as conn:
                cursor = int(get_state(conn, CURSOR_KEY, "0"))
            response = request(
                self.http, "GET", "/changes", params={"after": cursor, "limit": self.page_size}
            )
            body = json_body(response)
            if response.status_code != 200:
                raise SyncError("bad_response", status=response.status_code)
            if self._siege_behind(body, cursor):
                continue
            try:
                page = pulled.check_page(body, cursor, self.page_size, last_seq)
                epoch = evict.page_epoch(body)
            except (pulled.PullRefused, evict.KeysRefused) as exc:
                raise _bad(exc.reason) from None
            first_epoch = epoch if first_epoch is None else first_epoch
            last_seq = page.last_seq
            self._apply_page(page)
            pulled_rows += len(page.rows)
            conflicts += len(page.conflicts)
            if job is not None:
                job.progress(page.next_cursor, page.last_seq, "pull")
            if not page.has_more:
                if started == 0 and held_epoch == "":
                    # A first sync receives its scope only: nothing to evict, and every
                    # change after the first page's epoch has been applied.
                    with self.engine.begin() as conn:
                        set_state(conn, evict.EPOCH_KEY, str(first_epoch))
                elif str(epoch) != held_epoch:
                    self.evict_outside_scope()
                return pulled_rows, conflicts
        raise _bad(f"more than {MAX_PULL_PAGES} pages")

    def _siege_behind(self, body: dict[str, Any], cursor: int) -> bool:
        """A siège whose last sequence number is below this laptop's cursor was restored
        from an older backup (docs/sync.md, "Tokens"): this laptop reads everything
        again from the start, so it ends with what the siège holds now (its own waiting
        changes stay in the outbox and are sent as usual)."""
        top = body.get("last_seq")
        if isinstance(top, bool) or not isinstance(top, int) or not 0 <= top < cursor:
            return False
        if self.restarted:
            raise _bad(f"last_seq {top} below cursor {cursor} again")
        log.warning("siège behind this laptop (last_seq %d < cursor %d): read again", top, cursor)
        self.restarted = True
        with self.engine.begin() as conn:
            set_state(conn, CURSOR_KEY, "0")
        return True

    def evict_outside_scope(self) -> int:
        """Drop the rows that left this device's scope (app/sync/evict.py)."""
        evicted = evict.run(self)
        self.evicted += evicted
        return evicted

    def _apply_page(self, page: pulled.Page) -> None:
        with relaxed_links(self.engine) as conn:
            rows, refused = pulled.screen(conn, page.rows, self.server_ms)
            self._record_pull_refusals(conn, refused)
            apply_rows(conn, rows)
            store_conflicts(conn, page.conflicts)
            self.fault("page_applied")
            set_state(conn, CURSOR_KEY, str(page.next_cursor))
        if self.capture is not None and self.capture.clock is not None:
            for row in rows:
                for stamp in row.clocks.values():
                    self.capture.clock.observe(stamp)

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

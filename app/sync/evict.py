"""Rows that left this laptop's read scope are dropped (docs/sync.md, "Leaving a scope").

The siège records every change that may shrink a scope (a person or session moving, a
link re-pointed, the administrator narrowing a device's towns) and sends the device's
*scope epoch* with each page of changes. When it differs from the one kept here, the
laptop reads the keys of its scope (``GET /scope/keys``) and deletes what it holds
outside them, except:

- a row with a change still waiting in the outbox (an unsent edit is never lost: it is
  pushed at the next sync, or refused and kept as a conflict to review; the epoch is
  not recorded, so the next sync looks again);
- the legal archive of this device's own invoice series: its invoices, their lines,
  payments and e-invoicing statuses, their clients and entrepreneurs' rows, whatever
  the siège's list says (the same rule as the siège's, kept here too so no answer of a
  siège can erase it);
- reference data (tables outside the list the siège names as evictable).

The first sync after an enrolment looks too (:func:`after_enrolment`), whatever the
epoch: a profile used alone, or loaded into the siège before enrolment, may hold persons
of antennes this laptop was not enrolled for. Its unsent edits are pushed first (or
refused and kept as conflicts to review), then the rows outside its scope go, so it
holds what it may write and nothing it would only see refused.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, delete, select, text

from app.models import DeviceIdentity, FieldClock, OutboxEntry
from app.models.base import Base, synced_tables
from app.sync.codec import table_of
from app.sync.protocol import ROW_ID

if TYPE_CHECKING:
    from app.sync.client import SyncClient, SyncReport

log = logging.getLogger(__name__)

EPOCH_KEY = "scope_epoch"
# Set at enrolment, cleared once the laptop holds only its scope (:func:`after_enrolment`).
ENROLLED_KEY = "scope_unchecked_since_enrolment"
MAX_KEY_LINES = 1_000_000
_CHUNK = 500


class KeysRefused(ValueError):
    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class ScopeKeys:
    epoch: int
    tables: tuple[str, ...]
    keys: dict[str, set[str]]


def parse_keys(raw: bytes) -> ScopeKeys:
    """The answer of ``GET /scope/keys`` (JSON lines), checked."""
    lines = raw.splitlines()
    if not lines or len(lines) > MAX_KEY_LINES:
        raise KeysRefused("scope keys: empty or unbounded answer")
    try:
        head = json.loads(lines[0])
        epoch, tables = head["epoch"], head["tables"]
        if isinstance(epoch, bool) or not isinstance(epoch, int) or not 0 <= epoch < 2**62:
            raise KeysRefused("scope keys: epoch")
        known = set(synced_tables())
        if not isinstance(tables, list) or not all(isinstance(t, str) for t in tables):
            raise KeysRefused("scope keys: tables")
        keys: dict[str, set[str]] = defaultdict(set)
        for line in lines[1:]:
            item = json.loads(line)
            table, ids = item["table"], item["ids"]
            if table not in known or not isinstance(ids, list):
                raise KeysRefused(f"scope keys: table {str(table)[:60]!r}")
            for row_id in ids:
                if not isinstance(row_id, str) or not ROW_ID.match(row_id):
                    raise KeysRefused("scope keys: row id")
                keys[table].add(row_id)
    except (ValueError, KeyError, TypeError, RecursionError) as exc:
        if isinstance(exc, KeysRefused):
            raise
        raise KeysRefused(f"scope keys: malformed ({type(exc).__name__})") from None
    return ScopeKeys(epoch, tuple(t for t in tables if t in known), dict(keys))


def archive(conn: Connection) -> dict[str, set[str]]:
    """The legal archive of this device's own series: kept whatever the siège says."""
    out: dict[str, set[str]] = defaultdict(set)
    me = conn.execute(select(table_of(DeviceIdentity).c.device_id)).scalar()
    if me is None:
        return out
    series, invoice = Base.metadata.tables["invoice_series"], Base.metadata.tables["invoice"]
    own = select(series.c.id).where(series.c.device_id == me)
    for inv_id, person_id, client_id in conn.execute(
        select(invoice.c.id, invoice.c.entrepreneur_id, invoice.c.client_id).where(
            invoice.c.series_id.in_(own)
        )
    ):
        out["invoice"].add(inv_id)
        out["person"].add(person_id)
        if client_id:
            out["client"].add(client_id)
    invoices = sorted(out["invoice"])
    for name in ("invoice_line", "payment", "invoice_pa_status"):
        if name not in Base.metadata.tables:
            continue
        t = Base.metadata.tables[name]
        for start in range(0, len(invoices), _CHUNK):
            chunk = invoices[start : start + _CHUNK]
            out[name].update(
                conn.execute(select(t.c.id).where(t.c.invoice_id.in_(chunk))).scalars()
            )
    return out


def evict(conn: Connection, scope: ScopeKeys) -> tuple[int, int]:
    """Delete rows of the evictable tables outside ``scope``; returns (evicted, kept
    because an edit waits in the outbox). Runs in the caller's transaction, with links
    relaxed (app/sync/apply.py ``relaxed_links``)."""
    ob = table_of(OutboxEntry)
    waiting: dict[str, set[str]] = defaultdict(set)
    for table_name, row_id in conn.execute(select(ob.c.table_name, ob.c.row_id)):
        waiting[table_name].add(row_id)
    kept = archive(conn)
    conn.execute(text("CREATE TEMP TABLE IF NOT EXISTS scope_keep (row_id TEXT PRIMARY KEY)"))
    fc = table_of(FieldClock)
    evicted = held_back = 0
    try:
        for name in scope.tables:
            table = Base.metadata.tables[name]
            conn.execute(text("DELETE FROM scope_keep"))
            ids = sorted(scope.keys.get(name, ()))
            if ids:
                conn.execute(
                    text("INSERT OR IGNORE INTO scope_keep (row_id) VALUES (:i)"),
                    [{"i": i} for i in ids],
                )
            outside = [
                str(i)
                for i in conn.execute(
                    text(
                        f"SELECT id FROM {table.name} WHERE id NOT IN (SELECT row_id FROM scope_keep)"
                    )
                ).scalars()
            ]
            gone = [i for i in outside if i not in waiting[name] and i not in kept[name]]
            held_back += sum(1 for i in outside if i in waiting[name])
            for start in range(0, len(gone), _CHUNK):
                chunk = gone[start : start + _CHUNK]
                conn.execute(delete(table).where(table.c.id.in_(chunk)))
                conn.execute(delete(fc).where(fc.c.table_name == name, fc.c.row_id.in_(chunk)))
            if gone:
                log.info("evicted %d row(s) of %s outside this device's scope", len(gone), name)
            evicted += len(gone)
    finally:
        conn.execute(text("DROP TABLE IF EXISTS scope_keep"))
    return evicted, held_back


def page_epoch(body: Any) -> int:
    """The scope epoch a page of changes carries (0 from an older siège)."""
    epoch = body.get("scope_epoch", 0) if isinstance(body, dict) else 0
    if isinstance(epoch, bool) or not isinstance(epoch, int) or not 0 <= epoch < 2**62:
        raise KeysRefused(f"scope_epoch: non-negative integer expected, got {str(epoch)[:40]!r}")
    return epoch


def run(client: SyncClient) -> int:
    """Read the keys of this device's scope and evict the rest; records the epoch unless
    an unsent edit held a row back (the next sync looks again). Returns rows evicted."""
    return _run(client)[0]


# Every row a scope can leave out is one of these or hangs off one by a foreign key
# (docs/sync.md, "Scopes"): when all three are empty, the profile holds nothing to evict.
SCOPED_ROOTS = ("person", "activity", "invoice")


def note_enrolment(conn: Connection) -> None:
    """The laptop has just enrolled: its next sync ends by evicting what lies outside
    its scope (:func:`after_enrolment`). A new laptop holding no record yet has nothing
    to evict; it skips the look, which reads every key of its scope (seconds on a
    region)."""
    from app.sync.apply import set_state

    held = any(
        conn.exec_driver_sql(f"SELECT 1 FROM {table} LIMIT 1").first() is not None
        for table in SCOPED_ROOTS
    )
    if held:
        set_state(conn, ENROLLED_KEY, "1")


def after_enrolment(client: SyncClient, report: SyncReport) -> SyncReport:
    """At the end of the first sync after enrolment (pushed, then pulled): evict the rows
    outside this device's scope, as when its scope narrows. Looked at again at the next
    sync while an unsent edit holds a row back. Returns the report with the rows evicted
    added."""
    from app.sync.apply import get_state, set_state

    with client.engine.connect() as conn:
        if get_state(conn, ENROLLED_KEY, "") != "1":
            return report
    evicted, held_back = _run(client)
    client.evicted += evicted
    if not held_back:
        with client.engine.begin() as conn:
            set_state(conn, ENROLLED_KEY, "")
    if evicted:
        log.info("first sync after enrolment: %d row(s) outside the scope evicted", evicted)
    return dataclasses.replace(report, evicted=report.evicted + evicted)


def _run(client: SyncClient) -> tuple[int, int]:
    """(rows evicted, rows held back by an unsent edit)."""
    from app.sync.apply import relaxed_links, set_state
    from app.sync.client import SyncError, _bad
    from app.sync.transport import request

    response = request(client.http, "GET", "/scope/keys")
    if response.status_code == 404:
        return 0, 0  # a siège older than eviction: nothing is evicted
    if response.status_code != 200:
        raise SyncError("bad_response", status=response.status_code)
    try:
        scope = parse_keys(response.content)
    except KeysRefused as exc:
        raise _bad(exc.reason) from None
    with relaxed_links(client.engine) as conn:
        evicted, held_back = evict(conn, scope)
        if not held_back:
            set_state(conn, EPOCH_KEY, str(scope.epoch))
    if held_back:
        log.info("%d row(s) outside the scope kept until their edits are sent", held_back)
    return evicted, held_back

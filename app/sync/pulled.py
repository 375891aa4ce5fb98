"""What the laptop accepts from the siège (docs/sync.md, "The laptop checks too").

The siège is trusted to order changes, not to be right: a buggy, out-of-date or
compromised siège must not be able to rewrite an issued invoice on this laptop, make it
open a file outside its profile, push its clock a year ahead or loop it forever.

Two levels:
- a whole answer with the wrong shape (cursor going backwards or beyond the siège's own
  last sequence, a page larger than asked for, non-integers, a clock from another era)
  is refused as a whole: :class:`PullRefused` → ``SyncError("bad_response")``; nothing
  of the page is applied and the cursor does not move;
- a row that breaks a rule (unknown table or field, a value that does not fit its
  column, a stamp far in the siège's future, a change to an issued invoice, an unsafe
  ``pdf_path``) is left out, logged, and listed as a :class:`RowRefusal`; the other rows
  of the page are applied.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from app.invoicing.storage import is_safe_relative
from app.models.base import Base
from app.sync.codec import CodecError, decode_value, table_specs
from app.sync.hlc import STAMP_LEN, WALL_HEX
from app.sync.protocol import (
    ISSUED_STATUS,
    MAX_PAGE,
    ROW_ID,
    Conflict,
    ProtocolError,
    Row,
)

log = logging.getLogger(__name__)

STAMP = re.compile(f"[0-9a-f]{{{STAMP_LEN}}}")

# A stamp more than this ahead of the siège's own clock cannot come from a device the
# siège accepted (it clamps pushed stamps to a few minutes): the row is refused.
MAX_CLOCK_AHEAD_MS = 24 * 3600 * 1000
# The siège's clock must at least be in this window to be believed at all.
EARLIEST_SERVER_MS = 1_577_836_800_000  # 2020-01-01
LATEST_SERVER_MS = 4_102_444_800_000  # 2100-01-01
MAX_CONFLICTS_PER_PAGE = 10 * MAX_PAGE
# Fields of an issued invoice a pull may fill, once, while empty here.
FILL_ONCE = frozenset({"pdf_path", "pdf_sha256"})
# Bookkeeping fields that may differ on an issued invoice without meaning a rewrite;
# they are never applied to it either (an issued row does not change locally at all).
BOOKKEEPING = frozenset({"updated_at", "updated_by", "search_key"})


class PullRefused(ValueError):
    """A whole answer refused; ``reason`` in English for the log."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class RowRefusal:
    table: str
    row_id: str
    reason: str


@dataclass(frozen=True)
class CheckedRow(Row):
    """A row that passed the checks, with its values decoded once (app/sync/apply.py
    applies them without decoding again). Never sent: not part of the protocol."""

    decoded: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Page:
    rows: list[Row]
    conflicts: list[Conflict]
    next_cursor: int
    has_more: bool
    last_seq: int


def _int(body: dict[str, Any], key: str) -> int:
    value = body.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**62:
        raise PullRefused(f"{key}: non-negative integer expected, got {str(value)[:40]!r}")
    return value


def check_server_time(body: dict[str, Any]) -> int:
    server_ms = body.get("server_time_ms")
    if (
        isinstance(server_ms, bool)
        or not isinstance(server_ms, int)
        or not EARLIEST_SERVER_MS <= server_ms <= LATEST_SERVER_MS
    ):
        raise PullRefused(f"server_time_ms: absurd value {str(server_ms)[:40]!r}")
    return server_ms


def check_last_op(body: dict[str, Any]) -> int:
    device = body.get("device", {})
    if not isinstance(device, dict):
        raise PullRefused("device: object expected")
    return _int({"last_op": device.get("last_op", 0)}, "last_op")


def check_page(body: dict[str, Any], after: int, limit: int, previous_last: int) -> Page:
    """A page of ``/changes`` after cursor ``after``: it must move forward (or end), stay
    within the siège's own sequence, and hold no more rows than asked for."""
    next_cursor, last_seq = _int(body, "next_cursor"), _int(body, "last_seq")
    has_more = body.get("has_more")
    if not isinstance(has_more, bool):
        raise PullRefused("has_more: boolean expected")
    if last_seq < previous_last:
        raise PullRefused(f"last_seq went backwards ({previous_last} -> {last_seq})")
    if next_cursor > last_seq:
        raise PullRefused(f"next_cursor {next_cursor} beyond last_seq {last_seq}")
    if next_cursor < after or (has_more and next_cursor == after):
        # The same page again would be asked for ever.
        raise PullRefused(f"next_cursor {next_cursor} does not move past {after}")
    raw_rows, raw_conflicts = body.get("rows"), body.get("conflicts", [])
    if not isinstance(raw_rows, list) or not isinstance(raw_conflicts, list):
        raise PullRefused("rows and conflicts: lists expected")
    if len(raw_rows) > limit:
        raise PullRefused(f"{len(raw_rows)} rows on a page of {limit}")
    if len(raw_conflicts) > MAX_CONFLICTS_PER_PAGE:
        raise PullRefused(f"{len(raw_conflicts)} conflicts on one page")
    try:
        rows = [Row.from_json(r) for r in raw_rows]
        conflicts = [Conflict.from_json(c) for c in raw_conflicts]
    except ProtocolError as exc:
        raise PullRefused(exc.reason) from None
    for row in rows:
        if not after < row.seq <= next_cursor:
            raise PullRefused(f"row seq {row.seq} outside ({after}, {next_cursor}]")
    for found in conflicts:
        if not after < found.seq <= next_cursor:
            raise PullRefused(f"conflict seq {found.seq} outside ({after}, {next_cursor}]")
    return Page(rows, conflicts, next_cursor, has_more, last_seq)


def check_rows(raw_rows: Any) -> list[Row]:
    """Rows sent back with a push answer (the siège's state of rows it refused or forked)."""
    if not isinstance(raw_rows, list) or len(raw_rows) > MAX_PAGE * 10:
        raise PullRefused("server_rows: bounded list expected")
    try:
        return [Row.from_json(r) for r in raw_rows]
    except ProtocolError as exc:
        raise PullRefused(exc.reason) from None


def screen(
    conn: Connection,
    rows: list[Row],
    server_ms: int,
    *,
    replaceable: frozenset[str] = frozenset(),
) -> tuple[list[Row], list[RowRefusal]]:
    """Split rows into those to apply and those refused (each logged with its reason).

    ``replaceable``: invoice ids whose local issued copy the siège just forked (a double
    issue): the siège's row replaces it, the local issue lives on under its new id.
    """
    kept: list[Row] = []
    refused: list[RowRefusal] = []
    issued = _local_issued(conn, rows)
    for row in rows:
        reason, values = _judge(row, server_ms, issued, replaceable)
        if reason is None:
            frozen = issued.get((row.table, row.row_id))
            if frozen is None or row.row_id in replaceable:
                kept.append(
                    CheckedRow(row.seq, row.table, row.row_id, row.values, row.clocks, values)
                )
            elif fill := {
                k: v for k, v in row.values.items() if k in FILL_ONCE and not frozen.get(k)
            }:
                clocks = {k: v for k, v in row.clocks.items() if k in fill}
                kept.append(Row(row.seq, row.table, row.row_id, fill, clocks))
            continue
        log.warning("row %r/%r from the siège refused: %s", row.table[:60], row.row_id[:60], reason)
        refused.append(RowRefusal(row.table[:60], row.row_id[:60], reason))
    return kept, refused


def _judge(
    row: Row,
    server_ms: int,
    issued: dict[tuple[str, str], dict[str, Any]],
    replaceable: frozenset[str],
) -> tuple[str | None, dict[str, Any]]:
    """(why the row is refused or None, its values decoded)."""
    values: dict[str, Any] = {}
    spec = table_specs().get(row.table)
    if spec is None:
        return "unknown_table", values
    if not ROW_ID.match(row.row_id):
        return "bad_row_id", values
    path = row.values.get("pdf_path") if row.table == "invoice" else None
    if isinstance(path, str) and path and not is_safe_relative(path):
        return "unsafe_path", values
    for name, raw in row.values.items():
        col = spec.columns.get(name)
        if col is None:
            return "unknown_field", values
        try:
            values[name] = decode_value(col, raw)
        except CodecError:
            return "bad_value", values
    if not row.clocks.keys() <= spec.columns.keys():
        return "unknown_field", values
    # A row's fields mostly share one stamp: each distinct one is checked once.
    for stamp in set(row.clocks.values()):
        if not STAMP.fullmatch(stamp):
            return "bad_clock", values
        if int(stamp[:WALL_HEX], 16) > server_ms + MAX_CLOCK_AHEAD_MS:
            return "clock_in_future", values
    if row.table == "invoice":
        local = issued.get(("invoice", row.row_id))
        if local is not None and row.row_id not in replaceable:
            return _issued_invoice_change(local, values), values
    if row.table == "invoice_line":
        return _issued_line_change(row.row_id, values, issued), values
    return None, values


def _issued_invoice_change(local: dict[str, Any], values: dict[str, Any]) -> str | None:
    for name, value in values.items():
        if name in BOOKKEEPING or local.get(name) == value:
            continue
        if name in FILL_ONCE and not local.get(name):
            continue
        return "issued_invoice_immutable"
    return None


def _issued_line_change(
    row_id: str, values: dict[str, Any], issued: dict[tuple[str, str], dict[str, Any]]
) -> str | None:
    local = issued.get(("invoice_line", row_id))
    if local is not None:
        if any(local.get(n) != v for n, v in values.items() if n not in BOOKKEEPING):
            return "issued_invoice_immutable"
        return None
    parent = issued.get(("invoice", str(values.get("invoice_id"))))
    if parent is None:
        return None
    # A line new here for an invoice issued here: it may be one this laptop had not yet
    # received (the invoice came on the page before), but only if it existed before the
    # issue; a line created afterwards would change a frozen invoice.
    created, issued_at = values.get("created_at"), parent.get("issued_at")
    if (
        isinstance(created, dt.datetime)
        and isinstance(issued_at, dt.datetime)
        and created <= issued_at
    ):
        return None
    return "issued_invoice_immutable"


def _local_issued(conn: Connection, rows: list[Row]) -> dict[tuple[str, str], dict[str, Any]]:
    """Local issued invoices (and their lines) that the rows may touch."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        if row.table == "invoice":
            wanted["invoice"].add(row.row_id)
        elif row.table == "invoice_line":
            wanted["line"].add(row.row_id)
            if isinstance(row.values.get("invoice_id"), str):
                wanted["invoice"].add(row.values["invoice_id"])
    if not wanted:
        return {}
    invoice = Base.metadata.tables["invoice"]
    line = Base.metadata.tables["invoice_line"]
    out: dict[tuple[str, str], dict[str, Any]] = {}
    # Primary-key look-ups only, the status filtered here: a join or a status filter in
    # SQL lets SQLite walk every issued invoice for each page (a first sync slowed down
    # as the laptop filled up).
    lines: dict[str, dict[str, Any]] = {}
    wanted_lines = sorted(wanted["line"])
    for start in range(0, len(wanted_lines), 500):
        for found in conn.execute(
            select(line).where(line.c.id.in_(wanted_lines[start : start + 500]))
        ).mappings():
            lines[found["id"]] = dict(found)
            wanted["invoice"].add(found["invoice_id"])
    invoices = sorted(wanted["invoice"])
    for start in range(0, len(invoices), 500):
        for found in conn.execute(
            select(invoice).where(invoice.c.id.in_(invoices[start : start + 500]))
        ).mappings():
            if found["status"] == ISSUED_STATUS:
                out[("invoice", found["id"])] = dict(found)
    for line_id, held in lines.items():
        if ("invoice", held["invoice_id"]) in out:
            out[("invoice_line", line_id)] = held
    return out

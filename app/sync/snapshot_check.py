"""What a snapshot file must be before any of it enters the laptop's database (docs/sync.md,
"First sync from a snapshot").

The laptop never trusts the file beyond what it could get from pages of changes: every
row of a page goes through the codec (app/sync/codec.py) and the pulled-row checks
(app/sync/pulled.py). Here the same constraints are asked of whole columns in SQL, one
scan per table, instead of a Python call per value. Two halves: the structure
(:func:`check_structure`, cheap, before the copy reads the file's names) and the values
(:func:`check_values`, the whole file, which app/sync/snapshot.py runs beside the copy;
the copy commits only once they passed):

- the file holds only the tables and columns a page could name (a whitelist of the
  laptop's synced tables, their synced columns, and ``_clock``/``_conflict``/``_meta``),
  no view, trigger, index or generated column: nothing runs when it is read, and the
  copy names its columns, so the file's declared types do not matter;
- every value has its column's storage type (``typeof``) and the codec's bounds: NOT
  NULL, text lengths, integer ranges (app/sync/limits.py), booleans 0/1, dates and
  times in the form SQLAlchemy writes, that exist, in the codec's date window, SHA-256
  digests as 64 hex digits, bytes under the codec's size; ids as the protocol's UUIDs;
- text is valid UTF-8 without NUL (what a JSON page decoded by Python can carry): each
  text column of a batch of rows read as one string, which Python's decoder checks in
  one C pass;
- an invoice's ``pdf_path`` is a safe relative path under documents/ (few values: the
  same Python checks as a page);
- clocks are stamps of the protocol's shape, for tracked fields, not from a day ahead
  of the siège's clock; conflicts are at or before the snapshot's cursor; the file is
  not damaged (``quick_check``).

That is what a page's checks refuse, row by row; here a file breaking any of them is
refused whole (the laptop falls back to pages of changes, which refuse the bad rows one
by one). An issued invoice already on this laptop is not overwritten by the copy: rows
the laptop already holds go through the pulled-row checks themselves
(app/sync/snapshot_copy.py).
"""

from __future__ import annotations

import re
import sqlite3
from typing import Any

from app.invoicing.storage import is_safe_relative
from app.sync import limits
from app.sync.codec import MAX_BYTES, MAX_TEXT, ColumnSpec, table_specs
from app.sync.hlc import STAMP_LEN, WALL_HEX
from app.sync.pulled import MAX_CLOCK_AHEAD_MS

CLOCK_TABLE, CONFLICT_TABLE, META_TABLE = "_clock", "_conflict", "_meta"
FORMAT = 1
HEX = "[0-9a-f]"
# Row ids (the protocol's UUIDs) and stamps, for a batch's values joined by newlines,
# matched whole in one C call: SQLite's GLOB of 32 to 36 character classes costs about
# 0.7 µs a value, most of the clocks' check (660,000 clocks: 0.9 s of 1.05 s).
_UUID = "-".join(f"[0-9a-f]{{{n}}}" for n in (8, 4, 4, 4, 12))
_STAMP = f"[0-9a-f]{{{STAMP_LEN}}}"
UUIDS = re.compile(f"{_UUID}(?:\n{_UUID})*")
STAMPS = re.compile(f"{_STAMP}(?:\n{_STAMP})*")
DATE_GLOB = "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"
TIME_GLOB = "[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]"
# Rows read per query, in rowid order: one query a batch answers whether a row breaks a
# column rule and returns the batch's text as one string (bounded memory, and short
# calls into C: the decode holds the GIL, which the GUI thread waits on).
BATCH = 2_000
LOWEST_ROWID, HIGHEST_ROWID = -(2**63), 2**63 - 1


class FileRefused(ValueError):
    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


def check(db: sqlite3.Connection, cursor: int, server_ms: int) -> str:
    """Refuse (FileRefused) a file that breaks a rule; returns its newest stamp."""
    newest = check_structure(db, cursor, server_ms)
    check_values(db, cursor, server_ms)
    return newest


def check_structure(db: sqlite3.Connection, cursor: int, server_ms: int) -> str:
    """What the copy relies on to read the file at all (it names the file's tables and
    columns): the whitelist of tables and columns, nothing that runs or hides, ``_meta``.
    Reads the schema and ``_meta`` only; returns the newest stamp."""
    db.execute("PRAGMA trusted_schema = OFF")
    specs = table_specs()
    present = _tables(db)
    if {CLOCK_TABLE, CONFLICT_TABLE, META_TABLE} - present:
        raise FileRefused("bookkeeping tables missing")
    for table in present & set(specs):
        columns(db, table)
    meta = dict(db.execute(f"SELECT key, value FROM {META_TABLE}").fetchall())
    if meta.get("format") != str(FORMAT) or meta.get("cursor") != str(cursor):
        raise FileRefused("format or cursor")
    newest = str(meta.get("newest_stamp", ""))
    if newest and not _stamp_ok(newest, server_ms):
        raise FileRefused("newest_stamp")
    return newest


def check_values(db: sqlite3.Connection, cursor: int, server_ms: int) -> None:
    """Every value against its column's rules, clocks and conflicts; a damaged file is
    refused too. Reads the whole file: what app/sync/snapshot.py runs beside the copy
    (the schema is read again here, so this half holds on its own)."""
    db.execute("PRAGMA trusted_schema = OFF")
    if db.execute("PRAGMA quick_check").fetchone() != ("ok",):
        raise FileRefused("damaged file")
    specs = table_specs()
    for table in sorted(_tables(db) & set(specs)):
        _check_table(db, table, columns(db, table))
    _check_clocks(db, server_ms)
    _check_conflicts(db, cursor)


def _tables(db: sqlite3.Connection) -> set[str]:
    """The file's tables, each one the laptop's (or bookkeeping); nothing else in it."""
    allowed = {*table_specs(), CLOCK_TABLE, CONFLICT_TABLE, META_TABLE}
    present = set()
    for kind, name in db.execute("SELECT type, name FROM sqlite_master"):
        if kind == "index" and str(name).startswith("sqlite_autoindex_"):
            continue
        if kind != "table" or name not in allowed:
            raise FileRefused(f"unexpected {kind} {str(name)[:60]!r}")
        present.add(str(name))
    return present


def columns(db: sqlite3.Connection, table: str) -> list[str]:
    """The file's columns of ``table``; each one the laptop's, none generated or hidden."""
    spec = table_specs()[table]
    found = []
    for row in db.execute(f'PRAGMA table_xinfo("{table}")'):
        name, hidden = str(row[1]), int(row[6])
        if hidden or (name != "id" and name not in spec.columns):
            raise FileRefused(f"column {table}.{name[:60]}")
        found.append(name)
    if "id" not in found or spec.required - set(found):
        raise FileRefused(f"columns of {table} missing")
    return found


def _check_table(db: sqlite3.Connection, table: str, names: list[str]) -> None:
    """One scan of ``table`` in rowid order (its own b-tree: the rows the copy reads), a
    batch of rows per query: whether a row breaks a column rule (CASE WHEN: SQLite stops
    at the first true term), and each text column as one string, which Python's decoder
    checks in one C pass (invalid UTF-8 or an encoded surrogate raises). Values are
    joined by a newline, which ends any byte sequence, so two halves of a character
    never pass for one."""
    spec = table_specs()[table]
    # The ids' shape is matched below, on the batch's ids as one string (the first text);
    # their length here, so that no value holding a newline passes for two.
    broken = ["typeof(id) != 'text' OR length(id) != 36"]
    broken += [_broken(spec.columns[n]) for n in names if n != "id"]
    texts = ['"id"'] + [
        f'"{n}"' for n in names if n != "id" and spec.columns[n].kind in ("str", "text")
    ]
    query = (
        f"SELECT max(r), max(bad), {', '.join(f'group_concat({t}, char(10))' for t in texts)}"
        f" FROM (SELECT rowid AS r, CASE WHEN {' OR '.join(f'({b})' for b in broken)}"
        f' THEN 1 END AS bad, {", ".join(texts)} FROM "{table}"'
        f" WHERE rowid >= ? ORDER BY rowid LIMIT {BATCH})"
    )
    start = LOWEST_ROWID
    while True:
        try:
            last, bad, *text = db.execute(query, (start,)).fetchone()
        except db.OperationalError:
            # Text that does not decode (or a table without rowids: not the siège's).
            raise FileRefused(f"text of {table} is not UTF-8") from None
        if last is None:
            break
        if bad:
            raise FileRefused(f"row of {table} breaks a column rule")
        if any("\x00" in t for t in text if t):
            raise FileRefused(f"NUL character in {table}")
        if not UUIDS.fullmatch(text[0] or ""):
            raise FileRefused(f"row id of {table}")
        if last == HIGHEST_ROWID:
            break
        start = last + 1
    if table == "invoice" and "pdf_path" in names:
        for (path,) in db.execute("SELECT pdf_path FROM invoice WHERE pdf_path != ''"):
            if not (limits.is_document_path(path) and is_safe_relative(path)):
                raise FileRefused("unsafe pdf_path")


def _broken(col: ColumnSpec) -> str:
    """A SQL condition true when a value breaks what the codec asks of ``col``. Written
    for a jump context (WHERE, CASE WHEN: SQLite stops at the first true term): a value
    of another storage type (NULL too, when the column is NOT NULL) is caught by typeof,
    and every other term is NULL, so not true, for a NULL."""
    c = f'"{col.name}"'
    kind = col.kind
    if kind in ("str", "text"):
        storage = "text"
        rule = f"length({c}) > {col.max_length or MAX_TEXT}"
        if col.shape == "sha256":
            rule += f" OR ({c} != '' AND {c} NOT GLOB '{HEX * 64}')"
    elif kind in ("int", "bool"):
        storage = "integer"
        low, high = (0, 1) if kind == "bool" else col.int_range or (-(2**63), 2**63 - 1)
        rule = f"{c} < {low} OR {c} > {high}"
    elif kind == "bytes":
        storage = "blob"
        rule = f"length({c}) > {MAX_BYTES}"
    elif kind == "time":
        # The glob bounds minutes and seconds; hours stop at 23 (as Python's time does).
        storage = "text"
        rule = f"{c} NOT GLOB '{TIME_GLOB}' OR substr({c}, 1, 2) > '23'"
    else:  # date, datetime: SQLAlchemy's form, in the window, a real day and time
        storage = "text"
        form = DATE_GLOB if kind == "date" else f"{DATE_GLOB} {TIME_GLOB}"
        rule = f"{c} NOT GLOB '{form}' OR {_day_broken(c)}"
        if kind == "datetime":
            rule += f" OR substr({c}, 12, 2) > '23'"
    types = f"'null', '{storage}'" if col.nullable else f"'{storage}'"
    return f"typeof({c}) NOT IN ({types}) OR {rule}"


def _day_broken(c: str) -> str:
    """For a value of the date glob's form: its day outside the codec's window or not a
    real one. SQLite's date() normalises an impossible day ('02-30' + 0 days is '03-02');
    it is asked only of days past the 28th or months outside 01-12, since any month has
    days 01 to 28 (date() is the costly part of the checks)."""
    day = f"substr({c}, 1, 10)"
    return (
        f"{day} < '{limits.MIN_DATE.isoformat()}' OR {day} > '{limits.MAX_DATE.isoformat()}'"
        f" OR ((substr({c}, 6, 2) NOT BETWEEN '01' AND '12'"
        f" OR substr({c}, 9, 2) NOT BETWEEN '01' AND '28')"
        f" AND date({day}, '+0 days') IS NOT {day})"
    )


def _stamp_ok(stamp: Any, server_ms: int) -> bool:
    return (
        isinstance(stamp, str)
        and len(stamp) == STAMP_LEN
        and all(ch in "0123456789abcdef" for ch in stamp)
        and int(stamp[:WALL_HEX], 16) <= server_ms + MAX_CLOCK_AHEAD_MS
    )


def _check_clocks(db: sqlite3.Connection, server_ms: int) -> None:
    """One scan in rowid order, a batch at a time: each stamp of the protocol's shape, not
    a day ahead of the siège, for a row id, of a field the laptop keeps clocks for
    (``tracked``). The stamps' and row ids' shapes are matched on each batch's values
    joined by newlines (NULLs, which group_concat skips, are caught by typeof, and a
    value holding a newline by its length)."""
    ahead = f"{server_ms + MAX_CLOCK_AHEAD_MS:0{WALL_HEX}x}"
    fields = ", ".join(
        f"('{table}', '{name}')"
        for table, spec in sorted(table_specs().items())
        for name, col in spec.columns.items()
        if col.tracked
    )
    known = f"(table_name, field) IN (VALUES {fields})" if fields else "0"
    query = (
        "SELECT max(r), max(bad), group_concat(hlc, char(10)), group_concat(row_id, char(10))"
        " FROM (SELECT rowid AS r, CASE WHEN typeof(hlc) != 'text'"
        f" OR length(hlc) != {STAMP_LEN} OR substr(hlc, 1, {WALL_HEX}) > ?"
        " OR typeof(row_id) != 'text' OR length(row_id) != 36"
        f" OR typeof(table_name) != 'text' OR typeof(field) != 'text' OR NOT {known}"
        f" THEN 1 END AS bad, hlc, row_id FROM {CLOCK_TABLE}"
        f" WHERE rowid >= ? ORDER BY rowid LIMIT {BATCH})"
    )
    start = LOWEST_ROWID
    while True:
        try:
            last, bad, stamps, row_ids = db.execute(query, (ahead, start)).fetchone()
        except db.OperationalError:
            raise FileRefused("clock text is not UTF-8") from None
        if last is None:
            return
        if bad or not STAMPS.fullmatch(stamps or "") or not UUIDS.fullmatch(row_ids or ""):
            raise FileRefused("clock")
        if last == HIGHEST_ROWID:
            return
        start = last + 1


def _check_conflicts(db: sqlite3.Connection, cursor: int) -> None:
    bad = db.execute(
        f"SELECT 1 FROM {CONFLICT_TABLE} WHERE typeof(seq) != 'integer' OR seq < 1 OR seq > ?"
        " LIMIT 1",
        (cursor,),
    ).fetchone()
    if bad is not None:
        raise FileRefused("conflict after the snapshot's cursor")

"""What a snapshot file must be before any of it enters the laptop's database (docs/sync.md,
"First sync from a snapshot").

The laptop never trusts the file beyond what it could get from pages of changes: every
row of a page goes through the codec (app/sync/codec.py) and the pulled-row checks
(app/sync/pulled.py). Here the same constraints are asked of whole columns in SQL, one
query per table, instead of a Python call per value:

- the file holds only the tables and columns a page could name (a whitelist of the
  laptop's synced tables, their synced columns, and ``_clock``/``_conflict``/``_meta``),
  no view, trigger, index or generated column: nothing runs when it is read, and the
  copy names its columns, so the file's declared types do not matter;
- every value has its column's storage type (``typeof``) and the codec's bounds: NOT
  NULL, text lengths, integer ranges (app/sync/limits.py), booleans 0/1, dates and
  times in the form SQLAlchemy writes and the codec's date window, SHA-256 digests as
  64 hex digits, bytes under the codec's size; ids as the protocol's UUIDs;
- text is valid UTF-8 without NUL (what a JSON page decoded by Python can carry): read
  per column as one long string, which Python's decoder checks in one C pass;
- an invoice's ``pdf_path`` is a safe relative path under documents/ (few values: the
  same Python checks as a page);
- clocks are stamps of the protocol's shape, for synced fields, not from a day ahead of
  the siège's clock; conflicts are at or before the snapshot's cursor.

That is what a page's checks refuse, row by row; here a file breaking any of them is
refused whole (the laptop falls back to pages of changes, which refuse the bad rows one
by one). An issued invoice already on this laptop is not overwritten by the copy: rows
the laptop already holds go through the pulled-row checks themselves
(app/sync/snapshot_copy.py).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

from app.invoicing.storage import is_safe_relative
from app.sync import limits
from app.sync.codec import MAX_BYTES, MAX_TEXT, ColumnSpec, table_specs
from app.sync.hlc import STAMP_LEN, WALL_HEX
from app.sync.pulled import MAX_CLOCK_AHEAD_MS

CLOCK_TABLE, CONFLICT_TABLE, META_TABLE = "_clock", "_conflict", "_meta"
FORMAT = 1
HEX = "[0-9a-f]"
UUID_GLOB = "-".join(HEX * n for n in (8, 4, 4, 4, 12))
STAMP_GLOB = HEX * STAMP_LEN
DATE_GLOB = "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"
TIME_GLOB = "[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]"
# Text columns read as one string per batch of rows: bounded memory, and short calls
# into C (the decode holds the GIL; the GUI thread waits on it).
TEXT_BATCH = 2_000


class FileRefused(ValueError):
    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


def check(db: sqlite3.Connection, cursor: int, server_ms: int) -> str:
    """Refuse (FileRefused) a file that breaks a rule; returns its newest stamp."""
    db.execute("PRAGMA trusted_schema = OFF")
    if db.execute("PRAGMA quick_check").fetchone() != ("ok",):
        raise FileRefused("damaged file")
    specs = table_specs()
    allowed = {*specs, CLOCK_TABLE, CONFLICT_TABLE, META_TABLE}
    present = set()
    for kind, name in db.execute("SELECT type, name FROM sqlite_master"):
        if kind == "index" and str(name).startswith("sqlite_autoindex_"):
            continue
        if kind != "table" or name not in allowed:
            raise FileRefused(f"unexpected {kind} {str(name)[:60]!r}")
        present.add(name)
    if {CLOCK_TABLE, CONFLICT_TABLE, META_TABLE} - present:
        raise FileRefused("bookkeeping tables missing")
    meta = dict(db.execute(f"SELECT key, value FROM {META_TABLE}").fetchall())
    if meta.get("format") != str(FORMAT) or meta.get("cursor") != str(cursor):
        raise FileRefused("format or cursor")
    for table in sorted(present & set(specs)):
        _check_table(db, table, columns(db, table))
    _check_clocks(db, server_ms)
    _check_conflicts(db, cursor)
    newest = str(meta.get("newest_stamp", ""))
    if newest and not _stamp_ok(newest, server_ms):
        raise FileRefused("newest_stamp")
    return newest


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
    spec = table_specs()[table]
    broken = [f"typeof(id) != 'text' OR id NOT GLOB '{UUID_GLOB}'"]
    broken += [_broken(spec.columns[n]) for n in names if n != "id"]
    found = db.execute(
        f'SELECT id FROM "{table}" WHERE {" OR ".join(f"({b})" for b in broken)} LIMIT 1'
    ).fetchone()
    if found is not None:
        raise FileRefused(f"row of {table} breaks a column rule")
    texts = [n for n in names if n == "id" or spec.columns[n].kind in ("str", "text")]
    for batch in _text_batches(db, table, texts):
        if "\x00" in batch:
            raise FileRefused(f"NUL character in {table}")
    if table == "invoice" and "pdf_path" in names:
        for (path,) in db.execute("SELECT pdf_path FROM invoice WHERE pdf_path != ''"):
            if not (limits.is_document_path(path) and is_safe_relative(path)):
                raise FileRefused("unsafe pdf_path")


def _broken(col: ColumnSpec) -> str:
    """A SQL condition true when a value breaks what the codec asks of ``col``."""
    c = f'"{col.name}"'
    null = f"{c} IS NULL" if not col.nullable else "0"
    kind = col.kind
    if kind in ("str", "text"):
        rule = f"typeof({c}) != 'text' OR length({c}) > {col.max_length or MAX_TEXT}"
        if col.shape == "sha256":
            rule += f" OR ({c} != '' AND {c} NOT GLOB '{HEX * 64}')"
    elif kind == "int":
        low, high = col.int_range or (-(2**63), 2**63 - 1)
        rule = f"typeof({c}) != 'integer' OR {c} < {low} OR {c} > {high}"
    elif kind == "bool":
        rule = f"typeof({c}) != 'integer' OR {c} NOT IN (0, 1)"
    elif kind == "bytes":
        rule = f"typeof({c}) != 'blob' OR length({c}) > {MAX_BYTES}"
    elif kind == "time":
        rule = f"typeof({c}) != 'text' OR {c} NOT GLOB '{TIME_GLOB}' OR time({c}) IS NULL"
    else:  # date, datetime: SQLAlchemy's form, a real day ('+0 days' normalises 02-30), the window
        form = DATE_GLOB if kind == "date" else f"{DATE_GLOB} {TIME_GLOB}"
        day = f"substr({c}, 1, 10)"
        rule = (
            f"typeof({c}) != 'text' OR {c} NOT GLOB '{form}' OR date({day}, '+0 days') IS NOT {day}"
            f" OR {day} < '{limits.MIN_DATE.isoformat()}' OR {day} > '{limits.MAX_DATE.isoformat()}'"
        )
        if kind == "datetime":
            rule += f" OR time(substr({c}, 12, 8), '+0 seconds') IS NOT substr({c}, 12, 8)"
    return f"{null} OR ({c} IS NOT NULL AND ({rule}))"


def _text_batches(db: sqlite3.Connection, table: str, names: list[str]) -> Iterator[str]:
    """The text columns of ``table``, a batch of rows at a time, as one string each.
    Reading it as ``str`` makes Python decode it (invalid UTF-8 or an encoded surrogate
    raises); values are joined by a newline, which ends any byte sequence, so two
    halves of a character never pass for one."""
    glue = " || char(10) || ".join(f"coalesce(\"{n}\", '')" for n in names)
    after = ""
    while True:
        try:
            found = db.execute(
                f"SELECT max(id), group_concat({glue}, char(10)) FROM "
                f'(SELECT * FROM "{table}" WHERE id > ? ORDER BY id LIMIT {TEXT_BATCH})',
                (after,),
            ).fetchone()
        except sqlite3.OperationalError:
            raise FileRefused(f"text of {table} is not UTF-8") from None
        if found is None or found[0] is None:
            return
        after = str(found[0])
        yield str(found[1] or "")


def _stamp_ok(stamp: Any, server_ms: int) -> bool:
    return (
        isinstance(stamp, str)
        and len(stamp) == STAMP_LEN
        and all(ch in "0123456789abcdef" for ch in stamp)
        and int(stamp[:WALL_HEX], 16) <= server_ms + MAX_CLOCK_AHEAD_MS
    )


def _check_clocks(db: sqlite3.Connection, server_ms: int) -> None:
    ahead = f"{server_ms + MAX_CLOCK_AHEAD_MS:0{WALL_HEX}x}"
    bad = db.execute(
        f"SELECT 1 FROM {CLOCK_TABLE} WHERE typeof(hlc) != 'text' OR hlc NOT GLOB '{STAMP_GLOB}'"
        f" OR substr(hlc, 1, {WALL_HEX}) > ? OR typeof(row_id) != 'text'"
        f" OR row_id NOT GLOB '{UUID_GLOB}' LIMIT 1",
        (ahead,),
    ).fetchone()
    if bad is not None:
        raise FileRefused("clock")
    specs = table_specs()
    for table, field in db.execute(f"SELECT DISTINCT table_name, field FROM {CLOCK_TABLE}"):
        spec = specs.get(table) if isinstance(table, str) else None
        if spec is None or field not in spec.columns or not spec.columns[field].tracked:
            raise FileRefused("clock of an unknown field")


def _check_conflicts(db: sqlite3.Connection, cursor: int) -> None:
    bad = db.execute(
        f"SELECT 1 FROM {CONFLICT_TABLE} WHERE typeof(seq) != 'integer' OR seq < 1 OR seq > ?"
        " LIMIT 1",
        (cursor,),
    ).fetchone()
    if bad is not None:
        raise FileRefused("conflict after the snapshot's cursor")

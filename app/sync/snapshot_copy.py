"""Copy a checked snapshot file into the laptop's database (docs/sync.md, "First sync from
a snapshot"): ATTACH it, then one ``INSERT INTO main.t (cols) SELECT cols FROM snap.t``
per table, the clocks and the conflicts, the pull cursor and the scope epoch, all in one
transaction: a crash leaves the laptop as it was, with the file still there to copy.

A row this laptop already holds (one it created before its first sync, already pushed)
is not copied over: it goes through the pulled-row checks and the merge of a page
(app/sync/pulled.py, app/sync/apply.py), so an issued invoice here is never rewritten
and a waiting local edit keeps its own rule. So does a row of the file sharing a unique
key (an invoice number, a funder's code...) with another row this laptop holds: copied
in bulk it would stop the copy on the constraint, on every sync (the laptop stuck, as
after a restore that gave a double-issued draft's id to the other issuance); merged like
a page's row, what cannot be taken is listed for a person ("apply_failed", "pull_refused")
and the sync completes.

On a SQLCipher profile the file is a SQLCipher database under its own raw key (from the
siège's answer, app/sync/snapshot.py), attached with ``KEY "x'...'"``; a plain profile's
file is plain SQLite. The key is forgotten (the snapshot's position deleted) in the
copy's transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, delete

from app.indicators import derived
from app.models import SyncState
from app.models.base import Base, synced_tables
from app.sync import evict, pulled
from app.sync.apply import apply_rows, set_state, store_conflicts
from app.sync.client_common import CURSOR_KEY
from app.sync.codec import encode_value, table_of, table_specs
from app.sync.protocol import Conflict, ProtocolError, Row
from app.sync.snapshot_check import CLOCK_TABLE, CONFLICT_TABLE, FileRefused

if TYPE_CHECKING:
    from app.sync.client import SyncClient

SCHEMA = "snap"
# From this many rows, a table copied into an empty one has its indexes rebuilt after...
LARGE_TABLE = 5000
# ... unless its rows are this wide (bytes, sampled): each index built after would read
# the whole table again (the invoices' seller and buyer records, ~4 KB a row, a page
# each: eleven indexes, eleven reads of 200 MB), dearer than keeping them row by row.
WIDE_ROW = 1000
SAMPLE = 100
# Page cache of the copy's connection while it runs (KiB; SQLite's default is 2 MB):
# the indexes kept up to date and the pages rebuilt stay in memory instead of going back
# and forth to the WAL. A fixed bound, given back after.
COPY_CACHE_KIB = 32 * 1024
CLOCKS = "sync_field_clock"
# The file's conflict columns, in the protocol's names (app/sync/protocol.py Conflict).
CONFLICT_FIELDS = {
    "seq": "seq",
    "kind": "kind",
    "table_name": "table",
    "row_id": "row_id",
    "field": "field",
    "kept_value": "kept_value",
    "lost_value": "lost_value",
    "lost_hlc": "lost_hlc",
    "device_name": "device_name",
    "detail": "detail",
}


@contextmanager
def attached(client: SyncClient, path: Path, raw_key: str = "") -> Iterator[Connection]:
    """One transaction with the file attached as ``snap`` and links not checked (the
    siège's data is consistent as a whole; tables come parents first anyway)."""
    if client.engine.dialect.driver == "pysqlcipher":
        # Without a KEY clause SQLCipher would read the file with the profile's key.
        if raw_key and not all(c in "0123456789abcdef" for c in raw_key):
            raise FileRefused("bad key")
        key = f" KEY \"x'{raw_key}'\"" if raw_key else " KEY ''"
    else:
        key = ""
    with client.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        # Neither pragma nor ATTACH may run inside a transaction.
        raw.execute("PRAGMA foreign_keys = OFF")
        raw.execute(f"ATTACH DATABASE ? AS {SCHEMA}{key}", (str(path),))
        cache = raw.execute("PRAGMA main.cache_size").fetchone()[0]
        try:
            raw.execute(f"PRAGMA main.cache_size = -{COPY_CACHE_KIB}")
            with conn.begin():
                yield conn
        finally:
            raw.execute(f"DETACH DATABASE {SCHEMA}")
            raw.execute(f"PRAGMA main.cache_size = {int(cache)}")
            raw.execute("PRAGMA foreign_keys = ON")


def copy(
    client: SyncClient,
    path: Path,
    cursor: int,
    epoch: int,
    position_key: str,
    raw_key: str = "",
    *,
    before_commit: Callable[[], None] | None = None,
) -> tuple[int, int]:
    """Copy the file (``raw_key``: a SQLCipher file's); returns (rows, conflicts). Sets
    the cursor and epoch, and forgets the snapshot's position (and key), in the same
    transaction.

    ``before_commit`` runs inside that transaction after everything else is written,
    just before it commits: an exception it raises rolls the whole copy back (the laptop
    as it was) and propagates unchanged (app/sync/snapshot.py checks the file's values
    while the copy runs and refuses it from there)."""
    copied = 0
    with attached(client, path, raw_key) as conn:
        present = {
            str(name)
            for (name,) in conn.exec_driver_sql(
                f"SELECT name FROM {SCHEMA}.sqlite_master WHERE type = 'table'"
            )
        }
        held: list[Row] = []
        # The indicators' derived tables are kept by triggers firing per row; for a
        # whole copy they are recomputed once, set-based, afterwards.
        triggers = _derived_triggers(conn)
        for name, _sql in triggers:
            conn.exec_driver_sql(f'DROP TRIGGER main."{name}"')
        for table in synced_tables():
            if table in present:
                copied += _copy_table(conn, table, held)
        for _name, sql in triggers:
            conn.exec_driver_sql(sql)
        if triggers:
            derived.rebuild(conn)
        _copy_clocks(conn, held)
        if held:
            kept, refused = pulled.screen(conn, held, client.server_ms)
            client.record_pull_refusals(conn, refused)
            apply_rows(conn, kept)
            copied += len(kept)
        conflicts = _conflicts(conn)
        store_conflicts(conn, conflicts)
        set_state(conn, CURSOR_KEY, str(cursor))
        set_state(conn, evict.EPOCH_KEY, str(epoch))
        st = table_of(SyncState)
        conn.execute(delete(st).where(st.c.key == position_key))
        if before_commit is not None:
            before_commit()
    return copied, len(conflicts)


def _names(conn: Connection, table: str) -> list[str]:
    return [str(r[1]) for r in conn.exec_driver_sql(f'PRAGMA {SCHEMA}.table_info("{table}")')]


def _copy_table(conn: Connection, table: str, held: list[Row]) -> int:
    names = _names(conn, table)
    cols = ", ".join(f'"{n}"' for n in names)
    empty = conn.exec_driver_sql(f'SELECT 1 FROM main."{table}" LIMIT 1').first() is None
    # An empty table holds none of the file's rows: no join over the file's ids to say so.
    mine = [] if empty else _held_ids(conn, table)
    clashing = [] if empty else _clashing_ids(conn, table)
    where, indexes = "", []
    if mine or clashing:
        held.extend(_rows(conn, table, names, sorted(set(mine) | set(clashing))))
        where = f' WHERE id NOT IN (SELECT id FROM main."{table}")'
        if clashing:
            conn.exec_driver_sql("CREATE TEMP TABLE snapshot_clash (id TEXT PRIMARY KEY)")
            conn.exec_driver_sql(
                "INSERT OR IGNORE INTO temp.snapshot_clash VALUES (?)", [(i,) for i in clashing]
            )
            where += " AND id NOT IN (SELECT id FROM temp.snapshot_clash)"
    elif empty and _large(conn, table) and _row_bytes(conn, table, names) < WIDE_ROW:
        # Built once from sorted keys after the copy rather than kept up to date row by
        # row: faster for a large table arriving whole (DDL is transactional in SQLite).
        indexes = _secondary_indexes(conn, table)
        for name, _sql in indexes:
            conn.exec_driver_sql(f'DROP INDEX main."{name}"')
    done = conn.exec_driver_sql(
        f'INSERT INTO main."{table}" ({cols}) SELECT {cols} FROM {SCHEMA}."{table}"{where}'
    )
    for _name, sql in indexes:
        conn.exec_driver_sql(sql)
    if clashing:
        conn.exec_driver_sql("DROP TABLE temp.snapshot_clash")
    return int(done.rowcount)


def _derived_triggers(conn: Connection) -> list[tuple[str, str]]:
    """The laptop's triggers that keep a derived table (app/indicators/derived.py, whose
    rebuild() recomputes them), with their DDL from its own schema."""
    found = conn.exec_driver_sql(
        "SELECT name, sql FROM main.sqlite_master WHERE type = 'trigger' AND sql IS NOT NULL"
    )
    return [
        (str(name), str(sql))
        for name, sql in found
        if any(f" {table} " in str(sql) for table in derived.DERIVED_TABLES)
    ]


def _held_ids(conn: Connection, table: str) -> list[str]:
    """The file's rows of ``table`` this laptop already holds."""
    return [
        str(row_id)
        for (row_id,) in conn.exec_driver_sql(
            f'SELECT s.id FROM {SCHEMA}."{table}" s JOIN main."{table}" m ON m.id = s.id'
        )
    ]


def _clashing_ids(conn: Connection, table: str) -> list[str]:
    """The file's rows of ``table`` sharing a unique key with another row this laptop
    holds (NULLs never clash, as in SQLite's own check). Partial indexes are taken whole:
    a row too many goes through the merge, which is only slower."""
    found: set[str] = set()
    for key in _unique_keys(conn, table):
        on = " AND ".join(f's."{c}" = m."{c}"' for c in key)
        found.update(
            str(row_id)
            for (row_id,) in conn.exec_driver_sql(
                f'SELECT s.id FROM {SCHEMA}."{table}" s JOIN main."{table}" m'
                f" ON {on} WHERE m.id <> s.id"
            )
        )
    return sorted(found)


def _unique_keys(conn: Connection, table: str) -> list[list[str]]:
    """The columns of each unique index of the laptop's ``table`` but its primary key
    (an index on an expression is left out: the schema has none)."""
    keys = []
    for _seq, name, unique, origin, *_rest in conn.exec_driver_sql(
        f'PRAGMA main.index_list("{table}")'
    ):
        if not unique or origin == "pk":
            continue
        cols = [info[2] for info in conn.exec_driver_sql(f'PRAGMA main.index_info("{name}")')]
        if cols and all(isinstance(c, str) for c in cols):
            keys.append([str(c) for c in cols])
    return keys


def _large(conn: Connection, table: str) -> bool:
    """Whether the file holds more than LARGE_TABLE rows of ``table``."""
    return (
        conn.exec_driver_sql(
            f'SELECT 1 FROM {SCHEMA}."{table}" LIMIT 1 OFFSET {LARGE_TABLE}'
        ).first()
        is not None
    )


def _row_bytes(conn: Connection, table: str, names: list[str]) -> float:
    """Average size of the file's first rows of ``table`` (the text of each value)."""
    size = " + ".join(f'coalesce(length("{n}"), 0)' for n in names)
    found = conn.exec_driver_sql(
        f'SELECT avg({size}) FROM (SELECT * FROM {SCHEMA}."{table}" LIMIT {SAMPLE})'
    ).scalar_one()
    return float(found or 0)


def _secondary_indexes(conn: Connection, table: str) -> list[tuple[str, str]]:
    """The laptop's own indexes of ``table`` (their DDL from its schema, never the file's)."""
    return [
        (str(name), str(sql))
        for name, sql in conn.exec_driver_sql(
            "SELECT name, sql FROM main.sqlite_master"
            " WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
            (table,),
        )
    ]


def _rows(conn: Connection, table: str, names: list[str], ids: list[str]) -> list[Row]:
    """Rows of the file this laptop already holds, in a page's form (values as JSON)."""
    data, spec = Base.metadata.tables[table], table_specs()[table]
    dialect = conn.dialect
    procs = [data.c[n].type.dialect_impl(dialect).result_processor(dialect, None) for n in names]
    cols = ", ".join(f'"{n}"' for n in names)
    out = []
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        marks = ", ".join("?" for _ in part)
        for found in conn.exec_driver_sql(
            f'SELECT {cols} FROM {SCHEMA}."{table}" WHERE id IN ({marks})', tuple(part)
        ):
            values = {
                n: encode_value(spec.columns[n], v if p is None or v is None else p(v))
                for n, p, v in zip(names, procs, found, strict=True)
                if n != "id"
            }
            row_id = str(found[names.index("id")])
            clocks = {
                str(f): str(h)
                for f, h in conn.exec_driver_sql(
                    f"SELECT field, hlc FROM {SCHEMA}.{CLOCK_TABLE}"
                    " WHERE table_name = ? AND row_id = ?",
                    (table, row_id),
                )
            }
            out.append(Row(0, table, row_id, values, clocks))
    return out


def _copy_clocks(conn: Connection, held: list[Row]) -> None:
    """The tracked fields' stamps of the copied rows (those of held rows come with their
    merge)."""
    where = ""
    if held:
        conn.exec_driver_sql("CREATE TEMP TABLE snapshot_held (table_name TEXT, row_id TEXT)")
        conn.exec_driver_sql(
            "INSERT INTO temp.snapshot_held VALUES (?, ?)", [(r.table, r.row_id) for r in held]
        )
        where = (
            " WHERE NOT EXISTS (SELECT 1 FROM temp.snapshot_held h"
            " WHERE h.table_name = c.table_name AND h.row_id = c.row_id)"
        )
    indexes = []
    empty = conn.exec_driver_sql(f"SELECT 1 FROM main.{CLOCKS} LIMIT 1").first() is None
    if empty and _large(conn, CLOCK_TABLE):
        # As for a large table arriving whole: the stamps' index (random order) built
        # once after the rows (660,000 clocks: 1.2 s -> 0.95 s).
        indexes = _secondary_indexes(conn, CLOCKS)
        for name, _sql in indexes:
            conn.exec_driver_sql(f'DROP INDEX main."{name}"')
    conn.exec_driver_sql(
        f"INSERT OR REPLACE INTO main.{CLOCKS} (table_name, row_id, field, hlc)"
        f" SELECT table_name, row_id, field, hlc FROM {SCHEMA}.{CLOCK_TABLE} c{where}"
    )
    for _name, sql in indexes:
        conn.exec_driver_sql(sql)
    if held:
        conn.exec_driver_sql("DROP TABLE temp.snapshot_held")


def _conflicts(conn: Connection) -> list[Conflict]:
    found = conn.exec_driver_sql(
        f"SELECT {', '.join(CONFLICT_FIELDS)} FROM {SCHEMA}.{CONFLICT_TABLE} ORDER BY seq"
    )
    keys = tuple(CONFLICT_FIELDS.values())
    try:
        return [Conflict.from_json(dict(zip(keys, r, strict=True))) for r in found]
    except ProtocolError as exc:
        raise FileRefused(exc.reason) from None

"""First-sync snapshots (docs/sync.md, "First sync from a snapshot"): the siège writes a
device's scope, as it stands at one cursor, into a SQLite file with the laptop's table
layout; the laptop downloads it in resumable byte ranges, checks it and copies it table
by table, then pulls the change feed from that cursor.

A snapshot at cursor ``C`` is every row of the device's scope whose version is at or
before ``C``, with its values now: a row whose version is at or before ``C`` has not
changed since (any change moves its version past ``C``), so these are its values at
``C``; a row changed later is left out and comes with the pull from ``C``. The rows are
exactly those the scope rules give (the scope's ids bound into the query as a shortcut,
then :func:`siege.scope.keep` row by row, as the change feed does).

Besides the synced tables (only the columns a laptop receives), the file holds
``_clock`` (the stamps of the fields a laptop keeps clocks for, ``tracked``),
``_conflict`` (the conflicts to review the feed would send) and ``_meta`` (format,
cursor, newest stamp: the laptop's clock observes it).

The file is built with bounded memory (rows streamed from the database into
``executemany`` in batches of :data:`BATCH`) and kept in a cache folder, one per scope
and cursor, so a cut download resumes on the same bytes and the next laptop of the same
scope at the same cursor gets it without a rebuild. Files older than
:data:`KEEP_SECONDS` go when another is built.

For a laptop whose profile is encrypted (SQLCipher), the file is a SQLCipher database
under a random 256-bit raw key of its own (``<name>.key`` beside it in the cache folder,
0600), sent only in the ``/snapshot`` answer to a device of the file's scope: the bytes
a laptop downloads are never personal data in plain. A plain profile gets a plain file
(its SQLite driver cannot read SQLCipher files).
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import sqlite3
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlcipher3
from sqlalchemy import Connection, Engine, and_, func, select, type_coerce
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.types import NullType

from app.clock import wall_ms
from app.models.base import Base, synced_tables
from app.sync.codec import table_specs
from siege import scope as read_scope
from siege.conflicts import HISTORY_ONLY
from siege.devices import DeviceRecord
from siege.tables import conflict, counter, field_clock, row_version

FORMAT = 1
BATCH = 5000
# Beyond this many ids, a scope is not bound into the query (see _narrow).
MAX_NARROW_IDS = 10_000
FOLDER_ENV = "PERMANENCE_SNAPSHOT_DIR"
# A restored siège reaches the same cursor again with other rows: files do not live long.
KEEP_SECONDS = 3600
NAME = re.compile(r"^(all|[0-9a-f-]{36})-e(\d{1,19})-c(\d{1,19})\.(sqlite|sqlcipher)\Z")
KEY_SUFFIX = ".key"
CLOCK_TABLE, CONFLICT_TABLE, META_TABLE = "_clock", "_conflict", "_meta"
CONFLICT_COLUMNS = (
    "seq",
    "kind",
    "table_name",
    "row_id",
    "field",
    "kept_value",
    "lost_value",
    "lost_hlc",
    "device_name",
    "detail",
)
_DIALECT = sqlite_dialect.dialect()


class SnapshotError(ValueError):
    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class Prepared:
    name: str
    path: Path
    cursor: int
    epoch: int
    size: int
    sha256: str
    built: bool  # False: served from the cache
    key: str = ""  # the SQLCipher file's raw key (64 hex digits); "" for a plain file

    def plan(self) -> dict[str, Any]:
        return {
            **({"key": self.key} if self.key else {}),
            "format": "sqlite",
            "version": FORMAT,
            "name": self.name,
            "cursor": self.cursor,
            "scope_epoch": self.epoch,
            "size": self.size,
            "sha256": self.sha256,
        }


def folder(engine: Engine) -> Path:
    """Where this siège database's prepared snapshots live (private to its user): one
    folder per database, so two sièges on one machine never share a file."""
    base = Path(os.environ.get(FOLDER_ENV) or Path(tempfile.gettempdir()) / "permanence-snapshots")
    which = engine.url.render_as_string(hide_password=True).encode()
    path = base / hashlib.sha256(which).hexdigest()[:16]
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def owner(dev: DeviceRecord, scope: read_scope.Scope) -> str:
    """Whose file: every siège-staff device shares one (same scope), others their own."""
    return "all" if scope.everything else str(dev.device_id)


def prepare(
    engine: Engine, dev: DeviceRecord, where: Path | None = None, *, encrypted: bool = False
) -> Prepared:
    """The device's snapshot at the siège's current cursor: from the cache, else built;
    ``encrypted``: a SQLCipher file under its own key (for an encrypted profile)."""
    where = where or folder(engine)
    with engine.connect() as conn:
        epoch = read_scope.epoch(conn, dev)
        top = int(conn.execute(select(counter.c.value).where(counter.c.id == 1)).scalar_one())
        scope = read_scope.cached.get(conn, dev, top)
        # The epoch is in the name: a scope changed at the same cursor is another file.
        kind = "sqlcipher" if encrypted else "sqlite"
        name = f"{owner(dev, scope)}-e{0 if scope.everything else epoch}-c{top}.{kind}"
        path = where / name
        key_path = path.with_name(path.name + KEY_SUFFIX)
        built = not path.exists() or (encrypted and not key_path.exists())
        if built:
            _forget_old(where)
            # The key is written (0600) before the file appears under its name.
            key = _key_for(path) if encrypted else ""
            _build(conn, scope, top, path, key)
    key = read_key(path) if encrypted else ""
    size = path.stat().st_size
    return Prepared(name, path, top, epoch, size, _sha256(path), built, key)


def read_key(path: Path) -> str:
    """The raw key of the SQLCipher file at ``path`` (kept beside it)."""
    return path.with_name(path.name + KEY_SUFFIX).read_text().strip()


def _key_for(path: Path) -> str:
    """A new random key for the file to build at ``path``, or the one another worker
    building the same file already chose (linked into place without overwriting), so
    whichever build is renamed last opens with the key beside it."""
    key = secrets.token_hex(32)
    partial = path.with_name(f".{uuid.uuid4().hex}.key.part")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(key)
    try:
        os.link(partial, path.with_name(path.name + KEY_SUFFIX))
    except FileExistsError:
        key = read_key(path)
    finally:
        partial.unlink()
    return key


def opened(dev: DeviceRecord, engine: Engine, name: str, where: Path | None = None) -> Path:
    """The prepared file ``name`` if it is this device's (SnapshotError otherwise)."""
    match = NAME.match(name)
    if match is None:
        raise SnapshotError("bad_name")
    with engine.connect() as conn:
        top = int(conn.execute(select(counter.c.value).where(counter.c.id == 1)).scalar_one())
        mine = owner(dev, read_scope.cached.get(conn, dev, top))
    if match.group(1) != mine:
        raise SnapshotError("not_yours")
    path = (where or folder(engine)) / name
    if not path.is_file():
        raise SnapshotError("gone")
    return path


def read_range(path: Path, start: int, end: int, block: int = 1 << 20) -> Iterator[bytes]:
    """Bytes ``start..end`` (inclusive) of the file, a block at a time (flat memory)."""
    with path.open("rb") as f:
        f.seek(start)
        left = end - start + 1
        while left > 0:
            data = f.read(min(block, left))
            if not data:
                return
            left -= len(data)
            yield data


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while data := f.read(1 << 20):
            digest.update(data)
    return digest.hexdigest()


def _forget_old(where: Path) -> None:
    # File times are the machine's: compared with its real clock, never a pinned one.
    limit = wall_ms() / 1000 - KEEP_SECONDS
    for old in [*where.glob("*.sqlite"), *where.glob("*.sqlcipher")]:
        try:
            if old.stat().st_mtime < limit:
                old.unlink()
                old.with_name(old.name + KEY_SUFFIX).unlink(missing_ok=True)
        except OSError:
            continue  # another worker removed it
    for key in where.glob("*" + KEY_SUFFIX):
        try:
            # A key left by a build that never finished.
            lone = not key.with_name(key.name.removesuffix(KEY_SUFFIX)).exists()
            if lone and key.stat().st_mtime < limit:
                key.unlink()
        except OSError:
            continue


def _build(
    conn: Connection, scope: read_scope.Scope, cursor: int, target: Path, key: str = ""
) -> None:
    partial = target.with_name(f".{uuid.uuid4().hex}.part")
    if key:
        out: sqlite3.Connection = sqlcipher3.connect(str(partial), isolation_level=None)
        # The first statement: every page written after is encrypted under the raw key.
        out.execute(f"PRAGMA key = \"x'{key}'\"")
    else:
        out = sqlite3.connect(partial, isolation_level=None)
    try:
        # A scratch file until renamed: no journal, no syncs (a crash leaves a .part).
        out.execute("PRAGMA journal_mode = OFF")
        out.execute("PRAGMA synchronous = OFF")
        out.execute("BEGIN")
        out.execute(f"CREATE TABLE {META_TABLE} (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        out.execute(
            f"CREATE TABLE {CLOCK_TABLE} (table_name TEXT, row_id TEXT, field TEXT, hlc TEXT)"
        )
        out.execute(f"CREATE TABLE {CONFLICT_TABLE} ({', '.join(CONFLICT_COLUMNS)})")
        newest = ""
        for table in synced_tables():
            newest = max(newest, _copy_table(conn, out, scope, cursor, table))
        _copy_conflicts(conn, out, scope, cursor)
        out.executemany(
            f"INSERT INTO {META_TABLE} VALUES (?, ?)",
            [("format", str(FORMAT)), ("cursor", str(cursor)), ("newest_stamp", newest)],
        )
        out.execute("COMMIT")
    finally:
        out.close()
    os.chmod(partial, 0o600)
    os.replace(partial, target)


def columns_of(table: str) -> list[Any]:
    """The columns of ``table`` a laptop receives, ``id`` first."""
    data = Base.metadata.tables[table]
    spec = table_specs()[table]
    return [data.c.id, *(c for c in data.columns if c.name != "id" and c.name in spec.columns)]


def _create(out: sqlite3.Connection, table: str, columns: list[Any]) -> None:
    defs = [
        f'"{c.name}" {c.type.compile(dialect=_DIALECT)}'
        + (" PRIMARY KEY" if c.name == "id" else "")
        for c in columns
    ]
    out.execute(f'CREATE TABLE "{table}" ({", ".join(defs)})')


def _copy_table(
    conn: Connection, out: sqlite3.Connection, scope: read_scope.Scope, cursor: int, table: str
) -> str:
    """Rows of ``table`` in the scope, versioned at or before ``cursor``; returns the
    newest stamp of their fields."""
    columns = columns_of(table)
    _create(out, table, columns)
    spec = table_specs()[table]
    # The laptop's storage of each value (SQLAlchemy's SQLite form: dates as text...). A
    # SQLite siège already stores them so (the same models, the same dialect): its values
    # are copied as stored, not parsed into dates and written back (about a third of the build).
    stored_as_laptop = conn.dialect.name == "sqlite"
    procs = [c.type.dialect_impl(_DIALECT).bind_processor(_DIALECT) for c in columns]
    converted = [] if stored_as_laptop else [(i, p) for i, p in enumerate(procs) if p]
    read = [type_coerce(c, NullType()) for c in columns] if stored_as_laptop else columns
    insert = f'INSERT INTO "{table}" VALUES ({", ".join("?" for _ in columns)})'
    tracked = [c.name for c in columns[1:] if spec.columns[c.name].tracked]
    rv = row_version.c
    data = Base.metadata.tables[table]
    query = (
        select(*read)
        .select_from(data)
        .join(row_version, and_(rv.table_name == table, rv.row_id == data.c.id))
        .where(rv.seq <= cursor)
    )
    narrowed = None if scope.everything else _narrow(scope, table, data)
    if narrowed is not None:
        query = query.where(narrowed)
    newest, after = "", ""
    while True:
        found = conn.execute(query.where(data.c.id > after).order_by(data.c.id).limit(BATCH)).all()
        if not found:
            return newest
        full = len(found) == BATCH
        after = str(found[-1][0])
        first = str(found[0][0])
        if not scope.everything:
            inside = read_scope.keep(conn, scope, [(table, str(r[0])) for r in found])
            found = [r for r in found if (table, str(r[0])) in inside]
        rows = [list(r) for r in found]
        for row in rows:
            for i, proc in converted:
                if row[i] is not None:
                    row[i] = proc(row[i])
        out.executemany(insert, rows)
        fc = field_clock.c
        # One range read (the clocks' primary key), not an IN list of thousands of ids.
        in_range = and_(fc.table_name == table, fc.row_id >= first, fc.row_id <= after)
        stamp = conn.execute(select(func.max(fc.hlc)).where(in_range)).scalar()
        newest = max(newest, str(stamp or ""))
        if tracked and rows:
            wanted = {r[0] for r in rows}
            out.executemany(
                f"INSERT INTO {CLOCK_TABLE} VALUES (?, ?, ?, ?)",
                (
                    (table, row_id, name, hlc)
                    for row_id, name, hlc in conn.execute(
                        select(fc.row_id, fc.field, fc.hlc).where(in_range, fc.field.in_(tracked))
                    )
                    if row_id in wanted
                ),
            )
        if not full:
            return newest


def _narrow(scope: read_scope.Scope, table: str, data: Any) -> Any:
    """A condition holding every row of ``table`` in ``scope`` (a superset: keep()
    decides row by row after), so a one-antenne laptop's snapshot reads its rows, not
    the whole region's. None: no shortcut for this table."""
    persons, sessions = sorted(scope.persons), sorted(scope.sessions)
    places, series = sorted(scope.place_sessions), sorted(scope.series)
    if max(len(persons) + len(scope.seen_persons), len(sessions)) > MAX_NARROW_IDS:
        return None  # too many to bind (SQLite's limit): keep() alone decides
    if table == "person":
        return data.c.id.in_(sorted(scope.persons | scope.seen_persons))
    if table in read_scope.PERSON_RECORDS:
        return data.c[read_scope.PERSON_RECORDS[table]].in_(persons)
    if table == "client":
        return data.c.entrepreneur_id.in_(persons) | data.c.id.in_(sorted(scope.archive_clients))
    if table == "activity":
        return data.c.id.in_(sessions)
    if table in ("activity_slot", "activity_funder"):
        return data.c.activity_id.in_(sessions)
    if table == "registration":
        return data.c.person_id.in_(persons) | data.c.activity_id.in_(places)
    if table == "attendance":
        slot = Base.metadata.tables["activity_slot"]
        held_here = select(slot.c.id).where(slot.c.activity_id.in_(places))
        return data.c.person_id.in_(persons) | data.c.slot_id.in_(held_here)
    invoice = Base.metadata.tables["invoice"]
    if table == "invoice":
        return invoice.c.entrepreneur_id.in_(persons) | invoice.c.series_id.in_(series)
    if table in ("invoice_line", "payment", "invoice_pa_status"):
        readable = select(invoice.c.id).where(
            invoice.c.entrepreneur_id.in_(persons) | invoice.c.series_id.in_(series)
        )
        return data.c.invoice_id.in_(readable)
    return None


def _copy_conflicts(
    conn: Connection, out: sqlite3.Connection, scope: read_scope.Scope, cursor: int
) -> None:
    c = conflict.c
    after = 0
    while True:
        found = conn.execute(
            select(*(c[name] for name in CONFLICT_COLUMNS))
            .where(c.seq > after, c.seq <= cursor, c.kind.not_in(sorted(HISTORY_ONLY)))
            .order_by(c.seq)
            .limit(BATCH)
        ).all()
        if not found:
            return
        after = int(found[-1][0])
        if not scope.everything:
            inside = read_scope.keep(conn, scope, [(f.table_name, f.row_id) for f in found])
            found = [f for f in found if (f.table_name, f.row_id) in inside]
        out.executemany(
            f"INSERT INTO {CONFLICT_TABLE} VALUES ({', '.join('?' for _ in CONFLICT_COLUMNS)})",
            [tuple(f) for f in found],
        )

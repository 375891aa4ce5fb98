"""A first-sync snapshot file's layout and what it reads from the siège (docs/sync.md,
"First sync from a snapshot"; siege/snapshot.py says what the file holds): for each
synced table the rows of a scope versioned at or before a cursor, in the laptop's storage
form; their tracked clocks and newest stamp; the conflicts to review. Queries only:
siege/snapshot_sqlite.py runs them inside SQLite, siege/snapshot_stream.py streams them
through raw cursors."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Date,
    DateTime,
    Dialect,
    Select,
    String,
    Time,
    and_,
    any_,
    bindparam,
    exists,
    false,
    func,
    literal_column,
    or_,
    select,
    text,
    type_coerce,
)
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.types import NullType

from app.models.base import Base
from app.sync.codec import table_specs
from app.sync.protocol import ISSUED_STATUS
from siege import scope as read_scope
from siege.conflicts import HISTORY_ONLY
from siege.tables import conflict, field_clock, row_version

FORMAT = 1
CLOCK_TABLE, CONFLICT_TABLE, META_TABLE = "_clock", "_conflict", "_meta"
# Beyond this many ids, a scope is not bound into the query (see narrow).
MAX_NARROW_IDS = 10_000
# The TEMP tables of a scope's ids (temp_tables()), on the connection of a build in SQLite.
TEMP_PREFIX = "temp.snapshot_scope_"
TEMP_INVOICES = f"{TEMP_PREFIX}invoices"  # invoices_held(), filled in the read transaction
INVOICE_TABLES = frozenset({"invoice", "invoice_line", "payment", "invoice_pa_status"})
# Tables whose narrowing (narrow() below) is the read rule itself, not a superset: the
# same links and sets as siege/scope_rows.py _in_scope. Their rows need no keep().
EXACT_NARROWING = frozenset(
    {
        "person",
        *read_scope.PERSON_RECORDS,
        "client",
        "activity",
        "activity_slot",
        "activity_funder",
        "registration",
        "attendance",
        *read_scope.SLOT_ROWS,
        "client_directory",
        "invoice",
        "invoice_line",
        "payment",
        "invoice_pa_status",
    }
)
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
LAPTOP_DIALECT = sqlite_dialect.dialect()
# Values passed as they are; one instance, as SQLAlchemy's statement cache keys memoize
# per type instance (a new one per column and build cost a tenth of a one-antenne build).
AS_STORED = NullType()
# PostgreSQL writes dates in the laptop's storage form itself (SQLAlchemy's SQLite
# dialect: "2026-12-05 23:16:46.000000"), cheaper than parsing and formatting each in Python.
_PG_FORMATS: tuple[tuple[type[Any], str], ...] = (
    (DateTime, "YYYY-MM-DD HH24:MI:SS.US"),
    (Date, "YYYY-MM-DD"),
    (Time, "HH24:MI:SS.US"),
)


def columns_of(table: str) -> list[Any]:
    """The columns of ``table`` a laptop receives, ``id`` first."""
    data = Base.metadata.tables[table]
    spec = table_specs()[table]
    return [data.c.id, *(c for c in data.columns if c.name != "id" and c.name in spec.columns)]


def tracked_of(table: str) -> list[str]:
    """The fields of ``table`` whose clocks a laptop keeps."""
    spec = table_specs()[table]
    return [c.name for c in columns_of(table)[1:] if spec.columns[c.name].tracked]


def stored_form(column: Any, dialect: Dialect) -> ColumnElement[Any]:
    """``column`` as the laptop stores it: a SQLite siège stores values so already (the
    same models, the same dialect), copied as they are; PostgreSQL formats dates and
    times into the same text (booleans and the rest already bind alike). A siège runs on
    one or the other (siege/db.py)."""
    if dialect.name == "sqlite":
        return type_coerce(column, AS_STORED)
    if dialect.name != "postgresql":
        raise ValueError(f"no snapshot from a {dialect.name} siège")
    for kind, pattern in _PG_FORMATS:
        if isinstance(column.type, kind):
            return type_coerce(func.to_char(column, pattern), AS_STORED)
    return column


def _versioned(
    table: str, scope: read_scope.Scope, cursor: int, dialect: Dialect, temp: bool, *read: Any
) -> Select[Any]:
    """``read`` of the rows of ``table`` versioned at or before ``cursor``, narrowed to a
    superset of the scope (keep() decides row by row after, unless :func:`exact`)."""
    data = Base.metadata.tables[table]
    rv = row_version.c
    # "Versioned at or before the cursor", said so that SQLite reads the table in id
    # order with one lookup in the versions' key index per row (a join sorts the rows
    # afterwards): the row has a version, and is not among the few rows versioned after.
    versioned = exists().where(rv.table_name == table, rv.row_id == data.c.id)
    newer = select(rv.row_id).where(rv.table_name == table, rv.seq > cursor)
    query = select(*read).select_from(data).where(versioned, data.c.id.not_in(newer))
    narrowed = None if scope.everything else narrow(Ids(scope, dialect, temp), table, data)
    return query if narrowed is None else query.where(narrowed)


def rows(
    table: str, scope: read_scope.Scope, cursor: int, dialect: Dialect, temp: bool = False
) -> Select[Any]:
    """The rows of ``table`` for the file, in the laptop's storage form, by id; ``temp``:
    the scope's ids read from the TEMP tables :func:`temp_tables` names (a SQLite siège
    building inside SQLite), else bound into the query."""
    data = Base.metadata.tables[table]
    read = [stored_form(c, dialect) for c in columns_of(table)]
    return _versioned(table, scope, cursor, dialect, temp, *read).order_by(data.c.id)


def ids(
    table: str, scope: read_scope.Scope, cursor: int, dialect: Dialect, temp: bool = False
) -> Select[Any]:
    """The ids of :func:`rows` (the scope's superset when narrowed)."""
    return _versioned(table, scope, cursor, dialect, temp, Base.metadata.tables[table].c.id)


def clocks(
    table: str, among: Select[Any] | list[str], fields: list[str] | None, dialect: Dialect
) -> Select[Any]:
    """(table, row id, field, stamp) of the rows of ``table`` whose ids ``among`` gives
    (a query or a list), for ``fields`` (all when None), by row and field."""
    fc = field_clock.c
    listed = fc.row_id.in_(among) if isinstance(among, Select) else _in(fc.row_id, among, dialect)
    query = select(fc.table_name, fc.row_id, fc.field, fc.hlc).where(fc.table_name == table, listed)
    if fields is not None:
        query = query.where(fc.field.in_(fields))
    return query.order_by(fc.row_id, fc.field)


def newest(table: str, among: Select[Any]) -> Select[Any]:
    """The newest stamp of any field of the rows of ``table`` whose ids ``among`` gives:
    what pulling the same rows in pages would make the laptop's clock observe."""
    fc = field_clock.c
    return select(func.max(fc.hlc)).where(fc.table_name == table, fc.row_id.in_(among))


def conflicts(cursor: int) -> Select[Any]:
    """The conflicts to review the feed would send up to ``cursor``, in order."""
    c = conflict.c
    return (
        select(*(c[name] for name in CONFLICT_COLUMNS))
        .where(c.seq <= cursor, c.kind.not_in(sorted(HISTORY_ONLY)))
        .order_by(c.seq)
    )


def compiled(query: Any, dialect: Dialect) -> tuple[str, Any]:
    """``query`` as the driver's SQL and parameters (for raw cursors)."""
    done = query.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
    params = done.params
    if done.positional:
        return str(done), tuple(params[name] for name in done.positiontup or ())
    return str(done), params


def exact(scope: read_scope.Scope, table: str, temp: bool = False) -> bool:
    """Whether the rows :func:`rows` gives for a narrowed ``scope`` are exactly the
    scope's (keep() would refuse none): reference data every device reads, and tables
    whose narrowing is their read rule (today every synced table's), when the scope's
    ids are read from TEMP tables or were few enough to bind. A one-antenne build then
    asks keep() only of the conflicts (it was a third of its time)."""
    if scope.everything or table in read_scope.SHARED:
        return True
    return table in EXACT_NARROWING and (temp or not _too_many(scope))


def _too_many(scope: read_scope.Scope) -> bool:
    persons = len(scope.persons) + len(scope.seen_persons)
    return max(persons, len(scope.sessions)) > MAX_NARROW_IDS


def id_sets(scope: read_scope.Scope) -> dict[str, frozenset[str]]:
    """The scope's id sets a narrowed query reads, by name (see :class:`Ids`)."""
    return {
        "persons": scope.persons,  # followed: their whole record
        "readable": scope.persons | scope.seen_persons,  # their person row
        "places": scope.place_sessions,
        "sessions": scope.sessions,
        "series": scope.series,
        "archive": scope.archive_clients,
    }


def temp_tables(scope: read_scope.Scope) -> dict[str, frozenset[str]]:
    """The TEMP tables (one ``id`` column) a build inside SQLite fills once with the
    scope's ids, by table name, for :func:`rows` with ``temp``."""
    return {f"{TEMP_PREFIX}{name}": found for name, found in id_sets(scope).items()}


class Ids:
    """The scope's id sets as a narrowed query names them: bound into it (a list, or one
    array on PostgreSQL), or read from the TEMP tables of :func:`temp_tables` (no bind
    limit, no thousands of values to compile per query)."""

    def __init__(self, scope: read_scope.Scope, dialect: Dialect, temp: bool) -> None:
        self.scope, self.dialect, self.temp = scope, dialect, temp
        self._sets = id_sets(scope)

    @property
    def bindable(self) -> bool:
        return self.temp or not _too_many(self.scope)

    def among(self, column: Any, name: str) -> Any:
        """``column`` in the set ``name``; None when the set is empty (see :func:`_any_in`)."""
        found = self._sets[name]
        if not found:
            return None
        if self.temp:
            return column.in_(select(literal_column("id")).select_from(text(TEMP_PREFIX + name)))
        return _in(column, sorted(found), self.dialect)


def narrow(sets: Ids, table: str, data: Any) -> Any:
    """A condition holding every row of ``table`` in the scope (a superset: keep()
    decides row by row after, unless :func:`exact`), so a one-antenne laptop's snapshot
    reads its rows, not the whole region's. None: no shortcut for this table."""
    if not sets.bindable:
        return None  # too many to bind (SQLite's limit): keep() alone decides
    if table == "person":
        return _any_in(sets, (data.c.id, "readable"))
    if table in read_scope.PERSON_RECORDS:
        return _any_in(sets, (data.c[read_scope.PERSON_RECORDS[table]], "persons"))
    if table == "client":
        return _any_in(sets, (data.c.entrepreneur_id, "persons"), (data.c.id, "archive"))
    if table == "activity":
        return _any_in(sets, (data.c.id, "sessions"))
    if table in ("activity_slot", "activity_funder"):
        return _any_in(sets, (data.c.activity_id, "sessions"))
    if table == "registration":
        return _any_in(sets, (data.c.person_id, "persons"), (data.c.activity_id, "places"))
    slot = Base.metadata.tables["activity_slot"]
    if table == "attendance":
        held_here = select(slot.c.id).where(_any_in(sets, (slot.c.activity_id, "places")))
        return _any_in(sets, (data.c.person_id, "persons")) | data.c.slot_id.in_(held_here)
    if table in read_scope.SLOT_ROWS:  # signatures and seals follow their session
        return data.c.slot_id.in_(
            select(slot.c.id).where(_any_in(sets, (slot.c.activity_id, "sessions")))
        )
    if table == "client_directory":  # follows its client
        client = Base.metadata.tables["client"]
        theirs = select(client.c.id).where(_any_in(sets, (client.c.entrepreneur_id, "persons")))
        return data.c.client_id.in_(theirs) | _any_in(sets, (data.c.client_id, "archive"))
    if table not in INVOICE_TABLES:
        return None
    invoice = Base.metadata.tables["invoice"]
    held: Select[Any]
    if sets.temp:
        held = select(literal_column("id")).select_from(text(TEMP_INVOICES))
    elif table == "invoice":
        return readable_invoices(sets)
    else:
        held = select(invoice.c.id).where(readable_invoices(sets))
    return (data.c.id if table == "invoice" else data.c.invoice_id).in_(held)


def readable_invoices(sets: Ids) -> Any:
    """The invoices of the scope: its entrepreneur's, or issued in one of the device's
    series (its legal archive; a draft there is its entrepreneur's only): the rule of
    siege/scope_rows.py, exactly."""
    invoice = Base.metadata.tables["invoice"]
    theirs = _any_in(sets, (invoice.c.entrepreneur_id, "persons"))
    own_series = sets.among(invoice.c.series_id, "series")
    if own_series is None:
        # Left out, not "0 = 1 AND status = ?": SQLite would still read every issued
        # invoice through the status index for it.
        return theirs
    return theirs | and_(own_series, invoice.c.status == ISSUED_STATUS)


def invoices_held(scope: read_scope.Scope) -> Select[Any]:
    """The ids of the scope's invoices, from the TEMP tables of the scope's ids: what a
    build inside SQLite puts in :data:`TEMP_INVOICES` once, in its read transaction, for
    the invoice tables' narrowed queries (the device's series has no index to read its
    invoices by: one pass over the issued ones, not one per table)."""
    invoice = Base.metadata.tables["invoice"]
    return select(invoice.c.id).where(readable_invoices(Ids(scope, LAPTOP_DIALECT, True)))


def _any_in(sets: Ids, *pairs: tuple[Any, str]) -> Any:
    """``column IN (set)`` or …, leaving out empty sets: an empty IN is a subquery that
    keeps SQLite from using the column's index (it scans the whole table)."""
    found = (sets.among(column, name) for column, name in pairs)
    return or_(false(), *(f for f in found if f is not None))


def _in(column: Any, values: list[str], dialect: Dialect) -> Any:
    """``column IN (values)``; on PostgreSQL ``= ANY`` of one array parameter: the same
    plan, without thousands of placeholders for SQLAlchemy to render and psycopg to parse
    (most of a one-antenne build's time otherwise)."""
    if dialect.name == "postgresql":
        return column == any_(bindparam(None, values, type_=ARRAY(String)))
    return column.in_(values)

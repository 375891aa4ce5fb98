"""Derived tables of the indicators (migration 0008): ``stage_span`` (each live parcours
stage with the start of the person's next stage), ``invoice_open`` (each issued invoice
with the day its balance was settled for good) and ``payment_fact`` (each payment of an
issued invoice with its entrepreneur, antenne and signed amount). Local to each SQLite database,
never synced, kept exact by triggers on every write of their source rows; each is the
copy of a view of the same name with ``_calc``, the recomputation from the synced rows
(docs/indicators.md, "Derived tables").

On a database without them (PostgreSQL at the siège, a schema made by ``create_all``)
the indicators compute the same figures from the synced tables."""

from __future__ import annotations

from sqlalchemy import Connection, Date, Integer, String
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import TableClause, column, table

DERIVED_TABLES = ("stage_span", "invoice_open", "payment_fact")

STAGE_SPAN = table(
    "stage_span",
    column("stage_id", String),
    column("person_id", String),
    column("kind", String),
    column("start_date", Date),
    column("end_date", Date),
    column("renewals", Integer),
    column("contract_type", String),
    column("next_start", Date),
)

INVOICE_OPEN = table(
    "invoice_open",
    column("invoice_id", String),
    column("issue_date", Date),
    column("total_incl_cents", Integer),
    column("antenne_id", String),
    column("settled_on", Date),
    column("last_event_on", Date),
    column("balance_cents", Integer),
)

PAYMENT_FACT = table(
    "payment_fact",
    column("payment_id", String),
    column("invoice_id", String),
    column("paid_on", Date),
    column("person_id", String),
    column("antenne_id", String),
    column("amount", Integer),
)

# The answer of :func:`present`, kept in the pooled DBAPI connection's info (set it to
# False to read a database as if it had no derived tables: the tests compare both ways).
PRESENCE_KEY = "indicator_derived_tables"


def present(session: Session) -> bool:
    """Whether this database has the derived tables (asked once per database connection:
    a profile is migrated before any connection reads figures)."""
    conn = session.connection()
    info = conn.connection.info  # the pooled DBAPI connection's, kept across checkouts
    found = info.get(PRESENCE_KEY)
    if found is None:
        found = info[PRESENCE_KEY] = _has_tables(conn)
    return bool(found)


# Triggers of migration 0008 (three per table written: insert, update, delete). A later
# migration that rebuilds one of their tables (a batch "move and copy" on SQLite) drops
# its triggers: the indicators then read the synced tables, right if slower, until the
# triggers are made again (and the derived rows rebuilt: :func:`rebuild`).
TRIGGERS = 15


def _has_tables(conn: Connection) -> bool:
    if conn.dialect.name != "sqlite":
        return False
    marks = ", ".join("?" for _ in DERIVED_TABLES)
    tables = conn.exec_driver_sql(
        f"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ({marks})",
        DERIVED_TABLES,
    ).scalar_one()
    triggers = conn.exec_driver_sql(
        "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND ("
        + " OR ".join("name LIKE ?" for _ in DERIVED_TABLES)
        + ")",
        tuple(f"{name}%" for name in DERIVED_TABLES),
    ).scalar_one()
    return bool(tables == len(DERIVED_TABLES) and triggers == TRIGGERS)


def stage_spans(session: Session) -> TableClause | None:
    return STAGE_SPAN if present(session) else None


def open_invoices(session: Session) -> TableClause | None:
    return INVOICE_OPEN if present(session) else None


def payment_facts(session: Session) -> TableClause | None:
    return PAYMENT_FACT if present(session) else None


def rebuild(conn: Connection) -> None:
    """Recompute every derived row from the synced rows (after a copy that bypassed the
    triggers); the triggers keep them right afterwards."""
    for name in DERIVED_TABLES:
        conn.exec_driver_sql(f"DELETE FROM {name}")
        conn.exec_driver_sql(f"INSERT INTO {name} SELECT * FROM {name}_calc")


def differences(conn: Connection) -> dict[str, int]:
    """Rows of each derived table that differ from their recomputation (both ways): all
    zero when the triggers kept them right."""
    return {
        name: int(
            conn.exec_driver_sql(
                f"SELECT (SELECT count(*) FROM (SELECT * FROM {name} "
                f"EXCEPT SELECT * FROM {name}_calc)) + (SELECT count(*) FROM "
                f"(SELECT * FROM {name}_calc EXCEPT SELECT * FROM {name}))"
            ).scalar_one()
        )
        for name in DERIVED_TABLES
    }

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

from operator import itemgetter
from typing import Any

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
    triggers); the triggers keep them right afterwards.

    ``stage_span`` and ``payment_fact`` are their views copied whole. ``invoice_open``
    is the same rows as its view, computed in one ordered pass over the invoices and
    their dated changes (:func:`_open_invoices`): the view's correlated subqueries
    (the balance at each change of each invoice) cost about a dozen index searches per
    invoice, most of a first sync's rebuild (docs/sync.md, "First sync from a
    snapshot"). Should a value not be of the type the pass relies on, the view is
    copied instead."""
    covered = _covering(conn)
    for name in DERIVED_TABLES:
        conn.exec_driver_sql(f"DELETE FROM {name}")
        if name == "invoice_open" and _rebuild_open(conn, covered):
            continue
        if name == "payment_fact" and covered:
            conn.exec_driver_sql(f"INSERT INTO payment_fact {_PAYMENT_FACTS}")
            continue
        conn.exec_driver_sql(f"INSERT INTO {name} SELECT * FROM {name}_calc")


# payment_fact_calc (migration 0008) with each payment's invoice read from the index
# that holds every column it needs (ix_invoice_id_figures): the view's plan looks each
# invoice up by its primary key and reads its row (about 2 KB with the seller's and
# buyer's records, a page of its own on the laptop), twice the time of the whole table's
# rebuild. Same rows (tests/unit/test_indicators_derived.py compares them with the view).
_PAYMENT_FACTS = """
SELECT p.id AS payment_id, p.invoice_id, p.paid_on, i.entrepreneur_id AS person_id,
       i.antenne_id,
       CASE WHEN i.kind = 'avoir' THEN -abs(p.amount_cents) ELSE p.amount_cents END AS amount
FROM payment p JOIN invoice i INDEXED BY ix_invoice_id_figures ON i.id = p.invoice_id
WHERE p.deleted_at IS NULL AND i.deleted_at IS NULL AND i.status != 'brouillon'
"""
# The indexes the set-based rebuild reads instead of the invoice rows (each holds all the
# columns its query reads); without them (a schema of another age) the views are copied.
_COVERING = ("ix_invoice_id_figures", "ix_invoice_credits")


def _covering(conn: Connection) -> bool:
    marks = ", ".join("?" for _ in _COVERING)
    found = conn.exec_driver_sql(
        f"SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN ({marks})",
        _COVERING,
    ).scalar_one()
    return bool(found == len(_COVERING))


# invoice_open_calc's sources (migration 0008): each counted invoice (issue date, total,
# antenne), and what changes a balance, dated: live payments and the absolute amount of
# live issued credit notes (of any invoice: those of an invoice not counted are skipped).
_OPEN_INVOICES = """
SELECT id, issue_date, total_incl_cents, antenne_id FROM invoice
  WHERE kind = 'facture' AND status = 'emise' AND deleted_at IS NULL
"""
_OPEN_CHANGES = """
SELECT invoice_id, paid_on, amount_cents FROM payment
  WHERE deleted_at IS NULL AND paid_on IS NOT NULL
UNION ALL
SELECT credited_invoice_id, issue_date, abs(total_incl_cents) FROM invoice{credits}
  WHERE kind = 'avoir' AND status != 'brouillon' AND deleted_at IS NULL
    AND credited_invoice_id IS NOT NULL AND issue_date IS NOT NULL
"""
# The credit notes from ix_invoice_credits, which holds every column read (not their rows).
_BY_CREDITS = " INDEXED BY ix_invoice_credits"
# The view's "every day": a balance on it counts every dated change.
_LAST_DAY = "9999-12-31"
_BATCH = 5000


class _Unexpected(Exception):
    """A value the pass does not compute as SQLite would (a date not text, an amount not
    an integer): the view is copied instead."""


def _rebuild_open(conn: Connection, covered: bool) -> bool:
    """Fill the empty ``invoice_open`` (False, nothing written, when a value is not of
    the expected type)."""
    raw = conn.connection.dbapi_connection
    assert raw is not None
    cursor = raw.cursor()
    try:
        changes = cursor.execute(
            _OPEN_CHANGES.format(credits=_BY_CREDITS if covered else "")
        ).fetchall()
        invoices = cursor.execute(_OPEN_INVOICES).fetchall()
    finally:
        cursor.close()
    try:
        rows = _open_invoices(invoices, changes)
    except _Unexpected:
        return False
    for start in range(0, len(rows), _BATCH):
        conn.exec_driver_sql(
            "INSERT INTO invoice_open VALUES (?, ?, ?, ?, ?, ?, ?)", rows[start : start + _BATCH]
        )
    return True


def _open_invoices(
    invoices: list[tuple[Any, ...]], changes: list[tuple[Any, ...]]
) -> list[tuple[Any, ...]]:
    """invoice_open_calc's rows, by invoice id: the balance after a day is the total
    minus every change dated on or before it (the issue date changes nothing; a NULL
    date counts nowhere, as in SQL); ``settled_on``, when nothing is left due, is the
    first date after the last one that left a positive balance."""
    dated: dict[Any, list[tuple[str, int]]] = {}
    for invoice_id, day, amount in changes:
        if type(day) is not str or type(amount) is not int:
            raise _Unexpected(invoice_id)
        found = dated.get(invoice_id)
        if found is None:
            dated[invoice_id] = [(day, amount)]
        else:
            found.append((day, amount))
    out = []
    for invoice_id, issue_date, total, antenne_id in sorted(invoices, key=itemgetter(0)):
        if type(total) is not int or not (issue_date is None or type(issue_date) is str):
            raise _Unexpected(invoice_id)
        moves = dated.get(invoice_id, [])
        if issue_date is not None:
            moves.append((issue_date, 0))
        moves.sort(key=itemgetter(0))
        balance, last_due, spent = total, None, 0
        for index, (day, amount) in enumerate(moves):
            spent += amount
            if day <= _LAST_DAY:
                balance -= amount
            # A day's balance counts all of that day's changes.
            last_of_day = index + 1 == len(moves) or moves[index + 1][0] != day
            if last_of_day and total - spent > 0:
                last_due = day
        settled_on = None
        if balance <= 0:
            after = "" if last_due is None else last_due
            settled_on = next((day for day, _amount in moves if day > after), None)
        last_event_on = moves[-1][0] if moves else None
        out.append((invoice_id, issue_date, total, antenne_id, settled_on, last_event_on, balance))
    return out


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

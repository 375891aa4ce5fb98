"""The derived tables' triggers made again when a later migration dropped them
(docs/indicators.md, "Derived tables").

The triggers of migration 0008 keep ``stage_span``, ``invoice_open`` and ``payment_fact``
exact on every write of ``parcours_stage``, ``invoice`` and ``payment``. A later SQLite
migration that rebuilds one of those tables (Alembic's batch mode moves and copies it)
drops the triggers on it: the indicators then read the synced tables, right but slower
(app/indicators/derived.py ``present``), and the derived rows stop being kept. At each
opening of a profile, once migrated, :func:`repair` looks for the expected triggers
(one read of ``sqlite_master``) and, should one be missing, makes all of them again from
the migration's own definitions and rebuilds the derived rows, in one transaction.
"""

from __future__ import annotations

import logging
from types import ModuleType

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from app.indicators import derived

__all__ = ["EXPECTED_TRIGGERS", "missing_triggers", "repair"]

log = logging.getLogger(__name__)

# The revision whose module defines the triggers (``TRIGGERS``: name, event, body). A
# migration that changes a trigger's definition defines it anew: point this at it.
DEFINED_IN = "0008"
# Their names, so that the check at each opening needs no Alembic (~100 ms of imports,
# app/migrate.py); tests/integration/test_indicator_derived_repair.py checks them
# against the migration's list.
EXPECTED_TRIGGERS = (
    "stage_span_ins",
    "stage_span_upd",
    "stage_span_del",
    "invoice_open_ins",
    "invoice_open_upd",
    "invoice_open_del",
    "invoice_open_pay_ins",
    "invoice_open_pay_upd",
    "invoice_open_pay_del",
    "payment_fact_ins",
    "payment_fact_upd",
    "payment_fact_del",
    "payment_fact_inv_ins",
    "payment_fact_inv_upd",
    "payment_fact_inv_del",
)


def missing_triggers(conn: Connection) -> list[str]:
    """The expected triggers this database lacks; empty when it has them all, or when it
    has no derived tables at all (PostgreSQL, a schema made by ``create_all``: the
    figures are computed from the synced tables by design)."""
    if conn.dialect.name != "sqlite":
        return []
    found = set(
        conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view', 'trigger')"
        ).scalars()
    )
    sources = {*derived.DERIVED_TABLES, *(f"{name}_calc" for name in derived.DERIVED_TABLES)}
    if not sources <= found:
        return []
    return [name for name in EXPECTED_TRIGGERS if name not in found]


def repair(engine: Engine) -> list[str]:
    """Make the triggers again and rebuild the derived rows if any trigger is missing;
    returns the names that were missing (empty: nothing done). A failure is logged and
    never stops the profile from opening: the figures stay right without the tables."""
    try:
        return _repair(engine)
    except SQLAlchemyError:
        log.exception("derived tables' triggers not repaired")
        return []


def _repair(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        missing = missing_triggers(conn)
    if not missing:
        return []
    definitions = _migration().TRIGGERS
    with engine.begin() as conn:
        missing = missing_triggers(conn)  # read again under the write lock
        if not missing:
            return []
        for name, event, body in definitions:
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
            conn.exec_driver_sql(f"CREATE TRIGGER {name} {event} FOR EACH ROW BEGIN {body} END")
        # Writes made while a trigger was missing left derived rows behind.
        derived.rebuild(conn)
    log.warning(
        "derived tables' triggers missing (%s): made again and the tables rebuilt",
        ", ".join(missing),
    )
    # A connection that already asked derived.present() keeps its answer: start afresh.
    engine.dispose()
    return missing


def _migration() -> ModuleType:
    from alembic.script import ScriptDirectory

    from app.migrate import alembic_config

    script = ScriptDirectory.from_config(alembic_config()).get_revision(DEFINED_IN)
    assert script is not None and script.module is not None
    return script.module

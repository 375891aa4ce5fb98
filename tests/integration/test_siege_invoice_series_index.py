"""Siège migration s0011: the invoices of a series found by an index, not by reading
every issued invoice (a laptop's scope holds the invoices issued in its own series:
siege/scope_model.py). Both ways, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, inspect

from siege import db
from tests.sync_support import postgres_database

INDEX = "ix_siege_invoice_series_status"


def _indexes(engine: Engine) -> set[str]:
    return {str(i["name"]) for i in inspect(engine).get_indexes("invoice")}


def _round_trip(engine: Engine) -> None:
    db.migrate(engine)
    assert INDEX in _indexes(engine)
    with engine.begin() as conn:
        command.downgrade(db.siege_alembic_config(conn), "s0010")
    assert INDEX not in _indexes(engine)
    with engine.begin() as conn:
        command.upgrade(db.siege_alembic_config(conn), "head")
    assert INDEX in _indexes(engine)


def test_s0011_on_sqlite_and_the_scope_reads_a_series_by_its_index(tmp_path: Path) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'siege.sqlite3'}")
    try:
        _round_trip(engine)
        with engine.connect() as conn:
            plan = " ".join(
                str(row[-1])
                for row in conn.exec_driver_sql(
                    "EXPLAIN QUERY PLAN SELECT id FROM invoice"
                    " WHERE series_id IN ('s1', 's2') AND status = 'emise'"
                )
            )
        assert INDEX in plan and "SCAN invoice" not in plan
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_s0011_on_postgresql() -> None:
    with postgres_database() as url:
        engine = db.make_engine(url)
        try:
            _round_trip(engine)
        finally:
            engine.dispose()

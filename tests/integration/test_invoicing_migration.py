"""Migration 0003 (e-invoicing fields) on SQLite and PostgreSQL: rows written under 0002
keep their values and read the new columns as "" (derived at issue), and it goes back."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic import command
from sqlalchemy import MetaData, Table, create_engine, inspect, text
from sqlalchemy.engine import Engine

from app.migrate import alembic_config, current_revision, upgrade
from tests.sync_support import postgres_database

DAY = dt.date(2026, 3, 2)
NOON = dt.datetime(2026, 3, 2, 12, 0)
NEW = {
    "client": {"einvoicing_address"},
    "invoice": {"buyer_reference", "order_reference"},
    "invoice_line": {"vat_category"},
}


def _columns(engine: Engine, table: str) -> set[str]:
    return {c["name"] for c in inspect(engine).get_columns(table)}


def _downgrade(engine: Engine, target: str) -> None:
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), target)


def _insert(engine: Engine, table: str, **values: object) -> None:
    """A row as the 0002 schema takes it: given values, every other NOT NULL column filled
    by its type (reflected, so the test needs no copy of the old models)."""
    reflected = Table(table, MetaData(), autoload_with=engine)
    row = dict(values)
    for column in reflected.columns:
        if column.name in row or column.nullable:
            continue
        python = column.type.python_type
        row[column.name] = {str: "", int: 0, bool: False, dt.date: DAY, dt.datetime: NOON}[python]
    with engine.begin() as conn:
        conn.execute(reflected.insert().values(**row))


def _round_trip(engine: Engine) -> None:
    upgrade(engine, "0002")
    for table, names in NEW.items():
        assert not names & _columns(engine, table)
    _insert(engine, "person", id="p1", first_name="Céline", last_name="Martin")
    _insert(engine, "client", id="c1", entrepreneur_id="p1", name="Boulangerie Dupré")
    _insert(engine, "invoice", id="i1", entrepreneur_id="p1", client_id="c1", notes="BC oral")
    _insert(engine, "invoice_line", id="l1", invoice_id="i1", description="Retouche")
    upgrade(engine, "0003")
    assert current_revision(engine) == "0003"
    for table, names in NEW.items():
        assert names <= _columns(engine, table)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT name, einvoicing_address FROM client")).one() == (
            "Boulangerie Dupré",
            "",
        )
        assert conn.execute(
            text("SELECT notes, buyer_reference, order_reference FROM invoice")
        ).one() == ("BC oral", "", "")
        assert conn.execute(text("SELECT vat_category FROM invoice_line")).scalar_one() == ""
    _downgrade(engine, "0002")
    for table, names in NEW.items():
        assert not names & _columns(engine, table)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT description FROM invoice_line")).scalar_one() == (
            "Retouche"
        )
    upgrade(engine, "0003")
    assert current_revision(engine) == "0003"


def test_0003_on_sqlite(tmp_path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'p.sqlite3'}")
    try:
        _round_trip(engine)
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_0003_on_postgresql() -> None:
    with postgres_database() as url:
        engine = create_engine(url)
        try:
            _round_trip(engine)
        finally:
            engine.dispose()

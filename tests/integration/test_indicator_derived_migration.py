"""Migration 0008 (issue 17, budget), both ways: the derived tables of the indicators
(``stage_span``, ``invoice_open``), their views and triggers on SQLite; nothing on
PostgreSQL, where the indicators read the synced tables (app/indicators/derived.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect
from sqlalchemy.orm import Session

from app.indicators import derived
from app.migrate import SCHEMA_HEAD, alembic_config, alembic_head, current_revision, upgrade
from tests.sync_support import postgres_database

DERIVED = set(derived.DERIVED_TABLES)


def _round_trip(url: str, *, derived_tables: bool) -> None:
    engine = create_engine(url)
    try:
        upgrade(engine, "0007")
        assert not DERIVED & set(inspect(engine).get_table_names())
        upgrade(engine)
        assert current_revision(engine) == SCHEMA_HEAD == alembic_head()
        assert (set(inspect(engine).get_table_names()) >= DERIVED) is derived_tables
        with Session(engine) as session:
            assert derived.present(session) is derived_tables
        with engine.begin() as conn:
            command.downgrade(alembic_config(conn), "0007")
        assert not DERIVED & set(inspect(engine).get_table_names())
        assert not {v for v in inspect(engine).get_view_names() if v.endswith("_calc")}
        upgrade(engine)
        assert current_revision(engine) == SCHEMA_HEAD
        if derived_tables:
            with engine.begin() as conn:
                assert derived.differences(conn) == {name: 0 for name in DERIVED}
    finally:
        engine.dispose()


def test_migration_0008_on_sqlite(tmp_path: Path) -> None:
    _round_trip(f"sqlite:///{tmp_path / 'p.sqlite3'}", derived_tables=True)


@pytest.mark.postgres
def test_migration_0008_on_postgresql() -> None:
    with postgres_database() as url:
        _round_trip(url, derived_tables=False)

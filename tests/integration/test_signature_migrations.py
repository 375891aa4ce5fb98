"""Migrations of issue 16, both ways, on SQLite and PostgreSQL: app 0006 (signatures,
sheet seals, NDA, FSE+ operation reference) and siège s0008 (the siège's sealed sheets)."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect

from app.migrate import SCHEMA_HEAD, alembic_config, current_revision, upgrade
from siege import db
from tests.sync_support import postgres_database

NEW_TABLES = {"attendance_signature", "sheet_seal"}


def _columns(engine, table: str) -> set[str]:
    return {c["name"] for c in inspect(engine).get_columns(table)}


def _app_round_trip(url: str) -> None:
    engine = create_engine(url)
    try:
        upgrade(engine, "0005")
        assert not NEW_TABLES & set(inspect(engine).get_table_names())
        upgrade(engine)
        assert current_revision(engine) == SCHEMA_HEAD
        assert set(inspect(engine).get_table_names()) >= NEW_TABLES
        assert {"slot_id", "strokes", "link_sha256", "previous_sha256", "sync_stamp"} <= (
            _columns(engine, "attendance_signature")
        )
        assert "nda" in _columns(engine, "cae_identity")
        assert "operation_ref" in _columns(engine, "activity_funder")
        with engine.begin() as conn:
            command.downgrade(alembic_config(conn), "0005")
        assert not NEW_TABLES & set(inspect(engine).get_table_names())
        assert "nda" not in _columns(engine, "cae_identity")
        upgrade(engine)
        assert current_revision(engine) == SCHEMA_HEAD
    finally:
        engine.dispose()


def _siege_round_trip(url: str) -> None:
    engine = db.make_engine(url)
    try:
        db.migrate(engine)
        assert "siege_sheet_seal" in inspect(engine).get_table_names()
        with engine.begin() as conn:
            command.downgrade(db.siege_alembic_config(conn), "s0007")
        assert "siege_sheet_seal" not in inspect(engine).get_table_names()
        with engine.begin() as conn:
            command.upgrade(db.siege_alembic_config(conn), "head")
        assert "state" in _columns(engine, "siege_sheet_seal")
    finally:
        engine.dispose()


def test_migration_0006_on_sqlite(tmp_path: Path) -> None:
    _app_round_trip(f"sqlite:///{tmp_path / 'p.sqlite3'}")


def test_migration_s0008_on_sqlite(tmp_path: Path) -> None:
    _siege_round_trip(f"sqlite:///{tmp_path / 's.sqlite3'}")


@pytest.mark.postgres
def test_migrations_0006_and_s0008_on_postgresql() -> None:
    with postgres_database() as url:
        _app_round_trip(url)
    with postgres_database() as url:
        _siege_round_trip(url)

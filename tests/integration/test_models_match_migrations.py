"""The models (app/models) and the migrations (app/migrations) describe one schema: a
database migrated to the head, on SQLite and on PostgreSQL, holds every table, column,
type, nullability and index the models declare (Alembic's own comparison). What the
migrations add beyond the models is allowed: the dashboard's derived tables and a few
indexes written in SQL (migration 0008 and others).

And the outbox and the journal keep one list of columns in one order (their shared
mixin, app/models/sync.py): an entry moves between them unchanged
(app/sync/outbox.py ENTRY_COLUMNS, app/sync/journal.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, create_engine, inspect

import app.models  # noqa: F401  (every model registered on the metadata)
from app.migrate import upgrade
from app.models import JournalEntry, OutboxEntry
from app.models.base import Base
from app.sync.outbox import ENTRY_COLUMNS
from tests.sync_support import postgres_database

# Objects a migration creates that no model declares (the derived tables, indexes
# written in SQL): the only differences allowed.
BEYOND_THE_MODELS = {"remove_table", "remove_index"}


def _differences(engine: Engine) -> list[Any]:
    upgrade(engine, "head")
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        found = compare_metadata(context, Base.metadata)
    # A column's changes come as a list of tuples; every other difference as a tuple.
    return [d for d in found if isinstance(d, list) or d[0] not in BEYOND_THE_MODELS]


def _sync_columns(engine: Engine) -> dict[str, list[str]]:
    found = inspect(engine)
    return {name: [c["name"] for c in found.get_columns(name)] for name in _TABLES}


_TABLES = (OutboxEntry.__tablename__, JournalEntry.__tablename__)


def _check(engine: Engine) -> None:
    assert _differences(engine) == []
    models = {name: list(Base.metadata.tables[name].c.keys()) for name in _TABLES}
    assert _sync_columns(engine) == models
    assert models["sync_outbox"] == list(ENTRY_COLUMNS)
    assert models["sync_journal"] == [*ENTRY_COLUMNS, "acknowledged_at"]


def test_the_models_are_the_migrated_schema_on_sqlite(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'profile.sqlite3'}")
    try:
        _check(engine)
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_the_models_are_the_migrated_schema_on_postgresql() -> None:
    with postgres_database() as url:
        engine = create_engine(url)
        try:
            _check(engine)
        finally:
            engine.dispose()


def test_the_outbox_and_the_journal_share_their_column_definitions() -> None:
    """Same type, nullability, default and index for each shared column: a change made
    to one alone would be caught here before a migration is written."""
    outbox, journal = OutboxEntry.__table__, JournalEntry.__table__

    def described(column: Any) -> tuple[str, bool, Any, bool]:
        default = getattr(column.default, "arg", None)
        # A callable default is wrapped once per column: compared by what it wraps.
        default = getattr(default, "__wrapped__", default)
        return (repr(column.type), bool(column.nullable), default, bool(column.index))

    for name in ENTRY_COLUMNS:
        if name == "seq":
            continue  # numbered by the outbox, kept as is by the journal
        assert described(outbox.c[name]) == described(journal.c[name]), name

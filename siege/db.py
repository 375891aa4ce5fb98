"""The siège database: engine, migrations (the app's tables, then the siège's own) and
reference data. PostgreSQL in production, SQLite as the try-it-in-one-command default.
Nothing here runs at import time."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, insert, select, update
from sqlalchemy.orm import Session

from app import migrate as app_migrate
from app.indicators import derived_repair
from app.models.base import Base, synced_tables
from app.seed import seed_reference_data
from siege.tables import counter, row_version

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
DEFAULT_URL = "sqlite:///siege.sqlite3"
URL_ENV = "PERMANENCE_SIEGE_DATABASE_URL"


def database_url(explicit: str | None = None) -> str:
    return explicit or os.environ.get(URL_ENV) or DEFAULT_URL


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _begin_immediate)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Same recipe as the laptop (app.db): SQLAlchemy owns BEGIN, WAL, links checked.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = FULL")
    cursor.close()


def _begin_immediate(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def siege_alembic_config(connection: Any = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def migrate(engine: Engine) -> None:
    """Bring the siège database to the current schema and seed reference data."""
    app_migrate.upgrade(engine)
    # A SQLite try-out siège keeps the indicators' derived tables as a laptop does.
    derived_repair.repair(engine)
    with engine.begin() as conn:
        command.upgrade(siege_alembic_config(conn), "head")
    with engine.begin() as conn:
        if conn.execute(select(counter.c.value).where(counter.c.id == 1)).first() is None:
            conn.execute(insert(counter).values(id=1, value=0))
    with Session(engine) as session:
        seed_reference_data(session)
        session.commit()
    publish_unversioned_rows(engine)


def publish_unversioned_rows(engine: Engine) -> None:
    """Put rows the siège wrote itself (seeded reference data) in the change feed, so
    every laptop takes the siège's copy and all hold identical rows."""
    with engine.begin() as conn:
        seq = conn.execute(
            select(counter.c.value).where(counter.c.id == 1).with_for_update()
        ).scalar_one()
        for name in synced_tables():
            table = Base.metadata.tables[name]
            missing = (
                conn.execute(
                    select(table.c.id)
                    .outerjoin(
                        row_version,
                        (row_version.c.table_name == name) & (row_version.c.row_id == table.c.id),
                    )
                    .where(row_version.c.row_id.is_(None))
                    .order_by(table.c.id)
                )
                .scalars()
                .all()
            )
            if missing:
                conn.execute(
                    insert(row_version),
                    [
                        {"table_name": name, "row_id": row_id, "seq": seq + i + 1}
                        for i, row_id in enumerate(missing)
                    ],
                )
                seq += len(missing)
        conn.execute(update(counter).where(counter.c.id == 1).values(value=seq))

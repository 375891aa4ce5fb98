"""Load the synced rows of an existing laptop profile into the siège (first installation
from a database already in use, demo set-ups, benchmarks). Rows the siège already holds
are left alone; imported rows enter the change feed so every laptop receives them."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, select

from app.models.base import Base, synced_tables
from siege.db import publish_unversioned_rows

CHUNK = 2000


def import_profile(engine: Engine, profile_root: Path) -> int:
    """Copy every synced row missing on the siège; returns how many were copied."""
    database = profile_root / "permanence.sqlite3"
    if not database.exists():
        raise FileNotFoundError(database)
    source = create_engine(f"sqlite:///{database}")
    copied = 0
    try:
        with source.connect() as src, engine.begin() as dst:
            for name in synced_tables():
                table = Base.metadata.tables[name]
                held = set(dst.execute(select(table.c.id)).scalars())
                batch: list[dict[str, object]] = []
                for row in src.execute(select(table)).mappings():
                    if row["id"] in held:
                        continue
                    batch.append(dict(row))
                    if len(batch) >= CHUNK:
                        dst.execute(table.insert(), batch)
                        copied += len(batch)
                        batch = []
                if batch:
                    dst.execute(table.insert(), batch)
                    copied += len(batch)
    finally:
        source.dispose()
    publish_unversioned_rows(engine)
    return copied

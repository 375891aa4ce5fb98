"""Load the synced rows of an existing laptop profile into the siège (first installation
from a database already in use, demo set-ups, benchmarks).

Rows missing on the siège are copied. A row the siège already holds under the same id
takes the profile's values when no laptop has changed it through sync yet (it has no
field clock): that is a default seeded by ``migrate`` (the CAE identity, the permanence
schedules, the reference lists), and the profile's own values are the real ones. A row
already changed through sync is left alone. Copied and updated rows enter the change
feed so every laptop receives them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, select, update

from app.models.base import Base, synced_tables
from siege.db import publish_unversioned_rows
from siege.feed import touch_row
from siege.tables import counter, field_clock

CHUNK = 2000


def import_profile(engine: Engine, profile_root: Path) -> int:
    """Copy every synced row missing on the siège, and the profile's values over seeded
    defaults; returns how many rows were copied or updated."""
    database = profile_root / "permanence.sqlite3"
    if not database.exists():
        raise FileNotFoundError(database)
    source = create_engine(f"sqlite:///{database}")
    copied = 0
    try:
        with source.connect() as src, engine.begin() as dst:
            seq = dst.execute(
                select(counter.c.value).where(counter.c.id == 1).with_for_update()
            ).scalar_one()
            updated: list[tuple[str, str]] = []
            for name in synced_tables():
                table = Base.metadata.tables[name]
                held = {row["id"]: dict(row) for row in dst.execute(select(table)).mappings()}
                synced = set(
                    dst.execute(
                        select(field_clock.c.row_id)
                        .where(field_clock.c.table_name == name)
                        .distinct()
                    ).scalars()
                )
                batch: list[dict[str, object]] = []
                for row in src.execute(select(table)).mappings():
                    mine = held.get(row["id"])
                    if mine is not None:
                        if row["id"] not in synced and _differs(mine, row):
                            dst.execute(update(table).where(table.c.id == row["id"]).values(**row))
                            updated.append((name, row["id"]))
                        continue
                    batch.append(dict(row))
                    if len(batch) >= CHUNK:
                        dst.execute(table.insert(), batch)
                        copied += len(batch)
                        batch = []
                if batch:
                    dst.execute(table.insert(), batch)
                    copied += len(batch)
            _republish(dst, int(seq), updated)
    finally:
        source.dispose()
    publish_unversioned_rows(engine)
    return copied + len(updated)


def _differs(mine: dict[str, Any], theirs: Any) -> bool:
    return any(mine.get(k) != v for k, v in theirs.items())


def _republish(conn: Connection, seq: int, keys: list[tuple[str, str]]) -> None:
    """Give updated rows a new version so laptops that already pulled the seeded copy
    take the imported one."""
    for table, row_id in keys:
        seq += 1
        touch_row(conn, table, row_id, seq)
    conn.execute(update(counter).where(counter.c.id == 1).values(value=seq))

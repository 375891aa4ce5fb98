"""The siège's epoch: a random id that names this database's history (docs/sync.md, "A
restored siège gets back what it acknowledged").

Written by migration s0010 and given at every ``/hello``. Restoring a backup brings its
old epoch back; ``python -m siege restored``, the last step of a restore, draws a new
one, and each laptop seeing it reads the siège again from the start and sends again its
journal above what the siège holds of it, even when the operation numbers alone could
not show the loss (a point-in-time restore that kept this device's operations but lost
another's)."""

from __future__ import annotations

import uuid

from sqlalchemy import Column, DateTime, Engine, Integer, String, Table, select, update

from app.clock import utcnow
from siege.tables import metadata

epoch = Table(
    "siege_epoch",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    # 32 hexadecimal digits (uuid4): the laptop refuses any other shape.
    Column("epoch", String(32), nullable=False),
    Column("drawn_at", DateTime, nullable=False),
)


def new_epoch() -> str:
    return uuid.uuid4().hex


def current(engine: Engine) -> str:
    """This database's epoch ("" before migration s0010)."""
    with engine.connect() as conn:
        found = conn.execute(select(epoch.c.epoch).where(epoch.c.id == 1)).scalar()
    return str(found or "")


def draw(engine: Engine) -> str:
    """A new epoch, after a restore: every laptop re-reads and re-sends at its next sync."""
    fresh = new_epoch()
    with engine.begin() as conn:
        conn.execute(update(epoch).where(epoch.c.id == 1).values(epoch=fresh, drawn_at=utcnow()))
    return fresh

"""Declarative base and the columns every synced table carries."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from app.clock import utcnow
from app.ids import new_id

# Stable constraint names so Alembic migrations are deterministic on SQLite
# (batch mode needs named constraints) and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Synced:
    """Columns of every table that travels between laptops and the siège.

    ``id`` is a UUIDv7 made on the laptop; ``deleted_at`` is a tombstone (rows
    are never physically deleted, so a delete can sync like any change);
    ``created_by``/``updated_by`` record who wrote the row (RGPD accountability).
    """

    __synced__ = True

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    created_by: Mapped[str | None] = mapped_column(String(120), default=None)
    updated_by: Mapped[str | None] = mapped_column(String(120), default=None)


def synced_tables() -> list[str]:
    """Names of the tables that sync, in dependency order (parents first)."""
    return [
        t.name for t in Base.metadata.sorted_tables if "deleted_at" in t.c and "created_by" in t.c
    ]

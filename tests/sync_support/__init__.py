"""Test harness for sync: a siège in process (real FastAPI app over a real database)
and laptops (real SQLite profiles) talking to it through the HTTP handlers."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, select, text

from app.config import ProfileSettings
from app.models.base import Base, synced_tables
from app.profile import Profile, create_profile
from app.sync import service
from siege import db, devices
from siege.api import create_app

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
BASE_URL = "http://localhost"  # plain http only to loopback (app/sync/transport.py)
os.environ.setdefault("PERMANENCE_NO_KEYRING", "1")


@contextmanager
def postgres_database(template: str | None = None) -> Iterator[str]:
    """A throwaway PostgreSQL database (optionally a copy of ``template``), dropped after."""
    name = f"permanence_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        copy = f' TEMPLATE "{template}"' if template else ""
        conn.execute(text(f'CREATE DATABASE "{name}"{copy}'))
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :n AND pid <> pg_backend_pid()"
                ),
                {"n": name},
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


class Siege:
    """A migrated siège database and its ASGI app."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine: Engine = db.make_engine(url)
        db.migrate(self.engine)
        self.app = create_app(self.engine)

    @classmethod
    def open(cls, url: str) -> Siege:
        """An already migrated siège database."""
        server = cls.__new__(cls)
        server.url = url
        server.engine = db.make_engine(url)
        server.app = create_app(server.engine)
        return server

    def http(self, token: str | None = None, **kwargs: Any) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return TestClient(self.app, base_url=BASE_URL, headers=headers, **kwargs)

    def http_factory(self, _url: str, token: str | None) -> httpx.Client:
        return self.http(token)

    def enrol(self, profile: Profile, name: str, antenne: str = "Épernay") -> str:
        code, _prefix = devices.enroll(self.engine, name, antenne)
        service.enrol(profile, BASE_URL, code, http_factory=self.http_factory)
        token = service._token_store(profile, service._device(profile).device_id).load()
        assert token
        return token

    def close(self) -> None:
        self.engine.dispose()


def new_laptop(root: Path, name: str) -> Profile:
    profile = create_profile(root / name, ProfileSettings(display_name=name))
    profile.uow.actor = name
    return profile


def give_cae_identity(siege: Siege, root: Path) -> None:
    """The siège's administrator brings the CAE's identity (reference data an invoice
    needs) from a profile of their own, as `siege import-profile` does."""
    from siege.importer import import_profile
    from tests.invoicing_fixtures import complete_identity

    admin = new_laptop(root, "admin")
    complete_identity(admin.uow)
    admin.close()
    import_profile(siege.engine, admin.paths.root)


def snapshot(
    engine: Engine, tables: list[str] | None = None
) -> dict[str, dict[str, tuple[Any, ...]]]:
    """Every synced row, comparable across SQLite and PostgreSQL."""
    out: dict[str, dict[str, tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for name in tables or synced_tables():
            table = Base.metadata.tables[name]
            cols = [c for c in table.columns if c.name != "id"]
            rows = conn.execute(select(table.c.id, *cols)).all()
            out[name] = {r[0]: tuple(r[1:]) for r in rows}
    return out

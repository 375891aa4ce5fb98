"""Pytest fixtures for siège tests: one siège per backend (SQLite file, real PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sync_support import Siege, postgres_database


@pytest.fixture(scope="session")
def pg_siege_url() -> Iterator[str]:
    """One throwaway PostgreSQL database for the session, migrated once, dropped after."""
    with postgres_database() as url:
        Siege(url).close()
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def siege(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Siege]:
    if request.param == "sqlite":
        server = Siege(f"sqlite:///{tmp_path}/siege.sqlite3")
    else:
        url = request.getfixturevalue("pg_siege_url")
        server = Siege.__new__(Siege)
        from siege import db
        from siege.api import create_app

        server.url = url
        server.engine = db.make_engine(url)
        server.app = create_app(server.engine)
    yield server
    server.close()

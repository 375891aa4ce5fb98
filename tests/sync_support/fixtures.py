"""Pytest fixtures for siège tests: one siège per backend (SQLite file, real PostgreSQL)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from siege import db
from tests.sync_support import Siege, postgres_database
from tests.sync_support.processes import SiegeProcess


@pytest.fixture(scope="session")
def pg_siege_url() -> Iterator[str]:
    """A migrated PostgreSQL database used as a template (copying it is much faster than
    migrating); dropped after the session."""
    with postgres_database() as url:
        Siege(url).close()
        yield url


@pytest.fixture(scope="session")
def sqlite_siege_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite siège, copied for each test (migrating takes most of a second)."""
    path = tmp_path_factory.mktemp("siege-template") / "siege.sqlite3"
    Siege(f"sqlite:///{path}").close()
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def siege(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Siege]:
    if request.param == "sqlite":
        target = tmp_path / "siege.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_siege_template"), target)
        server = Siege.open(f"sqlite:///{target}")
    else:
        template = request.getfixturevalue("pg_siege_url").rsplit("/", 1)[1]
        with postgres_database(template) as url:
            server = Siege.open(url)
            yield server
            server.close()
        return
    yield server
    server.close()


@pytest.fixture
def siege_process(tmp_path: Path) -> Iterator[SiegeProcess]:
    """A real `python -m siege serve` on loopback, over a migrated SQLite database."""
    url = f"sqlite:///{tmp_path}/siege.sqlite3"
    engine = db.make_engine(url)
    db.migrate(engine)
    engine.dispose()
    server = SiegeProcess(url, tmp_path / "siege.log")
    server.start()
    yield server
    server.kill()

"""Fixtures shared by the e-invoicing tests (tests/integration/conftest.py): the PA
simulator served over real HTTP on loopback, and a migrated siège database on SQLite and
on PostgreSQL. A module that needs a differently configured simulator defines its own
``sim``; ``sim_url`` serves whichever it is."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from sqlalchemy import Engine

from siege import db
from tests.pa_simulator.app import Simulator
from tests.pa_simulator.server import running
from tests.sync_support import postgres_database


@pytest.fixture
def sim() -> Simulator:
    return Simulator()


@pytest.fixture
def sim_url(sim: Simulator) -> Iterator[str]:
    with running(sim) as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def siege_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    with ExitStack() as stack:
        url = (
            f"sqlite:///{tmp_path / 'siege.sqlite3'}"
            if request.param == "sqlite"
            else stack.enter_context(postgres_database())
        )
        engine = db.make_engine(url)
        db.migrate(engine)
        yield engine
        engine.dispose()

"""Shared fixtures: a fresh real profile (SQLite file) per test, and a UI context."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app import clock
from app.config import ProfileSettings
from app.profile import Profile, create_profile
from tests.clock_support import SUITE_INSTANT


@pytest.fixture(autouse=True, scope="session")
def siege_snapshot_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The siège's prepared snapshot files (siege/snapshot.py, PERMANENCE_SNAPSHOT_DIR)
    go under the run's temporary folder, not the machine's /tmp/permanence-snapshots;
    a `siege serve` child process inherits it."""
    where = tmp_path_factory.mktemp("siege-snapshots")
    before = os.environ.get("PERMANENCE_SNAPSHOT_DIR")
    os.environ["PERMANENCE_SNAPSHOT_DIR"] = str(where)
    yield where
    if before is None:
        os.environ.pop("PERMANENCE_SNAPSHOT_DIR", None)
    else:
        os.environ["PERMANENCE_SNAPSHOT_DIR"] = before


@pytest.fixture(autouse=True)
def pinned_clock() -> Iterator[clock.PinnedClock]:
    """Every test sees the same date (SUITE_INSTANT, then running at the real pace);
    a test that needs another moment calls ``pinned_clock.set(...)``."""
    with clock.pinned(SUITE_INSTANT) as pinned:
        yield pinned


@pytest.fixture
def profile(tmp_path: Path) -> Iterator[Profile]:
    """A new plain profile with the reference data seeded, closed after the test."""
    # LOC: the prefix of profiles created before each had its own (still numbered in).
    p = create_profile(
        tmp_path / "profil", ProfileSettings(display_name="Test"), series_prefix="LOC"
    )
    p.uow.actor = "Claire Testeuse"
    yield p
    p.close()


@pytest.fixture
def uow(profile: Profile):
    return profile.uow

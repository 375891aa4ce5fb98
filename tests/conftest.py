"""Shared fixtures: a fresh real profile (SQLite file) per test, and a UI context."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.config import ProfileSettings
from app.profile import Profile, create_profile


@pytest.fixture
def profile(tmp_path: Path) -> Iterator[Profile]:
    """A new plain profile with the reference data seeded, closed after the test."""
    p = create_profile(tmp_path / "profil", ProfileSettings(display_name="Test"))
    p.uow.actor = "Claire Testeuse"
    yield p
    p.close()


@pytest.fixture
def uow(profile: Profile):  # type: ignore[no-untyped-def]
    return profile.uow

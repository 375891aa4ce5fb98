"""The tests' clock: every test runs with the application's clock pinned (see the
autouse fixture in ``tests/conftest.py``), so the suite passes on any real date."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from app import clock

# A Thursday in late November 2026, during office hours in Reims.
SUITE_INSTANT = dt.datetime(2026, 11, 26, 9, 30, tzinfo=clock.PARIS)

ROOT = Path(__file__).resolve().parents[1]
CLOCK_SITE = Path(__file__).resolve().parent / "clock_site"


def child_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for a Python child process: the project importable, and its clock
    pinned to the test process's current instant."""
    env = dict(os.environ if base is None else base)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(CLOCK_SITE)])
    env["PERMANENCE_TEST_CLOCK_AT"] = clock.now().isoformat()
    return env

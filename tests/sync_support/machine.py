"""The laptops of the sync state machines (tests/integration/test_sync_state_machine.py):
a real profile whose hybrid clock can be skewed, reopened after a simulated crash, and
a sync that swallows the faults the machine injects."""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path
from typing import Any

from app.profile import Profile, open_profile
from app.sync import service
from app.sync.client import SyncError
from app.sync.hlc import HybridClock, wall_now_ms
from tests.sync_support import Siege, new_laptop

TEMPLATE: dict[str, Path] = {}


def template_siege() -> Path:
    """Migrating a siège takes a while; examples copy one migrated file instead."""
    if "siege" not in TEMPLATE:
        folder = Path(tempfile.mkdtemp(prefix="siege-template-"))
        Siege(f"sqlite:///{folder}/siege.sqlite3").close()
        TEMPLATE["siege"] = folder / "siege.sqlite3"
    return TEMPLATE["siege"]


class Laptop:
    def __init__(self, root: Path, name: str) -> None:
        self.root = root
        self.name = name
        self.profile: Profile = new_laptop(root, name)
        self.skew_ms = 0
        self.logged_through = 0  # outbox entries up to this seq are in the write log
        self.towns: list[str] = []  # the towns it serves (its read scope)
        self.device_id = ""

    def reopen(self) -> None:
        """What a crash leaves: only the database; in-memory state is gone."""
        self.profile.close()
        self.profile = open_profile(self.root / self.name)
        self.profile.uow.actor = self.name
        self.install_clock()

    def install_clock(self) -> None:
        capture = self.profile.sync_capture
        assert capture is not None
        with self.profile.engine.connect() as conn:
            clock = capture.clock_for(conn)
        fresh = HybridClock(
            "x", offset_ms=clock.offset_ms, physical=lambda: wall_now_ms() + self.skew_ms
        )
        fresh.node = clock.node
        fresh.observe(clock.last)
        capture.clock = fresh


def run_sync(profile: Profile, http_factory: Any, fault: Any, **options: Any) -> None:
    # Faults surface as SyncError (offline...) or SimulatedCrash; both leave the outbox.
    with contextlib.suppress(SyncError):
        service.run_sync(
            profile, http_factory=http_factory, fault=fault, batch_size=7, page_size=9, **options
        )

"""The sync state machine (test_sync_state_machine.py) with the siège restored from a
backup taken at an earlier step (docs/sync.md, "A restored siège gets back what it
acknowledged").

On top of the machine's edits, syncs and faults, two rules: the administrator backs up
the siège's database (SQLite's backup API), and later puts one of those backups back and
runs ``python -m siege restored`` (README, "Backup and restore"). A laptop whose token
the restored siège does not know is enrolled again before its next sync (``device
enroll NAME``: same device, same series), as the French message tells the administrator.

At the end every laptop syncs twice, then the machine's invariants hold unchanged —
every laptop holds the siège's rows with the siège's values, each field holds its newest
write, every lost free-text value is listed, invoice series have no gap — so no edit
acknowledged before a restore was lost: the laptops' journals sent them again. Nothing
is pruned here (the journal keeps 30 days), so no laptop lists a ``restore_gap``.
"""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path

import hypothesis.strategies as st
import pytest
from hypothesis import event, settings
from hypothesis.stateful import initialize, precondition, rule
from sqlalchemy import select

from app.models import SyncConflict
from app.sync import service
from siege import devices
from siege.__main__ import main as siege_main
from tests.integration.test_sync_state_machine import PICK, Laptop, SyncMachine
from tests.sync_support import BASE_URL
from tests.sync_support.restore import SqliteSiege

# A few examples: each restores the siège and re-reads every laptop (CI time, DESIGN §4.1).
RESTORE_EXAMPLES = int(os.environ.get("SYNC_MACHINE_EXAMPLES", "5"))


class RestoreSyncMachine(SyncMachine):
    def __init__(self) -> None:
        super().__init__()
        self.database = SqliteSiege(self.tmp / "siege.sqlite3")
        self.backups: list[Path] = []
        self.restores = 0

    @initialize(count=st.integers(min_value=2, max_value=5))
    def start(self, count: int) -> None:
        """The machine's laptops, then a first backup: every example may restore."""
        super().start(count)
        self.backups.append(self.database.backup())

    @rule()
    def back_up_siege(self) -> None:
        self.backups.append(self.database.backup())

    @precondition(lambda self: bool(self.backups))
    @rule(pick=PICK)
    def restore_siege(self, pick: int) -> None:
        """An older backup put back, then ``restored``: a new epoch for every laptop."""
        self.siege = self.database.restore(self.siege, self._pick(self.backups, pick))
        said = io.StringIO()
        with contextlib.redirect_stdout(said):
            assert siege_main(["--database-url", self.database.url, "restored"]) == 0
        assert "nouvelle époque du siège" in said.getvalue()
        self.restores += 1

    def _sync(self, laptop: Laptop, fault: str = "none") -> None:
        self._enrol_again_if_forgotten(laptop)
        super()._sync(laptop, fault)

    def _enrol_again_if_forgotten(self, laptop: Laptop) -> None:
        """The way back for a laptop whose token rotated after the backup (docs/sync.md,
        "Tokens"): the administrator gives a new code for the same device."""
        token = service._token_store(laptop.profile, laptop.device_id).load()
        if devices.refusal(self.siege.engine, token or "") != "unknown_token":
            return
        code, _prefix = devices.enroll(self.siege.engine, laptop.name, laptop.towns[0])
        service.enrol(laptop.profile, BASE_URL, code, http_factory=self.siege.http_factory)
        assert service._device(laptop.profile).device_id == laptop.device_id
        laptop.install_clock()  # enrolment reloads the clock; keep this laptop's skew
        event("a laptop enrolled again after a restore")

    def teardown(self) -> None:
        try:
            if self.backups and not self.restores:
                # An example whose draws never restored (the rule may be switched off
                # for it) restores the first backup before the final syncs: each example
                # tests at least one restore, the one that loses the most.
                self.restore_siege(0)
        finally:
            super().teardown()

    def _check_end(self) -> None:
        event(f"siège restored: {'once' if self.restores == 1 else 'twice or more'}")
        super()._check_end()
        for laptop in self.laptops:
            with laptop.profile.engine.connect() as conn:
                gaps = conn.execute(
                    select(SyncConflict.lost_value).where(SyncConflict.kind == "restore_gap")
                ).all()
            assert gaps == [], (laptop.name, gaps)


RestoreSyncMachine.TestCase.settings = settings(
    SyncMachine.TestCase.settings, max_examples=RESTORE_EXAMPLES
)
TestRestoreSyncMachine = pytest.mark.slow(RestoreSyncMachine.TestCase)

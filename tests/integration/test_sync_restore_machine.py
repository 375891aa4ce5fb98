"""The sync state machine (test_sync_state_machine.py) with the siège restored from a
backup taken at an earlier step (docs/sync.md, "A restored siège gets back what it
acknowledged").

On top of the machine's edits, syncs and faults, three rules: the administrator backs up
the siège's database (SQLite's backup API; one backup is taken after the laptops' first
syncs), every laptop syncs, and the administrator puts one of the backups back, starts
the siège again and runs ``python -m siege restored`` (README, "Backup and restore"); an
example that never drew the restore restores its first backup before the final syncs,
so each example restores at least once. A laptop whose token
the restored siège does not know is enrolled again before its next sync (``device
enroll NAME``: same device, same series), as the French message tells the administrator.

The last laptop keeps its journal 0 days (``sync_journal_days``), the others 30. At the
end every laptop syncs twice, then the machine's invariants hold: every laptop holds the
siège's rows of its scope with the siège's values, each field holds its newest write,
every lost free-text value is listed, invoice series have no gap — so no edit
acknowledged before a restore was lost: the laptops' journals sent them again. Only the
laptop keeping no journal may list a ``restore_gap``; the changes it names are the only
ones the siège may lack (their rows, the invoice numbers they issued, and the invoices
issued later in a series they created, refused by the siège, are left out of the
comparison). A double issue ends where it ended before the restore whatever
order its issues are sent again in (test_sync_restore_snapshot.py): its invoices are
compared row by row, and each laptop lists its forks. Laptops read a restored siège
again from a snapshot; a laptop's issue of a draft another laptop created, sent before
that laptop sent the draft's client again, sends the client it holds first
(test_sync_restore_missing_link.py).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
from pathlib import Path
from typing import Any

import hypothesis.strategies as st
import pytest
from hypothesis import event, settings
from hypothesis.stateful import initialize, precondition, rule
from sqlalchemy import func, select

from app.models import Invoice, InvoiceLine, JournalEntry, OutboxEntry, SyncConflict
from app.sync import service
from siege import devices
from siege.__main__ import main as siege_main
from siege.scope import SHARED
from tests.integration.test_sync_scope import oracle
from tests.integration.test_sync_state_machine import PICK, SyncMachine
from tests.sync_support import BASE_URL, snapshot
from tests.sync_support.machine import Laptop
from tests.sync_support.machine_checks import LWW_TABLES
from tests.sync_support.restore import SqliteSiege

# A few examples: each restores the siège and re-reads every laptop (CI time, DESIGN §4.1).
RESTORE_EXAMPLES = int(os.environ.get("SYNC_MACHINE_EXAMPLES", "5"))


class RestoreSyncMachine(SyncMachine):
    def __init__(self) -> None:
        super().__init__()
        self.database = SqliteSiege(self.tmp / "siege.sqlite3")
        self.backups: list[Path] = []
        self.restores = 0
        self.gapped: set[tuple[str, str, str]] = set()
        # Laptops whose journal keeps nothing past their next /hello (sync_journal_days 0).
        self.forgetful: set[str] = set()
        # Per laptop, each change it made, (table, row, stamp) -> its latest operation
        # number: a restore_gap conflict names operation numbers.
        self.numbered: dict[str, dict[tuple[str, str, str], int]] = {}

    @initialize(count=st.integers(min_value=2, max_value=5))
    def start(self, count: int) -> None:
        """The machine's laptops, then a first backup: every example may restore. The
        last laptop keeps its journal 0 days (sync_journal_days): a restore to a backup
        older than its last sync but one loses what it can no longer send, and it must
        say so (restore_gap); the others keep 30 days and lose nothing."""
        super().start(count)
        laptop = self.laptops[-1]
        profile = laptop.profile
        profile.save_settings(profile.settings.with_changes(sync_journal_days=0))
        self.forgetful.add(laptop.name)
        self.backups.append(self.database.backup())

    @rule()
    def back_up_siege(self) -> None:
        self.backups.append(self.database.backup())

    @rule()
    def everyone_syncs(self) -> None:
        """Every laptop syncs: what a backup misses is then mostly acknowledged changes
        (single syncs are rare among the machine's steps)."""
        for laptop in self.laptops:
            self._sync(laptop)

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
        self._note_numbers(laptop)
        super()._sync(laptop, fault)
        self._note_numbers(laptop)

    def _note_numbers(self, laptop: Laptop) -> None:
        """Each change's operation number as the laptop holds it now (the outbox renumbers
        what it has not sent; an acknowledged number never changes)."""
        mine = self.numbered.setdefault(laptop.name, {})
        with laptop.profile.engine.connect() as conn:
            for model in (OutboxEntry, JournalEntry):
                t = model.__table__
                for table, row_id, stamp, seq in conn.execute(
                    select(t.c.table_name, t.c.row_id, t.c.hlc, t.c.seq)
                ):
                    mine[(table, row_id, stamp)] = int(seq)

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
        self.gapped = self._gapped()
        event(f"a restore lost changes no journal held any more: {bool(self.gapped)}")
        self._check_converged_but_for_the_gaps(self.gapped)
        self.rejected = self._rejected_values()
        self._check_newest_kept_write_wins(self.gapped)
        self._check_lost_free_text_listed(snapshot(self.siege.engine))
        if not self.gapped:  # an issued invoice lost with a journal leaves its number out
            self._check_invoices()

    def _accepted(self, table: str, row_id: str, name: str, writes: list[Any]) -> list[Any]:
        """Writes neither refused nor listed as lost by a restore."""
        kept = super()._accepted(table, row_id, name, writes)
        return [w for w in kept if (table, row_id, w[0]) not in self.gapped]

    def _check_converged_but_for_the_gaps(self, gapped: set[tuple[str, str, str]]) -> None:
        """Every row the siège holds in a laptop's scope is on that laptop with the siège's
        values, except the rows of a change listed as lost. A laptop may still hold rows
        the restored siège lost with a journal (listed for retyping, not erased). An
        invoice issued in a series whose creation or earlier numbers were lost so is
        refused by the siège and stays issued on its laptop only (docs/sync.md, "A
        restored siège gets back what it acknowledged"): it and its lines are left out."""
        server = snapshot(self.siege.engine)
        touched = {(table, row_id) for table, row_id, _stamp in gapped}
        lost_series = sorted(r for t, r in touched if t == "invoice_series")
        for laptop in self.laptops:
            with laptop.profile.engine.connect() as conn:
                assert conn.execute(select(func.count()).select_from(OutboxEntry)).scalar() == 0
                stranded = set(
                    conn.execute(
                        select(Invoice.id).where(Invoice.series_id.in_(lost_series))
                    ).scalars()
                )
                lines = conn.execute(
                    select(InvoiceLine.id).where(InvoiceLine.invoice_id.in_(sorted(stranded)))
                ).scalars()
                touched_here = (
                    touched
                    | {("invoice", i) for i in stranded}
                    | {("invoice_line", i) for i in lines}
                )
            mine = snapshot(laptop.profile.engine)
            scope = oracle(self.siege, laptop.towns, laptop)  # type: ignore[arg-type]
            for table, rows in server.items():
                for row_id, values in rows.items():
                    if (table, row_id) in touched_here:
                        continue
                    if table in SHARED or (table, row_id) in scope:
                        assert mine[table].get(row_id) == values, (laptop.name, table, row_id)
            kept = any(i not in server[t] for t, rows in mine.items() for i in rows)
            event(f"a laptop keeps rows the restored siège lost: {kept}")

    def _gapped(self) -> set[tuple[str, str, str]]:
        """Changes a laptop lists as lost (restore_gap): (table, row, stamp). A laptop
        lists some only if its journal was pruned."""
        out: set[tuple[str, str, str]] = set()
        for laptop in self.laptops:
            with laptop.profile.engine.connect() as conn:
                details = conn.execute(
                    select(SyncConflict.detail).where(SyncConflict.kind == "restore_gap")
                ).scalars()
                spans = [span for d in details for span in json.loads(d)["operations"]]
            assert not spans or laptop.name in self.forgetful, (laptop.name, spans)
            if laptop.name in self.forgetful:
                event(f"a laptop keeping no journal lists a restore_gap: {bool(spans)}")
            for change, seq in self.numbered.get(laptop.name, {}).items():
                if any(first <= seq <= last for first, last in spans):
                    out.add(change)
        return out

    def _check_newest_kept_write_wins(self, gapped: set[tuple[str, str, str]]) -> None:
        """Each field holds its newest write that no laptop listed as lost, or a listed
        one newer still (a later restore may have brought it back): no other write was
        lost silently."""
        from app.sync.codec import encode_row

        for (table, row_id, name), logged in self.writes.items():
            if table not in LWW_TABLES or name in ("search_key", "updated_by"):
                continue
            writes = SyncMachine._accepted(self, table, row_id, name, logged)
            kept = [w for w in writes if (table, row_id, w[0]) not in gapped]
            if not kept:
                continue
            newest = max(kept)
            allowed = {newest[1]} | {value for stamp, value, _b in writes if stamp > newest[0]}
            row = self._server_row(table, row_id)
            assert row is not None, (table, row_id)
            held = encode_row(table, {name: row[name]})[name]
            assert held in allowed, (table, row_id, name, sorted(writes), held)


RestoreSyncMachine.TestCase.settings = settings(
    SyncMachine.TestCase.settings, max_examples=RESTORE_EXAMPLES
)
TestRestoreSyncMachine = pytest.mark.slow(RestoreSyncMachine.TestCase)

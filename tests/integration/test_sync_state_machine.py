"""Property-based proof of the sync invariants (docs/architecture.md §6).

2–5 real SQLite laptops and an in-process siège (the real FastAPI app over a real
SQLite database) edit offline and sync in random orders while faults are injected
at named points: answer of a push lost after the siège committed, a batch delivered
twice, a crash between applying a page and saving its cursor (with a restart of the
laptop), clock jumps, persons moved to another antenne and the administrator changing a
laptop's towns (docs/sync.md, "Leaving a scope"). At the end every laptop syncs twice
with no new edits, then:

- every laptop holds exactly the siège's rows of its read scope, as the rules give it
  (the oracle of test_sync_scope.py), with the siège's values: rows that entered its
  scope arrived, rows that left it were evicted (convergence);
- each field holds the value of its newest write by HLC, so no acknowledged edit
  was silently lost; a free-text value that lost to a concurrent edit is listed in
  the conflicts to review; an edit the siège refused (a laptop writing a person
  moved to another antenne) is kept on its laptop as a conflict to review;
- one attendance row per (slot, person); each invoice series numbered 1..n with no
  gap; every number issued on a laptop exists once on the siège (a draft validated
  on two laptops gives two invoices and a conflict proposing a credit note);
- every outbox is empty.

CI runs a fixed, derandomized set of examples. For a release, run a larger search:
``SYNC_MACHINE_EXAMPLES=500 pytest tests/integration/test_sync_state_machine.py``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from sqlalchemy import func, select

from app.clock import utcnow
from app.ids import deterministic_id
from app.invoicing.numbering import next_number
from app.models import (
    Activity,
    ActivitySlot,
    Attendance,
    Client,
    Invoice,
    InvoiceLine,
    OutboxEntry,
    Person,
)
from app.sync import service
from siege import devices
from tests.sync_support import Siege
from tests.sync_support.faults import DoubleSend, SimulatedCrash
from tests.sync_support.machine import Laptop, run_sync, template_siege
from tests.sync_support.machine_checks import EndChecks

EXAMPLES = int(os.environ.get("SYNC_MACHINE_EXAMPLES", "20"))
NAMES = st.sampled_from(["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Petit", "Leroy"])
TOWNS = st.sampled_from(["Reims", "Épernay", "Sedan", "Troyes", "Langres", "Rethel"])
NOTES = st.text(alphabet="abcdeé xyz", min_size=1, max_size=12)
WHO = st.integers(min_value=0, max_value=4)
PICK = st.integers(min_value=0, max_value=999)
# Antennes a person may move to, and the towns a laptop may serve (docs/authority.md).
ANTENNES = st.sampled_from(["Reims", "Charleville-Mézières", "Troyes"])
SCOPES = st.sampled_from(
    [["Épernay"], ["Sedan"], ["Troyes"], ["Sedan", "Épernay"], ["Reims", "Troyes"]]
)


class SyncMachine(EndChecks, RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix="sync-machine-"))
        shutil.copy(template_siege(), self.tmp / "siege.sqlite3")
        self.siege = Siege.open(f"sqlite:///{self.tmp}/siege.sqlite3")
        self.laptops: list[Laptop] = []
        # Every local edit as it entered an outbox: (table, row, field) -> [(stamp, value, bases)]
        self.writes: dict[tuple[str, str, str], list[tuple[str, Any, str]]] = defaultdict(list)
        self.issued_numbers: set[str] = set()
        # (table, row, field, JSON value) of edits refused by the siège (_check_end).
        self.rejected: set[tuple[str, str, str, Any]] = set()
        # Extra options of every sync (test_sync_restore_machine.py).
        self.sync_options: dict[str, Any] = {}

    # -- set-up --------------------------------------------------------------
    @initialize(count=st.integers(min_value=2, max_value=5))
    def start(self, count: int) -> None:
        for i in range(count):
            laptop = Laptop(self.tmp, f"portable{i}")
            town = ["Épernay", "Sedan", "Troyes"][i % 3]
            self.siege.enrol(laptop.profile, f"portable{i}", town)
            laptop.towns = [town]
            laptop.device_id = service._device(laptop.profile).device_id
            laptop.install_clock()
            self.laptops.append(laptop)
        first = self.laptops[0]
        with first.profile.uow() as uow:
            activity = Activity(title="Atelier gestion", held_on=dt.date(2026, 3, 2))
            uow.session.add(activity)
            uow.session.flush()
            for hour in (9, 14):
                start = dt.datetime(2026, 3, 2, hour)
                uow.session.add(
                    ActivitySlot(
                        activity_id=activity.id,
                        starts_at=start,
                        ends_at=start + dt.timedelta(hours=3),
                    )
                )
            uow.session.add(Person(first_name="Awa", last_name="Diallo"))
            uow.commit()
        self._log(first)
        for _draft in range(2):
            self._new_draft(first)
        for laptop in self.laptops:
            self._sync(laptop)

    # -- helpers -------------------------------------------------------------
    def _log(self, laptop: Laptop) -> None:
        """Copy the laptop's new outbox entries into the oracle (before any push)."""
        seen = laptop.logged_through
        with laptop.profile.engine.connect() as conn:
            for entry in conn.execute(
                select(OutboxEntry.__table__).where(OutboxEntry.__table__.c.seq > seen)
            ).mappings():
                fields, bases = json.loads(entry["fields_json"]), json.loads(entry["bases_json"])
                for name, value in fields.items():
                    key = (entry["table_name"], entry["row_id"], name)
                    self.writes[key].append((entry["hlc"], value, bases.get(name, "")))
                seen = max(seen, entry["seq"])
        laptop.logged_through = seen

    def _ids(self, laptop: Laptop, model: Any, *where: Any) -> list[str]:
        with laptop.profile.session_factory() as session:
            return list(session.scalars(select(model.id).where(*where).order_by(model.id)))

    def _sync(self, laptop: Laptop, fault: str = "none") -> None:
        profile = laptop.profile

        def http_factory(_url: str, token: str | None) -> Any:
            client = self.siege.http(token)
            if fault == "twice":
                client._transport = DoubleSend(client._transport)
            return client

        def hook(point: str) -> None:
            if (fault, point) in (("ack_lost", "push_answered"), ("crash_page", "page_applied")):
                raise SimulatedCrash(point)

        try:
            run_sync(profile, http_factory, hook, **self.sync_options)
        except SimulatedCrash:
            laptop.reopen()

    # -- edits ---------------------------------------------------------------
    # Every rule draws the same things whatever the state (indices taken modulo the
    # lists), so replaying a choice sequence never changes what is drawn.
    def _laptop(self, who: int) -> Laptop:
        return self.laptops[who % len(self.laptops)]

    @staticmethod
    def _pick(items: list[Any], index: int) -> Any:
        return items[index % len(items)] if items else None

    @rule(who=WHO, first=NAMES, last=NAMES)
    def create_person(self, who: int, first: str, last: str) -> None:
        laptop = self._laptop(who)
        with laptop.profile.uow() as uow:
            uow.session.add(Person(first_name=first, last_name=last))
            uow.commit()
        self._log(laptop)

    @rule(
        who=WHO,
        pick=PICK,
        field=st.sampled_from(["first_name", "city", "notes"]),
        name=NAMES,
        town=TOWNS,
        note=NOTES,
    )
    def edit_person(self, who: int, pick: int, field: str, name: str, town: str, note: str) -> None:
        laptop = self._laptop(who)
        person_id = self._pick(self._ids(laptop, Person, Person.deleted_at.is_(None)), pick)
        if person_id is None:
            return
        value = {"first_name": name, "city": town, "notes": note}[field]
        with laptop.profile.uow() as uow:
            setattr(uow.session.get(Person, person_id), field, value)
            uow.commit()
        self._log(laptop)

    @rule(who=WHO, pick=PICK)
    def delete_person(self, who: int, pick: int) -> None:
        laptop = self._laptop(who)
        ids = self._ids(laptop, Person, Person.deleted_at.is_(None))
        if len(ids) < 2:
            return
        with laptop.profile.uow() as uow:
            uow.session.get_one(Person, self._pick(ids, pick)).deleted_at = utcnow()
            uow.commit()
        self._log(laptop)

    @rule(who=WHO, pick=PICK, pick2=PICK, state=st.sampled_from(["present", "absent", "excuse"]))
    def mark_attendance(self, who: int, pick: int, pick2: int, state: str) -> None:
        laptop = self._laptop(who)
        slot_id = self._pick(self._ids(laptop, ActivitySlot), pick)
        person_id = self._pick(self._ids(laptop, Person, Person.deleted_at.is_(None)), pick2)
        if slot_id is None or person_id is None:
            return
        row_id = deterministic_id("attendance", slot_id, person_id)
        with laptop.profile.uow() as uow:
            row = uow.session.get(Attendance, row_id)
            if row is None:
                uow.session.add(
                    Attendance(id=row_id, slot_id=slot_id, person_id=person_id, state=state)
                )
            else:
                row.state = state
            uow.commit()
        self._log(laptop)

    @rule(who=WHO)
    def create_draft_invoice(self, who: int) -> None:
        self._new_draft(self._laptop(who))

    def _new_draft(self, laptop: Laptop) -> None:
        persons = self._ids(laptop, Person)
        with laptop.profile.uow() as uow:
            client = Client(entrepreneur_id=persons[0], name="Boulangerie Moreau")
            uow.session.add(client)
            uow.session.flush()
            invoice = Invoice(entrepreneur_id=persons[0], client_id=client.id)
            uow.session.add(invoice)
            uow.session.flush()
            uow.session.add(
                InvoiceLine(
                    invoice_id=invoice.id,
                    description="Prestation",
                    quantity_e4=10000,
                    unit_price_cents=12000,
                    vat_rate_bp=2000,
                )
            )
            uow.commit()

    @rule(who=WHO, pick=PICK, note=NOTES)
    def edit_draft_invoice(self, who: int, pick: int, note: str) -> None:
        laptop = self._laptop(who)
        invoice_id = self._pick(self._ids(laptop, Invoice, Invoice.status == "brouillon"), pick)
        if invoice_id is None:
            return
        with laptop.profile.uow() as uow:
            uow.session.get_one(Invoice, invoice_id).notes = note
            uow.commit()

    @rule(who=WHO, pick=PICK)
    def validate_invoice(self, who: int, pick: int) -> None:
        laptop = self._laptop(who)
        invoice_id = self._pick(self._ids(laptop, Invoice, Invoice.status == "brouillon"), pick)
        if invoice_id is not None:
            self._validate(laptop, invoice_id)

    def _validate(self, laptop: Laptop, invoice_id: str) -> None:
        with laptop.profile.uow() as uow:
            invoice = uow.session.get_one(Invoice, invoice_id)
            allocation = next_number(uow.session, "facture", dt.date(2026, 11, 26))
            invoice.status, invoice.number = "emise", allocation.number
            invoice.sequence, invoice.series_id = allocation.sequence, allocation.series_id
            invoice.issue_date, invoice.issued_at = dt.date(2026, 11, 26), utcnow()
            uow.commit()
            self.issued_numbers.add(allocation.number)

    # Races worth forcing: random steps alone rarely line them up in a short run.
    def _shared(self, model: Any, *where: Any) -> list[tuple[str, list[Laptop]]]:
        holders: dict[str, list[Laptop]] = defaultdict(list)
        for laptop in self.laptops:
            for row_id in self._ids(laptop, model, *where):
                holders[row_id].append(laptop)
        return sorted((k, v) for k, v in holders.items() if len(v) >= 2)

    @rule(pick=PICK)
    def same_draft_validated_on_two_laptops(self, pick: int) -> None:
        shared = self._pick(self._shared(Invoice, Invoice.status == "brouillon"), pick)
        if shared is not None:
            for laptop in shared[1][:2]:
                self._validate(laptop, shared[0])

    @rule(pick=PICK, note=NOTES)
    def draft_edited_while_validated_elsewhere(self, pick: int, note: str) -> None:
        shared = self._pick(self._shared(Invoice, Invoice.status == "brouillon"), pick)
        if shared is None:
            return
        invoice_id, holders = shared
        self._validate(holders[0], invoice_id)
        with holders[1].profile.uow() as uow:
            uow.session.get(Invoice, invoice_id).notes = note
            uow.commit()

    @rule(pick=PICK, first=NOTES, second=NOTES)
    def same_notes_edited_on_two_laptops(self, pick: int, first: str, second: str) -> None:
        shared = self._pick(self._shared(Person, Person.deleted_at.is_(None)), pick)
        if shared is None:
            return
        person_id, holders = shared
        for laptop, text in zip(holders[:2], (first, second), strict=False):
            with laptop.profile.uow() as uow:
                uow.session.get(Person, person_id).notes = text
                uow.commit()
            self._log(laptop)

    @rule(who=WHO, jump=st.sampled_from([-3 * 3600_000, -60_000, 90_000, 180_000]))
    def clock_jump(self, who: int, jump: int) -> None:
        self._laptop(who).skew_ms = jump

    # -- syncs ---------------------------------------------------------------
    @rule(who=WHO, fault=st.sampled_from(["none", "none", "ack_lost", "twice", "crash_page"]))
    def sync(self, who: int, fault: str) -> None:
        self._sync(self._laptop(who), fault)

    @precondition(lambda self: bool(self.laptops))
    @invariant()
    def no_duplicate_attendance(self) -> None:
        with self.siege.engine.connect() as conn:
            doubled = conn.execute(
                select(Attendance.slot_id, Attendance.person_id)
                .group_by(Attendance.slot_id, Attendance.person_id)
                .having(func.count() > 1)
            ).all()
        assert doubled == []

    # -- the end -------------------------------------------------------------
    def teardown(self) -> None:
        try:
            if self.laptops:
                for _round in range(2):
                    for laptop in self.laptops:
                        laptop.skew_ms = 0
                        self._sync(laptop)
                self._check_end()
        finally:
            for laptop in self.laptops:
                laptop.profile.close()
            self.siege.close()
            shutil.rmtree(self.tmp, ignore_errors=True)


class ScopeSyncMachine(SyncMachine):
    """The same laptops, with persons moving between antennes and the administrator
    changing a laptop's towns (docs/sync.md, "Leaving a scope"): each laptop must end
    with exactly its scope, and every edit refused on the way (a laptop writing a
    person moved away) is kept on its laptop as a conflict to review."""

    @rule(who=WHO, pick=PICK, antenne=ANTENNES)
    def move_person(self, who: int, pick: int, antenne: str) -> None:
        """A laptop hands a person over to another antenne: the record leaves the laptops
        that no longer follow them, and edits still waiting elsewhere are not lost."""
        laptop = self._laptop(who)
        # Not an entrepreneur with invoices: an invoice issued offline after the person
        # moved away is refused by the siège (person_of_another_antenne) and stays issued
        # on its laptop only — the gap left open in docs/authority.md ("Invoices").
        invoiced = self._invoiced()
        candidates = [
            i for i in self._ids(laptop, Person, Person.deleted_at.is_(None)) if i not in invoiced
        ]
        person_id = self._pick(candidates, pick)
        if person_id is None:
            return
        with laptop.profile.uow() as uow:
            uow.session.get_one(Person, person_id).antenne_id = deterministic_id("antenne", antenne)
            uow.commit()
        self._log(laptop)

    def _invoiced(self) -> set[str]:
        """Entrepreneurs of an invoice anywhere: on the siège or on any laptop."""
        engines = [self.siege.engine, *(lp.profile.engine for lp in self.laptops)]
        out: set[str] = set()
        for engine in engines:
            with engine.connect() as conn:
                out.update(conn.execute(select(Invoice.entrepreneur_id)).scalars())
        return out

    @rule(who=WHO, towns=SCOPES)
    def change_scope(self, who: int, towns: list[str]) -> None:
        """The administrator gives a laptop other towns (`device scope`)."""
        laptop = self._laptop(who)
        devices.set_scope(self.siege.engine, laptop.name, towns)
        laptop.towns = list(towns)


SyncMachine.TestCase.settings = settings(
    max_examples=EXAMPLES,
    stateful_step_count=25,
    deadline=None,
    derandomize=True,
    # No shrinking by default: CI stays bounded; SYNC_MACHINE_SHRINK=1 to minimise a failure.
    phases=list(Phase) if os.environ.get("SYNC_MACHINE_SHRINK") == "1" else list(Phase)[:3],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
TestSyncMachine = pytest.mark.slow(SyncMachine.TestCase)
ScopeSyncMachine.TestCase.settings = SyncMachine.TestCase.settings
TestScopeSyncMachine = pytest.mark.slow(ScopeSyncMachine.TestCase)

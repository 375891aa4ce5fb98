"""E-invoicing statuses back on the laptop (docs/einvoicing.md, "Statuses on the laptop"),
end to end on SQLite and PostgreSQL: a laptop issues two B2B invoices and syncs; the
siège checks them with the official rule files, holds the broken one before sending
(« Bloquée avant envoi », with its rule) and sends the good one to the PA simulator over
real HTTP, which deposits it (200); the worker fetches the statuses and publishes them,
with the hold, in the synced ``invoice_pa_status``; the laptop's next sync brings them,
the hold raises an alert until a credit note cancels the invoice, and another
antenne's laptop does not receive them; a status written on a laptop is refused by the
siège with its reason in French."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, func, inspect, select, update

from app.invoicing import drafts, pa_status
from app.invoicing.payments import PaymentData, record_payment
from app.invoicing.validation import cancel_invoice, validate_invoice
from app.migrate import SCHEMA_HEAD, alembic_config, current_revision, upgrade
from app.models import Invoice, Person
from app.models.base import Base
from app.models.invoicing import InvoicePaStatus
from app.sync import service, wording
from siege import devices
from siege.einvoicing import worker
from siege.einvoicing.afnor import AfnorFlowAdapter
from siege.einvoicing.config import PaConfig
from siege.tables import pa_status as siege_pa_status
from tests.invoicing_fixtures import add_client, add_draft, complete_identity
from tests.pa_simulator.app import Simulator
from tests.sync_support import BASE_URL, Siege, new_laptop, postgres_database
from tests.sync_support.authority import REIMS
from tests.sync_support.processes import LOADED_MACHINE_SECONDS

DAY = dt.date(2026, 11, 20)
TABLE = "invoice_pa_status"


def until(condition: Callable[[], bool], step: Callable[[], object]) -> None:
    deadline = time.monotonic() + LOADED_MACHINE_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached")
        step()
        time.sleep(0.05)


def fetched(siege: Siege) -> int:
    with siege.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(siege_pa_status)).scalar_one())


def break_seller_name(siege: Siege, invoice_id: str) -> None:
    """A damaged frozen row on the siège: the Factur-X rendered from it breaks EN 16931
    BR-06 (the seller's name is mandatory), so the siège's check holds it."""
    table = Base.metadata.tables["invoice"]
    with siege.engine.begin() as conn:
        frozen = json.loads(
            conn.execute(
                select(table.c.seller_snapshot).where(table.c.id == invoice_id)
            ).scalar_one()
        )
        frozen["party"]["name"] = ""
        conn.execute(
            update(table).where(table.c.id == invoice_id).values(seller_snapshot=json.dumps(frozen))
        )


def test_rejection_and_deposit_reach_the_laptop_after_a_sync(
    tmp_path: Path, siege: Siege, sim: Simulator, sim_url: str
) -> None:
    laptop = new_laptop(tmp_path, "Portable Reims")
    elsewhere = new_laptop(tmp_path, "Portable Sedan")
    staff = new_laptop(tmp_path, "Poste du siège")
    try:
        sync = lambda p: service.run_sync(p, http_factory=siege.http_factory)  # noqa: E731
        code, _prefix = devices.enroll(siege.engine, "Poste du siège", "Reims", role=devices.SIEGE)
        service.enrol(staff, BASE_URL, code, http_factory=siege.http_factory)
        complete_identity(staff.uow)  # the CAE's identity is the siège's to write
        sync(staff)
        siege.enrol(laptop, "Portable Reims", "Reims")
        siege.enrol(elsewhere, "Portable Sedan", "Sedan")
        sync(laptop)
        with laptop.uow() as uow:
            person = Person(first_name="Céline", last_name="Martin", antenne_id=REIMS)
            uow.session.add(person)
            uow.commit()
            person_id = person.id
        client = add_client(laptop.uow, person_id)
        good, broken = (
            validate_invoice(
                laptop.uow, laptop.paths.documents, add_draft(laptop.uow, person_id, client), DAY
            ).invoice_id
            for _ in range(2)
        )
        sync(laptop)
        break_seller_name(siege, broken)

        adapter = AfnorFlowAdapter(
            PaConfig(sim_url, f"{sim_url}/oauth/token", sim.client_id, sim.client_secret)
        )
        report = worker.cycle(siege.engine, adapter)
        assert (report.queued, report.send.sent, report.send.held) == (2, 1, 1)
        assert [f.tracking_id for f in sim.received()] == [good]  # never posted to the PA
        until(lambda: fetched(siege) == 2, lambda: worker.cycle(siege.engine, adapter))

        # Nothing on the laptop before it syncs; everything after.
        assert pa_status.history(laptop.uow, broken) == []
        sync(laptop)
        [deposited] = pa_status.history(laptop.uow, good)
        [rejected] = pa_status.history(laptop.uow, broken)
        assert (deposited.code, deposited.label, deposited.reason) == ("200", "Déposée", "")
        assert (rejected.code, rejected.label) == ("BLQ", "Bloquée avant envoi")
        assert "BR-06" in rejected.reason and rejected.is_alert
        states = pa_status.latest_states(laptop.uow, [good, broken])
        assert not states[good].needs_correction and states[broken].needs_correction
        with laptop.uow() as uow:
            number = uow.session.get_one(Invoice, broken).number
        assert [(a.invoice_id, a.number) for a in pa_status.alerts(laptop.uow)] == [
            (broken, number)
        ]
        # Received rows are not changes of the laptop: nothing waits to be pushed back.
        assert service.status(laptop).pending == 0

        # A second worker pass and sync add nothing (one row per status, ids deterministic).
        worker.cycle(siege.engine, adapter)
        sync(laptop)
        with laptop.uow() as uow:
            rows = [
                (r.id, pa_status.status_id(r.invoice_id, r.code, r.received_at))
                for r in uow.session.scalars(select(InvoicePaStatus))
            ]
        assert len(rows) == 2 and all(held == made for held, made in rows)

        # The held invoice is corrected by a credit note (never edited): no alert then.
        cancel_invoice(laptop.uow, laptop.paths.documents, broken, DAY)
        assert pa_status.alerts(laptop.uow) == []
        assert pa_status.latest_states(laptop.uow, [broken])[broken].corrected

        # A laptop cannot write a status: the siège refuses it, the laptop lists why.
        with laptop.uow() as uow:
            at = dt.datetime(2026, 11, 25, 9, 0)
            uow.session.add(InvoicePaStatus(invoice_id=good, code="212", received_at=at))
            uow.commit()
        sync(laptop)
        [refused] = [c for c in service.open_conflicts(laptop) if c.table_name == TABLE]
        assert refused.kind == "rejected" and "pa_status_written_by_siege" in refused.detail
        assert "ne sont écrits que par le siège" in wording.push_reason(refused.detail)
        with siege.engine.connect() as conn:
            held = Base.metadata.tables[TABLE]
            assert conn.execute(select(func.count()).select_from(held)).scalar_one() == 2

        # Another antenne's laptop does not read them (they follow their invoice's scope).
        sync(elsewhere)
        assert pa_status.history(elsewhere.uow, broken) == []
        assert pa_status.history(elsewhere.uow, good) == []
    finally:
        for profile in (laptop, elsewhere, staff):
            profile.close()


def test_a_payment_recorded_on_the_laptop_comes_back_encaissee(
    tmp_path: Path, siege: Siege, sim: Simulator, sim_url: str
) -> None:
    """Issue 15, item 4: a payment on a services invoice becomes the 212 « Encaissée »
    message the siège sends, which the PA reports back, and the laptop shows it."""
    laptop = new_laptop(tmp_path, "Portable Reims")
    staff = new_laptop(tmp_path, "Poste du siège")
    try:
        sync = lambda p: service.run_sync(p, http_factory=siege.http_factory)  # noqa: E731
        code, _prefix = devices.enroll(siege.engine, "Poste du siège", "Reims", role=devices.SIEGE)
        service.enrol(staff, BASE_URL, code, http_factory=siege.http_factory)
        complete_identity(staff.uow)
        sync(staff)
        siege.enrol(laptop, "Portable Reims", "Reims")
        sync(laptop)
        with laptop.uow() as uow:
            person = Person(first_name="Céline", last_name="Martin", antenne_id=REIMS)
            uow.session.add(person)
            uow.commit()
            person_id = person.id
        draft = add_draft(laptop.uow, person_id, add_client(laptop.uow, person_id))
        invoice_id = validate_invoice(laptop.uow, laptop.paths.documents, draft, DAY).invoice_id
        sync(laptop)
        adapter = AfnorFlowAdapter(
            PaConfig(sim_url, f"{sim_url}/oauth/token", sim.client_id, sim.client_secret)
        )
        until(lambda: fetched(siege) == 1, lambda: worker.cycle(siege.engine, adapter))
        total = drafts.get_invoice(laptop.uow, invoice_id).totals.incl_cents
        record_payment(laptop.uow, invoice_id, PaymentData(DAY, total, "virement"))
        sync(laptop)
        until(lambda: fetched(siege) == 2, lambda: worker.cycle(siege.engine, adapter))
        sync(laptop)
        history = pa_status.history(laptop.uow, invoice_id)
        assert [(s.code, s.label) for s in history] == [("200", "Déposée"), ("212", "Encaissée")]
        state = pa_status.latest_states(laptop.uow, [invoice_id])[invoice_id]
        assert state.latest.label == "Encaissée" and not state.needs_correction
        assert pa_status.alerts(laptop.uow) == []
    finally:
        for profile in (laptop, staff):
            profile.close()


def _migration_round_trip(url: str) -> None:
    engine = create_engine(url)
    try:
        upgrade(engine, "0003")
        assert "invoice_pa_status" not in inspect(engine).get_table_names()
        upgrade(engine)
        assert current_revision(engine) == SCHEMA_HEAD
        assert {c["name"] for c in inspect(engine).get_columns("invoice_pa_status")} >= {
            "invoice_id",
            "code",
            "label",
            "reason",
            "received_at",
            "deleted_at",
            "created_by",
        }
        assert [i["name"] for i in inspect(engine).get_indexes("invoice_pa_status")] == [
            "ix_invoice_pa_status_history"
        ]
        with engine.begin() as conn:
            command.downgrade(alembic_config(conn), "0003")
        assert "invoice_pa_status" not in inspect(engine).get_table_names()
        upgrade(engine)
        assert current_revision(engine) == SCHEMA_HEAD
    finally:
        engine.dispose()


def test_migration_0004_on_sqlite(tmp_path: Path) -> None:
    _migration_round_trip(f"sqlite:///{tmp_path / 'p.sqlite3'}")


@pytest.mark.postgres
def test_migration_0004_on_postgresql() -> None:
    with postgres_database() as url:
        _migration_round_trip(url)

"""E-invoicing on the siège against the PA simulator over real HTTP (docs/einvoicing.md):
issued B2B invoices sent once and answered 200 Déposée, an invalid one held by the
siège's official-rules check before sending (never posted), a payment on a services
invoice sent as 212 Encaissée, 503 answers retried with back-off, a cut connection
mid-upload never sending twice."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections.abc import Callable

import pytest
from facturx import get_facturx_xml_from_pdf
from sqlalchemy import Engine, select, update

from app import clock
from app.invoicing.payments import PaymentData, record_payment
from app.invoicing.validation import validate_invoice
from app.models import Invoice
from app.profile import Profile
from siege.einvoicing import worker
from siege.einvoicing.afnor import AfnorFlowAdapter
from siege.einvoicing.config import PaConfig
from siege.importer import import_profile
from siege.tables import pa_flow, pa_status
from tests.invoicing_fixtures import add_client, add_draft, add_entrepreneur, complete_identity
from tests.pa_simulator.app import Simulator
from tests.sync_support.processes import LOADED_MACHINE_SECONDS, CuttingProxy

DAY = dt.date(2026, 11, 20)


def adapter_for(sim: Simulator, url: str) -> AfnorFlowAdapter:
    return AfnorFlowAdapter(PaConfig(url, f"{url}/oauth/token", sim.client_id, sim.client_secret))


def issue(profile: Profile, *, business: bool = True, nature: str = "services") -> str:
    person = add_entrepreneur(profile.uow)
    client = add_client(profile.uow, person, business=business)
    draft = add_draft(profile.uow, person, client, nature=nature)
    return validate_invoice(profile.uow, profile.paths.documents, draft, DAY).invoice_id


def until(condition: Callable[[], bool], step: Callable[[], object]) -> None:
    deadline = time.monotonic() + LOADED_MACHINE_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached")
        step()
        time.sleep(0.05)


def facturx_xml(pdf: bytes) -> bytes:
    _name, xml = get_facturx_xml_from_pdf(pdf, check_xsd=False)
    return bytes(xml)


def statuses(engine: Engine, invoice_id: str) -> list[tuple[str, str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(pa_status.c.code, pa_status.c.label, pa_status.c.reason)
            .where(pa_status.c.invoice_id == invoice_id)
            .order_by(pa_status.c.status_at)
        ).all()
    return [(r.code, r.label, r.reason) for r in rows]


def test_b2b_invoice_sent_once_and_deposited_b2c_reported(
    profile: Profile,
    siege_engine: Engine,
    sim: Simulator,
    sim_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PERMANENCE_EREPORTING_FROM", "2026-01-01")  # before the obligation
    complete_identity(profile.uow)
    b2b = issue(profile)
    b2c = issue(profile, business=False)
    import_profile(siege_engine, profile.paths.root)
    adapter = adapter_for(sim, sim_url)

    report = worker.cycle(siege_engine, adapter)
    # The e-invoice, and the B2C sale in the day's e-reporting (docs/einvoicing.md).
    assert (report.queued, report.send.sent) == (2, 2)
    until(
        lambda: statuses(siege_engine, b2b) != [],
        lambda: worker.poll_statuses(siege_engine, adapter),
    )
    [reported] = sim.received("Out", "AggregatedCustomerTransactionReport")
    assert (reported.syntax, reported.rule) == ("FRR", "B2C")

    assert statuses(siege_engine, b2b) == [("200", "Déposée", "")]
    assert statuses(siege_engine, b2c) == []
    received = sim.received()
    assert [f.tracking_id for f in received] == [b2b]
    assert received[0].sha256 == hashlib.sha256(received[0].content).hexdigest()
    assert (received[0].syntax, received[0].rule) == ("Factur-X", "B2B")
    # Rendered on the siège from the frozen rows: the PDF's bytes differ from the laptop's
    # file (creation time, document id) but its Factur-X XML is the same, byte for byte.
    with profile.uow() as uow:
        stored = (profile.paths.documents / uow.session.get_one(Invoice, b2b).pdf_path).read_bytes()
    assert facturx_xml(received[0].content) == facturx_xml(stored)
    # Later passes send nothing again and record no status twice.
    again = worker.cycle(siege_engine, adapter)
    assert (again.queued, again.send.sent, again.statuses) == (0, 0, 0)
    assert len(sim.received()) == 1
    assert len(sim.received("Out", "AggregatedCustomerTransactionReport")) == 1
    assert statuses(siege_engine, b2b) == [("200", "Déposée", "")]


def test_invalid_invoice_held_before_sending_with_its_rule(
    profile: Profile, siege_engine: Engine, sim: Simulator, sim_url: str
) -> None:
    complete_identity(profile.uow)
    invoice_id = issue(profile)
    import_profile(siege_engine, profile.paths.root)
    # The frozen seller lost its name on the siège (a damaged row): the Factur-X rendered
    # from it breaks EN 16931 BR-06 (the seller's name is mandatory).
    with siege_engine.begin() as conn:
        frozen = json.loads(
            conn.execute(
                select(Invoice.seller_snapshot).where(Invoice.id == invoice_id)
            ).scalar_one()
        )
        frozen["party"]["name"] = ""
        conn.execute(
            update(Invoice.__table__)  # type: ignore[arg-type]
            .where(Invoice.__table__.c.id == invoice_id)
            .values(seller_snapshot=json.dumps(frozen))
        )
    adapter = adapter_for(sim, sim_url)
    assert worker.cycle(siege_engine, adapter).send.held == 1

    [(code, label, reason)] = statuses(siege_engine, invoice_id)
    assert (code, label) == ("BLQ", "Bloquée avant envoi")
    assert "BR-06" in reason
    assert sim.received() == [] and sim.upload_requests == 0


def test_payment_on_services_invoice_becomes_encaissee(
    profile: Profile, siege_engine: Engine, sim: Simulator, sim_url: str
) -> None:
    complete_identity(profile.uow)
    services = issue(profile)
    goods = issue(profile, nature="biens")
    with profile.uow() as uow:
        totals = {i: uow.session.get_one(Invoice, i).total_incl_cents for i in (services, goods)}
    for invoice_id in (services, goods):
        record_payment(profile.uow, invoice_id, PaymentData(DAY, totals[invoice_id], "virement"))
    import_profile(siege_engine, profile.paths.root)
    adapter = adapter_for(sim, sim_url)

    until(
        lambda: [s[0] for s in statuses(siege_engine, services)] == ["200", "212"],
        lambda: worker.cycle(siege_engine, adapter),
    )
    until(lambda: statuses(siege_engine, goods) != [], lambda: worker.cycle(siege_engine, adapter))
    collected = [m for m in sim.received("Out", "CustomerInvoiceLC")]
    assert len(collected) == 1  # goods: VAT due on delivery, no 212
    from siege.einvoicing import cdar

    message = cdar.parse(collected[0].content)
    assert (message.code, message.amount_cents) == ("212", totals[services])
    assert [s[0] for s in statuses(siege_engine, goods)] == ["200"]


def test_503_retried_with_growing_back_off(
    profile: Profile, siege_engine: Engine, sim: Simulator, sim_url: str
) -> None:
    complete_identity(profile.uow)
    invoice_id = issue(profile)
    import_profile(siege_engine, profile.paths.root)
    adapter = adapter_for(sim, sim_url)
    sim.fail_next_uploads = 2
    base = 10.0
    with clock.pinned(dt.datetime(2026, 11, 26, 9, 30, tzinfo=dt.UTC), frozen=True) as pinned:
        from siege.einvoicing import directory, outbox

        directory.refresh(siege_engine, adapter)  # an e-invoice needs its directory line
        outbox.enqueue_issued(siege_engine)
        waits = []
        for _ in range(2):
            assert worker.send_due(siege_engine, adapter, base_seconds=base).retried == 1
            with siege_engine.connect() as conn:
                row = conn.execute(select(pa_flow)).one()
            waits.append(row.next_attempt_at - clock.utcnow())
            assert "503" in row.last_error
            # Not due before its time.
            assert worker.send_due(siege_engine, adapter, base_seconds=base).retried == 0
            pinned.advance(waits[-1])
        assert waits == [dt.timedelta(seconds=10), dt.timedelta(seconds=20)]
        assert worker.send_due(siege_engine, adapter, base_seconds=base).sent == 1
    assert sim.upload_requests == 3
    assert [f.tracking_id for f in sim.received()] == [invoice_id]


def test_connection_cut_mid_upload_never_sends_twice(
    profile: Profile, siege_engine: Engine, sim: Simulator, sim_url: str
) -> None:
    complete_identity(profile.uow)
    invoice_id = issue(profile)
    import_profile(siege_engine, profile.paths.root)
    port = int(sim_url.rsplit(":", 1)[1])
    proxy = CuttingProxy(port)
    proxy.cut_marker = b"POST /v1/flows HTTP"
    proxy.cut_push_responses = 1
    try:
        adapter = adapter_for(sim, proxy.url)
        with clock.pinned(dt.datetime(2026, 11, 26, 9, 30, tzinfo=dt.UTC), frozen=True) as pinned:
            first = worker.cycle(siege_engine, adapter)
            # The PA stored the flow; the siège never heard the answer.
            assert (first.send.sent, first.send.retried, proxy.cuts_done) == (0, 1, 1)
            assert len(sim.received()) == 1
            pinned.advance(dt.timedelta(hours=1))
            second = worker.send_due(siege_engine, adapter)
        assert second.sent == 1
    finally:
        proxy.close()
    assert [f.tracking_id for f in sim.received()] == [invoice_id]
    assert sim.upload_requests == 1  # found by its tracking id, not uploaded again
    with siege_engine.connect() as conn:
        row = conn.execute(select(pa_flow)).one()
    assert (row.state, row.flow_id, row.attempts) == ("sent", sim.received()[0].flow_id, 2)


def test_buyer_refusal_recorded_and_shown_in_french(
    profile: Profile,
    siege_engine: Engine,
    sim: Simulator,
    sim_url: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    complete_identity(profile.uow)
    invoice_id = issue(profile)
    import_profile(siege_engine, profile.paths.root)
    adapter = adapter_for(sim, sim_url)
    worker.cycle(siege_engine, adapter)
    until(
        lambda: statuses(siege_engine, invoice_id) != [],
        lambda: worker.poll_statuses(siege_engine, adapter),
    )
    with profile.uow() as uow:
        number = uow.session.get_one(Invoice, invoice_id).number or ""
    sim.refuse(number, "Commande inconnue du service achats")
    until(
        lambda: len(statuses(siege_engine, invoice_id)) == 2,
        lambda: worker.cycle(siege_engine, adapter),
    )

    assert statuses(siege_engine, invoice_id) == [
        ("200", "Déposée", ""),
        ("210", "Refusée", "Commande inconnue du service achats"),
    ]
    from siege.__main__ import main

    url = siege_engine.url.render_as_string(hide_password=False)
    assert main(["--database-url", url, "einvoicing", "status", number]) == 0
    shown = capsys.readouterr().out
    assert f"{number} : 200 Déposée le " in shown
    assert "210 Refusée le " in shown and "— Commande inconnue du service achats" in shown
    assert main(["--database-url", url, "einvoicing", "list"]) == 0
    assert capsys.readouterr().out.strip() == (
        f"{number} (facture, facture électronique (B2B France)) : transmise, 1 tentative(s) ; "
        "statut : 210 Refusée"
    )

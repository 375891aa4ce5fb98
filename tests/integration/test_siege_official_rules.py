"""The siège runs the official rule files before transmitting (issue 15, item 1;
docs/einvoicing.md, "What the siège checks before sending"), against the PA simulator
over real HTTP, on SQLite and PostgreSQL: a valid invoice is checked as it enters the
outbox and sent once; one whose Factur-X breaks a rule is held as it enters, never
posted; bytes changed after the check, or queued by an earlier process, are checked
again before sending: one breaking a French rule is held, never posted (the simulator
receives nothing), listed in French by ``einvoicing list`` and given the « Bloquée avant
envoi » status published for the laptops; a file the check cannot read is a fault,
retried."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging

import pytest
from facturx import generate_from_binary, get_facturx_xml_from_pdf
from lxml import etree
from sqlalchemy import Engine, select, update

from app import clock
from app.invoicing import french_rules
from app.models.base import Base
from app.profile import Profile
from siege.__main__ import main
from siege.einvoicing import directory, official_rules, outbox, worker
from siege.importer import import_profile
from siege.tables import pa_flow
from tests.integration.test_siege_einvoicing import adapter_for, issue, statuses, until
from tests.invoicing_fixtures import complete_identity
from tests.pa_simulator.app import Simulator

FRAMEWORK = "//ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID"


def with_unknown_bt23(pdf: bytes) -> bytes:
    """The same Factur-X with a billing framework (BT-23) not of the French list, as
    tests/integration/test_invoicing_french_rules.py mutates documents ("BT-23 not of
    the list"), re-embedded in the PDF: it breaks BR-FR-08 only (EN 16931 leaves BT-23
    free)."""
    _name, xml = get_facturx_xml_from_pdf(pdf, check_xsd=False)
    root = etree.fromstring(xml)
    [node] = root.xpath(FRAMEWORK, namespaces=french_rules.NS)
    node.text = "M3"
    broken = bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    out = bytes(generate_from_binary(pdf, broken, flavor="factur-x", level="en16931"))
    _name, embedded = get_facturx_xml_from_pdf(out, check_xsd=False)
    [found] = etree.fromstring(embedded).xpath(FRAMEWORK, namespaces=french_rules.NS)
    assert found.text == "M3"
    return out


def queue_one(profile: Profile, engine: Engine, sim: Simulator, url: str) -> str:
    complete_identity(profile.uow)
    invoice_id = issue(profile)
    import_profile(engine, profile.paths.root)
    adapter = adapter_for(sim, url)
    directory.refresh(engine, adapter)  # an e-invoice needs its directory line
    assert outbox.enqueue_issued(engine).queued == 1
    return invoice_id


def replace_payload(engine: Engine, payload: bytes) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(pa_flow).values(payload=payload, sha256=hashlib.sha256(payload).hexdigest())
        )


def test_valid_invoice_checked_and_sent_once(
    profile: Profile, siege_engine: Engine, sim: Simulator, sim_url: str
) -> None:
    invoice_id = queue_one(profile, siege_engine, sim, sim_url)
    with siege_engine.connect() as conn:
        payload = conn.execute(select(pa_flow.c.payload)).scalar_one()
    # Checked as it entered the outbox: the sender knows these very bytes passed.
    assert official_rules.shared().passed(payload)
    assert official_rules.shared().check_pdf(payload) == []
    adapter = adapter_for(sim, sim_url)

    report = worker.cycle(siege_engine, adapter)
    assert (report.send.sent, report.send.held, report.send.retried) == (1, 0, 0)
    until(
        lambda: statuses(siege_engine, invoice_id) != [],
        lambda: worker.poll_statuses(siege_engine, adapter),
    )
    assert statuses(siege_engine, invoice_id) == [("200", "Déposée", "")]
    again = worker.cycle(siege_engine, adapter)
    assert (again.send.sent, again.send.held) == (0, 0)
    assert [f.tracking_id for f in sim.received()] == [invoice_id]
    assert sim.upload_requests == 1


def test_french_rule_failure_is_held_never_posted_and_listed_in_french(
    profile: Profile,
    siege_engine: Engine,
    sim: Simulator,
    sim_url: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    invoice_id = queue_one(profile, siege_engine, sim, sim_url)
    with siege_engine.connect() as conn:
        row = conn.execute(select(pa_flow.c.payload, pa_flow.c.invoice_number)).one()
    replace_payload(siege_engine, with_unknown_bt23(row.payload))
    adapter = adapter_for(sim, sim_url)

    report = worker.cycle(siege_engine, adapter)
    assert (report.send.sent, report.send.held) == (0, 1)
    # Never posted, and not retried by later passes.
    worker.cycle(siege_engine, adapter)
    assert sim.received() == [] and sim.upload_requests == 0
    with siege_engine.connect() as conn:
        flow = conn.execute(select(pa_flow)).one()
        published = conn.execute(
            select(Base.metadata.tables["invoice_pa_status"]).where(
                Base.metadata.tables["invoice_pa_status"].c.invoice_id == invoice_id
            )
        ).one()
    assert (flow.state, flow.attempts, flow.last_status) == ("held", 0, "BLQ")
    assert flow.last_error.startswith("BR-FR-08_BT-23 : ")
    # The siège's status, published in the synced table the laptops read.
    [(code, label, reason)] = statuses(siege_engine, invoice_id)
    assert (code, label) == ("BLQ", "Bloquée avant envoi")
    assert reason == flow.last_error.replace("\n", " ; ")
    assert (published.code, published.label, published.reason) == (code, label, reason)

    url = siege_engine.url.render_as_string(hide_password=False)
    assert main(["--database-url", url, "einvoicing", "list"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == (
        f"{row.invoice_number} (facture, facture électronique (B2B France)) : "
        "bloquée avant envoi (règles officielles non respectées), 0 tentative(s)"
    )
    assert lines[1].startswith("    règle non respectée : BR-FR-08_BT-23 : ")
    assert "La valeur du mode de facturation" in lines[1] and '"M3"' in lines[1]
    assert lines[-1].startswith("    non transmise : à annuler par un avoir")


def test_unreadable_file_is_a_fault_retried_later(
    profile: Profile,
    siege_engine: Engine,
    sim: Simulator,
    sim_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    invoice_id = queue_one(profile, siege_engine, sim, sim_url)
    with siege_engine.connect() as conn:
        good = conn.execute(select(pa_flow.c.payload)).scalar_one()
    replace_payload(siege_engine, b"%PDF-1.7 tronque")
    adapter = adapter_for(sim, sim_url)
    with clock.pinned(dt.datetime(2026, 11, 26, 9, 30, tzinfo=dt.UTC), frozen=True) as pinned:
        with caplog.at_level(logging.WARNING, logger="siege.einvoicing.worker"):
            report = worker.send_due(siege_engine, adapter, base_seconds=10.0)
        assert (report.sent, report.held, report.retried) == (0, 0, 1)
        assert "illisible" in caplog.text
        with siege_engine.connect() as conn:
            flow = conn.execute(select(pa_flow)).one()
        assert (flow.state, flow.attempts) == ("queued", 0)
        assert "illisible" in flow.last_error
        assert flow.next_attempt_at == clock.utcnow() + dt.timedelta(seconds=10)
        assert statuses(siege_engine, invoice_id) == []  # a fault is no verdict
        # Repaired meanwhile (here: the file put back), the next attempt sends it.
        replace_payload(siege_engine, good)
        pinned.advance(dt.timedelta(seconds=10))
        assert worker.send_due(siege_engine, adapter, base_seconds=10.0).sent == 1
    assert [f.tracking_id for f in sim.received()] == [invoice_id]


def test_invoice_breaking_a_rule_enters_the_outbox_held_with_its_status(
    profile: Profile, siege_engine: Engine, sim: Simulator, sim_url: str
) -> None:
    complete_identity(profile.uow)
    invoice_id = issue(profile)
    import_profile(siege_engine, profile.paths.root)
    # The frozen seller lost its name on the siège: the rendered Factur-X breaks BR-06.
    invoices = Base.metadata.tables["invoice"]
    with siege_engine.begin() as conn:
        frozen = json.loads(
            conn.execute(
                select(invoices.c.seller_snapshot).where(invoices.c.id == invoice_id)
            ).scalar_one()
        )
        frozen["party"]["name"] = ""
        conn.execute(
            update(invoices)
            .where(invoices.c.id == invoice_id)
            .values(seller_snapshot=json.dumps(frozen))
        )
    adapter = adapter_for(sim, sim_url)
    directory.refresh(siege_engine, adapter)

    entered = outbox.enqueue_issued(siege_engine)
    assert (entered.queued, entered.held) == (1, 1)
    with siege_engine.connect() as conn:
        flow = conn.execute(select(pa_flow)).one()
    assert (flow.state, flow.attempts, flow.last_status) == ("held", 0, "BLQ")
    assert "BR-06" in flow.last_error
    [(code, label, reason)] = statuses(siege_engine, invoice_id)
    assert (code, label) == ("BLQ", "Bloquée avant envoi") and "BR-06" in reason
    # Nothing to send, now or later; never queued twice.
    assert worker.send_due(siege_engine, adapter).sent == 0
    assert outbox.enqueue_issued(siege_engine).queued == 0
    assert sim.received() == [] and sim.upload_requests == 0


def test_bytes_queued_by_an_earlier_process_are_checked_before_sending(
    profile: Profile, siege_engine: Engine, sim: Simulator, sim_url: str
) -> None:
    invoice_id = queue_one(profile, siege_engine, sim, sim_url)
    with siege_engine.connect() as conn:
        payload = conn.execute(select(pa_flow.c.payload)).scalar_one()
    # Another valid file, which this process never saw pass (as after a restart).
    unseen = payload + b"\n% rendu par un autre processus\n"
    replace_payload(siege_engine, unseen)
    assert not official_rules.shared().passed(unseen)

    assert worker.send_due(siege_engine, adapter_for(sim, sim_url)).sent == 1
    assert official_rules.shared().passed(unseen)  # checked on the way out
    [received] = sim.received()
    assert (received.tracking_id, received.content) == (invoice_id, unseen)

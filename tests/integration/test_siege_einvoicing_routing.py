"""Routing and e-reporting (issue 15, item 3; docs/einvoicing.md, "Routing" and
"E-reporting") on SQLite and PostgreSQL, against the PA simulator over real HTTP: a
French business in the directory gets an e-invoice; private clients and a French
business the directory does not list are reported in the day's aggregated B2C report
(totals per rate), a German business in a unitary international report, B2C payments of
services in the day's payment report; a public buyer (by the directory or flagged on the
client) is held for Chorus Pro and listed so; a day not over yet waits; nothing is
reported twice."""

from __future__ import annotations

import datetime as dt
from xml.etree import ElementTree as ET

import pytest
from sqlalchemy import Engine, select

from app.invoicing.drafts import LineData
from app.invoicing.payments import PaymentData, record_payment
from app.invoicing.printable import Party
from app.invoicing.validation import validate_invoice
from app.profile import Profile
from siege.einvoicing import ereporting, outbox, worker
from siege.einvoicing.adapter import DirectoryEntry
from siege.einvoicing.afnor import AfnorFlowAdapter
from siege.einvoicing.config import PaConfig
from siege.einvoicing.routing import Route, route_of
from siege.einvoicing.tables import pa_report_item
from siege.importer import import_profile
from tests.invoicing_fixtures import add_client, add_draft, add_entrepreneur, complete_identity
from tests.pa_simulator.app import Flow, Simulator
from tests.pa_simulator.server import running

DAY = dt.date(2026, 11, 20)
TODAY = dt.date(2026, 11, 26)  # the suite's pinned day (tests/clock_support.py)
UNLISTED = "732829320"
PUBLIC = "130005481"
NS = {"r": ereporting.NAMESPACE}


@pytest.fixture
def sim() -> Simulator:
    return Simulator(unlisted={UNLISTED}, public_sirens={PUBLIC})


def totals(flow: Flow) -> list[dict[str, str]]:
    return [t.attrib for t in ET.fromstring(flow.content).iter(f"{{{ereporting.NAMESPACE}}}Total")]


@pytest.mark.parametrize(
    ("buyer", "entry", "route"),
    [
        (Party("Jeanne", is_business=False), None, Route.B2C_REPORTING),
        (Party("GmbH", country_code="DE", vat_number="DE136695976"), None, Route.INTERNATIONAL_REPORTING),
        (Party("SARL", siren="552100554"), None, Route.AWAITING_DIRECTORY),
        (Party("SARL", siren="552100554"), DirectoryEntry("552100554", "552100554"), Route.E_INVOICE),
        (Party("Asso", siren=UNLISTED), DirectoryEntry(UNLISTED, ""), Route.B2C_REPORTING),
        (Party("Mairie", siren=PUBLIC), DirectoryEntry(PUBLIC, PUBLIC, public_entity=True), Route.CHORUS_PRO),
        (Party("Lycée", siren="552100554", public_entity=True), None, Route.CHORUS_PRO),
    ],
)  # fmt: skip
def test_route_of_each_buyer(buyer: Party, entry: DirectoryEntry | None, route: Route) -> None:
    assert route_of(buyer, entry) == route


def test_invoices_routed_and_days_reported_once(
    profile: Profile, siege_engine: Engine, sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    complete_identity(profile.uow)
    person = add_entrepreneur(profile.uow)

    def issue(
        client: str, on: dt.date = DAY, lines: tuple[LineData, ...] | None = None, **extra: object
    ) -> str:
        draft = add_draft(profile.uow, person, client, lines, **extra)
        return validate_invoice(profile.uow, profile.paths.documents, draft, on).invoice_id

    listed = issue(add_client(profile.uow, person))
    private = add_client(profile.uow, person, business=False)
    sold = [issue(private), issue(private)]
    unlisted = issue(add_client(profile.uow, person, siren=UNLISTED, name="Association Lire"))
    german = issue(
        add_client(profile.uow, person, country_code="DE", siren="", vat_number="DE136695976",
                   postcode="10115", city="Berlin", name="Stoff GmbH", email="einkauf@example.de"),
        lines=(LineData("Ourlets", 20000, 2500, 0),),
    )  # fmt: skip
    public = issue(add_client(profile.uow, person, siren=PUBLIC, name="Mairie de Sedan"))
    flagged = issue(add_client(profile.uow, person, name="Lycée Chanzy", public_entity=True))  # type: ignore[arg-type]
    record_payment(profile.uow, sold[0], PaymentData(DAY + dt.timedelta(days=1), 9574, "virement"))
    not_over = issue(private, TODAY)  # today: its day is not complete
    import_profile(siege_engine, profile.paths.root)
    # By default nothing before the obligation's first day (1 September 2027 for a PME)
    # is ever reported; this CAE's siège says it reports from earlier.
    assert ereporting.reporting_start() == dt.date(2027, 9, 1)
    assert ereporting.enqueue_reports(siege_engine).queued == 0
    monkeypatch.setenv(ereporting.START_ENV, "2026-01-01")

    with running(sim) as url:
        adapter = AfnorFlowAdapter(
            PaConfig(url, f"{url}/oauth/token", sim.client_id, sim.client_secret)
        )
        report = worker.cycle(siege_engine, adapter)
        assert report.send.failed == 0
        # E-invoice: only the French business the directory lists.
        assert [f.tracking_id for f in sim.received()] == [listed]
        # B2C: the day's two private sales and the unlisted business, per rate.
        [b2c] = sim.received("Out", "AggregatedCustomerTransactionReport")
        assert (b2c.syntax, b2c.rule, b2c.tracking_id) == ("FRR", "B2C", f"frr-b2c-{DAY}-1")
        assert totals(b2c) == [
            {"categoryCode": "S", "rate": "20.00", "currency": "EUR", "taxableAmount": "180.00",
             "taxAmount": "36.00", "transactions": "3"},
            {"categoryCode": "S", "rate": "5.50", "currency": "EUR", "taxableAmount": "67.50",
             "taxAmount": "3.72", "transactions": "3"},
        ]  # fmt: skip
        # International B2B: the German sale, on its own.
        [intl] = sim.received("Out", "UnitaryCustomerTransactionReport")
        assert intl.rule == "B2BInt"
        [sale] = ET.fromstring(intl.content).findall("r:Transaction", NS)
        assert (sale.get("buyerCountry"), sale.get("buyerVatId"), sale.get("typeCode")) == (
            "DE", "DE136695976", "380"
        )  # fmt: skip
        assert [(t.get("categoryCode"), t.get("rate"), t.get("taxableAmount")) for t in sale] == [
            ("AE", "0.00", "50.00")
        ]
        # B2C payment of a services invoice: collected per rate (7200 at 20 %, 2374 at 5.5 %).
        [paid] = sim.received("Out", "AggregatedCustomerPaymentReport")
        collected = ET.fromstring(paid.content).findall("r:Collected", NS)
        assert [(c.get("rate"), c.get("amount")) for c in collected] == [
            ("20.00", "72.00"), ("5.50", "23.74")
        ]  # fmt: skip
        # Public buyers: held for Chorus Pro, said so; today's sale waits for its day's end.
        held = dict(outbox.held_back(siege_engine))
        assert set(held.values()) == {Route.CHORUS_PRO} and len(held) == 2
        assert public not in {f.tracking_id for f in sim.flows.values()}
        assert flagged not in {f.tracking_id for f in sim.flows.values()}
        with siege_engine.connect() as conn:
            reported = dict(
                conn.execute(select(pa_report_item.c.item_id, pa_report_item.c.report)).all()
            )
        assert {k for k, v in reported.items() if v == ereporting.TRANSACTIONS} == {
            *sold, unlisted, german
        }  # fmt: skip
        assert not_over not in reported

        # Nothing is reported or sent twice.
        again = worker.cycle(siege_engine, adapter)
        assert (again.queued, again.send.sent) == (0, 0)
        assert ereporting.enqueue_reports(siege_engine).queued == 0
        # The next day, today's sale is reported in its own day's report.
        later = ereporting.enqueue_reports(siege_engine, today=TODAY + dt.timedelta(days=1))
        assert (later.queued, later.transactions) == (1, 1)
        adapter.close()

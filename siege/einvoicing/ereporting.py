"""E-reporting (issue 15, item 3; docs/einvoicing.md, "E-reporting"): what the CAE sells
that is not an e-invoice is reported to the administration through the same PA and the
same Flow Service — ``POST /v1/flows`` with ``flowSyntax`` ``FRR`` and the processing
rule ``B2C`` or ``B2BInt`` (XP Z12-013 Annexe A lists both, and the flow types
``AggregatedCustomerTransactionReport`` (FRR 10.3), ``UnitaryCustomerTransactionReport``
(10.1) and ``AggregatedCustomerPaymentReport`` (10.4)).

Built here, for each **complete** day (before today, Paris time) from the first day of
the obligation (1 September 2027 for a PME; ``PERMANENCE_EREPORTING_FROM`` says another):

- **B2C sales**: issued invoices and credit notes routed B2C (a private person, or a
  French business the directory does not list), totals per VAT category and rate, with
  the number of transactions (credit notes negative);
- **international B2B sales**: one entry per invoice (number, date, buyer's country and
  VAT number, totals per rate);
- **B2C payments** of services invoices (VAT on services is due on collection): the
  amounts collected per day, apportioned to the invoice's VAT rates.

Each invoice or payment is reported **once**: ``siege_pa_report_item`` records it in
the same transaction as the queued flow, so one synced late (an offline laptop) goes in
a later report of its day (tracking id ``frr-…-<day>-<n>``). The flows then leave
through the outbox (``outbox.py``, ``worker.py``) with its retries and exactly-once.

The report's XML is the siège's own layout of those FRR blocks (flow type, sender
SIREN, day, totals per category and rate); the DGFiP's e-reporting schema is not
available here, so it is not validated against it: that serializer is what is left to
align (docs/einvoicing.md, "What is left")."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections import defaultdict
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET

from sqlalchemy import Engine, func, insert, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app import clock
from app.invoicing import facturx
from app.invoicing.cae_identity import read_identity
from app.invoicing.printable import build_document
from app.models import Client, Invoice, Payment
from app.states import ClientKind, InvoiceKind, InvoiceStatus
from siege.einvoicing import directory
from siege.einvoicing.routing import PROCESSING_RULE, Route, route_of
from siege.einvoicing.tables import pa_directory, pa_report_item
from siege.tables import pa_flow

TRANSACTIONS, PAYMENTS = "transactions", "payments"
# The first day reported: the obligation of a PME such as a CAE starts on 1 September
# 2027; earlier sales are never reported. The siège's environment may say otherwise.
START_ENV = "PERMANENCE_EREPORTING_FROM"
DEFAULT_START = dt.date(2027, 9, 1)
REPORT = "report"  # pa_flow.kind
AGGREGATED_SALES = "AggregatedCustomerTransactionReport"
UNITARY_SALES = "UnitaryCustomerTransactionReport"
AGGREGATED_PAYMENTS = "AggregatedCustomerPaymentReport"
NAMESPACE = "urn:permanence:e-reporting:frr-10"


@dataclass
class Total:
    category: str
    rate_bp: int
    base_cents: int = 0
    vat_cents: int = 0
    count: int = 0


@dataclass
class Sale:
    """One reported invoice: its route, day and totals per (category, rate)."""

    invoice_id: str
    number: str
    issue_date: dt.date
    kind: str
    route: Route
    buyer_country: str
    buyer_vat: str
    totals: list[Total] = field(default_factory=list)


@dataclass(frozen=True)
class ReportSummary:
    queued: int
    transactions: int
    payments: int


def reporting_start(environ: dict[str, str] | None = None) -> dt.date:
    value = (os.environ if environ is None else environ).get(START_ENV, "")
    return dt.date.fromisoformat(value) if value else DEFAULT_START


def _candidates(session: Session, start: dt.date, before: dt.date) -> list[str]:
    """Issued invoices of complete days not reported yet whose live client is not a
    French business the directory lists (the frozen buyer decides in :func:`_sale`)."""
    reported = select(pa_report_item.c.item_id).where(
        pa_report_item.c.report == TRANSACTIONS, pa_report_item.c.item_id == Invoice.id
    )
    unlisted = select(pa_directory.c.siren).where(
        pa_directory.c.addressing_identifier == "", pa_directory.c.public_entity.is_(False)
    )
    return list(
        session.scalars(
            select(Invoice.id)
            .join(Client, Client.id == Invoice.client_id)
            .where(
                Invoice.status == InvoiceStatus.ISSUED,
                Invoice.deleted_at.is_(None),
                Invoice.issue_date >= start,
                Invoice.issue_date < before,
                or_(
                    Client.kind != ClientKind.BUSINESS,
                    Client.country_code != "FR",
                    Client.siren.in_(unlisted),
                ),
                ~reported.exists(),
            )
            .order_by(Invoice.issue_date, Invoice.number)
        )
    )


def _sale(session: Session, invoice_id: str) -> Sale | None:
    invoice = session.get_one(Invoice, invoice_id)
    doc = build_document(session, invoice)
    route = route_of(doc.buyer, directory.cached(session.connection(), doc.buyer.siren))
    if route not in (Route.B2C_REPORTING, Route.INTERNATIONAL_REPORTING):
        return None
    categories = facturx.line_categories(doc)
    totals = [
        Total(
            categories.get(b.rate_bp, "S" if b.rate_bp else "E"),
            b.rate_bp,
            # Credit-note lines carry negative quantities already: amounts are signed.
            b.base_cents,
            b.vat_cents,
            1,
        )
        for b in doc.totals.breakdown
    ]
    return Sale(
        invoice.id,
        doc.number,
        doc.issue_date,
        doc.kind,
        route,
        (doc.buyer.country_code or "FR").upper(),
        doc.buyer.vat_number,
        totals,
    )


def _element(parent: ET.Element, tag: str, **attrs: str) -> ET.Element:
    return ET.SubElement(parent, f"{{{NAMESPACE}}}{tag}", attrs)


def _money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def _rate(rate_bp: int) -> str:
    return f"{rate_bp // 100}.{rate_bp % 100:02d}"


def _document(flow_type: str, siren: str, day: dt.date, tracking_id: str) -> ET.Element:
    ET.register_namespace("", NAMESPACE)
    root = ET.Element(
        f"{{{NAMESPACE}}}Report",
        {"flowType": flow_type, "id": tracking_id},
    )
    _element(root, "Sender", siren=siren)
    _element(root, "Period", startDate=day.isoformat(), endDate=day.isoformat())
    return root


def _add_total(parent: ET.Element, total: Total, *, with_count: bool) -> None:
    attrs = {
        "categoryCode": total.category,
        "rate": _rate(total.rate_bp),
        "currency": "EUR",
        "taxableAmount": _money(total.base_cents),
        "taxAmount": _money(total.vat_cents),
    }
    if with_count:
        attrs["transactions"] = str(total.count)
    _element(parent, "Total", **attrs)


def _serialise(root: ET.Element) -> bytes:
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _next_tracking(session: Session, prefix: str) -> str:
    used = session.execute(
        select(func.count()).select_from(pa_flow).where(pa_flow.c.tracking_id.like(f"{prefix}-%"))
    ).scalar_one()
    return f"{prefix}-{used + 1}"


def _queue(
    engine: Engine,
    *,
    route: Route,
    report: str,
    tracking_id: str,
    payload: bytes,
    items: list[str],
) -> int:
    """The flow and its items in one transaction: reported once, even by two workers."""
    now = clock.utcnow()
    try:
        with engine.begin() as conn:
            conn.execute(
                insert(pa_flow).values(
                    kind=REPORT,
                    invoice_id="",
                    invoice_number=tracking_id,
                    tracking_id=tracking_id,
                    route=route,
                    state="queued",
                    flow_syntax="FRR",
                    flow_profile="CIUS",
                    processing_rule=PROCESSING_RULE[route],
                    file_name=f"{tracking_id}.xml",
                    payload=payload,
                    sha256=hashlib.sha256(payload).hexdigest(),
                    attempts=0,
                    next_attempt_at=now,
                    last_error="",
                    last_status="",
                    created_at=now,
                )
            )
            conn.execute(
                insert(pa_report_item),
                [
                    {"item_id": i, "report": report, "tracking_id": tracking_id, "reported_at": now}
                    for i in items
                ],
            )
    except IntegrityError:  # reported meanwhile by another process
        return 0
    return 1


def enqueue_reports(
    engine: Engine, today: dt.date | None = None, start: dt.date | None = None
) -> ReportSummary:
    """Queue the e-reporting flows of every complete day not reported yet, from
    ``start`` (default :func:`reporting_start`)."""
    before = today or clock.today()
    first = start or reporting_start()
    with Session(engine) as session:
        siren = read_identity(session).siren
        ids = _candidates(session, first, before)
        sales = [s for s in (_sale(session, i) for i in ids) if s]
    queued = transactions = 0
    by_day: dict[tuple[dt.date, Route], list[Sale]] = defaultdict(list)
    for sale in sales:
        by_day[(sale.issue_date, sale.route)].append(sale)
    for (day, route), day_sales in sorted(by_day.items()):
        prefix = f"frr-{'b2c' if route == Route.B2C_REPORTING else 'int'}-{day.isoformat()}"
        with Session(engine) as session:
            tracking = _next_tracking(session, prefix)
        if route == Route.B2C_REPORTING:
            root = _document(AGGREGATED_SALES, siren, day, tracking)
            sums: dict[tuple[str, int], Total] = {}
            for sale in day_sales:
                for t in sale.totals:
                    into = sums.setdefault((t.category, t.rate_bp), Total(t.category, t.rate_bp))
                    into.base_cents += t.base_cents
                    into.vat_cents += t.vat_cents
                    into.count += t.count
            for key in sorted(sums, key=lambda k: (-k[1], k[0])):
                _add_total(root, sums[key], with_count=True)
        else:
            root = _document(UNITARY_SALES, siren, day, tracking)
            for sale in day_sales:
                entry = _element(
                    root,
                    "Transaction",
                    number=sale.number,
                    issueDate=sale.issue_date.isoformat(),
                    typeCode="381" if sale.kind == InvoiceKind.CREDIT_NOTE else "380",
                    buyerCountry=sale.buyer_country,
                    buyerVatId=sale.buyer_vat,
                )
                for t in sale.totals:
                    _add_total(entry, t, with_count=False)
        done = _queue(
            engine,
            route=route,
            report=TRANSACTIONS,
            tracking_id=tracking,
            payload=_serialise(root),
            items=[s.invoice_id for s in day_sales],
        )
        queued += done
        transactions += len(day_sales) if done else 0
    payments = _enqueue_payments(engine, first, before, siren)
    return ReportSummary(queued + (1 if payments else 0), transactions, payments)


def _enqueue_payments(engine: Engine, start: dt.date, before: dt.date, siren: str) -> int:
    """B2C payments of services invoices, per day, apportioned to the VAT rates."""
    reported = select(pa_report_item.c.item_id).where(
        pa_report_item.c.report == PAYMENTS, pa_report_item.c.item_id == Payment.id
    )
    unlisted = select(pa_directory.c.siren).where(pa_directory.c.addressing_identifier == "")
    with Session(engine) as session:
        rows = session.execute(
            select(Payment.id, Payment.paid_on, Payment.amount_cents, Payment.invoice_id)
            .join(Invoice, Invoice.id == Payment.invoice_id)
            .join(Client, Client.id == Invoice.client_id)
            .where(
                Payment.deleted_at.is_(None),
                Payment.paid_on >= start,
                Payment.paid_on < before,
                Invoice.kind == InvoiceKind.INVOICE,
                Invoice.nature == "services",
                Client.country_code == "FR",
                or_(Client.kind != ClientKind.BUSINESS, Client.siren.in_(unlisted)),
                ~reported.exists(),
            )
            .order_by(Payment.paid_on, Payment.id)
        ).all()
        by_day: dict[dt.date, list[tuple[str, dict[int, int]]]] = defaultdict(list)
        for payment_id, paid_on, amount, invoice_id in rows:
            sale = _sale(session, invoice_id)
            if sale is None or sale.route != Route.B2C_REPORTING:
                continue
            by_day[paid_on].append((payment_id, _apportion(amount, sale.totals)))
    reported_count = 0
    for day, entries in sorted(by_day.items()):
        with Session(engine) as session:
            tracking = _next_tracking(session, f"frr-pay-{day.isoformat()}")
        root = _document(AGGREGATED_PAYMENTS, siren, day, tracking)
        per_rate: dict[int, int] = defaultdict(int)
        for _pid, shares in entries:
            for rate, cents in shares.items():
                per_rate[rate] += cents
        for rate in sorted(per_rate, reverse=True):
            _element(
                root, "Collected", rate=_rate(rate), currency="EUR", amount=_money(per_rate[rate])
            )
        if _queue(
            engine,
            route=Route.B2C_REPORTING,
            report=PAYMENTS,
            tracking_id=tracking,
            payload=_serialise(root),
            items=[pid for pid, _shares in entries],
        ):
            reported_count += len(entries)
    return reported_count


def _apportion(amount_cents: int, totals: list[Total]) -> dict[int, int]:
    """A payment (VAT included) shared out over the invoice's rates in proportion to
    their amounts VAT included; the rounding remainder goes to the last rate."""
    weights = [(t.rate_bp, t.base_cents + t.vat_cents) for t in totals]
    whole = sum(w for _r, w in weights)
    if not weights or whole == 0:
        return {0: amount_cents}
    shares: dict[int, int] = {}
    given = 0
    for rate, weight in weights[:-1]:
        part = amount_cents * weight // whole
        shares[rate] = shares.get(rate, 0) + part
        given += part
    last = weights[-1][0]
    shares[last] = shares.get(last, 0) + amount_cents - given
    return shares

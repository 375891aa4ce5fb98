"""Clients, invoices (drafts and issued), credit notes, payments and number series.

Issued documents are numbered ``PREFIX-YYYY-NNNNN``, gapless and chronological per
series and per year (docs/architecture.md §7); each antenne's laptop has its own series. Totals use
the invoicing module's arithmetic so the generated amounts are exactly what the app
would compute.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.demo.builder import DemoBuilder
from app.demo.people import EMAIL_DOMAINS, PersonPlan
from app.demo.vocabulary import (
    BUSINESS_FORMS,
    BUSINESS_KINDS,
    COMMUNES,
    FEMALE_FIRST_NAMES,
    LAST_NAMES,
    MALE_FIRST_NAMES,
    PUBLIC_CLIENTS,
    STREETS,
    LineTemplate,
)
from app.invoicing.money import LineInput, compute_totals
from app.invoicing.numbering import format_number
from app.invoicing.printable import Party, SellerExtras, buyer_from_client, buyer_snapshot
from app.invoicing.printable import seller_snapshot as freeze_seller
from app.models import Client, Invoice, InvoiceLine, InvoiceSeries, Payment
from app.text import fold

PAYMENT_MODES = ("virement", "cheque", "carte", "especes")
PAYMENT_WEIGHTS = (65, 25, 5, 5)
CREDIT_NOTE_SHARE = 3  # percent of issued invoices cancelled in full or in part
DRAFT_WINDOW_DAYS = 25
MIN_LINE_CENTS = 1500
OPEN_DRAFT_SHARE = 25  # percent of active entrepreneurs with a draft in progress


@dataclass(frozen=True)
class SeriesInfo:
    prefix: str
    device_id: str


@dataclass
class Issued:
    """An issued document waiting for its number (numbers are given in date order)."""

    row: dict[str, Any]
    series: SeriesInfo
    lines: list[dict[str, Any]]
    credited: Issued | None = None


def write_invoices(
    b: DemoBuilder,
    target: int,
    plans: Sequence[PersonPlan],
    series_by_antenne: dict[str, SeriesInfo],
    seller: tuple[Party, SellerExtras],
    payment_days: int,
) -> None:
    invoicers = [p for p in plans if p.salarie_start is not None]
    if not invoicers or target <= 0:
        return
    weights = [(p.active_until(b.today) - p.salarie_start).days + 30 for p in invoicers]  # type: ignore[operator]
    extra = Counter(b.rng.choices(range(len(invoicers)), weights=weights, k=target))
    issued: list[Issued] = []
    for index, plan in enumerate(invoicers):
        # Frozen as the invoicing module does at validation (seller, CAE mentions, activity).
        seller_json = freeze_seller(*seller, f"{plan.full_name} — {plan.activity.name}")
        count = max(1, extra[index])
        clients = [_client(b, plan) for _ in range(min(12, max(1, count // 3)))]
        first = plan.salarie_start
        assert first is not None
        last = plan.active_until(b.today)
        days = sorted([first] + [b.day_between(first, last) for _ in range(count - 1)])
        if plan.end is None and b.chance(OPEN_DRAFT_SHARE):
            days.append(b.today - dt.timedelta(days=b.rng.randrange(0, 10)))  # being written
        series = series_by_antenne[plan.place.antenne_id]
        for day in days:
            client = b.pick(clients)
            in_progress = len(days) > count and day == days[-1]
            draft = in_progress or ((b.today - day).days < DRAFT_WINDOW_DAYS and b.chance(30))
            row, lines = _invoice(b, plan, client, day, draft, seller_json, payment_days)
            if not draft:
                issued.append(Issued(row, series, lines))
    issued += _credit_notes(b, issued)
    _number(b, issued)
    _payments(b, issued)


def _client(b: DemoBuilder, plan: PersonPlan) -> dict[str, Any]:
    communes = COMMUNES[plan.place.departement]
    city, postcode, _w = b.weighted(communes, [c[2] for c in communes])
    siren = vat = ""
    if b.chance(plan.activity.business_share):
        kind = "entreprise"
        if b.chance(15):
            name = b.pick(PUBLIC_CLIENTS).format(city=city)
            siren = _public_siren(b)
        else:
            form = b.pick(BUSINESS_FORMS)
            name = f"{b.pick(BUSINESS_KINDS)} {b.pick(LAST_NAMES)} {form}".strip()
            siren = b.siren()
            vat = b.vat_number(siren)
        email = f"contact@{fold(name).split()[-1]}.example.com"
    else:
        kind = "particulier"
        first = b.pick(FEMALE_FIRST_NAMES if b.chance(50) else MALE_FIRST_NAMES)
        last = b.pick(LAST_NAMES)
        name = f"{first} {last}"
        email = b.email(first, last, EMAIL_DOMAINS) if b.chance(70) else ""
    # BT-49 (BR-FR-12): a private client without e-mail gave its address for invoices.
    einvoicing = "" if email else f"EM:{fold(name).replace(' ', '.')}@factures.example.org"
    when = b.at(plan.salarie_start or b.today)
    return b.add(
        Client,
        {
            **b.stamp(when, plan.referent.name),
            "entrepreneur_id": plan.id,
            "kind": kind,
            "name": name,
            "siren": siren,
            "vat_number": vat,
            "email": email,
            "address": b.address(STREETS),
            "postcode": postcode,
            "city": city,
            "country_code": "FR",
            "delivery_address": "",
            "delivery_postcode": "",
            "delivery_city": "",
            "einvoicing_address": einvoicing,
        },
    )


def _public_siren(b: DemoBuilder) -> str:
    """Public bodies have SIRENs starting with 2 (communes 21…, groupings 20…)."""
    from stdnum import luhn

    body = b.pick(("20", "21")) + "".join(str(b.rng.randrange(10)) for _ in range(6))
    return body + luhn.calc_check_digit(body)


def _lines(
    b: DemoBuilder, templates: Sequence[LineTemplate]
) -> list[tuple[LineTemplate, LineInput]]:
    chosen = b.rng.sample(list(templates), b.rng.randrange(1, len(templates) + 1))
    result = []
    for template in chosen:
        low, high = template.price_range_cents
        price = b.rng.randrange(low, high + 1)
        price = price - price % 10 if price > 1000 else price
        discount = b.pick((500, 1000)) if b.chance(6) else 0
        quantity = b.pick(template.quantity_choices_e4)
        if quantity * price < MIN_LINE_CENTS * 10_000:  # nobody invoices a single soap bar
            quantity = -(-MIN_LINE_CENTS // price) * 10_000
        result.append((template, LineInput(quantity, price, template.vat_rate_bp, discount)))
    return result


def _invoice(
    b: DemoBuilder,
    plan: PersonPlan,
    client: dict[str, Any],
    day: dt.date,
    draft: bool,
    seller_json: str,
    payment_days: int,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    activity = plan.activity
    lines = _lines(b, activity.lines)
    totals = compute_totals(line for _template, line in lines)
    created = b.at(day)
    row = b.add(
        Invoice,
        {
            **b.stamp(created, plan.referent.name),
            "kind": "facture",
            "status": "brouillon" if draft else "emise",
            "entrepreneur_id": plan.id,
            # As validation freezes it (app/invoicing/validation.py).
            "antenne_id": None if draft else plan.place.antenne_id,
            "client_id": client["id"],
            "series_id": None,
            "number": None,
            "sequence": None,
            "issue_date": None if draft else day,
            "sale_date": day - dt.timedelta(days=b.rng.randrange(0, 10)),
            "due_date": None if draft else day + dt.timedelta(days=payment_days),
            "nature": activity.nature,
            "payment_terms": f"Paiement à {payment_days} jours à réception de facture, "
            "par virement ou chèque.",
            "vat_on_debits": False,
            "vat_exemption_text": activity.vat_exemption_text,
            "credited_invoice_id": None,
            "notes": "",
            "search_key": "",
            "total_excl_cents": totals.excl_cents,
            "total_vat_cents": totals.vat_cents,
            "total_incl_cents": totals.incl_cents,
            "seller_snapshot": "" if draft else seller_json,
            "buyer_snapshot": "" if draft else _buyer(client),
            "pdf_path": "",
            "pdf_sha256": "",
            "issued_at": None if draft else created,
        },
    )
    row["search_key"] = fold(f"{client['name']} {plan.last_name} {plan.first_name}")
    row_lines = [
        _line(b, row, position, template.description, template.unit, line)
        for position, (template, line) in enumerate(lines)
    ]
    return row, row_lines


def _line(
    b: DemoBuilder, invoice: dict[str, Any], position: int, text: str, unit: str, line: LineInput
) -> dict[str, Any]:
    return b.add(
        InvoiceLine,
        {
            **b.stamp(invoice["created_at"], invoice["created_by"]),
            "invoice_id": invoice["id"],
            "position": position,
            "description": text,
            "quantity_e4": line.quantity_e4,
            "unit": unit,
            "unit_price_cents": line.unit_price_cents,
            "vat_rate_bp": line.vat_rate_bp,
            "discount_bp": line.discount_bp,
        },
    )


def _buyer(client: dict[str, Any]) -> str:
    columns = {k: v for k, v in client.items() if k in _CLIENT_FIELDS}
    return buyer_snapshot(buyer_from_client(Client(**columns)))


_CLIENT_FIELDS = {c.key for c in Client.__table__.columns}


def _credit_notes(b: DemoBuilder, issued: list[Issued]) -> list[Issued]:
    """Cancel a few invoices in full (a mistake) or in part (a commercial gesture)."""
    notes = []
    for original in issued:
        invoice = original.row
        day = invoice["issue_date"] + dt.timedelta(days=b.rng.randrange(5, 60))
        if day > b.today or not b.chance(CREDIT_NOTE_SHARE):
            continue
        full = b.chance(70)
        lines = original.lines if full else original.lines[:1]
        created = b.at(day)
        inputs = []
        row_lines = []
        row = b.add(Invoice, {**invoice, **b.stamp(created, invoice["created_by"])})
        row.update(kind="avoir", issue_date=day, sale_date=invoice["sale_date"], issued_at=created,
                   due_date=None, payment_terms="", credited_invoice_id=invoice["id"])  # fmt: skip
        for position, line in enumerate(lines):
            # Credit-note lines are the invoice's lines negated (app.invoicing.validation).
            quantity = line["quantity_e4"] if full else max(1, line["quantity_e4"] // 2)
            quantity = -quantity
            value = LineInput(quantity, line["unit_price_cents"], line["vat_rate_bp"],
                              line["discount_bp"])  # fmt: skip
            inputs.append(value)
            row_lines.append(_line(b, row, position, line["description"], line["unit"], value))
        totals = compute_totals(inputs)
        row.update(total_excl_cents=totals.excl_cents, total_vat_cents=totals.vat_cents,
                   total_incl_cents=totals.incl_cents)  # fmt: skip
        notes.append(Issued(row, original.series, row_lines, credited=original))
    return notes


def _number(b: DemoBuilder, issued: list[Issued]) -> None:
    """Gapless numbers per series and per year, in issue order; the series rows follow."""
    by_series: dict[str, list[Issued]] = defaultdict(list)
    for doc in issued:
        by_series[doc.series.prefix].append(doc)
    for prefix, docs in sorted(by_series.items()):
        docs.sort(key=lambda d: (d.row["issue_date"], d.row["created_at"], d.row["id"]))
        first = docs[0].row
        series = b.add(
            InvoiceSeries,
            {
                **b.stamp(first["created_at"], first["created_by"]),
                "prefix": prefix,
                "kind": "facture",
                "device_id": docs[0].series.device_id,
                "year": 0,
                "last_number": 0,
                "last_issue_date": None,
            },
        )
        counters: Counter[int] = Counter()
        for doc in docs:
            row = doc.row
            year = row["issue_date"].year
            counters[year] += 1
            number = format_number(prefix, "facture", year, counters[year])
            row.update(series_id=series["id"], sequence=counters[year], number=number)
            row["search_key"] = fold(f"{row['number']} {row['search_key']}")
            series.update(year=year, last_number=counters[year], last_issue_date=row["issue_date"],
                          updated_at=row["created_at"])  # fmt: skip
        for doc in docs:
            if doc.credited is not None:
                original = doc.credited.row
                doc.row["notes"] = (
                    f"Avoir sur la facture {original['number']} "
                    f"du {original['issue_date']:%d/%m/%Y}."
                )


def _payments(b: DemoBuilder, issued: list[Issued]) -> None:
    credited: dict[str, int] = defaultdict(int)
    for doc in issued:
        if doc.credited is not None:
            credited[doc.credited.row["id"]] -= doc.row["total_incl_cents"]
    for doc in issued:
        row = doc.row
        if doc.credited is not None:
            continue
        due = row["total_incl_cents"] - credited[row["id"]]
        overdue = row["due_date"] < b.today
        if due <= 0 or not b.chance(90 if overdue else 35):
            continue
        last = min(b.today, row["due_date"] + dt.timedelta(days=25))
        paid_on = b.day_between(row["issue_date"] + dt.timedelta(days=3), last)
        parts = [due]
        if b.chance(8) and due > 2000:
            parts = [due // 2, due - due // 2]  # paid in two instalments
        elif b.chance(4):
            parts = [due - due // 3]  # still partly unpaid
        for amount in parts:
            mode = b.weighted(PAYMENT_MODES, PAYMENT_WEIGHTS)
            reference = {"virement": f"VIR {b.rng.randrange(10**8):08d}",
                         "cheque": f"Chèque n° {b.rng.randrange(10**7):07d}"}.get(mode, "")  # fmt: skip
            b.add(
                Payment,
                {
                    **b.stamp(b.at(paid_on), row["created_by"]),
                    "invoice_id": row["id"],
                    "paid_on": paid_on,
                    "amount_cents": amount,
                    "mode": mode,
                    "reference": reference,
                },
            )
            paid_on = min(b.today, paid_on + dt.timedelta(days=30))

"""The derived tables of the indicators (migration 0008: ``stage_span``, ``invoice_open``,
``payment_fact``) are never synced: each laptop rebuilds them, through its triggers, from
the synced rows it receives, whether by pages of changes or by a snapshot file. After
either, they equal their full recomputation, and every laptop holds the same ones."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import text

from app.clock import utcnow
from app.indicators import derived
from app.invoicing.numbering import next_number
from app.models import Client, Invoice, InvoiceLine, ParcoursStage, Payment, Person
from app.models.base import synced_tables
from app.profile import Profile
from app.sync import service
from tests.sync_support import Siege, new_laptop

D = dt.date


def _laptop(siege: Siege, tmp_path: Path, name: str) -> Profile:
    laptop = new_laptop(tmp_path, name)
    siege.enrol(laptop, f"{name}-{uuid.uuid4().hex[:6]}", "Épernay")
    return laptop


def _history(laptop: Profile) -> dict[str, str]:
    """A person with three stages, an issued invoice partly paid, a credit note."""
    with laptop.uow() as uow:
        s = uow.session
        person = Person(first_name="Jeanne", last_name="Derivee")
        s.add(person)
        s.flush()
        for kind, start in (("accueil", D(2026, 1, 5)), ("cape", D(2026, 2, 1))):
            s.add(ParcoursStage(person_id=person.id, kind=kind, start_date=start))
        client = Client(entrepreneur_id=person.id, name="SARL Vigne")
        s.add(client)
        s.flush()
        ids = {"person": person.id}
        for key, kind, day in (("invoice", "facture", D(2026, 3, 2)), ("credit", "avoir", None)):
            invoice = Invoice(entrepreneur_id=person.id, client_id=client.id, kind=kind)
            s.add(invoice)
            s.flush()
            s.add(
                InvoiceLine(
                    invoice_id=invoice.id,
                    description="Jour",
                    quantity_e4=10000,
                    unit_price_cents=30000,
                    vat_rate_bp=2000,
                )
            )
            ids[key] = invoice.id
            if day is not None:
                _issue(s, invoice, day)
        s.add(
            Payment(
                invoice_id=ids["invoice"],
                paid_on=D(2026, 4, 1),
                amount_cents=10000,
                mode="virement",
            )
        )
        uow.commit()
    return ids


def _issue(session: Any, invoice: Invoice, day: dt.date) -> None:
    allocation = next_number(session, invoice.kind, day)
    invoice.status, invoice.number, invoice.sequence = "emise", allocation.number, 1
    invoice.series_id, invoice.issue_date, invoice.issued_at = allocation.series_id, day, utcnow()
    invoice.total_excl_cents, invoice.total_vat_cents, invoice.total_incl_cents = (
        30000,
        6000,
        36000,
    )
    invoice.sequence = allocation.sequence


def _derived_rows(laptop: Profile) -> dict[str, set[tuple[Any, ...]]]:
    with laptop.engine.begin() as conn:
        assert derived.differences(conn) == {name: 0 for name in derived.DERIVED_TABLES}
        return {
            name: {tuple(r) for r in conn.execute(text(f"SELECT * FROM {name}"))}
            for name in derived.DERIVED_TABLES
        }


def test_pages_and_snapshot_rebuild_the_derived_rows(siege: Siege, tmp_path: Path) -> None:
    writer = _laptop(siege, tmp_path, "Auteur")
    ids = _history(writer)
    service.run_sync(writer, http_factory=siege.http_factory)
    # A new laptop by the snapshot file, another by pages of changes.
    by_file = _laptop(siege, tmp_path, "Fichier")
    by_pages = _laptop(siege, tmp_path, "Pages")
    seen: list[str] = []
    service.run_sync(by_file, http_factory=siege.http_factory, fault=seen.append)
    assert "snapshot_copied" in seen
    service.run_sync(by_pages, http_factory=siege.http_factory, snapshot=False)
    expected = _derived_rows(writer)
    assert {r[0] for r in expected["invoice_open"]} == {ids["invoice"]}
    assert len(expected["stage_span"]) == 2 and len(expected["payment_fact"]) == 1
    assert _derived_rows(by_file) == expected == _derived_rows(by_pages)
    # Later changes arrive as pages (updates of synced rows): the derived rows follow.
    with writer.uow() as uow:
        s = uow.session
        s.add(ParcoursStage(person_id=ids["person"], kind="salarie", start_date=D(2026, 6, 1)))
        s.add(
            Payment(
                invoice_id=ids["invoice"], paid_on=D(2026, 5, 1), amount_cents=8000, mode="virement"
            )
        )
        credit = s.get_one(Invoice, ids["credit"])
        credit.credited_invoice_id = ids["invoice"]
        _issue(s, credit, D(2026, 5, 15))
        uow.commit()
    for laptop in (writer, by_file, by_pages):
        service.run_sync(laptop, http_factory=siege.http_factory)
    expected = _derived_rows(writer)
    (settled,) = [r for r in expected["invoice_open"] if r[0] == ids["invoice"]]
    # 36,000 - 10,000 (1 Apr) - 8,000 (1 May) - 36,000 (credit note, 15 May): settled then.
    assert settled[4] == "2026-05-15"
    assert len(expected["stage_span"]) == 3
    assert _derived_rows(by_file) == expected == _derived_rows(by_pages)
    assert not set(derived.DERIVED_TABLES) & set(synced_tables())

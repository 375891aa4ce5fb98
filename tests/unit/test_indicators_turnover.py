"""Turnover invoiced (excl. VAT, credit notes deducted) and cashed, by antenne and month."""

from __future__ import annotations

import pytest

from app.indicators.period import Filters, Period
from app.indicators.turnover import turnover
from app.models import Invoice
from tests.indicators_data import Builder, D, antenne

YEAR = Period.year(2025)


@pytest.fixture
def invoices(uow):
    with Builder(uow) as b:
        alice = b.person("Martin", "Alice", "Reims")
        inv1 = b.invoice(alice, D(2025, 1, 15), 100000)
        b.payment(inv1, D(2025, 2, 1), 120000)
        inv2 = b.invoice(alice, D(2025, 3, 20), 50000)
        b.payment(inv2, D(2026, 1, 10), 60000)  # cashed next year
        b.invoice(alice, D(2025, 3, 25), -20000, kind="avoir")  # stored negative
        b.delete(Invoice, b.invoice(alice, D(2025, 5, 5), 55500, status="brouillon"))
        bruno = b.person("Bernard", "Bruno", "Troyes")
        b.invoice(bruno, D(2025, 7, 7), 30000)
        b.invoice(bruno, D(2025, 8, 8), 10000, kind="avoir")  # stored positive
        b.invoice(bruno, None, 99900, status="brouillon")
        old = b.invoice(bruno, D(2024, 12, 31), 70000)
        b.payment(old, D(2025, 1, 5), 84000)  # 2024 invoice cashed in 2025
    return {"alice": alice, "bruno": bruno}


def test_turnover_invoiced_and_cashed(uow, invoices) -> None:
    figures = turnover(uow, Filters(YEAR))
    # Alice 1000 + 500 - 200 = 1300 €; Bruno 300 - 100 = 200 €; drafts and 2024 out.
    assert figures.invoiced_cents == 150000
    assert (figures.invoices, figures.credit_notes) == (3, 2)
    # Payments dated 2025: 1200 € (Alice) + 840 € (Bruno's 2024 invoice).
    assert figures.cashed_cents == 204000
    assert {b.label: b.value for b in figures.by_antenne} == {"Reims": 130000, "Troyes": 20000}
    assert {b.label: b.value for b in figures.cashed_by_antenne} == {
        "Reims": 120000,
        "Troyes": 84000,
    }
    months = {b.key: b.value for b in figures.by_month}
    assert (months["2025-01"], months["2025-03"], months["2025-07"], months["2025-08"]) == (
        100000,
        30000,
        30000,
        -10000,
    )
    assert sum(months.values()) == 150000
    cashed = {b.key: b.value for b in figures.cashed_by_month}
    assert (cashed["2025-01"], cashed["2025-02"]) == (84000, 120000)
    lines = [(e.name, e.antenne, e.invoiced_cents, e.cashed_cents) for e in figures.by_entrepreneur]
    assert lines == [
        ("MARTIN Alice", "Reims", 130000, 120000),
        ("BERNARD Bruno", "Troyes", 20000, 84000),
    ]


def test_turnover_of_one_antenne_and_of_an_empty_one(uow, invoices) -> None:
    troyes = turnover(uow, Filters(YEAR, antenne("Troyes")))
    assert (troyes.invoiced_cents, troyes.cashed_cents) == (20000, 84000)
    empty = turnover(uow, Filters(YEAR, antenne("Saint-Dizier")))
    assert (empty.invoiced_cents, empty.cashed_cents, empty.by_entrepreneur) == (0, 0, ())
    assert all(b.value == 0 for b in empty.by_month)


def test_invoices_of_a_deleted_or_merged_entrepreneur_still_count(uow, invoices) -> None:
    from app.indicators.drilldown import FigureRef, list_invoices
    from app.models import Person

    with Builder(uow) as b:
        b.delete(Person, invoices["alice"])  # a tombstone written by sync or an old version
    with uow() as unit:
        unit.session.get(Person, invoices["bruno"]).merged_into_id = invoices["alice"]
        unit.commit()
    figures = turnover(uow, Filters(YEAR))
    assert (figures.invoiced_cents, figures.cashed_cents) == (150000, 204000)
    assert sum(e.invoiced_cents for e in figures.by_entrepreneur) == 150000
    for key, total in (("turnover_invoiced", 150000), ("turnover_cashed", 204000)):
        lines = list_invoices(uow, Filters(YEAR), FigureRef(key))
        assert sum(line.amount_cents for line in lines) == total  # card == its list
    troyes = Filters(YEAR, antenne("Troyes"))
    listed = list_invoices(uow, troyes, FigureRef("turnover_invoiced"))
    assert sum(line.amount_cents for line in listed) == turnover(uow, troyes).invoiced_cents


def test_moving_an_entrepreneur_does_not_move_past_turnover(uow) -> None:
    from app.models import Person

    with Builder(uow) as b:
        carla = b.person("Caron", "Carla", "Reims")
        b.invoice(carla, D(2025, 4, 1), 80000, frozen_antenne="Troyes")  # issued in Troyes
        pay = b.invoice(carla, D(2025, 9, 1), 20000, frozen_antenne="Reims")
        b.payment(pay, D(2025, 10, 1), 24000)
    with uow() as unit:  # Carla moves to Troyes afterwards
        unit.session.get(Person, carla).antenne_id = antenne("Troyes")
        unit.commit()
    figures = turnover(uow, Filters(YEAR))
    assert {b.label: b.value for b in figures.by_antenne} == {"Troyes": 80000, "Reims": 20000}
    assert {b.label: b.value for b in figures.cashed_by_antenne} == {"Reims": 24000}
    assert turnover(uow, Filters(YEAR, antenne("Reims"))).invoiced_cents == 20000


def test_validation_freezes_the_entrepreneur_antenne_on_the_invoice(profile) -> None:
    from app.invoicing.validation import validate_invoice
    from app.models import Person
    from tests.invoicing_fixtures import add_client, add_draft, add_entrepreneur, complete_identity

    complete_identity(profile.uow)
    person = add_entrepreneur(profile.uow)
    with profile.uow() as unit:
        unit.session.get(Person, person).antenne_id = antenne("Troyes")
        unit.commit()
    draft = add_draft(profile.uow, person, add_client(profile.uow, person))
    validate_invoice(profile.uow, profile.paths.documents, draft, D(2026, 3, 2))
    with profile.uow() as unit:
        unit.session.get(Person, person).antenne_id = antenne("Reims")  # moves later
        assert unit.session.get(Invoice, draft).antenne_id == antenne("Troyes")
        unit.commit()
    moved = turnover(profile.uow, Filters(Period.year(2026)))
    assert [b.label for b in moved.by_antenne] == ["Troyes"]

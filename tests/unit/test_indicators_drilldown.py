"""A click on a figure lists exactly the persons or invoices it counts."""

from __future__ import annotations

import pytest

from app.errors import NotFoundError
from app.indicators.dashboard import dashboard
from app.indicators.drilldown import (
    FigureRef,
    count_invoices,
    count_persons,
    list_invoices,
    list_persons,
)
from app.indicators.period import Filters, Period
from tests.indicators_data import Builder, D, antenne, permanence

YEAR = Filters(Period.year(2025))


@pytest.fixture
def data(uow):
    with Builder(uow) as b:
        alice = b.person("Martin", "Alice", "Reims")
        b.intake(alice, D(2025, 1, 5), "admis", town="Épernay")
        b.stage(alice, "cape", D(2025, 2, 1))
        b.stage(alice, "salarie", D(2025, 6, 1), contract_type="CESA")
        b.followup(alice, D(2025, 7, 1))
        emma = b.person("Etienne", "Emma", "Troyes")
        b.stage(emma, "associe", D(2020, 1, 1))
        b.followup(emma, D(2025, 3, 3))
        b.followup(emma, D(2025, 9, 3))
        bruno = b.person("Bernard", "Bruno", "Troyes")
        b.intake(bruno, D(2025, 3, 1), "")
        b.stage(bruno, "cape", D(2025, 3, 15))
        b.stage(bruno, "sortie", D(2025, 10, 1), exit_reason_code="demenagement")
        workshop = b.activity(D(2025, 4, 4))
        b.mark(b.slot(workshop, D(2025, 4, 4), 9, 180), bruno, "present")
        b.mark(b.slot(workshop, D(2025, 4, 4), 14, 180), alice, "absent")
        first = b.invoice(emma, D(2025, 2, 2), 40000)
        b.payment(first, D(2025, 3, 1), 30000)
        b.payment(first, D(2025, 4, 1), 18000)
        b.invoice(emma, D(2025, 5, 5), -10000, kind="avoir")
        b.invoice(alice, D(2025, 8, 8), 25000)
    return {"alice": alice, "emma": emma, "bruno": bruno}


def _names(uow, ref):
    return [p.full_name for p in list_persons(uow, YEAR, ref)]


def test_lists_behind_person_figures(uow, data) -> None:
    assert _names(uow, FigureRef("accompanied")) == [
        "BERNARD Bruno",
        "ETIENNE Emma",
        "MARTIN Alice",
    ]
    assert _names(uow, FigureRef("accompanied", "status", "salarie")) == ["MARTIN Alice"]
    assert _names(uow, FigureRef("accompanied", "permanence", "")) == [
        "BERNARD Bruno",
        "ETIENNE Emma",
    ]
    assert _names(uow, FigureRef("accompanied", "permanence", permanence("Épernay"))) == [
        "MARTIN Alice"
    ]
    assert _names(uow, FigureRef("accompanied", "antenne", antenne("Troyes"))) == [
        "BERNARD Bruno",
        "ETIENNE Emma",
    ]
    assert _names(uow, FigureRef("intakes", "decision", "")) == ["BERNARD Bruno"]
    assert _names(uow, FigureRef("exits", "outcome", "demenagement")) == ["BERNARD Bruno"]
    assert _names(uow, FigureRef("followups_below_minimum")) == ["MARTIN Alice"]
    assert _names(uow, FigureRef("workshop_participants")) == ["BERNARD Bruno"]
    assert _names(uow, FigureRef("associes")) == ["ETIENNE Emma"]


def test_every_list_has_as_many_rows_as_its_figure(uow, data) -> None:
    figures = dashboard(uow, YEAR)
    expected = {
        "accompanied": figures.accompanied.total,
        "intakes": figures.entries.intakes,
        "admissions": figures.entries.admissions,
        "capes_started": figures.entries.capes_started,
        "exits": figures.exits.total,
        "followups": figures.followups.entrepreneurs,
        "followups_below_minimum": figures.followups.below_minimum,
        "workshop_participants": figures.workshops.participants,
        "salaries": figures.headcount.salaries,
        "associes": figures.headcount.associes,
        "persons_received": figures.received,
        "cesa_started": figures.new_cesa,
        "invoicing_entrepreneurs": figures.turnover.invoicing_entrepreneurs,
    }
    for key, value in expected.items():
        assert count_persons(uow, YEAR, FigureRef(key)) == value, key
    for line in figures.accompanied.by_status:
        ref = FigureRef("accompanied", "status", line.key)
        assert count_persons(uow, YEAR, ref) == line.value, line.label


def test_invoices_behind_turnover_figures(uow, data) -> None:
    invoiced = list_invoices(
        uow, YEAR, FigureRef("turnover_invoiced", "antenne", antenne("Troyes"))
    )
    assert [(i.kind, i.day, i.amount_cents) for i in invoiced] == [
        ("facture", D(2025, 2, 2), 40000),
        ("avoir", D(2025, 5, 5), -10000),
    ]
    cashed = list_invoices(uow, YEAR, FigureRef("turnover_cashed"))
    assert [(i.day, i.amount_cents) for i in cashed] == [
        (D(2025, 3, 1), 30000),
        (D(2025, 4, 1), 18000),
    ]
    assert count_invoices(uow, YEAR, FigureRef("turnover_cashed")) == 2
    march = list_invoices(uow, YEAR, FigureRef("turnover_invoiced", "month", "2025-08"))
    assert [i.entrepreneur for i in march] == ["MARTIN Alice"]


def test_unknown_figure_is_a_typed_error(uow) -> None:
    with pytest.raises(NotFoundError):
        list_persons(uow, YEAR, FigureRef("accompanied", "shoe_size"))

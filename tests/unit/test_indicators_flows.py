"""Entries (intakes, admissions, CAPE signed) and exits by outcome over a period."""

from __future__ import annotations

import pytest

from app.indicators.flows import entries, exits
from app.indicators.period import NO_ANTENNE, Filters, Period
from app.models import IntakeInterview
from tests.indicators_data import Builder, D, antenne

YEAR = Period.year(2025)


@pytest.fixture
def flows(uow):
    with Builder(uow) as b:
        bruno = b.person("Bernard", "Bruno", "Troyes")
        b.intake(bruno, D(2025, 5, 1), "admis", town="Romilly-sur-Seine")  # Troyes antenne
        b.stage(bruno, "cape", D(2025, 6, 1))
        b.stage(bruno, "sortie", D(2025, 11, 15), outcome="creation_entreprise")
        denis = b.person("Durand", "Denis", "Charleville-Mézières")
        b.intake(denis, D(2025, 3, 1), "non_retenu", town="Troyes")  # received in Troyes
        zoe = b.person("Zola", "Zoé", "Reims")
        b.intake(zoe, D(2025, 12, 31), "")  # last day counts; decision pending
        yves = b.person("Yvon", "Yves", "Reims")
        b.intake(yves, D(2026, 1, 1), "admis")  # day after: out
        b.intake(yves, D(2024, 12, 31), "reflexion")  # day before: out
        b.delete(IntakeInterview, b.intake(yves, D(2025, 4, 4), "admis"))
        b.stage(yves, "cape", D(2024, 12, 31))  # CAPE signed in 2024: out
        # Exits: Xavier moved away (reason only), Yasmine back to her situation,
        # Zacharie gave no reason, Chloé left in 2024.
        xavier = b.person("Xavier", "X", "Reims")
        b.stage(xavier, "sortie", D(2025, 2, 2), exit_reason_code="demenagement")
        yasmine = b.person("Yassine", "Yasmine", "Troyes")
        b.stage(yasmine, "sortie", D(2025, 3, 3), outcome="retour_situation")
        zacharie = b.person("Zach", "Zacharie", "Reims")
        b.stage(zacharie, "sortie", D(2025, 4, 4))
        chloe = b.person("Collin", "Chloé", "Reims")
        b.stage(chloe, "sortie", D(2024, 12, 31), outcome="retour_situation")


def _values(lines):
    return {line.label: line.value for line in lines}


def test_entries_count_intakes_by_decision_admissions_and_capes(uow, flows) -> None:
    figures = entries(uow, Filters(YEAR))
    # Bruno (admis), Denis (non retenu), Zoé (pending); Yves's are outside or deleted.
    assert (figures.intakes, figures.admissions, figures.capes_started) == (3, 1, 1)
    assert _values(figures.by_decision) == {
        "Admis": 1,
        "Orienté vers un partenaire": 0,
        "En réflexion": 0,
        "Non retenu": 1,
        "Décision en attente": 1,
    }
    monthly = {line.key: line.value for line in figures.intakes_by_month}
    assert len(monthly) == 12
    assert (monthly["2025-03"], monthly["2025-05"], monthly["2025-12"]) == (1, 1, 1)
    assert sum(monthly.values()) == 3


def test_exits_split_into_the_three_outcomes_and_other_reasons(uow, flows) -> None:
    figures = exits(uow, Filters(YEAR))
    assert figures.total == 4
    assert _values(figures.by_outcome) == {
        "Création de sa propre entreprise": 1,
        "Retour à la situation initiale": 1,
        "Reste comme associé": 0,
        "Déménagement": 1,
        "Autre motif": 1,
    }
    assert {line.key: line.value for line in figures.by_month}["2025-11"] == 1


def test_flows_filtered_by_antenne(uow, flows) -> None:
    troyes = Filters(YEAR, antenne("Troyes"))
    # Intakes count where they were held: Bruno's (Romilly) and Denis's, although
    # Denis belongs to Charleville-Mézières.
    assert (entries(uow, troyes).intakes, entries(uow, troyes).admissions) == (2, 1)
    assert exits(uow, troyes).total == 2  # Bruno and Yasmine (the person's antenne)
    charleville = Filters(YEAR, antenne("Charleville-Mézières"))
    assert entries(uow, charleville).intakes == 0
    # Zoé's intake has no permanence: it counts under "sans antenne"; the parts add up.
    parts = [
        entries(uow, Filters(YEAR, key)).intakes
        for key in (antenne("Reims"), antenne("Troyes"), charleville.antenne_id, NO_ANTENNE)
    ]
    assert parts == [0, 2, 0, 1] and sum(parts) == entries(uow, Filters(YEAR)).intakes


def test_empty_period_gives_zero_lines_not_an_error(uow, flows) -> None:
    day = Filters(Period(D(2030, 6, 1), D(2030, 6, 1)))
    figures = entries(uow, day)
    assert figures.intakes == 0
    assert [line.value for line in figures.intakes_by_month] == [0]
    assert exits(uow, day).total == 0

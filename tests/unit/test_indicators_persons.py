"""Persons accompanied, head count of salariés/associés, and follow-up interviews,
each on a small dataset whose expected figures are worked out in the comments."""

from __future__ import annotations

import datetime as dt

import pytest

from app.indicators.period import Filters, Period
from app.indicators.persons import accompanied, followups, headcount
from app.models import FollowupInterview, ParcoursStage, Person
from tests.indicators_data import Builder, D, antenne

YEAR = Period.year(2025)


@pytest.fixture
def people(uow):
    with Builder(uow) as b:
        marie = b.accompagnateur("Marie", "Curie")
        # Alice: CAPE 2024 then salariée from Feb 2025 -> accompanied, salarié at end.
        alice = b.person("Martin", "Alice", "Reims", referent=marie)
        b.stage(alice, "cape", D(2024, 3, 1))
        b.stage(alice, "salarie", D(2025, 2, 1), contract_type="CESA")
        b.intake(alice, D(2024, 2, 1), "admis", town="Épernay")
        # Bruno: CAPE June 2025, exit in November -> accompanied, "sorti" at end.
        bruno = b.person("Bernard", "Bruno", "Troyes")
        b.intake(bruno, D(2025, 5, 1), "admis", town="Troyes")
        b.stage(bruno, "cape", D(2025, 6, 1))
        b.stage(bruno, "sortie", D(2025, 11, 15), outcome="creation_entreprise")
        # Chloé left on 31 Dec 2024: her CAPE ends the day before 2025 starts.
        chloe = b.person("Collin", "Chloé")
        b.stage(chloe, "cape", D(2023, 1, 1))
        b.stage(chloe, "sortie", D(2024, 12, 31), outcome="retour_situation")
        # Denis: intake only (accueil) -> not accompanied.
        denis = b.person("Durand", "Denis", "Charleville-Mézières")
        b.stage(denis, "accueil", D(2025, 3, 1))
        # Emma: associée since 2020 -> accompanied, associé, no intake on record.
        emma = b.person("Etienne", "Emma", "Reims")
        b.stage(emma, "associe", D(2020, 1, 1))
        # Fanny starts in 2026, Hugo's CAPE ended in 2024 with nothing after.
        fanny = b.person("Faure", "Fanny")
        b.stage(fanny, "cape", D(2026, 1, 10))
        hugo = b.person("Hubert", "Hugo")
        b.stage(hugo, "cape", D(2024, 1, 1), D(2024, 12, 31))
        # Gaston's only stage was deleted; Ivan was merged into Emma.
        gaston = b.person("Garnier", "Gaston")
        b.delete(ParcoursStage, b.stage(gaston, "cape", D(2025, 2, 1)))
        ivan = b.person("Ivanov", "Ivan")
        b.stage(ivan, "cape", D(2025, 1, 1))
        b._uow.session.get_one(Person, ivan).merged_into_id = emma
        # Follow-ups: Alice 2 in 2025; Emma 1 in 2025 (+1 in Dec 2024, +1 deleted);
        # Bruno's does not count (not salaried).
        b.followup(alice, D(2025, 3, 10))
        b.followup(alice, D(2025, 9, 10))
        b.followup(emma, D(2024, 12, 20))
        b.followup(emma, D(2025, 5, 5))
        b.delete(FollowupInterview, b.followup(emma, D(2025, 6, 1)))
        b.followup(bruno, D(2025, 7, 1))
    return {"alice": alice, "bruno": bruno, "emma": emma}


def _values(lines):
    return {line.label: line.value for line in lines}


def test_accompanied_counts_running_cape_salarie_associe_stages_only(uow, people) -> None:
    figures = accompanied(uow, Filters(YEAR))
    # Alice, Bruno, Emma (Chloé, Denis, Fanny, Hugo, Gaston, Ivan excluded).
    assert figures.total == 3
    assert _values(figures.by_status) == {
        "En CAPE": 0,
        "Entrepreneur salarié": 1,
        "Associé": 1,
        "Sorti pendant la période": 1,
    }
    assert _values(figures.by_antenne) == {"Reims": 2, "Troyes": 1}
    assert _values(figures.by_permanence) == {"Épernay": 1, "Troyes": 1, "Non renseigné": 1}
    assert _values(figures.by_accompagnateur) == {"Marie Curie": 1, "Non renseigné": 2}


def test_accompanied_status_is_taken_at_the_end_of_the_period(uow, people) -> None:
    figures = accompanied(uow, Filters(Period(D(2025, 1, 1), D(2025, 6, 30))))
    # Bruno is in CAPE on 30 June; Alice salariée; Emma associée.
    assert _values(figures.by_status)["En CAPE"] == 1
    assert figures.total == 3


def test_accompanied_filtered_by_antenne(uow, people) -> None:
    figures = accompanied(uow, Filters(YEAR, antenne("Troyes")))
    assert figures.total == 1
    assert _values(figures.by_antenne) == {"Troyes": 1}


def test_antenne_without_data_gives_zeros_not_errors(uow, people) -> None:
    figures = accompanied(uow, Filters(YEAR, antenne("Saint-Dizier")))
    assert figures.total == 0
    assert [line.value for line in figures.by_status] == [0, 0, 0, 0]
    assert figures.by_antenne == ()


def test_headcount_at_end_of_period(uow, people) -> None:
    end_of_year = headcount(uow, Filters(YEAR))
    assert (end_of_year.cape, end_of_year.salaries, end_of_year.associes) == (0, 1, 1)
    mid_year = headcount(uow, Filters(Period(D(2025, 1, 1), D(2025, 6, 30))))
    assert (mid_year.cape, mid_year.salaries, mid_year.associes) == (1, 1, 1)


def test_followups_per_salaried_entrepreneur_and_who_is_below_two_a_year(uow, people) -> None:
    figures = followups(uow, Filters(YEAR))
    # Alice 2 (not below), Emma 1 in 2025 and 1 in the last twelve months (below).
    assert figures.entrepreneurs == 2
    assert figures.interviews == 3
    assert figures.below_minimum == 1
    assert figures.per_entrepreneur_tenths == 15
    by_id = {line.person_id: line for line in figures.lines}
    assert (by_id[people["alice"]].in_period, by_id[people["alice"]].below_minimum) == (2, False)
    assert (by_id[people["emma"]].in_period, by_id[people["emma"]].below_minimum) == (1, True)


def test_followup_minimum_looks_at_the_twelve_months_ending_with_the_period(uow, people) -> None:
    quarter = followups(uow, Filters(Period(D(2025, 10, 1), D(2025, 12, 31))))
    alice = next(line for line in quarter.lines if line.person_id == people["alice"])
    # No interview in Q4, but two in the twelve months before 31 Dec: not below.
    assert (alice.in_period, alice.last_twelve_months, alice.below_minimum) == (0, 2, False)


def test_followups_on_an_empty_period_do_not_divide_by_zero(uow) -> None:
    figures = followups(uow, Filters(Period(D(2030, 1, 1), D(2030, 1, 1))))
    assert (figures.entrepreneurs, figures.per_entrepreneur_tenths) == (0, 0)


def test_period_ending_before_it_starts_is_refused_with_a_field_error() -> None:
    from app.errors import ValidationError

    with pytest.raises(ValidationError) as caught:
        Period.of(D(2025, 5, 1), D(2025, 4, 30))
    assert [(e.field, e.code) for e in caught.value.errors] == [("end", "end_before_start")]
    assert Period.of(D(2025, 5, 1), D(2025, 5, 1)).days == 1


def test_period_months_span_year_boundaries() -> None:
    assert Period(D(2024, 11, 20), D(2025, 2, 1)).months() == [
        "2024-11",
        "2024-12",
        "2025-01",
        "2025-02",
    ]
    assert Period(D(2024, 2, 29), D(2024, 3, 1)).previous_year() == Period(
        D(2023, 2, 28), D(2023, 3, 1)
    )
    assert dt.date(2025, 1, 1) in (Period.year(2025).start,)

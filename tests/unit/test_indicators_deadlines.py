"""Upcoming deadlines: CAPE ends and the CESA associé deadline (3 years − CAPE)."""

from __future__ import annotations

import pytest

from app.indicators.deadlines import deadlines
from tests.indicators_data import Builder, D, antenne

TODAY = D(2026, 1, 15)


@pytest.fixture
def contracts(uow):
    with Builder(uow) as b:
        ids = {}
        ids["p"] = p = b.person("Petit", "Paul")
        b.stage(p, "cape", D(2025, 3, 1))  # no end typed: 12 months -> 28 Feb 2026
        ids["q"] = q = b.person("Quentin", "Q")
        b.stage(q, "cape", D(2025, 1, 1), D(2026, 12, 31))  # beyond six months
        ids["r"] = r = b.person("Roux", "Rose")
        b.stage(r, "cape", D(2024, 1, 1), renewals=1)  # 24 months -> 31 Dec 2025, passed
        ids["s"] = s = b.person("Simon", "Sam", "Troyes")
        b.stage(s, "cape", D(2022, 1, 1), D(2022, 12, 31))  # 365 days of CAPE
        b.stage(s, "salarie", D(2023, 1, 1), contract_type="CESA")  # 1 Jan 2026 - 365 d
        ids["t"] = t = b.person("Thomas", "Tom")
        b.stage(t, "salarie", D(2023, 7, 1), contract_type="CESA")  # no CAPE: 1 Jul 2026
        u = b.person("Ulm", "Ugo")
        b.stage(u, "salarie", D(2024, 1, 1), contract_type="CDI")  # no deadline
        v = b.person("Vidal", "Vera")
        b.stage(v, "salarie", D(2023, 1, 1), contract_type="CESA")
        b.stage(v, "associe", D(2025, 6, 1))  # already associée
        ids["w"] = w = b.person("Weber", "Will")
        b.stage(w, "cape", D(2024, 1, 1), D(2024, 6, 30))  # 182 days of CAPE
        b.stage(w, "salarie", D(2024, 7, 1), contract_type="CESA")
    return ids


def test_deadlines_within_six_months_and_overdue(uow, contracts) -> None:
    found = [(d.person_id, d.kind, d.due, d.days_left) for d in deadlines(uow, today=TODAY)]
    assert found == [
        (contracts["s"], "associe", D(2025, 1, 1), -379),
        (contracts["r"], "cape", D(2025, 12, 31), -15),
        (contracts["p"], "cape", D(2026, 2, 28), 44),
        (contracts["t"], "associe", D(2026, 7, 1), 167),
    ]


def test_associe_deadline_subtracts_the_cape_that_preceded_the_cesa(uow, contracts) -> None:
    found = {d.person_id: d for d in deadlines(uow, today=TODAY, horizon_days=400)}
    # CAPE 1 Jan -> 30 Jun 2024 = 182 days; 1 Jul 2027 - 182 days = 31 Dec 2026.
    assert found[contracts["w"]].due == D(2026, 12, 31)
    assert found[contracts["q"]].due == D(2026, 12, 31)


def test_deadlines_of_one_antenne(uow, contracts) -> None:
    only_troyes = deadlines(uow, today=TODAY, antenne_id=antenne("Troyes"))
    assert [d.person_id for d in only_troyes] == [contracts["s"]]
    assert deadlines(uow, today=TODAY, antenne_id=antenne("Saint-Dizier")) == ()

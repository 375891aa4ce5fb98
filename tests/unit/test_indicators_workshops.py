"""Collective actions held, participants and hours of attendance."""

from __future__ import annotations

import pytest

from app.indicators.period import NO_ANTENNE, Filters, Period
from app.indicators.rates import rate_bp
from app.indicators.workshops import workshops
from app.models import Activity
from tests.indicators_data import Builder, D, antenne

YEAR = Period.year(2025)


@pytest.fixture
def sessions(uow):
    with Builder(uow) as b:
        p1, p2, p3, p4, p5 = (b.person(f"P{i}") for i in range(1, 6))
        a1 = b.activity(D(2025, 3, 10), "Reims")  # two 3-hour half-days
        morning = b.slot(a1, D(2025, 3, 10), 9, 180)
        afternoon = b.slot(a1, D(2025, 3, 10), 14, 180)
        b.mark(morning, p1, "present")
        b.mark(afternoon, p1, "present")
        b.mark(morning, p2, "present")
        b.mark(afternoon, p2, "absent")
        b.mark(morning, p3, "excuse")
        a2 = b.activity(D(2025, 6, 1), "Troyes", kind="reunion", title="Réunion coopérative")
        evening = b.slot(a2, D(2025, 6, 1), 18, 120)
        b.mark(evening, p1, "present")
        b.mark(evening, p4, "present")
        a3 = b.activity(D(2024, 12, 10), "Reims")  # previous year
        b.mark(b.slot(a3, D(2024, 12, 10), 9, 180), p5, "present")
        a4 = b.activity(D(2025, 5, 5), "Reims")  # deleted
        b.mark(b.slot(a4, D(2025, 5, 5), 9, 180), p5, "present")
        b.delete(Activity, a4)
        a5 = b.activity(D(2025, 9, 9), None)  # no permanence
        b.mark(b.slot(a5, D(2025, 9, 9), 9, 60), p5, "absent")
        b.mark(b.slot(a5, D(2025, 9, 9), 10, 60), p5, "attendu")


def test_workshops_held_participants_and_hours(uow, sessions) -> None:
    figures = workshops(uow, Filters(YEAR))
    # A1, A2, A5; participants P1, P2, P4; present 180+180+180+120+120 = 780 min = 13 h.
    assert figures.held == 3
    assert {line.key: line.value for line in figures.by_kind} == {"atelier": 2, "reunion": 1}
    assert figures.participants == 3
    assert (figures.present_marks, figures.absent_marks, figures.excused_marks) == (5, 2, 1)
    assert figures.attendance_minutes == 780


def test_workshops_of_one_antenne(uow, sessions) -> None:
    figures = workshops(uow, Filters(YEAR, antenne("Reims")))
    assert (figures.held, figures.participants, figures.attendance_minutes) == (1, 2, 540)


def test_antenne_without_workshops_counts_zero(uow, sessions) -> None:
    figures = workshops(uow, Filters(YEAR, antenne("Saint-Dizier")))
    assert (figures.held, figures.participants, figures.attendance_minutes) == (0, 0, 0)


def test_antennes_and_actions_without_place_add_up_to_the_total(uow, sessions) -> None:
    total = workshops(uow, Filters(YEAR))
    parts = [
        workshops(uow, Filters(YEAR, key))
        for key in (antenne("Reims"), antenne("Troyes"), NO_ANTENNE)
    ]
    assert sum(p.held for p in parts) == total.held
    assert sum(p.attendance_minutes for p in parts) == total.attendance_minutes
    assert sum(p.absent_marks for p in parts) == total.absent_marks


def test_hours_of_an_action_over_new_year_follow_each_half_day(uow) -> None:
    with Builder(uow) as b:
        person = b.person("Passage")
        action = b.activity(D(2025, 12, 30), "Reims")
        b.mark(b.slot(action, D(2025, 12, 30), 9, 180), person, "present")
        b.mark(b.slot(action, D(2026, 1, 2), 9, 120), person, "present")
    in_2025 = workshops(uow, Filters(YEAR))
    in_2026 = workshops(uow, Filters(Period.year(2026)))
    assert (in_2025.held, in_2025.attendance_minutes, in_2025.participants) == (1, 180, 1)
    # The action is held (first day) in 2025; its 2 January half-day counts in 2026.
    assert (in_2026.held, in_2026.attendance_minutes, in_2026.participants) == (0, 120, 1)


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [(2, 3, 6667), (1, 3, 3333), (1, 8, 1250), (0, 4, 0), (1, 0, None)],
)
def test_the_one_attendance_rate_is_rounded_not_truncated(part, whole, expected) -> None:
    assert rate_bp(part, whole) == expected

"""Property test: on random parcours, the SQL figures agree with a plain-Python reading
of the written definitions (accompanied persons and their status at the period end)."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from app.indicators.drilldown import FigureRef, list_persons
from app.indicators.period import Filters, Period
from app.indicators.persons import accompanied, headcount
from app.models import ParcoursStage, Person
from tests.indicators_data import Builder

BASE = dt.date(2025, 1, 1)
KINDS = ("accueil", "diagnostic", "cape", "salarie", "associe", "sortie")

stage = st.tuples(st.sampled_from(KINDS), st.one_of(st.none(), st.integers(0, 8)))
person = st.dictionaries(st.integers(0, 15), stage, max_size=4)  # start offset -> stage
dataset = st.lists(person, min_size=1, max_size=6)


def _expected(people, period):  # type: ignore[no-untyped-def]
    """Definition ``accompanied`` and status at the end, read literally."""
    accompanied_ids, status_at_end = set(), {}
    for index, stages in enumerate(people):
        ordered = sorted(stages.items())
        for position, (offset, (kind, length)) in enumerate(ordered):
            start = BASE + dt.timedelta(days=offset)
            end = None if length is None else start + dt.timedelta(days=length)
            nxt = ordered[position + 1][0] if position + 1 < len(ordered) else None
            next_start = None if nxt is None else BASE + dt.timedelta(days=nxt)
            if (
                kind in ("cape", "salarie", "associe")
                and start <= period.end
                and (end is None or end >= period.start)
                and (next_start is None or next_start > period.start)
            ):
                accompanied_ids.add(index)
            running_at_end = start <= period.end and (next_start is None or next_start > period.end)
            if running_at_end and (end is None or end >= period.end):
                status_at_end[index] = kind
    return accompanied_ids, status_at_end


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(people=dataset, first=st.integers(0, 18), length=st.integers(0, 8))
# Boundaries, always tried: the next stage starts on the first day (not accompanied);
# the stage ends on the first day (accompanied); it starts on the last day
# (accompanied); it ends on the last day (still its status at the end).
@example(people=[{0: ("cape", None), 5: ("sortie", None)}], first=5, length=2)
@example(people=[{0: ("cape", 5)}], first=5, length=2)
@example(people=[{7: ("salarie", None)}], first=0, length=7)
@example(people=[{0: ("cape", 3)}], first=0, length=3)
def test_accompanied_and_status_follow_the_definition(uow, people, first, length) -> None:
    with uow() as unit:  # start each example from an empty parcours
        unit.session.info["sync_capture"] = False  # test set-up, not an edit to sync
        unit.session.execute(delete(ParcoursStage))
        unit.session.execute(delete(Person))
        unit.commit()
    ids = []
    with Builder(uow) as b:
        for index, stages in enumerate(people):
            pid = b.person(f"P{index:02d}")
            ids.append(pid)
            for offset, (kind, days) in stages.items():
                start = BASE + dt.timedelta(days=offset)
                end = None if days is None else start + dt.timedelta(days=days)
                b.stage(pid, kind, start, end)
    period = Period(BASE + dt.timedelta(days=first), BASE + dt.timedelta(days=first + length))
    expected_ids, status = _expected(people, period)
    figures = accompanied(uow, Filters(period))
    assert figures.total == len(expected_ids)
    listed = {p.id for p in list_persons(uow, Filters(period), FigureRef("accompanied"))}
    assert listed == {ids[i] for i in expected_ids}
    counts = headcount(uow, Filters(period))
    assert counts.cape == sum(1 for k in status.values() if k == "cape")
    assert counts.salaries == sum(1 for k in status.values() if k == "salarie")
    assert counts.associes == sum(1 for k in status.values() if k == "associe")

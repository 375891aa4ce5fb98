"""Property tests: on random histories, every SQL figure agrees with a plain-Python reading
of its written definition (docs/indicators.md). The references below are written from
the definitions, not from the SQL: dates are walked day by day where the text says "a
day of the period", sums are plain loops."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Table, delete

from app.indicators.drilldown import FigureRef, list_invoices, list_persons
from app.indicators.flows import entries, exits
from app.indicators.network import network
from app.indicators.period import NO_ANTENNE, Filters, Period, add_years
from app.indicators.persons import accompanied, followups, headcount
from app.indicators.turnover import turnover
from app.indicators.workshops import workshops
from app.models import (
    Activity,
    ActivitySlot,
    Attendance,
    Client,
    FollowupInterview,
    IntakeInterview,
    Invoice,
    ParcoursStage,
    Payment,
    Person,
)
from tests.indicators_data import Builder, antenne

BASE = dt.date(2025, 1, 1)
# The parcours order of docs/indicators.md ("only the furthest runs that day").
KINDS = ("accueil", "diagnostic", "cape", "salarie", "associe", "sortie")
ACCOMPANIED = ("cape", "salarie", "associe")
SALARIED = ("salarie", "associe")

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _empty(uow: Any) -> None:
    """Start each example from an empty history (reference data stays)."""
    with uow() as unit:
        unit.session.info["sync_capture"] = False  # test set-up, not an edit to sync
        for model in (
            Attendance,
            ActivitySlot,
            Activity,
            Payment,
            Invoice,
            Client,
            IntakeInterview,
            FollowupInterview,
            ParcoursStage,
            Person,
        ):
            # Core DELETE on the connection: issued invoices refuse ORM bulk deletes,
            # rightly so in the app; here the whole test history is wiped.
            unit.session.connection().execute(delete(cast(Table, model.__table__)))
        unit.commit()


def day(offset: int) -> dt.date:
    return BASE + dt.timedelta(days=offset)


# Parcours: accompanied, status at the end, CAPE signed, exits, follow-ups -------------

# (start offset, kind) -> length in days (None: no end date); same-day stages allowed.
stages_of = st.dictionaries(
    st.tuples(st.integers(0, 15), st.sampled_from(KINDS)),
    st.one_of(st.none(), st.integers(-1, 8)),
    max_size=4,
)
followups_of = st.lists(st.integers(-380, 30), max_size=4)
person = st.tuples(stages_of, followups_of, st.booleans())  # ..., deleted
people_strategy = st.lists(person, min_size=1, max_size=6)


def _days_running(stages: dict[tuple[int, str], int | None]) -> list[tuple[str, set[dt.date]]]:
    """Each stage with the set of days it runs, read from the definition: from its start
    to its end date inclusive, or to the day before the next stage starts; on a day where
    several stages start, only the furthest in the parcours."""
    ordered = sorted(stages.items(), key=lambda s: (s[0][0], KINDS.index(s[0][1])))
    out = []
    for position, ((offset, kind), length) in enumerate(ordered):
        start = day(offset)
        last = dt.date.max if length is None else start + dt.timedelta(days=length)
        if position + 1 < len(ordered):
            last = min(last, day(ordered[position + 1][0][0]) - dt.timedelta(days=1))
        days = set()
        current = start
        while current <= last and current <= day(40):
            days.add(current)
            current += dt.timedelta(days=1)
        out.append((kind, days))
    return out


def _expected_parcours(people: list[Any], period: Period) -> dict[str, Any]:
    period_days = {period.start + dt.timedelta(days=i) for i in range(period.days)}
    accompanied_ids, salaried_ids, status = set(), set(), {}
    capes = exits_ = interviews = below = 0
    for index, (stages, followup_offsets, deleted) in enumerate(people):
        if deleted:
            continue
        running = _days_running(stages)
        if any(kind in ACCOMPANIED and days & period_days for kind, days in running):
            accompanied_ids.add(index)
        if any(kind in SALARIED and days & period_days for kind, days in running):
            salaried_ids.add(index)
        at_end = [kind for kind, days in running if period.end in days]
        assert len(at_end) <= 1  # the definition gives one stage per day
        if at_end:
            status[index] = at_end[0]
        for offset, kind in stages:
            in_period = period.start <= day(offset) <= period.end
            capes += kind == "cape" and in_period
            exits_ += kind == "sortie" and in_period
        if index in salaried_ids:
            dates = [day(o) for o in followup_offsets]
            interviews += sum(period.start <= d <= period.end for d in dates)
            year_before = add_years(period.end, -1)
            last_twelve = sum(year_before < d <= period.end for d in dates)
            below += status.get(index) in SALARIED and last_twelve < 2
    return {
        "accompanied": accompanied_ids,
        "status": status,
        "capes": capes,
        "exits": exits_,
        "salaried": salaried_ids,
        "interviews": interviews,
        "below": below,
    }


@SETTINGS
@given(people=people_strategy, first=st.integers(0, 18), length=st.integers(0, 8))
# Boundaries, always tried: the next stage starts on the first day (not accompanied);
# the stage ends on the first day (accompanied); it starts on the last day
# (accompanied); it ends on the last day (still its status at the end); a CAPE and a
# salarié stage start the same day (only the salarié stage runs that day); a follow-up
# exactly one year before the end is outside the twelve months.
@example(people=[({(0, "cape"): None, (5, "sortie"): None}, [], False)], first=5, length=2)
@example(people=[({(0, "cape"): 5}, [], False)], first=5, length=2)
@example(people=[({(7, "salarie"): None}, [], False)], first=0, length=7)
@example(people=[({(0, "cape"): 3}, [], False)], first=0, length=3)
@example(people=[({(4, "cape"): None, (4, "sortie"): None}, [], False)], first=2, length=3)
@example(people=[({(0, "salarie"): None}, [-361, 2], False)], first=5, length=0)
@example(people=[({(0, "associe"): None}, [3], True)], first=0, length=8)
def test_parcours_figures_follow_the_definitions(uow, people, first, length) -> None:
    _empty(uow)
    ids = []
    with Builder(uow) as b:
        for index, (stages, followup_offsets, _deleted) in enumerate(people):
            pid = b.person(f"P{index:02d}")
            ids.append(pid)
            for (offset, kind), days in stages.items():
                end = None if days is None else day(offset) + dt.timedelta(days=days)
                b.stage(pid, kind, day(offset), end)
            for offset in followup_offsets:
                b.followup(pid, day(offset))
        for pid, (_s, _f, deleted) in zip(ids, people, strict=True):
            if deleted:
                b.delete(Person, pid)
    period = Period(day(first), day(first + length))
    expected = _expected_parcours(people, period)
    filters = Filters(period)
    figures = accompanied(uow, filters)
    assert figures.total == len(expected["accompanied"])
    listed = {p.id for p in list_persons(uow, filters, FigureRef("accompanied"))}
    assert listed == {ids[i] for i in expected["accompanied"]}
    by_status = {line.key: line.value for line in figures.by_status}
    for kind in ACCOMPANIED:
        at_end = sum(1 for i in expected["accompanied"] if expected["status"].get(i) == kind)
        assert by_status.get(kind, 0) == at_end
    counts = headcount(uow, filters)
    status = expected["status"].values()
    assert counts.cape == sum(1 for k in status if k == "cape")
    assert counts.salaries == sum(1 for k in status if k == "salarie")
    assert counts.associes == sum(1 for k in status if k == "associe")
    assert entries(uow, filters).capes_started == expected["capes"]
    assert exits(uow, filters).total == expected["exits"]
    follow = followups(uow, filters)
    assert {line.person_id for line in follow.lines} == {ids[i] for i in expected["salaried"]}
    assert follow.interviews == expected["interviews"]
    assert follow.below_minimum == expected["below"]


# Intakes, actions and attendance, invoices and payments, with antenne filters --------

TOWNS = {"Reims": "Reims", "Épernay": "Reims", "Troyes": "Troyes", None: None}
ANTENNES = (None, "Reims", "Troyes", NO_ANTENNE)
DECISIONS = ("admis", "oriente", "reflexion", "non_retenu", "")
STATES = ("present", "absent", "excuse")

intake = st.tuples(st.integers(-3, 12), st.sampled_from(DECISIONS), st.sampled_from(list(TOWNS)))
invoice = st.tuples(
    st.integers(-3, 12),  # issue offset
    st.integers(-50000, 90000),  # stored amount (credit notes stored either sign)
    st.sampled_from(("facture", "avoir")),
    st.sampled_from(("emise", "emise", "brouillon")),
    st.lists(st.tuples(st.integers(-2, 14), st.integers(1, 50000)), max_size=2),  # payments
    st.sampled_from((None, "Reims", "Troyes")),  # antenne frozen at validation
)
member = st.fixed_dictionaries(
    {
        "antenne": st.sampled_from(("Reims", "Troyes", None)),
        "deleted": st.booleans(),
        "intakes": st.lists(intake, max_size=2),
        "invoices": st.lists(invoice, max_size=3),
    }
)
slot = st.tuples(st.integers(-2, 12), st.sampled_from((9, 14)), st.integers(30, 240))
action = st.fixed_dictionaries(
    {
        "first": st.integers(-2, 10),
        "town": st.sampled_from(list(TOWNS)),
        "deleted": st.booleans(),
        "slots": st.lists(slot, min_size=1, max_size=3),
        # (person index, slot index) -> state
        "marks": st.dictionaries(
            st.tuples(st.integers(0, 3), st.integers(0, 2)), st.sampled_from(STATES), max_size=6
        ),
    }
)


def _wanted(antenne_key: str | None, where: str | None) -> bool:
    """The antenne filter of docs/indicators.md: everything, one antenne, or none."""
    if antenne_key is None:
        return True
    if antenne_key == NO_ANTENNE:
        return where is None
    return where == antenne_key


def _expected_events(members: list[Any], actions: list[Any], period: Period, key: Any) -> Any:
    inside = lambda d: period.start <= d <= period.end  # noqa: E731
    intakes = admissions = 0
    received: set[int] = set()
    invoiced = cashed = n_invoices = n_credit_notes = 0
    invoicing: set[int] = set()
    for index, m in enumerate(members):
        if not m["deleted"]:
            for offset, decision, town in m["intakes"]:
                # An intake counts for the antenne of the permanence where it was held.
                if inside(day(offset)) and _wanted(key, TOWNS[town]):
                    intakes += 1
                    admissions += decision == "admis"
                    received.add(index)
        for offset, amount, kind, status, payments, frozen in m["invoices"]:
            # The antenne frozen on the invoice at validation (None: the entrepreneur had
            # none that day), the entrepreneur deleted or not.
            if status == "brouillon" or not _wanted(key, frozen):
                continue
            sign = -1 if kind == "avoir" else 1
            if inside(day(offset)):
                invoiced += -abs(amount) if kind == "avoir" else amount
                n_invoices += kind == "facture"
                if kind == "facture":
                    invoicing.add(index)
                n_credit_notes += kind == "avoir"
            cashed += sum(sign * cents for paid, cents in payments if inside(day(paid)))
    held = minutes = 0
    marks = {state: 0 for state in STATES}
    participants: set[int] = set()
    for a in actions:
        if a["deleted"] or not _wanted(key, TOWNS[a["town"]]):
            continue
        held += inside(day(a["first"]))
        for (who, slot_index), state in a["marks"].items():
            if slot_index >= len(a["slots"]) or who >= len(members) or members[who]["deleted"]:
                continue
            offset, _hour, length = a["slots"][slot_index]
            if not inside(day(offset)):  # each half-day counts for its own day
                continue
            marks[state] += 1
            if state == "present":
                minutes += length
                participants.add(who)
    return {
        "intakes": intakes,
        "admissions": admissions,
        "received": len(received),
        "invoiced": invoiced,
        "cashed": cashed,
        "invoices": n_invoices,
        "credit_notes": n_credit_notes,
        "invoicing": len(invoicing),
        "held": held,
        "minutes": minutes,
        "marks": marks,
        "participants": len(participants),
    }


@SETTINGS
@given(
    members=st.lists(member, min_size=1, max_size=4),
    actions=st.lists(action, max_size=3),
    first=st.integers(0, 8),
    length=st.integers(0, 6),
    key=st.sampled_from(ANTENNES),
)
# An action over the period's end: its later half-day belongs to the next period.
@example(
    members=[{"antenne": "Reims", "deleted": False, "intakes": [], "invoices": []}],
    actions=[
        {
            "first": 2,
            "town": "Troyes",
            "deleted": False,
            "slots": [(2, 9, 180), (5, 9, 120)],
            "marks": {(0, 0): "present", (0, 1): "present"},
        }
    ],
    first=0,
    length=3,
    key=None,
)
# A deleted entrepreneur's invoice and its credit note still count.
@example(
    members=[
        {
            "antenne": "Troyes",
            "deleted": True,
            "intakes": [(1, "admis", "Reims")],
            "invoices": [
                (1, 10000, "facture", "emise", [(2, 12000)], None),
                (3, 4000, "avoir", "emise", [], "Troyes"),
                (4, 9000, "facture", "emise", [], "Reims"),  # issued before a move
            ],
        }
    ],
    actions=[],
    first=0,
    length=5,
    key="Troyes",
)
def test_event_figures_follow_the_definitions(uow, members, actions, first, length, key) -> None:
    _empty(uow)
    with Builder(uow) as b:
        ids = [b.person(f"M{i}", ant=m["antenne"]) for i, m in enumerate(members)]
        for pid, m in zip(ids, members, strict=True):
            for offset, decision, town in m["intakes"]:
                b.intake(pid, day(offset), decision, town=town)
            for offset, amount, kind, status, payments, frozen in m["invoices"]:
                invoice_id = b.invoice(
                    pid, day(offset), amount, kind=kind, status=status, frozen_antenne=frozen
                )
                for paid, cents in payments:
                    b.payment(invoice_id, day(paid), cents)
        for a in actions:
            activity_id = b.activity(day(a["first"]), a["town"])
            slot_ids = [b.slot(activity_id, day(o), hour, n) for o, hour, n in a["slots"]]
            for (who, slot_index), state in a["marks"].items():
                if slot_index < len(slot_ids) and who < len(ids):
                    b.mark(slot_ids[slot_index], ids[who], state)
            if a["deleted"]:
                b.delete(Activity, activity_id)
        for pid, m in zip(ids, members, strict=True):
            if m["deleted"]:
                b.delete(Person, pid)
    period = Period(day(first), day(first + length))
    antenne_id = key if key in (None, NO_ANTENNE) else antenne(key)
    filters = Filters(period, antenne_id)
    expected = _expected_events(members, actions, period, key)
    flows = entries(uow, filters)
    assert (flows.intakes, flows.admissions) == (expected["intakes"], expected["admissions"])
    assert sum(line.value for line in flows.by_decision) == expected["intakes"]
    assert network(uow, filters).received == expected["received"]
    money = turnover(uow, filters)
    assert money.invoiced_cents == expected["invoiced"]
    assert money.cashed_cents == expected["cashed"]
    assert (money.invoices, money.credit_notes) == (expected["invoices"], expected["credit_notes"])
    assert sum(line.value for line in money.by_month) == expected["invoiced"]
    assert money.invoicing_entrepreneurs == expected["invoicing"]
    assert sum(e.invoiced_cents for e in money.by_entrepreneur) == expected["invoiced"]
    listed = list_invoices(uow, filters, FigureRef("turnover_invoiced"), limit=1000)
    assert sum(line.amount_cents for line in listed) == expected["invoiced"]  # card == list
    held = workshops(uow, filters)
    assert held.held == expected["held"]
    assert held.attendance_minutes == expected["minutes"]
    assert held.participants == expected["participants"]
    marks = expected["marks"]
    assert (held.present_marks, held.absent_marks, held.excused_marks) == (
        marks["present"],
        marks["absent"],
        marks["excuse"],
    )

"""Property test of the attachment rule (docs/indicators.md, "Antenne filter"): on random
attachment histories and parcours, every per-antenne person figure agrees with a
plain-Python reading of the rule, and the antennes plus "sans antenne" add up to the
all-antennes figure."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from hypothesis import example, given
from hypothesis import strategies as st
from sqlalchemy import Table, delete

from app.indicators.flows import entries, exits
from app.indicators.network import network
from app.indicators.period import NO_ANTENNE, Filters, Period
from app.indicators.persons import accompanied, followups, headcount
from app.models import FollowupInterview, ParcoursStage, Person, PersonAttachment
from tests.indicators_data import Builder, antenne
from tests.unit.test_indicators_properties import (
    ACCOMPANIED,
    SALARIED,
    SETTINGS,
    _days_running,
    _wanted,
    day,
    stages_of,
)

NAMES = ("Reims", "Troyes", None)
KEYS = (None, "Reims", "Troyes", NO_ANTENNE)

person = st.fixed_dictionaries(
    {
        "record": st.sampled_from(NAMES),  # the person's record today
        # first day (offset) -> antenne; none: the record counts for every day
        "attachments": st.dictionaries(st.integers(-3, 20), st.sampled_from(NAMES), max_size=3),
        "stages": stages_of,
    }
)


def _empty(uow: Any) -> None:
    with uow() as unit:
        unit.session.info["sync_capture"] = False  # test set-up, not an edit to sync
        for model in (FollowupInterview, ParcoursStage, PersonAttachment, Person):
            unit.session.connection().execute(delete(cast(Table, model.__table__)))
        unit.commit()


def attached(p: dict[str, Any], on: dt.date) -> str | None:
    """The rule as written: the latest attachment valid from that day or earlier; before
    the first one, the first; none recorded, the record."""
    rows = sorted(p["attachments"].items())
    if not rows:
        return cast(str | None, p["record"])
    valid = [name for offset, name in rows if day(offset) <= on]
    return valid[-1] if valid else rows[0][1]


def _expected(people: list[dict[str, Any]], period: Period, key: str | None) -> dict[str, Any]:
    period_days = {period.start + dt.timedelta(days=i) for i in range(period.days)}
    inside = lambda d: period.start <= d <= period.end  # noqa: E731
    out = {"accompanied": 0, "salaries": 0, "capes": 0, "exits": 0, "followed": 0}
    out |= {"entered_cape": 0, "became_salaries": 0}
    for p in people:
        running = _days_running(p["stages"])
        at_end = _wanted(key, attached(p, period.end))
        status = next((kind for kind, days in running if period.end in days), None)
        if at_end and any(k in ACCOMPANIED and days & period_days for k, days in running):
            out["accompanied"] += 1
        if at_end and any(k in SALARIED and days & period_days for k, days in running):
            out["followed"] += 1
        out["salaries"] += at_end and status == "salarie"
        for offset, kind in p["stages"]:
            start = day(offset)
            here = inside(start) and _wanted(key, attached(p, start))
            out["capes"] += here and kind == "cape"
            out["exits"] += here and kind == "sortie"
        for kind, name in (("cape", "entered_cape"), ("salarie", "became_salaries")):
            starts = sorted(day(o) for o, k in p["stages"] if k == kind and inside(day(o)))
            out[name] += bool(starts) and _wanted(key, attached(p, starts[0]))
    return out


def _figures(uow: Any, filters: Filters) -> dict[str, int]:
    net = network(uow, filters)
    return {
        "accompanied": accompanied(uow, filters).total,
        "salaries": headcount(uow, filters).salaries,
        "capes": entries(uow, filters).capes_started,
        "exits": exits(uow, filters).total,
        "followed": len(followups(uow, filters).lines),
        "entered_cape": net.entered_cape,
        "became_salaries": net.became_salaries,
    }


@SETTINGS
@given(
    people=st.lists(person, min_size=1, max_size=5),
    first=st.integers(0, 18),
    length=st.integers(0, 8),
)
# A move on the period's last day: the stock figures follow it, the CAPE signed before
# stays where it was signed.
@example(
    people=[
        {"record": "Reims", "attachments": {0: "Troyes", 6: "Reims"}, "stages": {(2, "cape"): None}}
    ],
    first=0,
    length=6,
)
# A fact before the first recorded attachment counts for the first one.
@example(
    people=[{"record": None, "attachments": {9: "Troyes"}, "stages": {(1, "cape"): None}}],
    first=0,
    length=8,
)
# Two CAPE starts in the period in two antennes: the person entered CAPE once, where
# the first one started.
@example(
    people=[
        {
            "record": "Reims",
            "attachments": {0: "Troyes", 4: "Reims"},
            "stages": {(1, "cape"): None, (3, "sortie"): None, (5, "cape"): None},
        }
    ],
    first=0,
    length=8,
)
def test_person_figures_follow_the_attachment_rule(uow, people, first, length) -> None:
    _empty(uow)
    with Builder(uow) as b:
        for index, p in enumerate(people):
            pid = b.person(f"P{index:02d}", ant=p["record"])
            for offset, name in p["attachments"].items():
                b.attach(pid, name, day(offset))
            for (offset, kind), days in p["stages"].items():
                end = None if days is None else day(offset) + dt.timedelta(days=days)
                b.stage(pid, kind, day(offset), end)
    period = Period(day(first), day(first + length))
    got = {}
    for key in KEYS:
        antenne_id = key if key in (None, NO_ANTENNE) else antenne(key)
        got[key] = _figures(uow, Filters(period, antenne_id))
        assert got[key] == _expected(people, period, key), key
    for name, total in got[None].items():
        assert total == sum(got[k][name] for k in KEYS[1:]), name

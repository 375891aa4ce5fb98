"""Property tests of the figures added for funders and the network (issue 17, item 5):
unpaid amounts at the period's end, credit notes counted in their invoice's period (the
option), hours per theme and new CESA contracts. As in test_indicators_properties.py,
each reference is a plain-Python reading of its definition in docs/indicators.md, not
of the SQL."""

from __future__ import annotations

from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st
from sqlalchemy import select

from app.indicators.dashboard import dashboard
from app.indicators.drilldown import FigureRef, count_persons, list_invoices, list_persons
from app.indicators.period import NO_ANTENNE, Filters, Period
from app.indicators.receivables import receivables
from app.indicators.turnover import turnover
from app.indicators.workshops import workshops
from app.models import Activity, Client, Invoice, Person, WorkshopTheme
from tests.indicators_data import Builder, antenne, permanence
from tests.unit.test_indicators_properties import (
    ANTENNES,
    SETTINGS,
    STATES,
    TOWNS,
    _empty,
    _wanted,
    day,
)

# Money: invoices with their credit notes and payments ---------------------------------

document = st.fixed_dictionaries(
    {
        "issued": st.integers(-20, 12),  # issue offset
        "excl": st.integers(1, 90000),  # positive excl. VAT; a credit note stores it negative
        "status": st.sampled_from(("emise", "emise", "emise", "brouillon")),
        "frozen": st.sampled_from((None, "Reims", "Troyes")),
        "due": st.one_of(st.none(), st.integers(-10, 20)),
        "payments": st.lists(st.tuples(st.integers(-20, 16), st.integers(1, 60000)), max_size=2),
        # Credit notes against it: (issue offset, share of the invoice in %, status, antenne)
        "credits": st.lists(
            st.tuples(
                st.integers(-20, 16),
                st.integers(1, 120),
                st.sampled_from(("emise", "emise", "brouillon")),
                st.sampled_from((None, "Reims", "Troyes")),
            ),
            max_size=2,
        ),
    }
)
entrepreneur = st.fixed_dictionaries(
    {
        "antenne": st.sampled_from(("Reims", "Troyes", None)),
        "deleted": st.booleans(),
        "invoices": st.lists(document, max_size=3),
    }
)


def _incl(excl: int) -> int:
    return excl + excl // 5  # how tests.indicators_data stores the VAT of 20 %


def _expected_money(people: list[Any], period: Period, key: str | None) -> dict[str, int]:
    """Unpaid amounts on the period's last day and turnover with credit notes in their
    invoice's period, read from the definitions ``unpaid`` and
    ``turnover_by_invoice_period``."""
    inside = lambda d: period.start <= d <= period.end  # noqa: E731
    end = period.end
    unpaid = unpaid_n = 0
    by_invoice = by_own_date = 0
    for p in people:  # deleted or not: an issued invoice counts whatever happens to them
        for inv in p["invoices"]:
            issued = inv["status"] == "emise"
            for offset, share, status, frozen in inv["credits"]:
                # The credit note: its own antenne rule; counted on its invoice's issue
                # date when that invoice is issued, else on its own.
                if status != "emise" or not _wanted(key, frozen):
                    continue
                amount = -(inv["excl"] * share // 100)
                counted_on = day(inv["issued"]) if issued else day(offset)
                by_invoice += amount if inside(counted_on) else 0
                by_own_date += amount if inside(day(offset)) else 0
            if not issued or not _wanted(key, inv["frozen"]):
                continue
            if inside(day(inv["issued"])):
                by_invoice += inv["excl"]
                by_own_date += inv["excl"]
            if day(inv["issued"]) > end:
                continue
            credited = sum(
                _incl(inv["excl"] * share // 100)
                for offset, share, status, _a in inv["credits"]
                if status == "emise" and day(offset) <= end
            )
            paid = sum(cents for paid_on, cents in inv["payments"] if day(paid_on) <= end)
            due = _incl(inv["excl"]) - credited - paid
            if due > 0:
                unpaid += due
                unpaid_n += 1
    return {
        "unpaid": unpaid,
        "unpaid_n": unpaid_n,
        "by_invoice": by_invoice,
        "by_own_date": by_own_date,
    }


def _build_money(uow: Any, people: list[Any]) -> None:
    with Builder(uow) as b:
        for index, p in enumerate(people):
            pid = b.person(f"E{index}", ant=p["antenne"])
            client = b.add(Client(entrepreneur_id=pid, name="Client"))
            for inv in p["invoices"]:
                invoice_id = b.add(
                    Invoice(
                        kind="facture",
                        status=inv["status"],
                        entrepreneur_id=pid,
                        client_id=client,
                        issue_date=day(inv["issued"]),
                        due_date=None if inv["due"] is None else day(inv["due"]),
                        total_excl_cents=inv["excl"],
                        total_vat_cents=inv["excl"] // 5,
                        total_incl_cents=_incl(inv["excl"]),
                        antenne_id=antenne(inv["frozen"]) if inv["frozen"] else None,
                    )
                )
                for paid_on, cents in inv["payments"]:
                    b.payment(invoice_id, day(paid_on), cents)
                for offset, share, status, frozen in inv["credits"]:
                    excl = -(inv["excl"] * share // 100)
                    b.add(
                        Invoice(
                            kind="avoir",
                            status=status,
                            entrepreneur_id=pid,
                            client_id=client,
                            issue_date=day(offset),
                            credited_invoice_id=invoice_id,
                            total_excl_cents=excl,
                            total_vat_cents=-(-excl // 5),
                            total_incl_cents=-_incl(-excl),
                            antenne_id=antenne(frozen) if frozen else None,
                        )
                    )
            if p["deleted"]:
                b.delete(Person, pid)


@SETTINGS
@given(
    people=st.lists(entrepreneur, min_size=1, max_size=3),
    first=st.integers(-5, 8),
    length=st.integers(0, 10),
    key=st.sampled_from(ANTENNES),
)
# A 2026-style credit note on an invoice of an earlier period: by its own date it lowers
# the later period; with the option it lowers the invoice's period. Paid in part before
# the end, the rest after: only the part paid by the end reduces the unpaid amount.
@example(
    people=[
        {
            "antenne": "Reims",
            "deleted": False,
            "invoices": [
                {
                    "issued": 1,
                    "excl": 10000,
                    "status": "emise",
                    "frozen": None,
                    "due": 2,
                    "payments": [(3, 2000), (9, 5000)],
                    "credits": [(8, 50, "emise", None)],
                }
            ],
        }
    ],
    first=0,
    length=5,
    key=None,
)
def test_unpaid_and_credit_note_option_follow_the_definitions(
    uow, people, first, length, key
) -> None:
    _empty(uow)
    _build_money(uow, people)
    period = Period(day(first), day(first + length))
    antenne_id = key if key in (None, NO_ANTENNE) else antenne(key)
    expected = _expected_money(people, period, key)
    filters = Filters(period, antenne_id)
    owed = receivables(uow, filters)
    assert (owed.unpaid_cents, owed.unpaid_invoices) == (expected["unpaid"], expected["unpaid_n"])
    listed = list_invoices(uow, filters, FigureRef("unpaid"), limit=1000)
    assert sum(line.amount_cents for line in listed) == expected["unpaid"]  # card == list
    assert turnover(uow, filters).invoiced_cents == expected["by_own_date"]
    option = Filters(period, antenne_id, credit_notes_by_invoice=True)
    money = turnover(uow, option)
    assert money.invoiced_cents == expected["by_invoice"]
    assert sum(line.value for line in money.by_month) == expected["by_invoice"]
    listed = list_invoices(uow, option, FigureRef("turnover_invoiced"), limit=1000)
    assert sum(line.amount_cents for line in listed) == expected["by_invoice"]


# Hours per theme ------------------------------------------------------------------------

THEMES = (None, "Thème A", "Thème B")
themed_action = st.fixed_dictionaries(
    {
        "theme": st.sampled_from(THEMES),
        "town": st.sampled_from(list(TOWNS)),
        "deleted": st.booleans(),
        "slots": st.lists(
            st.tuples(st.integers(-2, 12), st.sampled_from((9, 14)), st.integers(30, 240)),
            min_size=1,
            max_size=3,
        ),
        "marks": st.dictionaries(
            st.tuples(st.integers(0, 2), st.integers(0, 2)), st.sampled_from(STATES), max_size=6
        ),
    }
)


@SETTINGS
@given(
    actions=st.lists(themed_action, max_size=4),
    first=st.integers(0, 8),
    length=st.integers(0, 6),
    key=st.sampled_from(ANTENNES),
)
def test_hours_per_theme_follow_the_definition(uow, actions, first, length, key) -> None:
    _empty(uow)
    with uow() as unit:  # themes are reference data: made once, kept between examples
        known = dict(unit.session.execute(select(WorkshopTheme.name, WorkshopTheme.id)).all())
    with Builder(uow) as b:
        themes: dict[str | None, str | None] = {None: None}
        for name in THEMES[1:]:
            themes[name] = known.get(name) or b.add(WorkshopTheme(name=name))
        ids = [b.person(f"T{i}") for i in range(3)]
        for a in actions:
            town = a["town"]
            activity_id = b.add(
                Activity(
                    kind="atelier",
                    title="Atelier",
                    held_on=day(min(o for o, _h, _n in a["slots"])),
                    permanence_id=permanence(town) if town else None,
                    theme_id=themes[a["theme"]],
                )
            )
            slot_ids = [b.slot(activity_id, day(o), hour, n) for o, hour, n in a["slots"]]
            for (who, slot_index), state in a["marks"].items():
                if slot_index < len(slot_ids):
                    b.mark(slot_ids[slot_index], ids[who], state)
            if a["deleted"]:
                b.delete(Activity, activity_id)
    period = Period(day(first), day(first + length))
    antenne_id = key if key in (None, NO_ANTENNE) else antenne(key)
    expected: dict[str, int] = {}
    for a in actions:
        if a["deleted"] or not _wanted(key, TOWNS[a["town"]]):
            continue
        for (_who, slot_index), state in a["marks"].items():
            if slot_index >= len(a["slots"]) or state != "present":
                continue
            offset, _hour, minutes = a["slots"][slot_index]
            if period.start <= day(offset) <= period.end:  # each half-day on its own day
                label = a["theme"] or "Sans thème"
                expected[label] = expected.get(label, 0) + minutes
    figures = workshops(uow, Filters(period, antenne_id))
    assert {b.label: b.value for b in figures.minutes_by_theme} == expected
    assert sum(b.value for b in figures.minutes_by_theme) == figures.attendance_minutes
    values = [b.value for b in figures.minutes_by_theme]
    assert values == sorted(values, reverse=True)  # largest first


# New CESA contracts, persons received and entrepreneurs invoicing on the dashboard ------

cesa_person = st.tuples(
    st.lists(
        st.tuples(st.integers(-5, 15), st.sampled_from(("CESA", "CDI"))), min_size=0, max_size=2
    ),
    st.sampled_from(("Reims", "Troyes", None)),
    st.booleans(),  # deleted
)


@SETTINGS
@given(
    people=st.lists(cesa_person, min_size=1, max_size=5),
    first=st.integers(0, 8),
    length=st.integers(0, 6),
    key=st.sampled_from(ANTENNES),
)
def test_new_cesa_contracts_follow_the_definition(uow, people, first, length, key) -> None:
    _empty(uow)
    with Builder(uow) as b:
        ids = []
        for index, (contracts, where, deleted) in enumerate(people):
            pid = b.person(f"C{index}", ant=where)
            ids.append(pid)
            for offset, contract in contracts:
                b.stage(pid, "salarie", day(offset), contract_type=contract)
            if deleted:
                b.delete(Person, pid)
    period = Period(day(first), day(first + length))
    antenne_id = key if key in (None, NO_ANTENNE) else antenne(key)
    # Persons (not stages), live, of the antenne of their record, with a CESA stage
    # starting in the period.
    expected = {
        ids[i]
        for i, (contracts, where, deleted) in enumerate(people)
        if not deleted
        and _wanted(key, where)
        and any(c == "CESA" and period.start <= day(o) <= period.end for o, c in contracts)
    }
    filters = Filters(period, antenne_id)
    assert dashboard(uow, filters).new_cesa == len(expected)
    assert {p.id for p in list_persons(uow, filters, FigureRef("cesa_started"))} == expected
    assert count_persons(uow, filters, FigureRef("cesa_started")) == len(expected)


def test_dashboard_cards_equal_the_network_figures(uow) -> None:
    """The dashboard's persons received and entrepreneurs invoicing are the network's."""
    from app.indicators.network import network

    _empty(uow)
    with Builder(uow) as b:
        alice = b.person("Alice")
        b.intake(alice, day(1), "admis", town="Reims")
        b.intake(alice, day(3), "reflexion", town="Troyes")
        b.invoice(alice, day(2), 1000)
        bruno = b.person("Bruno")
        b.invoice(bruno, day(2), 500, kind="avoir")  # a lone credit note is not invoicing
    filters = Filters(Period(day(0), day(5)))
    shown, net = dashboard(uow, filters), network(uow, filters)
    assert (shown.received, shown.turnover.invoicing_entrepreneurs) == (1, 1)
    assert (net.received, net.invoicing_entrepreneurs) == (1, 1)
    listed = list_persons(uow, filters, FigureRef("invoicing_entrepreneurs"))
    assert [p.id for p in listed] == [alice]
    assert [p.id for p in list_persons(uow, filters, FigureRef("persons_received"))] == [alice]

"""The derived tables of the indicators (migration 0008) stay equal to their full
recomputation after any sequence of writes (inserts, edits of any column they read,
soft and hard deletes, rows moved to another person or invoice), written as the sync
applies rows (Core statements, no ORM guard), and the figures read through them equal
the figures read from the synced tables alone (the PostgreSQL path)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Table, delete, insert, text, update
from sqlalchemy.orm import Session

from app.ids import new_id
from app.indicators import derived
from app.indicators.deadlines import deadlines_in
from app.indicators.period import NO_ANTENNE, Filters, Period
from app.indicators.persons import accompanied_in, followups_in, headcount_in
from app.indicators.receivables import receivables_in
from app.indicators.turnover import turnover_in
from app.models import Client, Invoice, ParcoursStage, Payment, Person
from app.uow import UnitOfWorkFactory
from tests.indicators_data import antenne

BASE = dt.date(2025, 1, 1)
KINDS = ("accueil", "diagnostic", "cape", "salarie", "associe", "sortie")
ANTENNES = (None, antenne("Reims"), antenne("Troyes"))
STAMP = dt.datetime(2025, 6, 1, 12)

day = st.integers(0, 90).map(lambda n: BASE + dt.timedelta(days=n))
pick = st.integers(0, 10_000)  # an index into the rows of a kind, modulo their number

OPS = st.one_of(
    st.tuples(st.just("stage"), pick, st.sampled_from(KINDS), day, st.none() | day),
    st.tuples(
        st.just("stage_edit"),
        pick,
        st.sampled_from(("start_date", "end_date", "kind", "deleted_at", "person_id")),
        day,
        st.sampled_from(KINDS),
        pick,
    ),
    st.tuples(st.just("stage_drop"), pick),
    st.tuples(
        st.just("invoice"),
        pick,
        st.sampled_from(("facture", "facture", "avoir")),
        st.sampled_from(("emise", "emise", "brouillon")),
        day,
        st.integers(1, 500).map(lambda n: n * 100),
        st.none() | pick,
        st.sampled_from(ANTENNES),
    ),
    st.tuples(
        st.just("invoice_edit"),
        pick,
        st.sampled_from(
            (
                "status",
                "deleted_at",
                "issue_date",
                "total_incl_cents",
                "antenne_id",
                "credited_invoice_id",
                "entrepreneur_id",
                "kind",
            )
        ),
        day,
        pick,
    ),
    st.tuples(st.just("invoice_drop"), pick),
    st.tuples(st.just("payment"), pick, day, st.integers(-100, 600).map(lambda n: n * 100)),
    st.tuples(
        st.just("payment_edit"),
        pick,
        st.sampled_from(("paid_on", "amount_cents", "deleted_at", "invoice_id")),
        day,
        pick,
    ),
    st.tuples(st.just("payment_drop"), pick),
)

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _table(model: Any) -> Table:
    return cast(Table, model.__table__)


class History:
    """Writes rows with Core statements on one session, as the sync's apply does."""

    def __init__(self, session: Session, persons: int = 4) -> None:
        self.s = session
        self.persons: list[str] = []
        self.clients: dict[str, str] = {}
        for index in range(persons):
            pid = new_id()
            self._insert(Person, id=pid, last_name=f"P{index}", first_name="A")
            self.clients[pid] = new_id()
            self._insert(Client, id=self.clients[pid], entrepreneur_id=pid, name="Client")
            self.persons.append(pid)

    def _insert(self, model: Any, **values: Any) -> None:
        stamps = {"created_at": STAMP, "updated_at": STAMP}
        self.s.execute(insert(model.__table__).values(**stamps, **values))

    def _ids(self, model: Any) -> list[str]:
        return list(self.s.scalars(text(f"SELECT id FROM {model.__tablename__} ORDER BY id")))

    def _one(self, model: Any, index: int) -> str | None:
        ids = self._ids(model)
        return ids[index % len(ids)] if ids else None

    def _edit(self, model: Any, row_id: str | None, **values: Any) -> None:
        if row_id is not None:
            table = model.__table__
            self.s.execute(update(table).where(table.c.id == row_id).values(**values))

    def _drop(self, model: Any, row_id: str | None) -> None:
        if row_id is not None:
            table = model.__table__
            self.s.execute(delete(table).where(table.c.id == row_id))

    def apply(self, op: tuple[Any, ...]) -> None:
        getattr(self, op[0])(*op[1:])

    def stage(self, who: int, kind: str, start: dt.date, end: dt.date | None) -> None:
        person = self.persons[who % len(self.persons)]
        self._insert(
            ParcoursStage, id=new_id(), person_id=person, kind=kind, start_date=start, end_date=end
        )

    def stage_edit(self, which: int, field: str, when: dt.date, kind: str, who: int) -> None:
        value = {
            "start_date": when,
            "end_date": when,
            "kind": kind,
            "deleted_at": STAMP,
            "person_id": self.persons[who % len(self.persons)],
        }[field]
        self._edit(ParcoursStage, self._one(ParcoursStage, which), **{field: value})

    def stage_drop(self, which: int) -> None:
        self._drop(ParcoursStage, self._one(ParcoursStage, which))

    def invoice(
        self,
        who: int,
        kind: str,
        status: str,
        when: dt.date,
        cents: int,
        credited: int | None,
        antenne_id: str | None,
    ) -> None:
        person = self.persons[who % len(self.persons)]
        target = self._one(Invoice, credited) if credited is not None else None
        amount = -cents if kind == "avoir" else cents
        self._insert(
            Invoice,
            id=new_id(),
            kind=kind,
            status=status,
            entrepreneur_id=person,
            client_id=self.clients[person],
            issue_date=when,
            total_excl_cents=amount,
            total_vat_cents=0,
            total_incl_cents=amount,
            antenne_id=antenne_id,
            credited_invoice_id=target if kind == "avoir" else None,
        )

    def invoice_edit(self, which: int, field: str, when: dt.date, other: int) -> None:
        row = self._one(Invoice, which)
        person = self.persons[other % len(self.persons)]
        value = {
            "status": "brouillon" if other % 2 else "emise",
            "deleted_at": STAMP,
            "issue_date": when,
            "total_incl_cents": (other % 50) * 1000,
            "antenne_id": ANTENNES[other % len(ANTENNES)],
            "credited_invoice_id": self._one(Invoice, other),
            "entrepreneur_id": person,
            "kind": "avoir" if other % 2 else "facture",
        }[field]
        extra = {"client_id": self.clients[person]} if field == "entrepreneur_id" else {}
        self._edit(Invoice, row, **{field: value}, **extra)

    def invoice_drop(self, which: int) -> None:
        row = self._one(Invoice, which)
        if row is None:
            return
        payment, inv = _table(Payment), _table(Invoice)
        self.s.execute(delete(payment).where(payment.c.invoice_id == row))
        self.s.execute(
            update(inv).where(inv.c.credited_invoice_id == row).values(credited_invoice_id=None)
        )
        self._drop(Invoice, row)

    def payment(self, which: int, when: dt.date, cents: int) -> None:
        invoice = self._one(Invoice, which)
        if invoice is not None:
            self._insert(
                Payment,
                id=new_id(),
                invoice_id=invoice,
                paid_on=when,
                amount_cents=cents,
                mode="virement",
            )

    def payment_edit(self, which: int, field: str, when: dt.date, other: int) -> None:
        value = {
            "paid_on": when,
            "amount_cents": (other % 60) * 1000,
            "deleted_at": STAMP,
            "invoice_id": self._one(Invoice, other),
        }[field]
        self._edit(Payment, self._one(Payment, which), **{field: value})

    def payment_drop(self, which: int) -> None:
        self._drop(Payment, self._one(Payment, which))


def _clear(uow: UnitOfWorkFactory) -> None:
    with uow() as unit:
        for model in (Payment, Invoice, Client, ParcoursStage, Person):
            unit.session.execute(delete(_table(model)))
        unit.commit()


@contextmanager
def _without_derived(session: Session) -> Iterator[None]:
    """Read this session's database as PostgreSQL is read: from the synced tables."""
    info = session.connection().connection.info
    info[derived.PRESENCE_KEY] = False
    session.info.pop("indicator_spans", None)
    try:
        yield
    finally:
        info.pop(derived.PRESENCE_KEY, None)
        session.info.pop("indicator_spans", None)


def _figures(session: Session) -> list[Any]:
    out: list[Any] = []
    for end in (BASE + dt.timedelta(days=n) for n in (0, 20, 45, 70, 95)):
        for ant in (None, antenne("Reims"), NO_ANTENNE):
            filters = Filters(Period(BASE, end), ant)
            money = turnover_in(session, filters)
            out += [
                receivables_in(session, filters),
                (money.cashed_cents, money.cashed_by_antenne, money.cashed_by_month),
                [(e.person_id, e.cashed_cents) for e in money.by_entrepreneur],
                headcount_in(session, filters),
                accompanied_in(session, filters),
                followups_in(session, filters).lines,
            ]
        out.append(deadlines_in(session, today=end))
    return out


# Every example starts from rows of each kind, so the random edits find something to edit.
START: list[tuple[Any, ...]] = [
    op
    for who in range(4)
    for op in (
        ("stage", who, "accueil", BASE, None),
        ("stage", who, "cape", BASE + dt.timedelta(days=10 + who), None),
        ("invoice", who, "facture", "emise", BASE + dt.timedelta(days=who), 30000, None, None),
        ("payment", who, BASE + dt.timedelta(days=30), 10000),
        ("invoice", who, "avoir", "emise", BASE + dt.timedelta(days=40), 5000, who, None),
    )
]


@SETTINGS
@given(ops=st.lists(OPS, min_size=3, max_size=40))
def test_derived_rows_equal_their_recomputation_after_random_writes(
    uow: UnitOfWorkFactory, ops: list[tuple[Any, ...]]
) -> None:
    _clear(uow)
    with uow() as unit:
        s = unit.session
        s.info["sync_capture"] = False  # test set-up, not edits to push
        history = History(s)
        for op in START + ops:
            history.apply(op)
        assert derived.present(s)
        assert derived.differences(s.connection()) == {n: 0 for n in derived.DERIVED_TABLES}
        with_tables = _figures(s)
        with _without_derived(s):
            assert not derived.present(s)
            assert _figures(s) == with_tables
        unit.commit()


def _derived_rows(session: Session) -> dict[str, set[tuple[Any, ...]]]:
    return {
        name: {tuple(r) for r in session.execute(text(f"SELECT * FROM {name}"))}
        for name in derived.DERIVED_TABLES
    }


# Every invoice paid twice on one day: a balance still positive after the first payment
# of a day but not after the second leaves nothing due that day.
SAME_DAY = [("payment", k, BASE + dt.timedelta(days=50), 10000) for k in range(8)] * 2


@SETTINGS
@given(
    ops=st.lists(OPS, min_size=3, max_size=40),
    undated=st.lists(pick, max_size=3),
    odd=st.none() | pick,
)
@example(ops=SAME_DAY, undated=[], odd=None)
@example(ops=SAME_DAY, undated=[0, 5], odd=1)
def test_a_rebuild_gives_the_rows_the_triggers_kept(
    uow: UnitOfWorkFactory, ops: list[tuple[Any, ...]], undated: list[int], odd: int | None
) -> None:
    """The set-based rebuild after a snapshot copy (docs/sync.md) writes exactly the rows
    the triggers keep, for invoices and credit notes without an issue date too, and
    for a payment amount stored as a real number (the view is copied then)."""
    _clear(uow)
    with uow() as unit:
        s = unit.session
        s.info["sync_capture"] = False
        history = History(s)
        for op in START + ops:
            history.apply(op)
        for which in undated:
            history._edit(Invoice, history._one(Invoice, which), issue_date=None)
        if odd is not None and (payment := history._one(Payment, odd)) is not None:
            s.execute(
                text("UPDATE payment SET amount_cents = amount_cents + 0.5 WHERE id = :id"),
                {"id": payment},
            )
        kept = _derived_rows(s)
        for name in derived.DERIVED_TABLES:
            s.execute(text(f"DELETE FROM {name}"))
        derived.rebuild(s.connection())
        assert _derived_rows(s) == kept
        assert derived.differences(s.connection()) == {n: 0 for n in derived.DERIVED_TABLES}
        unit.rollback()

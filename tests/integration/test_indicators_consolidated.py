"""On the siège's copy (no device identity: everything synced) the same figures are
consolidated, on SQLite and on PostgreSQL (the siège's production database)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import sessionmaker

from app.exports.funder import funder_table
from app.indicators.dashboard import dashboard
from app.indicators.drilldown import FigureRef, list_invoices, list_persons
from app.indicators.period import Filters, Period
from app.indicators.scope import Scope
from app.models import Base
from app.seed import seed_reference_data
from app.uow import UnitOfWorkFactory
from tests.indicators_data import Builder, D, antenne

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
YEAR = Filters(Period.year(2025))


def _fill(engine: Engine) -> UnitOfWorkFactory:
    Base.metadata.create_all(engine)
    uow = UnitOfWorkFactory(sessionmaker(bind=engine, expire_on_commit=False))
    with uow() as unit:
        seed_reference_data(unit.session)
        unit.commit()
    # Two laptops' data, as the siège holds it after sync.
    with Builder(uow) as b:
        alice = b.person("Martin", "Alice", "Reims")
        b.intake(alice, D(2025, 1, 5), "admis", town="Épernay")
        b.stage(alice, "cape", D(2025, 2, 1))
        b.stage(alice, "salarie", D(2025, 6, 1), contract_type="CESA")
        b.followup(alice, D(2025, 7, 1), 45)
        inv = b.invoice(alice, D(2025, 8, 8), 250000)
        b.payment(inv, D(2025, 9, 1), 300000)
        b.invoice(alice, D(2025, 9, 9), -50000, kind="avoir")
        # Followed in Troyes all of 2025, moved to Reims in 2026 (his record today).
        bruno = b.person("Bernard", "Bruno", "Reims")
        b.attach(bruno, "Troyes", D(2024, 1, 1))
        b.attach(bruno, "Reims", D(2026, 1, 10))
        b.intake(bruno, D(2025, 3, 1), "reflexion", town="Troyes")
        b.stage(bruno, "cape", D(2025, 3, 15))
        b.stage(bruno, "sortie", D(2025, 10, 1), outcome="creation_entreprise")
        workshop = b.activity(D(2025, 4, 4), "Troyes")
        b.mark(b.slot(workshop, D(2025, 4, 4), 9, 210), bruno, "present")
        b.mark(b.slot(workshop, D(2025, 4, 4), 14, 180), alice, "absent")
    return uow


def _check_consolidated_figures(uow: UnitOfWorkFactory) -> None:
    data = dashboard(uow, YEAR, today=D(2026, 1, 15))
    assert data.scope is Scope.CONSOLIDATED
    assert data.accompanied.total == 2
    assert {b.label: b.value for b in data.accompanied.by_antenne} == {"Reims": 1, "Troyes": 1}
    assert (data.entries.intakes, data.entries.admissions) == (2, 1)
    assert {b.key: b.value for b in data.exits.by_outcome}["creation_entreprise"] == 1
    assert (data.workshops.participants, data.workshops.attendance_minutes) == (1, 210)
    assert (data.turnover.invoiced_cents, data.turnover.cashed_cents) == (200000, 300000)
    assert {b.key: b.value for b in data.turnover.by_month}["2025-09"] == -50000
    assert (data.headcount.salaries, data.followups.below_minimum) == (1, 1)
    # CESA from 1 Jun 2025, CAPE without an end date: 1 Jun 2028, beyond six months.
    assert data.deadlines == ()
    troyes = [
        p.full_name
        for p in list_persons(uow, YEAR, FigureRef("accompanied", "antenne", antenne("Troyes")))
    ]
    assert troyes == ["BERNARD Bruno"]
    assert [i.amount_cents for i in list_invoices(uow, YEAR, FigureRef("turnover_invoiced"))] == [
        250000,
        -50000,
    ]
    table = funder_table(uow, YEAR)
    assert [row[0] for row in table.rows] == ["Bernard", "Martin"]
    assert table.rows[0][15] == 210 and table.rows[1][17] == 45
    # Per antenne, 2025 reads 2025's attachment (docs/indicators.md, "Antenne filter").
    troyes_2025 = Filters(YEAR.period, antenne("Troyes"))
    data = dashboard(uow, troyes_2025, today=D(2026, 1, 15))
    assert (data.accompanied.total, data.entries.capes_started, data.exits.total) == (1, 1, 1)
    assert [row[0] for row in funder_table(uow, troyes_2025).rows] == ["Bernard"]
    assert [row[4] for row in funder_table(uow, troyes_2025).rows] == ["Troyes"]


def test_siege_sqlite_copy_gives_consolidated_figures(tmp_path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'siege.sqlite3'}")
    try:
        _check_consolidated_figures(_fill(engine))
    finally:
        engine.dispose()


@pytest.fixture
def pg_engine() -> Iterator[Engine]:
    name = f"permanence_ind_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = create_engine(f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}")
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.postgres
def test_siege_postgresql_copy_gives_the_same_figures(pg_engine) -> None:
    _check_consolidated_figures(_fill(pg_engine))

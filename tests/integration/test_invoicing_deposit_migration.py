"""Migration 0009 (issue 15, deposits), both ways: ``invoice.deposit_invoice_ids`` added
and dropped by plain column changes (the invoice table keeps its 0008 triggers), and a
final invoice whose row has no list — issued before 0009, or pushed by a laptop not
migrated yet — still names its one deposit (``deposit_invoice_id``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, create_engine, inspect, text

from app.invoicing.drafts import LineData, deduction_lines, get_invoice
from app.invoicing.validation import validate_invoice
from app.migrate import SCHEMA_HEAD, alembic_config, alembic_head, current_revision, upgrade
from app.profile import Profile
from tests.invoicing_fixtures import add_client, add_draft, add_entrepreneur, complete_identity
from tests.sync_support import postgres_database

DAY = dt.date(2026, 3, 2)


def _columns(engine: Engine) -> set[str]:
    return {c["name"] for c in inspect(engine).get_columns("invoice")}


def _round_trip(engine: Engine) -> None:
    upgrade(engine)
    assert current_revision(engine) == SCHEMA_HEAD == alembic_head()
    assert "deposit_invoice_ids" in _columns(engine)
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0008")
    assert "deposit_invoice_ids" not in _columns(engine)
    assert "deposit_invoice_id" in _columns(engine)
    upgrade(engine)
    assert current_revision(engine) == SCHEMA_HEAD


def test_migration_0009_keeps_a_final_invoice_issued_before_it(profile: Profile) -> None:
    uow, docs = profile.uow, profile.paths.documents
    complete_identity(uow)
    person = add_entrepreneur(uow)
    client = add_client(uow, person)
    deposit = validate_invoice(
        uow, docs,
        add_draft(uow, person, client, (LineData("Acompte", 10000, 30000, 2000),), role="acompte"),
        DAY,
    )  # fmt: skip
    lines = (LineData("Travaux", 10000, 100000, 2000), *deduction_lines(uow, deposit.invoice_id))
    final = validate_invoice(
        uow, docs,
        add_draft(uow, person, client, lines, role="solde", deposit_invoice_ids=(deposit.invoice_id,)),
        DAY,
    )  # fmt: skip
    engine = profile.engine
    _round_trip(engine)
    with engine.connect() as conn:
        stored = conn.execute(
            text("SELECT deposit_invoice_id, deposit_invoice_ids FROM invoice WHERE id = :i"),
            {"i": final.invoice_id},
        ).one()
    assert tuple(stored) == (deposit.invoice_id, "")  # as a row from before 0009
    shown = get_invoice(uow, final.invoice_id)
    assert shown.data.deposit_invoice_ids == (deposit.invoice_id,)
    assert [d.number for d in shown.deposits] == [deposit.number]


def test_migration_0009_on_an_empty_sqlite_database(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'p.sqlite3'}")
    try:
        _round_trip(engine)
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_migration_0009_on_postgresql() -> None:
    with postgres_database() as url:
        engine = create_engine(url)
        try:
            _round_trip(engine)
        finally:
            engine.dispose()

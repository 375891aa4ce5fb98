"""The derived tables' triggers come back when the profile opens (docs/indicators.md,
"Derived tables"; app/indicators/derived_repair.py). A later migration that rebuilds
``parcours_stage`` or ``payment`` in Alembic's batch mode (move and copy) drops their
triggers: at the next opening they are made again and the derived rows rebuilt, so
the rows written meanwhile are counted and the next writes are kept again."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

import pytest
from alembic.migration import MigrationContext
from alembic.operations import Operations
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, insert, update

from app.config import ProfileSettings
from app.ids import new_id
from app.indicators import derived, derived_repair
from app.migrate import alembic_config
from app.models import Client, Invoice, ParcoursStage, Payment, Person
from app.profile import Profile, create_profile, open_profile

STAMP = dt.datetime(2026, 3, 2, 12, 0)
PARCOURS_TRIGGERS = {"stage_span_ins", "stage_span_upd", "stage_span_del"}
PAYMENT_TRIGGERS = {
    "invoice_open_pay_ins",
    "invoice_open_pay_upd",
    "invoice_open_pay_del",
    "payment_fact_ins",
    "payment_fact_upd",
    "payment_fact_del",
}
NONE_DIFFER = dict.fromkeys(derived.DERIVED_TABLES, 0)


def _insert(conn: Connection, model: Any, **values: Any) -> str:
    row_id = new_id()
    stamps = {"created_at": STAMP, "updated_at": STAMP}
    conn.execute(insert(model.__table__).values(id=row_id, **stamps, **values))
    return row_id


def _triggers(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        names = conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return set(names.scalars())


def _batch_rebuild(engine: Engine, table: str) -> None:
    """What a later migration does to ``table`` in batch mode on SQLite: a new table
    filled from the old one, which is dropped with its triggers. The ``_calc`` views
    read the table, so SQLite refuses the final rename unless the migration asks for
    the legacy rename (or drops and makes the views again)."""
    with engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA legacy_alter_table = ON")
        with Operations(MigrationContext.configure(conn)).batch_alter_table(
            table, recreate="always"
        ):
            pass
        conn.exec_driver_sql("PRAGMA legacy_alter_table = OFF")


def _reopen(profile: Profile) -> Profile:
    profile.close()
    return open_profile(profile.paths.root)


def test_triggers_dropped_by_a_batch_rebuild_are_back_at_the_next_opening(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    profile = create_profile(tmp_path / "p", ProfileSettings(display_name="Reims"))
    with profile.engine.begin() as conn:
        person = _insert(conn, Person, first_name="Inès", last_name="Roux")
        client = _insert(conn, Client, entrepreneur_id=person, name="Boulangerie")
        invoice = _insert(
            conn,
            Invoice,
            entrepreneur_id=person,
            client_id=client,
            kind="facture",
            status="emise",
            issue_date=dt.date(2026, 2, 1),
            total_incl_cents=50_000,
        )
        _insert(
            conn, ParcoursStage, person_id=person, kind="accueil", start_date=dt.date(2026, 1, 5)
        )
    everything = _triggers(profile.engine)
    assert set(derived_repair.EXPECTED_TRIGGERS) <= everything

    _batch_rebuild(profile.engine, "parcours_stage")
    _batch_rebuild(profile.engine, "payment")
    assert not (PARCOURS_TRIGGERS | PAYMENT_TRIGGERS) & _triggers(profile.engine)
    # Written while the triggers are missing: the derived rows fall behind.
    with profile.engine.begin() as conn:
        _insert(conn, ParcoursStage, person_id=person, kind="cape", start_date=dt.date(2026, 2, 1))
        _insert(conn, Payment, invoice_id=invoice, paid_on=dt.date(2026, 2, 20),
                amount_cents=20_000, mode="virement")  # fmt: skip
        assert derived.differences(conn) != NONE_DIFFER

    with caplog.at_level(logging.WARNING, logger="app.indicators.derived_repair"):
        profile = _reopen(profile)
    assert _triggers(profile.engine) == everything
    assert "stage_span_ins" in caplog.text and "rebuilt" in caplog.text
    with profile.engine.begin() as conn:
        assert derived.differences(conn) == NONE_DIFFER
        # And kept again by the triggers: a stage, a payment, an edit after the opening.
        _insert(conn, ParcoursStage, person_id=person, kind="salarie",
                start_date=dt.date(2026, 3, 1), contract_type="CESA")  # fmt: skip
        _insert(conn, Payment, invoice_id=invoice, paid_on=dt.date(2026, 3, 1),
                amount_cents=30_000, mode="cheque")  # fmt: skip
        conn.execute(update(Payment).where(Payment.mode == "virement").values(amount_cents=1))
        assert derived.differences(conn) == NONE_DIFFER
        settled = conn.execute(derived.INVOICE_OPEN.select()).mappings().one()
        assert settled["balance_cents"] == 50_000 - 1 - 30_000

    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="app.indicators.derived_repair"):
        profile = _reopen(profile)  # nothing missing: nothing done, nothing said
    assert caplog.text == ""
    profile.close()


def test_the_names_checked_at_each_opening_are_the_migrations_triggers() -> None:
    script = ScriptDirectory.from_config(alembic_config()).get_revision(derived_repair.DEFINED_IN)
    assert script is not None and script.module is not None
    names = [name for name, _event, _body in script.module.TRIGGERS]
    assert names == list(derived_repair.EXPECTED_TRIGGERS)
    assert len(names) == derived.TRIGGERS

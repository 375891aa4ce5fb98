"""A series a laptop issued in before enrolment is adopted by the siège and closed there
(docs/authority.md, "Invoices issued before enrolment"): the numbers the laptop declared
at /enroll are accepted when pushed after it, and none beyond them — a stolen token or a
tampered laptop cannot go on issuing in the pre-enrolment series. Through the siège's
handlers, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import inspect, select, update

from app.invoicing.validation import validate_invoice
from app.models import DeviceIdentity, Invoice, SyncConflict
from app.models.base import Base
from app.profile import Profile
from app.sync import service, wording
from app.sync.codec import table_of
from app.sync.transport import request
from siege import db, devices
from siege.local_series import adopted_series
from tests.invoicing_fixtures import add_client, add_draft, add_entrepreneur, complete_identity
from tests.sync_support import BASE_URL, Siege, new_laptop, postgres_database

DAY = dt.date(2026, 11, 26)


def _issue(laptop: Profile, last_name: str) -> tuple[str, str]:
    person = add_entrepreneur(laptop.uow, last_name=last_name)
    client = add_client(laptop.uow, person)
    draft = add_draft(laptop.uow, person, client)
    validate_invoice(laptop.uow, laptop.paths.documents, draft, DAY)
    with laptop.session_factory() as session:
        number = session.scalar(select(Invoice.number).where(Invoice.id == draft))
    assert number is not None
    return draft, number


def _siege_numbers(siege: Siege) -> list[str]:
    with siege.engine.connect() as conn:
        inv = Base.metadata.tables["invoice"]
        return sorted(conn.execute(select(inv.c.number).where(inv.c.number.is_not(None))).scalars())


def test_an_adopted_series_takes_its_declared_numbers_and_no_new_one(
    tmp_path: Path, siege: Siege
) -> None:
    laptop = new_laptop(tmp_path, "Portable Épernay")
    complete_identity(laptop.uow)
    local_prefix = service.status(laptop).series_prefix
    issued = [_issue(laptop, "Martin")[1], _issue(laptop, "Durand")[1]]
    assert issued == [f"{local_prefix}-2026-00001", f"{local_prefix}-2026-00002"]
    code = devices.enroll(siege.engine, "Portable Épernay", "Épernay")[0]
    service.enrol(laptop, BASE_URL, code, http_factory=siege.http_factory)
    with siege.engine.connect() as conn:
        closed = conn.execute(select(adopted_series.c.year, adopted_series.c.last_sequence)).all()
    assert closed == [(2026, 2)]
    # Pushed after enrolment, the numbers declared are accepted.
    report = service.run_sync(laptop, http_factory=siege.http_factory)
    assert {c.table for c in report.refused} <= {"cae_identity"}, report.refused
    assert _siege_numbers(siege) == issued
    # A tampered laptop (or a stolen token) numbering again in the pre-enrolment series.
    with laptop.engine.begin() as conn:
        conn.execute(update(table_of(DeviceIdentity)).values(series_prefix=local_prefix))
    complete_identity(laptop.uow)
    draft, number = _issue(laptop, "Petit")
    assert number == f"{local_prefix}-2026-00003"
    with laptop.session_factory() as session:
        series_id = str(session.scalar(select(Invoice.series_id).where(Invoice.id == draft)))
    report = service.run_sync(laptop, http_factory=siege.http_factory)
    refusals = {(c.table, c.row_id): c.reason for c in report.refused}
    assert refusals[("invoice", draft)] == "adopted_series_closed"
    # Nothing of it on the siège; the refusal is listed for review, in French.
    assert _siege_numbers(siege) == issued
    with siege.engine.connect() as conn:
        inv = Base.metadata.tables["invoice"]
        held = conn.execute(select(inv.c.number).where(inv.c.id == draft)).scalar()
    assert held is None
    with siege.engine.connect() as conn:
        series = Base.metadata.tables["invoice_series"]
        counter = conn.execute(
            select(series.c.last_number).where(series.c.prefix == local_prefix)
        ).scalar_one()
    assert counter == 2  # the series' counter did not move either
    assert refusals[("invoice_series", series_id)] == "adopted_series_closed"
    with laptop.session_factory() as session:
        kept = session.scalars(
            select(SyncConflict).where(
                SyncConflict.row_id == draft, SyncConflict.detail == "adopted_series_closed"
            )
        ).all()
    assert kept and number in kept[0].lost_value
    assert "close" in wording.push_reason("adopted_series_closed")
    laptop.close()


def _siege_round_trip(url: str) -> None:
    engine = db.make_engine(url)
    try:
        db.migrate(engine)
        assert "siege_adopted_series" in inspect(engine).get_table_names()
        with engine.begin() as conn:
            command.downgrade(db.siege_alembic_config(conn), "s0008")
        assert "siege_adopted_series" not in inspect(engine).get_table_names()
        with engine.begin() as conn:
            command.upgrade(db.siege_alembic_config(conn), "head")
        columns = {c["name"] for c in inspect(engine).get_columns("siege_adopted_series")}
        assert {"series_id", "year", "last_sequence", "device_id"} <= columns
    finally:
        engine.dispose()


def test_migration_s0009_on_sqlite(tmp_path: Path) -> None:
    _siege_round_trip(f"sqlite:///{tmp_path / 's.sqlite3'}")


@pytest.mark.postgres
def test_migration_s0009_on_postgresql() -> None:
    with postgres_database() as url:
        _siege_round_trip(url)


def test_a_series_to_adopt_declared_without_its_numbers_is_refused_and_the_code_kept(
    siege: Siege,
) -> None:
    """Adopted without the numbers issued in it, a series would stay open to new ones."""
    code = devices.enroll(siege.engine, "Portable Épernay", "Épernay")[0]
    series = {"id": "0193aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee", "prefix": "LF3DE9"}
    declared: dict[str, Any] = {**series, "kind": "facture", "pending": True}
    body = {"code": code, "local_series": [declared]}
    with siege.http() as http:
        refused = request(http, "POST", "/enroll", json=body)
        assert refused.status_code == 422
        assert refused.json()["detail"]["code"] == "local_series_invalid"
        declared["issued"] = [{"year": 2026, "last": 2}]
        assert request(http, "POST", "/enroll", json=body).status_code == 200
    with siege.engine.connect() as conn:
        closed = conn.execute(select(adopted_series.c.series_id, adopted_series.c.year)).all()
    assert closed == [(series["id"], 2026)]

"""``person_attachment`` (issue 17) on the siège and through migration 0005: who may
write a person's attachment history, and the backfill every copy makes alike. The
``siege`` fixture (tests/integration/conftest.py) runs each test on SQLite and
PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command

from app.ids import deterministic_id, new_id
from app.migrate import SCHEMA_HEAD, alembic_config, current_revision, upgrade
from tests.sync_support import Siege, postgres_database
from tests.sync_support.authority import CHARLEVILLE, REIMS, Device, complete, enrol, op


def _person(reims: Device) -> str:
    pid = new_id()
    response = reims.push(
        op("person", pid, **complete("person", first_name="I", last_name="R", antenne_id=REIMS)),
        op("person_attachment", new_id(), **_attachment(pid, REIMS, "2026-01-05")),
    )
    assert response.status_code == 200, response.text
    return pid


def _attachment(pid: str, antenne_id: str | None, since: str) -> dict[str, Any]:
    return complete("person_attachment", person_id=pid, antenne_id=antenne_id, valid_from=since)


def test_the_antenne_a_person_leaves_records_the_move(siege: Siege) -> None:
    reims, charleville = enrol(siege, "Épernay"), enrol(siege, "Sedan")
    pid = _person(reims)
    # Charleville cannot pull the person over by writing their history.
    pull = _attachment(pid, CHARLEVILLE, "2026-11-20")
    pulled = charleville.push(op("person_attachment", new_id(), **pull))
    assert pulled.status_code == 409, pulled.text
    # Reims moves the person: the person's row first, then the attachment (table order);
    # the person is in Charleville when the attachment is checked.
    moved = reims.push(
        op("person", pid, antenne_id=CHARLEVILLE),
        op("person_attachment", new_id(), **_attachment(pid, CHARLEVILLE, "2026-11-20")),
    )
    assert moved.status_code == 200, moved.text
    # From now on Charleville follows the person and writes their history; Reims no longer.
    later = _attachment(pid, CHARLEVILLE, "2026-11-24")
    assert reims.push(op("person_attachment", new_id(), **later)).status_code == 409
    assert charleville.push(op("person_attachment", new_id(), **later)).status_code == 200


def test_a_move_split_over_two_batches_is_accepted(siege: Siege) -> None:
    reims = enrol(siege, "Épernay")
    pid = _person(reims)
    assert reims.push(op("person", pid, antenne_id=CHARLEVILLE)).status_code == 200
    attachment = op("person_attachment", new_id(), **_attachment(pid, CHARLEVILLE, "2026-11-20"))
    response = reims.push(attachment)
    assert response.status_code == 200, response.text


# Migration 0005 ------------------------------------------------------------------------


def _blank(column: sa.Column[Any]) -> Any:
    kind = column.type.python_type if hasattr(column.type, "python_type") else str
    return {
        str: "",
        int: 0,
        bool: False,
        dt.date: dt.date(2026, 1, 5),
        dt.datetime: dt.datetime(2026, 1, 5, 10),
    }.get(kind, "")


def _insert(conn: sa.Connection, table_name: str, /, **values: Any) -> None:
    table = sa.Table(table_name, sa.MetaData(), autoload_with=conn)
    row = {c.name: _blank(c) for c in table.columns if not c.nullable}
    conn.execute(table.insert().values(**{**row, **values}))


def _indexes(engine: sa.Engine, table: str) -> set[str]:
    return {str(i["name"]) for i in sa.inspect(engine).get_indexes(table)}


def _migration_round_trip(url: str) -> None:
    engine = sa.create_engine(url)
    created = dt.datetime(2024, 3, 10, 15, 0)
    try:
        upgrade(engine, "0004")
        with engine.begin() as conn:
            _insert(conn, "antenne", id=REIMS, name="Reims")
            _insert(conn, "person", id="p-moved", antenne_id=REIMS, created_at=created)
            _insert(conn, "person", id="p-none", antenne_id=None, created_at=created)
            # An imported history older than the record: the first attachment starts there.
            _insert(conn, "parcours_stage", id="s-1", person_id="p-none", kind="cape",
                    start_date=dt.date(2019, 6, 1))  # fmt: skip
        upgrade(engine, "0005")
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text(
                    "SELECT id, person_id, antenne_id, valid_from FROM person_attachment "
                    "ORDER BY person_id"
                )
            ).all()
        assert [(r[0], r[1], r[2], str(r[3])[:10]) for r in rows] == [
            (deterministic_id("person_attachment", "p-moved", "initial"), "p-moved", REIMS,
             "2024-03-10"),
            (deterministic_id("person_attachment", "p-none", "initial"), "p-none", None,
             "2019-06-01"),
        ]  # fmt: skip
        indexes = [i["name"] for i in sa.inspect(engine).get_indexes("person_attachment")]
        assert indexes == ["ix_person_attachment_history"]
        assert "ix_invoice_unpaid" in _indexes(engine, "invoice")
        assert "ix_payment_dues" in _indexes(engine, "payment")
        with engine.begin() as conn:
            command.downgrade(alembic_config(conn), "0004")
        assert "person_attachment" not in sa.inspect(engine).get_table_names()
        assert "ix_invoice_unpaid" not in _indexes(engine, "invoice")
        assert "ix_payment_dues" not in _indexes(engine, "payment")
        upgrade(engine)
        assert current_revision(engine) == SCHEMA_HEAD
        with engine.connect() as conn:
            count = conn.execute(sa.text("SELECT count(*) FROM person_attachment")).scalar()
        assert count == 2
    finally:
        engine.dispose()


def test_migration_0005_on_sqlite(tmp_path: Path) -> None:
    _migration_round_trip(f"sqlite:///{tmp_path / 'p.sqlite3'}")


@pytest.mark.postgres
def test_migration_0005_on_postgresql() -> None:
    with postgres_database() as url:
        _migration_round_trip(url)

"""A fault on the siège is not a refusal: the batch is rolled back, the answer is 503 with
Retry-After, the laptop keeps its outbox and the edit lands at the next sync — on a
SQLite siège (an OperationalError raised by a test hook on the real engine) and on a
real PostgreSQL siège (the push's own backend terminated mid-batch)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.exc import IntegrityError, OperationalError

from app.models import Person
from app.profile import Profile
from app.sync import service
from app.sync.client import SyncError
from siege import devices
from tests.sync_support import PG_ADMIN_URL as PG_ADMIN
from tests.sync_support import Siege, new_laptop, snapshot

Hook = Callable[[Any, Any], None]


@contextmanager
def fault_on_write(engine: Any, nth: int, fault: Hook) -> Iterator[list[int]]:
    """Calls ``fault(connection, cursor)`` before the ``nth`` write to a synced table
    (a test-only hook on the real engine); yields the list of faults done."""
    done: list[int] = []
    seen = 0

    def before(conn: Any, cursor: Any, statement: str, *_args: Any) -> None:
        nonlocal seen
        head = statement.lstrip()[:40].upper()
        if not head.startswith(("INSERT INTO PERSON", "UPDATE PERSON")):
            return
        seen += 1
        if seen == nth:
            done.append(seen)
            fault(conn, cursor)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield done
    finally:
        event.remove(engine, "before_cursor_execute", before)


def raise_operational(_conn: Any, _cursor: Any) -> None:
    raise OperationalError("INSERT", {}, Exception("database is locked (injected)"))


def terminate_backend(admin_url: str) -> Hook:
    """Kill the push's own PostgreSQL backend from another connection."""

    def fault(conn: Any, _cursor: Any) -> None:
        pid = conn.connection.dbapi_connection.info.backend_pid
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        admin.dispose()

    return fault


def _laptop(server: Siege, tmp_path: Path, name: str) -> Profile:
    laptop = new_laptop(tmp_path, name)
    server.enrol(laptop, f"{name}-{uuid.uuid4().hex[:6]}", "Épernay")
    return laptop


def _fault_for(server: Siege) -> Hook:
    if server.url.startswith("postgresql"):
        return terminate_backend(server.url)
    return raise_operational


def _persons(engine: Any, last_name: str) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        return sorted(
            (r.id, r.city)
            for r in conn.execute(
                select(Person.id, Person.city).where(Person.last_name == last_name)
            )
        )


def test_a_fault_mid_batch_keeps_the_outbox_and_the_edit_lands_next_time(
    siege: Siege, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    a = _laptop(siege, tmp_path, "A")
    b = _laptop(siege, tmp_path, "B")
    with a.uow() as uow:
        uow.session.add(Person(first_name="Léa", last_name="Avant", city="Reims"))
        uow.commit()
    service.run_sync(a, http_factory=siege.http_factory)
    ((edited_id, _city),) = _persons(a.engine, "Avant")
    with a.uow() as uow:
        uow.session.get_one(Person, edited_id).city = "Sedan"  # an edit...
        for i in range(4):  # ...and new rows, one batch
            uow.session.add(Person(first_name=f"P{i}", last_name="Panne"))
        uow.commit()
    pending = service.status(a).pending
    before = snapshot(siege.engine, ["person"])
    with (
        caplog.at_level(logging.WARNING, logger="siege.store"),
        fault_on_write(siege.engine, 3, _fault_for(siege)) as done,
        pytest.raises(SyncError) as raised,
    ):
        service.run_sync(a, http_factory=siege.http_factory)
    assert done == [3]
    assert (raised.value.code, raised.value.details.get("status")) == ("server_error", 503)
    (logged,) = [r.getMessage() for r in caplog.records if r.name == "siege.store"]
    assert "rolled back by a database fault" in logged
    assert service.history(a)[0].outcome == "server_error"
    # Nothing of the batch was kept on the siège, nothing was dropped on the laptop.
    assert snapshot(siege.engine, ["person"]) == before
    assert service.status(a).pending == pending
    assert service.open_conflicts(a) == []
    assert _persons(a.engine, "Avant") == [(edited_id, "Sedan")]
    assert len(_persons(a.engine, "Panne")) == 4
    # The fault is gone: the same edits land, once.
    service.run_sync(a, http_factory=siege.http_factory)
    service.run_sync(b, http_factory=siege.http_factory)
    assert service.status(a).pending == 0
    for engine in (siege.engine, a.engine, b.engine):
        assert _persons(engine, "Avant") == [(edited_id, "Sedan")]
        assert _persons(engine, "Panne") == _persons(a.engine, "Panne")
    with siege.engine.connect() as conn:
        assert (
            conn.execute(
                select(func.count()).select_from(Person).where(Person.last_name == "Panne")
            ).scalar_one()
            == 4
        )


def _push(server: Siege, token: str, ops: list[dict[str, Any]]) -> Any:
    from app.migrate import head_revision
    from app.sync.protocol import PROTOCOL_HEADER, PROTOCOL_VERSION, SCHEMA_HEADER

    headers = {PROTOCOL_HEADER: str(PROTOCOL_VERSION), SCHEMA_HEADER: head_revision()}
    body = {"batch_id": uuid.uuid4().hex, "ops": ops}
    return server.http(token).post("/api/v1/push", json=body, headers=headers)


def _person_op(op: int, row_id: str, stamp: str) -> dict[str, Any]:
    fields = dict.fromkeys(
        [
            "civility",
            "email",
            "phone",
            "address",
            "postcode",
            "city",
            "situation_code",
            "prescriber_code",
            "sector_code",
            "activity_name",
            "analytic_code",
            "notes",
            "search_key",
        ],
        "",
    )
    fields |= {
        "first_name": "Inès",
        "last_name": "Faute",
        "created_at": "2026-01-05T10:00:00",
        "updated_at": "2026-01-05T10:00:00",
    }
    return {"op": op, "table": "person", "row_id": row_id, "hlc": stamp, "fields": fields}


@pytest.mark.parametrize("error", [OperationalError, IntegrityError])
def test_the_answer_to_a_fault_is_503_with_retry_after_and_nothing_applied(
    siege: Siege,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    error: type[Exception],
) -> None:
    from app.ids import new_id
    from app.sync.hlc import HybridClock

    laptop = _laptop(siege, tmp_path, "A")
    token = service._token_store(laptop, service._device(laptop).device_id).load()
    assert token
    clock = HybridClock(new_id())
    ops = [_person_op(i + 1, new_id(), clock.now()) for i in range(3)]

    def fault(_conn: Any, _cursor: Any) -> None:
        raise error("INSERT", {}, Exception("injected"))

    last_op = _last_op(siege, laptop)
    with (
        caplog.at_level(logging.WARNING, logger="siege.store"),
        fault_on_write(siege.engine, 2, fault),
    ):
        response = _push(siege, token, ops)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.json()["detail"]["code"] == "unavailable"
    assert _persons(siege.engine, "Faute") == []
    assert _last_op(siege, laptop) == last_op  # not even the device's mark moved
    level = logging.ERROR if error is IntegrityError else logging.WARNING
    assert [r.levelno for r in caplog.records if r.name == "siege.store"] == [level]
    # Sent again, the batch is applied in full.
    again = _push(siege, token, ops)
    assert again.status_code == 200 and again.json()["applied"] == 3
    assert len(_persons(siege.engine, "Faute")) == 3


def _last_op(server: Siege, laptop: Profile) -> int:
    name = service.status(laptop).device_name
    record = next(d for d in devices.list_devices(server.engine) if d.name == name)
    return int(record.last_op)


@pytest.mark.postgres
@pytest.mark.slow
def test_siege_process_whose_backends_are_killed_under_load_loses_nothing(
    pg_siege_url: str, tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    """A real ``python -m siege serve`` on PostgreSQL; another connection terminates
    its busy backends every 100 ms (40 times) while a laptop pushes 400 new persons and
    100 edits in batches of 10. Every push either lands whole or is answered 503; the
    laptop retries until its outbox is empty; nothing is lost, doubled or refused."""
    import threading

    from siege import db
    from tests.sync_support import postgres_database
    from tests.sync_support.processes import SiegeProcess

    template = pg_siege_url.rsplit("/", 1)[1]
    with postgres_database(template) as url:
        server = SiegeProcess(url, tmp_path / "siege.log")
        server.start()
        engine = db.make_engine(url)
        try:
            laptops = []
            for name in ("A", "B"):
                laptop = new_laptop(tmp_path, name)
                code, _prefix = devices.enroll(engine, f"{name}-{uuid.uuid4().hex[:6]}", "Reims")
                service.enrol(laptop, server.url, code)
                laptops.append(laptop)
            a, b = laptops
            with a.uow() as uow:
                for i in range(100):
                    uow.session.add(Person(first_name=f"E{i}", last_name="Charge"))
                uow.commit()
            service.run_sync(a)
            with a.uow() as uow:
                for person in uow.session.query(Person).filter(Person.last_name == "Charge"):
                    person.city = "Sedan"
                for i in range(400):
                    uow.session.add(Person(first_name=f"N{i}", last_name="Charge"))
                uow.commit()
            name = url.rsplit("/", 1)[1]
            stop = threading.Event()
            kills = [0]

            def killer() -> None:
                admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
                with admin.connect() as conn:
                    while kills[0] < 40 and not stop.wait(0.1):
                        kills[0] += conn.execute(
                            text(
                                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                "WHERE datname = :n AND pid <> pg_backend_pid() "
                                "AND state IN ('idle in transaction', 'active')"
                            ),
                            {"n": name},
                        ).scalar_one()
                admin.dispose()

            thread = threading.Thread(target=killer, daemon=True)
            thread.start()
            failures = 0
            try:
                for _attempt in range(200):
                    try:
                        report = service.run_sync(a, batch_size=10)
                    except SyncError as exc:
                        # A fault, never a 500 nor a refusal: the outbox stays.
                        assert (exc.code, exc.details.get("status")) == ("server_error", 503)
                        failures += 1
                        continue
                    assert report.rejected == 0
                    if service.status(a).pending == 0:
                        break
            finally:
                stop.set()
                thread.join(10)
            record_property("backends_killed", kills[0])
            record_property("syncs_failed", failures)
            assert kills[0] > 0 and failures > 0  # the faults did hit syncs
            assert service.status(a).pending == 0
            service.run_sync(a)
            service.run_sync(b)
            for profile in (a, b):
                assert service.open_conflicts(profile) == []
            with engine.connect() as conn:
                rows = conn.execute(
                    select(Person.first_name, Person.city).where(Person.last_name == "Charge")
                ).all()
            assert len(rows) == 500 and len({r.first_name for r in rows}) == 500
            assert {r.city for r in rows if r.first_name.startswith("E")} == {"Sedan"}
            for profile in (a, b):
                assert _persons(profile.engine, "Charge") == _persons(engine, "Charge")
        finally:
            server.kill()
            engine.dispose()

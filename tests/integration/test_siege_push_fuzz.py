"""Property-based fuzzing of ``/push`` with a valid token, on SQLite and PostgreSQL:
random but well-formed and ill-formed operations over every synced table and field
(lone surrogates, huge integers, odd dates, wrong types, existing and new rows,
freezes, bases). The siège never answers 5xx; a batch that is not applied changes
nothing; a laptop's batch never changes reference data nor the rows of another
antenne (docs/authority.md)."""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid
from functools import cache
from pathlib import Path
from typing import Any

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, given, settings
from sqlalchemy import select

from app.migrate import head_revision
from app.models.base import Base
from app.sync.codec import ColumnSpec, table_specs
from app.sync.hlc import Stamp, wall_now_ms
from app.sync.protocol import PROTOCOL_HEADER, PROTOCOL_VERSION, SCHEMA_HEADER
from siege import devices
from siege.tables import counter
from tests.sync_support import Siege, snapshot

HEADERS = {
    PROTOCOL_HEADER: str(PROTOCOL_VERSION),
    SCHEMA_HEADER: head_revision(),
    "Content-Type": "application/json",
}
REFERENCE = ["cae_identity", "antenne", "permanence", "option_item", "funder"]
TABLES = sorted(table_specs())
NO_ROW = "00000000-0000-4000-8000-000000000000"
ODD_TEXT = st.sampled_from(["\ud800", "a\udfffb", "\x00", "", " ", "é" * 300, "../../etc/passwd"])
ODD_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=True),
    ODD_TEXT,
    st.sampled_from(
        [
            "0000-01-01",
            "9999-12-31",
            "2026-02-30",
            "2026-11-26T25:00:00",
            "2026-11-26T09:30:00+02:00",
        ]
    ),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


@cache
def _links() -> dict[tuple[str, str], str]:
    """(table, column) -> referenced table, so inserts can name rows that exist."""
    return {
        (table.name, fk.parent.name): fk.column.table.name
        for table in Base.metadata.tables.values()
        for fk in table.foreign_keys
    }


def _valid(table: str, spec: ColumnSpec, existing: dict[str, list[str]]) -> st.SearchStrategy[Any]:
    kind = spec.kind
    target = _links().get((table, spec.name))
    if target is not None:
        strategy: st.SearchStrategy[Any] = st.sampled_from(existing.get(target) or [NO_ROW])
    elif kind in ("str", "text"):
        size = min(spec.max_length or 60, 60)
        strategy = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=size)
    elif kind == "bool":
        strategy = st.booleans()
    elif kind == "int":
        low, high = spec.int_range or (-(10**6), 10**6)
        strategy = st.integers(low, high)
    elif kind == "date":
        strategy = st.dates(dt.date(1990, 1, 1), dt.date(2030, 12, 31)).map(dt.date.isoformat)
    elif kind == "datetime":
        strategy = st.datetimes(dt.datetime(2020, 1, 1), dt.datetime(2030, 1, 1)).map(
            dt.datetime.isoformat
        )
    elif kind == "time":
        strategy = st.times().map(dt.time.isoformat)
    else:
        strategy = st.binary(max_size=40).map(lambda b: base64.b64encode(b).decode())
    return st.none() | strategy if spec.nullable else strategy


@st.composite
def _op(draw: st.DrawFn, existing: dict[str, list[str]]) -> dict[str, Any]:
    table = draw(st.sampled_from([*TABLES, "sync_outbox"]))
    spec = table_specs().get(table)
    if spec is None:
        return {"table": table, "row_id": str(uuid.uuid4()), "hlc": _stamp(0), "fields": {"id": 1}}
    columns = sorted(spec.columns)
    names = draw(st.lists(st.sampled_from(columns), min_size=1, max_size=len(columns), unique=True))
    if draw(st.integers(0, 2)):  # mostly whole rows: inserts get through to the rules
        names = sorted(set(names) | set(spec.required))
    # One op in four carries one ill-formed value; the others are well-formed.
    odd = draw(st.sampled_from(names)) if draw(st.integers(0, 3)) == 0 else None
    fields: dict[str, Any] = {}
    for name in names:
        valid = _valid(table, spec.columns[name], existing)
        fields[name] = draw(ODD_SCALARS if name == odd else valid)
    known = existing.get(table, [])
    existing_row = bool(known) and draw(st.booleans())
    row_id = draw(st.sampled_from(known) if existing_row else st.uuids().map(str))
    stamp = _stamp(draw(st.integers(-(10**7), 10**9)))
    op: dict[str, Any] = {"table": table, "row_id": row_id, "hlc": stamp, "fields": fields}
    if draw(st.integers(0, 5)) == 0:
        op["freeze"] = draw(st.sampled_from([True, False, True, "oui"]))
    if draw(st.integers(0, 5)) == 0:
        op["bases"] = {next(iter(fields)): draw(st.sampled_from(["", stamp, stamp, "x"]))}
    return op


def _stamp(shift_ms: int) -> str:
    return Stamp(max(0, wall_now_ms() + shift_ms), 0, "0" * 16).encode()


def _state(server: Siege) -> tuple[Any, ...]:
    with server.engine.connect() as conn:
        seq = conn.execute(select(counter.c.value)).scalar_one()
    return seq, snapshot(server.engine)


def _other_antennes_rows(server: Siege, tmp_path: Path) -> dict[str, set[str]]:
    """Rows of a device of another antenne (persons it follows, a session at one of its
    permanences and the session's slots), for ops to aim at; returns their ids."""
    from app.ids import deterministic_id
    from app.models import Person
    from app.sync import service
    from tests.sync_support import new_laptop
    from tests.workshops_support import new_session

    laptop = new_laptop(tmp_path, "autre")
    server.enrol(laptop, f"autre-{uuid.uuid4().hex[:6]}", "Sedan")
    antenne = deterministic_id("antenne", "Charleville-Mézières")
    with laptop.uow() as uow:
        for name in ("Aline", "Bruno"):
            uow.session.add(Person(first_name=name, last_name="Existant", antenne_id=antenne))
        uow.commit()
    new_session(laptop.uow, permanence_id=deterministic_id("permanence", "Sedan"))
    service.run_sync(laptop, http_factory=server.http_factory)
    laptop.close()
    rows = snapshot(server.engine, ["person", "activity", "activity_slot"])
    return {table: set(ids) for table, ids in rows.items()}


def _rows_of(server: Siege, ids: dict[str, set[str]]) -> dict[str, Any]:
    rows = snapshot(server.engine, sorted(ids))
    return {t: {i: v for i, v in rows[t].items() if i in wanted} for t, wanted in ids.items()}


def _fuzz(server: Siege, tmp_path: Path, examples: int) -> None:
    theirs = _other_antennes_rows(server, tmp_path)
    code, _prefix = devices.enroll(server.engine, f"fuzz-{uuid.uuid4().hex[:8]}", "Épernay")
    enrolled = server.http().post(
        "/api/v1/enroll", json={"code": code}, headers={k: v for k, v in HEADERS.items()}
    )
    assert enrolled.status_code == 200
    http = server.http(enrolled.json()["token"])
    # Ids the ops may aim at (fixed: a strategy must not depend on what earlier
    # examples wrote).
    existing = {table: sorted(ids)[:30] for table, ids in snapshot(server.engine).items() if ids}
    reference = snapshot(server.engine, REFERENCE)
    protected = _rows_of(server, theirs)
    next_op = [0]

    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(ops=st.lists(_op(existing), min_size=1, max_size=2))
    def check(ops: list[dict[str, Any]]) -> None:
        before = _state(server)
        for op in ops:
            next_op[0] += 1
            op["op"] = next_op[0]
        body = json.dumps({"batch_id": uuid.uuid4().hex, "ops": ops})  # \ud800 escaped
        response = http.post("/api/v1/push", content=body.encode("ascii"), headers=HEADERS)
        assert response.status_code < 500, response.text[:500]
        if response.status_code != 200:
            assert _state(server) == before, response.text[:300]
        assert snapshot(server.engine, REFERENCE) == reference
        assert _rows_of(server, theirs) == protected

    check()


def test_fuzzed_pushes_never_fail_the_siege_sqlite(tmp_path: Path) -> None:
    server = Siege(f"sqlite:///{tmp_path}/siege.sqlite3")
    try:
        _fuzz(server, tmp_path, 200)
    finally:
        server.close()


@pytest.mark.postgres
def test_fuzzed_pushes_never_fail_the_siege_postgres(pg_siege_url: str, tmp_path: Path) -> None:
    from tests.sync_support import postgres_database

    template = pg_siege_url.rsplit("/", 1)[1]
    with postgres_database(template) as url:
        server = Siege.open(url)
        try:
            _fuzz(server, tmp_path, 60)
        finally:
            server.close()

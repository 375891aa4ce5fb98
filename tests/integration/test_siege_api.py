"""The siège's HTTP API on SQLite and on a real PostgreSQL: enrolment, revocation,
versions, idempotent pushes, and refusal of bad or hostile input (4xx with a reason,
nothing changed, never a 5xx)."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, given, settings
from sqlalchemy import func, select

from app.ids import new_id
from app.migrate import head_revision
from app.models import OutboxEntry, Person
from app.sync import service
from app.sync.client import SyncClient, SyncError
from app.sync.hlc import HybridClock, wall_now_ms
from app.sync.protocol import PROTOCOL_HEADER, SCHEMA_HEADER
from siege import devices
from siege.tables import counter, device
from tests.sync_support import Siege, new_laptop

ROOT = Path(__file__).resolve().parents[2]

HEADERS = {PROTOCOL_HEADER: "1", SCHEMA_HEADER: head_revision()}


def _device(server: Siege) -> tuple[str, str, str]:
    """Enrol a device by hand; returns (token, device id, device name)."""
    name = f"portable-{uuid.uuid4().hex[:8]}"
    code, _prefix = devices.enroll(server.engine, name, "Épernay")
    response = server.http().post("/api/v1/enroll", json={"code": code}, headers=HEADERS)
    assert response.status_code == 200
    return response.json()["token"], response.json()["device_id"], name


def _stamp() -> str:
    return HybridClock(new_id()).now()


def _person_op(op: int, **fields: Any) -> dict[str, Any]:
    values = {
        "first_name": "Inès",
        "last_name": "Roux",
        "civility": "",
        "email": "",
        "phone": "",
        "address": "",
        "postcode": "",
        "city": "",
        "situation_code": "",
        "prescriber_code": "",
        "sector_code": "",
        "activity_name": "",
        "analytic_code": "",
        "notes": "",
        "search_key": "",
        "created_at": "2026-01-05T10:00:00",
        "updated_at": "2026-01-05T10:00:00",
    }
    values.update(fields)
    return {"op": op, "table": "person", "row_id": new_id(), "hlc": _stamp(), "fields": values}


def _state(server: Siege) -> tuple[int, int]:
    with server.engine.connect() as conn:
        seq = conn.execute(select(counter.c.value)).scalar_one()
        persons = conn.execute(select(func.count()).select_from(Person)).scalar_one()
    return int(seq), int(persons)


def test_openapi_is_served_under_the_versioned_prefix(siege: Siege) -> None:
    response = siege.http().get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert "/api/v1/push" in response.json()["paths"]


def test_enrolment_code_works_once_and_gives_the_device_its_series(siege: Siege) -> None:
    name = f"portable-{uuid.uuid4().hex[:8]}"
    code, prefix = devices.enroll(siege.engine, name, "Charleville-Mézières")
    assert prefix.startswith("CHA")
    body = {"code": code.lower().replace("-", " "), "device_id": new_id()}
    first = siege.http().post("/api/v1/enroll", json=body, headers=HEADERS)
    assert first.status_code == 200 and first.json()["series_prefix"] == prefix
    again = siege.http().post(
        "/api/v1/enroll", json={**body, "device_id": new_id()}, headers=HEADERS
    )
    assert again.status_code == 403
    assert "token" not in again.text


def test_siege_keeps_only_hashes_of_tokens(siege: Siege) -> None:
    token, _device_id, name = _device(siege)
    with siege.engine.connect() as conn:
        row = conn.execute(select(device).where(device.c.name == name)).mappings().one()
    assert token not in json.dumps({k: str(v) for k, v in row.items()})


def test_revoked_device_gets_401_and_no_data(siege: Siege) -> None:
    token, _device_id, name = _device(siege)
    http = siege.http(token)
    assert (
        http.post(
            "/api/v1/push", json={"batch_id": "1-1", "ops": [_person_op(1)]}, headers=HEADERS
        ).status_code
        == 200
    )
    devices.revoke(siege.engine, name)
    before = _state(siege)
    for method, path, body in [
        ("GET", "/api/v1/hello", None),
        ("GET", "/api/v1/changes?after=0", None),
        ("POST", "/api/v1/push", {"batch_id": "2-2", "ops": [_person_op(2)]}),
    ]:
        response = http.request(method, path, json=body, headers=HEADERS)
        assert response.status_code == 401
        assert "rows" not in response.json()
    assert _state(siege) == before


def test_unknown_token_is_refused(siege: Siege) -> None:
    response = siege.http("not-a-token").get("/api/v1/changes", headers=HEADERS)
    assert response.status_code == 401


def test_replayed_batch_gets_the_same_answer_and_changes_nothing(siege: Siege) -> None:
    token, _device_id, _name = _device(siege)
    http = siege.http(token)
    body = {"batch_id": "1-2", "ops": [_person_op(1), _person_op(2, first_name="Léa")]}
    first = http.post("/api/v1/push", json=body, headers=HEADERS)
    state = _state(siege)
    again = http.post("/api/v1/push", json=body, headers=HEADERS)
    assert again.status_code == first.status_code == 200
    assert again.json() == first.json()
    assert _state(siege) == state
    # Same operations inside a differently cut batch: skipped by operation number.
    regrouped = http.post("/api/v1/push", json={**body, "batch_id": "1-9"}, headers=HEADERS)
    assert regrouped.json()["skipped"] == 2 and _state(siege) == state


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({PROTOCOL_HEADER: "0", SCHEMA_HEADER: head_revision()}, 426),
        ({PROTOCOL_HEADER: "99", SCHEMA_HEADER: head_revision()}, 426),
        ({PROTOCOL_HEADER: "1", SCHEMA_HEADER: "0000-older"}, 426),
        ({}, 426),
    ],
)
def test_unsupported_client_is_told_to_update(
    siege: Siege, headers: dict[str, str], status: int
) -> None:
    token, _device_id, _name = _device(siege)
    response = siege.http(token).get("/api/v1/hello", headers=headers)
    assert response.status_code == status
    assert response.json()["detail"]["code"] == "update_required"


def test_client_told_to_update_keeps_its_outbox_and_works_offline(
    siege: Siege, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    laptop = new_laptop(tmp_path, "A")
    siege.enrol(laptop, f"A-{uuid.uuid4().hex[:6]}")
    with laptop.uow() as uow:
        uow.session.add(Person(first_name="Yanis", last_name="Girard"))
        uow.commit()
    monkeypatch.setattr("app.sync.transport.PROTOCOL_VERSION", 0)
    with pytest.raises(SyncError) as caught:
        service.run_sync(laptop, http_factory=siege.http_factory)
    assert caught.value.code == "update_required"
    with laptop.uow() as uow:
        uow.session.add(Person(first_name="Nora", last_name="Faure"))
        uow.commit()
    assert service.status(laptop).pending == 2
    assert service.history(laptop)[0].outcome == "update_required"
    laptop.close()


BAD_BODIES: list[tuple[str, Any]] = [
    ("array", []),
    ("no ops", {"batch_id": "1-1"}),
    ("ops not a list", {"batch_id": "1-1", "ops": {"op": 1}}),
    ("bad batch id", {"batch_id": "../../etc", "ops": [_person_op(1)]}),
    ("op number a string", {"batch_id": "1-1", "ops": [{**_person_op(1), "op": "1"}]}),
    ("op number a bool", {"batch_id": "1-1", "ops": [{**_person_op(1), "op": True}]}),
    ("op number huge", {"batch_id": "1-1", "ops": [{**_person_op(1), "op": 2**70}]}),
    ("decreasing ops", {"batch_id": "1-2", "ops": [_person_op(2), _person_op(1)]}),
    ("unknown table", {"batch_id": "1-1", "ops": [{**_person_op(1), "table": "sqlite_master"}]}),
    (
        "sync bookkeeping table",
        {"batch_id": "1-1", "ops": [{**_person_op(1), "table": "siege_device"}]},
    ),
    ("unknown field", {"batch_id": "1-1", "ops": [_person_op(1, is_admin=True)]}),
    ("id as a field", {"batch_id": "1-1", "ops": [_person_op(1, id="x")]}),
    ("wrong type", {"batch_id": "1-1", "ops": [_person_op(1, first_name=42)]}),
    ("null in required", {"batch_id": "1-1", "ops": [_person_op(1, last_name=None)]}),
    ("oversized text", {"batch_id": "1-1", "ops": [_person_op(1, first_name="x" * 101)]}),
    ("NUL character", {"batch_id": "1-1", "ops": [_person_op(1, notes="a\x00b")]}),
    ("bad date", {"batch_id": "1-1", "ops": [_person_op(1, birth_date="1990-02-30")]}),
    (
        "aware datetime",
        {"batch_id": "1-1", "ops": [_person_op(1, created_at="2026-01-01T00:00:00+02:00")]},
    ),
    ("bad stamp", {"batch_id": "1-1", "ops": [{**_person_op(1), "hlc": "yesterday"}]}),
    ("bad row id", {"batch_id": "1-1", "ops": [{**_person_op(1), "row_id": "1 OR 1=1"}]}),
    ("bad bases", {"batch_id": "1-1", "ops": [{**_person_op(1), "bases": {"notes": 3}}]}),
    ("too many ops", {"batch_id": "1-501", "ops": [_person_op(i) for i in range(1, 502)]}),
]


@pytest.mark.parametrize(("label", "body"), BAD_BODIES, ids=[b[0] for b in BAD_BODIES])
def test_malformed_push_is_refused_with_a_reason_and_changes_nothing(
    siege: Siege, label: str, body: Any
) -> None:
    token, _device_id, _name = _device(siege)
    before = _state(siege)
    response = siege.http(token).post("/api/v1/push", json=body, headers=HEADERS)
    assert 400 <= response.status_code < 500, label
    assert response.json()["detail"]["reason"]
    assert _state(siege) == before


def test_not_json_deeply_nested_and_oversized_bodies_are_refused(siege: Siege) -> None:
    token, _device_id, _name = _device(siege)
    http = siege.http(token)
    for content, status in [
        (b"{not json", 400),
        (b"[" * 100_000 + b"]" * 100_000, 400),
        (b'{"batch_id": "1-1", "ops": []}' + b" " * 8_100_000, 413),
    ]:
        response = http.post(
            "/api/v1/push", content=content, headers={**HEADERS, "Content-Type": "application/json"}
        )
        assert response.status_code == status


def _push(server: Siege, token: str, *ops: dict[str, Any]) -> Any:
    first, last = ops[0]["op"], ops[-1]["op"]
    return server.http(token).post(
        "/api/v1/push", json={"batch_id": f"{first}-{last}", "ops": list(ops)}, headers=HEADERS
    )


def _series_op(op: int, device_id: str, prefix: str) -> dict[str, Any]:
    return {
        "op": op,
        "table": "invoice_series",
        "row_id": new_id(),
        "hlc": _stamp(),
        "fields": {
            "prefix": prefix,
            "kind": "facture",
            "device_id": device_id,
            "year": 2026,
            "last_number": 1,
            "created_at": "2026-01-05T10:00:00",
            "updated_at": "2026-01-05T10:00:00",
        },
    }


def _complete(table: str, fields: dict[str, Any]) -> dict[str, Any]:
    from app.sync.codec import table_specs

    blank = {"str": "", "text": "", "int": 0, "bool": False}
    spec = table_specs()[table]
    return {**{n: blank[spec.columns[n].kind] for n in spec.required if n not in fields}, **fields}


def _issued_invoice_ops(first_op: int, device_id: str, prefix: str) -> list[dict[str, Any]]:
    person = _person_op(first_op)
    series = _series_op(first_op + 1, device_id, prefix)
    client = {
        "op": first_op + 2,
        "table": "client",
        "row_id": new_id(),
        "hlc": _stamp(),
        "fields": _complete(
            "client",
            {
                "entrepreneur_id": person["row_id"],
                "name": "SARL Vigne",
                "created_at": "2026-01-05T10:00:00",
                "updated_at": "2026-01-05T10:00:00",
            },
        ),
    }
    defaults = {
        "kind": "facture",
        "nature": "services",
        "payment_terms": "",
        "vat_on_debits": False,
        "vat_exemption_text": "",
        "notes": "",
        "total_excl_cents": 10000,
        "total_vat_cents": 2000,
        "total_incl_cents": 12000,
        "seller_snapshot": "",
        "buyer_snapshot": "",
        "pdf_path": "",
        "pdf_sha256": "",
        "created_at": "2026-01-05T10:00:00",
        "updated_at": "2026-01-05T10:00:00",
    }
    invoice = {
        "op": first_op + 3,
        "table": "invoice",
        "row_id": new_id(),
        "hlc": _stamp(),
        "fields": _complete(
            "invoice",
            {
                **defaults,
                "status": "emise",
                "entrepreneur_id": person["row_id"],
                "client_id": client["row_id"],
                "series_id": series["row_id"],
                "number": f"{prefix}-2026-00001",
                "sequence": 1,
                "issue_date": "2026-01-05",
            },
        ),
    }
    return [person, series, client, invoice]


def test_device_cannot_write_another_devices_series(siege: Siege) -> None:
    _token_a, device_a, _ = _device(siege)
    token_b, _device_b, _ = _device(siege)
    before = _state(siege)
    response = _push(siege, token_b, _series_op(1, device_a, "ZZZ9"))
    assert response.status_code == 409
    assert response.json()["detail"]["rejected"][0]["reason"] == "series_of_another_device"
    assert _state(siege) == before


def test_issued_invoice_cannot_be_modified_or_deleted(siege: Siege) -> None:
    token, device_id, name = _device(siege)
    prefix = next(d.series_prefix for d in devices.list_devices(siege.engine) if d.name == name)
    ops = _issued_invoice_ops(1, device_id, prefix)
    assert _push(siege, token, *ops).status_code == 200
    invoice_id = ops[3]["row_id"]
    before = _state(siege)
    for op, fields in [(5, {"total_incl_cents": 1}), (6, {"deleted_at": "2026-02-01T00:00:00"})]:
        response = _push(
            siege,
            token,
            {"op": op, "table": "invoice", "row_id": invoice_id, "hlc": _stamp(), "fields": fields},
        )
        assert response.status_code == 409
        detail = response.json()["detail"]
        assert detail["rejected"][0]["reason"] == "issued_invoice_immutable"
        assert detail["server_rows"][0]["values"]["total_incl_cents"] == 12000
    assert _state(siege) == before


def test_change_to_a_row_the_siege_does_not_have_is_refused(siege: Siege) -> None:
    token, _device_id, _ = _device(siege)
    before = _state(siege)
    response = _push(
        siege,
        token,
        {
            "op": 1,
            "table": "person",
            "row_id": new_id(),
            "hlc": _stamp(),
            "fields": {"city": "Sedan"},
        },
    )
    assert response.status_code == 409 and "incomplete_row" in response.text
    broken_link = {
        "op": 2,
        "table": "attendance",
        "row_id": new_id(),
        "hlc": _stamp(),
        "fields": {
            "slot_id": new_id(),
            "person_id": new_id(),
            "state": "present",
            "created_at": "2026-01-05T10:00:00",
            "updated_at": "2026-01-05T10:00:00",
        },
    }
    response = _push(siege, token, broken_link)
    # Named by the siège's link check (siege/keys.py), not left to the foreign key.
    assert response.status_code == 409 and "missing_link: slot_id" in response.text
    assert _state(siege) == before


def test_stamps_from_the_future_are_bounded(siege: Siege) -> None:
    token, device_id, _ = _device(siege)
    ahead = HybridClock(device_id, physical=lambda: wall_now_ms() + 48 * 3600_000).now()
    op = {**_person_op(1), "hlc": ahead}
    assert _push(siege, token, op).status_code == 200
    rows = (
        siege.http(token)
        .get("/api/v1/changes", params={"after": 0, "limit": 2000}, headers=HEADERS)
        .json()["rows"]
    )
    mine = next(r for r in rows if r["row_id"] == op["row_id"])
    assert (
        max(mine["clocks"].values())
        < HybridClock(device_id, physical=lambda: wall_now_ms() + 3600_000).now()
    )


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)
OP_LIKE = st.fixed_dictionaries(
    {
        "op": st.integers(-2, 2**64) | JSON,
        "table": st.sampled_from(["person", "invoice", "x"]) | JSON,
        "row_id": st.just(new_id()) | JSON,
        "hlc": st.just(_stamp()) | JSON,
        "fields": st.dictionaries(
            st.sampled_from(["first_name", "notes", "status", "number", "bogus"]), JSON, max_size=3
        )
        | JSON,
    },
)


def test_random_payloads_never_cause_a_server_error(tmp_path: Path) -> None:
    server = Siege(f"sqlite:///{tmp_path}/siege.sqlite3")
    token, _device_id, _name = _device(server)
    http = server.http(token)  # raises on any server exception (a 5xx)

    @settings(
        max_examples=60, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
    )
    @given(
        body=JSON
        | st.fixed_dictionaries(
            {"batch_id": st.just("1-1") | JSON, "ops": st.lists(OP_LIKE, max_size=3) | JSON}
        )
    )
    def check(body: Any) -> None:
        response = http.post("/api/v1/push", json=body, headers=HEADERS)
        assert response.status_code < 500

    check()
    server.close()


def test_outbox_kept_when_the_siege_is_unreachable(tmp_path: Path) -> None:
    import httpx

    laptop = new_laptop(tmp_path, "A")
    with laptop.uow() as uow:
        uow.session.add(Person(first_name="Yanis", last_name="Girard"))
        uow.commit()
    offline = httpx.Client(base_url="http://127.0.0.1:9", timeout=0.5)
    with pytest.raises(SyncError) as caught:
        SyncClient(laptop.engine, offline).sync()
    assert caught.value.code == "offline"
    with laptop.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(OutboxEntry)).scalar() == 1
    laptop.close()


def test_enrolling_a_device_for_an_unknown_town_is_refused_in_french(siege: Siege) -> None:
    # The real administrator's command, against the same database.
    url = siege.engine.url.render_as_string(hide_password=False)

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "siege", "--database-url", url, "device", "enroll", *args],
            capture_output=True, text=True, cwd=ROOT, timeout=120,
        )  # fmt: skip

    refused = cli("Portable Nulle-part", "--antenne", "Nulle-part")
    assert refused.returncode == 2
    assert "« Nulle-part » n'est ni une antenne ni une permanence" in refused.stderr
    assert "Vouziers" in refused.stderr  # the towns it could have been
    with siege.engine.connect() as conn:
        assert conn.execute(
            select(device).where(device.c.name == "Portable Nulle-part")
        ).first() is None  # fmt: skip
    accepted = cli("Portable Épernay 9", "--antenne", "epernay")
    assert accepted.returncode == 0, accepted.stderr
    assert "EPE" in accepted.stdout
    with siege.engine.connect() as conn:
        row = conn.execute(select(device).where(device.c.name == "Portable Épernay 9")).one()
    assert row.antenne == "Épernay"  # stored in the CAE's spelling

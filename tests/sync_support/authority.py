"""Helpers of the siège authority tests: devices of each role talking to a real siège
through its HTTP API, complete rows of every synced table, and a fingerprint of the
database to prove a refused batch changed nothing."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import func, select

from app.ids import deterministic_id, new_id
from app.migrate import head_revision
from app.sync.codec import table_specs
from app.sync.hlc import HybridClock
from app.sync.protocol import PROTOCOL_HEADER, SCHEMA_HEADER
from siege import devices
from siege.tables import audit, counter
from tests.sync_support import Siege, snapshot

HEADERS = {PROTOCOL_HEADER: "1", SCHEMA_HEADER: head_revision()}
REIMS = deterministic_id("antenne", "Reims")
CHARLEVILLE = deterministic_id("antenne", "Charleville-Mézières")
EPERNAY = deterministic_id("permanence", "Épernay")
SEDAN = deterministic_id("permanence", "Sedan")
THEME = deterministic_id("theme", "Gestion")
STAMP = "2026-01-05T10:00:00"
ISSUE_DATE = "2026-11-20"


@dataclass
class Device:
    name: str
    token: str
    device_id: str
    prefix: str
    http: httpx.Client
    clock: HybridClock
    last_op: int = 0

    def push(self, *ops: dict[str, Any]) -> httpx.Response:
        numbered = []
        for op in ops:
            self.last_op += 1
            numbered.append({"op": self.last_op, "hlc": self.clock.now(), **op})
        body = {"batch_id": f"b-{uuid.uuid4().hex[:12]}", "ops": numbered}
        # ASCII JSON: a lone surrogate travels as the escape "\ud800", as a hostile
        # client would send it.
        return self.http.post(
            "/api/v1/push",
            content=json.dumps(body).encode("ascii"),
            headers={**HEADERS, "Content-Type": "application/json"},
        )


def enrol(server: Siege, town: str, role: str = devices.ACCOMPAGNATEUR) -> Device:
    name = f"{role}-{uuid.uuid4().hex[:8]}"
    code, prefix = devices.enroll(server.engine, name, town, role)
    response = server.http().post("/api/v1/enroll", json={"code": code}, headers=HEADERS)
    assert response.status_code == 200, response.text
    body = response.json()
    return Device(
        name, body["token"], body["device_id"], prefix, server.http(body["token"]),
        HybridClock(body["device_id"]),
    )  # fmt: skip


def op(table: str, row_id: str, freeze: bool = False, **fields: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"table": table, "row_id": row_id, "fields": fields}
    if freeze:
        out["freeze"] = True
    return out


BLANKS = {"str": "", "text": "", "int": 0, "bool": False, "date": "2026-01-05",
          "datetime": STAMP, "time": "09:00:00", "bytes": ""}  # fmt: skip


def complete(table: str, **fields: Any) -> dict[str, Any]:
    """Every required field of ``table`` (blank values), then ``fields``."""
    spec = table_specs()[table]
    base = {n: BLANKS[spec.columns[n].kind] for n in spec.required}
    return {**base, "created_at": STAMP, "updated_at": STAMP, **fields}


def unique(text: str) -> str:
    return f"{text} {uuid.uuid4().hex[:8]}"


@dataclass
class World:
    """Rows of the Reims antenne, written by its laptop (``own``)."""

    server: Siege
    own: Device
    other: Device
    staff: Device
    person: str = ""
    activity: str = ""
    slot: str = ""
    draft: str = ""
    client: str = ""
    series: str = ""
    made: dict[str, int] = field(default_factory=dict)

    def as_role(self, role: str) -> Device:
        return {"own": self.own, "other": self.other, "staff": self.staff}[role]


def build_world(server: Siege) -> World:
    world = World(server, enrol(server, "Épernay"), enrol(server, "Sedan"),
                  enrol(server, "Reims", devices.SIEGE))  # fmt: skip
    world.person, world.activity, world.slot = new_id(), new_id(), new_id()
    world.draft, world.client, world.series = new_id(), new_id(), new_id()
    ops = [
        op("person", world.person, **complete("person", first_name="Inès", last_name="Roux",
                                              antenne_id=REIMS)),
        op("activity", world.activity, **complete("activity", kind="atelier", title="Atelier",
                                                  theme_id=THEME, held_on="2026-11-20",
                                                  permanence_id=EPERNAY)),
        op("activity_slot", world.slot, **complete("activity_slot", activity_id=world.activity)),
        op("client", world.client, **complete("client", entrepreneur_id=world.person,
                                              name="SARL Vigne", kind="entreprise")),
        op("invoice", world.draft, **draft_fields(world)),
        op("invoice_series", world.series, **series_fields(world.own)),
    ]  # fmt: skip
    response = world.own.push(*ops)
    assert response.status_code == 200, response.text
    return world


def draft_fields(world: World, **fields: Any) -> dict[str, Any]:
    values = {"kind": "facture", "status": "brouillon", "nature": "services",
              "entrepreneur_id": world.person, "client_id": world.client, **fields}  # fmt: skip
    return complete("invoice", **values)


def series_fields(dev: Device, kind: str = "facture") -> dict[str, Any]:
    return complete("invoice_series", prefix=dev.prefix, kind=kind, device_id=dev.device_id,
                    year=2026, last_number=0)  # fmt: skip


def issue_fields(world: World, sequence: int = 1, **fields: Any) -> dict[str, Any]:
    """What a laptop sends when it validates ``world.draft`` in its own series."""
    values = draft_fields(
        world, status="emise", series_id=world.series, sequence=sequence,
        number=f"{world.own.prefix}-2026-{sequence:05d}", issue_date=ISSUE_DATE,
        total_excl_cents=10000, total_vat_cents=2000, total_incl_cents=12000,
        issued_at=STAMP,
    )  # fmt: skip
    return {**values, **fields}


def fingerprint(server: Siege) -> tuple[Any, ...]:
    """Every synced row, the change counter and the audit's size."""
    with server.engine.connect() as conn:
        seq = conn.execute(select(counter.c.value)).scalar_one()
        audited = conn.execute(select(func.count()).select_from(audit)).scalar_one()
    return snapshot(server.engine), int(seq), int(audited)


def row(server: Siege, table: str, row_id: str) -> dict[str, Any] | None:
    from app.models.base import Base

    t = Base.metadata.tables[table]
    with server.engine.connect() as conn:
        found = conn.execute(select(t).where(t.c.id == row_id)).mappings().first()
    return dict(found) if found is not None else None


def reasons(response: httpx.Response) -> list[str]:
    assert response.status_code == 409, (response.status_code, response.text)
    return [r["reason"] for r in response.json()["detail"]["rejected"]]

"""The siège's OpenAPI schema, read from the running app: request bodies and every error
answer are described, the models say what the laptop's dataclasses say, and real
answers fit them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select

from app.migrate import head_revision
from app.models import OutboxEntry, Person
from app.sync.protocol import (
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    SCHEMA_HEADER,
    Conflict,
    Op,
    PushRequest,
    Refusal,
    Row,
)
from siege import devices, schemas
from tests.sync_support import Siege, new_laptop

HEADERS = {PROTOCOL_HEADER: str(PROTOCOL_VERSION), SCHEMA_HEADER: head_revision()}


def _schema(siege: Siege) -> dict[str, Any]:
    response = siege.http().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return dict(response.json())


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def _json_schema(schema: dict[str, Any], part: dict[str, Any]) -> dict[str, Any]:
    return _resolve(schema, part["content"]["application/json"]["schema"])


def test_push_and_enroll_show_their_bodies_and_every_error_with_its_body(siege: Siege) -> None:
    schema = _schema(siege)
    push = schema["paths"]["/api/v1/push"]["post"]
    enroll = schema["paths"]["/api/v1/enroll"]["post"]
    assert _json_schema(schema, push["requestBody"])["title"] == "PushBody"
    assert _json_schema(schema, enroll["requestBody"])["title"] == "EnrollBody"
    assert {"200", "401", "409", "413", "422", "426", "503"} <= set(push["responses"])
    assert {"200", "403", "413", "422", "426"} <= set(enroll["responses"])
    for route in (push, enroll, schema["paths"]["/api/v1/changes"]["get"]):
        for code, answer in route["responses"].items():
            body = _json_schema(schema, answer)
            assert body.get("properties"), (code, body)
    titles = {code: _json_schema(schema, a)["title"] for code, a in push["responses"].items()}
    assert titles["409"] == "RejectedBody"
    assert titles["426"] == "UpdateRequiredBody"
    assert titles["503"] == "UnavailableBody"
    assert titles["401"] == titles["413"] == titles["422"] == "ErrorBody"
    ops = _resolve(schema, _json_schema(schema, push["requestBody"])["properties"]["ops"]["items"])
    assert "freeze" in ops["properties"]


def test_schema_models_and_laptop_dataclasses_name_the_same_fields(siege: Siege) -> None:
    models = _schema(siege)["components"]["schemas"]
    pairs: list[tuple[str, Any]] = [
        ("OpModel", Op),
        ("RowModel", Row),
        ("ConflictModel", Conflict),
        ("RefusalModel", Refusal),
    ]
    for name, dataclass in pairs:
        assert set(models[name]["properties"]) == set(dataclass.__dataclass_fields__), name
    assert set(models["PushBody"]["properties"]) == set(PushRequest("1-1", ()).to_json())


def _op_from_a_real_laptop(tmp_path: Path, **fields: Any) -> dict[str, Any]:
    laptop = new_laptop(tmp_path, "source")
    with laptop.uow() as uow:
        uow.session.add(Person(first_name="Inès", last_name="Roux"))
        uow.commit()
    with laptop.session_factory() as session:
        entry = session.scalars(select(OutboxEntry)).one()
        values = json.loads(entry.fields_json)
        op = Op(1, entry.table_name, entry.row_id, entry.hlc, {**values, **fields})
    laptop.close()
    return op.to_json()


def test_real_answers_fit_the_documented_bodies(siege: Siege, tmp_path: Path) -> None:
    code, _prefix = devices.enroll(siege.engine, "Portable OpenAPI", "Épernay")
    enrolled = siege.http().post("/api/v1/enroll", json={"code": code}, headers=HEADERS)
    schemas.EnrollAnswer.model_validate(enrolled.json())
    http = siege.http(enrolled.json()["token"])
    schemas.HelloAnswer.model_validate(http.get("/api/v1/hello", headers=HEADERS).json())
    op = _op_from_a_real_laptop(tmp_path)
    pushed = http.post("/api/v1/push", json={"batch_id": "1-1", "ops": [op]}, headers=HEADERS)
    assert pushed.status_code == 200
    schemas.PushAnswer.model_validate(pushed.json())
    page = http.get("/api/v1/changes", params={"after": 0}, headers=HEADERS)
    schemas.ChangesPage.model_validate(page.json())
    # Errors, each in its documented shape.
    incomplete = {
        **op,
        "op": 2,
        "row_id": "0" * 8 + op["row_id"][8:],
        "fields": {"first_name": "Seule"},
    }
    refused = http.post(
        "/api/v1/push", json={"batch_id": "2-2", "ops": [incomplete]}, headers=HEADERS
    )
    assert refused.status_code == 409
    schemas.RejectedBody.model_validate(refused.json())
    invalid = http.post("/api/v1/push", json={"batch_id": "x", "ops": []}, headers=HEADERS)
    assert invalid.status_code == 422
    schemas.ErrorBody.model_validate(invalid.json())
    huge = http.post("/api/v1/push", content=b"{" + b" " * 9_000_000 + b"}", headers=HEADERS)
    assert huge.status_code == 413
    schemas.ErrorBody.model_validate(huge.json())
    stranger = siege.http("not-a-token").get("/api/v1/hello", headers=HEADERS)
    assert stranger.status_code == 401
    schemas.ErrorBody.model_validate(stranger.json())
    old = http.get("/api/v1/hello", headers={**HEADERS, PROTOCOL_HEADER: "0"})
    assert old.status_code == 426
    schemas.UpdateRequiredBody.model_validate(old.json())

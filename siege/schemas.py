"""The protocol's messages as pydantic models, for the OpenAPI schema of the siège.

The laptop builds and reads these messages with the dataclasses of
:mod:`app.sync.protocol` (pydantic is not a laptop dependency); the siège parses pushes
with the same dataclasses (:mod:`siege.payload`). These models describe the same shapes
to readers of ``/api/v1/openapi.json``; ``tests/integration/test_siege_openapi.py``
checks that both agree, field by field. Bodies are still read by hand (size limit
first, then :class:`app.sync.protocol.PushRequest`), so these models validate nothing
at run time.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from app.sync.protocol import MAX_BATCH_OPS


class OpModel(BaseModel):
    """One change (``app.sync.protocol.Op``)."""

    op: int = Field(ge=1, description="the device's operation number, strictly increasing")
    table: str = Field(max_length=60, description="a synced table")
    row_id: str = Field(pattern=r"^[0-9a-f-]{36}$", description="UUID of the row")
    hlc: str = Field(min_length=32, max_length=32, description="hybrid logical clock stamp")
    fields: dict[str, Any] = Field(description="changed values, encoded by app.sync.codec")
    bases: dict[str, str] = Field(
        default_factory=dict, description="each free-text field's clock before the edit"
    )
    freeze: bool = Field(
        default=False, description="the whole row as issued (an invoice and its lines)"
    )


class PushBody(BaseModel):
    """``POST /push`` (``app.sync.protocol.PushRequest``)."""

    batch_id: str = Field(pattern=r"^[A-Za-z0-9:_-]{1,80}$")
    ops: list[OpModel] = Field(min_length=1, max_length=MAX_BATCH_OPS)


class RowModel(BaseModel):
    """A whole current row and each field's clock (``app.sync.protocol.Row``)."""

    seq: int
    table: str
    row_id: str
    values: dict[str, Any]
    clocks: dict[str, str]


class ConflictModel(BaseModel):
    """A conflict found by the siège (``app.sync.protocol.Conflict``)."""

    seq: int
    kind: str
    table: str
    row_id: str
    field: str
    kept_value: str
    lost_value: str
    lost_hlc: str
    device_name: str
    detail: str


class ForkModel(BaseModel):
    row_id: str
    new_row_id: str


class PushAnswer(BaseModel):
    batch_id: str
    accepted_through: int = Field(description="highest operation number now applied")
    applied: int
    skipped: int
    forked: list[ForkModel]
    server_rows: list[RowModel]


class ChangesPage(BaseModel):
    """``GET /changes``: rows after a cursor, in pages."""

    rows: list[RowModel]
    conflicts: list[ConflictModel]
    next_cursor: int
    has_more: bool
    last_seq: int
    scope_epoch: int = Field(
        0, description="moves when rows may have left the device's scope (docs/sync.md)"
    )


class LocalSeries(BaseModel):
    id: str = Field(description="the series row's id on the laptop")
    prefix: str = Field(max_length=12)
    kind: str = Field(description="facture or avoir")
    pending: bool = Field(description="its rows wait in the laptop's outbox")
    issued: list[dict[str, int]] = Field(
        default_factory=list,
        description="the highest sequence issued in each year ({year, last}); required "
        "when pending: the siège closes the adopted series beyond them",
    )


class EnrollBody(BaseModel):
    code: str = Field(max_length=40, description="one-time code printed by the siège")
    local_series: list[LocalSeries] = Field(
        default_factory=list,
        max_length=20,
        description="series the laptop issued invoices in before enrolment "
        "(siege/local_series.py): adopted, or enrolment refused with the prefix",
    )


class EnrollAnswer(BaseModel):
    token: str = Field(description="the device token; the siège keeps only its hash")
    device_id: str = Field(description="chosen by the siège")
    name: str
    antenne: str
    role: str
    series_prefix: str


class HelloDevice(BaseModel):
    name: str
    antenne: str
    role: str = Field("accompagnateur", description="accompagnateur or siege (docs/authority.md)")
    antennes: list[str] = Field(default_factory=list, description="the towns it serves")
    series_prefix: str
    last_op: int


class HelloAnswer(BaseModel):
    protocol_version: int
    min_protocol_version: int
    schema_version: str
    server_time_ms: int
    device: HelloDevice
    siege_epoch: str | None = Field(
        None,
        description="random id of this database's history, drawn again by `siege restored` "
        "(docs/sync.md): a laptop seeing it change re-reads and re-sends its journal",
    )
    next_token: str | None = Field(
        None,
        description="a fresh token for this device; the one used stays valid until it is used",
    )


class ErrorDetail(BaseModel):
    code: str = Field(description="machine code: invalid, malformed, too_large, unauthorized…")
    reason: str = Field(description="English, for logs")


class ErrorBody(BaseModel):
    detail: ErrorDetail


class RefusalModel(BaseModel):
    """One refused operation (``app.sync.protocol.Refusal``); ``reason`` is a rule code."""

    op: int
    table: str
    row_id: str
    reason: str


class RejectedDetail(BaseModel):
    code: Literal["rejected"]
    rejected: list[RefusalModel]
    server_rows: list[RowModel] = Field(description="the siège's state of the refused rows")


class RejectedBody(BaseModel):
    detail: RejectedDetail


class UpdateRequiredDetail(BaseModel):
    code: Literal["update_required"]
    reason: str
    protocol_version: int
    min_protocol_version: int
    schema_version: str


class UpdateRequiredBody(BaseModel):
    detail: UpdateRequiredDetail


class UnavailableDetail(BaseModel):
    code: Literal["unavailable"]
    reason: str
    retry_after: int = Field(description="seconds; also in the Retry-After header")


class UnavailableBody(BaseModel):
    detail: UnavailableDetail


def _error(description: str, model: type[BaseModel] = ErrorBody) -> dict[str, Any]:
    return {"model": model, "description": description}


Answers = dict[int | str, dict[str, Any]]
UNAUTHORIZED: Answers = {401: _error("unknown or revoked device token")}
UPDATE: Answers = {426: _error("client and siège versions differ: update", UpdateRequiredBody)}
INVALID: Answers = {
    400: _error("the body is not JSON"),
    413: _error("body larger than the siège reads"),
    422: _error("the body does not have the protocol's shape, or a value does not fit"),
}
PUSH_ERRORS: Answers = {
    **UNAUTHORIZED,
    409: _error("a change breaks a rule: nothing of the batch is kept", RejectedBody),
    **INVALID,
    **UPDATE,
    503: _error("database fault: nothing applied, send the batch again", UnavailableBody),
}
ENROLL_ERRORS: Answers = {
    403: _error("unknown, expired or used code; or a series issued before enrolment refused"),
    **INVALID,
    **UPDATE,
}
READ_ERRORS: Answers = {
    **UNAUTHORIZED,
    422: _error("a query parameter is out of range"),
    **UPDATE,
}


def request_body(model: type[BaseModel]) -> dict[str, Any]:
    """``openapi_extra`` declaring ``model`` as the JSON body of a route that reads its
    body by hand; the model itself is added to the components by :func:`add_models`."""
    ref = {"$ref": f"#/components/schemas/{model.__name__}"}
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": ref}}}}


def add_models(schema: dict[str, Any], *models: type[BaseModel]) -> dict[str, Any]:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in models:
        found = model.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(found.pop("$defs", {}))
        components[model.__name__] = found
    return schema

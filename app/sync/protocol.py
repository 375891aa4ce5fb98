"""The sync protocol between laptops and the siège: versions, routes and message shapes.

Plain JSON over HTTP. Messages (all under ``/api/v1``):

``GET /hello`` → ``{protocol_version, min_protocol_version, schema_version,
server_time_ms, device: {name, series_prefix, antenne, last_op}}``

``POST /enroll`` ``{code, device_id, name}`` → ``{token, series_prefix, name, antenne}``

``POST /push`` ``{batch_id, ops: [Op]}`` where ``Op = {op, table, row_id, hlc, fields,
bases}``: ``op`` is the device's operation number (strictly increasing, never reused),
``fields`` the changed values (JSON-encoded by :mod:`app.sync.codec`), ``bases`` each
field's clock before the edit. → 200 ``{batch_id, accepted_through, applied, skipped,
forked: [{row_id, new_row_id}], server_rows: [Row]}``; a replayed batch gets the same
answer. 409 ``{detail: {code: "rejected", rejected: [{op, table, row_id, reason}],
server_rows: [Row]}}`` when some operation breaks a rule: nothing of the batch is kept.

``GET /changes?after=CURSOR&limit=N`` → ``{rows: [Row], conflicts: [Conflict],
next_cursor, has_more}`` with ``Row = {seq, table, row_id, values, clocks}`` (the whole
current row and each field's clock, so a first sync needs nothing else).

Every request carries ``X-Permanence-Protocol`` and ``X-Permanence-Schema``; the siège
answers 426 with ``{detail: {code: "update_required", ...}}`` to a client it cannot serve.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PROTOCOL_VERSION = 1
MIN_PROTOCOL_VERSION = 1
API_PREFIX = "/api/v1"
PROTOCOL_HEADER = "X-Permanence-Protocol"
SCHEMA_HEADER = "X-Permanence-Schema"

MAX_BATCH_OPS = 500
MAX_BODY_BYTES = 8_000_000
DEFAULT_PAGE = 500
MAX_PAGE = 2000

ISSUED_STATUS = "emise"
DRAFT_STATUS = "brouillon"


@dataclass(frozen=True)
class Op:
    op: int
    table: str
    row_id: str
    hlc: str
    fields: dict[str, Any]
    bases: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "op": self.op,
            "table": self.table,
            "row_id": self.row_id,
            "hlc": self.hlc,
            "fields": self.fields,
            "bases": self.bases,
        }


@dataclass(frozen=True)
class Row:
    seq: int
    table: str
    row_id: str
    values: dict[str, Any]
    clocks: dict[str, str]

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Row:
        return cls(
            int(raw["seq"]),
            str(raw["table"]),
            str(raw["row_id"]),
            dict(raw["values"]),
            {str(k): str(v) for k, v in dict(raw["clocks"]).items()},
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "table": self.table,
            "row_id": self.row_id,
            "values": self.values,
            "clocks": self.clocks,
        }


@dataclass(frozen=True)
class Conflict:
    """A conflict found by the siège, sent to every laptop for review."""

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

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Conflict:
        return cls(**{k: raw[k] for k in cls.__dataclass_fields__})

    def to_json(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

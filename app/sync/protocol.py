"""The sync protocol between laptops and the siège: versions, routes and message shapes.

Plain JSON over HTTP. Messages (all under ``/api/v1``):

``GET /hello`` → ``{protocol_version, min_protocol_version, schema_version,
server_time_ms, device: {name, series_prefix, antenne, last_op}}``

``POST /enroll`` ``{code, device_id, name}`` → ``{token, series_prefix, name, antenne}``

``POST /push`` ``{batch_id, ops: [Op]}`` where ``Op = {op, table, row_id, hlc, fields,
bases, freeze}`` (:class:`Op`, :class:`PushRequest`): ``op`` is the device's operation number (strictly increasing, never reused),
``fields`` the changed values (JSON-encoded by :mod:`app.sync.codec`), ``bases`` each
field's clock before the edit. → 200 ``{batch_id, accepted_through, applied, skipped,
forked: [{row_id, new_row_id}], server_rows: [Row]}``; a replayed batch gets the same
answer. 409 ``{detail: {code: "rejected", rejected: [Refusal],
server_rows: [Row]}}`` when some operation breaks a rule: nothing of the batch is kept.

``GET /changes?after=CURSOR&limit=N`` → ``{rows: [Row], conflicts: [Conflict],
next_cursor, has_more, last_seq}`` with ``Row = {seq, table, row_id, values, clocks}`` (the whole
current row and each field's clock, so a first sync needs nothing else).

Every request carries ``X-Permanence-Protocol`` and ``X-Permanence-Schema``; the siège
answers 426 with ``{detail: {code: "update_required", ...}}`` to a client it cannot serve.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from app.sync.hlc import is_stamp

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


class ProtocolError(ValueError):
    """A message that does not have the protocol's shape; ``reason`` says where (English,
    for the siège's 422 and the laptop's log)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


ROW_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")
BATCH_ID = re.compile(r"^[A-Za-z0-9:_-]{1,80}\Z")
MAX_OP_NUMBER = 2**62


def _int(value: Any, where: str, low: int = 0, high: int = MAX_OP_NUMBER) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ProtocolError(f"{where}: integer from {low} to {high} expected")
    return value


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ProtocolError(f"{where}: object expected")
    return value


@dataclass(frozen=True)
class Op:
    """One change pushed by a laptop: ``op`` is the device's operation number (strictly
    increasing, never reused), ``fields`` the changed values encoded by
    :mod:`app.sync.codec`, ``bases`` each free-text field's clock before the edit, and
    ``freeze`` marks the whole row as issued (an invoice at validation, then its lines)."""

    op: int
    table: str
    row_id: str
    hlc: str
    fields: dict[str, Any]
    bases: dict[str, str] = field(default_factory=dict)
    freeze: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "op": self.op,
            "table": self.table,
            "row_id": self.row_id,
            "hlc": self.hlc,
            "fields": self.fields,
            "bases": self.bases,
            "freeze": self.freeze,
        }

    @classmethod
    def from_json(cls, raw: Any, where: str = "op") -> Op:
        """The op's shape (types, identifiers, stamps); values are checked against their
        columns by :func:`app.sync.codec.decode_fields`."""
        raw = _object(raw, where)
        number = _int(raw.get("op"), f"{where}.op", 1, MAX_OP_NUMBER - 1)
        row_id = raw.get("row_id")
        if not isinstance(row_id, str) or not ROW_ID.match(row_id):
            raise ProtocolError(f"{where}.row_id: UUID expected")
        stamp = raw.get("hlc")
        if not is_stamp(stamp):
            raise ProtocolError(f"{where}.hlc: HLC stamp expected")
        assert isinstance(stamp, str)
        table = raw.get("table")
        if not isinstance(table, str) or not 0 < len(table) <= 60:
            raise ProtocolError(f"{where}.table: table name expected")
        fields = raw.get("fields")
        if not isinstance(fields, dict) or not fields:
            raise ProtocolError(f"{where}: fields must be a non-empty object")
        bases = raw.get("bases", {})
        if not isinstance(bases, dict) or any(
            k not in fields or not (b == "" or is_stamp(b)) for k, b in bases.items()
        ):
            raise ProtocolError(f"{where}.bases: {{field: stamp}} expected")
        freeze = raw.get("freeze", False)
        if not isinstance(freeze, bool):
            raise ProtocolError(f"{where}.freeze: boolean expected")
        return cls(number, table, row_id, stamp, dict(fields), dict(bases), freeze)


@dataclass(frozen=True)
class PushRequest:
    batch_id: str
    ops: tuple[Op, ...]

    def to_json(self) -> dict[str, Any]:
        return {"batch_id": self.batch_id, "ops": [op.to_json() for op in self.ops]}

    @classmethod
    def from_json(cls, raw: Any) -> PushRequest:
        raw = _object(raw, "body")
        batch_id = raw.get("batch_id")
        if not isinstance(batch_id, str) or not BATCH_ID.match(batch_id):
            raise ProtocolError("batch_id: 1-80 letters, digits, ':', '_' or '-'")
        raw_ops = raw.get("ops")
        if not isinstance(raw_ops, list) or not raw_ops:
            raise ProtocolError("ops must be a non-empty list")
        if len(raw_ops) > MAX_BATCH_OPS:
            raise ProtocolError(f"at most {MAX_BATCH_OPS} operations per batch")
        ops = tuple(Op.from_json(item, f"ops[{i}]") for i, item in enumerate(raw_ops))
        numbers = [op.op for op in ops]
        if numbers != sorted(numbers) or len(set(numbers)) != len(numbers):
            raise ProtocolError("operation numbers must be strictly increasing")
        return cls(batch_id, ops)


@dataclass(frozen=True)
class Refusal:
    """One operation the siège refused (409): ``reason`` is a code of ``siege.rules``."""

    op: int
    table: str
    row_id: str
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"op": self.op, "table": self.table, "row_id": self.row_id, "reason": self.reason}

    @classmethod
    def from_json(cls, raw: Any) -> Refusal:
        raw = _object(raw, "rejected[]")
        table, row_id, reason = raw.get("table", ""), raw.get("row_id", ""), raw.get("reason", "")
        if not all(isinstance(v, str) for v in (table, row_id, reason)):
            raise ProtocolError("rejected[]: table, row_id and reason are strings")
        return cls(_int(raw.get("op"), "rejected[].op", 1), table, row_id, reason[:500])


@dataclass(frozen=True)
class Row:
    seq: int
    table: str
    row_id: str
    values: dict[str, Any]
    clocks: dict[str, str]

    @classmethod
    def from_json(cls, raw: Any) -> Row:
        """The row's shape; its table, values and clocks are judged by the laptop when it
        applies the row (:mod:`app.sync.pulled`)."""
        raw = _object(raw, "rows[]")
        table, row_id = raw.get("table"), raw.get("row_id")
        if not isinstance(table, str) or not isinstance(row_id, str):
            raise ProtocolError("rows[]: table and row_id are strings")
        values = _object(raw.get("values"), "rows[].values")
        clocks = _object(raw.get("clocks", {}), "rows[].clocks")
        if not all(isinstance(v, str) for v in clocks.values()):
            raise ProtocolError("rows[].clocks: {field: stamp} expected")
        return cls(_int(raw.get("seq"), "rows[].seq"), table, row_id, dict(values), dict(clocks))

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
    def from_json(cls, raw: Any) -> Conflict:
        raw = _object(raw, "conflicts[]")
        texts = {k: raw.get(k) for k in cls.__dataclass_fields__ if k != "seq"}
        if not all(isinstance(v, str) for v in texts.values()):
            raise ProtocolError("conflicts[]: text fields expected")
        return cls(seq=_int(raw.get("seq"), "conflicts[].seq"), **texts)  # type: ignore[arg-type]

    def to_json(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

"""Check a push request body before anything touches the database.

Everything a laptop sends is untrusted: a wrong type, an unknown table or field,
an oversized value or a malformed stamp is refused with a reason (422), never
reaching SQL where it could become a 500.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from app.sync.codec import CodecError, decode_fields
from app.sync.hlc import is_stamp
from app.sync.protocol import MAX_BATCH_OPS

ROW_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
BATCH_ID = re.compile(r"^[A-Za-z0-9:_-]{1,80}$")


class PayloadError(ValueError):
    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class ParsedOp:
    op: int
    table: str
    row_id: str
    hlc: str
    values: dict[str, Any]
    bases: dict[str, str]
    freeze: bool = False


def parse_push(body: Any) -> tuple[str, list[ParsedOp]]:
    if not isinstance(body, dict):
        raise PayloadError("body must be a JSON object")
    batch_id = body.get("batch_id")
    if not isinstance(batch_id, str) or not BATCH_ID.match(batch_id):
        raise PayloadError("batch_id: 1-80 letters, digits, ':', '_' or '-'")
    raw_ops = body.get("ops")
    if not isinstance(raw_ops, list) or not raw_ops:
        raise PayloadError("ops must be a non-empty list")
    if len(raw_ops) > MAX_BATCH_OPS:
        raise PayloadError(f"at most {MAX_BATCH_OPS} operations per batch")
    ops = [_parse_op(i, raw) for i, raw in enumerate(raw_ops)]
    numbers = [op.op for op in ops]
    if numbers != sorted(numbers) or len(set(numbers)) != len(numbers):
        raise PayloadError("operation numbers must be strictly increasing")
    return batch_id, ops


def _parse_op(index: int, raw: Any) -> ParsedOp:
    where = f"ops[{index}]"
    if not isinstance(raw, dict):
        raise PayloadError(f"{where}: object expected")
    number = raw.get("op")
    if isinstance(number, bool) or not isinstance(number, int) or not 0 < number < 2**62:
        raise PayloadError(f"{where}.op: positive integer expected")
    row_id = raw.get("row_id")
    if not isinstance(row_id, str) or not ROW_ID.match(row_id):
        raise PayloadError(f"{where}.row_id: UUID expected")
    stamp = raw.get("hlc")
    if not is_stamp(stamp):
        raise PayloadError(f"{where}.hlc: HLC stamp expected")
    table = raw.get("table")
    try:
        values = decode_fields(table, raw.get("fields"))  # type: ignore[arg-type]
    except CodecError as exc:
        raise PayloadError(f"{where}: {exc.reason}") from None
    bases = raw.get("bases", {})
    if not isinstance(bases, dict) or any(
        k not in values or not (b == "" or is_stamp(b)) for k, b in bases.items()
    ):
        raise PayloadError(f"{where}.bases: {{field: stamp}} expected")
    freeze = raw.get("freeze", False)
    if not isinstance(freeze, bool):
        raise PayloadError(f"{where}.freeze: boolean expected")
    assert isinstance(table, str) and isinstance(stamp, str)
    return ParsedOp(number, table, row_id, stamp, values, dict(bases), freeze)

"""Check a push request body before anything touches the database.

Everything a laptop sends is untrusted: a wrong type, an unknown table or field,
an oversized value or a malformed stamp is refused with a reason (422), never
reaching SQL where it could become a 500. The message's shape is the one the laptop
builds (:class:`app.sync.protocol.PushRequest`); each value is then checked against
its column by the codec both sides share.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.sync.codec import CodecError, decode_fields
from app.sync.protocol import BATCH_ID, ROW_ID, ProtocolError, PushRequest

__all__ = ["BATCH_ID", "ROW_ID", "ParsedOp", "PayloadError", "parse_push"]


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
    try:
        request = PushRequest.from_json(body)
    except ProtocolError as exc:
        raise PayloadError(exc.reason) from None
    ops: list[ParsedOp] = []
    for index, op in enumerate(request.ops):
        try:
            values = decode_fields(op.table, op.fields)
        except CodecError as exc:
            raise PayloadError(f"ops[{index}]: {exc.reason}") from None
        ops.append(ParsedOp(op.op, op.table, op.row_id, op.hlc, values, op.bases, op.freeze))
    return request.batch_id, ops

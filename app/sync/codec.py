"""Column values to and from JSON, checked against the table definitions.

Laptop and siège share this, so a value the siège accepts is one every laptop can
store, and a hostile payload (wrong type, unknown table or field, oversized text) is
refused with a reason before anything is written.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    Time,
)

import app.models  # noqa: F401  (registers every table)
from app.models.base import Base, synced_tables
from app.sync import limits
from app.sync.review import REVIEW_FIELDS

INT_LIMIT = 2**63 - 1
MAX_TEXT = 200_000
MAX_BYTES = 2_000_000


class CodecError(ValueError):
    """A value that does not fit its column; ``reason`` says why (English, for the API)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    kind: str  # str | text | int | bool | date | datetime | time | bytes
    nullable: bool
    max_length: int | None
    free_text: bool
    # Inclusive bounds of an integer (app/sync/limits.py); None: the 64-bit range.
    int_range: tuple[int, int] | None = None
    # "path": a file under documents/; "sha256": a hex digest (both may be empty).
    shape: str = ""
    # Free text or a field to review (app/sync/review.py): its clock travels as the
    # change's base, so the siège lists a concurrent overwrite.
    tracked: bool = False


@dataclass(frozen=True)
class TableSpec:
    name: str
    columns: dict[str, ColumnSpec]
    required: frozenset[str]


def _kind(col_type: Any) -> str:
    checks: list[tuple[type, str]] = [
        (Boolean, "bool"),
        (BigInteger, "int"),
        (Integer, "int"),
        (DateTime, "datetime"),
        (Date, "date"),
        (Time, "time"),
        (Text, "text"),
        (String, "str"),
        (LargeBinary, "bytes"),
    ]
    for cls, kind in checks:
        if isinstance(col_type, cls):
            return kind
    raise TypeError(f"unsupported column type {col_type!r}")


def _spec(table: Table) -> TableSpec:
    cols: dict[str, ColumnSpec] = {}
    required = set()
    for col in table.columns:
        if col.name == "id":
            continue
        kind = _kind(col.type)
        length = getattr(col.type, "length", None) if kind == "str" else None
        shape = {"pdf_path": "path", "pdf_sha256": "sha256"}.get(col.name, "")
        cols[col.name] = ColumnSpec(
            col.name,
            kind,
            bool(col.nullable),
            length,
            kind == "text",
            limits.int_range(table.name, col.name),
            shape,
            kind == "text" or (table.name, col.name) in REVIEW_FIELDS,
        )
        if not col.nullable:
            required.add(col.name)
    return TableSpec(table.name, cols, frozenset(required))


@cache
def table_specs() -> dict[str, TableSpec]:
    return {name: _spec(Base.metadata.tables[name]) for name in synced_tables()}


def encode_value(spec: ColumnSpec, value: Any) -> Any:
    if value is None:
        return None
    if spec.kind in ("date", "datetime", "time"):
        return value.isoformat()
    if spec.kind == "bytes":
        return base64.b64encode(value).decode("ascii")
    return value


def decode_value(spec: ColumnSpec, raw: Any) -> Any:
    """Turn a JSON value back into a column value; raise CodecError if it does not fit."""
    if raw is None:
        if not spec.nullable:
            raise CodecError(f"{spec.name}: null not allowed")
        return None
    kind = spec.kind
    if kind in ("str", "text"):
        if not isinstance(raw, str):
            raise CodecError(f"{spec.name}: string expected")
        limit = spec.max_length or MAX_TEXT
        if len(raw) > limit:
            raise CodecError(f"{spec.name}: longer than {limit} characters")
        if "\x00" in raw:
            raise CodecError(f"{spec.name}: NUL character")
        if limits.has_lone_surrogate(raw):
            raise CodecError(f"{spec.name}: lone surrogate")
        if spec.shape == "path" and not limits.is_document_path(raw):
            raise CodecError(f"{spec.name}: relative path under documents/ expected")
        if spec.shape == "sha256" and raw and not limits.SHA256.match(raw):
            raise CodecError(f"{spec.name}: SHA-256 hex digest expected")
        return raw
    if kind == "bool":
        if not isinstance(raw, bool):
            raise CodecError(f"{spec.name}: boolean expected")
        return raw
    if kind == "int":
        if isinstance(raw, bool) or not isinstance(raw, int) or abs(raw) > INT_LIMIT:
            raise CodecError(f"{spec.name}: integer expected")
        if spec.int_range is not None and not spec.int_range[0] <= raw <= spec.int_range[1]:
            low, high = spec.int_range
            raise CodecError(f"{spec.name}: out of range {low}..{high}")
        return raw
    if not isinstance(raw, str) or len(raw) > (MAX_BYTES * 2 if kind == "bytes" else 40):
        raise CodecError(f"{spec.name}: {kind} string expected")
    try:
        if kind == "date":
            return _in_window(spec, dt.date.fromisoformat(raw))
        if kind == "datetime":
            value = dt.datetime.fromisoformat(raw)
            if value.tzinfo is not None:
                raise CodecError(f"{spec.name}: naive UTC datetime expected")
            _in_window(spec, value.date())
            return value
        if kind == "time":
            return dt.time.fromisoformat(raw)
        return base64.b64decode(raw.encode("ascii"), validate=True)
    except (ValueError, binascii.Error) as exc:
        if isinstance(exc, CodecError):
            raise
        raise CodecError(f"{spec.name}: invalid {kind}") from exc


def _in_window(spec: ColumnSpec, day: dt.date) -> dt.date:
    if not limits.MIN_DATE <= day <= limits.MAX_DATE:
        raise CodecError(f"{spec.name}: date outside {limits.MIN_DATE}..{limits.MAX_DATE}")
    return day


def encode_row(table: str, values: dict[str, Any]) -> dict[str, Any]:
    cols = table_specs()[table].columns
    return {name: encode_value(cols[name], v) for name, v in values.items() if name in cols}


def decode_fields(table: str, fields: Any) -> dict[str, Any]:
    """Check a {field: json value} object of one table; raise CodecError on anything odd."""
    spec = table_specs().get(table) if isinstance(table, str) else None
    if spec is None:
        raise CodecError(f"unknown table {str(table)[:60]!r}")
    if not isinstance(fields, dict) or not fields:
        raise CodecError("fields must be a non-empty object")
    out: dict[str, Any] = {}
    for name, raw in fields.items():
        col = spec.columns.get(name) if isinstance(name, str) else None
        if col is None:
            raise CodecError(f"unknown field {str(name)[:60]!r} of {table}")
        out[name] = decode_value(col, raw)
    return out


def table_of(model: type) -> Table:
    """A mapped class's table, typed as a Table for Core statements."""
    table = model.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table)
    return table

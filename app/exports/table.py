"""A plain table of typed cells: what every export writes (XLSX or CSV), whatever list
or indicator it comes from."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

# text | int | cents (money, integer cents) | minutes (shown as hours) | date | bp (percent)
CellKind = Literal["text", "int", "cents", "minutes", "date", "bp"]
Cell = str | int | dt.date | None


@dataclass(frozen=True)
class Col:
    header: str
    kind: CellKind = "text"


@dataclass(frozen=True)
class Table:
    title: str
    columns: Sequence[Col]
    rows: Sequence[Sequence[Cell]]
    notes: Sequence[str] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        width = len(self.columns)
        for row in self.rows:
            if len(row) != width:
                raise ValueError(f"row of {len(row)} cells in a table of {width} columns")


def as_decimal(kind: CellKind, value: int) -> Decimal:
    """Exact value a number cell stands for: cents -> euros, minutes -> hours, bp -> ratio."""
    if kind == "cents":
        return Decimal(value).scaleb(-2)
    if kind == "minutes":
        return (Decimal(value) / 60).quantize(Decimal("0.01"))
    if kind == "bp":
        return Decimal(value).scaleb(-4)
    return Decimal(value)

"""The state of one pushed batch while the siège applies it (siege/store.py): its
connection and device, the next sequence numbers, rows to send back whole, merges and
forks made so far, and the conflicts it records."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, insert

from app.clock import utcnow
from siege import rules
from siege.devices import DeviceRecord
from siege.tables import conflict

# A conflict keeps at most this much of each value (stored values are bounded).
MAX_VALUE_CHARS = 20_000


def bounded(text: str) -> str:
    return text if len(text) <= MAX_VALUE_CHARS else text[:MAX_VALUE_CHARS] + "…"


@dataclass
class Batch:
    conn: Connection
    dev: DeviceRecord
    seq: int
    now_ms: int
    forked: list[dict[str, str]] = field(default_factory=list)
    force: set[tuple[str, str]] = field(default_factory=set)
    redirect: dict[tuple[str, str], str] = field(default_factory=dict)
    issued_now: set[str] = field(default_factory=set)
    authority: rules.Authority | None = None  # who may write what (siege/authority.py)
    aliases: dict[tuple[str, str], str | None] = field(default_factory=dict)
    linked: set[tuple[str, Any]] = field(default_factory=set)  # rows known to exist

    def next_seq(self) -> int:
        self.seq += 1
        return self.seq

    def conflict(
        self,
        table: str,
        row_id: str,
        name: str,
        *,
        kept: str,
        lost: str,
        lost_hlc: str,
        kind: str = "field",
        detail: str = "",
    ) -> None:
        self.conn.execute(
            insert(conflict).values(
                seq=self.next_seq(),
                kind=kind,
                table_name=table,
                row_id=row_id,
                field=name,
                kept_value=bounded(str(kept)),
                lost_value=bounded(str(lost)),
                lost_hlc=lost_hlc,
                device_name=self.dev.name,
                detail=detail,
                created_at=utcnow(),
            )
        )

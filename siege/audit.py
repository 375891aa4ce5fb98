"""The audit of applied changes: which device changed which row, which fields, when
(docs/authority.md). Written by the push (siege/authority.py), read by the siège's
administrator with ``python -m siege audit``."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import Engine, or_, select

from app.clock import PARIS, to_local
from siege.tables import audit

ACTIONS_FR = {
    "create": "création",
    "update": "modification",
    "delete": "suppression",
    "freeze": "émission",
    "anonymise": "anonymisation par le siège",  # siege/anonymise.py
}


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    device_name: str
    device_id: str
    action: str
    table: str
    row_id: str
    fields: tuple[str, ...]
    applied_at: dt.datetime  # naive UTC, as stored


def query(
    engine: Engine,
    *,
    device: str | None = None,
    table: str | None = None,
    row_id: str | None = None,
    since: dt.date | None = None,
    limit: int = 100,
) -> list[AuditEntry]:
    """Newest first. ``device`` is a device's name or id; ``since`` a local French date."""
    stmt = select(audit).order_by(audit.c.id.desc()).limit(max(1, min(limit, 100_000)))
    if device:
        stmt = stmt.where(or_(audit.c.device_name == device, audit.c.device_id == device))
    if table:
        stmt = stmt.where(audit.c.table_name == table)
    if row_id:
        stmt = stmt.where(audit.c.row_id == row_id)
    if since is not None:
        start = dt.datetime.combine(since, dt.time(0, 0), tzinfo=PARIS)
        stmt = stmt.where(audit.c.applied_at >= start.astimezone(dt.UTC).replace(tzinfo=None))
    with engine.connect() as conn:
        rows = conn.execute(stmt).mappings().all()
    return [
        AuditEntry(
            int(r["seq"]),
            r["device_name"],
            r["device_id"],
            r["action"],
            r["table_name"],
            r["row_id"],
            tuple(json.loads(r["fields"])),
            r["applied_at"],
        )
        for r in rows
    ]


def describe(entry: AuditEntry) -> str:
    """One line in French, local time: what a person reads in the terminal."""
    when = to_local(entry.applied_at).strftime("%d/%m/%Y %H:%M:%S")
    action = ACTIONS_FR.get(entry.action, entry.action)
    fields = ", ".join(entry.fields) if entry.fields else "aucun champ"
    return (
        f"{when}  n°{entry.seq}  {entry.device_name}  {action}  "
        f"{entry.table} {entry.row_id}  champs : {fields}"
    )

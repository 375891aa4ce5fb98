"""The siège's rules for signed half-days (issue 16; docs/authority.md, docs/signing.md).

- ``attendance_signature`` rows are insert-only: written by a laptop of the antenne
  running the session, never changed afterwards (an identical re-send passes), never
  added to a half-day already countersigned, never at a place in the chain another
  signature holds.
- A countersigned half-day is frozen: its attendance marks no longer change.
- ``sheet_seal`` is written by the siège's sealing worker only (siege/sealing.py).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.models.base import Base
from siege.authority import Authority, Rejected

SIGNATURE = "attendance_signature"
SEAL = "sheet_seal"
BOOKKEEPING = frozenset({"created_at", "updated_at", "created_by", "updated_by"})


def countersigned(auth: Authority, slot_id: Any) -> bool:
    if not slot_id:
        return False
    t = Base.metadata.tables[SIGNATURE]
    found = auth.conn.execute(
        select(t.c.id)
        .where(t.c.slot_id == slot_id, t.c.role == "formateur", t.c.deleted_at.is_(None))
        .limit(1)
    ).first()
    return found is not None


def check_signature(
    auth: Authority, current: dict[str, Any] | None, fields: dict[str, Any]
) -> None:
    if current is not None:
        changed = {f for f, v in fields.items() if f not in BOOKKEEPING and current.get(f) != v}
        if changed or any(current.get(f) != v for f, v in fields.items() if f in BOOKKEEPING):
            raise Rejected("signature_immutable")
        return
    slot_id = fields.get("slot_id")
    activity_id = auth.value("activity_slot", slot_id, "activity_id")
    if activity_id is not None and not auth.runs_activity(activity_id):
        raise Rejected("activity_of_another_antenne")
    if fields.get("deleted_at") is not None:
        raise Rejected("signature_immutable")
    if countersigned(auth, slot_id):
        raise Rejected("slot_countersigned")
    t = Base.metadata.tables[SIGNATURE]
    taken = auth.conn.execute(
        select(t.c.id).where(t.c.slot_id == slot_id, t.c.position == fields.get("position"))
    ).first()
    if taken is not None:
        raise Rejected("signature_position_taken")


def check_attendance_frozen(
    auth: Authority, current: dict[str, Any] | None, fields: dict[str, Any]
) -> None:
    """A mark of a countersigned half-day is part of its signed record."""
    slots = {fields.get("slot_id"), (current or {}).get("slot_id")} - {None}
    if current is not None and all(current.get(f) == v for f, v in fields.items()):
        return  # an identical re-send changes nothing
    if any(countersigned(auth, s) for s in slots):
        raise Rejected("slot_countersigned")

"""The record of a closed half-day, rebuilt from the synced signatures (issue 16).

What the siège seals (siege/sealing.py) and what an audit pack carries: the same
``permanence-emargement/1`` record the laptop embeds in its own sheet
(``SigningSession.record``), plus the hash chain of the stored rows, the closed marks
and the plausibility flags. Built from the database alone, so the siège needs no file
from the laptop.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from app.errors import ConflictError
from app.workshops import signature_store
from app.workshops.signing import RECORD_FORMAT, SignerRole, record_digest
from app.workshops.workshop_values import SessionDetail, SlotInfo


def slot_record(
    session: Session, detail: SessionDetail, slot: SlotInfo, organisation: str = ""
) -> dict[str, Any]:
    """The closed half-day's record; refused (``countersign_required``) while still open."""
    rows = signature_store.slot_rows(session, slot.id)
    if not rows or rows[-1].role != SignerRole.TRAINER:
        raise ConflictError("countersign_required")
    stored = [signature_store.stored_signature(r) for r in rows]
    signatures = [s.signature.as_record() for s in stored]
    marks = stored[-1].marks
    signed = {s.signature.signer_id for s in stored}
    return {
        "format": RECORD_FORMAT,
        "organisation": organisation,
        "device": stored[0].device,
        "activity": {"id": detail.id, "title": detail.title},
        "slot": {
            "id": slot.id,
            "starts_at": slot.starts_at.isoformat(),
            "ends_at": slot.ends_at.isoformat(),
        },
        "not_signed": [
            {"person_id": p.person_id, "name": p.full_name, "state": marks.get(p.person_id, "")}
            for p in detail.participants
            if p.person_id not in signed
        ],
        "signatures": signatures,
        "sha256": record_digest(signatures),
        "marks": marks,
        "chain": [
            {
                "position": r.position,
                "signer": r.signer_name,
                "sync_stamp": r.sync_stamp,
                "device": r.device,
                "previous_sha256": r.previous_sha256,
                "link_sha256": r.link_sha256,
            }
            for r in rows
        ],
        "chain_problems": signature_store.chain_problems(rows),
        "flags": [
            {"signer": r.signer_name, **flag} for r in rows for flag in json.loads(r.flags or "[]")
        ],
    }

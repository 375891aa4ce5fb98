"""Who created and last changed each synced row (RGPD accountability)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.models.base import Synced


def stamp_actor(session: Session, _flush_context: Any, _instances: Any) -> None:
    actor = session.info.get("actor")
    if not actor:
        return
    for obj in session.new:
        if isinstance(obj, Synced):
            obj.created_by = obj.created_by or actor
            obj.updated_by = actor
    for obj in session.dirty:
        if isinstance(obj, Synced) and session.is_modified(obj):
            obj.updated_by = actor

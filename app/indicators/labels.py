"""Names of the reference rows figures are split by (small tables, read whole)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Accompagnateur, Antenne, OptionItem, Permanence


def antennes(session: Session) -> dict[str, str]:
    return {i: n for i, n in session.execute(select(Antenne.id, Antenne.name))}


def permanences(session: Session) -> dict[str, str]:
    return {i: t for i, t in session.execute(select(Permanence.id, Permanence.town))}


def accompagnateurs(session: Session) -> dict[str, str]:
    rows = session.execute(
        select(Accompagnateur.id, Accompagnateur.first_name, Accompagnateur.last_name)
    )
    return {i: f"{f} {n}" for i, f, n in rows}


def options(session: Session, kind: str) -> dict[str, str]:
    rows = session.execute(select(OptionItem.code, OptionItem.label).where(OptionItem.kind == kind))
    return {c: lab for c, lab in rows}

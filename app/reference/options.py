"""Editing the option lists the CAE owns (situations, prescribers, sectors, exit reasons).

Codes are stored on person records, so an option is never deleted: it is renamed or
deactivated (hidden from new choices, still readable on old records). A new option's id
derives from its list and code, so two laptops adding the same label make one row."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.errors import Collector, ConflictError, NotFoundError
from app.ids import deterministic_id
from app.models import OptionItem
from app.reference.reference import OptionInfo
from app.text import fold
from app.uow import UnitOfWorkFactory

KINDS = ("situation", "prescriber", "sector", "exit_reason")
MAX_LABEL = 200


def code_for(label: str) -> str:
    """ "Chambre de métiers" -> "chambre_de_metiers" (stable, readable in exports)."""
    return re.sub(r"[^a-z0-9]+", "_", fold(label)).strip("_")[:60] or "option"


def _row(session: Session, kind: str, code: str) -> OptionItem:
    row = session.scalar(
        select(OptionItem).where(
            OptionItem.kind == kind, OptionItem.code == code, OptionItem.deleted_at.is_(None)
        )
    )
    if row is None:
        raise NotFoundError("option_not_found", kind=kind, option=code)
    return row


def _check_label(label: str) -> str:
    clean = " ".join(label.split())
    errors = Collector()
    errors.check(bool(clean), "label", "required")
    errors.check(len(clean) <= MAX_LABEL, "label", "too_long", max=MAX_LABEL)
    errors.raise_if_any()
    return clean


def add_option(uow_factory: UnitOfWorkFactory, kind: str, label: str) -> OptionInfo:
    if kind not in KINDS:
        raise NotFoundError("option_list_not_found", kind=kind)
    clean = _check_label(label)
    code = code_for(clean)
    with uow_factory() as uow:
        session = uow.session
        existing = session.scalar(
            select(OptionItem).where(OptionItem.kind == kind, OptionItem.code == code)
        )
        if existing is not None and existing.deleted_at is None and existing.active:
            raise ConflictError("option_exists", label=existing.label)
        if existing is not None:  # bring a deactivated option back rather than duplicate it
            existing.active = True
            existing.deleted_at = None
            existing.label = clean
            row = existing
        else:
            last = session.scalar(
                select(func.max(OptionItem.position)).where(OptionItem.kind == kind)
            )
            row = OptionItem(
                id=deterministic_id("option", kind, code),
                kind=kind,
                code=code,
                label=clean,
                position=(last or 0) + 1,
            )
            session.add(row)
        uow.commit()
        return OptionInfo(row.kind, row.code, row.label, row.active)


def rename_option(uow_factory: UnitOfWorkFactory, kind: str, code: str, label: str) -> None:
    clean = _check_label(label)
    with uow_factory() as uow:
        _row(uow.session, kind, code).label = clean
        uow.commit()


def set_option_active(uow_factory: UnitOfWorkFactory, kind: str, code: str, active: bool) -> None:
    with uow_factory() as uow:
        _row(uow.session, kind, code).active = active
        uow.commit()


def move_option(uow_factory: UnitOfWorkFactory, kind: str, code: str, step: int) -> None:
    """Move one place up (step -1) or down (+1) in the list as offered in forms."""
    with uow_factory() as uow:
        rows = list(
            uow.session.scalars(
                select(OptionItem)
                .where(OptionItem.kind == kind, OptionItem.deleted_at.is_(None))
                .order_by(OptionItem.position, OptionItem.label)
            )
        )
        index = next((i for i, r in enumerate(rows) if r.code == code), None)
        if index is None:
            raise NotFoundError("option_not_found", kind=kind, option=code)
        target = index + step
        if 0 <= target < len(rows):
            rows[index], rows[target] = rows[target], rows[index]
            for position, row in enumerate(rows):
                if row.position != position:
                    row.position = position
            uow.commit()

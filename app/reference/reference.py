"""Antennes, permanences, accompagnateurs and option lists, as plain values."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from app.errors import Collector
from app.models import Accompagnateur, Antenne, OptionItem, Permanence
from app.uow import UnitOfWorkFactory


@dataclass(frozen=True)
class AntenneInfo:
    id: str
    name: str
    departement: str
    is_head_office: bool


@dataclass(frozen=True)
class PermanenceInfo:
    id: str
    antenne_id: str
    town: str
    place: str
    weekday: int | None
    starts_at: dt.time | None
    ends_at: dt.time | None

    @property
    def label(self) -> str:
        return f"{self.town} — {self.place}" if self.place else self.town


@dataclass(frozen=True)
class AccompagnateurInfo:
    id: str
    first_name: str
    last_name: str
    email: str
    antenne_id: str | None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass(frozen=True)
class OptionInfo:
    kind: str
    code: str
    label: str
    active: bool


def list_antennes(uow_factory: UnitOfWorkFactory) -> list[AntenneInfo]:
    with uow_factory() as uow:
        rows = uow.session.scalars(
            select(Antenne).where(Antenne.deleted_at.is_(None)).order_by(Antenne.name)
        )
        return [AntenneInfo(a.id, a.name, a.departement, a.is_head_office) for a in rows]


def list_permanences(
    uow_factory: UnitOfWorkFactory, antenne_id: str | None = None
) -> list[PermanenceInfo]:
    with uow_factory() as uow:
        query = select(Permanence).where(Permanence.deleted_at.is_(None))
        if antenne_id:
            query = query.where(Permanence.antenne_id == antenne_id)
        rows = uow.session.scalars(query.order_by(Permanence.town))
        return [
            PermanenceInfo(p.id, p.antenne_id, p.town, p.place, p.weekday, p.starts_at, p.ends_at)
            for p in rows
        ]


def list_accompagnateurs(uow_factory: UnitOfWorkFactory) -> list[AccompagnateurInfo]:
    with uow_factory() as uow:
        rows = uow.session.scalars(
            select(Accompagnateur)
            .where(Accompagnateur.deleted_at.is_(None), Accompagnateur.active.is_(True))
            .order_by(Accompagnateur.last_name, Accompagnateur.first_name)
        )
        return [
            AccompagnateurInfo(a.id, a.first_name, a.last_name, a.email, a.antenne_id) for a in rows
        ]


def list_options(
    uow_factory: UnitOfWorkFactory, kind: str, *, include_inactive: bool = False
) -> list[OptionInfo]:
    with uow_factory() as uow:
        query = select(OptionItem).where(OptionItem.kind == kind, OptionItem.deleted_at.is_(None))
        if not include_inactive:
            query = query.where(OptionItem.active.is_(True))
        rows = uow.session.scalars(query.order_by(OptionItem.position, OptionItem.label))
        return [OptionInfo(o.kind, o.code, o.label, o.active) for o in rows]


def add_accompagnateur(
    uow_factory: UnitOfWorkFactory,
    first_name: str,
    last_name: str,
    email: str = "",
    antenne_id: str | None = None,
) -> AccompagnateurInfo:
    errors = Collector()
    errors.check(bool(first_name.strip()), "first_name", "required")
    errors.check(bool(last_name.strip()), "last_name", "required")
    errors.raise_if_any()
    with uow_factory() as uow:
        row = Accompagnateur(
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            email=email.strip(),
            antenne_id=antenne_id,
        )
        uow.session.add(row)
        uow.commit()
        return AccompagnateurInfo(row.id, row.first_name, row.last_name, row.email, row.antenne_id)

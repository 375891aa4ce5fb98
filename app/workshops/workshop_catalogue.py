"""The editable catalogue of workshop themes, and the funders printed on the sheets."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import Collector, NotFoundError
from app.ids import deterministic_id, new_id
from app.models import Funder, WorkshopTheme
from app.text import fold
from app.uow import UnitOfWorkFactory
from app.workshops.workshop_values import FunderInfo, ThemeInfo

NAME_MAX = 120
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def list_themes(uow_factory: UnitOfWorkFactory) -> list[ThemeInfo]:
    with uow_factory() as uow:
        rows = uow.session.scalars(
            select(WorkshopTheme)
            .where(WorkshopTheme.deleted_at.is_(None))
            .order_by(WorkshopTheme.name)
        )
        return [_theme(t) for t in rows]


def save_theme(
    uow_factory: UnitOfWorkFactory,
    name: str,
    default_duration_minutes: int,
    description: str = "",
    theme_id: str | None = None,
) -> ThemeInfo:
    """Create a theme (``theme_id`` None) or edit one; names stay unique."""
    errors = Collector()
    clean = name.strip()
    errors.check(bool(clean), "name", "required")
    errors.check(len(clean) <= NAME_MAX, "name", "too_long", max=NAME_MAX)
    errors.check(default_duration_minutes > 0, "default_duration_minutes", "duration_min")
    errors.raise_if_any()
    with uow_factory() as uow:
        session = uow.session
        clash = session.scalar(
            select(WorkshopTheme.id).where(
                WorkshopTheme.name == clean, WorkshopTheme.deleted_at.is_(None)
            )
        )
        if clash is not None and clash != theme_id:
            errors.add("name", "theme_exists")
            errors.raise_if_any()
        if theme_id is None:
            theme = _new_or_revived_theme(session, clean)
        else:
            found = session.get(WorkshopTheme, theme_id)
            if found is None or found.deleted_at is not None:
                raise NotFoundError("not_found", kind="theme", id=theme_id)
            theme = found
        theme.name = clean
        theme.default_duration_minutes = default_duration_minutes
        theme.description = description.strip()
        uow.commit()
        return _theme(theme)


def list_funders(uow_factory: UnitOfWorkFactory) -> list[FunderInfo]:
    with uow_factory() as uow:
        rows = uow.session.scalars(
            select(Funder).where(Funder.deleted_at.is_(None)).order_by(Funder.code)
        )
        return [FunderInfo(f.id, f.code, f.name, f.statement, f.emblem_png) for f in rows]


def update_funder(
    uow_factory: UnitOfWorkFactory,
    funder_id: str,
    *,
    name: str,
    statement: str,
    emblem_png: bytes | None,
) -> FunderInfo:
    """Edit the statement and emblem printed on the sheets of the actions it funds."""
    errors = Collector()
    errors.check(bool(name.strip()), "name", "required")
    if emblem_png is not None:
        errors.check(emblem_png.startswith(PNG_SIGNATURE), "emblem", "not_png")
    errors.raise_if_any()
    with uow_factory() as uow:
        funder = uow.session.get(Funder, funder_id)
        if funder is None or funder.deleted_at is not None:
            raise NotFoundError("not_found", kind="funder", id=funder_id)
        funder.name = name.strip()
        funder.statement = statement.strip()
        funder.emblem_png = emblem_png
        uow.commit()
        return FunderInfo(funder.id, funder.code, funder.name, funder.statement, funder.emblem_png)


def theme_id_for(name: str) -> str:
    """Two laptops creating the same theme offline make one row (docs/sync.md)."""
    return deterministic_id("theme-name", fold(name))


def _new_or_revived_theme(session: Session, name: str) -> WorkshopTheme:
    """A deleted theme of the same name comes back (names stay unique, tombstones
    included); else the row whose id the name gives, unless a renamed theme already took
    that id (the siège then merges any clash, siege/keys.py)."""
    deleted = session.scalar(select(WorkshopTheme).where(WorkshopTheme.name == name))
    if deleted is not None:
        deleted.deleted_at = None
        return deleted
    wanted = theme_id_for(name)
    theme = WorkshopTheme(id=wanted if session.get(WorkshopTheme, wanted) is None else new_id())
    session.add(theme)
    return theme


def _theme(theme: WorkshopTheme) -> ThemeInfo:
    return ThemeInfo(theme.id, theme.name, theme.default_duration_minutes, theme.description)

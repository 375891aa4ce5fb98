"""The main window's areas: what each is called, how its page is made (imported only when
first shown), the tabs it adds to a person record, and the status bar's permanences.

Qt and light helpers only at import time (the window is shown before the data layer is
loaded); see ui/main_window.py.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

from ui.texts import shell

if TYPE_CHECKING:
    from app.uow import UnitOfWorkFactory
    from ui.context import AppContext


@dataclass(frozen=True)
class PageSpec:
    """An area of the app. ``opens`` lists the item kinds the page can show
    (``hub.open_requested.emit("person", id)`` switches to it and calls ``open_item``)."""

    key: str
    title: str
    # ``factory(ctx)``; the first area's also takes ``preview=`` (MainWindow.show_preview).
    factory: Callable[..., QWidget]
    opens: tuple[str, ...] = ()
    # (tab title, "module.Class"): the area's tab on every person record, imported
    # only when a record is first shown (not when the area's page is).
    person_tab: tuple[str, str] | None = None


def _lazy_tab(module: str, name: str) -> Callable[[AppContext, QWidget], QWidget]:
    def build(ctx: AppContext, parent: QWidget) -> QWidget:
        tab_class = getattr(importlib.import_module(module), name)
        return tab_class(ctx, parent)  # type: ignore[no-any-return]

    return build


def register_person_tabs(specs: list[PageSpec]) -> None:
    """Give every person record the tabs the areas declare (idempotent)."""
    from ui.pages.person_tabs import register_person_tab

    for spec in specs:
        if spec.person_tab is not None:
            title, path = spec.person_tab
            module, _, name = path.rpartition(".")
            register_person_tab(title, _lazy_tab(module, name))


@dataclass(frozen=True)
class LazyPage:
    """A page factory that imports the page's module only when the page is first shown:
    start-up pays for the first page alone, not for every area's libraries (openpyxl,
    factur-x, reportlab...)."""

    module: str
    name: str

    def preload(self) -> None:
        """Import the module (safe off the GUI thread: no widget is made)."""
        importlib.import_module(self.module)

    def __call__(self, ctx: AppContext, **options: object) -> QWidget:
        page_class = getattr(importlib.import_module(self.module), self.name)
        return page_class(ctx, **options)  # type: ignore[no-any-return]


def _lazy(path: str) -> LazyPage:
    """``"module.Class"``: one dotted path, so a class name is not read as a word."""
    module, _, name = path.rpartition(".")
    return LazyPage(module, name)


def page_specs() -> list[PageSpec]:
    """The areas, in navigation order. Each area's module adds itself here."""
    return [
        PageSpec(
            "persons", shell.AREA_PERSONS, _lazy("ui.pages.people_area.PeopleArea"), ("person",)
        ),
        PageSpec(
            "interviews", shell.AREA_INTERVIEWS, _lazy("ui.pages.interviews_page.InterviewsPage")
        ),
        PageSpec(
            "workshops",
            shell.AREA_WORKSHOPS,
            _lazy("ui.pages.workshops_page.WorkshopsPage"),
            ("activity",),
            (shell.PERSON_TAB_WORKSHOPS, "ui.pages.workshop_person_tab.PersonWorkshopsTab"),
        ),
        PageSpec(
            "invoices",
            shell.AREA_INVOICES,
            _lazy("ui.pages.invoices_page.InvoicesPage"),
            ("invoice",),
            (shell.PERSON_TAB_INVOICING, "ui.pages.person_invoicing_tab.PersonInvoicingTab"),
        ),
        PageSpec("sync", shell.AREA_SYNC, _lazy("ui.pages.sync_page.SyncPage")),
        PageSpec("dashboard", shell.AREA_DASHBOARD, _lazy("ui.pages.dashboard_page.DashboardPage")),
        PageSpec("options", shell.AREA_OPTIONS, _lazy("ui.pages.options_page.OptionsPage")),
    ]


def permanence_choices(uow: UnitOfWorkFactory) -> list[tuple[str, str]]:
    """(label, id) of each permanence for the status bar's « permanence du jour »; safe
    off the GUI thread (the launch reads them on the database worker)."""
    from app.reference import reference

    antennes = {a.id: a.name for a in reference.list_antennes(uow)}
    return [
        (
            shell.PERMANENCE_OF_ANTENNE.format(
                town=p.town, antenne=antennes.get(p.antenne_id, "?")
            ),
            p.id,
        )
        for p in reference.list_permanences(uow)
    ]

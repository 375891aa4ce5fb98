"""Open every page and every dialog of the app on a screen of a given size; report what does
not fit, and optionally save a PNG of each.

Run as a program so that the screen size is real: Qt's offscreen platform takes its screens
from a JSON file (``offscreen:configfile=...``), which must be chosen before the
QApplication exists — hence a process per screen size (tests/ui/test_screen_fit.py)::

    python -m tests.ui.screen_tour --width 1366 --height 728 [--shots DIR]

A 1366×768 laptop with a 40 px taskbar leaves 1366×728 to windows; 1280×720 at 125 %
leaves about 1280×680. Prints one JSON object: the windows checked and the problems found.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any


def _configure_screen(width: int, height: int, folder: Path) -> None:
    config = folder / "screen.json"
    screen = {"name": "Laptop", "x": 0, "y": 0, "width": width, "height": height}
    config.write_text(json.dumps({"screens": [{**screen, "logicalDpi": 96, "dpr": 1}]}))
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={config}"


def _problems(window: Any, name: str) -> list[str]:
    """What a person could not reach: a window larger than the screen's free area, or a
    visible button outside its window (buttons inside a scroll area count as reachable)."""
    from PySide6.QtWidgets import QAbstractButton, QAbstractScrollArea, QApplication

    found: list[str] = []
    available = window.screen().availableGeometry()
    frame = window.frameGeometry()
    if frame.width() > available.width() or frame.height() > available.height():
        found.append(f"{name}: {frame.width()}×{frame.height()} > {available.width()}×"
                     f"{available.height()}")  # fmt: skip
    elif not available.contains(frame):
        found.append(f"{name}: placed at {frame.x()},{frame.y()} off the screen")
    area = window.rect()
    for button in window.findChildren(QAbstractButton):
        if not button.isVisibleTo(window) or button.window() is not window:
            continue
        parent, scrolled = button.parentWidget(), False
        while parent is not None and parent is not window:
            if isinstance(parent, QAbstractScrollArea):
                scrolled = True
                break
            parent = parent.parentWidget()
        if scrolled:
            continue
        top_left = button.mapTo(window, button.rect().topLeft())
        bottom_right = button.mapTo(window, button.rect().bottomRight())
        if not (area.contains(top_left) and area.contains(bottom_right)):
            label = button.text() or button.toolTip() or button.objectName() or "?"
            found.append(f"{name}: button « {label} » outside the window")
    QApplication.processEvents()
    return found


def _ids(profile: Any) -> dict[str, str]:
    from sqlalchemy import select

    from app.models import ActivitySlot, IntakeInterview, Invoice, Person

    with profile.uow() as uow:
        s = uow.session
        intake = s.scalars(select(IntakeInterview).limit(1)).one()
        issued = s.scalars(select(Invoice).where(Invoice.status == "emise").limit(1)).one()
        draft = s.scalars(select(Invoice).where(Invoice.status == "brouillon").limit(1)).first()
        slot = s.scalars(select(ActivitySlot).limit(1)).one()
        any_person = s.scalars(select(Person).limit(1)).one()
        return {
            "person": intake.person_id,
            "intake": intake.id,
            "issued": issued.id,
            "issued_number": issued.number or "",
            "entrepreneur": issued.entrepreneur_id,
            "draft": draft.id if draft is not None else issued.id,
            "activity": slot.activity_id,
            "other_person": any_person.id,
        }


def _dialogs(ctx: Any, window: Any, ids: dict[str, str]) -> Iterator[tuple[str, Callable[[], Any]]]:
    from app.indicators.drilldown import FigureRef
    from ui.dialogs.appointment_dialog import AppointmentDialog
    from ui.dialogs.cae_identity_dialog import CaeIdentityDialog
    from ui.dialogs.client_dialog import ClientDialog
    from ui.dialogs.drilldown_dialog import DrillDownDialog
    from ui.dialogs.first_run_dialog import FirstRunDialog
    from ui.dialogs.followup_dialog import FollowupDialog
    from ui.dialogs.intake_dialog import IntakeDialog
    from ui.dialogs.invoice_dialog import InvoiceDialog
    from ui.dialogs.passphrase_dialog import PassphraseDialog
    from ui.dialogs.payment_dialog import PaymentDialog
    from ui.dialogs.person_dialog import PersonDialog
    from ui.dialogs.stage_dialog import StageDialog
    from ui.dialogs.workshop_catalogue_dialog import WorkshopCatalogueDialog
    from ui.dialogs.workshop_session_dialog import WorkshopSessionDialog

    person = ids["person"]
    yield "person_new", lambda: PersonDialog(ctx, parent=window)
    yield "intake_new", lambda: IntakeDialog(ctx, ids["other_person"], parent=window)
    yield "intake_existing", lambda: IntakeDialog(ctx, person, ids["intake"], window)
    yield "followup_new", lambda: FollowupDialog(ctx, person, parent=window)
    yield "stage_new", lambda: StageDialog(ctx, person, parent=window)
    yield "appointment_new", lambda: AppointmentDialog(ctx, person, parent=window)
    yield "invoice_new", lambda: InvoiceDialog(ctx, entrepreneur_id=ids["entrepreneur"],
                                               parent=window)  # fmt: skip
    yield "invoice_draft", lambda: InvoiceDialog(ctx, ids["draft"], parent=window)
    yield "invoice_issued", lambda: InvoiceDialog(ctx, ids["issued"], parent=window)
    yield "payment", lambda: PaymentDialog(ctx, ids["issued"], ids["issued_number"], window)
    yield "client_new", lambda: ClientDialog(ctx, ids["entrepreneur"], parent=window)
    yield "cae_identity", lambda: CaeIdentityDialog(ctx, window)
    yield "workshop_catalogue", lambda: WorkshopCatalogueDialog(ctx, window)
    yield "workshop_session_new", lambda: WorkshopSessionDialog(ctx, parent=window)
    page = window.pages["dashboard"]
    yield "drilldown", lambda: DrillDownDialog(ctx, "Personnes accompagnées", page.data.filters,
                                               FigureRef("accompanied"), window)  # fmt: skip
    yield "first_run", lambda: FirstRunDialog(Path(tempfile.mkdtemp()) / "profil")
    yield "passphrase", lambda: PassphraseDialog("Démonstration")


def dark_palette() -> Any:
    """A dark desktop theme (as KDE's Breeze Dark or Windows' dark mode give Qt)."""
    from PySide6.QtGui import QColor, QPalette

    colours = QPalette()
    for role, value in (
        (QPalette.ColorRole.Window, "#2d2d2d"),
        (QPalette.ColorRole.WindowText, "#eeeeee"),
        (QPalette.ColorRole.Base, "#1e1e1e"),
        (QPalette.ColorRole.AlternateBase, "#333333"),
        (QPalette.ColorRole.Text, "#eeeeee"),
        (QPalette.ColorRole.Button, "#3a3a3a"),
        (QPalette.ColorRole.ButtonText, "#eeeeee"),
        (QPalette.ColorRole.Light, "#505050"),
        (QPalette.ColorRole.Midlight, "#444444"),
        (QPalette.ColorRole.Mid, "#6a6a6a"),
        (QPalette.ColorRole.Dark, "#202020"),
        (QPalette.ColorRole.Highlight, "#3d6fb6"),
        (QPalette.ColorRole.HighlightedText, "#ffffff"),
        (QPalette.ColorRole.ToolTipBase, "#3a3a3a"),
        (QPalette.ColorRole.ToolTipText, "#eeeeee"),
        (QPalette.ColorRole.PlaceholderText, "#9a9a9a"),
    ):
        colours.setColor(role, QColor(value))
    disabled = QPalette.ColorGroup.Disabled
    for role in (
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
    ):
        colours.setColor(disabled, role, QColor("#7f7f7f"))
    return colours


def tour(width: int, height: int, shots: Path | None, dark: bool = False) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="permanence-tour-"))
    _configure_screen(width, height, work)
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from app.demo.generator import generate
    from app.profile import open_profile
    from ui.context import AppContext, ChangeHub
    from ui.launcher import make_application
    from ui.main_window import MainWindow
    from ui.pages.people_area import PeopleArea
    from ui.pages.workshops_page import WorkshopsPage
    from ui.tasks import TaskManager

    # Remembered window sizes of this run stay in the run's folder.
    for kind in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(kind, QSettings.Scope.UserScope, str(work / "settings"))
    app = make_application([sys.argv[0]])
    assert isinstance(app, QApplication)
    if dark:
        app.setPalette(dark_palette())
    generate(work / "profil", "demo")
    profile = open_profile(work / "profil")
    ctx = AppContext(profile=profile, tasks=TaskManager(), hub=ChangeHub())
    checked: list[str] = []
    problems: list[str] = []

    def check(widget: Any, name: str) -> None:
        widget.show()
        for _ in range(3):
            app.processEvents()
        ctx.tasks.wait_idle()
        app.processEvents()
        checked.append(name)
        problems.extend(_problems(widget, name))
        if shots is not None:
            widget.grab().save(str(shots / f"{len(checked):02d}-{name}.png"))

    try:
        window = MainWindow(ctx)
        window.show()
        for key in window.pages:
            window.show_page(key)
            check(window, f"page_{key}")
        ids = _ids(profile)
        window.open_item("person", ids["person"])
        people = window.pages["persons"]
        assert isinstance(people, PeopleArea)
        detail = people.detail_page
        for index in range(detail.tabs.count()):
            detail.tabs.setCurrentIndex(index)
            check(window, f"person_tab_{index}")
        window.show_page("workshops")
        workshops = window.pages["workshops"]
        assert isinstance(workshops, WorkshopsPage)
        workshops.open_item("activity", ids["activity"])
        check(window, "workshop_session")
        for name, make in _dialogs(ctx, window, ids):
            dialog = make()
            check(dialog, name)
            dialog.close()
            dialog.deleteLater()
        window.close()
    finally:
        ctx.tasks.wait_idle()
        profile.close()
    return {"screen": f"{width}x{height}", "checked": checked, "problems": problems}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--width", type=int, default=1366)
    parser.add_argument("--height", type=int, default=728)
    parser.add_argument("--shots", type=Path, default=None, help="folder for the PNGs")
    parser.add_argument("--dark", action="store_true", help="a dark system palette")
    args = parser.parse_args()
    if args.shots is not None:
        args.shots.mkdir(parents=True, exist_ok=True)
    print(json.dumps(tour(args.width, args.height, args.shots, args.dark), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())

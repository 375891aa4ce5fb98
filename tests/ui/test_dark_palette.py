"""A dark system palette keeps the contrast (issue 14, item 10): error, warning and muted
texts of real widgets, the attendance grid's cells and the style sheets follow the
palette in use, measured as WCAG contrast ratios (AA: 4.5:1 for text)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QLineEdit

from ui import style
from ui.resources import resources_dir

AA_TEXT = 4.5


def _luminance(colour: QColor) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(colour.red())
        + 0.7152 * channel(colour.green())
        + 0.0722 * channel(colour.blue())
    )


def contrast(a: QColor, b: QColor) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _dark() -> QPalette:
    colours = QPalette()
    for role, value in (
        (QPalette.ColorRole.Window, "#2d2d2d"),
        (QPalette.ColorRole.WindowText, "#eeeeee"),
        (QPalette.ColorRole.Base, "#1e1e1e"),
        (QPalette.ColorRole.AlternateBase, "#333333"),
        (QPalette.ColorRole.Text, "#eeeeee"),
        (QPalette.ColorRole.Button, "#3a3a3a"),
        (QPalette.ColorRole.ButtonText, "#eeeeee"),
        (QPalette.ColorRole.Highlight, "#3d6fb6"),
        (QPalette.ColorRole.HighlightedText, "#ffffff"),
    ):
        colours.setColor(role, QColor(value))
    return colours


def _light() -> QPalette:
    colours = QPalette()
    for role, value in (
        (QPalette.ColorRole.Window, "#efefef"),
        (QPalette.ColorRole.WindowText, "#000000"),
        (QPalette.ColorRole.Base, "#ffffff"),
        (QPalette.ColorRole.Text, "#000000"),
    ):
        colours.setColor(role, QColor(value))
    return colours


@pytest.fixture(params=["dark", "light"])
def system_palette(request: pytest.FixtureRequest, qapp) -> Iterator[QPalette]:
    saved = QGuiApplication.palette()
    colours = _dark() if request.param == "dark" else _light()
    QGuiApplication.setPalette(colours)
    yield colours
    QGuiApplication.setPalette(saved)


def _sheet_colour(sheet: str) -> QColor:
    found = re.search(r"color: (#[0-9a-fA-F]{6})", sheet)
    assert found, sheet
    return QColor(found.group(1))


def test_meaningful_colours_keep_their_contrast(qtbot, system_palette: QPalette) -> None:
    from ui.dialogs.passphrase_dialog import PassphraseDialog
    from ui.widgets.forms import FieldWithError, general_error_label

    window = system_palette.color(QPalette.ColorRole.Window)
    field = FieldWithError(QLineEdit())
    qtbot.addWidget(field)
    field.set_error("Date invalide.")
    general = general_error_label(field)
    asking = PassphraseDialog("Langres", "Phrase de passe incorrecte.")
    qtbot.addWidget(asking)
    for sheet in (field.error_label.styleSheet(), general.styleSheet(), asking.error.styleSheet(),
                  style.warning_css(), style.muted_css()):  # fmt: skip
        assert contrast(_sheet_colour(sheet), window) >= AA_TEXT, sheet
    assert style.is_dark() == (window.lightness() < 128)


def test_attendance_cells_are_dark_text_on_pastel(system_palette: QPalette) -> None:
    from ui.widgets.attendance_grid import COLORS, NOT_STARTED

    text = style.ON_PASTEL
    for background in (*COLORS.values(), NOT_STARTED):
        assert contrast(text, background) >= AA_TEXT, background.name()


def test_style_sheets_name_palette_roles_not_colours() -> None:
    for sheet in sorted((resources_dir() / "style").glob("*.qss")):
        text = sheet.read_text(encoding="utf-8")
        assert not re.search(r"#[0-9a-fA-F]{3,6}\b|rgb\(", text), sheet.name
        assert "palette(" in text, sheet.name


def test_attendance_model_paints_dark_text_on_its_pastel_cells(system_palette: QPalette) -> None:
    from app.workshops.workshop_values import RegistrationInfo, SlotInfo
    from ui.widgets.attendance_grid import AttendanceModel

    when = dt.datetime(2026, 11, 26, 9, 0)
    model = AttendanceModel()
    model.people = [
        RegistrationInfo("r1", "a1", "p1", "Mme", "Martin", "Jeanne", "registered", when)
    ]
    model.slots = [
        SlotInfo("past", when - dt.timedelta(days=1), when - dt.timedelta(days=1, hours=-3)),
        SlotInfo("future", when + dt.timedelta(days=1), when + dt.timedelta(days=1, hours=3)),
    ]
    model.states = {("past", "p1"): "present"}
    model.now = when
    for column in (1, 2):
        index = model.index(0, column)
        background = model.data(index, Qt.ItemDataRole.BackgroundRole).color()
        text = model.data(index, Qt.ItemDataRole.ForegroundRole).color()
        assert contrast(text, background) >= AA_TEXT, (column, text.name(), background.name())

"""Every page and every dialog fits a laptop screen: the window inside the screen's free
area, every visible button inside its window (fields may scroll, buttons may not)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Pages, the person record's tabs, the workshop panel and the 17 dialogs of the tour.
WINDOWS_IN_THE_TOUR = 31


def _tour(width: int, height: int) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    command = [sys.executable, "-m", "tests.ui.screen_tour"]
    command += ["--width", str(width), "--height", str(height)]
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=240, check=True
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.parametrize(
    ("width", "height"),
    [(1366, 768 - 40), (1280, 720 - 40)],  # a taskbar of 40 px; 1280×720 is 125 % of 1600×900
)
def test_every_page_and_dialog_fits_a_laptop_screen(width: int, height: int) -> None:
    result = _tour(width, height)
    assert result["screen"] == f"{width}x{height}"
    assert len(result["checked"]) == WINDOWS_IN_THE_TOUR
    assert result["problems"] == []


def test_the_tour_sees_a_window_taller_than_the_screen() -> None:
    # The check itself: on a netbook-sized screen the person record cannot fit in width.
    result = _tour(1024, 560)
    assert any("page_" in p or "person_tab" in p for p in result["problems"])


def test_a_dialog_reopens_at_the_size_it_was_left(qtbot) -> None:
    from PySide6.QtWidgets import QDialog

    from ui.widgets.screen import remember_geometry

    first = QDialog()
    qtbot.addWidget(first)
    remember_geometry(first, "essai", 700, 500)
    first.show()
    first.resize(610, 430)
    first.close()
    again = QDialog()
    qtbot.addWidget(again)
    remember_geometry(again, "essai", 700, 500)
    assert (again.width(), again.height()) == (610, 430)
    other = QDialog()
    qtbot.addWidget(other)
    remember_geometry(other, "autre", 700, 500)
    assert other.width() == min(700, other.screen().availableGeometry().width() - 16)

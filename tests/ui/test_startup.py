"""Start-up: the main window is on screen before the data layer is loaded, then the
profile opens behind it; a profile that cannot be opened says why, a wrong passphrase is
asked again."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLineEdit, QMessageBox

from app.config import ProfileSettings
from app.models import Person
from app.profile import create_profile, open_profile
from ui.context import ChangeHub
from ui.dialogs.passphrase_dialog import PassphraseDialog
from ui.main_window import MainWindow
from ui.opening import ProfileOpening
from ui.tasks import TaskManager

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def closed_profile(tmp_path: Path) -> Path:
    root = tmp_path / "profil"
    profile = create_profile(root, ProfileSettings(display_name="Langres"))
    with profile.uow() as uow:
        uow.session.add_all(
            [
                Person(first_name="Hélène", last_name="Dupré"),
                Person(first_name="Zoé", last_name="Perrin"),
            ]
        )
        uow.commit()
    profile.close()
    return root


@pytest.fixture
def tasks(qapp) -> Iterator[TaskManager]:
    manager = TaskManager()
    yield manager
    manager.wait_idle()


def _opening_window(qtbot, root: Path, tasks: TaskManager, passphrase: str | None = None):
    window = MainWindow(profile_name="Langres")
    qtbot.addWidget(window)
    opening = ProfileOpening(window, root, "Langres", passphrase, tasks, ChangeHub())
    return window, opening


def _answer_next_modal(action) -> list[str]:
    """Run ``action`` on the next modal dialog (a real one, offscreen); returns the texts
    seen, so the test can check what the user was told."""
    seen: list[str] = []

    def poll() -> None:
        modal = QApplication.activeModalWidget()
        if modal is None:
            QTimer.singleShot(20, poll)
            return
        if isinstance(modal, QMessageBox):
            seen.append(modal.text())
        else:
            assert isinstance(modal, PassphraseDialog), modal
            seen.append(modal.error.text())
        action(modal)

    QTimer.singleShot(20, poll)
    return seen


def test_window_is_shown_before_the_profile_opens_then_filled(qtbot, closed_profile, tasks) -> None:
    window, opening = _opening_window(qtbot, closed_profile, tasks)
    window.show()
    assert window.attached is None
    assert window.opening_label.text() == "Ouverture du profil…"
    assert window.stack.currentWidget() is window.opening_label
    assert not window.nav.isEnabled()
    assert "Profil : Langres" in window.profile_label.text()
    assert window.date_label.text()[:1].isupper()
    with qtbot.waitSignal(window.ready, timeout=20000):
        opening.start()
    assert window.attached is not None
    assert window.nav.isEnabled()
    page = window.pages["persons"]
    assert window.stack.currentWidget() is page
    assert page.model.rowCount() == 2
    assert window.permanence_combo.count() > 1  # the permanences of the CAE
    window.close()
    opening.profile.close()


def test_locked_profile_says_so_and_the_app_stops(
    qtbot, closed_profile, tasks, monkeypatch
) -> None:
    other_instance = open_profile(closed_profile)
    try:
        exits: list[int] = []
        monkeypatch.setattr(QApplication, "exit", staticmethod(exits.append))
        window, opening = _opening_window(qtbot, closed_profile, tasks)
        window.show()
        seen = _answer_next_modal(lambda box: box.accept())
        opening.start()
        qtbot.waitUntil(lambda: exits == [1], timeout=20000)
        assert "déjà ouvert" in seen[0], seen
        assert window.attached is None and opening.profile is None
    finally:
        other_instance.close()


def test_wrong_passphrase_is_asked_again(qtbot, tmp_path, tasks) -> None:
    root = tmp_path / "chiffre"
    create_profile(
        root, ProfileSettings(display_name="Langres", encrypted=True), passphrase="Vouziers 2026!"
    ).close()
    window, opening = _opening_window(qtbot, root, tasks, passphrase="mauvaise phrase")
    window.show()

    def type_right_passphrase(dialog: PassphraseDialog) -> None:
        field = dialog.findChild(QLineEdit)
        assert field is not None
        field.setText("Vouziers 2026!")
        dialog.accept()

    seen = _answer_next_modal(type_right_passphrase)
    with qtbot.waitSignal(window.ready, timeout=30000):
        opening.start()
    assert seen and seen[0]  # the dialog came back with the reason
    assert window.attached is not None
    window.close()
    opening.profile.close()


def test_showing_the_window_does_not_load_the_data_layer() -> None:
    # What makes start-up fast: the launcher, the window and the opening controller import
    # Qt only; SQLAlchemy and the models are loaded on the worker thread, behind the window.
    code = (
        "import sys, ui.launcher, ui.main_window, ui.opening, ui.context, "
        "ui.dialogs.passphrase_dialog\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'sqlalchemy', 'alembic', 'babel', 'httpx', 'reportlab'} or m.startswith('app.models'))\n"
        "print(heavy)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_self_test_opens_a_fresh_profile_behind_the_window_and_visits_every_page(
    tmp_path: Path,
) -> None:
    # What CI runs on the bundle; here from the sources, in a fresh process.
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PERMANENCE_HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "app", "--self-test"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert (done.returncode, done.stdout.strip()) == (0, "ok"), done.stderr
    assert not any(tmp_path.iterdir())  # the user's profiles were not touched

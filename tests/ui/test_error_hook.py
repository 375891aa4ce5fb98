"""Nothing silent (issue 14, item 6): a failure in background work, an exception in a slot
or in a thread is written to the profile's log and shown in French, with « Copier le
détail ». The dialogs are real (offscreen) and answered as a person would."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from app.errors import PermanenceError
from app.profile import Profile
from ui import error_hook
from ui.context import AppContext


@pytest.fixture
def hook(qapp) -> Iterator[error_hook.ErrorReporter]:
    reporter = error_hook.install()
    yield reporter
    error_hook.uninstall()


@dataclass
class Seen:
    title: str
    text: str
    detail: str
    answered: bool = False


def _answer_next_box(act: Callable[[QMessageBox], None]) -> list[Seen]:
    """Run ``act`` on the next modal message box once it shows; returns what it said."""
    seen: list[Seen] = []

    def poll() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, poll)
            return
        seen.append(Seen(box.windowTitle(), box.text(), box.detailedText()))
        act(box)
        seen[0].answered = True

    QTimer.singleShot(0, poll)
    return seen


def _copy_then_close(box: QMessageBox) -> None:
    copy = next(b for b in box.buttons() if b.text() == error_hook.COPY_DETAIL)
    copy.click()
    assert box.isVisible(), "copying the detail must not close the box"
    ok = box.button(QMessageBox.StandardButton.Ok)
    assert ok is not None
    ok.click()


def _log_text(profile: Profile) -> str:
    return (profile.paths.logs / "permanence.log").read_text(encoding="utf-8")


def _fail_in_background() -> None:
    raise ZeroDivisionError("division du solde par zéro")


@pytest.mark.qt_no_exception_capture
def test_background_failure_nobody_handles_is_shown_with_its_detail(
    qtbot, ctx: AppContext, hook: error_hook.ErrorReporter
) -> None:
    seen = _answer_next_box(_copy_then_close)
    ctx.tasks.run_db(_fail_in_background)  # no on_error, no window: the hook shows it
    qtbot.waitUntil(lambda: bool(seen) and seen[0].answered, timeout=30000)
    box = seen[0]
    assert box.title == error_hook.UNEXPECTED_TITLE
    assert "erreur inattendue" in box.text
    copied = QApplication.clipboard().text()
    assert "ZeroDivisionError: division du solde par zéro" in copied
    assert "_fail_in_background" in copied
    assert "ZeroDivisionError" in _log_text(ctx.profile)


@pytest.mark.qt_no_exception_capture
def test_background_failure_in_the_window_is_shown(qtbot, ctx: AppContext, hook) -> None:
    from ui.main_window import MainWindow

    window = MainWindow(ctx)
    qtbot.addWidget(window)
    seen = _answer_next_box(_copy_then_close)
    ctx.tasks.run_db(_fail_in_background)
    qtbot.waitUntil(lambda: bool(seen) and seen[0].answered, timeout=30000)
    assert seen[0].title == error_hook.UNEXPECTED_TITLE
    assert "division du solde par zéro" in QApplication.clipboard().text()
    # A refusal the core raises on purpose gets its French words, no traceback.
    refused = _answer_next_box(lambda box: box.accept())

    def refuse() -> None:
        raise PermanenceError("not_found")

    ctx.tasks.run_db(refuse)
    qtbot.waitUntil(lambda: bool(refused) and refused[0].answered, timeout=30000)
    assert refused[0].text == "L'élément demandé n'existe pas ou a été supprimé."
    assert not refused[0].detail
    window.close()


@pytest.mark.qt_no_exception_capture
def test_exception_in_a_slot_shows_the_dialog_and_is_logged(
    qtbot, ctx: AppContext, hook: error_hook.ErrorReporter
) -> None:
    button = QPushButton("Valider")
    qtbot.addWidget(button)

    def broken_slot() -> None:
        raise KeyError("ligne_introuvable")

    button.clicked.connect(broken_slot)
    seen = _answer_next_box(lambda box: box.accept())
    button.click()
    qtbot.waitUntil(lambda: bool(seen) and seen[0].answered, timeout=30000)
    assert seen[0].title == error_hook.UNEXPECTED_TITLE
    assert "broken_slot" in seen[0].detail
    assert "ligne_introuvable" in _log_text(ctx.profile)


@pytest.mark.qt_no_exception_capture
def test_exception_ending_a_thread_is_shown_once(qtbot, hook: error_hook.ErrorReporter) -> None:
    def broken() -> None:
        raise RuntimeError("fil perdu")

    seen = _answer_next_box(lambda box: box.accept())
    threads = [threading.Thread(target=broken) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    qtbot.waitUntil(lambda: bool(seen) and seen[0].answered, timeout=30000)
    assert "RuntimeError: fil perdu" in seen[0].detail
    # Three identical failures queued while none was shown yet: one dialog, not three.
    qtbot.wait(200)
    assert QApplication.activeModalWidget() is None
    assert len(hook.shown) == 1

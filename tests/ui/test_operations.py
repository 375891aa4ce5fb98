"""Typed background operations (ui/operations.py, issue 14 item 6): the op runs off the GUI
thread, its typed result comes back on it, the triggering widget is disabled meanwhile,
a write's typed change notice reaches the hub once, and failures are shown in French.
Real widgets, a real task manager, real message boxes answered as a person would."""

from __future__ import annotations

import sys
import threading

from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton, QWidget

from app.changes import Changes
from app.errors import NotFoundError
from tests.ui.clicks import answer_next_question
from ui.context import AppContext
from ui.operations import CollectionOp, QueryOp


def _notices(ctx: AppContext) -> list[Changes]:
    seen: list[Changes] = []
    ctx.hub.changed.connect(seen.append)
    return seen


def test_a_query_runs_off_the_gui_thread_and_returns_its_typed_result(qtbot, ctx) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    button = QPushButton("Chercher", parent)
    release = threading.Event()
    threads: list[QThread] = []
    results: list[int] = []

    def op() -> int:
        threads.append(QThread.currentThread())
        release.wait(30)
        return 41 + 1

    QueryOp(ctx, parent=parent, op=op, success=results.append, busy=button).run_in_background()
    qtbot.waitUntil(lambda: bool(threads), timeout=10000)
    assert not button.isEnabled()  # no second click while it runs
    assert threads[0] is not QApplication.instance().thread()  # type: ignore[union-attr]
    release.set()
    assert ctx.tasks.settle()
    assert results == [42]
    assert button.isEnabled()


def test_a_write_sends_its_typed_changes_once_with_what_its_follow_up_added(qtbot, ctx) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    seen = _notices(ctx)
    shown: list[str] = []

    def success(value: str) -> Changes:
        shown.append(value)
        assert not seen, "the notice goes after the success callback, once"
        return Changes(persons=True)

    CollectionOp(
        ctx, parent=parent, op=lambda: "écrit", changes=Changes(attendance=True), success=success
    ).run_in_background()
    assert not parent.isEnabled()  # the triggering widget, by default
    assert ctx.tasks.settle()
    assert shown == ["écrit"]
    assert [c.names() for c in seen] == [{"attendance", "persons"}]
    assert parent.isEnabled()


def test_a_refusal_without_a_handler_is_shown_in_french(qtbot, ctx) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    seen = _notices(ctx)
    texts = answer_next_question(QMessageBox.StandardButton.Ok)

    def refused() -> None:
        raise NotFoundError("not_found")

    CollectionOp(ctx, parent=parent, op=refused, changes=Changes(invoices=True)).run_in_background()
    assert ctx.tasks.settle()
    assert texts == ["L'élément demandé n'existe pas ou a été supprimé."]
    assert seen == []  # nothing was written, nothing announced
    assert parent.isEnabled()


def test_a_refusal_goes_to_the_failure_handler_when_there_is_one(qtbot, ctx) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    failures: list[str] = []

    def refused() -> int:
        raise NotFoundError("not_found")

    QueryOp(ctx, parent=parent, op=refused, success=lambda _n: None).failure(
        lambda error: failures.append(getattr(error, "code", ""))
    ).run_in_background()
    assert ctx.tasks.settle()
    assert failures == ["not_found"]


def test_an_unexpected_failure_is_shown_even_with_a_failure_handler(qtbot, ctx) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    failures: list[BaseException] = []
    texts = answer_next_question(QMessageBox.StandardButton.Ok)

    def broken() -> int:
        raise ZeroDivisionError("division by zero")

    QueryOp(ctx, parent=parent, op=broken, success=lambda _n: None).failure(
        failures.append
    ).run_in_background()
    assert ctx.tasks.settle()
    assert failures == []
    assert texts and texts[0].startswith("Une erreur inattendue s'est produite.")


def test_a_closed_window_gets_no_callback_but_its_write_is_still_announced(qtbot, ctx) -> None:
    parent = QWidget()
    release = threading.Event()
    called: list[str] = []
    seen = _notices(ctx)

    def op() -> str:
        release.wait(30)
        return "fait"

    CollectionOp(
        ctx, parent=parent, op=op, changes=Changes(workshops=True), success=called.append
    ).run_in_background()
    parent.deleteLater()
    qtbot.waitUntil(lambda: not _alive(parent), timeout=10000)
    release.set()
    assert ctx.tasks.settle()
    assert called == []
    assert [c.names() for c in seen] == [{"workshops"}]


def _alive(widget: QWidget) -> bool:
    import shiboken6

    return shiboken6.isValid(widget)


def test_a_read_whose_widget_was_deleted_delivers_nothing_and_raises_nothing(qtbot, ctx) -> None:
    """A status label closed while its read runs (the sync status at the window's end):
    the result is dropped instead of calling into a deleted Qt object."""
    from PySide6.QtWidgets import QLabel

    release = threading.Event()
    label = QLabel()

    def read() -> str:
        release.wait(30)
        return "à jour"

    ctx.tasks.run_db(read, label.setText)
    label.deleteLater()
    qtbot.waitUntil(lambda: not _alive(label), timeout=10000)
    release.set()
    assert ctx.tasks.settle()


def test_while_work_runs_the_window_takes_the_interpreter_back_within_a_millisecond(
    qtbot, ctx
) -> None:
    """A worker busy in Python (decoding a sync page, drawing a PDF) must not keep the GUI
    thread waiting CPython's 5 ms each time it wants the interpreter back (ui/tasks.py)."""
    idle = sys.getswitchinterval()
    release = threading.Event()
    seen: list[float] = []

    def op() -> float:
        release.wait(30)
        return sys.getswitchinterval()

    QueryOp(ctx, parent=None, op=op, success=seen.append).run_in_background()
    assert sys.getswitchinterval() <= 0.001
    release.set()
    qtbot.waitUntil(lambda: bool(seen), timeout=10000)
    assert seen[0] <= 0.001
    assert sys.getswitchinterval() == idle  # back to the usual once the work is over

"""The signing screen writes each signature on the database worker (issue 14's leftover;
docs/signing.md): the frame, the names and the buttons greyed while it is saved, the
window turning meanwhile; a refusal said in French under the frame; closing the dialog
while a signature is written waits for it, so nothing taken is lost."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog

from app.workshops import registrations, signature_store, workshops
from app.workshops.workshop_values import SessionDetail
from tests.ui.test_people_never_wait import Writer
from tests.ui.test_signing_dialog import IN_MORNING, draw_with_mouse
from tests.workshops_support import add_persons, new_session
from ui.dialogs.signing_dialog import SigningDialog
from ui.texts import ateliers


@pytest.fixture
def detail(ctx, pinned_clock) -> SessionDetail:
    """A workshop half-day open for signing now, three persons registered."""
    pinned_clock.set(IN_MORNING)
    activity_id = new_session(ctx.uow)
    for person_id in add_persons(ctx.uow, 3):
        registrations.register_person(ctx.uow, activity_id, person_id)
    return workshops.get_session(ctx.uow, activity_id)


def _dialog(qtbot, ctx, detail: SessionDetail) -> SigningDialog:
    dialog = SigningDialog(ctx, detail, detail.slots[0].id)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    assert QTest.qWaitForWindowActive(dialog)
    return dialog


def _stored(ctx, detail: SessionDetail) -> list[str]:
    rows = signature_store.stored_signatures(ctx.uow, detail.slots[0].id)
    return [row.signature.name for row in rows]


@contextmanager
def database_held(profile, ticks: list[int], release_at: int = 3) -> Iterator[Writer]:
    """A sync's write transaction held open on another thread: the signature's write
    waits for it. A timer on the GUI thread ends it after ``release_at`` turns of the
    event loop; had the write run on the GUI thread, the timer could never fire."""
    writer = Writer(profile).start()

    def tick() -> None:
        ticks[0] += 1
        if ticks[0] == release_at:
            writer.release()

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(tick)
    timer.start()
    try:
        yield writer
    finally:
        timer.stop()
        writer.join()


def test_the_frame_and_buttons_are_greyed_while_the_signature_is_written(
    qtbot, ctx, profile, detail
) -> None:
    dialog = _dialog(qtbot, ctx, detail)
    first = dialog.names.item(0).text()
    ticks = [0]
    signed_at: list[int] = []
    dialog.names.model().rowsRemoved.connect(lambda *_: signed_at.append(ticks[0]))
    draw_with_mouse(dialog.canvas, 1)
    with database_held(profile, ticks):
        qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
        assert dialog.writing
        greyed = (dialog.canvas, dialog.names, dialog.sign_button, dialog.clear_button)
        assert not any(w.isEnabled() for w in greyed)
        assert not dialog.trainer_button.isEnabled()
        assert dialog.message.text() == ateliers.SAVING_SIGNATURE.format(name=first)
        drawn = len(dialog.canvas.strokes())
        draw_with_mouse(dialog.canvas, 2)  # the pad takes no ink while it saves
        assert len(dialog.canvas.strokes()) == drawn
        qtbot.waitUntil(lambda: not dialog.writing, timeout=20000)
    assert signed_at and signed_at[0] >= 3  # the window turned while it was written
    assert dialog.message.text() == ateliers.THANKS_SIGNED.format(name=first)
    assert _stored(ctx, detail) == [first]
    assert all(w.isEnabled() for w in greyed) and dialog.canvas.is_empty()
    assert dialog.names.count() == 2


def test_a_refusal_is_said_in_french_under_the_frame(qtbot, ctx, detail) -> None:
    dialog = _dialog(qtbot, ctx, detail)
    draw_with_mouse(dialog.canvas, 1)
    qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    assert ctx.tasks.settle()
    draw_with_mouse(dialog.canvas, 1)  # the very same strokes for the next person
    qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    assert ctx.tasks.settle()
    assert "Signature refusée : elle est identique à celle de" in dialog.message.text()
    assert dialog.canvas.is_empty() and dialog.canvas.isEnabled()  # cleared to sign again
    frame, said = dialog.canvas.geometry(), dialog.message.geometry()
    assert said.top() >= frame.bottom() and said.left() < frame.right()
    assert said.right() > frame.left()  # under the frame, in its column
    assert len(_stored(ctx, detail)) == 1


def test_closing_while_a_signature_is_written_waits_for_it(qtbot, ctx, profile, detail) -> None:
    dialog = _dialog(qtbot, ctx, detail)
    first = dialog.names.item(0).text()
    draw_with_mouse(dialog.canvas, 1)
    ticks = [0]
    with database_held(profile, ticks):
        qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
        qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)  # « Fermer »
        assert dialog.isVisible()
        assert dialog.message.text() == ateliers.CLOSING_AFTER_SAVING
        qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=20000)
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert _stored(ctx, detail) == [first]  # written, then closed


def test_a_close_asked_before_a_refusal_leaves_the_reason_on_screen(qtbot, ctx, detail) -> None:
    dialog = _dialog(qtbot, ctx, detail)
    draw_with_mouse(dialog.canvas, 1)
    qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    assert ctx.tasks.settle()
    draw_with_mouse(dialog.canvas, 1)  # a copy: refused
    qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    dialog.close()  # the window's cross, while it is checked
    assert ctx.tasks.settle()
    QApplication.processEvents()  # the close asked is looked at once the write is over
    assert dialog.isVisible()
    assert "identique à celle de" in dialog.message.text()
    dialog.close()  # nothing being written: closes at once
    assert not dialog.isVisible()


def test_sign_with_the_keyboard_then_escape_while_the_last_one_is_written(
    qtbot, ctx, profile, detail
) -> None:
    """A name chosen with the arrows, Entrée validates (the default button), the next
    name is ready; Échap while the next signature is written closes once it is in."""
    dialog = _dialog(qtbot, ctx, detail)
    dialog.names.setFocus()
    second = dialog.names.item(1).text()
    qtbot.keyClick(dialog.names, Qt.Key.Key_Down)
    assert dialog.names.currentItem().text() == second
    draw_with_mouse(dialog.canvas, 1)  # the pen: the one thing not typed
    qtbot.keyClick(dialog.names, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.writing, timeout=20000)
    assert dialog.message.text() == ateliers.THANKS_SIGNED.format(name=second)
    assert dialog.names.count() == 2 and dialog.names.currentRow() == 0
    nxt = dialog.names.currentItem().text()
    assert dialog.focusWidget() is dialog.names  # given back once the write was over
    draw_with_mouse(dialog.canvas, 2)
    ticks = [0]
    with database_held(profile, ticks):
        qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Return)
        assert dialog.writing
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
        assert dialog.isVisible()
        qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=20000)
    assert _stored(ctx, detail) == [second, nxt]

"""The signing screen driven with synthetic pen strokes (mouse and tablet events), as a
participant and then the trainer would, on the laptop, without a network (issue 16)."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt, QTimer
from PySide6.QtGui import QInputDevice, QPointingDevice, QTabletEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app import clock
from app.errors import ConflictError
from app.workshops import registrations, workshops
from app.workshops.signing_seal import verify_sheet
from app.workshops.workshop_values import PRESENT, SessionDetail
from tests.workshops_support import DAY, add_persons, new_session
from ui.dialogs.signing_dialog import SignatureCanvas, SigningDialog
from ui.pages.workshop_session_panel import SessionPanel

IN_MORNING = dt.datetime.combine(DAY, dt.time(9, 40), tzinfo=clock.PARIS)


@pytest.fixture
def detail(ctx, pinned_clock) -> SessionDetail:
    pinned_clock.set(IN_MORNING)
    activity_id = new_session(ctx.uow)
    for person_id in add_persons(ctx.uow, 3):
        registrations.register_person(ctx.uow, activity_id, person_id)
    return workshops.get_session(ctx.uow, activity_id)


def _path(seed: int) -> list[QPoint]:
    return [
        QPoint(60 + i * 12, int(110 + 45 * math.sin(i / (2 + seed % 4) + seed))) for i in range(35)
    ]


def draw_with_mouse(canvas: SignatureCanvas, seed: int) -> None:
    """A stroke as the mouse draws it: press, moves with the button held, release."""
    points = _path(seed)
    QTest.mousePress(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, points[0])
    for point in points[1:]:
        QTest.mouseMove(canvas, point)
    QTest.mouseRelease(
        canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, points[-1]
    )


def draw_with_pen(canvas: SignatureCanvas, seed: int) -> None:
    """The same with a stylus: tablet press, moves and release, delivered as Qt events."""
    device = QPointingDevice(
        "stylet",
        1,
        QInputDevice.DeviceType.Stylus,
        QPointingDevice.PointerType.Pen,
        QInputDevice.Capability.Position | QInputDevice.Capability.Pressure,
        1,
        3,
    )
    points = _path(seed)
    kinds = [QTabletEvent.Type.TabletPress]
    kinds += [QTabletEvent.Type.TabletMove] * (len(points) - 2) + [QTabletEvent.Type.TabletRelease]
    for kind, point in zip(kinds, points, strict=True):
        local = QPointF(point)
        event = QTabletEvent(
            kind,
            device,
            local,
            QPointF(canvas.mapToGlobal(point)),
            0.6,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            Qt.KeyboardModifier.NoModifier,
            Qt.MouseButton.LeftButton,
            Qt.MouseButton.LeftButton,
        )
        QApplication.sendEvent(canvas, event)


def _dialog(qtbot, ctx, detail: SessionDetail) -> SigningDialog:
    dialog = SigningDialog(ctx, detail, detail.slots[0].id)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_each_participant_signs_then_the_trainer_and_the_sheet_is_sealed(
    qtbot, ctx, detail
) -> None:
    dialog = _dialog(qtbot, ctx, detail)
    assert dialog.isMaximized()
    assert dialog.names.count() == 3
    for seed in range(3):
        first = dialog.names.item(0).text()
        (draw_with_pen if seed == 1 else draw_with_mouse)(dialog.canvas, seed)
        assert not dialog.canvas.is_empty()
        qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
        assert ctx.tasks.settle()  # written off the GUI thread
        assert f"Merci, {first}" in dialog.message.text()
        # The next name is ready at once, with a clean frame.
        assert dialog.canvas.is_empty()
        assert dialog.names.count() == 2 - seed
    strokes = [s.strokes for s in dialog.session.signatures]
    assert [[len(stroke) for stroke in s] for s in strokes] == [[35]] * 3
    assert strokes[0][0][-1].t_ms >= strokes[0][0][0].t_ms  # timed from the first touch
    qtbot.mouseClick(dialog.trainer_button, Qt.MouseButton.LeftButton)
    assert "Claire Testeuse" in dialog.who.text()
    draw_with_mouse(dialog.canvas, 9)
    qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: dialog.sealed_path is not None, timeout=30000
    )  # sealed off the GUI thread
    assert dialog.sealed_path is not None and dialog.sealed_path.exists()
    assert "scellée" in dialog.message.text()
    assert not dialog.sign_button.isEnabled()
    assert verify_sheet(dialog.sealed_path.read_bytes()).intact
    after = workshops.get_session(ctx.uow, detail.id)
    assert all(after.state(detail.slots[0].id, p.person_id) == PRESENT for p in after.participants)


def test_a_copied_signature_and_an_empty_one_are_refused_in_french(qtbot, ctx, detail) -> None:
    dialog = _dialog(qtbot, ctx, detail)
    draw_with_mouse(dialog.canvas, 1)
    qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    assert ctx.tasks.settle()  # checked and written off the GUI thread
    first = dialog.session.signatures[0].name
    draw_with_mouse(dialog.canvas, 1)  # the very same strokes for the next person
    qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    assert ctx.tasks.settle()
    assert f"identique à celle de {first}" in dialog.message.text()
    assert len(dialog.session.signatures) == 1 and dialog.names.count() == 2
    qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)  # nothing drawn
    assert ctx.tasks.settle()
    assert "vide ou trop courte" in dialog.message.text()


def test_a_signature_after_the_window_closed_is_refused(qtbot, ctx, detail, pinned_clock) -> None:
    dialog = _dialog(qtbot, ctx, detail)
    pinned_clock.set(dt.datetime.combine(DAY, dt.time(13, 5), tzinfo=clock.PARIS))
    draw_with_mouse(dialog.canvas, 1)
    qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    assert ctx.tasks.settle()
    assert "que pendant la demi-journée" in dialog.message.text()
    assert "de 08:30 à 13:00" in dialog.message.text()
    assert dialog.session.signatures == []


def test_the_panel_opens_the_open_half_day_and_refuses_outside_any(
    qtbot, ctx, detail, pinned_clock
) -> None:
    panel = SessionPanel(ctx)
    qtbot.addWidget(panel)
    panel.load(detail.id)
    panel.clock = lambda: dt.datetime.combine(DAY, dt.time(13, 15))
    qtbot.mouseClick(panel.sign_button, Qt.MouseButton.LeftButton)
    assert "Aucune demi-journée" in panel.message.text()
    panel.clock = lambda: dt.datetime.combine(DAY, dt.time(9, 40))
    seen: list[str] = []

    def close_the_dialog() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, SigningDialog)
        seen.append(dialog.session.slot.id)
        dialog.reject()

    QTimer.singleShot(0, close_the_dialog)
    qtbot.mouseClick(panel.sign_button, Qt.MouseButton.LeftButton)
    assert seen == [detail.slots[0].id]


def test_a_sealed_half_day_cannot_be_opened_again(qtbot, ctx, detail) -> None:
    dialog = _dialog(qtbot, ctx, detail)
    draw_with_mouse(dialog.canvas, 1)
    qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    assert ctx.tasks.settle()
    qtbot.mouseClick(dialog.trainer_button, Qt.MouseButton.LeftButton)
    draw_with_mouse(dialog.canvas, 2)
    qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: dialog.sealed_path is not None, timeout=30000
    )  # sealed off the GUI thread
    assert dialog.sealed_path is not None
    with pytest.raises(ConflictError) as frozen:
        SigningDialog(ctx, detail, detail.slots[0].id)
    assert frozen.value.code == "slot_countersigned"  # frozen in the database (issue 16)


def test_the_panel_header_says_where_each_half_day_stands(qtbot, ctx, detail) -> None:
    """Signatures being taken, then closed and waiting for the siège's seal (issue 16)."""
    dialog = _dialog(qtbot, ctx, detail)
    draw_with_mouse(dialog.canvas, 1)
    qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    assert ctx.tasks.settle()
    panel = SessionPanel(ctx)
    qtbot.addWidget(panel)
    panel.load(detail.id)
    assert "Émargement électronique — 12/03/2026 matin : 1 signature(s), en cours" in (
        panel.header.text()
    )
    qtbot.mouseClick(dialog.trainer_button, Qt.MouseButton.LeftButton)
    draw_with_mouse(dialog.canvas, 2)
    qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    assert ctx.tasks.settle()
    panel.load(detail.id)
    assert "contresignée, scellement au siège à la prochaine synchronisation" in (
        panel.header.text()
    )

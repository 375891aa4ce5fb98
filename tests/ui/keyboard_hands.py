"""A person's hands on the keyboard in the UI tests: keys pressed on whatever has the
focus, Tab until a widget is reached, and the eyes: the window that became active, inside
the screen's free area, and a PNG of it for reviewers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import shiboken6
from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QAction, QKeyEvent, QWindow
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu, QWidget

Key = Qt.Key
Mod = Qt.KeyboardModifier


class Hands:
    """The keyboard, pressed on whatever has the focus, and the eyes: what is on screen."""

    def __init__(self, qtbot, screen: tuple[int, int], shots: Path | None) -> None:  # type: ignore[no-untyped-def]
        self.qtbot = qtbot
        self.screen = screen
        self.shots = shots
        self.taken = 0
        self.errors: list[BaseException] = []  # raised in a modal window's own loop
        # Qt's offscreen platform makes every shown window active, menus included; on a
        # desktop a menu never takes the activation from its window (and windows opened
        # meanwhile, parented to the active one, would hang on the menu): give it back.
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        app.focusWindowChanged.connect(self._menu_activated)

    def _menu_activated(self, window: QWindow | None) -> None:
        active = QApplication.activeWindow()
        if window is None or not isinstance(active, QMenu):
            return
        owner = active.parentWidget()
        while isinstance(owner, QMenu):
            owner = owner.parentWidget()
        if owner is not None:
            owner.window().activateWindow()

    def focus(self) -> QWidget:
        """Where a key goes: an open menu takes them all, else the focused widget, else
        (nothing focused) the active window itself, as Qt delivers it."""
        popup = QApplication.activePopupWidget()
        if popup is not None:
            return popup
        self.until(
            lambda: (
                QApplication.focusWidget() is not None or QApplication.activeWindow() is not None
            ),
            timeout=5000,
        )
        widget = QApplication.focusWidget() or QApplication.activeWindow()
        assert widget is not None
        return widget

    def key(self, key: Key, modifier: Mod = Mod.NoModifier, times: int = 1) -> None:
        for _ in range(times):
            QTest.keyClick(self.focus(), key, modifier)

    def write(self, text: str) -> None:
        """Type ``text``; letters beyond ASCII (é, ç…) come as a French keyboard sends
        them: a key event carrying the character (QTest only maps ASCII to keys)."""
        for char in text:
            if char.isascii():
                QTest.keyClicks(self.focus(), char)
                continue
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                event = QKeyEvent(kind, 0, Mod.NoModifier, char)
                QApplication.sendEvent(self.focus(), event)

    def tab_to(self, target: QWidget | Callable[[QWidget], bool], *, back: bool = False) -> None:
        """Tab (or Shift+Tab) until ``target`` has the focus, as a person does; fails when
        a whole round of the window's focus chain never reaches it."""
        wanted = target if callable(target) and not isinstance(target, QWidget) else None

        def reached() -> bool:
            widget = QApplication.focusWidget()
            if widget is None:
                return False
            return wanted(widget) if wanted is not None else widget is target

        for _ in range(120):
            if reached():
                return
            self.key(Key.Key_Backtab if back else Key.Key_Tab)
        raise AssertionError(f"Tab never reaches {target!r}; focus on {self.focus()!r}")

    def until(self, condition: Callable[[], bool], timeout: int = 20000) -> None:
        def done() -> bool:
            if self.errors:
                raise self.errors.pop(0)
            return condition()

        self.qtbot.waitUntil(done, timeout=timeout)

    def window(self, kind: type[QWidget]) -> QWidget:
        """The window of that kind that became active (the one the keys now go to)."""
        self.until(lambda: isinstance(QApplication.activeWindow(), kind))
        window = QApplication.activeWindow()
        assert window is not None
        self.fits(window)
        return window

    def switch_to(self, window: QWidget) -> None:
        """Alt+Tab to another of the app's windows (the window manager's key)."""
        window.activateWindow()
        self.until(lambda: QApplication.activeWindow() is window)

    def closed(self, window: QWidget) -> None:
        """``window`` went away; another window of the app is active again. A desktop's
        window manager gives the activation back (to the parent); Qt's offscreen
        platform has none and queues activations, so this does what it would, for a
        moment, then waits for an active window."""
        parent = window.parentWidget()
        owner = parent.window() if parent is not None else None
        self.until(lambda: not shiboken6.isValid(window) or not window.isVisible())
        for _ in range(10):
            active = QApplication.activeWindow()
            if owner is not None and (active is None or not active.isVisible()):
                owner.activateWindow()
            self.qtbot.wait(25)
        self.until(lambda: (QApplication.activeWindow() or window).isVisible())

    def when_modal(
        self, kind: type[QWidget], act: Callable[[QWidget], None], *, times: int = 1
    ) -> list[str]:
        """The next ``times`` modal windows of ``kind`` (questions, dialogs run with
        exec(), whose loop the key that opened them is still waiting in): check each fits,
        note its title and text, and let ``act`` press its keys. Returns what was seen."""
        seen: list[str] = []
        left = [times, 400]  # windows to answer, polls left (10 s)
        answered: list[QWidget] = []

        def give_back(modal: QWidget, owner: QWidget | None, checks: int = 20) -> None:
            # What a desktop's window manager does when a modal window closes. Offscreen,
            # the activation of a window is queued: a box closed at once is activated
            # after it closed, leaving no active window; watch for it a little while.
            if shiboken6.isValid(modal) and modal.isVisible():
                QTimer.singleShot(25, lambda: give_back(modal, owner, checks))
                return
            if owner is None or not shiboken6.isValid(owner) or not owner.isVisible():
                return
            active = QApplication.activeWindow()
            if active is None or not active.isVisible():
                owner.activateWindow()
            if checks > 0:
                QTimer.singleShot(25, lambda: give_back(modal, owner, checks - 1))

        def poll() -> None:
            modal = QApplication.activeModalWidget()
            if (
                isinstance(modal, kind)
                and modal.isActiveWindow()  # the keys go to it now
                and modal not in answered
            ):
                answered.append(modal)
                seen.append(modal.windowTitle())
                text = getattr(modal, "text", None)
                if callable(text):
                    seen.append(str(text()))
                parent = modal.parentWidget()
                try:
                    self.fits(modal)
                    act(modal)
                except BaseException as error:
                    # In a timer, inside the window's own event loop: close the window so
                    # the test goes on and fails with this error instead of hanging.
                    self.errors.append(error)
                    modal.close()
                give_back(modal, parent.window() if parent is not None else None)
                left[0] -= 1
            left[1] -= 1
            if left[0] > 0 and left[1] > 0:
                QTimer.singleShot(25, poll)

        QTimer.singleShot(0, poll)
        return seen

    def popup(self) -> QMenu:
        """The menu that just opened (keys go to it)."""
        self.until(lambda: isinstance(QApplication.activePopupWidget(), QMenu))
        menu = QApplication.activePopupWidget()
        assert isinstance(menu, QMenu)
        return menu

    def choose(self, menu: QMenu, action: QAction) -> None:
        """Down through the open ``menu`` to ``action``, then Enter."""
        for _ in range(len(menu.actions()) + 1):
            if menu.activeAction() is action:
                break
            self.key(Key.Key_Down)
        else:
            raise AssertionError(f"{action.text()} is not reached with the arrows")
        self.key(Key.Key_Return)
        self.until(lambda: not menu.isVisible())

    def fits(self, window: QWidget) -> None:
        """The window is inside the screen's free area (nothing under the taskbar)."""
        free = window.screen().availableGeometry()
        assert (free.width(), free.height()) == self.screen
        frame = window.frameGeometry()
        assert free.contains(frame), (
            f"{type(window).__name__} « {window.windowTitle()} » at {frame.x()},{frame.y()} "
            f"{frame.width()}×{frame.height()} is not inside the screen's free area "
            f"{free.width()}×{free.height()}"
        )

    def shot(self, name: str) -> None:
        """What the person sees now fits the screen (the active window and every other
        window of the app on screen); kept as a PNG when asked."""
        QApplication.processEvents()
        if self.shots is not None:
            # A window just closed (a modal box answered) hands the activation back
            # asynchronously: on a busy machine there is a moment with none active,
            # and the picture of this step would be silently missing.
            self.until(lambda: QApplication.activeWindow() is not None)
        kinds = (Qt.WindowType.Window, Qt.WindowType.Dialog)
        for window in QApplication.topLevelWidgets():
            if window.isVisible() and window.isWindow() and window.windowType() in kinds:
                self.fits(window)
        active = QApplication.activeWindow()
        if self.shots is not None and active is not None:
            self.taken += 1
            active.grab().save(str(self.shots / f"{self.taken:02d}-{name}.png"))

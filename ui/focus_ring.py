"""A visible focus ring (issue 14, item 8): the widget that has the keyboard gets a 2 px
ring in the palette's highlight colour.

Not an application-wide style sheet (it puts every widget behind the style-sheet style
and slows item views several times: ui/style.py) nor a proxy style (a Python call for
every primitive of every list cell): one transparent overlay, moved when the focus
moves or the focused widget moves. Not Qt's QFocusFrame: it sits in the widget's
parent and is clipped away when the widget touches its parent's edge (a field in a
margin-less row), and its paint (Fusion's) is the faint outline the issue complained
about.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QRectF, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTabBar,
    QTextEdit,
    QWidget,
)

RING_WIDTH = 2
# The widgets a person types into or acts on; menus, the menu bar and scroll areas
# have their own highlight.
RINGED = (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTabBar,
    QTextEdit,
)


class FocusRing(QWidget):
    """A transparent overlay drawing the ring around the widget it follows."""

    def __init__(self) -> None:
        super().__init__(None)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._target: QWidget | None = None
        self._watched: list[QWidget] = []

    def widget(self) -> QWidget | None:
        return self._target

    def follow(self, target: QWidget | None) -> None:
        for watched in self._watched:
            if shiboken6.isValid(watched):
                watched.removeEventFilter(self)
        self._watched = []
        self._target = target
        if target is None:
            self.hide()
            return
        host = self._host_for(target)
        if self.parentWidget() is not host:
            self.setParent(host)
        # The widget and its ancestors below the host: any of them moving moves the ring.
        widget: QWidget | None = target
        while widget is not None and widget is not host:
            widget.installEventFilter(self)
            self._watched.append(widget)
            widget = widget.parentWidget()
        self._place()

    def _host_for(self, target: QWidget) -> QWidget:
        """The nearest ancestor the whole ring fits in (a window or a scrolled viewport
        clips it there, as it clips the widget)."""
        host = target.parentWidget()
        assert host is not None  # windows get no ring
        while True:
            ringed = self._ring_rect(target, host)
            if host.rect().contains(ringed) or host.isWindow():
                return host
            if isinstance(host.parentWidget(), QAbstractScrollArea):
                return host  # a viewport: scrolled content is clipped there anyway
            parent = host.parentWidget()
            if parent is None:
                return host
            host = parent

    @staticmethod
    def _ring_rect(target: QWidget, host: QWidget) -> QRect:
        origin = target.mapTo(host, QPoint(0, 0))
        margin = RING_WIDTH + 1
        return QRect(origin, target.size()).adjusted(-margin, -margin, margin, margin)

    def _place(self) -> None:
        target, host = self._target, self.parentWidget()
        if target is None or host is None or not shiboken6.isValid(target):
            self.hide()
            return
        self.setGeometry(self._ring_rect(target, host))
        self.raise_()
        self.setVisible(target.isVisible())
        self.update()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (
            QEvent.Type.Move,
            QEvent.Type.Resize,
            QEvent.Type.Show,
            QEvent.Type.Hide,
        ):
            self._place()
        return False

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(self.palette().color(QPalette.ColorRole.Highlight), RING_WIDTH))
        inset = RING_WIDTH / 2
        painter.drawRoundedRect(
            QRectF(self.rect()).adjusted(inset, inset, -inset, -inset), 3.0, 3.0
        )


class _Follower:
    def __init__(self) -> None:
        self._ring = FocusRing()

    @property
    def ring(self) -> FocusRing:
        # The ring lives in the window of the widget it follows, and goes with it when
        # that window is destroyed: a new one then.
        if not shiboken6.isValid(self._ring):
            self._ring = FocusRing()
        return self._ring

    def focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        target: QWidget | None = new if isinstance(new, RINGED) and not new.isWindow() else None
        # A line edit inside a spin box or an editable combo: ring the whole field.
        if target is not None and isinstance(target.parentWidget(), QAbstractSpinBox | QComboBox):
            target = target.parentWidget()
        self.ring.follow(target)


_follower: _Follower | None = None


def install(app: QApplication) -> FocusRing:
    """Follow the focus with the ring (once per application), and let Tab leave tables
    at their last cell (ui/widgets/tab_out.py): both make the keyboard's place visible
    and reachable, and the launcher installs them together."""
    from ui.widgets import tab_out

    tab_out.install(app)
    global _follower
    if _follower is None:
        _follower = _Follower()
        app.focusChanged.connect(_follower.focus_changed)
    return _follower.ring


def ring() -> FocusRing | None:
    return _follower.ring if _follower is not None else None


def uninstall(app: QApplication) -> None:
    """Stop following the focus and remove the ring (tests)."""
    global _follower
    if _follower is not None:
        app.focusChanged.disconnect(_follower.focus_changed)
        if shiboken6.isValid(_follower._ring):
            _follower._ring.follow(None)
            _follower._ring.deleteLater()
        _follower = None

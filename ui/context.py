"""What every page receives: the open profile's services, the task manager, the change hub."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from app.changes import Changes
from ui.tasks import TaskManager
from ui.widgets.one_window import OpenWindows

if TYPE_CHECKING:  # the data layer is loaded after the main window is shown
    from app.profile import Profile
    from app.uow import UnitOfWorkFactory


class ChangeHub(QObject):
    """One signal telling screens what changed: a typed ``Changes`` (app/changes.py), e.g.
    ``Changes(invoices=True, payments=True)``.

    Emitted once per user action (or sync run); every open view reads the flags it shows
    and refreshes (or marks itself stale until shown again).
    """

    changed = Signal(Changes)
    # (kind, id): ask the main window to show an item, e.g. ("person", "0190...").
    open_requested = Signal(str, str)

    def notify(self, changes: Changes) -> None:
        if changes:
            self.changed.emit(changes)


@dataclass
class AppContext:
    profile: Profile
    tasks: TaskManager
    hub: ChangeHub
    # Invoice windows open on screen: opening one again brings it forward.
    windows: OpenWindows = field(default_factory=OpenWindows)

    @property
    def uow(self) -> UnitOfWorkFactory:
        return self.profile.uow

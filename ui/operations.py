"""Typed background operations, after Anki's ``QueryOp`` and ``CollectionOp``
(ankitects/anki: ``qt/aqt/operations/__init__.py``), built on :mod:`ui.tasks`.

Any service call that can take more than a frame (about 16 ms) runs through one of these
(issue 14, item 6: nothing frozen, nothing silent)::

    QueryOp(parent=self, op=lambda: queries.turnover(uow, person), success=self._show)
        .run_in_background()

    CollectionOp(
        parent=self,
        op=lambda: attendance.mark_all_present(uow, session_id, now=now),
        changes=Changes(attendance=True),
        success=self._marked,
    ).failure(self._refused).run_in_background()

* ``op`` runs on the task manager's database worker, off the GUI thread; it captures what
  it needs beforehand (never a widget: widgets live on the GUI thread only).
* ``success`` receives the op's result, typed, on the GUI thread. It is skipped if the
  ``parent`` widget was deleted meanwhile (its window closed).
* a failure the core raises on purpose (:func:`ui.error_hook.is_expected`, or a
  cancellation) goes to the ``failure`` callback if one is given, else is shown in French
  in a message box over ``parent``; any other failure is logged with its traceback and
  shown by :func:`ui.error_hook.show_error` (« Copier le détail »), always.
* the triggering widgets (``busy``; by default ``parent``) are disabled while it runs, so
  a second click cannot start it twice; the previous enabled state is restored after.
* a :class:`CollectionOp` writes: after success it sends its typed :class:`Changes`
  (app/changes.py) through the hub once, so every open view that shows them refreshes.
  ``changes`` may be a function of the result, and ``success`` may return more changes
  its own follow-up made (one notice for the whole user action).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Generic, TypeVar

import shiboken6
from PySide6.QtWidgets import QWidget

from app.changes import Changes
from app.jobs import Cancelled
from ui import error_hook
from ui.context import AppContext

if TYPE_CHECKING:
    from app.uow import UnitOfWorkFactory

T = TypeVar("T")

FailureCallback = Callable[[BaseException], None]


def _alive(widget: QWidget | None) -> bool:
    return widget is not None and shiboken6.isValid(widget)


class _Operation(Generic[T]):
    def __init__(
        self,
        ctx: AppContext,
        *,
        parent: QWidget | None,
        op: Callable[[], T],
        busy: QWidget | Sequence[QWidget] | None = None,
    ) -> None:
        self._ctx = ctx
        self._parent = parent
        self._op = op
        if busy is None:
            self._busy: tuple[QWidget, ...] = (parent,) if parent is not None else ()
        elif isinstance(busy, QWidget):
            self._busy = (busy,)
        else:
            self._busy = tuple(busy)
        self._failure: FailureCallback | None = None
        self._after: Callable[[], object] | None = None
        self._was_enabled: list[tuple[QWidget, bool]] = []

    def failure(self, callback: FailureCallback) -> _Operation[T]:
        """Handle expected failures (refusals, cancellation) yourself."""
        self._failure = callback
        return self

    def after(self, callback: Callable[[], object]) -> _Operation[T]:
        """Run ``callback`` once it is over, whatever the outcome (close a progress box)."""
        self._after = callback
        return self

    def run_in_background(self) -> None:
        self._was_enabled = [(w, w.isEnabled()) for w in self._busy if _alive(w)]
        for widget, _enabled in self._was_enabled:
            widget.setEnabled(False)
        self._ctx.tasks.run_db(self._op, self._done, self._failed)

    # GUI thread, from the task manager ----------------------------------------------
    def _release(self) -> None:
        for widget, enabled in self._was_enabled:
            if _alive(widget):
                widget.setEnabled(enabled)
        self._was_enabled = []
        if self._after is not None:
            self._after()

    def _done(self, result: object) -> None:
        self._release()
        self._succeeded(result)  # type: ignore[arg-type]  # the op's own result: a T

    def _succeeded(self, result: T) -> None:
        raise NotImplementedError

    def _failed(self, error: BaseException) -> None:
        self._release()
        expected = error_hook.is_expected(error) or isinstance(error, Cancelled)
        if expected and self._failure is not None:
            if _alive(self._parent) or self._parent is None:
                self._failure(error)
            return
        parent = self._parent if _alive(self._parent) else None
        error_hook.show_error(parent, error)


class QueryOp(_Operation[T]):
    """Reads off the GUI thread; ``success`` shows the result."""

    def __init__(
        self,
        ctx: AppContext,
        *,
        parent: QWidget | None,
        op: Callable[[], T],
        success: Callable[[T], None],
        busy: QWidget | Sequence[QWidget] | None = None,
    ) -> None:
        super().__init__(ctx, parent=parent, op=op, busy=busy if busy is not None else ())
        self._success = success

    def failure(self, callback: FailureCallback) -> QueryOp[T]:
        super().failure(callback)
        return self

    def after(self, callback: Callable[[], object]) -> QueryOp[T]:
        super().after(callback)
        return self

    def _succeeded(self, result: T) -> None:
        if _alive(self._parent) or self._parent is None:
            self._success(result)


class CollectionOp(_Operation[T]):
    """Writes off the GUI thread; then ``success`` on the GUI thread, then one notice."""

    def __init__(
        self,
        ctx: AppContext,
        *,
        parent: QWidget | None,
        op: Callable[[], T],
        changes: Changes | Callable[[T], Changes],
        success: Callable[[T], Changes | None] | None = None,
        busy: QWidget | Sequence[QWidget] | None = None,
    ) -> None:
        super().__init__(ctx, parent=parent, op=op, busy=busy)
        self._changes = changes
        self._success = success

    def failure(self, callback: FailureCallback) -> CollectionOp[T]:
        super().failure(callback)
        return self

    def after(self, callback: Callable[[], object]) -> CollectionOp[T]:
        super().after(callback)
        return self

    def _succeeded(self, result: T) -> None:
        changes = self._changes(result) if callable(self._changes) else self._changes
        try:
            if self._success is not None and (_alive(self._parent) or self._parent is None):
                more = self._success(result)
                if isinstance(more, Changes):  # anything else (a slot's bool) is ignored
                    changes |= more
        finally:
            # What was written is announced even if the window that asked is gone.
            self._ctx.hub.notify(changes)


class ReadingContext(AppContext):
    """The same context, its units of work read-only (``uow.reading()``, app/uow.py)."""

    @property
    def uow(self) -> UnitOfWorkFactory:
        return self.profile.uow.reading()


def reading_context(ctx: AppContext) -> AppContext:
    """For a widget that only reads, written by another area: its reads then run beside
    a sync being applied instead of waiting for it, and a write would fail loudly."""
    return ReadingContext(profile=ctx.profile, tasks=ctx.tasks, hub=ctx.hub, windows=ctx.windows)

"""Status bar item: last successful sync, changes waiting, offline indicator."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QWidget

from app import formatting
from app.clock import utcnow
from app.sync import service
from ui.context import AppContext
from ui.sync_worker import sync_worker_for
from ui.texts import sync

REFRESH_MS = 30_000


def ago(moment: dt.datetime | None, now: dt.datetime) -> str:
    if moment is None:
        return sync.NEVER
    minutes = int((now - moment).total_seconds() // 60)
    if minutes < 1:
        return sync.JUST_NOW
    if minutes < 60:
        return sync.MINUTES_AGO.format(minutes=minutes)
    if minutes < 24 * 60:
        return sync.HOURS_AGO.format(hours=minutes // 60)
    return sync.ON_DAY.format(day=formatting.date(moment.date()))


class SyncStatusLabel(QLabel):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("syncStatus")
        self.ctx = ctx
        self.worker = sync_worker_for(ctx)
        self.state: service.SyncStatus | None = None
        self.worker.started.connect(self.refresh)
        self.worker.finished.connect(self.refresh)
        self.worker.failed.connect(self.refresh)
        self.worker.cancelled.connect(self.refresh)
        ctx.hub.changed.connect(self.refresh)
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()
        self.refresh()

    def refresh(self, *_args: object) -> None:
        profile = self.ctx.profile
        self.ctx.tasks.run_db(lambda: service.status(profile), self._show)

    def _show(self, state: object) -> None:
        assert isinstance(state, service.SyncStatus)
        self.state = state
        if not state.enrolled:
            self.setText(sync.NOT_ENROLLED)
            self.setToolTip(sync.NOT_ENROLLED_TOOLTIP)
            return
        parts = [sync.SYNCED_WHEN.format(when=ago(state.last_success, utcnow()))]
        if self.worker.running:
            parts = [sync.SYNC_RUNNING]
        if state.pending:
            parts.append(sync.pending_changes(state.pending))
        if self.worker.offline:
            parts.append(sync.OFFLINE)
        if state.conflicts_open:
            parts.append(sync.conflicts_to_check(state.conflicts_open))
        self.setText(" · ".join(parts))
        self.setToolTip(sync.SERVER.format(url=state.server_url))

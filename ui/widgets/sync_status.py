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

REFRESH_MS = 30_000


def ago(moment: dt.datetime | None, now: dt.datetime) -> str:
    if moment is None:
        return "jamais"
    minutes = int((now - moment).total_seconds() // 60)
    if minutes < 1:
        return "à l'instant"
    if minutes < 60:
        return f"il y a {minutes} min"
    if minutes < 24 * 60:
        return f"il y a {minutes // 60} h"
    return f"le {formatting.date(moment.date())}"


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
            self.setText("Siège : poste non inscrit")
            self.setToolTip("Inscrivez ce poste dans Synchronisation pour partager les données.")
            return
        parts = [f"Synchronisé {ago(state.last_success, utcnow())}"]
        if self.worker.running:
            parts = ["Synchronisation en cours…"]
        if state.pending:
            parts.append(
                f"{state.pending} modification{'s' if state.pending > 1 else ''} en attente"
            )
        if self.worker.offline:
            parts.append("hors ligne")
        if state.conflicts_open:
            parts.append(
                f"{state.conflicts_open} conflit{'s' if state.conflicts_open > 1 else ''} à vérifier"
            )
        self.setText(" · ".join(parts))
        self.setToolTip(f"Siège : {state.server_url}")

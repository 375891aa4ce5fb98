"""Runs syncs off the GUI thread: on demand (Synchroniser) and every few minutes.

One worker per window context; the status bar and the Synchronisation page listen
to its signals. The run itself is on the task manager's network pool and applies what it
pulls in its own write transactions; the window's reads are deferred transactions that
read beside it (app/uow.py), so a sync being applied never blocks the window. A sync already running is never started twice; cancelling stops it
between batches or pages, and the next sync resumes where it stopped.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from app.changes import Changes
from app.jobs import Cancelled, JobControl
from app.sync import service
from app.sync.client import SyncError, SyncReport
from ui.context import AppContext
from ui.messages import error_message, register
from ui.operations import QueryOp

MIN_INTERVAL_MS = 60_000

register(
    {"invalid_url": "Adresse invalide : elle commence par https:// (ou http:// en essai local)."},
    {
        "offline": "Le siège ne répond pas. Vos modifications sont gardées et partiront plus tard.",
        "unauthorized": (
            "Le siège refuse ce poste (inscription révoquée ou inconnue). Aucune donnée n'a été "
            "échangée ; contactez le siège pour une nouvelle inscription."
        ),
        "update_required": (
            "Le siège demande une mise à jour de Permanence. Vous pouvez continuer à travailler "
            "hors ligne : vos modifications sont gardées."
        ),
        "server_error": "Le siège a rencontré une erreur. Nouvelle tentative plus tard.",
        "bad_response": "Réponse inattendue du siège. Nouvelle tentative plus tard.",
        "not_enrolled": "Ce poste n'est pas inscrit auprès du siège (page Synchronisation).",
        "enrol_refused": "Code d'inscription refusé : il est inconnu, expiré ou déjà utilisé.",
        "conflict_not_found": "Ce conflit n'existe plus.",
        "person_not_found": "L'une des deux fiches n'existe plus.",
        "merge_same_person": "Choisissez deux fiches différentes.",
    },
)


class SyncWorker(QObject):
    started = Signal()
    progress = Signal(int, int, str)
    finished = Signal(object)  # SyncReport
    failed = Signal(str, str)  # error code, French message
    cancelled = Signal()

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.job: JobControl | None = None
        self.offline = False
        self.timer = QTimer(self)
        minutes = max(1, ctx.profile.settings.sync_interval_minutes)
        self.timer.setInterval(max(MIN_INTERVAL_MS, minutes * 60_000))
        self.timer.timeout.connect(self.start_automatic)

    @property
    def running(self) -> bool:
        return self.job is not None

    def start_periodic(self) -> None:
        self.timer.start()

    def start_automatic(self) -> None:
        if self.running:
            return
        profile = self.ctx.profile

        def enrolled(yes: bool) -> None:
            if yes and not self.running:
                self.start()

        # Whether the laptop is enrolled is read off the GUI thread too: the window never
        # waits on the database for a timer (issue 14, item 6).
        QueryOp(
            self.ctx, parent=None, op=lambda: service.status(profile).enrolled, success=enrolled
        ).run_in_background()

    def start(self) -> None:
        if self.running:
            return
        job = JobControl(
            on_progress=lambda done, total, label: self.progress.emit(done, total, label)
        )
        self.job = job
        self.started.emit()
        profile = self.ctx.profile
        self.ctx.tasks.run_network(lambda: service.run_sync(profile, job), self._done, self._error)

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()

    def _done(self, report: object) -> None:
        self.job = None
        self.offline = False
        assert isinstance(report, SyncReport)
        self.finished.emit(report)
        if report.pulled or report.forked or report.rejected:
            # Any table may have come from the siège: every view re-reads what it shows.
            self.ctx.hub.notify(Changes.everything(remote=True))

    def _error(self, error: BaseException) -> None:
        self.job = None
        if isinstance(error, Cancelled):
            self.cancelled.emit()
            return
        code = error.code if isinstance(error, SyncError) else "error"
        self.offline = code in ("offline", "server_error")
        self.failed.emit(code, error_message(error))


def sync_worker_for(ctx: AppContext) -> SyncWorker:
    """The context's one worker (made on first use, kept on the context)."""
    worker = getattr(ctx, "_sync_worker", None)
    if worker is None:
        worker = SyncWorker(ctx, ctx.tasks)
        ctx._sync_worker = worker  # type: ignore[attr-defined]
    return worker

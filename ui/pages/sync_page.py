"""Synchronisation area: enrol this laptop, sync now (progress, cancel), history,
conflicts to review, and duplicate persons to merge."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.errors import ValidationError
from app.people import merge
from app.states import SyncOutcome
from app.sync import service, wording
from app.sync.client import SyncReport
from ui.context import AppContext
from ui.messages import error_message
from ui.operations import QueryOp
from ui.pages.sync_review import SyncReview
from ui.pages.sync_review import when as _when
from ui.sync_worker import sync_worker_for
from ui.texts import common, sync
from ui.widgets.forms import FormErrors
from ui.widgets.screen import scrolling

# What the page shows: the sync state, its runs, the conflicts and the duplicates to review.
_Loaded = tuple[
    service.SyncStatus,
    list[service.SyncRunView],
    list[service.ConflictView],
    list[merge.DuplicatePair],
]

OUTCOMES: dict[str, str] = {
    SyncOutcome.OK: sync.OUTCOME_OK,
    SyncOutcome.RUNNING: sync.OUTCOME_RUNNING,
    SyncOutcome.CANCELLED: sync.OUTCOME_CANCELLED,
    "offline": sync.OUTCOME_OFFLINE,
    "unauthorized": sync.OUTCOME_UNAUTHORIZED,
    "update_required": sync.OUTCOME_UPDATE_REQUIRED,
    "server_error": sync.OUTCOME_SERVER_ERROR,
    SyncOutcome.REFUSED: sync.OUTCOME_REFUSED,
    SyncOutcome.INTERRUPTED: sync.OUTCOME_INTERRUPTED,
    "certificate": sync.OUTCOME_CERTIFICATE,
    "insecure_url": sync.OUTCOME_INSECURE_URL,
    "bad_response": sync.OUTCOME_BAD_RESPONSE,
}
CONFLICT_KINDS = wording.KINDS
TABLES = wording.TABLES


def conflict_cells(c: service.ConflictView) -> list[str]:
    """Type, record, fields, kept and lost values of a conflict, in French: a refusal
    says why, and values stored as JSON read as "Champ : valeur"."""
    kind = CONFLICT_KINDS.get(c.kind, c.kind)
    field, kept, lost = c.field, c.kept_value, c.lost_value
    if c.kind == "rejected":
        kind = f"{kind} : {wording.push_reason(c.detail)}"
        field, kept, lost = (
            wording.fields_text(c.field),
            wording.values_text(kept),
            wording.values_text(lost),
        )
    elif c.kind == "pull_refused":
        kind = f"{kind} : {wording.pull_reason(c.detail)}"
    elif c.kind in ("apply_failed", "delete_edit"):
        # delete_edit: kept is when it was deleted, lost the other laptop's edit.
        lost = wording.values_text(lost)
        field = wording.fields_text(field)
    elif c.kind == "overpayment":
        field = sync.OVERPAYMENT_FIELD
        kept, lost = wording.money_text(kept), wording.money_text(lost)
    elif c.kind == "field":
        field = wording.fields_text(field)
        kept, lost = wording.field_value(c.field, kept), wording.field_value(c.field, lost)
    return [kind, wording.table_name(c.table_name), field, kept, lost, _when(c.detected_at)]


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    table.verticalHeader().setVisible(False)
    return table


class SyncPage(SyncReview):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.worker = sync_worker_for(ctx)
        self.conflicts: list[service.ConflictView] = []
        self.duplicates: list[merge.DuplicatePair] = []
        layout = QVBoxLayout(self)
        layout.addWidget(self._build_enrolment())
        layout.addWidget(self._build_run())
        self.history = _table(
            [
                sync.HISTORY_STARTED,
                sync.HISTORY_FINISHED,
                sync.HISTORY_OUTCOME,
                sync.HISTORY_PUSHED,
                sync.HISTORY_PULLED,
            ]
        )
        self.conflict_table = _table(
            [
                common.TYPE,
                sync.CONFLICT_RECORD,
                sync.CONFLICT_FIELD,
                sync.CONFLICT_KEPT,
                sync.CONFLICT_LOST,
                sync.CONFLICT_DETECTED,
            ]
        )
        self.duplicate_table = _table(
            [
                sync.DUPLICATE_KEPT,
                sync.DUPLICATE_OTHER,
                sync.DUPLICATE_CITY,
                sync.DUPLICATE_CREATED,
            ]
        )
        self.conflicts_box = self._group(
            sync.CONFLICTS_GROUP, self.conflict_table, self._conflict_buttons()
        )
        self.duplicates_box = self._group(
            sync.DUPLICATES_GROUP, self.duplicate_table, self._duplicate_buttons()
        )
        layout.addWidget(self.conflicts_box, 2)
        layout.addWidget(self.duplicates_box, 1)
        # A button acts on the selected row: greyed while none is (issue 14).
        self.conflict_table.itemSelectionChanged.connect(self._update_actions)
        self.duplicate_table.itemSelectionChanged.connect(self._update_actions)
        self._update_actions()
        layout.addWidget(self._group(sync.HISTORY_GROUP, self.history, None), 1)
        self.worker.started.connect(self._on_started)
        self.worker.progress.connect(self._on_progress)
        self.worker.finished.connect(self._on_finished)
        self.worker.failed.connect(self._on_failed)
        self.worker.cancelled.connect(self._on_cancelled)
        ctx.hub.changed.connect(lambda _areas: self.refresh())
        self.refresh()

    # -- layout --------------------------------------------------------------
    def _group(self, title: str, table: QTableWidget, buttons: QWidget | None) -> QGroupBox:
        box = QGroupBox(title, self)
        inner = QVBoxLayout(box)
        inner.addWidget(table)
        if buttons is not None:
            inner.addWidget(buttons)
        return box

    def _build_enrolment(self) -> QGroupBox:
        box = QGroupBox(sync.ENROLMENT_GROUP, self)
        form = QFormLayout(box)
        self.enrolled_label = QLabel(box)
        self.enrolled_label.setObjectName("enrolledLabel")
        form.addRow(self.enrolled_label)
        self.server_edit = QLineEdit(box)
        self.server_edit.setObjectName("serverUrl")
        self.server_edit.setPlaceholderText("https://siege.example.fr:8443")
        self.code_edit = QLineEdit(box)
        self.code_edit.setObjectName("enrolCode")
        self.code_edit.setPlaceholderText(sync.ENROL_CODE_PLACEHOLDER)
        self.form_errors = FormErrors()
        self.form_errors.add_row(form, sync.SERVER_URL, "server_url", self.server_edit)
        self.form_errors.add_row(form, sync.ENROL_CODE, "code", self.code_edit)
        self.enrol_button = QPushButton(sync.ENROL_DEVICE, box)
        self.enrol_button.setObjectName("enrolButton")
        self.enrol_button.clicked.connect(self.enrol)
        form.addRow(self.enrol_button)
        return box

    def _build_run(self) -> QWidget:
        row = QWidget(self)
        line = QHBoxLayout(row)
        self.sync_button = QPushButton(sync.SYNC_NOW, row)
        self.sync_button.setObjectName("syncButton")
        self.sync_button.clicked.connect(self.worker.start)
        self.cancel_button = QPushButton(common.CANCEL, row)
        self.cancel_button.setObjectName("cancelSync")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.worker.cancel)
        self.progress = QProgressBar(row)
        self.progress.setVisible(False)
        self.message = QLabel(row)
        self.message.setObjectName("syncMessage")
        self.message.setWordWrap(True)
        line.addWidget(self.sync_button)
        line.addWidget(self.cancel_button)
        line.addWidget(self.progress, 1)
        # A sync with many refusals writes one line each: the message scrolls inside at
        # most four lines instead of growing the window past a 1366×768 screen (issue 14).
        message_area = scrolling(self.message, row)
        line_height = self.message.fontMetrics().lineSpacing()
        message_area.setMaximumHeight(line_height * 4 + 8)
        # One line at least, not a scroll area's default minimum (about 70 px): the page
        # must still fit 1280×720 at 125 % with a taskbar (tests/ui/test_screen_fit.py).
        message_area.setMinimumHeight(line_height + 8)
        line.addWidget(message_area, 2)
        return row

    # -- data ------------------------------------------------------------------
    def refresh(self, then: Callable[[], None] | None = None) -> None:
        """Re-read the state, history, conflicts and duplicates off the GUI thread;
        ``then`` runs once they are shown."""
        profile, uow = self.ctx.profile, self.ctx.uow

        def load() -> _Loaded:
            return (
                service.status(profile),
                service.history(profile),
                service.open_conflicts(profile),
                merge.duplicate_candidates(uow),
            )

        def show(loaded: _Loaded) -> None:
            self._show(loaded)
            if then is not None:
                then()

        QueryOp(self.ctx, parent=self, op=load, success=show).run_in_background()

    def _show(self, loaded: _Loaded) -> None:
        state, runs, conflicts, duplicates = loaded
        if state.enrolled:
            self.enrolled_label.setText(
                sync.ENROLLED_AS.format(
                    device=state.device_name,
                    series=state.series_prefix,
                    server=state.server_url,
                )
            )
        else:
            self.enrolled_label.setText(sync.NOT_ENROLLED_YET)
        self.sync_button.setEnabled(state.enrolled and not self.worker.running)
        self._fill(
            self.history,
            [
                [
                    _when(r.started_at),
                    _when(r.finished_at),
                    OUTCOMES.get(r.outcome, r.outcome),
                    str(r.pushed),
                    str(r.pulled),
                ]
                for r in runs
            ],
        )
        self.conflicts = list(conflicts)
        self._fill(
            self.conflict_table,
            [conflict_cells(c) for c in self.conflicts],
        )
        self.duplicates = list(duplicates)
        self._fill(
            self.duplicate_table,
            [
                [
                    f"{d.keep.last_name} {d.keep.first_name}",
                    f"{d.other.last_name} {d.other.first_name}",
                    d.other.city,
                    _when(d.other.created_at),
                ]
                for d in self.duplicates
            ],
        )
        self._update_actions()

    @staticmethod
    def _fill(table: QTableWidget, rows: list[list[str]]) -> None:
        table.setRowCount(len(rows))
        for r, values in enumerate(rows):
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                table.setItem(r, c, item)

    # -- actions ---------------------------------------------------------------
    def enrol(self) -> None:
        self.form_errors.clear()
        profile, url, code = self.ctx.profile, self.server_edit.text(), self.code_edit.text()
        self.enrol_button.setEnabled(False)

        def done(_state: object) -> None:
            self.enrol_button.setEnabled(True)
            self.code_edit.clear()
            self.message.setText(sync.ENROLLED_FIRST_SYNC)
            self.refresh()
            self.worker.start()

        def failed(error: BaseException) -> None:
            self.enrol_button.setEnabled(True)
            if isinstance(error, ValidationError):
                self.form_errors.show(error)
            else:
                self.message.setText(error_message(error))

        self.ctx.tasks.run_network(lambda: service.enrol(profile, url, code), done, failed)

    # -- worker signals --------------------------------------------------------
    def _on_started(self) -> None:
        self.sync_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.progress.setVisible(True)
        self.progress.setRange(0, 0)
        self.message.setText(sync.SYNC_RUNNING)

    def _on_progress(self, done: int, total: int, label: str) -> None:
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(min(done, total))
        step = sync.STEP_PUSH if label == "push" else sync.STEP_PULL
        self.message.setText(sync.STEP_PROGRESS.format(step=step, done=done, total=total))

    def _stopped(self, text: str) -> None:
        self.cancel_button.setEnabled(False)
        self.progress.setVisible(False)
        # Said with the history that shows it: never « réussie » above a run « en cours ».
        self.refresh(then=lambda: self.message.setText(text))

    def _on_finished(self, report: object) -> None:
        assert isinstance(report, SyncReport)
        text = sync.SYNC_DONE.format(pushed=report.pushed, pulled=report.pulled)
        refusals = [
            wording.refused_change_line(r.table, r.row_id, r.reason, r.fields)
            for r in report.refused
        ] + [wording.pulled_refusal_line(r.table, r.row_id, r.reason) for r in report.pull_refused]
        if refusals:
            text += "\n" + "\n".join(refusals[:5])
            if len(refusals) > 5:
                text += sync.MORE_REFUSALS.format(count=len(refusals) - 5)
        if report.clock_warning:
            text += sync.CLOCK_WRONG
        self._stopped(text)

    def _on_failed(self, _code: str, message: str) -> None:
        self._stopped(message)

    def _on_cancelled(self) -> None:
        self._stopped(sync.SYNC_CANCELLED)

"""« Fichier FSE+ »: the participant file of one FSE+ operation, with its completeness
gauge and what is missing for whom (issue 16, item 4). The file and the figures are the
core's (app/workshops/fse_export.py); reading and writing run off the GUI thread."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.workshops import fse_export
from app.workshops.fse_cli import file_name
from app.workshops.fse_export import FseFile, Level, Operation
from ui.context import AppContext
from ui.operations import QueryOp
from ui.style import warning_css
from ui.texts import ateliers, common


class FseExportDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(ateliers.FSE_TITLE)
        self.resize(640, 520)
        self.data: FseFile | None = None
        self.saved_path: Path | None = None
        self.operation = QComboBox(self)
        self.operation.setAccessibleName(ateliers.FSE_OPERATION)
        self.gauge = QProgressBar(self)
        self.gauge.setRange(0, 100)
        self.gauge.setFormat(ateliers.FSE_GAUGE_FORMAT)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.level = QLabel(self)
        self.level.setWordWrap(True)
        self.missing = QListWidget(self)
        self.missing.setAccessibleName(ateliers.FSE_MISSING_TITLE)
        note = QLabel(ateliers.FSE_EDUCATION_NOTE, self)
        note.setWordWrap(True)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.save_button = QPushButton(ateliers.FSE_SAVE, self)
        self.save_button.setEnabled(False)
        close = QPushButton(common.CLOSE, self)
        top = QHBoxLayout()
        top.addWidget(QLabel(ateliers.FSE_OPERATION, self))
        top.addWidget(self.operation, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.gauge)
        layout.addWidget(self.summary)
        layout.addWidget(self.level)
        layout.addWidget(QLabel(ateliers.FSE_MISSING_TITLE, self))
        layout.addWidget(self.missing, 1)
        layout.addWidget(note)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.operation.currentIndexChanged.connect(lambda _i: self._load_file())
        self.save_button.clicked.connect(self.save)
        close.clicked.connect(self.accept)
        uow = ctx.uow
        QueryOp(
            ctx, parent=self, op=lambda: fse_export.operations(uow), success=self._operations
        ).run_in_background()

    def _operations(self, found: list[Operation]) -> None:
        if not found:
            self.summary.setText(ateliers.FSE_NO_OPERATION)
            return
        self.operation.blockSignals(True)
        for operation in found:
            self.operation.addItem(f"{operation.reference} — {operation.funder_name}", operation)
        self.operation.blockSignals(False)
        self._load_file()

    def _load_file(self) -> None:
        operation = self.operation.currentData()
        if operation is None:
            return
        uow = self.ctx.uow
        QueryOp(
            self.ctx,
            parent=self,
            op=lambda: fse_export.fse_file(uow, operation),
            success=self._show,
            busy=self.save_button,
        ).run_in_background()

    def _show(self, data: FseFile) -> None:
        self.data = data
        gauge = data.completeness
        percent = round(gauge.share * 100)
        self.gauge.setValue(percent)
        self.summary.setText(ateliers.fse_summary(gauge.total, gauge.incomplete, percent))
        self.level.setText(ateliers.FSE_LEVEL_WORDS[str(gauge.level)])
        self.level.setStyleSheet(warning_css() if gauge.level is not Level.OK else "")
        self.missing.clear()
        lines = [f"{name} : {', '.join(words)}" for name, words in data.missing_by_person()]
        self.missing.addItems(lines or [ateliers.FSE_NOTHING_MISSING])
        self.save_button.setEnabled(gauge.total > 0)

    def save(self) -> None:
        if self.data is None:
            return
        suggested = str(Path.home() / file_name(self.data.operation.reference))
        chosen, _filter = QFileDialog.getSaveFileName(
            self, ateliers.FSE_SAVE_TITLE, suggested, common.SPREADSHEET_FILTER_XLSX_ONLY
        )
        if chosen:
            self.save_to(Path(chosen))

    def save_to(self, target: Path) -> None:
        """Write the file off the GUI thread; says where it went."""
        if self.data is None:
            return
        uow, operation = self.ctx.uow, self.data.operation
        QueryOp(
            self.ctx,
            parent=self,
            op=lambda: fse_export.export_fse(uow, operation, target),
            success=lambda _data: self._saved(target),
            busy=self.save_button,
        ).run_in_background()

    def _saved(self, target: Path) -> None:
        self.saved_path = target
        self.message.setText(ateliers.FSE_SAVED.format(path=target))

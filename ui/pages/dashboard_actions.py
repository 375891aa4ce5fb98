"""The Tableau de bord's files: dashboard XLSX/CSV, the table shown, the funder export, the
network export of a year and the annual report, each written off the GUI thread."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QComboBox, QFileDialog, QHBoxLayout, QLabel, QPushButton, QWidget

from app import formatting
from app.errors import ValidationError
from app.exports.indicator_tables import dashboard_tables
from app.exports.network import export_network
from app.exports.service import export_funder, export_table, write_dashboard
from app.indicators.dashboard import DashboardData
from app.indicators.period import Filters
from app.pdf.annual_report import build_annual_report
from app.text import fold
from ui import messages
from ui.context import AppContext
from ui.texts import common, indicators
from ui.widgets.date_time_fields import DateField
from ui.widgets.forms import FormErrors
from ui.widgets.table_tabs import TableTabs

CUSTOM = "custom"


class DashboardActions(QWidget):
    """Base of the dashboard page: its buttons and the jobs behind them. The page gives
    the filters (:meth:`filters`), the figures shown (``data``) and the widgets below."""

    ctx: AppContext
    data: DashboardData | None
    busy: bool
    errors: FormErrors
    status_label: QLabel
    year_combo: QComboBox
    start_edit: DateField
    end_edit: DateField
    antenne_combo: QComboBox
    tabs: TableTabs

    def filters(self) -> Filters:
        raise NotImplementedError

    @property
    def antenne_label(self) -> str:
        return self.antenne_combo.currentText()

    def _build_actions(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        for text, handler in (
            (
                indicators.EXPORT_XLSX,
                lambda: self._ask("xlsx", self.export_dashboard_to, "tableau-de-bord"),
            ),
            (
                indicators.EXPORT_CSV,
                lambda: self._ask("csv", self.export_dashboard_to, "tableau-de-bord"),
            ),
            (
                indicators.EXPORT_SHOWN_TABLE,
                lambda: self._ask("xlsx", self.export_tab_to, self._tab_stem()),
            ),
            (
                indicators.EXPORT_FOR_FUNDERS,
                lambda: self._ask("xlsx", self.export_funder_to, "export-financeurs"),
            ),
            (
                indicators.NETWORK_EXPORT,
                lambda: self._ask("xlsx", self.export_network_to, "export-reseau", yearly=True),
            ),
            (
                indicators.ANNUAL_REPORT,
                lambda: self._ask("pdf", self.annual_report_to, "rapport-annuel"),
            ),
        ):
            button = QPushButton(text, self)
            button.clicked.connect(handler)
            bar.addWidget(button)
        bar.addStretch(1)
        return bar

    def network_year(self) -> int:
        """The year of the network file: the one chosen, or the year of a custom
        period's end (the network counts calendar years)."""
        year = self.year_combo.currentData()
        if year != CUSTOM:
            return int(year)
        end = self.end_edit.value()
        return end.year if end is not None else self.end_edit.date().year()

    def default_export_path(self, stem: str, suffix: str, *, yearly: bool = False) -> Path:
        """Where the save dialog starts: named after what is exported and its period."""
        year = self.year_combo.currentData()
        if yearly:
            period = str(self.network_year())
        elif year == CUSTOM:
            start, end = self.start_edit.date(), self.end_edit.date()
            period = f"{start.toString('yyyy-MM-dd')}_{end.toString('yyyy-MM-dd')}"
        else:
            period = str(year)
        return self.ctx.profile.paths.documents / f"{stem}-{period}.{suffix}"

    def _tab_stem(self) -> str:
        title = fold(self.tabs.tabText(self.tabs.currentIndex()))
        return "tableau-" + "-".join("".join(c if c.isalnum() else " " for c in title).split())

    def _ask(
        self, suffix: str, action: Callable[[Path], None], stem: str, *, yearly: bool = False
    ) -> None:
        filters = {
            "xlsx": common.SPREADSHEET_FILTER_XLSX_FIRST,
            "csv": common.SPREADSHEET_FILTER_CSV_FIRST,
            "pdf": "PDF (*.pdf)",
        }[suffix]
        default = self.default_export_path(stem, suffix, yearly=yearly)
        name, _chosen = QFileDialog.getSaveFileName(self, common.SAVE, str(default), filters)
        if name:
            action(Path(name))

    def _run(self, label: str, job: Callable[[], Any]) -> None:
        self.status_label.setText(label)
        self.busy = True
        self.ctx.tasks.run_db(job, self._job_done, self._job_failed)

    def _job_done(self, path: object) -> None:
        self.busy = False
        self.status_label.setText(indicators.FILE_SAVED.format(path=path))

    def _job_failed(self, error: BaseException) -> None:
        self.busy = False
        self.status_label.setText(messages.error_message(error))

    def _checked_filters(self) -> Filters | None:
        try:
            filters = self.filters()
        except ValidationError as error:
            self.errors.show(error)
            self.status_label.setText(messages.error_message(error))
            return None
        self.errors.clear()
        return filters

    def export_dashboard_to(self, path: Path) -> None:
        data, label = self.data, self.antenne_label
        if data is not None:
            self._run(common.EXPORT_RUNNING, lambda: write_dashboard(data, path, label))

    def export_tab_to(self, path: Path) -> None:
        if self.data is None:
            return
        table = dashboard_tables(self.data)[self.tabs.currentIndex()]
        self._run(common.EXPORT_RUNNING, lambda: export_table(table, path))

    def export_funder_to(self, path: Path) -> None:
        filters = self._checked_filters()
        if filters is None:
            return
        period = filters.period
        about = [
            (
                indicators.PERIOD,
                indicators.PERIOD_FROM_TO.format(
                    start=formatting.date(period.start), end=formatting.date(period.end)
                ),
            ),
            (common.ANTENNE, self.antenne_label),
        ]
        if self.data is not None:
            about.append((indicators.SCOPE, self.data.scope.label))
        uow = self.ctx.uow
        self._run(
            indicators.FUNDER_EXPORT_RUNNING,
            lambda: export_funder(uow, filters, path, about_lines=about),
        )

    def export_network_to(self, path: Path) -> None:
        """The network file covers a calendar year and every antenne (the network sums
        CAEs, not antennes), whatever antenne the page shows."""
        year, uow = self.network_year(), self.ctx.uow
        self._run(
            indicators.NETWORK_EXPORT_RUNNING.format(year=year),
            lambda: export_network(uow, year, path),
        )

    def annual_report_to(self, path: Path) -> None:
        filters = self._checked_filters()
        if filters is None:
            return
        uow, label = self.ctx.uow, self.antenne_label
        # The period shown, a custom one included (not the calendar year of its end).
        self._run(
            indicators.ANNUAL_REPORT_RUNNING,
            lambda: build_annual_report(
                uow,
                filters.period,
                path,
                antenne_id=filters.antenne_id,
                antenne_label=label,
                credit_notes_by_invoice=filters.credit_notes_by_invoice,
            ),
        )

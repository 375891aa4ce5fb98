"""Tableau de bord: figures of a period and an antenne, charts, lists behind each figure,
exports (XLSX, CSV, funder table, network file) and the annual activity report (their
buttons and jobs: ui/pages/dashboard_actions.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QDate
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app import formatting
from app.changes import Changes
from app.clock import today
from app.errors import ValidationError
from app.exports.indicator_tables import dashboard_tables
from app.exports.table import as_decimal
from app.indicators.dashboard import DashboardData, dashboard
from app.indicators.definitions import DEFINITIONS
from app.indicators.drilldown import FigureRef
from app.indicators.period import NO_ANTENNE, Filters, Period
from app.reference import reference
from ui import messages
from ui.context import AppContext
from ui.dialogs.drilldown_dialog import DrillDownDialog
from ui.pages.dashboard_actions import CUSTOM, DashboardActions
from ui.texts import common, indicators
from ui.widgets.charts import BarChart, FigureCard, Series
from ui.widgets.date_time_fields import DateField
from ui.widgets.forms import FormErrors
from ui.widgets.table_tabs import TableTabs

messages.register(
    {
        "unsupported_export_format": "Format non pris en charge ({suffix}) : choisissez .xlsx ou .csv."
    },
    {"unknown_figure": "Ce chiffre n'a pas de liste détaillée."},
)

# (indicator key of the card, how to read its value from the data)
CARDS: list[tuple[str, Callable[[DashboardData], str]]] = [
    ("accompanied", lambda d: formatting.number(d.accompanied.total, 0)),
    ("intakes", lambda d: formatting.number(d.entries.intakes, 0)),
    ("admissions", lambda d: formatting.number(d.entries.admissions, 0)),
    ("exits", lambda d: formatting.number(d.exits.total, 0)),
    ("salaries", lambda d: formatting.number(d.headcount.salaries, 0)),
    ("associes", lambda d: formatting.number(d.headcount.associes, 0)),
    ("followups_below_minimum", lambda d: formatting.number(d.followups.below_minimum, 0)),
    ("workshops_held", lambda d: formatting.number(d.workshops.held, 0)),
    ("workshop_participants", lambda d: formatting.number(d.workshops.participants, 0)),
    (
        "attendance_hours",
        lambda d: (
            formatting.number(as_decimal("minutes", d.workshops.attendance_minutes), 1) + "\u00a0h"
        ),
    ),
    ("turnover_invoiced", lambda d: formatting.money(d.turnover.invoiced_cents)),
    ("turnover_cashed", lambda d: formatting.money(d.turnover.cashed_cents)),
    ("persons_received", lambda d: formatting.number(d.received, 0)),
    ("cesa_started", lambda d: formatting.number(d.new_cesa, 0)),
    (
        "invoicing_entrepreneurs",
        lambda d: formatting.number(d.turnover.invoicing_entrepreneurs, 0),
    ),
    ("unpaid", lambda d: formatting.money(d.receivables.unpaid_cents)),
]

# Tabs that show one definition's figure (their tooltip quotes it).
TAB_DEFINITIONS = {"Heures par thème": "hours_by_theme"}

# Cards whose list is another figure's (hours: who attended; actions: who took part).
CARD_LISTS = {
    "attendance_hours": FigureRef("workshop_participants"),
    "workshops_held": FigureRef("workshop_participants"),
}


def _month_label(key: str, pattern: str) -> str:
    """ "2026-10" -> "oct." / "oct. 26" / "octobre 2026" (French, from Babel)."""
    return formatting.date(dt.date(int(key[:4]), int(key[5:7]), 1), pattern)


def _quoted(*keys: str) -> str:
    return "\n\n".join(f"{DEFINITIONS[k].label} : {DEFINITIONS[k].text}" for k in keys)


def _money(cents: int) -> str:
    return formatting.money(cents)


class DashboardPage(DashboardActions):
    title = indicators.DASHBOARD_AREA_TITLE

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.data: DashboardData | None = None
        self.busy = False
        self._stale = False
        self._generation = 0
        self.errors = FormErrors()
        self._build_filters()
        self.scope_label = QLabel(self)
        self.scope_label.setWordWrap(True)
        self.status_label = QLabel(self)
        self.status_label.setObjectName("dashboardStatus")
        self.cards: dict[str, FigureCard] = {}
        cards = QGridLayout()
        for index, (key, _read) in enumerate(CARDS):
            definition = DEFINITIONS[key]
            card = FigureCard(definition.label, definition.text, self)
            card.setObjectName(f"card_{key}")
            card.clicked.connect(lambda _=False, k=key: self.drill(CARD_LISTS.get(k, FigureRef(k))))
            self.cards[key] = card
            cards.addWidget(card, index // 6, index % 6)
        self.flow_chart = BarChart(parent=self)
        self.outcome_chart = BarChart(horizontal=True, parent=self)
        self.outcome_chart.bar_clicked.connect(self._outcome_clicked)
        self.antenne_chart = BarChart(horizontal=True, parent=self)
        self.antenne_chart.bar_clicked.connect(self._antenne_clicked)
        self.turnover_chart = BarChart(parent=self)
        self.turnover_chart.bar_clicked.connect(self._month_clicked)
        # Each chart's tooltip quotes the definitions it draws (docs/indicators.md).
        self.flow_chart.setToolTip(_quoted("intakes", "exits"))
        self.turnover_chart.setToolTip(_quoted("turnover_invoiced"))
        self.outcome_chart.setToolTip(_quoted("exits"))
        self.antenne_chart.setToolTip(_quoted("turnover_invoiced"))
        charts = QGridLayout()
        charts.addWidget(self.flow_chart, 0, 0)
        charts.addWidget(self.turnover_chart, 0, 1)
        charts.addWidget(self.outcome_chart, 1, 0)
        charts.addWidget(self.antenne_chart, 1, 1)
        self.tabs = TableTabs(self)
        body = QWidget(self)
        body_layout = QVBoxLayout(body)
        body_layout.addWidget(self.scope_label)
        body_layout.addLayout(cards)
        body_layout.addLayout(charts)
        body_layout.addWidget(self.tabs)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.addLayout(self.filter_bar)
        layout.addLayout(self._build_actions())
        layout.addWidget(self.status_label)
        layout.addWidget(scroll, 1)
        ctx.hub.changed.connect(self._on_changed)
        self.refresh()

    # Filters ---------------------------------------------------------------------
    def _build_filters(self) -> None:
        self.year_combo = QComboBox(self)
        this_year = today().year
        for year in range(this_year, this_year - 11, -1):
            self.year_combo.addItem(str(year), year)
        self.year_combo.addItem(indicators.CUSTOM_PERIOD, CUSTOM)
        self.start_edit = self._date_edit()
        self.end_edit = self._date_edit()
        self.antenne_combo = QComboBox(self)
        self.antenne_combo.addItem(indicators.ALL_ANTENNES, None)
        for antenne in reference.list_antennes(self.ctx.uow.reading()):
            self.antenne_combo.addItem(antenne.name, antenne.id)
        # With it the per-antenne figures and exports add up to "Toutes" (docs/indicators.md).
        self.antenne_combo.addItem(indicators.NO_ANTENNE, NO_ANTENNE)
        self.credit_box = QCheckBox(indicators.CREDIT_NOTES_IN_INVOICE_PERIOD, self)
        self.credit_box.setToolTip(_quoted("turnover_by_invoice_period"))
        self.refresh_button = QPushButton(indicators.REFRESH, self)
        self.refresh_button.clicked.connect(self.refresh)
        form = QFormLayout()
        form.addRow(indicators.YEAR, self.year_combo)
        self.errors.add_row(form, indicators.FROM, "start", self.start_edit)
        self.errors.add_row(form, indicators.TO, "end", self.end_edit)
        form.addRow(common.ANTENNE, self.antenne_combo)
        form.addRow("", self.credit_box)
        self.filter_bar = QHBoxLayout()
        self.filter_bar.addLayout(form)
        self.filter_bar.addWidget(self.refresh_button)
        self.filter_bar.addStretch(1)
        self.year_combo.currentIndexChanged.connect(self._year_changed)
        self.antenne_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.credit_box.toggled.connect(lambda _on: self.refresh())
        self._year_changed()

    def _date_edit(self) -> DateField:
        return DateField(self, today())

    def _year_changed(self, _index: int = 0) -> None:
        year = self.year_combo.currentData()
        custom = year == CUSTOM
        self.start_edit.setEnabled(custom)
        self.end_edit.setEnabled(custom)
        if not custom:
            self.start_edit.setDate(QDate(int(year), 1, 1))
            self.end_edit.setDate(QDate(int(year), 12, 31))
            self.refresh()

    def set_period(self, start: dt.date, end: dt.date) -> None:
        self.year_combo.setCurrentIndex(self.year_combo.findData(CUSTOM))
        self.start_edit.setDate(QDate(start.year, start.month, start.day))
        self.end_edit.setDate(QDate(end.year, end.month, end.day))

    def filters(self) -> Filters:
        """The chosen filters; a period ending before it starts raises ValidationError."""
        start, end = self.start_edit.value(), self.end_edit.value()
        if start is None or end is None:  # the field says why under it
            raise ValidationError.single("start" if start is None else "end", "invalid_date")
        return Filters(
            Period.of(start, end),
            self.antenne_combo.currentData(),
            credit_notes_by_invoice=self.credit_box.isChecked(),
        )

    # Figures -----------------------------------------------------------------------
    def refresh(self) -> None:
        if not hasattr(self, "cards"):
            return  # still building the filters
        filters = self._checked_filters()
        if filters is None:
            return
        self.status_label.setText(indicators.COMPUTING)
        self.busy = True
        self._stale = False
        self._generation += 1
        generation, uow = self._generation, self.ctx.uow

        def done(data: DashboardData) -> None:
            if generation == self._generation:  # a later request supersedes this one
                self.show_data(data)

        self.ctx.tasks.run_db(lambda: dashboard(uow, filters), done, self._job_failed)

    def show_data(self, data: DashboardData) -> None:
        self.busy = False
        self.data = data
        self.status_label.setText("")
        self.scope_label.setText(f"<i>{data.scope.label}</i>")
        for key, read in CARDS:
            self.cards[key].set_value(read(data))
        months = [b.key for b in data.entries.intakes_by_month]
        one_year = len({m[:4] for m in months}) <= 1
        short = [_month_label(m, "LLL" if one_year else "LLL yy") for m in months]
        self.flow_chart.set_data(
            indicators.ENTRIES_EXITS_BY_MONTH,
            short,
            [
                Series(
                    indicators.INTAKE_INTERVIEWS, [b.value for b in data.entries.intakes_by_month]
                ),
                Series(indicators.EXITS, [b.value for b in data.exits.by_month]),
            ],
        )
        self.turnover_chart.set_data(
            indicators.TURNOVER_BY_MONTH,
            short,
            [Series(indicators.INVOICED, [b.value for b in data.turnover.by_month])],
            _money,
        )
        outcomes = data.exits.by_outcome
        self.outcome_chart.set_data(
            indicators.EXITS_BY_OUTCOME,
            [b.label for b in outcomes],
            [Series(indicators.EXITS, [b.value for b in outcomes])],
        )
        antennes = data.turnover.by_antenne
        self.antenne_chart.set_data(
            indicators.TURNOVER_BY_ANTENNE,
            [b.label for b in antennes],
            [Series(indicators.INVOICED, [b.value for b in antennes])],
            _money,
        )
        tables = dashboard_tables(data)
        self.tabs.show_tables(tables)
        # A tab whose table is one definition quotes it, like the cards.
        for index, table in enumerate(tables):
            if table.title in TAB_DEFINITIONS:
                self.tabs.setTabToolTip(index, _quoted(TAB_DEFINITIONS[table.title]))

    # Drill-down --------------------------------------------------------------------
    def drill(self, ref: FigureRef, title: str | None = None) -> DrillDownDialog | None:
        if self.data is None:
            return None
        label = title or DEFINITIONS.get(ref.indicator, DEFINITIONS["accompanied"]).label
        dialog = DrillDownDialog(self.ctx, label, self.data.filters, ref, self)
        dialog.open()
        return dialog

    def _outcome_clicked(self, index: int) -> None:
        if self.data is not None:
            line = self.data.exits.by_outcome[index]
            self.drill(
                FigureRef("exits", "outcome", line.key),
                indicators.EXITS_OF.format(outcome=line.label),
            )

    def _antenne_clicked(self, index: int) -> None:
        if self.data is not None:
            line = self.data.turnover.by_antenne[index]
            ref = FigureRef("turnover_invoiced", "antenne", line.key)
            self.drill(ref, indicators.INVOICES_OF.format(what=line.label))

    def _month_clicked(self, index: int) -> None:
        if self.data is not None:
            line = self.data.turnover.by_month[index]
            title = indicators.INVOICES_OF.format(what=_month_label(line.key, "LLLL yyyy"))
            self.drill(FigureRef("turnover_invoiced", "month", line.key), title)

    def _on_changed(self, changes: Changes) -> None:
        # Recompute only when seen: other pages' edits should not cost a query each.
        if changes.without(Changes(permanence_of_the_day=True, agenda=True)):
            self._stale = True
            if self.isVisible():
                self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh()

"""Rapport d'activité annuel: the dashboard's figures for one year beside the previous
year, with charts, ready to send to the network and to funders."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from reportlab.lib import colors
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle
from sqlalchemy import select

from app import formatting
from app.clock import today as clock_today
from app.exports.indicator_tables import followed_entrepreneurs
from app.exports.table import as_decimal
from app.indicators.dashboard import DashboardData, dashboard
from app.indicators.definitions import DEFINITIONS
from app.indicators.period import Filters, Period
from app.indicators.scope import Scope
from app.indicators.sql import Breakdown
from app.jobs import JobControl
from app.models import CaeIdentity
from app.pdf.common import FONT, FONT_BOLD, build_pdf, styles
from app.pdf.report_charts import Chart, compare_bars, horizontal_bars, month_names
from app.uow import UnitOfWorkFactory

GRID = TableStyle(
    [
        ("FONT", (0, 0), (-1, -1), FONT, 8.5),
        ("FONT", (0, 0), (-1, 0), FONT_BOLD, 8.5),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e2e8f0")),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#a0aec0")),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]
)


SHORT_SCOPE = {
    Scope.LAPTOP: "Chiffres de la copie de ce poste",
    Scope.CONSOLIDATED: "Chiffres consolidés (siège)",
}


def evolution(current: int, previous: int) -> str:
    """ "+12 %" against the previous year; "—" when there is nothing to compare with."""
    if previous == 0:
        return "—"
    change = (current - previous) * 100
    rounded = (abs(change) + abs(previous) // 2) // abs(previous)
    sign = "+" if change >= 0 else "−"
    return f"{sign}{rounded}\u00a0%"


def _shown(kind: str, value: int) -> str:
    if kind == "cents":
        return formatting.money(value)
    if kind == "minutes":
        return formatting.number(as_decimal("minutes", value), 1) + "\u00a0h"
    return formatting.number(value, 0)


def period_name(period: Period) -> str:
    """ "2025" for a calendar year, "01/03/2025 – 28/02/2026" for any other period."""
    if period == Period.year(period.start.year):
        return str(period.start.year)
    return f"{formatting.date(period.start)} – {formatting.date(period.end)}"


def key_figures(current: DashboardData, previous: DashboardData) -> list[list[str]]:
    def pick(d: DashboardData) -> list[tuple[str, int, str]]:
        return [
            ("persons_received", d.received, "int"),
            ("accompanied", d.accompanied.total, "int"),
            ("intakes", d.entries.intakes, "int"),
            ("admissions", d.entries.admissions, "int"),
            ("capes_started", d.entries.capes_started, "int"),
            ("cesa_started", d.new_cesa, "int"),
            ("exits", d.exits.total, "int"),
            ("salaries", d.headcount.salaries, "int"),
            ("associes", d.headcount.associes, "int"),
            ("followed_entrepreneurs", followed_entrepreneurs(d), "int"),
            ("followups", d.followups.interviews, "int"),
            ("workshops_held", d.workshops.held, "int"),
            ("workshop_participants", d.workshops.participants, "int"),
            ("attendance_hours", d.workshops.attendance_minutes, "minutes"),
            ("turnover_invoiced", d.turnover.invoiced_cents, "cents"),
            ("invoicing_entrepreneurs", d.turnover.invoicing_entrepreneurs, "int"),
            ("turnover_cashed", d.turnover.cashed_cents, "cents"),
            ("unpaid", d.receivables.unpaid_cents, "cents"),
        ]

    year, before = period_name(current.filters.period), period_name(previous.filters.period)
    rows = [["Indicateur", year, before, "Évolution"]]
    for (key, cur, kind), (_k, prev, _kind) in zip(pick(current), pick(previous), strict=True):
        rows.append(
            [DEFINITIONS[key].label, _shown(kind, cur), _shown(kind, prev), evolution(cur, prev)]
        )
    return rows


def _table(rows: Sequence[Sequence[str]], widths: Sequence[float]) -> Table:
    table = Table([list(r) for r in rows], colWidths=list(widths), repeatRows=1)
    table.setStyle(GRID)
    return table


def _breakdown_rows(
    header: str,
    years: tuple[str, str],
    current: Sequence[Breakdown],
    previous: Sequence[Breakdown],
    kind: str = "int",
) -> list[list[str]]:
    before = {b.key: b.value for b in previous}

    def show(value: int) -> str:
        return _shown(kind, value)

    rows = [[header, years[0], years[1]]]
    seen = set()
    for line in current:
        seen.add(line.key)
        rows.append([line.label, show(line.value), show(before.get(line.key, 0))])
    rows += [[b.label, show(0), show(b.value)] for b in previous if b.key not in seen and b.value]
    if len(rows) == 1:
        rows.append(["Aucune donnée", "", ""])
    return rows


def _story(
    cae_name: str, antenne_label: str, cur: DashboardData, prev: DashboardData
) -> list[Flowable]:
    s = styles()
    year, before = period_name(cur.filters.period), period_name(prev.filters.period)
    names = [year, before]
    years = (year, before)
    months = [b.key for b in cur.entries.intakes_by_month]
    option = (
        [Paragraph(DEFINITIONS["turnover_by_invoice_period"].text, s["Small"])]
        if cur.filters.credit_notes_by_invoice
        else []
    )
    story: list[Flowable] = [
        Paragraph(title_of(cur.filters.period), s["Title"]),
        Paragraph(cae_name or "Coopérative d'activités et d'emploi", s["Label"]),
        Paragraph(f"Antenne : {antenne_label}. Comparaison avec {before}.", s["Body"]),
        Paragraph(f"Périmètre des chiffres : {cur.scope.label}", s["Body"]),
        Paragraph(f"Édité le {formatting.date(clock_today(), 'long')}.", s["Small"]),
        *option,
        Spacer(1, 8),
        Paragraph("Chiffres clés", s["Heading"]),
        _table(key_figures(cur, prev), [250, 80, 80, 64]),
        Paragraph("Accueil et parcours", s["Heading"]),
        Chart(
            lambda: compare_bars(
                "Entretiens d'accueil par mois",
                month_names(months),
                [b.value for b in cur.entries.intakes_by_month],
                [b.value for b in prev.entries.intakes_by_month],
                names,
            )
        ),
        KeepTogether(
            [
                Chart(
                    lambda: horizontal_bars(
                        f"Sorties {year} par issue",
                        [b.label for b in cur.exits.by_outcome],
                        [b.value for b in cur.exits.by_outcome],
                    )
                ),
                _table(
                    _breakdown_rows(
                        "Issue de sortie", years, cur.exits.by_outcome, prev.exits.by_outcome
                    ),
                    [250, 112, 112],
                ),
            ]
        ),
        Spacer(1, 6),
        _table(
            _breakdown_rows(
                "Accompagnés par antenne",
                years,
                cur.accompanied.by_antenne,
                prev.accompanied.by_antenne,
            ),
            [250, 112, 112],
        ),
        Paragraph("Activité économique", s["Heading"]),
        Chart(
            lambda: compare_bars(
                "Chiffre d'affaires facturé HT par mois",
                month_names(months),
                # Chart geometry only: the amounts printed come from the integer cents.
                [float(as_decimal("cents", b.value)) for b in cur.turnover.by_month],
                [float(as_decimal("cents", b.value)) for b in prev.turnover.by_month],
                names,
                unit="€",
            )
        ),
        _table(
            _breakdown_rows(
                "CA facturé par antenne",
                years,
                cur.turnover.by_antenne,
                prev.turnover.by_antenne,
                "cents",
            ),
            [250, 112, 112],
        ),
        Paragraph("Actions collectives et suivi", s["Heading"]),
        _table(
            _breakdown_rows(
                "Actions par type", years, cur.workshops.by_kind, prev.workshops.by_kind
            ),
            [250, 112, 112],
        ),
        Spacer(1, 4),
        _table(
            _breakdown_rows(
                "Heures de présence par thème",
                years,
                cur.workshops.minutes_by_theme,
                prev.workshops.minutes_by_theme,
                "minutes",
            ),
            [250, 112, 112],
        ),
        Spacer(1, 4),
        Paragraph(
            f"Entrepreneurs suivis (salariés ou associés ayant eu au moins un entretien de "
            f"suivi dans la période ; ceux sans entretien ne sont pas comptés) : "
            f"{followed_entrepreneurs(cur)} sur {cur.followups.entrepreneurs} en parcours ; "
            f"entretiens de suivi : {cur.followups.interviews} ; moins de deux suivis sur "
            f"douze mois : {cur.followups.below_minimum}.",
            s["Body"],
        ),
        Paragraph("Définitions", s["Heading"]),
    ]
    story += [Paragraph(f"<b>{d.label}</b> — {d.text}", s["Small"]) for d in DEFINITIONS.values()]
    return story


def title_of(period: Period) -> str:
    """ "Rapport d'activité 2025", or "… du 01/03/2025 au 28/02/2026" for another period."""
    if period == Period.year(period.start.year):
        return f"Rapport d'activité {period.start.year}"
    return f"Rapport d'activité du {formatting.date(period.start)} au {formatting.date(period.end)}"


def write_annual_report(
    cae_name: str,
    antenne_label: str,
    current: DashboardData,
    previous: DashboardData,
    target: Path | IO[bytes],
) -> None:
    title = title_of(current.filters.period)
    build_pdf(
        target,
        _story(cae_name, antenne_label, current, previous),
        title=title,
        footer_text=f"{cae_name or 'CAE'} — {title[0].lower()}{title[1:]}\n"
        f"{SHORT_SCOPE[current.scope]}",
    )


def build_annual_report(
    uow_factory: UnitOfWorkFactory,
    period: Period | int,
    target: Path | IO[bytes],
    *,
    antenne_id: str | None = None,
    antenne_label: str = "Toutes les antennes",
    credit_notes_by_invoice: bool = False,
    today: dt.date | None = None,
    control: JobControl | None = None,
) -> Any:
    """Compute the period (a year, or any period: a custom period's report covers that
    period, not the calendar year of its end) and the same period a year earlier (SQL
    aggregates), then lay the PDF out; returns ``target``."""
    if isinstance(period, int):
        period = Period.year(period)
    control = control or JobControl()
    control.progress(0, 3, "période")
    filters = Filters(period, antenne_id, credit_notes_by_invoice)
    current = dashboard(uow_factory, filters, today=today)
    control.progress(1, 3, "période précédente")
    earlier = Filters(period.previous_year(), antenne_id, credit_notes_by_invoice)
    previous = dashboard(uow_factory, earlier, today=today)
    with uow_factory() as uow:
        cae_name = uow.session.scalar(select(CaeIdentity.name).limit(1)) or ""
    control.progress(2, 3, "mise en page")
    write_annual_report(cae_name, antenne_label, current, previous, target)
    return target

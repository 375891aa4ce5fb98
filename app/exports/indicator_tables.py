"""The dashboard's figures as tables, ready for XLSX/CSV and the annual report."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from app import formatting
from app.clock import today as clock_today
from app.exports.table import Cell, Col, Table, as_decimal
from app.indicators.dashboard import DashboardData
from app.indicators.definitions import DEFINITIONS
from app.indicators.period import Filters, Period
from app.indicators.sql import Breakdown

EMPTY_NOTE = "Aucune donnée pour cette période et ce filtre."
DEADLINE_KINDS = {"cape": "Fin de CAPE", "associe": "Échéance d'association (CESA)"}


FUNDER_ANTENNE_RULE = (
    "Chaque personne compte pour l'antenne à laquelle elle était rattachée le dernier jour "
    "de la période (historique des rattachements : un changement d'antenne ultérieur ne "
    "modifie pas une période passée), avec toutes ses présences et tous ses entretiens de "
    "la période, où qu'ils aient eu lieu : les fichiers des antennes, plus "
    "celui des personnes sans antenne, s'additionnent exactement au fichier « toutes les "
    "antennes »."
)
DASHBOARD_ANTENNE_RULE = (
    "Personnes, parcours, suivis et sorties : antenne à laquelle la personne était "
    "rattachée à la date du fait (début d'étape, sortie), ou le dernier jour de la période "
    "pour les effectifs (accompagnés, salariés, associés, suivis). "
    "Entretiens d'accueil : antenne de la permanence où ils ont eu lieu. Actions, "
    "participants et heures : antenne de la permanence où l'action a lieu. Chiffre "
    "d'affaires et encaissements : antenne de l'entrepreneur enregistrée sur la facture à "
    "son émission. Les antennes, plus « sans antenne », s'additionnent au total."
)


def reproducibility(period: Period, today: dt.date) -> tuple[str, str]:
    """What regenerating this file later gives (docs/indicators.md, "Exports")."""
    end = formatting.date(period.end)
    if period.end < today:
        text = (
            f"Période close : seuls les faits datés au plus tard le {end} sont lus (étapes, "
            "entretiens, présences, factures, paiements) ; régénérer ce fichier donne les "
            "mêmes chiffres, sauf saisie ou correction d'un fait daté dans la période, ou "
            "suppression d'une fiche (droit à l'effacement). L'antenne est celle du "
            "rattachement au dernier jour de la période ; nom, commune, situation et "
            "prescripteur sont ceux de la fiche au jour de l'export."
        )
    else:
        text = (
            f"Période en cours (jusqu'au {end}) : les chiffres évolueront avec les saisies "
            "et synchronisations à venir."
        )
    return ("Reproductibilité", text)


def about_lines(
    filters: Filters, antenne_label: str, rule: str, today: dt.date
) -> list[tuple[str, str]]:
    period = filters.period
    return [
        ("Période", f"du {formatting.date(period.start)} au {formatting.date(period.end)}"),
        ("Antenne", antenne_label),
        ("Règle des antennes", rule),
        reproducibility(period, today),
        ("Généré le", formatting.date(today)),
    ]


def about(
    data: DashboardData, antenne_label: str, today: dt.date | None = None
) -> list[tuple[str, str]]:
    day = today or clock_today()
    lines = about_lines(data.filters, antenne_label, DASHBOARD_ANTENNE_RULE, day)
    return [*lines[:2], ("Périmètre", data.scope.label), *lines[2:]]


def summary(data: DashboardData) -> Table:
    """Indicator, value, definition: one line per headline figure."""
    a, e, x, f, w, t, h = (
        data.accompanied,
        data.entries,
        data.exits,
        data.followups,
        data.workshops,
        data.turnover,
        data.headcount,
    )
    lines: list[tuple[str, int, str]] = [
        ("accompanied", a.total, "int"),
        ("persons_received", data.received, "int"),
        ("intakes", e.intakes, "int"),
        ("admissions", e.admissions, "int"),
        ("capes_started", e.capes_started, "int"),
        ("cesa_started", data.new_cesa, "int"),
        ("exits", x.total, "int"),
        ("followups", f.interviews, "int"),
        ("followed_entrepreneurs", followed_entrepreneurs(data), "int"),
        ("followups_below_minimum", f.below_minimum, "int"),
        ("workshops_held", w.held, "int"),
        ("workshop_participants", w.participants, "int"),
        ("attendance_hours", w.attendance_minutes, "minutes"),
        ("turnover_invoiced", t.invoiced_cents, "cents"),
        ("invoicing_entrepreneurs", t.invoicing_entrepreneurs, "int"),
        ("turnover_cashed", t.cashed_cents, "cents"),
        ("unpaid", data.receivables.unpaid_cents, "cents"),
        ("salaries", h.salaries, "int"),
        ("associes", h.associes, "int"),
    ]
    rows = [
        [DEFINITIONS[key].label, _shown(kind, value), DEFINITIONS[key].text]
        for key, value, kind in lines
    ]
    if data.filters.credit_notes_by_invoice:
        option = DEFINITIONS["turnover_by_invoice_period"]
        rows.append([option.label, "oui", option.text])
    return Table("Synthèse", [Col("Indicateur"), Col("Valeur"), Col("Définition")], rows)


def followed_entrepreneurs(data: DashboardData) -> int:
    """Definition ``followed_entrepreneurs``: those of the follow-up list with at least one
    interview in the period."""
    return sum(1 for line in data.followups.lines if line.in_period > 0)


def theme_hours(data: DashboardData) -> Table:
    """Definition ``hours_by_theme``: hours of attendance per workshop theme."""
    lines = data.workshops.minutes_by_theme
    rows: list[list[Cell]] = [[b.label, b.value] for b in lines]
    return Table(
        "Heures par thème",
        [Col("Thème"), Col("Heures de présence", "minutes")],
        rows,
        notes=(EMPTY_NOTE,) if not rows else (),
    )


def period_figures(data: DashboardData) -> list[Table]:
    """The funder export's « Chiffres de la période » sheet and its hours per theme: the
    figures funders ask for beside the participants (dashboard definitions)."""
    t, r = data.turnover, data.receivables
    lines: list[tuple[str, int, str]] = [
        ("persons_received", data.received, "int"),
        ("accompanied", data.accompanied.total, "int"),
        ("cesa_started", data.new_cesa, "int"),
        ("attendance_hours", data.workshops.attendance_minutes, "minutes"),
        ("invoicing_entrepreneurs", t.invoicing_entrepreneurs, "int"),
        ("turnover_invoiced", t.invoiced_cents, "cents"),
        ("unpaid", r.unpaid_cents, "cents"),
    ]
    rows: list[list[Cell]] = [
        [
            DEFINITIONS[key].label,
            value if kind == "int" else None,
            value if kind == "cents" else None,
            value if kind == "minutes" else None,
            DEFINITIONS[key].text,
        ]
        for key, value, kind in lines
    ]
    option = DEFINITIONS["turnover_by_invoice_period"]
    rows.append(
        [option.label, None, None, None, "oui" if data.filters.credit_notes_by_invoice else "non"]
    )
    figures = Table(
        "Chiffres de la période",
        [
            Col("Indicateur"),
            Col("Nombre", "int"),
            Col("Montant", "cents"),
            Col("Heures", "minutes"),
            Col("Définition"),
        ],
        rows,
        notes=(
            "Règle des antennes de ces chiffres : celle du tableau de bord. "
            + DASHBOARD_ANTENNE_RULE,
        ),
    )
    return [figures, theme_hours(data)]


def _shown(kind: str, value: int) -> str:
    if kind == "cents":
        return formatting.money(value)
    if kind == "minutes":
        return formatting.number(as_decimal("minutes", value), 2) + "\u00a0h"
    return formatting.number(value, 0)


def breakdown(title: str, header: str, lines: Sequence[Breakdown], money: bool = False) -> Table:
    rows: list[list[Cell]] = [[b.label, b.value] for b in lines]
    return Table(
        title,
        [Col(header), Col("Montant" if money else "Nombre", "cents" if money else "int")],
        rows,
        notes=(EMPTY_NOTE,) if not any(b.value for b in lines) else (),
    )


def monthly(data: DashboardData) -> Table:
    e, x, t = data.entries, data.exits, data.turnover
    rows: list[list[Cell]] = [
        [m.key, m.value, out.value, inv.value, cash.value]
        for m, out, inv, cash in zip(
            e.intakes_by_month, x.by_month, t.by_month, t.cashed_by_month, strict=True
        )
    ]
    return Table(
        "Par mois",
        [
            Col("Mois"),
            Col("Entretiens d'accueil", "int"),
            Col("Sorties", "int"),
            Col("CA facturé HT", "cents"),
            Col("Encaissements", "cents"),
        ],
        rows,
    )


def entrepreneurs(data: DashboardData) -> Table:
    rows: list[list[Cell]] = [
        [e.name, e.antenne, e.invoiced_cents, e.cashed_cents] for e in data.turnover.by_entrepreneur
    ]
    return Table(
        "CA par entrepreneur",
        [
            Col("Entrepreneur"),
            Col("Antenne"),
            Col("CA facturé HT", "cents"),
            Col("Encaissé", "cents"),
        ],
        rows,
        notes=(EMPTY_NOTE,) if not rows else (),
    )


def followup_table(data: DashboardData) -> Table:
    rows: list[list[Cell]] = [
        [
            line.name,
            line.in_period,
            line.last_twelve_months,
            "oui" if line.below_minimum else "non",
        ]
        for line in data.followups.lines
    ]
    return Table(
        "Suivis par entrepreneur",
        [
            Col("Entrepreneur"),
            Col("Entretiens dans la période", "int"),
            Col("Entretiens sur 12 mois", "int"),
            Col("Moins de deux par an"),
        ],
        rows,
        notes=(EMPTY_NOTE,) if not rows else (),
    )


def deadline_table(data: DashboardData) -> Table:
    rows: list[list[Cell]] = [
        [d.name, DEADLINE_KINDS[d.kind], d.due, d.days_left] for d in data.deadlines
    ]
    return Table(
        "Échéances",
        [Col("Personne"), Col("Échéance"), Col("Date", "date"), Col("Jours restants", "int")],
        rows,
        notes=(EMPTY_NOTE,) if not rows else (),
    )


def dashboard_tables(data: DashboardData) -> list[Table]:
    a = data.accompanied
    return [
        summary(data),
        breakdown("Accompagnés par statut", "Statut en fin de période", a.by_status),
        breakdown("Accompagnés par antenne", "Antenne", a.by_antenne),
        breakdown("Accompagnés par permanence", "Permanence", a.by_permanence),
        breakdown("Accompagnés par accompagnateur", "Accompagnateur", a.by_accompagnateur),
        breakdown("Entretiens d'accueil", "Décision", data.entries.by_decision),
        breakdown("Sorties par issue", "Issue", data.exits.by_outcome),
        breakdown("Actions par type", "Type", data.workshops.by_kind),
        theme_hours(data),
        breakdown("CA par antenne", "Antenne", data.turnover.by_antenne, money=True),
        monthly(data),
        entrepreneurs(data),
        followup_table(data),
        deadline_table(data),
    ]

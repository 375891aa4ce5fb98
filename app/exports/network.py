"""Network export: one file per year in the network's terms, one figure per line, each
line carrying the CAE's SIREN and name so a federation can stack every CAE's file and
sum by code (docs/indicators.md, "Network export")."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import today as clock_today
from app.exports.indicator_tables import DASHBOARD_ANTENNE_RULE, about_lines
from app.exports.service import export_table
from app.exports.table import Cell, Col, Table
from app.indicators.definitions import MAIN_OUTCOMES
from app.indicators.network import NetworkFigures, network_in
from app.indicators.period import Filters, Period
from app.indicators.scope import detect_scope
from app.models import CaeIdentity
from app.uow import UnitOfWorkFactory

COLUMNS = [
    Col("SIREN"),
    Col("CAE"),
    Col("Année", "int"),
    Col("Code"),
    Col("Indicateur"),
    Col("Nombre", "int"),
    Col("Montant", "cents"),
]
# Stable codes (what a consolidation sums on) and their wording; the definitions are in
# docs/indicators.md under the key in brackets.
OUTCOME_CODES = {
    "creation_entreprise": "sorties_creation_entreprise",
    "retour_situation": "sorties_retour_situation",
    "associe": "sorties_reste_associe",
}


def _lines(figures: NetworkFigures) -> list[tuple[str, str, int | None, int | None]]:
    """(code, label, count, amount in cents) in the network's order."""
    lines: list[tuple[str, str, int | None, int | None]] = [
        ("personnes_recues", "Personnes reçues en entretien d'accueil", figures.received, None),
        ("personnes_accompagnees", "Personnes accompagnées", figures.accompanied, None),
        ("entrees_cape", "Personnes entrées en CAPE", figures.entered_cape, None),
        (
            "nouveaux_entrepreneurs_salaries",
            "Personnes devenues entrepreneurs salariés",
            figures.became_salaries,
            None,
        ),
        ("nouveaux_cesa", "dont en CESA", figures.new_cesa, None),
        ("sorties", "Sorties", figures.exits, None),
    ]
    others = 0
    for line in figures.exits_by_outcome:
        if line.key in OUTCOME_CODES:
            label = f"Sorties : {MAIN_OUTCOMES[line.key].lower()}"
            lines.append((OUTCOME_CODES[line.key], label, line.value, None))
        else:
            others += line.value
    lines += [
        ("sorties_autres", "Sorties : autres motifs", others, None),
        ("ca_facture_ht", "Chiffre d'affaires facturé hors taxes", None, figures.invoiced_cents),
        (
            "entrepreneurs_facturant",
            "Entrepreneurs ayant facturé",
            figures.invoicing_entrepreneurs,
            None,
        ),
        ("entrepreneurs_salaries_31_12", "Entrepreneurs salariés au 31/12", figures.salaries, None),
        ("associes_31_12", "Entrepreneurs associés au 31/12", figures.associes, None),
    ]
    return lines


def _cae(session: Session) -> tuple[str, str]:
    """SIREN and name of the CAE (read only: an export never writes)."""
    row = session.execute(
        select(CaeIdentity.siren, CaeIdentity.name)
        .where(CaeIdentity.deleted_at.is_(None))
        .order_by(CaeIdentity.id)
        .limit(1)
    ).first()
    return (row[0], row[1]) if row else ("", "")


def network_table_in(session: Session, year: int) -> Table:
    siren, name = _cae(session)
    figures = network_in(session, Filters(Period.year(year)))
    rows: list[list[Cell]] = [
        [siren, name, year, code, label, count, amount]
        for code, label, count, amount in _lines(figures)
    ]
    return Table(f"Réseau {year}", COLUMNS, rows)


def export_network(
    uow_factory: UnitOfWorkFactory, year: int, target: Path, *, today: dt.date | None = None
) -> Path:
    """The year's network file (.xlsx with its "À propos" sheet, or .csv)."""
    with uow_factory() as uow:
        table = network_table_in(uow.session, year)
        scope = detect_scope(uow.session).label
    day = today or clock_today()
    about = about_lines(Filters(Period.year(year)), "Toutes", DASHBOARD_ANTENNE_RULE, day)
    return export_table(table, target, [*about[:2], ("Périmètre", scope), *about[2:]])

"""Words of the dashboard (Tableau de bord), its exports and the drill-down lists behind
its figures.

See docs/architecture.md §3, "Where wording lives".
"""

from __future__ import annotations

from typing import Final

# Dashboard (ui/pages/dashboard_page.py)
DASHBOARD_AREA_TITLE: Final[str] = "Tableau de bord"
CUSTOM_PERIOD: Final[str] = "Période personnalisée"
ALL_ANTENNES: Final[str] = "Toutes les antennes"
NO_ANTENNE: Final[str] = "Sans antenne"
CREDIT_NOTES_IN_INVOICE_PERIOD: Final[str] = "Avoirs imputés à la période de leur facture"
REFRESH: Final[str] = "Actualiser"
YEAR: Final[str] = "Année"
FROM: Final[str] = "Du"
TO: Final[str] = "Au"
COMPUTING: Final[str] = "Calcul des indicateurs…"
ENTRIES_EXITS_BY_MONTH: Final[str] = "Entrées et sorties par mois"
INTAKE_INTERVIEWS: Final[str] = "Entretiens d'accueil"
EXITS: Final[str] = "Sorties"
TURNOVER_BY_MONTH: Final[str] = "Chiffre d'affaires facturé HT par mois"
INVOICED: Final[str] = "Facturé"
EXITS_BY_OUTCOME: Final[str] = "Sorties par issue"
TURNOVER_BY_ANTENNE: Final[str] = "Chiffre d'affaires par antenne"
EXITS_OF: Final[str] = "Sorties — {outcome}"
INVOICES_OF: Final[str] = "Factures — {what}"

# Dashboard exports (ui/pages/dashboard_actions.py)
EXPORT_XLSX: Final[str] = "Exporter (XLSX)…"
EXPORT_CSV: Final[str] = "Exporter (CSV)…"
EXPORT_SHOWN_TABLE: Final[str] = "Exporter le tableau affiché…"
EXPORT_FOR_FUNDERS: Final[str] = "Exporter pour les financeurs…"
NETWORK_EXPORT: Final[str] = "Export réseau (année)…"
ANNUAL_REPORT: Final[str] = "Rapport annuel (PDF)…"
PERIOD: Final[str] = "Période"
SCOPE: Final[str] = "Périmètre"
FUNDER_EXPORT_RUNNING: Final[str] = "Export financeur en cours…"
ANNUAL_REPORT_RUNNING: Final[str] = "Rapport d'activité en cours…"
FILE_SAVED: Final[str] = "Fichier enregistré : {path}"
NETWORK_EXPORT_RUNNING: Final[str] = "Export réseau {year} en cours…"
PERIOD_FROM_TO: Final[str] = "du {start} au {end}"

# Drill-down list behind a figure (ui/dialogs/drilldown_dialog.py)
LOADING: Final[str] = "Chargement…"
DOUBLE_CLICK_TO_OPEN: Final[str] = "Double-cliquez sur une ligne pour l'ouvrir."
EXPORT_LIST_ELLIPSIS: Final[str] = "Exporter la liste…"
NO_ROW_BEHIND_FIGURE: Final[str] = "Aucune ligne derrière ce chiffre."
UNPAID_INCL_TAX: Final[str] = "Reste dû TTC"
AMOUNT_EXCL_TAX: Final[str] = "Montant HT"
EXPORT_LIST: Final[str] = "Exporter la liste"
FIRST_ROWS_SHOWN: Final[str] = " (les {shown} premières affichées ; l'export les contient toutes)"
LIST_EXPORTED: Final[str] = "Liste exportée : {path}"


def row_count(total: int, total_text: str, *, invoices: bool) -> str:
    """« 3 pièces », « 1 personne »: ``total_text`` is ``total`` written the French way."""
    noun = "pièce" if invoices else "personne"
    return f"{total_text} {noun}{'s' if total > 1 else ''}"

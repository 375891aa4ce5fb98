"""Readable PDF of everything held about one person (RGPD right of access); the JSON file
beside it is the machine-readable copy."""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from reportlab.platypus import Flowable, Paragraph

from app.pdf.common import build_pdf, styles
from app.pdf.interview_report import facts_table
from app.pdf.person_export_labels import label, shown, value_text

TABLE_TITLES = {
    "parcours_stage": "Étapes du parcours",
    "intake_interview": "Entretiens d'accueil",
    "followup_interview": "Entretiens de suivi",
    "appointment": "Rendez-vous",
    "registration": "Inscriptions aux ateliers",
    "attendance": "Présences aux ateliers",
    "client": "Clients de l'activité",
    "invoice": "Factures",
    "invoice_line": "Lignes de facture",
    "payment": "Paiements",
    "invoice_pa_status": "Statuts de facture électronique (plateforme agréée)",
}


def _facts(row: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (label(key), value_text(key, value))
        for key, value in row.items()
        if shown(key) and value not in (None, "")
    ]


def build_person_export(target: Any, data: dict[str, Any]) -> None:
    sheet = styles()
    person = data["person"]
    name = f"{person.get('first_name', '')} {person.get('last_name', '')}".strip()
    story: list[Flowable] = [
        Paragraph("Données personnelles détenues", sheet["Title"]),
        Paragraph(escape(name), sheet["Heading"]),
        Paragraph(
            f"Extraction du {escape(value_text('exported_at', data.get('exported_at', '')))}. "
            "Le fichier JSON joint contient les mêmes données (avec les identifiants "
            "techniques) dans un format lisible par machine.",
            sheet["Body"],
        ),
        Paragraph("Fiche", sheet["Heading"]),
        facts_table(_facts(person)),
    ]
    for table, rows in data.items():
        if not isinstance(rows, list):
            continue
        story.append(Paragraph(escape(TABLE_TITLES.get(table, table)), sheet["Heading"]))
        for row in rows:
            story.append(facts_table(_facts(row)))
            story.append(Paragraph(" ", sheet["Small"]))
    build_pdf(target, story, title=f"Données personnelles — {name}")

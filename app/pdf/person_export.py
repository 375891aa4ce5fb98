"""Readable PDF of a right-of-access export (RGPD art. 15; docs/personal-data.md): who
holds the data and why, who receives it, how long it is kept, the person's rights and
the CNIL, then the person's data in words (app/people/access_readable.py). The JSON file
beside it is the machine-readable copy of the same export."""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from reportlab.platypus import Flowable, Paragraph

from app.pdf.common import build_pdf, styles
from app.pdf.interview_report import facts_table
from app.pdf.person_export_labels import value_text

INFORMATION_TITLE = "Qui détient ces données, pourquoi, pour combien de temps"


def _list(items: list[str], style: Any) -> list[Flowable]:
    return [Paragraph("• " + escape(item), style) for item in items]


def _information(info: dict[str, Any]) -> list[Flowable]:
    sheet = styles()
    controller = [(str(k), str(v)) for k, v in info["responsable_du_traitement"].items()]
    retention = [(str(k), str(v)) for k, v in info["durees_de_conservation"].items()]
    return [
        Paragraph(INFORMATION_TITLE, sheet["Heading"]),
        facts_table(controller),
        Paragraph("Finalités", sheet["Label"]),
        *_list(info["finalites"], sheet["Body"]),
        Paragraph("Bases légales", sheet["Label"]),
        Paragraph(escape(info["bases_legales"]), sheet["Body"]),
        Paragraph("Destinataires", sheet["Label"]),
        *_list(info["destinataires"], sheet["Body"]),
        Paragraph("Durées de conservation", sheet["Label"]),
        facts_table(retention),
        Paragraph("Vos droits", sheet["Label"]),
        Paragraph(escape(info["vos_droits"]), sheet["Body"]),
        Paragraph("Réclamation auprès de la CNIL", sheet["Label"]),
        Paragraph(escape(info["reclamation_cnil"]), sheet["Body"]),
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
            "Le fichier JSON joint contient les mêmes données dans un format lisible par "
            "machine.",
            sheet["Body"],
        ),
        *_information(data["information"]),
    ]
    for section in data["sections"]:
        story.append(Paragraph(escape(section["titre"]), sheet["Heading"]))
        for entry in section["elements"]:
            story.append(facts_table([(f["libelle"], f["valeur"]) for f in entry]))
            story.append(Paragraph(" ", sheet["Small"]))
    build_pdf(target, story, title=f"Données personnelles — {name}")

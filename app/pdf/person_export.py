"""Readable PDF of a right-of-access export (RGPD art. 15; docs/personal-data.md): who
holds the data and why, who receives it, how long it is kept, the person's rights and
the CNIL, then the person's data in words (app/people/access_readable.py). The JSON file
beside it is the machine-readable copy of the same export."""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from app.pdf.common import FONT, FONT_BOLD, MARGIN, PAGE_SIZE, build_pdf, styles
from app.pdf.interview_report import paragraph_text
from app.pdf.person_export_labels import value_text

INFORMATION_TITLE = "Qui détient ces données, pourquoi, pour combien de temps"
LABEL_WIDTH = 55 * mm
# A value this short fits its column on one line: drawn as plain text, not a Paragraph
# (a heavy entrepreneur's export holds thousands of cells; Paragraphs made it 3× slower).
PLAIN_CHARS = 55
PLAIN_LABEL_CHARS = 22


def facts_table(facts: list[tuple[str, str]]) -> Table:
    """Label and value rows; long or multi-line values wrap."""
    sheet = styles()
    width = PAGE_SIZE[0] - 2 * MARGIN
    rows = [
        [label if len(label) <= PLAIN_LABEL_CHARS else Paragraph(escape(label), sheet["Label"]),
         value if len(value) <= PLAIN_CHARS and "\n" not in value
         else Paragraph(paragraph_text(value), sheet["Body"])]
        for label, value in facts
    ]  # fmt: skip
    table = Table(rows, colWidths=[LABEL_WIDTH, width - LABEL_WIDTH])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("FONTNAME", (0, 0), (0, -1), FONT_BOLD),
                ("FONTSIZE", (0, 0), (-1, -1), 9.5),
                ("LEADING", (0, 0), (-1, -1), 12.5),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#cccccc")),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


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
            story.append(Spacer(1, 4 * mm))  # one row of data ends
    build_pdf(target, story, title=f"Données personnelles — {name}")

"""Synthèse du parcours of one person: status, stages, interviews, alerts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Table, TableStyle

from app.pdf.common import FONT, MARGIN, PAGE_SIZE, build_pdf, styles
from app.pdf.interview_report import facts_table


@dataclass(frozen=True)
class ParcoursSummary:
    cae_name: str
    person_name: str
    status: str
    facts: list[tuple[str, str]]
    stages: list[tuple[str, str, str, str]]  # stage, from, to, detail
    interviews: list[tuple[str, str, str, str]]  # date, kind, accompagnateur, summary
    alerts: list[str]
    footer: str = ""


def grid(header: tuple[str, ...], rows: Sequence[tuple[str, ...]], widths: list[float]) -> Table:
    sheet = styles()
    data = [[Paragraph(escape(h), sheet["Label"]) for h in header]] + [
        [Paragraph(escape(cell) or "—", sheet["Body"]) for cell in row] for row in rows
    ]
    total = PAGE_SIZE[0] - 2 * MARGIN
    table = Table(data, colWidths=[w * total for w in widths], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("FONTNAME", (0, 0), (-1, -1), FONT),  # else cells set Helvetica
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#999999")),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def summary_story(summary: ParcoursSummary) -> list[Flowable]:
    sheet = styles()
    story: list[Flowable] = [
        Paragraph(escape(summary.cae_name), sheet["Small"]),
        Paragraph("Synthèse du parcours", sheet["Title"]),
        Paragraph(escape(summary.person_name), sheet["Heading"]),
        Paragraph(f"Situation actuelle : <b>{escape(summary.status)}</b>", sheet["Body"]),
        # A record with no contact details has no facts: an empty table cannot be drawn.
        *([facts_table(summary.facts)] if summary.facts else []),
        Paragraph("Étapes du parcours", sheet["Heading"]),
    ]
    if summary.stages:
        story.append(
            grid(("Étape", "Du", "Au", "Précisions"), summary.stages, [0.44, 0.14, 0.14, 0.28])
        )
    else:
        story.append(Paragraph("Aucune étape enregistrée.", sheet["Body"]))
    story.append(Paragraph("Entretiens", sheet["Heading"]))
    if summary.interviews:
        story.append(
            grid(
                ("Date", "Entretien", "Accompagnateur", "Résumé"),
                summary.interviews,
                [0.14, 0.22, 0.21, 0.43],
            )
        )
    else:
        story.append(Paragraph("Aucun entretien enregistré.", sheet["Body"]))
    if summary.alerts:
        story.append(Paragraph("Points d'attention", sheet["Heading"]))
        story.extend(Paragraph("• " + escape(a), sheet["Body"]) for a in summary.alerts)
    story.append(Paragraph(" ", sheet["Body"]))
    story[-1].spaceBefore = 4 * mm  # type: ignore[attr-defined]
    return story


def build_parcours_summary(target: Any, summary: ParcoursSummary) -> None:
    build_pdf(
        target,
        summary_story(summary),
        title=f"Synthèse du parcours — {summary.person_name}",
        author=summary.cae_name or "Permanence",
        footer_text=summary.footer,
    )

"""Compte rendu d'entretien (accueil or suivi): the written report, with signature boxes for
the accompagnateur and the person."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from app.pdf.common import FONT, MARGIN, PAGE_SIZE, build_pdf, styles


@dataclass(frozen=True)
class InterviewReport:
    title: str
    cae_name: str
    person_name: str
    accompagnateur_name: str
    facts: list[tuple[str, str]]  # (label, value) printed as a small table
    sections: list[tuple[str, str]]  # (heading, free text)
    footer: str = ""


def paragraph_text(text: str) -> str:
    """Free text as reportlab markup: escaped, line breaks kept."""
    return "<br/>".join(escape(line) for line in text.strip().splitlines()) or "—"


def facts_table(facts: list[tuple[str, str]]) -> Table:
    sheet = styles()
    width = PAGE_SIZE[0] - 2 * MARGIN
    table = Table(
        [
            [Paragraph(escape(k), sheet["Label"]), Paragraph(paragraph_text(v), sheet["Body"])]
            for k, v in facts
        ],
        colWidths=[45 * mm, width - 45 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("FONTNAME", (0, 0), (-1, -1), FONT),  # else cells set Helvetica
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#cccccc")),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def signature_boxes(left: tuple[str, str], right: tuple[str, str]) -> Flowable:
    """Two boxes side by side: (role, name) each, with room to sign."""
    sheet = styles()
    width = (PAGE_SIZE[0] - 2 * MARGIN) / 2

    def cell(role: str, name: str) -> list[Any]:
        return [
            Paragraph(escape(role), sheet["Label"]),
            Paragraph(escape(name), sheet["Body"]),
            Paragraph("Date et signature :", sheet["Small"]),
        ]

    table = Table(
        [[cell(*left), cell(*right)]],
        colWidths=[width - 3 * mm, width - 3 * mm],
        rowHeights=[38 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (0, 0), 0.8, colors.black),
                ("BOX", (1, 0), (1, 0), 0.8, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("FONTNAME", (0, 0), (-1, -1), FONT),  # else cells set Helvetica
            ]
        )
    )
    return KeepTogether([Spacer(1, 6 * mm), table])


def interview_story(report: InterviewReport) -> list[Flowable]:
    sheet = styles()
    story: list[Flowable] = [
        Paragraph(escape(report.cae_name), sheet["Small"]),
        Paragraph(escape(report.title), sheet["Title"]),
        Paragraph(escape(report.person_name), sheet["Heading"]),
        facts_table(report.facts),
    ]
    for heading, text in report.sections:
        story.append(Paragraph(escape(heading), sheet["Heading"]))
        story.append(Paragraph(paragraph_text(text), sheet["Body"]))
    story.append(
        signature_boxes(
            ("L'accompagnateur", report.accompagnateur_name),
            ("La personne accompagnée", report.person_name),
        )
    )
    return story


def build_interview_report(target: Any, report: InterviewReport) -> None:
    build_pdf(
        target,
        interview_story(report),
        title=f"{report.title} — {report.person_name}",
        author=report.cae_name or "Permanence",
        footer_text=report.footer,
    )

"""Pieces both workshop PDFs share: labels of kinds and states, slot headings, funders' block.

French text is allowed here: PDFs are what funders and participants read.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.graphics.shapes import Drawing, Polygon, Rect
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Flowable, Image, Paragraph, Table, TableStyle
from reportlab.platypus.flowables import KeepTogether

from app import formatting
from app.pdf.common import FONT, FONT_BOLD, styles
from app.workshops.labels import GENDERED_STATE_LABELS, KIND_LABELS, SHEET_STATE_LABELS
from app.workshops.workshop_values import (
    FunderInfo,
    SessionDetail,
    SlotInfo,
    duration_text,
    hour_text,
)

NOON_HOUR = 13
EMBLEM_HEIGHT = 14 * mm
GRID = colors.HexColor("#777777")
SHADE = colors.HexColor("#EEEEEE")
EU_BLUE = colors.HexColor("#003399")
EU_YELLOW = colors.HexColor("#FFCC00")
EU_FUNDER_CODE = "FSE+"  # seeded code (app/seed.py): its sheets carry the EU emblem
# The EU's visual identity rules: the emblem with these words beside it, in a plain
# typeface, black, of a size in proportion with the emblem (docs/architecture.md §8).
EU_STATEMENT = "Cofinancé par l'Union européenne"
NBSP = "\u00a0"


@dataclass(frozen=True)
class Organisation:
    """The CAE as its documents name it: name, address, SIRET and training declaration
    number (NDA, "numéro de déclaration d'activité"), each printed only when known."""

    name: str = ""
    address: str = ""
    town: str = ""
    siret: str = ""
    nda: str = ""

    def identifiers(self) -> str:
        """ "SIRET 123 456 789 00012 — NDA 44 12 34567 89" (what is known of it)."""
        parts = []
        if self.siret:
            parts.append(f"SIRET{NBSP}{siret_text(self.siret)}")
        if self.nda:
            parts.append(f"déclaration d'activité n°{NBSP}{self.nda}")
        return " — ".join(parts)


def siret_text(siret: str) -> str:
    """ "12345678900012" -> "123 456 789 00012" with no-break spaces (one unbreakable number)."""
    digits = siret.replace(" ", "")
    if len(digits) != 14 or not digits.isdigit():
        return siret
    return NBSP.join((digits[0:3], digits[3:6], digits[6:9], digits[9:]))


def french_date(day: dt.date, style: str = "full") -> str:
    """Babel's long dates with the French ordinal: "mardi 1er décembre 2026"."""
    text = formatting.date(day, style)
    if day.day == 1 and style in ("full", "long"):
        # Babel writes the cardinal ("1 décembre"); French typography wants "1er".
        prefix = text.split(" 1 ", 1)
        if len(prefix) == 2:
            return f"{prefix[0]} 1er {prefix[1]}"
        if text.startswith("1 "):
            return "1er " + text[2:]
    return text


def hours_span(slot: SlotInfo) -> str:
    """ "9 h 00 – 12 h 30" bound by no-break spaces: a time never breaks across lines."""
    return NBSP.join(f"{hour_text(slot.starts_at)} – {hour_text(slot.ends_at)}".split(" "))


def esc(text: str) -> str:
    """Paragraphs read a little XML: escape what users typed."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def state_label(state: str, civility: str) -> str:
    """The attendance state in French, agreed with ``civility`` ("Mme", "M." or "")."""
    return GENDERED_STATE_LABELS.get(civility, {}).get(state) or SHEET_STATE_LABELS[state]


def half_day(slot: SlotInfo) -> str:
    return "Matin" if slot.starts_at.hour < NOON_HOUR else "Après-midi"


def slot_heading(slot: SlotInfo) -> str:
    """Day and half-day in bold, the hours below in a smaller regular type so that
    "12 h 30 – 17 h 30", unbreakable, fits the narrowest signature column."""
    day = formatting.date(slot.starts_at.date(), "EEE dd/MM/yyyy")
    return f"{day}<br/>{half_day(slot)}<br/><font name='{FONT}' size='8'>{hours_span(slot)}</font>"


def dates_text(detail: SessionDetail) -> str:
    days = sorted({s.starts_at.date() for s in detail.slots})
    return ", ".join(french_date(d) for d in days) or french_date(detail.held_on)


def hours_text(detail: SessionDetail) -> str:
    """ "9 h 00 – 12 h 30 et 14 h 00 – 17 h 30" (per day when the session spans several)."""
    by_day: dict[object, list[str]] = {}
    for slot in detail.slots:
        by_day.setdefault(slot.starts_at.date(), []).append(hours_span(slot))
    if len(by_day) == 1:
        return " et ".join(next(iter(by_day.values())))
    return " ; ".join(
        f"{formatting.date(day, 'dd/MM')} : {' et '.join(spans)}"  # type: ignore[arg-type]
        for day, spans in by_day.items()
    )


def info_table(
    detail: SessionDetail, width: float, organisation: Organisation | None = None
) -> Table:
    sheet = styles()
    rows: list[tuple[str, str]] = []
    if organisation is not None and organisation.name:
        identifiers = organisation.identifiers()
        rows.append(("Organisme", organisation.name + (f" — {identifiers}" if identifiers else "")))
    rows.append(("Type d'action", KIND_LABELS.get(detail.kind, detail.kind)))
    if detail.theme_name:
        rows.append(("Thème", detail.theme_name))
    rows += [
        ("Date", dates_text(detail)),
        ("Horaires", hours_text(detail)),
        ("Durée", duration_text(detail.total_minutes)),
        ("Lieu", detail.place_label),
        ("Animateur(s)", detail.animateurs or "—"),
    ]
    data = [
        [Paragraph(label, sheet["Label"]), Paragraph(esc(value), sheet["Body"])]
        for label, value in rows
    ]
    table = Table(data, colWidths=[32 * mm, width - 32 * mm])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


def emblem(png: bytes, height: float = EMBLEM_HEIGHT) -> Image:
    reader = ImageReader(io.BytesIO(png))
    width_px, height_px = reader.getSize()
    return Image(io.BytesIO(png), width=height * width_px / max(height_px, 1), height=height)


def eu_emblem(height: float = EMBLEM_HEIGHT) -> Drawing:
    """The EU emblem drawn as vectors (official geometry: 3:2 flag, twelve stars on a
    circle of radius h/3, each star of radius h/18), for FSE+ actions without an image."""
    width = height * 1.5
    drawing = Drawing(width, height)
    drawing.add(Rect(0, 0, width, height, fillColor=EU_BLUE, strokeColor=None))
    for index in range(12):
        angle = math.radians(90 - index * 30)
        cx = width / 2 + height / 3 * math.cos(angle)
        cy = height / 2 + height / 3 * math.sin(angle)
        points: list[float] = []
        for tip in range(10):  # five points, one up: outer and inner radius alternate
            radius = height / 18 if tip % 2 == 0 else height / 18 * 0.382
            theta = math.radians(90 + tip * 36)
            points += [cx + radius * math.cos(theta), cy + radius * math.sin(theta)]
        drawing.add(Polygon(points, fillColor=EU_YELLOW, strokeColor=None))
    return drawing


def _eu_words() -> Paragraph:
    style = ParagraphStyle("EuStatement", fontName=FONT_BOLD, fontSize=10.5, leading=13)
    return Paragraph(EU_STATEMENT.replace(" l'", "<br/>l'"), style)


def funders_block(funders: Sequence[FunderInfo], width: float) -> list[Flowable]:
    """Each funder's emblem (when set) beside its required statement; for the EU (FSE+),
    « Cofinancé par l'Union européenne » right beside the emblem, as its rules ask."""
    if not funders:
        return []
    sheet = styles()
    rows = []
    logo_width = 36 * mm
    words_width = 44 * mm
    for funder in funders:
        logo: Flowable | str = ""
        if funder.emblem_png:
            logo = emblem(funder.emblem_png)
        elif funder.code == EU_FUNDER_CODE:
            logo = eu_emblem()
        text = esc(funder.statement) if funder.statement else esc(funder.name)
        if funder.operation_ref:  # the funder's operation (FSE+: Ma démarche FSE+), issue 16
            text += f" — <b>Opération n°{NBSP}{esc(funder.operation_ref)}</b>"
        body = Paragraph(f"<b>{esc(funder.name)}</b> — {text}", sheet["Body"])
        if funder.code == EU_FUNDER_CODE:
            mark = Table(
                [[logo, _eu_words()]], colWidths=[EMBLEM_HEIGHT * 1.5 + 2 * mm, words_width]
            )
            mark.setStyle(
                TableStyle(
                    [
                        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                        ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ]
                )
            )
            rows.append([mark, body])
        else:
            rows.append([logo, body])
    if any(f.code == EU_FUNDER_CODE for f in funders):
        logo_width = EMBLEM_HEIGHT * 1.5 + 2 * mm + words_width + 6
    table = Table(rows, colWidths=[logo_width, width - logo_width])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BOX", (0, 0), (-1, -1), 0.5, GRID),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return [KeepTogether([Paragraph("Financement", sheet["Label"]), table])]

"""Pieces both workshop PDFs share: labels of kinds and states, slot headings, funders' block.

French text is allowed here: PDFs are what funders and participants read.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence

from reportlab.graphics.shapes import Drawing, Polygon, Rect
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Flowable, Image, Paragraph, Table, TableStyle
from reportlab.platypus.flowables import KeepTogether

from app import formatting
from app.pdf.common import styles
from app.workshops.workshop_values import (
    ABSENT,
    EXCUSED,
    EXPECTED,
    PRESENT,
    FunderInfo,
    SessionDetail,
    SlotInfo,
    duration_text,
)

KIND_LABELS = {
    "atelier": "Atelier collectif",
    "reunion": "Réunion coopérative",
    "manifestation": "Manifestation",
}
STATE_LABELS: dict[str, str] = {
    EXPECTED: "Non renseignée",
    PRESENT: "Présent(e)",
    ABSENT: "Absent(e)",
    EXCUSED: "Excusé(e)",
}
# Agreed with the person's civility where it is known; "(e)" only when it is not.
GENDERED_STATE_LABELS: dict[str, dict[str, str]] = {
    "Mme": {PRESENT: "Présente", ABSENT: "Absente", EXCUSED: "Excusée"},
    "M.": {PRESENT: "Présent", ABSENT: "Absent", EXCUSED: "Excusé"},
}
NOON_HOUR = 13
EMBLEM_HEIGHT = 14 * mm
GRID = colors.HexColor("#777777")
SHADE = colors.HexColor("#EEEEEE")
EU_BLUE = colors.HexColor("#003399")
EU_YELLOW = colors.HexColor("#FFCC00")
EU_FUNDER_CODE = "FSE+"  # seeded code (app/seed.py): its sheets carry the EU emblem


def esc(text: str) -> str:
    """Paragraphs read a little XML: escape what users typed."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def state_label(state: str, civility: str) -> str:
    """The attendance state in French, agreed with ``civility`` ("Mme", "M." or "")."""
    return GENDERED_STATE_LABELS.get(civility, {}).get(state) or STATE_LABELS[state]


def half_day(slot: SlotInfo) -> str:
    return "Matin" if slot.starts_at.hour < NOON_HOUR else "Après-midi"


def slot_heading(slot: SlotInfo) -> str:
    day = formatting.date(slot.starts_at.date(), "EEE dd/MM/yyyy")
    return f"{day}<br/>{half_day(slot)}<br/>{slot.hours_label}"


def dates_text(detail: SessionDetail) -> str:
    days = sorted({s.starts_at.date() for s in detail.slots})
    return ", ".join(formatting.date(d, "full") for d in days) or formatting.date(detail.held_on)


def hours_text(detail: SessionDetail) -> str:
    """ "9 h 00 – 12 h 30 et 14 h 00 – 17 h 30" (per day when the session spans several)."""
    by_day: dict[object, list[str]] = {}
    for slot in detail.slots:
        by_day.setdefault(slot.starts_at.date(), []).append(slot.hours_label)
    if len(by_day) == 1:
        return " et ".join(next(iter(by_day.values())))
    return " ; ".join(
        f"{formatting.date(day, 'dd/MM')} : {' et '.join(spans)}"  # type: ignore[arg-type]
        for day, spans in by_day.items()
    )


def info_table(detail: SessionDetail, width: float) -> Table:
    sheet = styles()
    rows: list[tuple[str, str]] = [("Type d'action", KIND_LABELS.get(detail.kind, detail.kind))]
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


def funders_block(funders: Sequence[FunderInfo], width: float) -> list[Flowable]:
    """Each funder's emblem (when set) beside its required statement."""
    if not funders:
        return []
    sheet = styles()
    rows = []
    for funder in funders:
        logo: Flowable | str = ""
        if funder.emblem_png:
            logo = emblem(funder.emblem_png)
        elif funder.code == EU_FUNDER_CODE:
            logo = eu_emblem()
        text = esc(funder.statement) if funder.statement else esc(funder.name)
        rows.append([logo, Paragraph(f"<b>{esc(funder.name)}</b> — {text}", sheet["Small"])])
    table = Table(rows, colWidths=[36 * mm, width - 36 * mm])
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

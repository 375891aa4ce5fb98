"""Feuille d'émargement: what funders and Qualiopi auditors check (docs/architecture.md §8).

The action's exact title, date, hours and place; the animateur's name and
signature; one row per participant with one signature cell per half-day slot;
the funders' statement and emblem; page numbers and the table header repeated
on every page. Blank (printed before the session) or filled (absences marked).
"""

from __future__ import annotations

from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Paragraph, Spacer, Table, TableStyle

from app import formatting
from app.pdf.common import FONT, MARGIN, PAGE_SIZE, build_pdf, styles
from app.pdf.workshop_blocks import (
    GRID,
    SHADE,
    esc,
    funders_block,
    info_table,
    slot_heading,
    state_label,
)
from app.workshops.workshop_values import ABSENT, EXCUSED, SessionDetail, SlotInfo

SLOTS_PER_TABLE = 4  # beyond four half-days the cells get too narrow to sign: next page
ROW_HEIGHT = 12 * mm
NUMBER_WIDTH = 9 * mm
NAME_WIDTH = 52 * mm
BLANK_EXTRA_ROWS = 3  # on the blank sheet, room for walk-ins to sign
MARKED = (ABSENT, EXCUSED)  # shown in capitals in the signature cell


def render_attendance_sheet(
    target: Any, detail: SessionDetail, *, filled: bool, organisation: str = ""
) -> None:
    """Write the sheet to ``target`` (a path or a binary file object)."""
    width = PAGE_SIZE[0] - 2 * MARGIN
    sheet = styles()
    story: list[Flowable] = [
        Paragraph("Feuille d'émargement", sheet["Title"]),
        Paragraph(esc(detail.title), sheet["Heading"]),
        info_table(detail, width),
        Spacer(1, 3 * mm),
        *funders_block(detail.funders, width),
        Spacer(1, 4 * mm),
    ]
    chunks = [
        detail.slots[i : i + SLOTS_PER_TABLE] for i in range(0, len(detail.slots), SLOTS_PER_TABLE)
    ] or [[]]
    for index, slots in enumerate(chunks):
        if index:
            story.append(PageBreak())
        story.append(_participants_table(detail, slots, filled, width))
        story.append(Spacer(1, 5 * mm))
        story.append(_animateur_table(detail, slots, width))
    if not filled:
        story.append(Spacer(1, 3 * mm))
        story.append(
            Paragraph(
                "Chaque participant signe pour chaque demi-journée à laquelle il assiste.",
                sheet["Small"],
            )
        )
    footer = " — ".join(p for p in (organisation, "Feuille d'émargement", detail.title) if p)
    build_pdf(
        target,
        story,
        title=f"Feuille d'émargement — {detail.title}",
        author=organisation or "Permanence",
        footer_text=footer[:140],
        decorate=_running_header(detail),
    )


def _header_row(slots: list[SlotInfo], first: str) -> list[Any]:
    sheet = styles()
    return [
        Paragraph("N°", sheet["Label"]),
        Paragraph(first, sheet["Label"]),
        *(Paragraph(slot_heading(s), sheet["Label"]) for s in slots),
    ]


def _widths(slots: list[SlotInfo], width: float) -> list[float]:
    cell = (width - NUMBER_WIDTH - NAME_WIDTH) / max(len(slots), 1)
    return [NUMBER_WIDTH, NAME_WIDTH, *([cell] * len(slots))]


def _grid_style(extra: list[tuple[Any, ...]]) -> TableStyle:
    return TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), FONT),
            ("FONTSIZE", (0, 0), (-1, -1), 9),
            ("GRID", (0, 0), (-1, -1), 0.5, GRID),
            ("BACKGROUND", (0, 0), (-1, 0), SHADE),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("ALIGN", (2, 1), (-1, -1), "CENTER"),
            *extra,
        ]
    )


def _participants_table(
    detail: SessionDetail, slots: list[SlotInfo], filled: bool, width: float
) -> Table:
    sheet = styles()
    rows: list[list[Any]] = [_header_row(slots, "Participant (nom, prénom)")]
    marked: list[tuple[Any, ...]] = []
    for number, person in enumerate(detail.participants, start=1):
        cells: list[Any] = []
        for column, slot in enumerate(slots, start=2):
            state = detail.state(slot.id, person.person_id) if filled else ""
            cells.append(state_label(state, person.civility).upper() if state in MARKED else "")
            if state in MARKED:
                marked.append(("BACKGROUND", (column, number), (column, number), SHADE))
        rows.append([str(number), Paragraph(esc(person.full_name), sheet["Body"]), *cells])
    if not filled:
        start = len(detail.participants) + 1
        rows += [[str(start + i), "", *([""] * len(slots))] for i in range(BLANK_EXTRA_ROWS)]
    heights = [None] + [ROW_HEIGHT] * (len(rows) - 1)
    table = Table(rows, colWidths=_widths(slots, width), rowHeights=heights, repeatRows=1)
    table.setStyle(
        _grid_style([("TEXTCOLOR", (2, 1), (-1, -1), colors.HexColor("#333333")), *marked])
    )
    return table


def _animateur_table(detail: SessionDetail, slots: list[SlotInfo], width: float) -> Table:
    sheet = styles()
    names = [n.strip() for n in detail.animateurs.split(",") if n.strip()] or [""]
    rows: list[list[Any]] = [_header_row(slots, "Animateur (nom, signature)")]
    for name in names:
        rows.append(["", Paragraph(esc(name), sheet["Body"]), *([""] * len(slots))])
    heights = [None] + [ROW_HEIGHT] * len(names)
    table = Table(rows, colWidths=_widths(slots, width), rowHeights=heights, repeatRows=1)
    table.setStyle(_grid_style([]))
    table.keepWithNext = False
    return table


def _running_header(detail: SessionDetail) -> Any:
    """From page 2 on, recall which session the page belongs to (pages get separated)."""
    label = f"{detail.title} — {formatting.date(detail.held_on)} — {detail.place_label}"

    def decorate(canvas: Any, doc: Any) -> None:
        if doc.page == 1:
            return
        canvas.setFont(FONT, 7.5)
        canvas.setFillColor(colors.HexColor("#555555"))
        canvas.drawString(MARGIN, PAGE_SIZE[1] - MARGIN + 4 * mm, label[:130])

    return decorate

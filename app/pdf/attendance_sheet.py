"""Feuille d'émargement: what funders and Qualiopi auditors check (docs/architecture.md §8).

The action's exact title, date, hours and place; the animateur's name and
signature; one row per participant with one signature cell per half-day slot;
the funders' statement and emblem; page numbers and the table header repeated
on every page. Blank (printed before the session) or filled: then every cell says
what was recorded — present, ABSENT, EXCUSÉ, or « non renseigné » when nobody
recorded that half-day yet (present and not recorded must never look alike).
"""

from __future__ import annotations

from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, PageBreak, Paragraph, Spacer, Table, TableStyle

from app.pdf.common import FONT, FONT_ITALIC, MARGIN, PAGE_SIZE, build_pdf, styles
from app.pdf.workshop_blocks import (
    GRID,
    SHADE,
    Organisation,
    esc,
    french_date,
    funders_block,
    info_table,
    slot_heading,
    state_label,
)
from app.workshops.workshop_values import (
    ABSENT,
    EXCUSED,
    EXPECTED,
    PRESENT,
    SessionDetail,
    SlotInfo,
)

SLOTS_PER_TABLE = 4  # beyond four half-days the cells get too narrow to sign: next page
ROW_HEIGHT = 12 * mm
NUMBER_WIDTH = 9 * mm
NAME_WIDTH = 50 * mm
BLANK_EXTRA_ROWS = 3  # on the blank sheet, room for walk-ins to sign
MARKED = (ABSENT, EXCUSED)  # shown in capitals on a shaded cell
NOT_RECORDED = "non renseigné"
HEADER_SIZE = 7.5
GREY = colors.HexColor("#777777")
HEADER_LINES = 2  # the running header wraps on two lines at most, then is shortened


def render_attendance_sheet(
    target: Any,
    detail: SessionDetail,
    *,
    filled: bool,
    organisation: Organisation | None = None,
) -> None:
    """Write the sheet to ``target`` (a path or a binary file object)."""
    org = organisation or Organisation()
    width = PAGE_SIZE[0] - 2 * MARGIN
    sheet = styles()
    story: list[Flowable] = []
    if org.name:
        story.append(Paragraph(f"<b>{esc(org.name)}</b>", sheet["Body"]))
        details = " — ".join(p for p in (org.address, org.identifiers()) if p)
        if details:
            story.append(Paragraph(esc(details), sheet["Small"]))
        story.append(Spacer(1, 3 * mm))
    story += [
        Paragraph("Feuille d'émargement", sheet["Title"]),
        Paragraph(esc(detail.title), sheet["Heading"]),
        info_table(detail, width, org),
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
    if filled:
        story.append(Spacer(1, 3 * mm))
        story.append(
            Paragraph(
                f"« {NOT_RECORDED} » : la présence à cette demi-journée n'a pas été relevée.",
                sheet["Small"],
            )
        )
    # The footer wraps at word boundaries (app/pdf/common.py), never cut mid-word.
    footer = " — ".join(p for p in (org.name, "Feuille d'émargement", detail.title) if p)
    build_pdf(
        target,
        story,
        title=f"Feuille d'émargement — {detail.title}",
        author=org.name or "Permanence",
        footer_text=footer,
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
            # Narrow side paddings in the heading row: four half-days side by side still
            # fit "13 h 30 – 17 h 30" (unbreakable) on one line.
            ("LEFTPADDING", (0, 0), (-1, 0), 3),
            ("RIGHTPADDING", (0, 0), (-1, 0), 3),
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
            if not filled:
                cells.append("")
                continue
            state = detail.state(slot.id, person.person_id)
            cells.append(_cell_text(state, person.civility))
            if state in MARKED:
                marked.append(("BACKGROUND", (column, number), (column, number), SHADE))
            elif state == EXPECTED:
                marked.append(("TEXTCOLOR", (column, number), (column, number), GREY))
                marked.append(("FONTNAME", (column, number), (column, number), FONT_ITALIC))
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


def _cell_text(state: str, civility: str) -> str:
    """What a filled cell says: each state its own words, none left blank."""
    if state in MARKED:
        return state_label(state, civility).upper()
    if state == PRESENT:
        return state_label(state, civility)
    return NOT_RECORDED


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


def header_lines(label: str, width: float) -> list[str]:
    """``label`` wrapped at word boundaries on at most two lines; a longer one loses
    its last words for "…" (never a word cut in the middle)."""
    lines = simpleSplit(label, FONT, HEADER_SIZE, width)
    if len(lines) <= HEADER_LINES:
        return lines
    kept = lines[: HEADER_LINES - 1]
    words = " ".join(lines[HEADER_LINES - 1 :]).split(" ")
    while words and stringWidth(" ".join(words) + " …", FONT, HEADER_SIZE) > width:
        words.pop()
    return [*kept, " ".join(words) + " …"]


def _running_header(detail: SessionDetail) -> Any:
    """From page 2 on, recall which session the page belongs to (pages get separated)."""
    label = f"{detail.title} — {french_date(detail.held_on)} — {detail.place_label}"
    lines = header_lines(label, PAGE_SIZE[0] - 2 * MARGIN)

    def decorate(canvas: Any, doc: Any) -> None:
        if doc.page == 1:
            return
        canvas.setFont(FONT, HEADER_SIZE)
        canvas.setFillColor(colors.HexColor("#555555"))
        top = PAGE_SIZE[1] - MARGIN + 4 * mm + (len(lines) - 1) * HEADER_SIZE * 1.25
        for index, line in enumerate(lines):
            canvas.drawString(MARGIN, top - index * HEADER_SIZE * 1.25, line)

    return decorate

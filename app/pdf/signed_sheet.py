"""The half-day's sheet signed on the laptop: each signature drawn in its cell as
vector paths (from the recorded strokes, never an image), with the signer's name,
the capture time and the SHA-256 of the strokes; the trainer's countersignature;
the SHA-256 of the whole record. The seal itself is applied afterwards
(app/workshops/signing_seal.py); this module only lays the page out.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from app.pdf.common import FONT, MARGIN, PAGE_SIZE, build_pdf, styles
from app.pdf.workshop_blocks import (
    GRID,
    SHADE,
    Organisation,
    esc,
    french_date,
    funders_block,
    half_day,
    hours_span,
    info_table,
)
from app.workshops.workshop_values import SessionDetail, SlotInfo

CELL_WIDTH = 62 * mm
CELL_HEIGHT = 16 * mm
INK = colors.HexColor("#0B1F5C")
# A participant who did not sign, by the mark the countersignature closed (issue 16).
NOT_SIGNED_WORDS = {"absent": "ABSENT", "excuse": "EXCUSÉ"}
SHORT_HASH = 16  # hex digits shown per signature; the record's digest is printed in full


class StrokesDrawing(Flowable):
    """A signature's strokes drawn as paths, scaled into ``width`` × ``height``."""

    def __init__(
        self,
        strokes: list[list[list[float]]],
        width: float,
        height: float,
    ) -> None:
        super().__init__()
        self.strokes = strokes
        self.width = width
        self.height = height

    def wrap(self, _avail_width: float, _avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        # Scaled to the drawing's own bounds (not the whole canvas): a small signature
        # on a large screen still fills its cell.
        points = [(x, y) for stroke in self.strokes for x, y, _t in stroke]
        if not points:
            return
        left_x = min(x for x, _y in points)
        top_y = min(y for _x, y in points)
        box_width = max(max(x for x, _y in points) - left_x, 1.0)
        box_height = max(max(y for _x, y in points) - top_y, 1.0)
        scale = min(self.width / box_width, self.height / box_height) * 0.9
        left = (self.width - box_width * scale) / 2 - left_x * scale
        top = self.height - (self.height - box_height * scale) / 2 + top_y * scale
        canvas = self.canv
        canvas.saveState()
        canvas.setStrokeColor(INK)
        canvas.setLineWidth(0.8)
        canvas.setLineCap(1)
        canvas.setLineJoin(1)
        path = canvas.beginPath()
        for stroke in self.strokes:
            for index, (x, y, _t) in enumerate(stroke):
                point = (left + x * scale, top - y * scale)  # canvas y goes down, PDF y up
                if index == 0:
                    path.moveTo(*point)
                else:
                    path.lineTo(*point)
        canvas.drawPath(path, stroke=1, fill=0)
        canvas.restoreState()


def render_signed_sheet(
    target: Any,
    detail: SessionDetail,
    slot: SlotInfo,
    record: dict[str, Any],
    organisation: Organisation,
) -> None:
    width = PAGE_SIZE[0] - 2 * MARGIN
    sheet = styles()
    story: list[Flowable] = []
    if organisation.name:
        story.append(Paragraph(f"<b>{esc(organisation.name)}</b>", sheet["Body"]))
        details = " — ".join(p for p in (organisation.address, organisation.identifiers()) if p)
        if details:
            story.append(Paragraph(esc(details), sheet["Small"]))
        story.append(Spacer(1, 3 * mm))
    heading = f"{french_date(slot.starts_at.date())} — {half_day(slot)} — {hours_span(slot)}"
    story += [
        Paragraph("Feuille d'émargement signée électroniquement", sheet["Title"]),
        Paragraph(esc(detail.title), sheet["Heading"]),
        Paragraph(f"<b>Demi-journée :</b> {esc(heading)}", sheet["Body"]),
        Spacer(1, 2 * mm),
        info_table(detail, width, organisation),
        Spacer(1, 3 * mm),
        *funders_block(detail.funders, width),
        Spacer(1, 4 * mm),
        _signatures_table(record, width),
        Spacer(1, 4 * mm),
        *_proof(record),
    ]
    build_pdf(
        target,
        story,
        title=f"Feuille d'émargement signée — {detail.title} — {heading}",
        author=organisation.name or "Permanence",
        footer_text=" — ".join(
            p for p in (organisation.name, "Feuille d'émargement signée", detail.title) if p
        ),
    )


def _signatures_table(record: dict[str, Any], width: float) -> Table:
    sheet = styles()
    header = [
        Paragraph(label, sheet["Label"])
        for label in ("N°", "Nom, prénom", "Signature", "Signé à", "Empreinte SHA-256")
    ]
    rows: list[list[Any]] = [header]
    shaded: list[tuple[Any, ...]] = []
    signed = [s for s in record["signatures"] if s["role"] == "participant"]
    trainer = [s for s in record["signatures"] if s["role"] == "formateur"]
    entries: list[tuple[str, dict[str, Any]]] = sorted(
        [(s["name"], s) for s in signed] + [(n["name"], n) for n in record["not_signed"]],
        key=lambda pair: pair[0],
    )
    for number, (name, entry) in enumerate(entries, start=1):
        if "strokes" not in entry:
            # Closed by the countersignature: absent or excused, never a blank cell.
            word = NOT_SIGNED_WORDS.get(str(entry.get("state", "")), "NON SIGNÉ")
            rows.append([str(number), Paragraph(esc(name), sheet["Body"]), word, "—", "—"])
            shaded.append(("BACKGROUND", (2, number), (2, number), SHADE))
        else:
            rows.append([str(number), *_signed_cells(entry)])
    for entry in trainer:
        rows.append(["", *_signed_cells(entry, prefix="Formateur : ")])
    name_width = width - 10 * mm - CELL_WIDTH - 18 * mm - 34 * mm
    table = Table(
        rows,
        colWidths=[10 * mm, name_width, CELL_WIDTH, 18 * mm, 34 * mm],
        repeatRows=1,
    )
    commands: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTSIZE", (0, 0), (-1, -1), 8.5),
        ("GRID", (0, 0), (-1, -1), 0.5, GRID),
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (2, 1), (3, -1), "CENTER"),
        *shaded,
    ]
    if trainer:  # the countersignature stands apart, under a heavier rule
        commands.append(("LINEABOVE", (0, len(rows) - 1), (-1, len(rows) - 1), 1.2, GRID))
    table.setStyle(TableStyle(commands))
    return table


def _signed_cells(entry: dict[str, Any], prefix: str = "") -> list[Any]:
    sheet = styles()
    captured = dt.datetime.fromisoformat(entry["captured_at"])
    digest = entry["sha256"]
    return [
        Paragraph(esc(prefix + entry["name"]), sheet["Body"]),
        StrokesDrawing(entry["strokes"], CELL_WIDTH - 6, CELL_HEIGHT),
        captured.strftime("%H:%M:%S"),
        Paragraph(
            f"<font size='7'>{digest[:SHORT_HASH]}<br/>{digest[SHORT_HASH:32]}…</font>",
            sheet["Body"],
        ),
    ]


def _proof(record: dict[str, Any]) -> list[Flowable]:
    sheet = styles()
    lines = [
        f"<b>Empreinte SHA-256 de l'enregistrement :</b> {record['sha256']}",
        "Chaque signature a été tracée sur l'ordinateur pendant la demi-journée "
        "(heure de capture ci-dessus) ; ses tracés sont joints à ce document "
        "(pièce jointe emargement.json) et scellés avec lui.",
        "Vérification : <font name='DejaVuSans'>python -m app verify-sheet FICHIER.pdf</font>",
    ]
    if record.get("device"):
        lines.insert(1, f"Poste de saisie : {esc(str(record['device']))}")
    return [Paragraph(line, sheet["Small"]) for line in lines]

"""What every PDF shares: embedded fonts (DejaVu, bundled), styles, page numbers.

Fonts are embedded TrueType so accents print everywhere and PDF/A is possible;
reportlab's built-in Helvetica is not embedded.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, StyleSheet1
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate
from reportlab.platypus.doctemplate import LayoutError

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
FONT_ITALIC = "DejaVuSans-Oblique"
PAGE_SIZE = A4
FOOTER_SIZE = 7
MARGIN = 18 * mm

__all__ = ["FONT", "FONT_BOLD", "MARGIN", "PAGE_SIZE", "LayoutError", "build_pdf", "styles"]


def fonts_dir() -> Path:
    base = getattr(sys, "_MEIPASS", None)
    root = Path(base) if base else Path(__file__).resolve().parent.parent.parent
    return root / "resources" / "fonts"


@cache
def register_fonts() -> None:
    folder = fonts_dir()
    pdfmetrics.registerFont(TTFont(FONT, str(folder / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(folder / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_ITALIC, str(folder / "DejaVuSans-Oblique.ttf")))
    pdfmetrics.registerFont(
        TTFont("DejaVuSans-BoldOblique", str(folder / "DejaVuSans-BoldOblique.ttf"))
    )
    pdfmetrics.registerFontFamily(
        FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC, boldItalic="DejaVuSans-BoldOblique"
    )


@cache
def styles() -> StyleSheet1:
    register_fonts()
    sheet = StyleSheet1()
    sheet.add(ParagraphStyle("Body", fontName=FONT, fontSize=9.5, leading=12.5))
    sheet.add(
        ParagraphStyle(
            "Small", fontName=FONT, fontSize=7.5, leading=9.5, textColor=colors.HexColor("#444444")
        )
    )
    sheet.add(ParagraphStyle("Title", fontName=FONT_BOLD, fontSize=16, leading=20, spaceAfter=6))
    sheet.add(
        ParagraphStyle(
            "Heading", fontName=FONT_BOLD, fontSize=11.5, leading=15, spaceBefore=8, spaceAfter=4
        )
    )
    sheet.add(ParagraphStyle("Label", fontName=FONT_BOLD, fontSize=9.5, leading=12.5))
    sheet.add(
        ParagraphStyle("Right", fontName=FONT, fontSize=9.5, leading=12.5, alignment=TA_RIGHT)
    )
    return sheet


PageDecorator = Callable[[Any, Any], None]  # (canvas, doc)


class _NumberedDoc(BaseDocTemplate):
    """Two passes so the footer can say "Page 2 / 5"."""

    def __init__(
        self,
        target: Any,
        footer_text: str,
        decorate: PageDecorator | None,
        title: str,
        author: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            target,
            pagesize=PAGE_SIZE,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN,
            bottomMargin=MARGIN + 8 * mm,
            title=title,
            author=author,
            # Otherwise reportlab's canvas starts in Helvetica, a font never embedded,
            # which PDF/A (Factur-X) validators reject even when no text uses it.
            initialFontName=FONT,
            **kwargs,
        )
        self.footer_text = footer_text
        self.decorate = decorate
        self.page_total = 0
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body")
        self.addPageTemplates([PageTemplate("page", [frame], onPage=self._on_page)])

    def _on_page(self, canvas: Any, doc: Any) -> None:
        canvas.saveState()
        if self.decorate is not None:
            self.decorate(canvas, doc)
        canvas.setFont(FONT, FOOTER_SIZE)
        canvas.setFillColor(colors.HexColor("#555555"))
        width, _height = PAGE_SIZE
        total = f" / {self.page_total}" if self.page_total else ""
        page_label = f"Page {doc.page}{total}"
        # The footer text wraps short of the page number so the two never overlap.
        room = width - 2 * MARGIN - stringWidth(page_label, FONT, FOOTER_SIZE) - 4 * mm
        lines = [
            wrapped
            for line in self.footer_text.splitlines()
            for wrapped in simpleSplit(line, FONT, FOOTER_SIZE, room)
        ]
        top = MARGIN + 2 * mm  # up to 4 lines stay clear of printers' unprintable edge
        text = canvas.beginText(MARGIN, top)
        text.setLeading(FOOTER_SIZE * 1.25)
        for line in lines:
            text.textLine(line)
        canvas.drawText(text)
        canvas.drawRightString(width - MARGIN, top, page_label)
        canvas.restoreState()


def build_pdf(
    target: Any,
    story: Sequence[Flowable],
    *,
    title: str,
    author: str = "Permanence",
    footer_text: str = "",
    decorate: PageDecorator | None = None,
) -> None:
    """Lay ``story`` out on A4 pages with fonts embedded and "Page n / N" in the footer.

    ``target`` is a path or a binary file object. A story longer than one page is
    laid out twice (first to count pages), so it must not be a one-shot generator.
    """
    register_fonts()
    import copy
    import io

    first = io.BytesIO()
    counter = _NumberedDoc(first, footer_text, decorate, title, author)
    # Most documents fit on one page: lay out assuming "Page 1 / 1"; when that
    # holds, the first pass is the result and the second one is saved.
    counter.page_total = 1
    counter.build(copy.deepcopy(list(story)))
    if counter.page == 1:
        if isinstance(target, str | Path):
            Path(target).write_bytes(first.getvalue())
        else:
            target.write(first.getvalue())
        return
    doc = _NumberedDoc(
        str(target) if isinstance(target, Path) else target, footer_text, decorate, title, author
    )
    doc.page_total = counter.page
    doc.build(list(story))

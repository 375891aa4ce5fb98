"""What the invoice PDF can print: the characters its embedded fonts draw (issue 15,
item 2; docs/invoicing.md, "Text the documents can carry").

The invoice embeds DejaVu Sans (regular and bold, resources/fonts/): Latin, Greek,
Cyrillic and many symbols, but no emoji nor CJK ideographs, and reportlab lays text out
left to right without shaping, so Arabic or Hebrew would print unjoined and reversed. A
PDF/A-3 with missing glyphs would also no longer say what its Factur-X XML says. Such
text is therefore refused when it is typed — a French message under the field, before
anything is saved — rather than printed wrong. Checked against the fonts' own character
maps, so a font added later widens what is accepted by itself."""

from __future__ import annotations

import unicodedata
from functools import cache

from reportlab.pdfbase import pdfmetrics

from app.errors import Collector
from app.pdf.common import FONT, FONT_BOLD, register_fonts

# Characters never drawn as glyphs: line breaks, tabs, joiners and variation selectors
# (a selector after a drawable character changes nothing reportlab prints).
_INVISIBLE = frozenset("\n\r\t\u200b\u200c\u200d\ufe0e\ufe0f")
RIGHT_TO_LEFT = frozenset({"R", "AL"})  # Unicode bidi classes: Hebrew, Arabic, Syriac…


@cache
def coverage() -> frozenset[int]:
    """Code points both faces the invoice uses (regular and bold) can draw."""
    register_fonts()
    faces = [_face(name) for name in (FONT, FONT_BOLD)]
    common = set(faces[0])
    for face in faces[1:]:
        common &= set(face)
    return frozenset(common)


def _face(name: str) -> dict[int, int]:
    font = pdfmetrics.getFont(name)
    return dict(font.face.charToGlyph)  # type: ignore[attr-defined]


def unprintable(text: str) -> tuple[list[str], list[str]]:
    """(characters no embedded font draws, right-to-left characters), each once, in
    the order typed."""
    drawn = coverage()
    missing: list[str] = []
    rtl: list[str] = []
    for char in dict.fromkeys(text):
        if char in _INVISIBLE:
            continue
        if unicodedata.bidirectional(char) in RIGHT_TO_LEFT:
            rtl.append(char)
        elif ord(char) not in drawn:
            missing.append(char)
    return missing, rtl


def quoted(chars: list[str], limit: int = 5) -> str:
    shown = ", ".join(f"« {c} »" for c in chars[:limit])
    return shown + (" …" if len(chars) > limit else "")


def check_printable(errors: Collector, field_name: str, text: str) -> None:
    """Add the field's error when the invoice could not print ``text`` as typed."""
    if not text:
        return
    missing, rtl = unprintable(text)
    if rtl:
        errors.add(field_name, "right_to_left_text", chars=quoted(rtl))
    elif missing:
        errors.add(field_name, "unprintable_characters", chars=quoted(missing))

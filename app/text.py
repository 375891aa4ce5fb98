"""Text normalisation for search: accent- and case-insensitive matching."""

from __future__ import annotations

import unicodedata


def fold(text: str | None) -> str:
    """Lower-case, strip accents and collapse spaces: "Hélène  Dupré" -> "helene dupre"."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().replace("œ", "oe").replace("æ", "ae").split())

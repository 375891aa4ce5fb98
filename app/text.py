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


# A search keeps at most this many words: every word is one more LIKE in the query, and
# SQLite refuses a query past its expression depth (« Expression tree is too large », at
# about a thousand words pasted). A person never types that many to find one row.
MAX_SEARCH_WORDS = 16


def search_patterns(text: str | None) -> list[str]:
    """The typed words as ``LIKE … ESCAPE '\\'`` patterns: every word must appear
    somewhere in the search key ("helene reims" finds Hélène of Reims). A repeated word,
    or one inside another typed word, adds nothing and is left out; past
    :data:`MAX_SEARCH_WORDS` words, the longest (the most selective) are kept."""
    words = sorted(set(fold(text).split()), key=lambda w: (-len(w), w))
    kept: list[str] = []
    for word in words:
        if not any(word in longer for longer in kept):
            kept.append(word)
    return [
        "%" + w.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        for w in kept[:MAX_SEARCH_WORDS]
    ]

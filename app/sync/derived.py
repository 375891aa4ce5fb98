"""Columns computed from other columns of the same row (search keys).

Two devices may change different source fields of one row concurrently; the
per-field merge then keeps both changes, but each device computed the derived
column from its own half. Whoever writes a merged row (the siège after a push, a
laptop after a pull) recomputes it from the merged fields, with the same function,
so every copy agrees and stays searchable.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from app.models.people import _refresh_search_key

PERSON_SOURCES = ("last_name", "first_name", "email", "phone", "city", "activity_name")


def _person_search_key(row: dict[str, Any]) -> dict[str, Any]:
    ns = SimpleNamespace(**{k: row.get(k) or "" for k in PERSON_SOURCES}, search_key="")
    # Reuse the model's own rule so a merged row gets exactly what an edit would give.
    _refresh_search_key(None, None, ns)
    return {"search_key": ns.search_key}


DERIVED: dict[str, tuple[frozenset[str], Callable[[dict[str, Any]], dict[str, Any]]]] = {
    "person": (frozenset(PERSON_SOURCES), _person_search_key),
}


def recompute(table: str, merged: dict[str, Any], touched: set[str]) -> dict[str, Any]:
    """Derived values to write when ``touched`` fields changed, else {}."""
    entry = DERIVED.get(table)
    if entry is None or not (entry[0] & touched):
        return {}
    fresh = entry[1](merged)
    return {k: v for k, v in fresh.items() if merged.get(k) != v}

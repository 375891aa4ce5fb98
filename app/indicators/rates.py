"""The one attendance-rate formula (definition ``attendance_rate``, docs/indicators.md)
and its rounding, shared by the workshop list, a session's panel and any figure that
shows a rate."""

from __future__ import annotations

FULL_RATE_BP = 10_000


def rate_bp(part: int, whole: int) -> int | None:
    """``part / whole`` in basis points, rounded half up (2 of 3 -> 6667, never the
    truncated 6666); None when ``whole`` is 0 (nothing to divide by)."""
    if whole <= 0:
        return None
    return (part * FULL_RATE_BP * 2 + whole) // (2 * whole)

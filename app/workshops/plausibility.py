"""Plausibility of signatures: near-identical drawings are flagged, never blocked (issue 16,
item 3; docs/signing.md).

Exact copies (same points) are refused when captured (``app/workshops/signing.py``).
What is left is the signature that is *almost* a copy: a replay with a slight shift
or noise. Each drawing is scaled into a unit square and resampled to
:data:`SAMPLES` points along its path; the mean distance between two resampled
drawings says how alike they are. Two people never draw within
:data:`OTHER_PERSON` of each other; one person signing twice, fresh, varies by more
than :data:`SAME_PERSON` (both chosen well below what real hands produce, so a flag
asks the accompagnateur to look, it does not accuse).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from app.workshops.signing import Point, Stroke

SAMPLES = 48
OTHER_PERSON = 0.02  # mean distance, unit square: near-identical to another person's
SAME_PERSON = 0.008  # ...to the same person's on another half-day: too identical

NEAR_OTHER = "near_identical_other"
NEAR_SELF = "too_identical_self"


@dataclass(frozen=True)
class Flag:
    code: str  # NEAR_OTHER | NEAR_SELF
    name: str  # whose signature it resembles
    distance: float

    def as_record(self) -> dict[str, object]:
        return {"code": self.code, "name": self.name, "distance": round(self.distance, 4)}


def normalised(strokes: Iterable[Stroke]) -> list[tuple[float, float]]:
    """The drawing's path scaled into the unit square, resampled to ``SAMPLES`` points."""
    points = [p for stroke in strokes for p in stroke]
    if len(points) < 2:
        return [(0.0, 0.0)] * SAMPLES
    left, top = min(p.x for p in points), min(p.y for p in points)
    size = max(max(p.x for p in points) - left, max(p.y for p in points) - top) or 1.0
    path = [((p.x - left) / size, (p.y - top) / size) for p in points]
    return _resample(path)


def _resample(path: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    lengths = [0.0]
    for (x0, y0), (x1, y1) in itertools.pairwise(path):
        lengths.append(lengths[-1] + math.hypot(x1 - x0, y1 - y0))
    total = lengths[-1] or 1.0
    out: list[tuple[float, float]] = []
    j = 0
    for i in range(SAMPLES):
        target = total * i / (SAMPLES - 1)
        while j < len(path) - 2 and lengths[j + 1] < target:
            j += 1
        span = (lengths[j + 1] - lengths[j]) or 1.0
        f = min(max((target - lengths[j]) / span, 0.0), 1.0)
        (x0, y0), (x1, y1) = path[j], path[j + 1]
        out.append((x0 + (x1 - x0) * f, y0 + (y1 - y0) * f))
    return out


def distance(a: Sequence[tuple[float, float]], b: Sequence[tuple[float, float]]) -> float:
    return sum(math.hypot(p[0] - q[0], p[1] - q[1]) for p, q in zip(a, b, strict=True)) / len(a)


@dataclass(frozen=True)
class Known:
    """A signature already kept, as the checks need it."""

    signer_id: str
    name: str
    shape: tuple[tuple[float, float], ...]


def known(signer_id: str, name: str, strokes: Iterable[Stroke]) -> Known:
    return Known(signer_id, name, tuple(normalised(strokes)))


def flags_for(signer_id: str, strokes: Iterable[Stroke], others: Iterable[Known]) -> list[Flag]:
    """Flags of a new signature against the ones kept (this half-day's and the session's
    earlier half-days')."""
    shape = normalised(strokes)
    flags: list[Flag] = []
    for other in others:
        gap = distance(shape, other.shape)
        if other.signer_id != signer_id and gap < OTHER_PERSON:
            flags.append(Flag(NEAR_OTHER, other.name, gap))
        elif other.signer_id == signer_id and gap < SAME_PERSON:
            flags.append(Flag(NEAR_SELF, other.name, gap))
    return flags


__all__ = ["Flag", "Known", "Point", "distance", "flags_for", "known", "normalised"]

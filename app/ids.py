"""Identifiers made on the laptop.

UUIDv7 keeps ids unique across devices without a server round-trip and sorts
by creation time, which keeps SQLite's B-trees append-friendly. Python 3.11's
``uuid`` has no v7, hence the small ``uuid6`` package.
"""

from __future__ import annotations

import uuid

from uuid6 import uuid7

# Namespace for deterministic ids (attendance of one person at one slot, ...):
# two laptops recording the same natural fact produce the same row id.
PERMANENCE_NAMESPACE = uuid.UUID("6f1c1d1e-7a52-4c1b-9a53-2f0c8a6b1e01")


def new_id() -> str:
    return str(uuid7())


def deterministic_id(kind: str, *parts: str) -> str:
    return str(uuid.uuid5(PERMANENCE_NAMESPACE, "|".join((kind, *parts))))

"""The people area's wording on documents: the catalogue is app/people/labels.py (one
place for the screens and the documents); this module keeps the name the PDF code used."""

from __future__ import annotations

from app.people.labels import (
    APPOINTMENT_KINDS,
    CONTRACT_TYPES,
    DECISIONS,
    MODES,
    OUTCOMES,
    STAGE_KINDS,
    STATUSES,
    alert_text,
)

__all__ = [
    "APPOINTMENT_KINDS",
    "CONTRACT_TYPES",
    "DECISIONS",
    "MODES",
    "OUTCOMES",
    "STAGE_KINDS",
    "STATUSES",
    "alert_text",
]

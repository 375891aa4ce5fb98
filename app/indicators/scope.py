"""Which data the figures cover: this laptop's copy, or the siège's consolidated copy."""

from __future__ import annotations

import enum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import DeviceIdentity


class Scope(enum.Enum):
    LAPTOP = "laptop copy"
    CONSOLIDATED = "consolidated (siège)"

    @property
    def label(self) -> str:
        return SCOPE_LABELS[self]


SCOPE_LABELS = {
    Scope.LAPTOP: (
        "Copie de ce poste : les chiffres couvrent les données présentes sur cet ordinateur "
        "(dernière synchronisation comprise), pas celles des autres postes."
    ),
    Scope.CONSOLIDATED: (
        "Chiffres consolidés (siège) : toutes les données synchronisées par les postes."
    ),
}


def detect_scope(session: Session) -> Scope:
    """A laptop profile has its device identity row; the siège's copy has none."""
    has_device = session.scalar(select(func.count()).select_from(DeviceIdentity))
    return Scope.LAPTOP if has_device else Scope.CONSOLIDATED

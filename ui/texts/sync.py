"""Words of the sync status shown in the window's status bar (ui/widgets/sync_status.py).

See docs/architecture.md §3, "Where wording lives".
"""

from __future__ import annotations

from typing import Final

# How long ago the last sync succeeded
NEVER: Final[str] = "jamais"
JUST_NOW: Final[str] = "à l'instant"
MINUTES_AGO: Final[str] = "il y a {minutes} min"
HOURS_AGO: Final[str] = "il y a {hours} h"
ON_DAY: Final[str] = "le {day}"

# Status bar label (ui/widgets/sync_status.py)
NOT_ENROLLED: Final[str] = "Siège : poste non inscrit"
NOT_ENROLLED_TOOLTIP: Final[str] = (
    "Inscrivez ce poste dans Synchronisation pour partager les données."
)
SYNCED_WHEN: Final[str] = "Synchronisé {when}"
SYNC_RUNNING: Final[str] = "Synchronisation en cours…"
OFFLINE: Final[str] = "hors ligne"
SERVER: Final[str] = "Siège : {url}"


def pending_changes(count: int) -> str:
    return f"{count} modification{'s' if count > 1 else ''} en attente"


def conflicts_to_check(count: int) -> str:
    return f"{count} conflit{'s' if count > 1 else ''} à vérifier"

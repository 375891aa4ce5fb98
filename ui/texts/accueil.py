"""French words of the accueil screens (docs/architecture.md, "Where wording lives")."""

from __future__ import annotations

from typing import Final

# Person list area (ui/pages/people_area.py)
PEOPLE_AREA_TITLE: Final[str] = "Personnes"

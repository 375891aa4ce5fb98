"""French words of the Ateliers area: error messages, and the code labels of
app/workshops/labels.py (the one place they are written, shared with the sheets).

Importing this module registers the area's error codes with :mod:`ui.messages`.
"""

from __future__ import annotations

from app.workshops.labels import KIND_LABELS, NO_THEME, STATE_LABELS
from app.workshops.workshop_values import ABSENT, EXCUSED, EXPECTED, PRESENT
from ui.messages import register

__all__ = ["KIND_LABELS", "NO_THEME", "STATE_KEYS", "STATE_LABELS"]
# One key per state in the attendance grid.
STATE_KEYS = {"P": PRESENT, "A": ABSENT, "E": EXCUSED, "T": EXPECTED}

register(
    {
        "place_required": "Choisissez une permanence ou saisissez une adresse.",
        "capacity_min": "La capacité doit être d'au moins une place (0 = sans limite).",
        "capacity_below_registered": (
            "{registered} personnes sont déjà inscrites : la capacité ne peut pas être inférieure."
        ),
        "slots_required": "Ajoutez au moins un créneau (demi-journée).",
        "slot_end_before_start": "Le créneau {slot} se termine avant de commencer.",
        "slots_overlap": "Deux créneaux se chevauchent.",
        "invalid_choice": "Choix invalide.",
        "theme_exists": "Un thème porte déjà ce nom.",
        "duration_min": "La durée doit être positive.",
        "not_png": "L'emblème doit être une image PNG.",
    },
    {
        "already_registered": "{name} est déjà inscrit(e) à cette session.",
        "activity_full": "La session est complète ({capacity} places) et n'a pas de liste d'attente.",
        "slot_not_started": (
            "Ce créneau n'a pas encore commencé : la présence se note une fois la séance débutée."
        ),
        "not_registered": "Cette personne n'est pas inscrite à la session.",
        "slot_has_attendance": (
            "Un créneau retiré a déjà des présences notées : il ne peut pas être supprimé."
        ),
        "session_has_attendance": (
            "Des présences ont été notées : la session ne peut plus être supprimée."
        ),
    },
)

"""French wording for the accueil area: error codes of its services, and code labels.

Imported by every accueil widget, so the messages are registered before any form shows."""

from __future__ import annotations

from app import formatting
from app.people import labels as people_labels
from app.people.anonymise_wording import ANONYMISE_REFUSALS
from app.people.labels import (
    APPOINTMENT_KINDS,
    CONTRACT_TYPES,
    DECISIONS,
    MODES,
    OUTCOMES,
    STAGE_KINDS,
    STATUSES,
)
from app.people.parcours_rules import Alert
from ui.messages import register

__all__ = [
    "APPOINTMENT_KINDS",
    "CONTRACT_TYPES",
    "DECISIONS",
    "DUPLICATE_REASONS",
    "MODES",
    "OUTCOMES",
    "STAGE_KINDS",
    "STATUSES",
    "TIMELINE_KINDS",
    "alert_text",
]

DUPLICATE_REASONS = {
    "name_birth": "même nom et même date de naissance",
    "name": "même nom (date de naissance inconnue)",
    "email": "même e-mail",
    "phone": "même téléphone",
}

TIMELINE_KINDS = {
    **{f"stage_{k}": f"Début : {v}" for k, v in STAGE_KINDS.items()},
    **{f"stage_end_{k}": f"Fin : {v}" for k, v in STAGE_KINDS.items()},
    "stage_sortie": "Sortie",
    "stage_accueil": "Accueil",
    "stage_associe": "Devient associé",
    "intake": "Entretien d'accueil",
    "followup": "Entretien de suivi",
    "appointment": "Rendez-vous prévu",
}

register(
    {
        "invalid_choice": "Choix invalide.",
        "unknown_option": "Ce choix n'existe pas (ou plus) dans la liste.",
        "nir_forbidden": (
            "Ce texte contient un numéro de sécurité sociale : il ne doit pas être "
            "enregistré (RGPD)."
        ),
        "implausible_birth_date": (
            "Date de naissance invraisemblable (la personne doit avoir au moins {min_age} ans)."
        ),
        "date_too_far": "Date trop lointaine (au plus un an à l'avance).",
        "cape_too_long": (
            "Une convention dure 12 mois par période : avec ces renouvellements, "
            "elle doit se terminer au plus tard le {max}."
        ),
        "too_many_renewals": "Une convention se renouvelle au plus {max} fois.",
        "cape_overlap": "Une autre convention couvre déjà cette période (début le {start}).",
        "associe_needs_salarie": (
            "Pour devenir associé, la personne doit d'abord être entrepreneur salarié."
        ),
        "exit_reason_required": "Indiquez l'issue ou le motif de sortie.",
        "exit_before_stage": (
            "La sortie ne peut pas précéder la dernière étape du parcours ({last})."
        ),
        "interview_in_future": (
            "L'entretien ne peut pas être daté dans le futur (sauf rendez-vous prévu ce jour-là)."
        ),
        "reason_required": "Précisez le motif (ou le partenaire vers qui la personne est orientée).",
        "convention_before_intake": (
            "La convention ne peut pas commencer avant l'entretien d'accueil."
        ),
        "invalid_duration": "Durée invalide (entre {min} et {max} minutes).",
        "next_before_interview": "Le prochain rendez-vous doit être après cet entretien.",
        "appointment_in_past": "Le rendez-vous ne peut pas être dans le passé.",
    },
    {
        "possible_duplicate": "Cette personne existe peut-être déjà ({count} fiche(s) proche(s)).",
        "person_anonymised": "Cette fiche a été anonymisée : elle ne peut plus être modifiée.",
        "stage_not_found": "Cette étape n'existe pas ou a été supprimée.",
        "cape_max_renewals": (
            "La convention a déjà été renouvelée {max} fois : elle ne peut plus l'être."
        ),
        "not_a_cape": "Seule une convention d'accompagnement se renouvelle.",
        "intake_already_final": "Cet entretien d'accueil est déjà finalisé.",
        "interview_not_found": "Cet entretien n'existe pas ou a été supprimé.",
        "appointment_not_found": "Ce rendez-vous n'existe pas ou a été annulé.",
        **ANONYMISE_REFUSALS,
    },
)


def alert_text(alert: Alert) -> str:
    return people_labels.alert_text(
        alert.code, formatting.date(alert.due_on), alert.count, alert.overdue
    )


def stamp(by: str, at: object) -> str:
    """ "Claire Testeuse, le 26/11/2026 10:42" (times are stored in UTC, shown local)."""
    import datetime as dt

    if not isinstance(at, dt.datetime):
        return by or "inconnu"
    return f"{by or 'inconnu'}, le {formatting.timestamp(at)}"

"""French wording of the people area's codes, in one place (issue 14, item 11): the
screens (ui/messages_people.py) and the documents (app/people/people_reports.py) read
the same words, so a code reads the same on screen and on paper.

Keyed by the typed states of app/states.py where the domain has one.
"""

from __future__ import annotations

from app.states import IntakeDecision, StageKind

STAGE_KINDS: dict[str, str] = {
    StageKind.ACCUEIL: "Accueil",
    StageKind.DIAGNOSTIC: "Diagnostic",
    StageKind.CAPE: "Convention d'accompagnement (CAPE)",
    StageKind.SALARIE: "Entrepreneur salarié",
    StageKind.ASSOCIE: "Associé",
    StageKind.SORTIE: "Sortie",
}
# A person's situation in the parcours (app/people/parcours_rules.py).
STATUSES: dict[str, str] = {
    "nouveau": "Premier contact",
    "accueil": "Accueil en cours",
    "diagnostic": "Diagnostic",
    "admis": "Admis (convention à signer)",
    "en_reflexion": "En réflexion",
    "oriente": "Orienté vers un partenaire",
    "non_retenu": "Non retenu",
    "cape": "En convention d'accompagnement (CAPE)",
    "cape_terminee": "Convention terminée",
    "salarie": "Entrepreneur salarié",
    "contrat_termine": "Contrat terminé",
    "associe": "Entrepreneur associé",
    "sorti": "Sorti",
}
DECISIONS: dict[str, str] = {
    "": "Pas encore décidé",
    IntakeDecision.ADMITTED: "Admis en convention",
    IntakeDecision.REDIRECTED: "Orienté vers un partenaire",
    IntakeDecision.THINKING: "En réflexion",
    IntakeDecision.NOT_RETAINED: "Non retenu",
}
OUTCOMES: dict[str, str] = {
    "creation_entreprise": "A créé sa propre entreprise",
    "retour_situation": "Retour à la situation initiale",
    StageKind.ASSOCIE: "Reste dans la CAE comme associé",
}
MODES: dict[str, str] = {"presentiel": "Présentiel", "telephone": "Téléphone", "visio": "Visio"}
APPOINTMENT_KINDS: dict[str, str] = {
    "accueil": "Entretien d'accueil",
    "suivi": "Entretien de suivi",
}
CONTRACT_TYPES: dict[str, str] = {"CDI": "CDI", "CESA": "CESA"}


def alert_text(code: str, due: str, count: int, overdue: bool) -> str:
    """One alert as a sentence (``due`` already formatted)."""
    if code == "cape_ending":
        left = 2 - count
        renew = (
            f" ({left} renouvellement{'s' if left > 1 else ''} possible{'s' if left > 1 else ''})"
            if left > 0
            else " (plus de renouvellement possible)"
        )
        return f"La convention d'accompagnement se termine le {due}{renew}."
    if code == "cesa_associe_deadline":
        if overdue:
            return f"Le délai pour devenir associé (CESA) est dépassé depuis le {due}."
        return f"Doit devenir associé (CESA) au plus tard le {due}."
    if code == "few_followups":
        return f"Seulement {count} entretien{'s' if count > 1 else ''} de suivi sur les 12 derniers mois (2 attendus)."
    return code

"""French wording of the parcours codes, as printed on documents (and reused by the UI so a
code reads the same on screen and on paper)."""

from __future__ import annotations

STAGE_KINDS = {
    "accueil": "Accueil",
    "diagnostic": "Diagnostic",
    "cape": "Convention d'accompagnement (CAPE)",
    "salarie": "Entrepreneur salarié",
    "associe": "Associé",
    "sortie": "Sortie",
}
STATUSES = {
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
DECISIONS = {
    "": "Pas encore décidé",
    "admis": "Admis en convention",
    "oriente": "Orienté vers un partenaire",
    "reflexion": "En réflexion",
    "non_retenu": "Non retenu",
}
OUTCOMES = {
    "creation_entreprise": "A créé sa propre entreprise",
    "retour_situation": "Retour à la situation initiale",
    "associe": "Reste dans la CAE comme associé",
}
MODES = {"presentiel": "Présentiel", "telephone": "Téléphone", "visio": "Visio"}
APPOINTMENT_KINDS = {"accueil": "Entretien d'accueil", "suivi": "Entretien de suivi"}
CONTRACT_TYPES = {"CDI": "CDI", "CESA": "CESA"}


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

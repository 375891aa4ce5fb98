"""The French sentences for the refusals of an anonymisation (app/people/anonymise.py),
shared by the laptop's window (ui/messages_people.py) and the siège's command
(siege/person_cli.py), which never imports ui/: one place, the same words for both."""

from __future__ import annotations

ANONYMISE_REFUSALS = {
    "person_not_found": "Cette personne n'existe pas ou a été supprimée.",
    "already_anonymised": "Cette personne est déjà anonymisée.",
    "invoices_retention": (
        "Impossible d'anonymiser : {count} facture(s) émise(s) pour cette activité doivent "
        "être conservées 10 ans avec le nom de l'entrepreneur."
    ),
    "cofinanced_retention": (
        "Impossible d'anonymiser pour l'instant : cette personne a participé à un atelier "
        "cofinancé par l'Union européenne (FSE+) ; ses feuilles d'émargement signées "
        "doivent être conservées {years} ans pour les contrôles du financeur."
    ),
}

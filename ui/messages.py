"""French text for the core's typed errors. The only place error codes become words.

Each area may register its own codes with :func:`register` (in its ``ui``
module), so this file does not grow into a catch-all.
"""

from __future__ import annotations

from app.errors import FieldError, PermanenceError, ProfileError, ValidationError
from app.sync import wording as sync_wording

FIELD_MESSAGES: dict[str, str] = {
    "required": "Ce champ est obligatoire.",
    "too_long": "Trop long ({max} caractères au plus).",
    "invalid_email": "Adresse e-mail invalide.",
    "invalid_phone": "Numéro de téléphone invalide (ex. 06 12 34 56 78).",
    "invalid_date": "Date invalide.",
    "date_in_future": "La date ne peut pas être dans le futur.",
    "end_before_start": "La fin ne peut pas précéder le début.",
    "invalid_postcode": "Code postal invalide (5 chiffres).",
    "invalid_siren": "Numéro SIREN invalide.",
    "invalid_siret": "Numéro SIRET invalide.",
    "invalid_vat": "Numéro de TVA intracommunautaire invalide.",
    "invalid_iban": "IBAN invalide.",
    "invalid_bic": "BIC invalide.",
    "invalid_amount": "Montant invalide.",
    "negative": "La valeur ne peut pas être négative.",
    "passphrases_differ": "Les deux phrases de passe ne sont pas identiques.",
    "passphrase_too_short": "La phrase de passe doit compter au moins {min} caractères.",
}

ERROR_MESSAGES: dict[str, str] = {
    "not_found": "L'élément demandé n'existe pas ou a été supprimé.",
    "conflict": "Cette action n'est pas possible dans l'état actuel.",
    "person_has_invoices": (
        "Cette fiche ne peut pas être supprimée : {invoices} facture(s) ou avoir(s) émis à "
        "son nom doivent être conservés dix ans. Elle peut être anonymisée quand la loi le permet."
    ),
    "missing": "Aucun profil n'existe à cet emplacement : {path}",
    "already_exists": "Un profil existe déjà à cet emplacement : {path}",
    "not_a_database": (
        "Le fichier {path} n'est pas une base de données Permanence. "
        "Il n'a pas été modifié. Restaurez une sauvegarde ou choisissez un autre profil."
    ),
    "bad_passphrase": "Phrase de passe incorrecte : la base chiffrée n'a pas pu être ouverte.",
    "passphrase_required": "Ce profil est chiffré : saisissez sa phrase de passe.",
    "too_new": (
        "Ce profil a été créé par une version plus récente de Permanence. "
        "Mettez l'application à jour ; le profil n'a pas été modifié."
    ),
    "locked": (
        "Ce profil est déjà ouvert dans une autre fenêtre de Permanence. "
        "Fermez-la avant de rouvrir le profil."
    ),
    "migration_failed": (
        "La mise à jour de la base a échoué. La sauvegarde faite juste avant a été "
        "restaurée : aucune donnée n'est perdue. Contactez le support."
    ),
}


# Sync's words live with the headless sync (app/sync/wording.py), which prints them too.
FIELD_MESSAGES.update(sync_wording.FIELD_ERRORS)
ERROR_MESSAGES.update(sync_wording.ERRORS)


def register(
    field_messages: dict[str, str] | None = None, error_messages: dict[str, str] | None = None
) -> None:
    FIELD_MESSAGES.update(field_messages or {})
    ERROR_MESSAGES.update(error_messages or {})


def _fill(template: str, params: dict[str, object]) -> str:
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return template


def field_message(error: FieldError) -> str:
    return _fill(FIELD_MESSAGES.get(error.code, "Valeur invalide."), error.params)


def error_message(error: BaseException) -> str:
    if isinstance(error, ValidationError):
        return "\n".join(field_message(e) for e in error.errors)
    if isinstance(error, ProfileError | PermanenceError):
        template = ERROR_MESSAGES.get(error.code)
        if template:
            return _fill(template, error.details)
        return ERROR_MESSAGES["conflict"]
    return (
        f"Erreur inattendue ({type(error).__name__}) : {error}\n"
        "Le détail est enregistré dans le journal du profil."
    )

"""Prepare a laptop from the command line (issue 14, item 9): ``python -m app --profile
DIR sync --enrol URL CODE`` on a folder without a profile first creates it, as the
first-run window would (who uses the laptop, its permanence, the passphrase), then
enrols it. ``python -m app --profile DIR init`` creates it alone.

The identity comes from options (``--first-name``, ``--last-name``, ``--email``,
``--permanence``, ``--name``), else from questions when a person is at the terminal.
The database is encrypted unless ``--no-encrypt``: its passphrase comes from
``PERMANENCE_PASSPHRASE``, else it is asked twice (never on the command line, where
``ps`` and the shell's history would keep it).
"""

from __future__ import annotations

import argparse
import getpass
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

from app.config import ProfilePaths
from app.errors import ProfileError, ValidationError
from app.profile import Profile
from app.reference import setup

PASSPHRASE_ENV = "PERMANENCE_PASSPHRASE"

PROFILE_ERRORS = {
    "missing": (
        "aucun profil dans {path}. Pour le créer et inscrire ce poste : "
        "python -m app --profile DOSSIER sync --enrol ADRESSE CODE "
        "(ou python -m app --profile DOSSIER init)"
    ),
    "already_exists": "un profil existe déjà dans {path}",
    "bad_passphrase": "phrase de passe incorrecte : la base chiffrée n'a pas pu être ouverte",
    "passphrase_required": (
        "ce profil est chiffré : donnez sa phrase de passe dans la variable PERMANENCE_PASSPHRASE"
    ),
    "locked": "ce profil est déjà ouvert (fenêtre de Permanence ou autre synchronisation)",
    "too_new": "ce profil vient d'une version plus récente de Permanence : mettez-la à jour",
    "not_a_database": "{path} n'est pas une base de données Permanence",
    "migration_failed": "la mise à jour de la base a échoué ; la sauvegarde a été restaurée",
}

FIELD_LABELS = {
    "display_name": "nom du profil (--name)",
    "first_name": "prénom (--first-name)",
    "last_name": "nom (--last-name)",
    "email": "e-mail (--email)",
    "passphrase": "phrase de passe",
    "passphrase_confirmation": "confirmation de la phrase de passe",
}
FIELD_PROBLEMS = {
    "required": "obligatoire",
    "invalid_email": "adresse invalide",
    "passphrase_too_short": "au moins {min} caractères",
    "passphrases_differ": "les deux saisies diffèrent",
}


def profile_error_line(exc: ProfileError) -> str:
    template = PROFILE_ERRORS.get(exc.code)
    text = template.format(**exc.details) if template else exc.code
    return f"profil impossible à ouvrir : {text}"


class CreationRefused(Exception):
    """The profile could not be created; the French lines say why."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("; ".join(lines))
        self.lines = lines


def _asker(interactive: bool) -> Callable[[str], str] | None:
    return (lambda prompt: input(prompt).strip()) if interactive else None


def create_from_arguments(root: Path, args: argparse.Namespace) -> Profile:
    """Create the profile in ``root`` from the options, asking for what is missing when
    a person is at the terminal. Raises :class:`CreationRefused` with French lines."""
    interactive = sys.stdin.isatty()
    ask = _asker(interactive)
    first = getattr(args, "first_name", None) or (ask("Prénom : ") if ask else "")
    last = getattr(args, "last_name", None) or (ask("Nom : ") if ask else "")
    town = getattr(args, "permanence", "") or ""
    towns = [t for t, _antenne in setup.permanence_towns()]
    if town and town not in towns:
        raise CreationRefused(
            [f"permanence inconnue « {town} » ; permanences possibles : {', '.join(towns)}"]
        )
    encrypt = not getattr(args, "no_encrypt", False)
    passphrase = confirmation = ""
    if encrypt:
        passphrase = os.environ.get(PASSPHRASE_ENV, "")
        confirmation = passphrase
        if not passphrase and interactive:
            passphrase = getpass.getpass("Phrase de passe de la base (8 caractères au moins) : ")
            confirmation = getpass.getpass("La même, pour confirmer : ")
        elif not passphrase:
            raise CreationRefused(
                [
                    "phrase de passe manquante : donnez-la dans la variable "
                    "PERMANENCE_PASSPHRASE (ou --no-encrypt pour une base non chiffrée)"
                ]
            )
    name = getattr(args, "name", None) or town or f"{first} {last}".strip()
    request = setup.SetupRequest(
        display_name=name,
        first_name=first,
        last_name=last,
        email=getattr(args, "email", "") or "",
        permanence_town=town,
        encrypt=encrypt,
        passphrase=passphrase,
        passphrase_confirmation=confirmation,
    )
    try:
        return setup.initialize_profile(root, request)
    except ValidationError as exc:
        lines = []
        for error in exc.errors:
            problem = FIELD_PROBLEMS.get(error.code, error.code).format(**error.params)
            lines.append(f"{FIELD_LABELS.get(error.field, error.field)} : {problem}")
        raise CreationRefused(lines) from None
    except ProfileError as exc:
        raise CreationRefused([profile_error_line(exc)]) from None


def is_new_folder(root: Path) -> bool:
    """No profile there, and nothing else a removal after a failed enrolment would lose."""
    return not ProfilePaths(root).settings.exists() and (
        not root.exists() or (root.is_dir() and not any(root.iterdir()))
    )


def remove_new_profile(root: Path, folder_existed: bool) -> None:
    """Undo a creation whose enrolment failed: the folder was new, or empty (then it
    stays, empty, as the user made it)."""
    if not folder_existed:
        shutil.rmtree(root, ignore_errors=True)
        return
    for child in root.iterdir():
        if child.is_dir():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)

"""First run: create a profile, its accompagnateur, and the permanence of the day."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from app.config import ProfileSettings
from app.errors import Collector
from app.models import Accompagnateur, Permanence
from app.profile import Profile, create_profile
from app.seed import ANTENNES
from app.validation import normalize_email

MIN_PASSPHRASE = 8


@dataclass(frozen=True)
class SetupRequest:
    display_name: str
    first_name: str
    last_name: str
    email: str
    permanence_town: str
    encrypt: bool
    passphrase: str = ""
    passphrase_confirmation: str = ""


def permanence_towns() -> list[tuple[str, str]]:
    """(town, antenne) pairs offered before the database exists."""
    return [(town, antenne) for antenne, _dep, _head, towns in ANTENNES for town in towns]


def validate(request: SetupRequest) -> None:
    errors = Collector()
    errors.check(bool(request.display_name.strip()), "display_name", "required")
    errors.check(bool(request.first_name.strip()), "first_name", "required")
    errors.check(bool(request.last_name.strip()), "last_name", "required")
    if request.email.strip():
        try:
            normalize_email(request.email)
        except ValueError:
            errors.add("email", "invalid_email")
    if request.encrypt:
        if len(request.passphrase) < MIN_PASSPHRASE:
            errors.add("passphrase", "passphrase_too_short", min=MIN_PASSPHRASE)
        elif request.passphrase != request.passphrase_confirmation:
            errors.add("passphrase_confirmation", "passphrases_differ")
    errors.raise_if_any()


def initialize_profile(root: Path, request: SetupRequest) -> Profile:
    validate(request)
    passphrase = request.passphrase if request.encrypt else None
    profile = create_profile(
        root, ProfileSettings(display_name=request.display_name.strip()), passphrase
    )
    with profile.uow() as uow:
        person = Accompagnateur(
            first_name=request.first_name.strip(),
            last_name=request.last_name.strip(),
            email=request.email.strip(),
        )
        permanence = uow.session.scalar(
            select(Permanence).where(Permanence.town == request.permanence_town)
        )
        if permanence is not None:
            person.antenne_id = permanence.antenne_id
        uow.session.add(person)
        uow.commit()
        settings = profile.settings.with_changes(
            accompagnateur_id=person.id,
            permanence_id=permanence.id if permanence else None,
            antenne_id=permanence.antenne_id if permanence else None,
        )
    profile.save_settings(settings)
    profile.uow.actor = f"{person.first_name} {person.last_name}"
    return profile

"""Generate the workshop PDFs into the profile's documents folder.

Sheets and attestations are written to ``documents/ateliers/<date>_<title>/``
so they can be opened, printed and found again (funders audit them for years).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from sqlalchemy import select

from app.clock import today
from app.errors import NotFoundError
from app.jobs import JobControl
from app.models import CaeIdentity
from app.pdf.attendance_sheet import render_attendance_sheet
from app.pdf.attestation import Issuer, render_attestation
from app.pdf.workshop_blocks import Organisation
from app.text import fold
from app.uow import UnitOfWorkFactory
from app.workshops.workshop_values import PRESENT, RegistrationInfo, SessionDetail
from app.workshops.workshops import load_detail

SLUG_MAX = 60


def slug(text: str) -> str:
    """ "Atelier gestion : fixer ses prix" -> "atelier-gestion-fixer-ses-prix" (safe on Windows)."""
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")[:SLUG_MAX] or "sans-titre"


def session_folder(documents: Path, detail: SessionDetail) -> Path:
    return (
        documents
        / "ateliers"
        / f"{detail.held_on.isoformat()}_{slug(detail.title)}_{detail.id[-8:]}"
    )


def print_attendance_sheet(
    uow_factory: UnitOfWorkFactory, documents: Path, activity_id: str, *, filled: bool
) -> Path:
    """Write the blank or filled sheet and return its path."""
    with uow_factory() as uow:
        detail = load_detail(uow.session, activity_id)
    organisation = organisation_of(uow_factory)
    folder = session_folder(documents, detail)
    folder.mkdir(parents=True, exist_ok=True)
    name = "emargement-rempli.pdf" if filled else "emargement-vierge.pdf"
    path = folder / name
    render_attendance_sheet(path, detail, filled=filled, organisation=organisation)
    return path


def attendees(uow_factory: UnitOfWorkFactory, activity_id: str) -> list[str]:
    """Participants present at one slot at least: those who get an attestation."""
    with uow_factory() as uow:
        detail = load_detail(uow.session, activity_id)
    return [
        p.person_id
        for p in detail.participants
        if any(detail.state(s.id, p.person_id) == PRESENT for s in detail.slots)
    ]


def generate_attestations(
    uow_factory: UnitOfWorkFactory,
    documents: Path,
    requests: list[tuple[str, str]],
    control: JobControl | None = None,
    *,
    signer: str = "",
    issued_on: dt.date | None = None,
) -> list[Path]:
    """One attestation per (activity, person); progress after each; stops when cancelled.

    ``signer``: the one person signing for the CAE; by default the accompagnateur
    using this laptop (the profile's actor), never the list of animateurs.
    """
    job = control or JobControl()
    day = issued_on or today()
    organisation = organisation_of(uow_factory)
    issuer = Issuer(organisation, signer or uow_factory.actor or "")
    details: dict[str, SessionDetail] = {}
    paths: list[Path] = []
    total = len(requests)
    job.progress(0, total, "")
    for done, (activity_id, person_id) in enumerate(requests, start=1):
        detail = details.get(activity_id)
        if detail is None:
            with uow_factory() as uow:
                detail = details[activity_id] = load_detail(uow.session, activity_id)
        participant = _participant(detail, person_id)
        folder = session_folder(documents, detail) / "attestations"
        folder.mkdir(parents=True, exist_ok=True)
        path = (
            folder
            / f"attestation-{slug(participant.last_name)}-{slug(participant.first_name)}-{person_id[-8:]}.pdf"
        )
        render_attestation(path, detail, participant, issuer, day)
        paths.append(path)
        job.progress(done, total, participant.full_name)
    return paths


def _participant(detail: SessionDetail, person_id: str) -> RegistrationInfo:
    for person in detail.participants:
        if person.person_id == person_id:
            return person
    raise NotFoundError("not_found", kind="registration", id=person_id)


def organisation_of(uow_factory: UnitOfWorkFactory) -> Organisation:
    """The CAE's name, address, town, SIRET and NDA, as printed on workshop documents."""
    with uow_factory() as uow:
        cae = uow.session.scalar(select(CaeIdentity).where(CaeIdentity.deleted_at.is_(None)))
        if cae is None:
            return Organisation()
        address = ", ".join(p for p in (cae.address, f"{cae.postcode} {cae.city}".strip()) if p)
        return Organisation(cae.name, address, cae.city, cae.siret, nda_text(cae.nda))


def nda_text(nda: str) -> str:
    """« 44 51 01234 51 », grouped as the DREETS prints it, never broken across lines."""
    if len(nda) != 11:
        return nda
    return "\u00a0".join((nda[:2], nda[2:4], nda[4:9], nda[9:]))

"""Attestation de présence: one participant, the slots attended and the hours, signed.

Signed by one person for the CAE (its representative, in the singular: « X,
représentant(e) de la Coopérative Y, atteste que… »), never by the list of
animateurs; only half-days whose attendance was recorded are listed; the CAE's
SIRET and training declaration number (NDA) are printed when known.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from app import formatting
from app.pdf.common import FONT, MARGIN, PAGE_SIZE, build_pdf, styles
from app.pdf.workshop_blocks import (
    GRID,
    KIND_LABELS,
    SHADE,
    Organisation,
    esc,
    french_date,
    funders_block,
    half_day,
    hours_span,
    info_table,
    state_label,
)
from app.workshops.workshop_values import (
    EXPECTED,
    PRESENT,
    RegistrationInfo,
    SessionDetail,
    SlotInfo,
    duration_text,
)


@dataclass(frozen=True)
class Issuer:
    """Who delivers the attestation: the CAE, and the one person signing for it."""

    organisation: Organisation
    signer: str


def render_attestation(
    target: Any,
    detail: SessionDetail,
    participant: RegistrationInfo,
    issuer: Issuer,
    issued_on: dt.date,
) -> None:
    width = PAGE_SIZE[0] - 2 * MARGIN
    sheet = styles()
    name = " ".join(p for p in (participant.first_name, participant.last_name.upper()) if p)
    # A no-break space: "M." alone at the end of a line, the name on the next, reads badly.
    person = "\u00a0".join(p for p in (participant.civility, name) if p)
    attended = detail.minutes_attended(participant.person_id)
    kind = KIND_LABELS.get(detail.kind, detail.kind).lower()
    org = issuer.organisation
    story: list[Flowable] = []
    if org.name:
        story.append(Paragraph(f"<b>{esc(org.name)}</b>", sheet["Body"]))
        for line in (org.address, org.identifiers()):
            if line:
                story.append(Paragraph(esc(line), sheet["Small"]))
        story.append(Spacer(1, 8 * mm))
    story += [
        Paragraph("Attestation de présence", sheet["Title"]),
        Spacer(1, 4 * mm),
        Paragraph(
            f"{_attesting(issuer)} atteste que <b>{esc(person)}</b> a participé "
            f"à l'action ({esc(kind)}) intitulée « {esc(detail.title)} ».",
            sheet["Body"],
        ),
        Spacer(1, 4 * mm),
        info_table(detail, width, org),
        Spacer(1, 4 * mm),
        _slots_table(detail, participant, width),
        Spacer(1, 4 * mm),
        Paragraph(
            f"Durée totale de présence : <b>{duration_text(attended)}</b> "
            f"sur {duration_text(detail.total_minutes)}.",
            sheet["Body"],
        ),
        Spacer(1, 10 * mm),
        Paragraph(
            f"Fait à {esc(org.town or detail.permanence_town or '')}, "
            f"le {french_date(issued_on, 'long')}.",
            sheet["Body"],
        ),
        Spacer(1, 3 * mm),
        Paragraph(
            f"{esc(issuer.signer) or 'Le/la représentant(e) de l’organisme'}"
            " — signature et cachet :",
            sheet["Body"],
        ),
        Spacer(1, 24 * mm),
        *funders_block(detail.funders, width),
    ]
    build_pdf(
        target,
        story,
        title=f"Attestation de présence — {person} — {detail.title}",
        author=org.name or "Permanence",
        footer_text=org.name,
    )


# A CAE named by a common noun takes the article: « de la Coopérative X », « de CESAME ».
FEMININE_NOUNS = ("coopérative", "cooperative", "société", "scop", "cae ", "association")


def _of(name: str) -> str:
    return f"de la {name}" if name.lower().startswith(FEMININE_NOUNS) else f"de {name}"


def _attesting(issuer: Issuer) -> str:
    """The subject of « atteste »: one person, for the CAE (escaped for a Paragraph)."""
    name = _of(issuer.organisation.name) if issuer.organisation.name else ""
    if issuer.signer and name:
        return f"{esc(issuer.signer)}, représentant(e) {esc(name)},"
    if issuer.signer:
        return f"{esc(issuer.signer)}, soussigné(e),"
    if name:
        return f"Le/la soussigné(e), représentant(e) {esc(name)},"
    return "Le/la soussigné(e)"


def recorded_slots(detail: SessionDetail, person_id: str) -> list[SlotInfo]:
    """The half-days whose attendance was recorded for ``person_id`` (never "attendu")."""
    return [s for s in detail.slots if detail.state(s.id, person_id) != EXPECTED]


def _slots_table(detail: SessionDetail, participant: RegistrationInfo, width: float) -> Table:
    sheet = styles()
    rows: list[list[Any]] = [
        [
            Paragraph(h, sheet["Label"])
            for h in ("Date", "Demi-journée", "Horaires", "Durée", "Présence")
        ]
    ]
    for slot in recorded_slots(detail, participant.person_id):
        state = detail.state(slot.id, participant.person_id)
        rows.append(
            [
                formatting.date(slot.starts_at.date()),
                half_day(slot),
                hours_span(slot),
                duration_text(slot.minutes) if state == PRESENT else "—",
                state_label(state, participant.civility),
            ]
        )
    fifth = width / 5
    table = Table(rows, colWidths=[fifth] * 5, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("GRID", (0, 0), (-1, -1), 0.5, GRID),
                ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return table

"""Attestation de présence: one participant, the slots attended and the hours, signed."""

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
    esc,
    funders_block,
    half_day,
    info_table,
    state_label,
)
from app.workshops.workshop_values import PRESENT, RegistrationInfo, SessionDetail, duration_text


@dataclass(frozen=True)
class Issuer:
    """Who delivers the attestation: the CAE, and the person signing it."""

    organisation: str
    address: str
    town: str
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
    signer = esc(issuer.signer) if issuer.signer else "Le/la soussigné(e)"
    organisation = f", pour {esc(issuer.organisation)}" if issuer.organisation else ""
    story: list[Flowable] = []
    if issuer.organisation:
        story.append(Paragraph(f"<b>{esc(issuer.organisation)}</b>", sheet["Body"]))
        if issuer.address:
            story.append(Paragraph(esc(issuer.address), sheet["Small"]))
        story.append(Spacer(1, 8 * mm))
    story += [
        Paragraph("Attestation de présence", sheet["Title"]),
        Spacer(1, 4 * mm),
        Paragraph(
            f"{signer}{organisation}, atteste que <b>{esc(person)}</b> a participé "
            f"à l'action ({esc(kind)}) intitulée « {esc(detail.title)} ».",
            sheet["Body"],
        ),
        Spacer(1, 4 * mm),
        info_table(detail, width),
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
            f"Fait à {esc(issuer.town or detail.permanence_town or '')}, "
            f"le {formatting.date(issued_on, 'long')}.",
            sheet["Body"],
        ),
        Spacer(1, 3 * mm),
        Paragraph(f"{signer} — signature et cachet :", sheet["Body"]),
        Spacer(1, 24 * mm),
        *funders_block(detail.funders, width),
    ]
    build_pdf(
        target,
        story,
        title=f"Attestation de présence — {person} — {detail.title}",
        author=issuer.organisation or "Permanence",
        footer_text=issuer.organisation,
    )


def _slots_table(detail: SessionDetail, participant: RegistrationInfo, width: float) -> Table:
    sheet = styles()
    rows: list[list[Any]] = [
        [
            Paragraph(h, sheet["Label"])
            for h in ("Date", "Demi-journée", "Horaires", "Durée", "Présence")
        ]
    ]
    for slot in detail.slots:
        state = detail.state(slot.id, participant.person_id)
        rows.append(
            [
                formatting.date(slot.starts_at.date()),
                half_day(slot),
                slot.hours_label,
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

"""The right-of-access export in words a person understands (docs/personal-data.md): each
row of the person's data as French labels and values — codes read through the areas'
label catalogues (app/people/labels.py, app/invoicing/labels.py, app/workshops/labels.py)
and the option lists, links named (an antenne, a workshop, an invoice number), dates and
amounts formatted as everywhere in the app. No code, identifier or raw JSON is shown."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from app import formatting
from app.invoicing import labels as invoicing_labels
from app.models import (
    Accompagnateur,
    Activity,
    ActivitySlot,
    Antenne,
    Client,
    Invoice,
    Permanence,
)
from app.pdf.person_export_labels import LABELS, label, shown, value_text
from app.people import labels as people_labels
from app.people.persons import option_label
from app.states import ClientKind, InvoiceStatus
from app.workshops import labels as workshop_labels

TABLE_TITLES = {
    "parcours_stage": "Étapes du parcours",
    "intake_interview": "Entretiens d'accueil",
    "followup_interview": "Entretiens de suivi",
    "appointment": "Rendez-vous",
    "registration": "Inscriptions aux ateliers",
    "attendance": "Présences aux ateliers",
    "attendance_signature": "Signatures des feuilles d'émargement",
    "client": "Clients de l'activité",
    "invoice": "Factures",
    "invoice_line": "Lignes de facture",
    "payment": "Paiements",
    "invoice_pa_status": "Statuts de facture électronique (plateforme agréée)",
}
# Code columns and the catalogue that words them, per table (a column name alone is
# ambiguous: "kind" is a stage, an appointment, an invoice or a client).
CODES: dict[tuple[str, str], dict[str, str]] = {
    ("parcours_stage", "kind"): people_labels.STAGE_KINDS,
    ("parcours_stage", "outcome"): people_labels.OUTCOMES,
    ("parcours_stage", "contract_type"): people_labels.CONTRACT_TYPES,
    ("intake_interview", "decision"): people_labels.DECISIONS,
    ("followup_interview", "mode"): people_labels.MODES,
    ("appointment", "kind"): people_labels.APPOINTMENT_KINDS,
    ("registration", "status"): workshop_labels.REGISTRATION_LABELS,
    ("attendance", "state"): workshop_labels.SHEET_STATE_LABELS,
    ("attendance_signature", "role"): {"participant": "Participant", "formateur": "Formateur"},
    ("client", "kind"): {
        ClientKind.BUSINESS: "Professionnel",
        ClientKind.PRIVATE: "Particulier (son identité n'est pas reproduite ici)",
    },
    ("invoice", "kind"): invoicing_labels.KIND_LABELS,
    ("invoice", "status"): {
        InvoiceStatus.DRAFT: "Brouillon",
        InvoiceStatus.ISSUED: "Émise",
    },
    ("invoice", "nature"): invoicing_labels.NATURE_LABELS,
    ("invoice_line", "vat_category"): invoicing_labels.ZERO_VAT_REGIMES,
    ("payment", "mode"): invoicing_labels.MODE_LABELS,
}
OPTION_COLUMNS = {
    "situation_code": "situation",
    "prescriber_code": "prescriber",
    "sector_code": "sector",
    "exit_reason_code": "exit_reason",
}
# Links shown by what they point to, under these labels.
LINK_LABELS = {
    "antenne_id": "Antenne",
    "referent_id": "Référent",
    "accompagnateur_id": "Accompagnateur",
    "permanence_id": "Lieu",
    "activity_id": "Atelier",
    "slot_id": "Créneau",
    "client_id": "Client",
    "invoice_id": "Facture",
    "credited_invoice_id": "Facture annulée par cet avoir",
    "deposit_invoice_ids": "Factures d'acompte déduites",
}
# Bookkeeping that says nothing to the person (who typed a row is a staff member's name,
# kept in the JSON copy).
HIDDEN_COLUMNS = frozenset({"created_by", "updated_by", "code", "position"})
UNKNOWN_CODE = "(valeur inconnue)"


@dataclass(frozen=True)
class Section:
    title: str
    entries: tuple[tuple[tuple[str, str], ...], ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "titre": self.title,
            "elements": [[{"libelle": k, "valeur": v} for k, v in entry] for entry in self.entries],
        }


def _staff(session: Session, staff_id: str) -> str:
    staff = session.get(Accompagnateur, staff_id)
    return f"{staff.first_name} {staff.last_name}" if staff else ""


def _permanence(session: Session, permanence_id: str) -> str:
    place = session.get(Permanence, permanence_id)
    if place is None:
        return ""
    return f"{place.town} — {place.place}" if place.place else place.town


def _activity(session: Session, activity_id: str) -> str:
    activity = session.get(Activity, activity_id)
    if activity is None:
        return ""
    return f"{activity.title} ({formatting.date(activity.held_on)})"


def _slot(session: Session, slot_id: str) -> str:
    slot = session.get(ActivitySlot, slot_id)
    if slot is None:
        return ""
    activity = session.get(Activity, slot.activity_id)
    title = f"{activity.title}, " if activity else ""
    return f"{title}{formatting.datetime(slot.starts_at)}"


def _client(session: Session, client_id: str) -> str:
    client = session.get(Client, client_id)
    if client is None:
        return ""
    return "Client particulier" if client.kind == ClientKind.PRIVATE else client.name


def _invoice(session: Session, invoice_id: str) -> str:
    invoice = session.get(Invoice, invoice_id)
    if invoice is None:
        return ""
    return invoice.number or "Brouillon"


def _invoices(session: Session, listed: str) -> str:
    """A final invoice's deposits: a JSON list of ids (app/invoicing/deposit_links.py)."""
    try:
        ids = json.loads(listed)
    except ValueError:
        return ""
    if not isinstance(ids, list):
        return ""
    return ", ".join(n for n in (_invoice(session, str(i)) for i in ids) if n)


def _antenne(session: Session, antenne_id: str) -> str:
    antenne = session.get(Antenne, antenne_id)
    return antenne.name if antenne else ""


RESOLVERS: dict[str, Callable[[Session, str], str]] = {
    "antenne_id": _antenne,
    "referent_id": _staff,
    "accompagnateur_id": _staff,
    "permanence_id": _permanence,
    "activity_id": _activity,
    "slot_id": _slot,
    "client_id": _client,
    "invoice_id": _invoice,
    "credited_invoice_id": _invoice,
    "deposit_invoice_ids": _invoices,
}


def fact_label(table: str, key: str) -> str | None:
    """The French label a column is printed under; "" for a column never printed, None
    for one that would be printed without French words (a test keeps this empty)."""
    if key in HIDDEN_COLUMNS or key in ("person_id", "entrepreneur_id"):
        return ""  # bookkeeping, or the person the export is about
    if key == "role" and table != "attendance_signature":
        return ""  # an invoice's technical role (deposit, final)
    if key in RESOLVERS:
        return LINK_LABELS[key]
    if not shown(key):
        return ""
    return LABELS.get(key)


def _fact(session: Session, table: str, key: str, value: Any) -> tuple[str, str] | None:
    name = fact_label(table, key)
    if value in (None, "") or name == "":
        return None
    title = name or label(key)
    if key in RESOLVERS:
        text = RESOLVERS[key](session, str(value))
        return (title, text) if text else None
    if key in OPTION_COLUMNS:
        return title, option_label(session, OPTION_COLUMNS[key], str(value))
    codes = CODES.get((table, key))
    if codes is not None:
        return title, codes.get(str(value), UNKNOWN_CODE)
    return title, value_text(key, value)


def facts(session: Session, table: str, row: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    found = (_fact(session, table, key, value) for key, value in row.items())
    return tuple(f for f in found if f is not None)


def readable_sections(
    session: Session, person: dict[str, Any], tables: dict[str, list[dict[str, Any]]]
) -> list[Section]:
    """« Fiche » first, then each kind of row in a fixed order (unknown kinds last, under
    a worded title of their table name)."""
    sections = [Section("Fiche", (facts(session, "person", person),))]
    order = list(TABLE_TITLES)
    for table in sorted(tables, key=lambda t: (order.index(t) if t in order else len(order), t)):
        rows = tables[table]
        title = TABLE_TITLES.get(table, table.replace("_", " ").capitalize())
        entries = tuple(entry for entry in (facts(session, table, r) for r in rows) if entry)
        if entries:
            sections.append(Section(title, entries))
    return sections

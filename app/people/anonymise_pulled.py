"""A person anonymised elsewhere (the siège on request, another laptop): this laptop's
own copies of what identified them go in the transaction that applies the pulled
anonymisation (docs/personal-data.md, "On request, at the siège").

The pulled rows carry the erased values, but rows this laptop wrote before it heard of
the anonymisation and has not sent yet (saved while a sync runs, once its push is done)
still hold the former ones: a draft invoice's
search key (it folds the entrepreneur's name, app/invoicing/drafts.py), an appointment,
interview or stage whose free text names them, an edit of the person's record whose
stamp beat the siège's. The siège erases them when they arrive (siege/erasure.py);
until then they would sit in this laptop's tables and outbox. Here they get the values
the siège would give them, written without capture like every applied row
(app/sync/apply.py), and the outbox entries waiting to be sent are rewritten to the
same values, so what leaves is erased too. The documents, free pages and backups
follow after the pull (:func:`app.people.anonymise.erase_pulled_anonymisations`).
"""

from __future__ import annotations

from collections.abc import Collection
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection, or_, select, update

from app.models.base import Base
from app.people import erase_copies as copies
from app.people.erase_copies import CLEARED_TEXT, ERASED_PERSON
from app.states import InvoiceStatus
from app.sync.derived import recompute

__all__ = ["erase_local_copies"]


def erase_local_copies(conn: Connection, person_ids: Collection[str]) -> int:
    """For each of these persons whose row here is now anonymised: their record, their
    free text and their drafts' search keys get the erased values, then the outbox, the
    journal and the conflicts (app/people/erase_copies.py). In the caller's
    transaction. Returns how many rows changed."""
    person = Base.metadata.tables["person"]
    changed = 0
    for person_id in person_ids:
        current = conn.execute(select(person).where(person.c.id == person_id)).mappings().first()
        if current is None or current["anonymised_at"] is None:
            continue  # not applied (a clash kept for review): nothing erased yet
        changed += _erase_record(conn, dict(current))
        changed += _clear_texts(conn, person_id)
        changed += _erase_draft_keys(conn, person_id)
        copies.scrub_sync_copies(conn, person_id)
    return changed


def _erase_record(conn: Connection, current: dict[str, Any]) -> int:
    """A local edit newer than the anonymisation kept its value when the row was
    applied (app/sync/apply.py): the erased one replaces it, as the siège would."""
    wrong = {name: value for name, value in ERASED_PERSON.items() if current[name] != value}
    if not wrong:
        return 0
    wrong.update(recompute("person", {**current, **wrong}, set(wrong)))
    person = Base.metadata.tables["person"]
    # updated_at named, so Core does not stamp it with this laptop's clock.
    values = {**wrong, "updated_at": current["updated_at"]}
    conn.execute(update(person).where(person.c.id == current["id"]).values(**values))
    return 1


def _clear_texts(conn: Connection, person_id: str) -> int:
    changed = 0
    for name, columns in CLEARED_TEXT.items():
        table = Base.metadata.tables[name]
        changed += conn.execute(
            update(table)
            .where(table.c.person_id == person_id, or_(*(table.c[c] != "" for c in columns)))
            .values(**dict.fromkeys(columns, ""), updated_at=table.c.updated_at)
        ).rowcount
    return changed


def _erase_draft_keys(conn: Connection, person_id: str) -> int:
    """The key an erased name gives, as the siège computes it for a draft sent late
    (siege/erasure.py). Issued invoices never change (and their retention forbids the
    anonymisation while it runs)."""
    from app.invoicing.drafts import search_key

    invoice, client = Base.metadata.tables["invoice"], Base.metadata.tables["client"]
    erased: Any = SimpleNamespace(
        last_name=ERASED_PERSON["last_name"], first_name=ERASED_PERSON["first_name"]
    )
    drafts = conn.execute(
        select(invoice.c.id, invoice.c.number, invoice.c.search_key, client.c.name)
        .outerjoin(client, client.c.id == invoice.c.client_id)
        .where(invoice.c.entrepreneur_id == person_id, invoice.c.status == InvoiceStatus.DRAFT)
    ).all()
    changed = 0
    for invoice_id, number, key, name in drafts:
        fresh = search_key(number or "", name or "", erased)
        if key != fresh:
            conn.execute(
                update(invoice)
                .where(invoice.c.id == invoice_id)
                .values(search_key=fresh, updated_at=invoice.c.updated_at)
            )
            changed += 1
    return changed

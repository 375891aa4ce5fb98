"""Sync scenarios shared by several test modules."""

from __future__ import annotations

import datetime as dt

from app.invoicing.numbering import next_number
from app.models import Client, Invoice, Person
from app.profile import Profile
from app.states import InvoiceKind, InvoiceStatus
from app.sync import service

ISSUE_DAY = dt.date(2026, 11, 26)


def issued_on_one_then_edited_on_the_other(issuer: Profile, editor: Profile) -> str:
    """A draft both laptops hold is issued on ``issuer`` (and synced); ``editor``, not yet
    told, edits its notes — a change the siège must refuse. Both laptops are enrolled
    already. Returns the invoice id."""
    with issuer.uow() as uow:
        person = Person(first_name="Jeanne", last_name="Martin")
        uow.session.add(person)
        uow.session.flush()
        client = Client(entrepreneur_id=person.id, name="SARL Vigne")
        uow.session.add(client)
        uow.session.flush()
        invoice = Invoice(entrepreneur_id=person.id, client_id=client.id, notes="v1")
        uow.session.add(invoice)
        uow.commit()
        invoice_id = invoice.id
    service.run_sync(issuer)
    service.run_sync(editor)
    with issuer.uow() as uow:
        row = uow.session.get_one(Invoice, invoice_id)
        allocation = next_number(uow.session, InvoiceKind.INVOICE, ISSUE_DAY)
        row.status, row.number = InvoiceStatus.ISSUED, allocation.number
        row.sequence, row.series_id = allocation.sequence, allocation.series_id
        row.issue_date = ISSUE_DAY
        uow.commit()
    service.run_sync(issuer)
    with editor.uow() as uow:
        uow.session.get_one(Invoice, invoice_id).notes = "v2 (trop tard)"
        uow.commit()
    return invoice_id

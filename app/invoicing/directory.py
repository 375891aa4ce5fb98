"""What the PA directory says of a client, as the laptop reads it offline: the rows the
siège looked up and synced in ``client_directory`` (docs/einvoicing.md, "Directory").
Read only here: only the siège writes them (docs/authority.md)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.invoicing.einvoicing import DIRECTORY_SCHEME, MAX_ADDRESS, ROUTING_ID
from app.models import Client
from app.models.invoicing import ClientDirectory
from app.states import ClientKind
from app.uow import UnitOfWorkFactory


class Reception(StrEnum):
    """How a client receives its invoices, for the client and invoice dialogs."""

    E_INVOICE = "e_invoice"  # in the directory: its invoices leave as e-invoices
    NOT_LISTED = "not_listed"  # looked up, no directory line
    PUBLIC = "public"  # a public entity: Chorus Pro
    NOT_CHECKED = "not_checked"  # the siège has not looked it up yet (or no sync since)
    NOT_CONCERNED = "not_concerned"  # private person or abroad: e-reporting, no e-invoice


@dataclass(frozen=True)
class DirectoryState:
    reception: Reception
    addressing_identifier: str = ""
    platform: str = ""
    checked_at: dt.datetime | None = None  # naive UTC


def state_of(client: Client, row: ClientDirectory | None) -> DirectoryState:
    if client.public_entity:
        return DirectoryState(Reception.PUBLIC)
    if client.kind != ClientKind.BUSINESS or (client.country_code or "FR") != "FR":
        return DirectoryState(Reception.NOT_CONCERNED)
    if row is None or row.siren != client.siren or not client.siren:
        return DirectoryState(Reception.NOT_CHECKED)
    if row.public_entity:
        return DirectoryState(
            Reception.PUBLIC, row.addressing_identifier, row.platform, row.checked_at
        )
    if not row.addressing_identifier:
        return DirectoryState(Reception.NOT_LISTED, checked_at=row.checked_at)
    return DirectoryState(
        Reception.E_INVOICE, row.addressing_identifier, row.platform, row.checked_at
    )


def read_state(session: Session, client_id: str) -> DirectoryState:
    client = session.get(Client, client_id)
    if client is None:
        return DirectoryState(Reception.NOT_CHECKED)
    row = session.scalars(
        select(ClientDirectory)
        .where(ClientDirectory.client_id == client_id, ClientDirectory.deleted_at.is_(None))
        .order_by(ClientDirectory.updated_at.desc())
    ).first()
    return state_of(client, row)


def directory_state(uow_factory: UnitOfWorkFactory, client_id: str) -> DirectoryState:
    with uow_factory() as uow:
        return read_state(uow.session, client_id)


def routing_address(session: Session, client: Client) -> str:
    """BT-49 from the directory: ``0225:`` + the addressing identifier of the client's
    directory line (``552100554_COMPTA``…), when the client has no address of its own
    and the line names its SIREN (BR-FR-21); "" otherwise (then 0225:SIREN by default,
    app/invoicing/einvoicing.py)."""
    if client.einvoicing_address or client.kind != ClientKind.BUSINESS or not client.siren:
        return ""
    if (client.country_code or "FR") != "FR":
        return ""
    row = session.scalars(
        select(ClientDirectory)
        .where(ClientDirectory.client_id == client.id, ClientDirectory.deleted_at.is_(None))
        .order_by(ClientDirectory.updated_at.desc())
    ).first()
    if row is None or row.siren != client.siren or row.public_entity:
        return ""
    ident = row.addressing_identifier
    if (
        not ident.startswith(client.siren)
        or len(ident) > MAX_ADDRESS
        or not ROUTING_ID.match(ident)
    ):
        return ""
    return f"{DIRECTORY_SCHEME}:{ident}"

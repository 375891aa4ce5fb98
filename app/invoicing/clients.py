"""Clients of an entrepreneur's activity: individuals or businesses."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from sqlalchemy import select

from app import validation
from app.errors import Collector, NotFoundError
from app.invoicing import einvoicing
from app.models import Client, Person
from app.pdf.glyphs import check_printable
from app.uow import UnitOfWorkFactory

CLIENT_KINDS = ("entreprise", "particulier")
PRINTED_FIELDS = (
    "name",
    "address",
    "postcode",
    "city",
    "delivery_address",
    "delivery_postcode",
    "delivery_city",
    "billing_address",
    "billing_postcode",
    "billing_city",
)


@dataclass(frozen=True)
class ClientData:
    entrepreneur_id: str
    name: str
    kind: str = "entreprise"
    siren: str = ""
    vat_number: str = ""
    email: str = ""
    address: str = ""
    postcode: str = ""
    city: str = ""
    country_code: str = "FR"
    delivery_address: str = ""
    delivery_postcode: str = ""
    delivery_city: str = ""
    # BT-49: "scheme:id" (0225:SIREN…) or an e-mail; "" = derived at issue.
    einvoicing_address: str = ""
    # « Adresse de facturation si différente » (CGI ann. II art. 242 nonies A).
    billing_address: str = ""
    billing_postcode: str = ""
    billing_city: str = ""
    public_entity: bool = False  # State, local authority...: Chorus Pro

    def with_changes(self, **changes: object) -> ClientData:
        return replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True)
class ClientInfo:
    id: str
    data: ClientData

    @property
    def name(self) -> str:
        return self.data.name


_FIELDS = tuple(f.name for f in fields(ClientData))


def _info(row: Client) -> ClientInfo:
    return ClientInfo(row.id, ClientData(**{name: getattr(row, name) for name in _FIELDS}))


def _clean(data: ClientData) -> ClientData:
    errors = Collector()
    text: dict[str, str] = {n: getattr(data, n).strip() for n in _FIELDS if n != "public_entity"}
    errors.check(bool(text["name"]), "name", "required")
    errors.check(text["kind"] in CLIENT_KINDS, "kind", "required")
    for name, normalize, code in (
        ("siren", validation.normalize_siren, "invalid_siren"),
        ("vat_number", validation.normalize_vat, "invalid_vat"),
        ("email", validation.normalize_email, "invalid_email"),
    ):
        if text[name]:
            try:
                text[name] = normalize(text[name])
            except ValueError:
                errors.add(name, code)
    text["country_code"] = (text["country_code"] or "FR").upper()
    errors.check(
        len(text["country_code"]) == 2 and text["country_code"].isalpha(),
        "country_code",
        "invalid_country",
    )
    for name in ("postcode", "delivery_postcode", "billing_postcode"):
        if text[name] and text["country_code"] == "FR" and not validation.is_postcode(text[name]):
            errors.add(name, "invalid_postcode")
    if text["kind"] == "particulier":
        text["siren"] = ""
        text["vat_number"] = ""
    if text["einvoicing_address"]:
        endpoint = einvoicing.parse_address(text["einvoicing_address"])
        if endpoint is not None:
            text["einvoicing_address"] = str(endpoint)
        problem = einvoicing.address_problem(
            text["einvoicing_address"],
            siren=text["siren"],
            french_business=text["kind"] == "entreprise" and text["country_code"] == "FR",
        )
        if problem and all(e.field != "siren" for e in errors.errors):
            errors.add("einvoicing_address", problem)
    # What the invoice prints must be printable as typed (app/pdf/glyphs.py).
    for name in PRINTED_FIELDS:
        if not any(e.field == name for e in errors.errors):
            check_printable(errors, name, text[name])
    billing = (text["billing_address"], text["billing_postcode"], text["billing_city"])
    if any(billing) and not all(billing):
        for name, value in zip(
            ("billing_address", "billing_postcode", "billing_city"), billing, strict=True
        ):
            errors.check(bool(value), name, "required")
    errors.raise_if_any()
    return ClientData(
        **text, public_entity=bool(data.public_entity) and text["kind"] == "entreprise"
    )


def save_client(
    uow_factory: UnitOfWorkFactory, data: ClientData, client_id: str | None = None
) -> ClientInfo:
    """Create (``client_id`` None) or update a client; all field errors at once."""
    cleaned = _clean(data)
    with uow_factory() as uow:
        if uow.session.get(Person, cleaned.entrepreneur_id) is None:
            raise NotFoundError("not_found", what="person")
        if client_id is None:
            row = Client(**{n: getattr(cleaned, n) for n in _FIELDS})
            uow.session.add(row)
        else:
            found = uow.session.get(Client, client_id)
            if found is None or found.deleted_at is not None:
                raise NotFoundError("not_found", what="client")
            row = found
            for name in _FIELDS:
                setattr(row, name, getattr(cleaned, name))
        uow.commit()
        return _info(row)


def get_client(uow_factory: UnitOfWorkFactory, client_id: str) -> ClientInfo:
    with uow_factory() as uow:
        row = uow.session.get(Client, client_id)
        if row is None or row.deleted_at is not None:
            raise NotFoundError("not_found", what="client")
        return _info(row)


def list_clients(uow_factory: UnitOfWorkFactory, entrepreneur_id: str) -> list[ClientInfo]:
    with uow_factory() as uow:
        rows = uow.session.scalars(
            select(Client)
            .where(Client.entrepreneur_id == entrepreneur_id, Client.deleted_at.is_(None))
            .order_by(Client.name)
        )
        return [_info(r) for r in rows]

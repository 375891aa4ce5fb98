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
(number formats). Not covered: the rules on parts Permanence never writes (agents,
payee, invoicer, attachments, item attributes, multi-vendor S8/B8/M8/S9 invoices, foreign
currencies, "assujetti unique"): docs/invoicing.md lists them.

Hand-written because no Python library ships these rules.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import TypeAlias

from lxml import etree

from app.errors import FieldError, ValidationError

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
}
Node: TypeAlias = etree._Element

DOC = "rsm:ExchangedDocument"
TX = "rsm:SupplyChainTradeTransaction"
AGR = TX + "/ram:ApplicableHeaderTradeAgreement"
SETTLE = TX + "/ram:ApplicableHeaderTradeSettlement"
LINES = TX + "/ram:IncludedSupplyChainTradeLineItem"
LINE_SETTLE = LINES + "/ram:SpecifiedLineTradeSettlement"
SUMMATION = SETTLE + "/ram:SpecifiedTradeSettlementHeaderMonetarySummation"
FRAMEWORK = (
    "rsm:ExchangedDocumentContext/ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID"
)

TYPE_CODES = frozenset(["380", "389", "393", "501", "386", "500", "384", "471", "472", "473", "261", "262", "381", "396", "502", "503"])
BILLING_MODES = frozenset(["B1", "S1", "M1", "B2", "S2", "M2", "S3", "B4", "S4", "M4", "S5", "S6", "B7", "S7", "B8", "S8", "M8", "B9", "S9", "M9"])
BAR_VALUES = frozenset({"B2B", "B2BINT", "B2C", "B2CINT", "OUTOFSCOPE", "ARCHIVEONLY"})
SELF_BILLED = frozenset({"389", "501", "500", "471", "473", "261", "502"})
CREDIT_TYPES = frozenset({"261", "381", "396", "502", "503"})
CORRECTIVE_TYPES = frozenset({"384", "471", "472", "473"})
DEPOSIT_TYPES = frozenset({"386", "500", "503"})
VAT_CATEGORIES = frozenset({"S", "E", "AE", "K", "G", "O", "Z"})
VAT_RATES = frozenset(
    ["0", "0.0", "0.00", "10", "10.0", "10.00", "13", "13.0", "13.00", "20", "20.0", "20.00", "8.5", "8.50", "19.6", "19.60", "2.1", "2.10", "5.5", "5.50", "7", "7.0", "7.00", "20.6", "20.60", "1.05", "0.9", "0.90", "1.75", "9.2", "9.20", "9.6", "9.60"]
)

# XPath regular expressions anchor on the whole string: fullmatch, never match + "$".
ID_FORMAT = re.compile(r"[A-Za-z0-9+\-_/]+")
SCHEME_ID_FORMAT = re.compile(r"[A-Za-z0-9+\-_.]+")
DATE_FORMAT = re.compile(r"20\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])")
NINE_DIGITS = re.compile(r"\d{9}")
DEC_19_2 = re.compile(r"-?\d{1,19}(\.\d{1,2})?")
DEC_19_4 = re.compile(r"-?\d{1,19}(\.\d{1,4})?")
DEC_19_6_POSITIVE = re.compile(r"\d{1,19}(\.\d{1,6})?")
PERCENT_4_2 = re.compile(r"\d{1,4}(\.\d{1,2})?")


def normalize_space(text: str | None) -> str:
    """XPath normalize-space(): only space, tab, CR and LF are white space."""
    return re.sub(r"[ \t\r\n]+", " ", text or "").strip(" ")


def _text(node: Node) -> str:
    return "".join(node.itertext())


def _all(root: Node, path: str) -> list[Node]:
    return list(root.xpath(path, namespaces=NS))


def _first_text(root: Node, path: str) -> str:
    found = _all(root, path)
    return _text(found[0]) if found else ""


def _texts(root: Node, path: str) -> list[str]:
    return [_text(n) for n in _all(root, path)]


# Rules: each yields the SVRL id of every failed assertion, once per context node --------

Rule = Callable[[Node], Iterator[str]]


def _identifiers(root: Node) -> Iterator[str]:
    """BR-FR-01/02: invoice and referenced invoice ids ≤ 35 characters of A-Za-z0-9+-_/."""
    for path, term in (
        (DOC + "/ram:ID", "BT-1"),
        (SETTLE + "/ram:InvoiceReferencedDocument/ram:IssuerAssignedID", "BT-25"),
        (LINE_SETTLE + "/ram:InvoiceReferencedDocument/ram:IssuerAssignedID", "EXT-FR-FE-136"),
    ):
        for node in _all(root, path):
            value = _text(node)
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
        for node in _all(root, path):
            if not is_valid_date(_text(node)):
                yield f"BR-FR-03_{term}"


def _type_codes(root: Node) -> Iterator[str]:
    """BR-FR-04: document type codes of the French list."""
    for path, term in (
        (DOC + "/ram:TypeCode", "BT-3"),
        (SETTLE + "/ram:InvoiceReferencedDocument/ram:TypeCode", "EXT-FR-FE-02"),
        (LINE_SETTLE + "/ram:InvoiceReferencedDocument/ram:TypeCode", "EXT-FR-FE-137"),
    ):
        for node in _all(root, path):
            if _text(node) not in TYPE_CODES:
                yield f"BR-FR-04_{term}"


def _notes(root: Node) -> Iterator[str]:
    """BR-FR-05: PMT, PMD and AAB notes present; BR-FR-06: each subject at most once."""
    for doc in _all(root, DOC):
        subjects = _texts(doc, "ram:IncludedNote/ram:SubjectCode")
        for code in ("PMT", "PMD", "AAB"):
            if code not in subjects:
                yield f"BR-FR-05_BT-22_{code}"
        for code in ("PMT", "PMD", "AAB", "TXD"):
            if subjects.count(code) > 1:
                yield f"BR-FR-06_BT-21_{code}"


def _framework(root: Node) -> Iterator[str]:
    """BR-FR-08: the billing framework BT-23 is present and of the FNFE list."""
    for context in _all(root, "rsm:ExchangedDocumentContext"):
        codes = _texts(context, "ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID")
        if not any(code in BILLING_MODES for code in codes):
            yield "BR-FR-08_BT-23"


PARTIES = (
    (AGR + "/ram:SellerTradeParty", "BT-29"),
    (AGR + "/ram:BuyerTradeParty", "BT-46"),
    (TX + "/ram:ApplicableHeaderTradeDelivery/ram:ShipToTradeParty", "BT-71"),
)


def _sirets(root: Node) -> Iterator[str]:
    """BR-FR-09: a SIRET (GlobalID 0009) has 14 digits and starts with the SIREN."""
    for path, term in PARTIES:
        for party in _all(root, path):
            sirets = _texts(party, "ram:GlobalID[@schemeID='0009']")
            sirens = _texts(party, "ram:SpecifiedLegalOrganization/ram:ID[@schemeID='0002']")
            if sirets and not (re.fullmatch(r"\d{14}", sirets[0]) and sirets[0][:9] in sirens):
                yield f"BR-FR-09_{term}"


def _bar(root: Node) -> list[str]:
    return _texts(root, DOC + "/ram:IncludedNote[ram:SubjectCode = 'BAR']/ram:Content")


def _sirens(root: Node) -> Iterator[str]:
    """BR-FR-10: the seller's SIREN; BR-FR-11: the buyer's SIREN when BAR is B2B;
    BR-FR-32: every legal id of scheme 0002 has 9 digits."""
    seller = _texts(
        root,
        AGR + "/ram:SellerTradeParty/ram:SpecifiedLegalOrganization/ram:ID[@schemeID = '0002']",
    )
    if not (seller and NINE_DIGITS.fullmatch(normalize_space(seller[0]))):
        yield "BR-FR-10_BT-30"
    buyer = _texts(
        root, AGR + "/ram:BuyerTradeParty/ram:SpecifiedLegalOrganization/ram:ID[@schemeID = '0002']"
    )
    if "B2B" in _bar(root) and not (buyer and NINE_DIGITS.fullmatch(buyer[0])):
        yield "BR-FR-11_BT-47"
    for value in _texts(root, "//ram:SpecifiedLegalOrganization/ram:ID[@schemeID = '0002']"):
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
    doc_type = _texts(root, DOC + "/ram:TypeCode")
    self_billed = any(t in SELF_BILLED for t in doc_type)
    for path, term in ENDPOINTS:
        addresses = _all(root, path + "/ram:URIUniversalCommunication/ram:URIID")
        if not (addresses and _text(addresses[0])):
            yield "BR-FR-12_BT-49" if term == "BT-49" else "BR-FR-13_BT-34"
    for path, term in ENDPOINTS:
        for node in _all(root, path + "/ram:URIUniversalCommunication/ram:URIID[@schemeID='0225']"):
            if not SCHEME_ID_FORMAT.fullmatch(_text(node)):
                yield f"BR-FR-23_{term}"
    for path, term in ENDPOINTS:
        for node in _all(root, path + "/ram:URIUniversalCommunication/ram:URIID"):
            if len(_text(node)) > 125:
                yield f"BR-FR-25_{term}"
    if "B2B" in bar:
        for path, term, rule, applies in (
            (AGR + "/ram:BuyerTradeParty", "BT-49", "BR-FR-21", not self_billed),
            (AGR + "/ram:SellerTradeParty", "BT-34", "BR-FR-22", self_billed),
        ):
            if applies and not _routes_to_siren(root, path):
                yield f"{rule}_{term}"
    for doc in _all(root, DOC):
        for note in _all(doc, "ram:IncludedNote[ram:SubjectCode = 'BAR']"):
            if _first_text(note, "ram:Content") not in BAR_VALUES:
                yield "BR-FR-20_BT-21"
        contents = _texts(doc, "ram:IncludedNote[ram:SubjectCode = 'BAR']/ram:Content")
        if sum(normalize_space(c) in BAR_VALUES for c in contents) > 1:
            yield "BR-FR-31_BT-21"


def _routes_to_siren(root: Node, party: str) -> bool:
    siren = _first_text(root, party + "/ram:SpecifiedLegalOrganization/ram:ID")
    address = _all(root, party + "/ram:URIUniversalCommunication/ram:URIID")
    endpoint = _text(address[0]) if address else ""
    scheme = address[0].get("schemeID", "") if address else ""
    return endpoint.startswith(siren) and scheme == "0225"


TAXES = (
    (SETTLE + "/ram:ApplicableTradeTax", "BT-95_BT-118", "BT-119"),
    (LINE_SETTLE + "/ram:ApplicableTradeTax", "BT-95_BT-151", "BT-152"),
)


def _vat(root: Node) -> Iterator[str]:
    """BR-FR-15: VAT categories S, E, AE, K, G, O, Z (never L, M); BR-FR-16: French rates."""
    for path, category_term, _rate_term in TAXES:
        for tax in _all(root, path):
            codes = _texts(tax, "ram:CategoryCode")
            if not any(c in VAT_CATEGORIES for c in codes):
                yield f"BR-FR-15_{category_term}"
            if any(c in ("L", "M") for c in codes):
                yield f"BR-FR-15_{category_term}_LM"
    for path, _category_term, rate_term in TAXES:
        for tax in _all(root, path):
            rates = _all(tax, "ram:RateApplicablePercent")
            rate = _text(rates[0]) if rates else ""
            if rate and rate not in VAT_RATES:
                yield f"BR-FR-16_{rate_term}"


def _references(root: Node) -> Iterator[str]:
    """BR-FR-CO-04: one preceding invoice on a corrective invoice; BR-FR-CO-05: a credit
    note quotes the invoice(s) it credits, with their date."""
    types = _texts(root, DOC + "/ram:TypeCode")
    references = _all(root, SETTLE + "/ram:InvoiceReferencedDocument")
    if any(t in CORRECTIVE_TYPES for t in types) and len(references) != 1:
        yield "BR-FR-CO-04_BT-4"
    if any(t in CREDIT_TYPES for t in types):
        dated = [r for r in references if _has_id_and_date(r)]
        lines = [
            line
            for line in _all(root, LINES)
            if not _all(line, "ram:AssociatedDocumentLineDocument/ram:LineStatusReasonCode")
            or "DETAIL"
            in _texts(line, "ram:AssociatedDocumentLineDocument/ram:LineStatusReasonCode")
        ]
        lines_quote = all(
            any(
                _has_id_and_date(r)
                for r in _all(
                    line, "ram:SpecifiedLineTradeSettlement/ram:InvoiceReferencedDocument"
                )
            )
            for line in lines
        )
        if not (dated or lines_quote):
            yield "BR-FR-CO-05_BT-3"


def _has_id_and_date(reference: Node) -> bool:
    return bool(
        _all(reference, "ram:IssuerAssignedID")
        and _all(reference, "ram:FormattedIssueDateTime/qdt:DateTimeString")
    )


def _due_date(root: Node) -> Iterator[str]:
    """BR-FR-CO-07: the due date is not before the issue date (deposits aside)."""
    due = _texts(
        root, SETTLE + "/ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString"
    )
    issued = _texts(root, DOC + "/ram:IssueDateTime/udt:DateTimeString")
    types = _texts(root, DOC + "/ram:TypeCode")
    frameworks = _texts(root, FRAMEWORK)
    if not any(normalize_space(d) for d in due):
        return
    if any(t in DEPOSIT_TYPES for t in types) or any(f in ("B2", "S2", "M2") for f in frameworks):
        return
    if not all(any(d >= i for i in issued) for d in due):
        yield "BR-FR-CO-07_BT-9"


AMOUNTS = (
    (SETTLE + "/ram:SpecifiedTradeAllowanceCharge/ram:ActualAmount", "BT-92_BT-99"),
    (SETTLE + "/ram:SpecifiedTradeAllowanceCharge/ram:BasisAmount", "BT-93_BT-100"),
    (SUMMATION + "/ram:LineTotalAmount", "BT-106"),
    (SUMMATION + "/ram:AllowanceTotalAmount", "BT-107"),
    (SUMMATION + "/ram:ChargeTotalAmount", "BT-108"),
    (SUMMATION + "/ram:TaxBasisTotalAmount", "BT-109"),
    (SUMMATION + "/ram:TaxTotalAmount", "BT-110"),
    (SUMMATION + "/ram:GrandTotalAmount", "BT-112"),
    (SUMMATION + "/ram:TotalPrepaidAmount", "BT-113"),
    (SUMMATION + "/ram:RoundingAmount", "BT-114"),
    (SUMMATION + "/ram:DuePayableAmount", "BT-115"),
    (SETTLE + "/ram:ApplicableTradeTax/ram:BasisAmount", "BT-116"),
    (SETTLE + "/ram:ApplicableTradeTax/ram:CalculatedAmount", "BT-117"),
    (
        LINE_SETTLE + "/ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount",
        "BT-131",
    ),
    (LINE_SETTLE + "/ram:SpecifiedTradeAllowanceCharge/ram:ActualAmount", "BT-136_BT-141"),
    (LINE_SETTLE + "/ram:SpecifiedTradeAllowanceCharge/ram:BasisAmount", "BT-137_BT-142"),
)
LINE_AGREEMENT = LINES + "/ram:SpecifiedLineTradeAgreement"


def _numbers(root: Node) -> Iterator[str]:
    """BR-FR-DEC-01..04: amounts 2 decimals, quantities 4, prices 6 and positive, VAT
    rates 2 decimals; at most 19 digits (4 for a rate)."""
    for path, term in AMOUNTS:
        for node in _all(root, path):
            if not _decimal(DEC_19_2, normalize_space(_text(node)), 19):
                yield f"BR-FR-DEC-01_{term}"
    for path, term in (
        (LINES + "/ram:SpecifiedLineTradeDelivery/ram:BilledQuantity", "BT-129"),
        (LINE_AGREEMENT + "/ram:NetPriceProductTradePrice/ram:BasisQuantity", "BT-149"),
    ):
        for node in _all(root, path):
            if not _decimal(DEC_19_4, normalize_space(_text(node)), 19):
                yield f"BR-FR-DEC-02_{term}"
    bidirectional = any(
        f in ("S9", "B9", "M9") for f in map(normalize_space, _texts(root, FRAMEWORK))
    )
    for path, term in (
        (LINE_AGREEMENT + "/ram:NetPriceProductTradePrice/ram:ChargeAmount", "BT-146"),
        (
            LINE_AGREEMENT
            + "/ram:GrossPriceProductTradePrice/ram:AppliedTradeAllowanceCharge/ram:ActualAmount",
            "BT-147",
        ),
        (LINE_AGREEMENT + "/ram:GrossPriceProductTradePrice/ram:ChargeAmount", "BT-148"),
    ):
        for node in _all(root, path):
            value = normalize_space(_text(node))
            pattern = re.compile(r"-?\d{1,19}(\.\d{1,6})?") if bidirectional else DEC_19_6_POSITIVE
            if not _decimal(pattern, value, 19):
                yield f"BR-FR-DEC-03_{term}"
    for path, term in (
        (
            SETTLE
            + "/ram:SpecifiedTradeAllowanceCharge/ram:CategoryTradeTax/ram:RateApplicablePercent",
            "BT-96_BT-103",
        ),
        (SETTLE + "/ram:ApplicableTradeTax/ram:RateApplicablePercent", "BT-119"),
        (LINE_SETTLE + "/ram:ApplicableTradeTax/ram:RateApplicablePercent", "BT-152"),
    ):
        for node in _all(root, path):
            if not _decimal(PERCENT_4_2, normalize_space(_text(node)), 4):
                yield f"BR-FR-DEC-04_{term}"


def _decimal(pattern: re.Pattern[str], value: str, digits: int) -> bool:
    return pattern.fullmatch(value) is not None and len(value.replace(".", "")) <= digits


RULES: tuple[Rule, ...] = (
    _identifiers,
    _dates,
    _type_codes,
    _notes,
    _framework,
    _sirets,
    _sirens,
    _endpoints,
    _vat,
    _references,
    _due_date,
    _numbers,
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

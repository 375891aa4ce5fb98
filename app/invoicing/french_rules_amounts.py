"""French rules on VAT and numbers (BR-FR-15, 16, DEC-01..04): see french_rules.py."""

from __future__ import annotations

import re
from collections.abc import Iterator

from app.invoicing.french_rules_xml import (
    DEC_19_2,
    DEC_19_4,
    DEC_19_6_POSITIVE,
    FRAMEWORK,
    LINE_SETTLE,
    LINES,
    PERCENT_4_2,
    SETTLE,
    SUMMATION,
    VAT_CATEGORIES,
    VAT_RATES,
    Node,
    nodes,
    normalize_space,
    text_of,
    texts,
)

TAXES = (
    (SETTLE + "/ram:ApplicableTradeTax", "BT-95_BT-118", "BT-119"),
    (LINE_SETTLE + "/ram:ApplicableTradeTax", "BT-95_BT-151", "BT-152"),
)


def vat_rules(root: Node) -> Iterator[str]:
    """BR-FR-15: VAT categories S, E, AE, K, G, O, Z (never L, M); BR-FR-16: French rates."""
    for path, category_term, _rate_term in TAXES:
        for tax in nodes(root, path):
            codes = texts(tax, "ram:CategoryCode")
            if not any(c in VAT_CATEGORIES for c in codes):
                yield f"BR-FR-15_{category_term}"
            if any(c in ("L", "M") for c in codes):
                yield f"BR-FR-15_{category_term}_LM"
    for path, _category_term, rate_term in TAXES:
        for tax in nodes(root, path):
            rates = nodes(tax, "ram:RateApplicablePercent")
            rate = text_of(rates[0]) if rates else ""
            if rate and rate not in VAT_RATES:
                yield f"BR-FR-16_{rate_term}"


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


def number_rules(root: Node) -> Iterator[str]:
    """BR-FR-DEC-01..04: amounts 2 decimals, quantities 4, prices 6 and positive, VAT
    rates 2 decimals; at most 19 digits (4 for a rate)."""
    for path, term in AMOUNTS:
        for node in nodes(root, path):
            if not _decimal(DEC_19_2, normalize_space(text_of(node)), 19):
                yield f"BR-FR-DEC-01_{term}"
    for path, term in (
        (LINES + "/ram:SpecifiedLineTradeDelivery/ram:BilledQuantity", "BT-129"),
        (LINE_AGREEMENT + "/ram:NetPriceProductTradePrice/ram:BasisQuantity", "BT-149"),
    ):
        for node in nodes(root, path):
            if not _decimal(DEC_19_4, normalize_space(text_of(node)), 19):
                yield f"BR-FR-DEC-02_{term}"
    bidirectional = any(
        f in ("S9", "B9", "M9") for f in map(normalize_space, texts(root, FRAMEWORK))
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
        for node in nodes(root, path):
            value = normalize_space(text_of(node))
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
        for node in nodes(root, path):
            if not _decimal(PERCENT_4_2, normalize_space(text_of(node)), 4):
                yield f"BR-FR-DEC-04_{term}"


def _decimal(pattern: re.Pattern[str], value: str, digits: int) -> bool:
    return pattern.fullmatch(value) is not None and len(value.replace(".", "")) <= digits

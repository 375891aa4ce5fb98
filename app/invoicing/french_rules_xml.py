"""The CII XML as the French rules read it: namespaces, paths, XPath-like helpers.

Shared by app/invoicing/french_rules.py (document, parties, references) and
app/invoicing/french_rules_amounts.py (VAT, number formats).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import TypeAlias

from lxml import etree

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

TYPE_CODES = frozenset("380 389 393 501 386 500 384 471 472 473 261 262 381 396 502 503".split())  # noqa: SIM905
BILLING_MODES = frozenset("B1 S1 M1 B2 S2 M2 S3 B4 S4 M4 S5 S6 B7 S7 B8 S8 M8 B9 S9 M9".split())  # noqa: SIM905
BAR_VALUES = frozenset({"B2B", "B2BINT", "B2C", "B2CINT", "OUTOFSCOPE", "ARCHIVEONLY"})
SELF_BILLED = frozenset({"389", "501", "500", "471", "473", "261", "502"})
CREDIT_TYPES = frozenset({"261", "381", "396", "502", "503"})
CORRECTIVE_TYPES = frozenset({"384", "471", "472", "473"})
DEPOSIT_TYPES = frozenset({"386", "500", "503"})
VAT_CATEGORIES = frozenset({"S", "E", "AE", "K", "G", "O", "Z"})
# The rates of the official file (custom:is-valid-vat-rate), compared as written.
_RATES = (
    "0 0.0 0.00 10 10.0 10.00 13 13.0 13.00 20 20.0 20.00 8.5 8.50 19.6 19.60 "
    "2.1 2.10 5.5 5.50 7 7.0 7.00 20.6 20.60 1.05 0.9 0.90 1.75 9.2 9.20 9.6 9.60"
)
VAT_RATES = frozenset(_RATES.split())

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


def text_of(node: Node) -> str:
    return "".join(node.itertext())


def nodes(root: Node, path: str) -> list[Node]:
    return list(root.xpath(path, namespaces=NS))


def first_text(root: Node, path: str) -> str:
    found = nodes(root, path)
    return text_of(found[0]) if found else ""


def texts(root: Node, path: str) -> list[str]:
    return [text_of(n) for n in nodes(root, path)]


# Rules: each yields the SVRL id of every failed assertion, once per context node --------

Rule = Callable[[Node], Iterator[str]]

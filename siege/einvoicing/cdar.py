"""Life-cycle messages (XP Z12-012 statuses) as CDAR XML (UN/CEFACT
CrossDomainAcknowledgementAndResponse), laid out like the standard's own examples
(XP Z12-012 Annexe B, "Cycle de Vie - CDAR", e.g. UC1_F202500003_07-CDV-212_Encaissee.xml
and UC4_F202500006_04-CDV-207_En_litige.xml in github.com/fpiccinali/PA_Communautaire,
docs/norme/): the referenced invoice (MDT-87 BT-1, MDT-91 type code, MDT-100 issue date),
the status (MDT-105 code, MDT-106 label), its reason (ReasonCode / Reason) and, for 212
Encaissée, the amount collected (characteristic MEN, MDT-215).

Written: what the siège emits (212). Read: every status the PA sends back. Not written:
the optional parties' routing addresses and the PPF copy (docs/einvoicing.md)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from lxml import etree

from app.invoicing.pa_status import LABELS as STATUS_LABELS

RSM = "urn:un:unece:uncefact:data:standard:CrossDomainAcknowledgementAndResponse:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
NS = {"rsm": RSM, "ram": RAM, "udt": UDT, "qdt": QDT}
REF = "rsm:AcknowledgementDocument/ram:ReferenceReferencedDocument"

# XP Z12-012 life-cycle status codes, named in French (shared with the laptop).
LABELS = STATUS_LABELS


def label(code: str) -> str:
    return LABELS.get(code, f"statut {code}")


@dataclass(frozen=True)
class LifeCycle:
    invoice_number: str  # BT-1 of the invoice concerned
    code: str  # "200", "212"...
    reason: str = ""
    reason_code: str = ""
    amount_cents: int = 0  # 212: amount collected
    invoice_type: str = "380"  # BT-3: 380 invoice, 381 credit note
    invoice_date: dt.date | None = None  # BT-2
    seller_siren: str = ""
    issued_at: dt.datetime | None = None  # naive UTC


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    prefix, name = tag.split(":")
    node = etree.SubElement(parent, f"{{{NS[prefix]}}}{name}", attrs)
    if text is not None:
        node.text = text
    return node


def _stamp(parent: etree._Element, tag: str, when: dt.datetime) -> None:
    _sub(_sub(parent, tag), "udt:DateTimeString", when.strftime("%Y%m%d%H%M%S"), format="204")


def build(message: LifeCycle, message_id: str) -> bytes:
    root = etree.Element(f"{{{RSM}}}CrossDomainAcknowledgementAndResponse", nsmap=NS)
    context = _sub(root, "rsm:ExchangedDocumentContext")
    _sub(
        _sub(context, "ram:BusinessProcessSpecifiedDocumentContextParameter"), "ram:ID", "REGULATED"
    )
    _sub(
        _sub(context, "ram:GuidelineSpecifiedDocumentContextParameter"),
        "ram:ID",
        "urn.cpro.gouv.fr:1p0:CDV:invoice",
    )
    doc = _sub(root, "rsm:ExchangedDocument")
    _sub(doc, "ram:ID", message_id)
    _sub(doc, "ram:Name", f"{message.invoice_number}-CDV-{message.code}")
    if message.issued_at is not None:
        _stamp(doc, "ram:IssueDateTime", message.issued_at)
    if message.seller_siren:
        issuer = _sub(doc, "ram:IssuerTradeParty")
        _sub(issuer, "ram:GlobalID", message.seller_siren, schemeID="0002")
        _sub(issuer, "ram:RoleCode", "SE")
    ack = _sub(root, "rsm:AcknowledgementDocument")
    _sub(_sub(ack, "ram:MultipleReferencesIndicator"), "udt:Indicator", "false")
    _sub(ack, "ram:TypeCode", "23")
    if message.issued_at is not None:
        _stamp(ack, "ram:IssueDateTime", message.issued_at)
    ref = _sub(ack, "ram:ReferenceReferencedDocument")
    _sub(ref, "ram:IssuerAssignedID", message.invoice_number)
    _sub(ref, "ram:TypeCode", message.invoice_type)
    if message.invoice_date is not None:
        formatted = _sub(ref, "ram:FormattedIssueDateTime")
        _sub(formatted, "qdt:DateTimeString", message.invoice_date.strftime("%Y%m%d"), format="102")
    _sub(ref, "ram:ProcessConditionCode", message.code)
    _sub(ref, "ram:ProcessCondition", label(message.code))
    if message.reason or message.reason_code or message.amount_cents:
        status = _sub(ref, "ram:SpecifiedDocumentStatus")
        if message.reason_code:
            _sub(status, "ram:ReasonCode", message.reason_code)
        if message.reason:
            _sub(status, "ram:Reason", message.reason)
        if message.amount_cents:
            amount = _sub(status, "ram:SpecifiedDocumentCharacteristic")
            _sub(amount, "ram:TypeCode", "MEN")  # amount collected
            changed = _sub(amount, "ram:ValueChangedIndicator")
            _sub(changed, "udt:IndicatorString", "false")
            cents = message.amount_cents
            _sub(amount, "ram:ValueAmount", f"{cents // 100}.{cents % 100:02d}", currencyID="EUR")
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def parse(data: bytes) -> LifeCycle:
    root = etree.fromstring(data)
    ref = root.find(REF, NS)
    if ref is None:
        raise ValueError("no referenced document in the life-cycle message")
    amount = ref.findtext(
        "ram:SpecifiedDocumentStatus/ram:SpecifiedDocumentCharacteristic[ram:TypeCode='MEN']"
        "/ram:ValueAmount",
        "",
        NS,
    )
    date_text = ref.findtext("ram:FormattedIssueDateTime/qdt:DateTimeString", "", NS)
    return LifeCycle(
        invoice_number=ref.findtext("ram:IssuerAssignedID", "", NS).strip(),
        code=ref.findtext("ram:ProcessConditionCode", "", NS).strip(),
        reason=ref.findtext("ram:SpecifiedDocumentStatus/ram:Reason", "", NS).strip(),
        reason_code=ref.findtext("ram:SpecifiedDocumentStatus/ram:ReasonCode", "", NS).strip(),
        amount_cents=int(Decimal(amount.strip()) * 100) if amount.strip() else 0,
        invoice_type=ref.findtext("ram:TypeCode", "", NS).strip(),
        invoice_date=dt.datetime.strptime(date_text.strip(), "%Y%m%d").date()
        if date_text
        else None,
        seller_siren=root.findtext(
            "rsm:ExchangedDocument/ram:IssuerTradeParty/ram:GlobalID", "", NS
        ),
    )

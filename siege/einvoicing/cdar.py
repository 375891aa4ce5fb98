"""Life-cycle messages (XP Z12-012 statuses) as CDAR XML — a reduced form of the UN/CEFACT
CrossDomainAcknowledgementAndResponse the reform uses: the referenced invoice number, the
status code, its reason and (212 Encaissée) the amount collected. Reduced: the full CDAR
carries parties and more; this is what the siège writes (212) and reads (every status)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from lxml import etree

RSM = "urn:un:unece:uncefact:data:standard:CrossDomainAcknowledgementAndResponse:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
NS = {"rsm": RSM, "ram": RAM}

# XP Z12-012 life-cycle status codes the siège names in French.
LABELS = {
    "200": "Déposée",
    "201": "Émise par la plateforme",
    "202": "Reçue par la plateforme",
    "203": "Mise à disposition",
    "204": "Prise en charge",
    "205": "Approuvée",
    "206": "Approuvée partiellement",
    "207": "En litige",
    "208": "Suspendue",
    "209": "Complétée",
    "210": "Refusée",
    "211": "Paiement transmis",
    "212": "Encaissée",
    "213": "Rejetée",
}


def label(code: str) -> str:
    return LABELS.get(code, f"statut {code}")


@dataclass(frozen=True)
class LifeCycle:
    invoice_number: str
    code: str
    reason: str = ""
    amount_cents: int = 0
    issued_at: dt.datetime | None = None


def build(message: LifeCycle, message_id: str) -> bytes:
    root = etree.Element(f"{{{RSM}}}CrossDomainAcknowledgementAndResponse", nsmap=NS)
    doc = etree.SubElement(root, f"{{{RSM}}}ExchangedDocument")
    etree.SubElement(doc, f"{{{RAM}}}ID").text = message_id
    if message.issued_at is not None:
        etree.SubElement(doc, f"{{{RAM}}}IssueDateTime").text = message.issued_at.isoformat()
    ack = etree.SubElement(root, f"{{{RSM}}}AcknowledgementDocument")
    ref = etree.SubElement(ack, f"{{{RAM}}}ReferenceReferencedDocument")
    etree.SubElement(ref, f"{{{RAM}}}IssuerAssignedID").text = message.invoice_number
    etree.SubElement(ref, f"{{{RAM}}}ProcessConditionCode").text = message.code
    if message.reason:
        status = etree.SubElement(ref, f"{{{RAM}}}SpecifiedDocumentStatus")
        etree.SubElement(status, f"{{{RAM}}}Reason").text = message.reason
    if message.amount_cents:
        amount = etree.SubElement(ref, f"{{{RAM}}}SpecifiedDocumentCharacteristic")
        etree.SubElement(amount, f"{{{RAM}}}TypeCode").text = "MEN"  # amount collected
        etree.SubElement(amount, f"{{{RAM}}}ValueAmount").text = (
            f"{message.amount_cents // 100}.{message.amount_cents % 100:02d}"
        )
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def parse(data: bytes) -> LifeCycle:
    root = etree.fromstring(data)
    ref = root.find("rsm:AcknowledgementDocument/ram:ReferenceReferencedDocument", NS)
    if ref is None:
        raise ValueError("no referenced document in the life-cycle message")
    amount = ref.findtext("ram:SpecifiedDocumentCharacteristic/ram:ValueAmount", "", NS)
    cents = int(Decimal(amount) * 100) if amount else 0
    return LifeCycle(
        invoice_number=ref.findtext("ram:IssuerAssignedID", "", NS),
        code=ref.findtext("ram:ProcessConditionCode", "", NS),
        reason=ref.findtext("ram:SpecifiedDocumentStatus/ram:Reason", "", NS),
        amount_cents=cents,
    )

"""Deposit invoices, the final invoice after one or several deposits, and the billing
address when it differs (issue 15, item 1; docs/invoicing.md, "Deposits" and "Billing
address"): what the PDF prints is what the Factur-X XML says; wrong deductions are
refused in French codes before any number is taken. The official schematrons' verdict on both documents is
in tests/integration/test_invoicing_french_rules.py (corpus)."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from facturx import get_facturx_xml_from_pdf
from lxml import etree
from pypdf import PdfReader

from app.errors import ValidationError
from app.invoicing import french_rules
from app.invoicing.clients import ClientData, save_client
from app.invoicing.deposits import deposit_choices
from app.invoicing.drafts import LineData, deduction_lines, get_invoice
from app.invoicing.french_rules import NS
from app.invoicing.payments import PaymentData, get_balance, record_payment
from app.invoicing.validation import validate_invoice
from app.profile import Profile
from tests.invoicing_fixtures import add_client, add_draft, add_entrepreneur, complete_identity

DAY = dt.date(2026, 3, 2)
LATER = dt.date(2026, 4, 15)
WORK = LineData("Rénovation de la façade", 10000, 100000, 2000)  # 1,000.00 € at 20 %
DEPOSIT = LineData("Acompte de 30 % sur le devis D-12", 10000, 30000, 2000)  # 300.00 €


def _text(pdf: bytes) -> str:
    raw = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"\s+", " ", re.sub(r"[\u202f\u00a0]", " ", raw))


def _xml(pdf: bytes) -> etree._Element:
    _name, xml = get_facturx_xml_from_pdf(pdf, check_xsd=True)
    return etree.fromstring(xml)


def _one(root: etree._Element, path: str) -> str:
    found = root.xpath(path, namespaces=NS)
    assert len(found) == 1, path
    return str(found[0].text)


def _codes(caught: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return {e.code for e in caught.value.errors}


@pytest.fixture
def billed(profile: Profile) -> tuple[Profile, str, str]:
    complete_identity(profile.uow)
    person = add_entrepreneur(profile.uow)
    client = add_client(
        profile.uow, person, name="SAS Clos", billing_address="12 rue des Comptes",
        billing_postcode="51100", billing_city="Reims",
    )  # fmt: skip
    return profile, person, client


def test_deposit_then_final_invoice_printed_as_in_their_xml(
    billed: tuple[Profile, str, str],
) -> None:
    profile, person, client = billed
    uow, docs = profile.uow, profile.paths.documents
    deposit = validate_invoice(
        uow, docs, add_draft(uow, person, client, (DEPOSIT,), role="acompte"), DAY
    )
    lines = (WORK, *deduction_lines(uow, deposit.invoice_id))
    assert lines[1].quantity_e4 == -10000 and lines[1].unit_price_cents == 30000
    assert (
        lines[1].description
        == f"Acompte versé — facture d'acompte n° {deposit.number} du 02/03/2026"
    )
    final = validate_invoice(
        uow, docs,
        add_draft(uow, person, client, lines, role="solde", deposit_invoice_ids=(deposit.invoice_id,)),
        LATER,
    )  # fmt: skip

    deposit_pdf, final_pdf = deposit.pdf_path.read_bytes(), final.pdf_path.read_bytes()
    root = _xml(deposit_pdf)
    assert _one(root, "//rsm:ExchangedDocument/ram:TypeCode") == "386"
    assert _one(root, "//ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID") == "S1"
    assert "FACTURE D'ACOMPTE" in _text(deposit_pdf)

    root = _xml(final_pdf)
    assert _one(root, "//rsm:ExchangedDocument/ram:TypeCode") == "380"
    assert _one(root, "//ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID") == "S4"
    ref = "//ram:ApplicableHeaderTradeSettlement/ram:InvoiceReferencedDocument"
    assert _one(root, ref + "/ram:IssuerAssignedID") == deposit.number
    assert _one(root, ref + "/ram:FormattedIssueDateTime/qdt:DateTimeString") == "20260302"
    # What is left to pay: 1,000 − 300 excluding VAT, VAT on the rest only.
    totals = "//ram:SpecifiedTradeSettlementHeaderMonetarySummation"
    assert _one(root, totals + "/ram:TaxBasisTotalAmount") == "700.00"
    assert _one(root, totals + "/ram:TaxTotalAmount") == "140.00"
    assert _one(root, totals + "/ram:DuePayableAmount") == "840.00"
    text = _text(final_pdf)
    assert "FACTURE DE SOLDE" in text
    assert f"déduit la facture d'acompte n° {deposit.number} du 02/03/2026" in text
    # The billing address: printed, and in the XML with the same words.
    billing = "Adresse de facturation : 12 rue des Comptes, 51100 Reims"
    assert billing in text
    notes = [n.text for n in root.xpath("//ram:IncludedNote/ram:Content", namespaces=NS)]
    assert billing in notes
    # Its balance is what it asks: 840 € (the deposit was paid on its own invoice).
    record_payment(uow, final.invoice_id, PaymentData(LATER, 84000, "virement"))
    assert get_balance(uow, final.invoice_id).status == "payee"


def test_wrong_deductions_are_refused_before_any_number(billed: tuple[Profile, str, str]) -> None:
    profile, person, client = billed
    uow, docs = profile.uow, profile.paths.documents
    with pytest.raises(ValidationError) as caught:
        add_draft(uow, person, client, (WORK,), role="solde")
    assert _codes(caught) == {"deposit_invoice_required"}
    plain = validate_invoice(uow, docs, add_draft(uow, person, client, (WORK,)), DAY)
    with pytest.raises(ValidationError) as caught:
        add_draft(
            uow, person, client, (WORK,), role="solde", deposit_invoice_ids=(plain.invoice_id,)
        )
    assert _codes(caught) == {"deposit_not_an_issued_deposit"}
    deposit = validate_invoice(
        uow, docs, add_draft(uow, person, client, (DEPOSIT,), role="acompte"), DAY
    ).invoice_id
    other = add_client(uow, person, name="Autre client")
    with pytest.raises(ValidationError) as caught:
        add_draft(uow, person, other, (WORK,), role="solde", deposit_invoice_ids=(deposit,))
    assert _codes(caught) == {"deposit_of_another_client"}
    with pytest.raises(ValidationError) as caught:
        add_draft(uow, person, client, (WORK,), deposit_invoice_ids=(deposit,))
    assert _codes(caught) == {"deposit_only_on_final_invoice"}

    # Saved, but refused at issue: a deduction that is not the deposit's amount.
    short = (WORK, LineData("Acompte versé", -10000, 20000, 2000))
    draft = add_draft(uow, person, client, short, role="solde", deposit_invoice_ids=(deposit,))
    with pytest.raises(ValidationError) as caught:
        validate_invoice(uow, docs, draft, LATER)
    assert _codes(caught) == {"deposit_deduction_mismatch"}
    # A deposit larger than the work.
    small = (LineData("Retouche", 10000, 10000, 2000), *deduction_lines(uow, deposit))
    draft = add_draft(uow, person, client, small, role="solde", deposit_invoice_ids=(deposit,))
    with pytest.raises(ValidationError) as caught:
        validate_invoice(uow, docs, draft, LATER)
    assert _codes(caught) == {"deposit_exceeds_invoice"}
    # Deducted once only.
    lines = (WORK, *deduction_lines(uow, deposit))
    validate_invoice(
        uow,
        docs,
        add_draft(uow, person, client, lines, role="solde", deposit_invoice_ids=(deposit,)),
        LATER,
    )
    draft = add_draft(uow, person, client, lines, role="solde", deposit_invoice_ids=(deposit,))
    with pytest.raises(ValidationError) as caught:
        validate_invoice(uow, docs, draft, LATER)
    assert _codes(caught) == {"deposit_already_deducted"}


def test_a_billing_address_is_whole_or_absent(profile: Profile) -> None:
    person = add_entrepreneur(profile.uow)
    with pytest.raises(ValidationError) as caught:
        save_client(
            profile.uow,
            ClientData(person, "SAS Clos", siren="552100554", billing_address="12 rue des Comptes"),
        )
    assert {(e.field, e.code) for e in caught.value.errors} == {
        ("billing_postcode", "required"), ("billing_city", "required")
    }  # fmt: skip


def test_final_invoice_deducts_two_deposits_printed_as_in_its_xml(
    billed: tuple[Profile, str, str],
) -> None:
    profile, person, client = billed
    uow, docs = profile.uow, profile.paths.documents
    first = validate_invoice(
        uow, docs, add_draft(uow, person, client, (DEPOSIT,), role="acompte"), DAY
    )
    second_lines = (
        LineData("Deuxième acompte, travaux", 10000, 20000, 2000),  # 200.00 € at 20 %
        LineData("Deuxième acompte, fournitures", 10000, 5000, 1000),  # 50.00 € at 10 %
    )
    second = validate_invoice(
        uow, docs, add_draft(uow, person, client, second_lines, role="acompte"), LATER
    )
    assert [i for i, _label in deposit_choices(uow, client)] == [
        first.invoice_id, second.invoice_id
    ]  # fmt: skip
    supplies = LineData("Fournitures", 10000, 20000, 1000)  # 200.00 € at 10 %
    lines = (
        WORK,
        supplies,
        *deduction_lines(uow, first.invoice_id),
        *deduction_lines(uow, second.invoice_id),
    )
    ids = (first.invoice_id, second.invoice_id)
    final = validate_invoice(
        uow, docs, add_draft(uow, person, client, lines, role="solde", deposit_invoice_ids=ids),
        LATER,
    )  # fmt: skip

    # The window reads both deposits back: number, date, amount asked (incl. VAT).
    shown = get_invoice(uow, final.invoice_id)
    assert shown.data.deposit_invoice_ids == ids
    assert [(d.number, d.issue_date, d.total_incl_cents) for d in shown.deposits] == [
        (first.number, DAY, 36000),
        (second.number, LATER, 24000 + 5500),
    ]
    pdf = final.pdf_path.read_bytes()
    root = _xml(pdf)
    assert _one(root, "//ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID") == "S4"
    ref = "//ram:ApplicableHeaderTradeSettlement/ram:InvoiceReferencedDocument"
    assert [n.text for n in root.xpath(ref + "/ram:IssuerAssignedID", namespaces=NS)] == [
        first.number, second.number
    ]  # fmt: skip
    dates = root.xpath(ref + "/ram:FormattedIssueDateTime/qdt:DateTimeString", namespaces=NS)
    assert [n.text for n in dates] == ["20260302", "20260415"]
    # Left to pay: 20 %: 1,000 − 300 − 200 = 500; 10 %: 200 − 50 = 150.
    totals = "//ram:SpecifiedTradeSettlementHeaderMonetarySummation"
    assert _one(root, totals + "/ram:TaxBasisTotalAmount") == "650.00"
    assert _one(root, totals + "/ram:TaxTotalAmount") == "115.00"
    assert _one(root, totals + "/ram:DuePayableAmount") == "765.00"
    text = _text(pdf)
    assert (
        f"déduit les factures d'acompte n° {first.number} du 02/03/2026, "
        f"n° {second.number} du 15/04/2026"
    ) in text
    for number in (first.number, second.number):
        assert f"Acompte versé — facture d'acompte n° {number}" in text
    assert "765,00 €" in text
    # The laptop's French rules pass (the official files: the corpus of
    # tests/integration/test_invoicing_french_rules.py holds the same case).
    assert french_rules.failed_rules(etree.tostring(root)) == []
    # Neither deposit is offered again, nor deducted a second time.
    assert deposit_choices(uow, client) == []
    again = add_draft(
        uow, person, client, (WORK, *deduction_lines(uow, second.invoice_id)),
        role="solde", deposit_invoice_ids=(second.invoice_id,),
    )  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        validate_invoice(uow, docs, again, LATER)
    assert _codes(caught) == {"deposit_already_deducted"}


def test_two_deposits_named_but_one_deducted_is_refused(
    billed: tuple[Profile, str, str],
) -> None:
    profile, person, client = billed
    uow, docs = profile.uow, profile.paths.documents
    ids = tuple(
        validate_invoice(
            uow, docs, add_draft(uow, person, client, (DEPOSIT,), role="acompte"), DAY
        ).invoice_id
        for _ in range(2)
    )
    lines = (WORK, *deduction_lines(uow, ids[0]))
    draft = add_draft(uow, person, client, lines, role="solde", deposit_invoice_ids=ids)
    with pytest.raises(ValidationError) as caught:
        validate_invoice(uow, docs, draft, LATER)
    assert _codes(caught) == {"deposit_deduction_mismatch"}
    # Listing the same deposit twice names it once.
    twice = add_draft(
        uow, person, client, lines, role="solde", deposit_invoice_ids=(ids[0], ids[0])
    )
    assert get_invoice(uow, twice).data.deposit_invoice_ids == (ids[0],)
    validate_invoice(uow, docs, twice, LATER)

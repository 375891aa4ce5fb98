"""Drafts, validation refusals, immutability through every path, credit notes, payments."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, select, update

from app.errors import ConflictError, ValidationError
from app.invoicing import drafts as draft_service
from app.invoicing import payments, queries
from app.invoicing.drafts import DraftData, LineData, get_invoice, save_draft
from app.invoicing.payments import PaymentData, record_payment
from app.invoicing.validation import (
    cancel_invoice,
    credit_note_draft,
    switch_to_salarie,
    validate_invoice,
)
from app.models import Invoice, InvoiceLine, ParcoursStage
from app.models.invoicing import IssuedInvoiceImmutable
from app.profile import Profile
from tests.invoicing_fixtures import add_client, add_draft, add_entrepreneur, complete_identity

DAY = dt.date(2026, 3, 2)


@pytest.fixture
def ready(profile: Profile) -> tuple[Profile, str, str]:
    complete_identity(profile.uow)
    person = add_entrepreneur(profile.uow)
    return profile, person, add_client(profile.uow, person)


def _issue(
    profile: Profile,
    person: str,
    client: str,
    lines: tuple[LineData, ...] | None = None,
    **changes: object,
) -> str:
    draft = add_draft(profile.uow, person, client, lines, **changes)
    return validate_invoice(profile.uow, profile.paths.documents, draft, DAY).invoice_id


def test_validation_lists_everything_missing(profile: Profile) -> None:
    person = add_entrepreneur(profile.uow)
    client = add_client(profile.uow, person, siren="", address="", city="")
    draft = add_draft(profile.uow, person, client)
    with pytest.raises(ValidationError) as caught:
        validate_invoice(profile.uow, profile.paths.documents, draft, DAY)
    codes = {e.code for e in caught.value.errors}
    assert {"missing_client_address", "missing_client_city", "missing_client_siren"} <= codes
    assert {"missing_cae_siren", "missing_cae_name", "missing_cae_vat_number"} <= codes
    assert get_invoice(profile.uow, draft).status == "brouillon"


def test_individual_client_needs_no_siren(ready) -> None:
    profile, person, _client = ready
    individual = add_client(profile.uow, person, business=False)
    assert get_invoice(profile.uow, _issue(profile, person, individual)).status == "emise"


def test_zero_rate_needs_the_exemption_wording(ready) -> None:
    profile, person, client = ready
    lines = (LineData("Cours de couture", 10000, 3000, 0),)
    draft = add_draft(profile.uow, person, client, lines)
    with pytest.raises(ValidationError) as caught:
        validate_invoice(profile.uow, profile.paths.documents, draft, DAY)
    assert [e.code for e in caught.value.errors] == ["missing_vat_exemption_text"]


def test_negative_quantities_only_in_credit_notes(ready) -> None:
    profile, person, client = ready
    with pytest.raises(ValidationError) as caught:
        add_draft(profile.uow, person, client, (LineData("Remboursement", -10000, 500, 2000),))
    assert caught.value.errors[0].code == "negative_quantity_invoice"


def test_draft_is_editable_and_deletable(ready) -> None:
    profile, person, client = ready
    draft = add_draft(profile.uow, person, client)
    data = get_invoice(profile.uow, draft).data.with_changes(
        lines=(LineData("Ourlet", 10000, 1500, 2000),)
    )
    assert save_draft(profile.uow, data, draft).totals.incl_cents == 1800
    draft_service.delete_draft(profile.uow, draft)
    assert queries.count_invoices(profile.uow) == 0


def test_issued_invoice_refuses_every_service_change(ready) -> None:
    profile, person, client = ready
    issued = _issue(profile, person, client)
    data = get_invoice(profile.uow, issued).data
    with pytest.raises(ConflictError):
        save_draft(profile.uow, data.with_changes(notes="changed"), issued)
    with pytest.raises(ConflictError):
        draft_service.delete_draft(profile.uow, issued)
    with pytest.raises(ConflictError):
        validate_invoice(profile.uow, profile.paths.documents, issued, DAY)


def test_issued_invoice_refuses_direct_orm_and_sql_changes(ready) -> None:
    profile, person, client = ready
    issued = _issue(profile, person, client)
    attempts = [
        lambda s: setattr(s.get(Invoice, issued), "total_incl_cents", 1),
        lambda s: setattr(s.get(Invoice, issued), "deleted_at", dt.datetime(2026, 3, 3)),
        lambda s: setattr(s.get(Invoice, issued), "status", "brouillon"),
        lambda s: s.delete(s.get(Invoice, issued)),
        lambda s: setattr(
            s.scalars(select(InvoiceLine).where(InvoiceLine.invoice_id == issued)).first(),
            "unit_price_cents",
            1,
        ),
        lambda s: s.add(
            InvoiceLine(
                invoice_id=issued,
                description="x",
                quantity_e4=1,
                unit_price_cents=1,
                vat_rate_bp=2000,
            )
        ),
        lambda s: s.execute(update(Invoice).where(Invoice.id == issued).values(notes="x")),
        lambda s: s.merge(Invoice(id=issued, notes="merged from elsewhere")),
        lambda s: _expired_then_changed(s, issued),
        lambda s: s.execute(delete(InvoiceLine).where(InvoiceLine.invoice_id == issued)),
    ]
    for attempt in attempts:
        with profile.uow() as work, pytest.raises(IssuedInvoiceImmutable):
            attempt(work.session)
            work.commit()
    expected = get_invoice(profile.uow, issued).totals.incl_cents
    with profile.uow() as work:
        row = work.session.get(Invoice, issued)
        assert (row.status, row.deleted_at, row.notes) == ("emise", None, "")
        assert row.total_incl_cents == expected


def _expired_then_changed(session, invoice_id: str) -> None:
    invoice = session.get(Invoice, invoice_id)
    session.expire(invoice)  # the status is no longer loaded when the change is flushed
    invoice.notes = "changed"


def test_whole_credit_note_quotes_the_invoice_and_cancels_it(ready) -> None:
    profile, person, client = ready
    issued = _issue(profile, person, client)
    credit = cancel_invoice(profile.uow, profile.paths.documents, issued, DAY)
    note = get_invoice(profile.uow, credit.invoice_id)
    original = get_invoice(profile.uow, issued)
    assert note.data.kind == "avoir" and note.credited_number == original.number
    assert note.totals.incl_cents == -original.totals.incl_cents
    assert payments.get_balance(profile.uow, issued).status == "annulee"
    with pytest.raises(ValidationError):  # nothing left to credit
        cancel_invoice(profile.uow, profile.paths.documents, issued, DAY)


def test_partial_credit_note_reduces_what_is_due(ready) -> None:
    profile, person, client = ready
    issued = _issue(profile, person, client)
    draft = credit_note_draft(
        profile.uow, issued, (LineData("Geste commercial", -10000, 1000, 2000),)
    )
    validate_invoice(profile.uow, profile.paths.documents, draft, DAY)
    balance = payments.get_balance(profile.uow, issued)
    assert balance.credited_cents == 1200
    assert balance.due_cents == balance.total_incl_cents - 1200
    with pytest.raises(ValidationError) as caught:
        credit_note_draft(profile.uow, issued, (LineData("Trop", 10000, 1000, 2000),))
    assert caught.value.errors[0].code == "positive_quantity_credit_note"


def test_payments_derive_the_status_and_overpayment_is_refused(ready) -> None:
    profile, person, client = ready
    issued = _issue(profile, person, client)
    total = get_invoice(profile.uow, issued).totals.incl_cents
    half = record_payment(profile.uow, issued, PaymentData(DAY, total // 2, "cheque", "n° 123"))
    assert half.status == "partiellement_payee"
    with pytest.raises(ValidationError) as caught:
        record_payment(profile.uow, issued, PaymentData(DAY, total, "virement"))
    assert caught.value.errors[0].code == "overpayment"
    done = record_payment(profile.uow, issued, PaymentData(DAY, total - total // 2, "virement"))
    assert (done.status, done.due_cents) == ("payee", 0)


def test_payment_of_a_draft_is_refused(ready) -> None:
    profile, person, client = ready
    draft = add_draft(profile.uow, person, client)
    with pytest.raises(ConflictError):
        record_payment(profile.uow, draft, PaymentData(DAY, 100, "especes"))


def test_unpaid_and_overdue_lists(ready) -> None:
    profile, person, client = ready
    overdue = _issue(profile, person, client, due_date=DAY + dt.timedelta(days=1))
    paid = _issue(profile, person, client)
    total = get_invoice(profile.uow, paid).totals.incl_cents
    record_payment(profile.uow, paid, PaymentData(DAY, total, "carte"))
    assert [r.id for r in queries.unpaid_invoices(profile.uow)] == [overdue]
    assert [r.id for r in queries.unpaid_invoices(profile.uow, overdue_only=True)] == [overdue]
    assert queries.count_invoices(profile.uow, status="payee") == 1


def test_turnover_per_month_counts_credit_notes_and_payments(ready) -> None:
    profile, person, client = ready
    first = _issue(profile, person, client)
    excl = get_invoice(profile.uow, first).totals.excl_cents
    record_payment(profile.uow, first, PaymentData(DAY, 1000, "virement"))
    draft = credit_note_draft(profile.uow, first, (LineData("Remise", -10000, 1000, 2000),))
    validate_invoice(profile.uow, profile.paths.documents, draft, DAY)
    rows = queries.turnover(profile.uow, person)
    assert [(r.period, r.invoiced_excl_cents, r.cashed_cents) for r in rows] == [
        ("2026-03", excl - 1000, 1000)
    ]
    assert queries.turnover(profile.uow, person, by="year")[0].period == "2026"


def test_first_invoice_in_cape_proposes_the_salarie_stage(ready) -> None:
    profile, person, client = ready
    first = validate_invoice(
        profile.uow, profile.paths.documents, add_draft(profile.uow, person, client), DAY
    )
    second = validate_invoice(
        profile.uow, profile.paths.documents, add_draft(profile.uow, person, client), DAY
    )
    assert (first.propose_salarie_stage, second.propose_salarie_stage) == (True, False)
    assert switch_to_salarie(profile.uow, person, DAY)
    with profile.uow() as work:
        kinds = set(
            work.session.scalars(
                select(ParcoursStage.kind).where(ParcoursStage.person_id == person)
            )
        )
    assert kinds == {"cape", "salarie"}


def test_no_proposal_outside_a_convention(profile: Profile) -> None:
    complete_identity(profile.uow)
    person = add_entrepreneur(profile.uow, stage="salarie")
    client = add_client(profile.uow, person)
    result = validate_invoice(
        profile.uow, profile.paths.documents, add_draft(profile.uow, person, client), DAY
    )
    assert not result.propose_salarie_stage


def test_client_of_another_entrepreneur_is_refused(ready) -> None:
    profile, _person, client = ready
    other = add_entrepreneur(profile.uow, last_name="Durand")
    with pytest.raises(ValidationError) as caught:
        save_draft(profile.uow, DraftData(other, client, (LineData("x", 10000, 100, 2000),)))
    assert caught.value.errors[0].code == "client_of_other_entrepreneur"


def test_credit_note_after_a_payment_leaves_a_refund_due(ready) -> None:
    profile, person, client = ready
    issued = _issue(profile, person, client)
    record_payment(profile.uow, issued, PaymentData(DAY, 1000, "cheque"))
    cancel_invoice(profile.uow, profile.paths.documents, issued, DAY)
    balance = payments.get_balance(profile.uow, issued)
    assert (balance.status, balance.due_cents) == ("a_rembourser", -1000)


def test_status_filters_match_the_derived_status(ready) -> None:
    profile, person, client = ready
    refund = _issue(profile, person, client)
    record_payment(profile.uow, refund, PaymentData(DAY, 1000, "cheque"))
    cancel_invoice(profile.uow, profile.paths.documents, refund, DAY)
    paid = _issue(profile, person, client)
    total = get_invoice(profile.uow, paid).totals.incl_cents
    record_payment(profile.uow, paid, PaymentData(DAY, total, "virement"))
    cancelled = _issue(profile, person, client)
    cancel_invoice(profile.uow, profile.paths.documents, cancelled, DAY)
    rows = queries.search_invoices(profile.uow)
    for status in ("a_rembourser", "payee", "annulee", "avoir"):
        listed = {r.id for r in queries.search_invoices(profile.uow, status=status)}
        assert listed == {r.id for r in rows if r.payment_status == status}, status
        assert queries.count_invoices(profile.uow, status=status) == len(listed)

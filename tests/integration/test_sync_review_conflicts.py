"""Conflicts that matter (docs/sync.md): an over-paid invoice, a delete hiding another
laptop's edit, and the lost value of a field changed on two laptops — kept on the
siège for every field, listed on the laptops for the ones people must review, never
for bookkeeping columns. Real laptop profiles syncing through a real siège (SQLite and
PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import select

from app.clock import utcnow, wall_ms
from app.invoicing.payments import PaymentData, record_payment
from app.invoicing.validation import validate_invoice
from app.migrate import restore_backup
from app.models import Invoice, Payment, Person
from app.profile import Profile, open_profile
from app.sync import service
from app.sync.apply import set_state
from app.sync.capture import OFFSET_KEY
from siege.tables import conflict as siege_conflict
from tests.invoicing_fixtures import add_client, add_draft, add_entrepreneur
from tests.sync_support import Siege, give_cae_identity, new_laptop

DAY = dt.date(2026, 11, 26)


def _laptops(siege: Siege, tmp_path: Path) -> tuple[Profile, Profile]:
    a, b = new_laptop(tmp_path, "A"), new_laptop(tmp_path, "B")
    siege.enrol(a, f"A-{uuid.uuid4().hex[:6]}", "Épernay")
    siege.enrol(b, f"B-{uuid.uuid4().hex[:6]}", "Épernay")
    return a, b


def _sync(siege: Siege, *laptops: Profile) -> None:
    for laptop in laptops:
        assert service.run_sync(laptop, http_factory=siege.http_factory).rejected == 0


def _person(laptop: Profile, **values: Any) -> str:
    with laptop.uow() as uow:
        person = Person(**{"first_name": "Jeanne", "last_name": "Martin", **values})
        uow.session.add(person)
        uow.commit()
        return person.id


def _edit(laptop: Profile, row_id: str, **values: Any) -> None:
    # These tests mean "the later edit is newer". The HLC stamps real wall milliseconds
    # plus the offset each laptop estimated at its last handshake (app/sync/client.py:
    # half a round trip of error, tens of ms on a busy machine). Here the siège runs in
    # the same process, on the same clock: the true offset is 0, and the estimate's
    # noise would order two laptops' edits at random. Each edit also gets a millisecond
    # of its own (the same millisecond ties on the node name).
    with laptop.engine.begin() as conn:
        set_state(conn, OFFSET_KEY, "0")  # read when the clock is loaded
    capture = laptop.sync_capture
    if capture is not None and capture.clock is not None:
        capture.clock.offset_ms = 0
    start = wall_ms()
    while wall_ms() == start:
        pass
    with laptop.uow() as uow:
        row = uow.session.get(Person, row_id)
        for k, v in values.items():
            setattr(row, k, v)
        uow.commit()


def _listed(laptop: Profile) -> list[tuple[str, str, str, str]]:
    return sorted(
        (c.kind, c.field, c.kept_value, c.lost_value) for c in service.open_conflicts(laptop)
    )


def _on_siege(siege: Siege, row_id: str) -> list[tuple[str, str, str, str]]:
    with siege.engine.connect() as conn:
        return sorted(
            (c.kind, c.field, c.kept_value, c.lost_value)
            for c in conn.execute(select(siege_conflict).where(siege_conflict.c.row_id == row_id))
        )


def _invoice_issued_on_a(siege: Siege, tmp_path: Path) -> tuple[Profile, Profile, str]:
    """Two laptops of one antenne; laptop A has issued an invoice (not yet synced). The
    siège's administrator first brings the CAE identity (reference data) from a profile."""
    give_cae_identity(siege, tmp_path)
    a, b = _laptops(siege, tmp_path)
    _sync(siege, a)
    person_id = add_entrepreneur(a.uow)
    draft = add_draft(a.uow, person_id, add_client(a.uow, person_id))
    return a, b, validate_invoice(a.uow, a.paths.documents, draft, DAY).invoice_id


def test_an_invoice_paid_twice_keeps_both_payments_and_is_listed_as_overpaid(
    siege: Siege, tmp_path: Path
) -> None:
    a, b, invoice_id = _invoice_issued_on_a(siege, tmp_path)
    _sync(siege, a)
    backup = a.backup()
    total = record_payment(a.uow, invoice_id, PaymentData(DAY, 1, "virement")).total_incl_cents
    with a.uow() as uow:  # make the first payment the full amount
        payment = uow.session.scalars(select(Payment)).one()
        payment.amount_cents = total
        uow.commit()
    _sync(siege, a)
    # The payment is recorded again on the laptop restored from the morning's backup
    # (the first one is not there yet): the sum of the two exceeds the invoice.
    root, database = a.paths.root, a.paths.database
    a.close()
    restore_backup(backup, database)
    a = open_profile(root)
    try:
        record_payment(a.uow, invoice_id, PaymentData(DAY, total, "cheque", "CHQ 1234567"))
        _sync(siege, a, b, a)
        for laptop in (a, b):
            with laptop.session_factory() as session:
                amounts = session.scalars(
                    select(Payment.amount_cents).where(Payment.invoice_id == invoice_id)
                ).all()
            assert amounts == [total, total]  # both payments stand
            (listed,) = service.open_conflicts(laptop)
            assert (listed.kind, listed.table_name, listed.row_id) == (
                "overpayment",
                "invoice",
                invoice_id,
            )
            assert json.loads(listed.detail)["paid_cents"] == 2 * total
            assert (listed.kept_value, listed.lost_value) == (str(total), str(2 * total))
    finally:
        a.close()


def test_two_laptops_of_the_antenne_recording_the_same_payment_offline_are_both_kept(
    siege: Siege, tmp_path: Path
) -> None:
    a, b, invoice_id = _invoice_issued_on_a(siege, tmp_path)
    _sync(siege, a, b)
    with b.session_factory() as session:
        total = session.scalars(
            select(Invoice.total_incl_cents).where(Invoice.id == invoice_id)
        ).one()
    # Offline, the client's transfer is recorded at Épernay on both laptops.
    record_payment(a.uow, invoice_id, PaymentData(DAY, total, "virement"))
    record_payment(b.uow, invoice_id, PaymentData(DAY, total, "virement"))
    _sync(siege, a, b, a)
    for laptop in (a, b):
        with laptop.session_factory() as session:
            amounts = session.scalars(
                select(Payment.amount_cents).where(Payment.invoice_id == invoice_id)
            ).all()
        assert amounts == [total, total]
        (listed,) = service.open_conflicts(laptop)
        assert (listed.kind, listed.row_id) == ("overpayment", invoice_id)


def test_an_edit_reaching_a_row_deleted_elsewhere_is_listed_with_its_values(
    siege: Siege, tmp_path: Path
) -> None:
    a, b = _laptops(siege, tmp_path)
    person_id = _person(a, phone="0600000000")
    _sync(siege, a, b)
    _edit(a, person_id, deleted_at=utcnow())
    _edit(b, person_id, phone="0611223344", notes="Rappeler lundi")
    _sync(siege, a, b, a)
    for laptop in (a, b):
        ((kind, field, _kept, lost),) = _listed(laptop)
        assert (kind, field) == ("delete_edit", "deleted_at")
        assert json.loads(lost) == {"phone": "0611223344", "notes": "Rappeler lundi"}
        with laptop.session_factory() as session:
            row = session.get_one(Person, person_id)
            assert row.deleted_at is not None and row.phone == "0611223344"


def test_a_delete_reaching_a_row_edited_elsewhere_lists_the_edit(
    siege: Siege, tmp_path: Path
) -> None:
    a, b = _laptops(siege, tmp_path)
    person_id = _person(a)
    _sync(siege, a, b)
    _edit(a, person_id, deleted_at=utcnow())  # deleted first...
    _edit(b, person_id, email="jeanne@exemple.fr")  # ...edited later, synced first
    _sync(siege, b, a, b)
    for laptop in (a, b):
        ((kind, _field, _kept, lost),) = _listed(laptop)
        assert kind == "delete_edit"
        assert json.loads(lost) == {"email": "jeanne@exemple.fr"}


def test_the_lost_value_of_any_field_is_kept_and_contact_details_are_listed(
    siege: Siege, tmp_path: Path
) -> None:
    a, b = _laptops(siege, tmp_path)
    first = _person(a, phone="0600000000")
    second = _person(a, phone="0600000000", situation_code="rsa")
    _sync(siege, a, b)
    # First person: the newer edit reaches the siège last (B had not seen A's value:
    # its change carries the stamp it was based on). Second: the older edit arrives
    # last and loses, whatever the field.
    _edit(a, first, phone="0611111111")
    _edit(b, first, phone="0622222222")
    _edit(b, second, phone="0633333333", situation_code="demandeur")
    _edit(a, second, phone="0644444444", situation_code="salarie")
    _sync(siege, a, b)
    _sync(siege, a, b)
    for laptop in (a, b):
        assert _listed(laptop) == sorted(
            [
                ("field", "phone", "0622222222", "0611111111"),
                ("field", "phone", "0644444444", "0633333333"),
            ]
        )
    # Every lost value stays on the siège; the situation code only there.
    assert _on_siege(siege, second) == sorted(
        [
            ("field", "phone", "0644444444", "0633333333"),
            ("overwritten", "situation_code", "salarie", "demandeur"),
        ]
    )
    # Bookkeeping (updated_at, updated_by, search_key) never makes a conflict.
    assert [f for _k, f, _kept, _lost in _on_siege(siege, first)] == ["phone"]


def test_an_edit_made_after_seeing_the_other_is_not_a_conflict(
    siege: Siege, tmp_path: Path
) -> None:
    a, b = _laptops(siege, tmp_path)
    person_id = _person(a, phone="0600000000", city="Reims")
    _sync(siege, a, b)
    _edit(a, person_id, phone="0611111111", city="Sedan")
    _sync(siege, a, b)  # B sees A's values...
    _edit(b, person_id, phone="0622222222", city="Troyes")  # ...then changes them
    _sync(siege, b, a)
    assert _listed(a) == [] and _listed(b) == []
    assert _on_siege(siege, person_id) == []

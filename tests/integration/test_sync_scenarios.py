"""Named sync scenarios, on a SQLite siège and on a real PostgreSQL siège."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from app.clock import utcnow
from app.invoicing.numbering import next_number
from app.jobs import Cancelled, JobControl
from app.models import Client, FollowupInterview, Invoice, InvoiceLine, Person, SyncConflict
from app.people.merge import duplicate_candidates, merge_persons
from app.profile import Profile
from app.sync import service
from tests.sync_support import Siege, new_laptop, snapshot


def _laptops(siege: Siege, tmp_path: Path, count: int = 2) -> list[Profile]:
    out = []
    for i in range(count):
        laptop = new_laptop(tmp_path, f"L{i}")
        siege.enrol(laptop, f"L{i}-{uuid.uuid4().hex[:6]}", ["Épernay", "Sedan", "Troyes"][i])
        out.append(laptop)
    return out


def _sync(siege: Siege, *laptops: Profile, **options: Any) -> None:
    for laptop in laptops:
        service.run_sync(laptop, http_factory=siege.http_factory, **options)


def _converged(siege: Siege, *laptops: Profile) -> None:
    _sync(siege, *laptops)
    _sync(siege, *laptops)
    ids = {t: set(rows) for t, rows in snapshot(laptops[0].engine).items()}
    server = snapshot(siege.engine)
    # A PostgreSQL siège is shared by the session's tests: compare the rows laptops hold.
    for laptop in laptops:
        mine = snapshot(laptop.engine)
        assert {t: set(r) for t, r in mine.items()} == ids
        for table, rows in mine.items():
            for row_id, values in rows.items():
                assert server[table][row_id] == values, (table, row_id)
        assert service.status(laptop).pending == 0


def _person(laptop: Profile, **values: Any) -> str:
    with laptop.uow() as uow:
        person = Person(**{"first_name": "Jeanne", "last_name": "Martin", **values})
        uow.session.add(person)
        uow.commit()
        return person.id


def _edit(laptop: Profile, model: Any, row_id: str, **values: Any) -> None:
    with laptop.uow() as uow:
        row = uow.session.get(model, row_id)
        for k, v in values.items():
            setattr(row, k, v)
        uow.commit()


def test_edits_of_different_fields_both_survive_and_a_lost_note_is_listed(
    siege: Siege, tmp_path: Path
) -> None:
    a, b = _laptops(siege, tmp_path)
    person_id = _person(a, notes="Projet : traiteur")
    _sync(siege, a, b)
    _edit(a, Person, person_id, city="Reims", notes="Projet : traiteur, local trouvé")
    _edit(b, Person, person_id, phone="0612345678", notes="Projet : traiteur bio")
    _sync(siege, a, b)
    _converged(siege, a, b)
    with a.session_factory() as session:
        person = session.get_one(Person, person_id)
        assert (person.city, person.phone) == ("Reims", "0612345678")
        winner = person.notes
    loser = {"Projet : traiteur, local trouvé", "Projet : traiteur bio"} - {winner}
    for laptop in (a, b):
        conflicts = service.open_conflicts(laptop)
        assert [(c.field, c.kept_value, c.lost_value) for c in conflicts] == [
            ("notes", winner, loser.pop() if laptop is a else conflicts[0].lost_value)
        ]


def test_a_draft_validated_on_two_laptops_gives_two_invoices_and_a_credit_note_proposal(
    siege: Siege, tmp_path: Path
) -> None:
    a, b = _laptops(siege, tmp_path)
    person_id = _person(a)
    with a.uow() as uow:
        client = Client(entrepreneur_id=person_id, name="SARL Vigne")
        uow.session.add(client)
        uow.session.flush()
        invoice = Invoice(entrepreneur_id=person_id, client_id=client.id, notes="Atelier")
        uow.session.add(invoice)
        uow.session.flush()
        uow.session.add(
            InvoiceLine(
                invoice_id=invoice.id,
                description="Jour",
                quantity_e4=10000,
                unit_price_cents=30000,
                vat_rate_bp=2000,
            )
        )
        uow.commit()
        invoice_id = invoice.id
    _sync(siege, a, b)
    numbers = []
    for laptop in (a, b):
        with laptop.uow() as uow:
            row = uow.session.get_one(Invoice, invoice_id)
            allocation = next_number(uow.session, "facture", dt.date(2026, 11, 26))
            row.status, row.number, row.sequence = "emise", allocation.number, allocation.sequence
            row.series_id, row.issue_date, row.issued_at = (
                allocation.series_id,
                dt.date(2026, 11, 26),
                utcnow(),
            )
            uow.commit()
            numbers.append(allocation.number)
    _sync(siege, a, b)
    _converged(siege, a, b)
    with b.session_factory() as session:
        issued = session.scalars(select(Invoice).where(Invoice.status == "emise")).all()
        assert sorted((i.number for i in issued), key=str) == sorted(numbers)
        assert all(i.sequence == 1 for i in issued)
        for invoice in issued:
            lines = session.scalars(
                select(InvoiceLine).where(InvoiceLine.invoice_id == invoice.id)
            ).all()
            assert [line.unit_price_cents for line in lines] == [30000]
    for laptop in (a, b):
        (conflict,) = service.open_conflicts(laptop)
        assert conflict.kind == "invoice_double_issue"
        assert {conflict.kept_value, conflict.lost_value} == set(numbers)
        assert json.loads(conflict.detail) == {"original_id": invoice_id, "proposal": "credit_note"}


def test_edit_of_a_draft_issued_elsewhere_is_refused_and_shown(
    siege: Siege, tmp_path: Path
) -> None:
    a, b = _laptops(siege, tmp_path)
    person_id = _person(a)
    with a.uow() as uow:
        client = Client(entrepreneur_id=person_id, name="SARL Vigne")
        uow.session.add(client)
        uow.session.flush()
        invoice = Invoice(entrepreneur_id=person_id, client_id=client.id, notes="v1")
        uow.session.add(invoice)
        uow.commit()
        invoice_id = invoice.id
    _sync(siege, a, b)
    with a.uow() as uow:
        row = uow.session.get_one(Invoice, invoice_id)
        allocation = next_number(uow.session, "facture", dt.date(2026, 11, 26))
        row.status, row.number, row.sequence = "emise", allocation.number, allocation.sequence
        row.series_id, row.issue_date = allocation.series_id, dt.date(2026, 11, 26)
        uow.commit()
    _sync(siege, a)
    _edit(b, Invoice, invoice_id, notes="v2 (trop tard)")
    report = service.run_sync(b, http_factory=siege.http_factory)
    assert report.rejected == 1
    with b.session_factory() as session:
        assert session.get_one(Invoice, invoice_id).notes == "v1"
        assert session.get_one(Invoice, invoice_id).status == "emise"
    assert [c.kind for c in service.open_conflicts(b)] == ["rejected"]
    _converged(siege, a, b)


def test_delete_is_a_tombstone_that_reaches_every_laptop(siege: Siege, tmp_path: Path) -> None:
    a, b = _laptops(siege, tmp_path)
    person_id = _person(a)
    _sync(siege, a, b)
    _edit(a, Person, person_id, deleted_at=utcnow())
    _edit(b, Person, person_id, city="Sedan")
    _sync(siege, a, b)
    _converged(siege, a, b)
    with b.session_factory() as session:
        person = session.get_one(Person, person_id)
        assert person.deleted_at is not None and person.city == "Sedan"


def test_merge_of_duplicates_made_on_two_laptops_syncs_like_any_change(
    siege: Siege, tmp_path: Path
) -> None:
    a, b = _laptops(siege, tmp_path)
    first = _person(a, city="Épernay")
    second = _person(b, email="jeanne@exemple.fr")
    with b.uow() as uow:
        uow.session.add(FollowupInterview(person_id=second, held_on=dt.date(2026, 11, 2)))
        uow.commit()
    _sync(siege, a, b, a)
    (pair,) = [p for p in duplicate_candidates(a.uow) if {p.keep.id, p.other.id} == {first, second}]
    merge_persons(a.uow, pair.keep.id, pair.other.id)
    _converged(siege, a, b)
    with b.session_factory() as session:
        kept = session.get_one(Person, pair.keep.id)
        assert kept.email == "jeanne@exemple.fr" and kept.city == "Épernay"
        assert session.get_one(Person, pair.other.id).merged_into_id == kept.id
        interview = session.scalars(select(FollowupInterview)).one()
        assert interview.person_id == kept.id


def test_first_sync_cancelled_midway_resumes_where_it_stopped(siege: Siege, tmp_path: Path) -> None:
    a, b = _laptops(siege, tmp_path)
    with a.uow() as uow:
        for i in range(120):
            uow.session.add(Person(first_name=f"P{i}", last_name="Essai"))
        uow.commit()
    _sync(siege, a)
    pages: list[int] = []

    def on_progress(done: int, _total: int, label: str) -> None:
        if label == "pull":
            pages.append(done)
            if len(pages) == 3:
                job.cancel()

    job = JobControl(on_progress=on_progress)
    # Pages of changes (a first sync from a snapshot resumes by chunk:
    # test_sync_snapshot.py).
    with pytest.raises(Cancelled):
        service.run_sync(b, job, http_factory=siege.http_factory, page_size=25, snapshot=False)
    with b.engine.connect() as conn:
        partial = conn.execute(select(func.count()).select_from(Person)).scalar_one()
    assert 0 < partial < 120
    assert service.history(b)[0].outcome == "cancelled"
    resumed: list[int] = []
    service.run_sync(
        b,
        JobControl(on_progress=lambda d, _t, label: resumed.append(d) if label == "pull" else None),
        http_factory=siege.http_factory,
        page_size=25,
        snapshot=False,
    )
    assert resumed[0] > pages[-1]  # the next run starts after the last saved page
    _converged(siege, a, b)
    with b.engine.connect() as conn:
        assert (
            conn.execute(
                select(func.count()).select_from(Person).where(Person.last_name == "Essai")
            ).scalar_one()
            == 120
        )
    with b.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(SyncConflict)) == 0


def test_double_issue_resolves_even_when_the_other_issue_was_already_pulled(
    siege: Siege, tmp_path: Path
) -> None:
    from app.sync.client import SyncClient

    a, b = _laptops(siege, tmp_path)
    person_id = _person(a)
    with a.uow() as uow:
        client = Client(entrepreneur_id=person_id, name="SARL Vigne")
        uow.session.add(client)
        uow.session.flush()
        invoice = Invoice(entrepreneur_id=person_id, client_id=client.id)
        uow.session.add(invoice)
        uow.commit()
        invoice_id = invoice.id
    _sync(siege, a, b)
    numbers = {}
    for name, laptop in (("a", a), ("b", b)):  # B validates last: its stamps are newer
        with laptop.uow() as uow:
            row = uow.session.get_one(Invoice, invoice_id)
            allocation = next_number(uow.session, "facture", dt.date(2026, 11, 26))
            row.status, row.number, row.sequence = "emise", allocation.number, allocation.sequence
            row.series_id, row.issue_date = allocation.series_id, dt.date(2026, 11, 26)
            uow.commit()
            numbers[name] = allocation.number
    _sync(siege, a)
    # B pulls A's issue while its own issue still waits (as when it validated mid-sync).
    with siege.http(service._token_store(b, service._device(b).device_id).load()) as http:
        SyncClient(b.engine, http, b.sync_capture).pull()
    with b.session_factory() as session:
        assert session.get_one(Invoice, invoice_id).number == numbers["b"]
    _sync(siege, b)
    _converged(siege, a, b)
    with b.session_factory() as session:
        assert session.get_one(Invoice, invoice_id).number == numbers["a"]
        issued = session.scalars(select(Invoice.number).where(Invoice.status == "emise")).all()
        assert sorted(issued, key=str) == sorted(numbers.values())


def test_changes_made_after_restoring_a_backup_reach_the_siège(
    siege: Siege, tmp_path: Path
) -> None:
    # README's restore: put a backup back, reopen, go on working. The changes made since
    # reuse operation numbers the siège already applied (made after the backup, lost with
    # the restore); they must still reach the siège, and what the restore lost comes back.
    from app.migrate import restore_backup
    from app.profile import open_profile

    (laptop,) = _laptops(siege, tmp_path, count=1)
    before = _person(laptop, last_name="Avant")
    _sync(siege, laptop)
    backup = laptop.backup()
    lost = _person(laptop, last_name="Perdue")
    lost_too = _person(laptop, last_name="Perdue-bis")
    _sync(siege, laptop)
    root, database = laptop.paths.root, laptop.paths.database
    laptop.close()
    restore_backup(backup, database)
    laptop = open_profile(root)
    try:
        with laptop.uow() as uow:
            assert uow.session.get(Person, lost) is None  # the restore lost it locally
        after = _person(laptop, last_name="Après")
        also_after = _person(laptop, last_name="Après-bis")
        _sync(siege, laptop)
        server = snapshot(siege.engine, ["person"])["person"]
        assert {before, lost, lost_too, after, also_after} <= set(server)
        with laptop.uow() as uow:
            names = {p.last_name for p in uow.session.scalars(select(Person))}
        assert {"Avant", "Perdue", "Perdue-bis", "Après", "Après-bis"} <= names
        assert service.status(laptop).pending == 0
        # And the numbers go on above the siège's: a later change is not skipped either.
        later = _person(laptop, last_name="Plus-tard")
        _sync(siege, laptop)
        assert later in snapshot(siege.engine, ["person"])["person"]
    finally:
        laptop.close()

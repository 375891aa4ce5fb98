"""A laptop's own rows not yet sent when it learns by sync that the siège anonymised a
person (docs/personal-data.md, "On request, at the siège"): a draft invoice whose
search key holds the former name, an appointment noted with it, an edit of the
person's notes. They are erased in the transaction that applies the pulled
anonymisation, with their outbox entries, so no table of the laptop holds the name
even before the rest of the erasure (documents, free pages, backups) has run; and the
next sync sends erased values only. Real siège (SQLite and PostgreSQL) over its HTTP
handlers, real laptop profile.

The searches for the former name and notes are those of
tests/integration/test_anonymisation_every_copy.py."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select

from app.invoicing import documents
from app.models import Appointment, Invoice, Person
from app.profile import PREVIEWS_FOLDER, Profile
from app.sync import service
from app.sync.client import SyncClient
from siege import person_cli
from tests.integration.test_anonymisation_every_copy import (
    FIRST,
    LAST,
    NOTE,
    _edit_notes,
    _leaks_in_files,
    _leaks_in_tables,
    _person_with_texts,
)
from tests.invoicing_fixtures import add_client, add_draft, complete_identity
from tests.sync_support import Siege, new_laptop


def _laptop(siege: Siege, root: Path, name: str) -> Profile:
    laptop = new_laptop(root, name)
    siege.enrol(laptop, name, "Reims")
    return laptop


def _pull_only(siege: Siege, laptop: Profile) -> None:
    """The pull of a sync, alone: the siège's anonymisation is applied while this
    laptop's own changes are still waiting in its outbox (a sync whose push was cut
    or refused goes on with them waiting)."""
    device = service._device(laptop)
    token = service._token_store(laptop, device.device_id).load()
    with siege.http(token) as http:
        client = SyncClient(laptop.engine, http, laptop.sync_capture)
        client.hello()
        client.pull()
        assert not client.pull_refused, client.pull_refused


def test_rows_written_before_the_pull_lose_the_name_in_the_pulls_transaction(
    siege: Siege, tmp_path: Path
) -> None:
    a = _laptop(siege, tmp_path, "Portable A")
    complete_identity(a.uow)
    person_id = _person_with_texts(a)
    service.run_sync(a, http_factory=siege.http_factory)
    # Written on A before it heard of the anonymisation, not sent yet.
    draft = add_draft(a.uow, person_id, add_client(a.uow, person_id))
    preview = documents.draft_preview(a.uow, draft, a.paths.documents / PREVIEWS_FOLDER)
    with a.uow() as uow:
        uow.session.add(
            Appointment(
                person_id=person_id,
                starts_at=dt.datetime(2026, 12, 10, 14, 0),
                note=f"Devis pour {FIRST} {LAST}",
            )
        )
        uow.commit()
    _edit_notes(a, person_id, f"{NOTE}, devis en cours")
    with a.uow() as uow:
        key = uow.session.get_one(Invoice, draft).search_key
    assert LAST.lower() in key  # what the test looks for is there before
    a.backup()

    assert person_cli.anonymise_command(siege.engine, person_id, yes=True) == 0
    _pull_only(siege, a)

    # Nothing else has run yet (no documents deleted, no backup rewritten): the
    # tables are clean from the pull's own transaction, outbox included.
    assert preview.exists()
    assert _leaks_in_tables(a.engine) == []
    with a.uow() as uow:
        assert uow.session.get_one(Person, person_id).last_name == "Anonyme"
        invoice = uow.session.get_one(Invoice, draft)
        assert invoice.status == "brouillon" and "anonyme" in invoice.search_key
        notes = uow.session.scalars(
            select(Appointment.note).where(Appointment.person_id == person_id)
        ).all()
        assert set(notes) == {""}

    # The whole sync: A's waiting changes leave with erased values only.
    report = service.run_sync(a, http_factory=siege.http_factory)
    assert report.pushed >= 3 and not report.refused
    assert not preview.exists()
    assert _leaks_in_tables(a.engine) == []
    assert _leaks_in_tables(siege.engine) == []
    with siege.engine.connect() as conn:
        table = Invoice.__table__
        stored = conn.execute(select(table.c.search_key).where(table.c.id == draft)).scalar()
    assert stored is not None and "anonyme" in stored
    a.close()
    assert _leaks_in_files(a.paths.root) == []

"""A laptop's own rows not yet sent when it learns by sync that the siège anonymised a
person (docs/personal-data.md, "Every other laptop"): a draft invoice whose search key
holds the former name, an appointment noted with it, an edit of the person's notes.
They are erased in the transaction that applies the pulled anonymisation, with their
outbox entries, so no table of the laptop holds the name even before the rest of the
erasure (documents, free pages, backups) has run; and the next sync sends erased
values only. Real siège (SQLite and PostgreSQL) over its HTTP handlers, real laptop
profile.

The searches for the former name and notes are those of
tests/integration/test_anonymisation_every_copy.py."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import httpx
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


def _laptop(siege: Siege, root: Path, name: str) -> tuple[Profile, str]:
    """An enrolled laptop whose person (with texts) the siège already holds."""
    laptop = new_laptop(root, name)
    siege.enrol(laptop, name, "Reims")
    complete_identity(laptop.uow)
    person_id = _person_with_texts(laptop)
    service.run_sync(laptop, http_factory=siege.http_factory)
    return laptop, person_id


def _write_unsent(laptop: Profile, person_id: str) -> str:
    """What a user writes on the laptop before it hears of the anonymisation: a draft
    invoice for the person, an appointment naming them, an edit of their notes."""
    draft = add_draft(laptop.uow, person_id, add_client(laptop.uow, person_id))
    with laptop.uow() as uow:
        uow.session.add(
            Appointment(
                person_id=person_id,
                starts_at=dt.datetime(2026, 12, 10, 14, 0),
                note=f"Devis pour {FIRST} {LAST}",
            )
        )
        uow.commit()
    _edit_notes(laptop, person_id, f"{NOTE}, devis en cours")
    with laptop.uow() as uow:
        key = uow.session.get_one(Invoice, draft).search_key
    assert LAST.lower() in key  # what the test looks for is there before
    return draft


def _pull_only(siege: Siege, laptop: Profile) -> None:
    """The pull of a sync, alone (as when the rows were written after its push)."""
    device = service._device(laptop)
    token = service._token_store(laptop, device.device_id).load()
    with siege.http(token) as http:
        client = SyncClient(laptop.engine, http, laptop.sync_capture)
        client.hello()
        client.pull()
        assert not client.pull_refused, client.pull_refused


def _erased_on_the_laptop(laptop: Profile, person_id: str, draft: str) -> None:
    assert _leaks_in_tables(laptop.engine) == []
    with laptop.uow() as uow:
        assert uow.session.get_one(Person, person_id).last_name == "Anonyme"
        invoice = uow.session.get_one(Invoice, draft)
        assert invoice.status == "brouillon" and "anonyme" in invoice.search_key
        notes = uow.session.scalars(
            select(Appointment.note).where(Appointment.person_id == person_id)
        ).all()
        assert set(notes) == {""}


def _sent_erased(siege: Siege, laptop: Profile, draft: str) -> None:
    """The next sync: the laptop's waiting changes leave with erased values only."""
    report = service.run_sync(laptop, http_factory=siege.http_factory)
    assert report.pushed >= 3 and not report.refused
    assert _leaks_in_tables(laptop.engine) == []
    assert _leaks_in_tables(siege.engine) == []
    with siege.engine.connect() as conn:
        table = Invoice.__table__
        stored = conn.execute(select(table.c.search_key).where(table.c.id == draft)).scalar()
    assert stored is not None and "anonyme" in stored


def test_rows_written_before_the_pull_lose_the_name_in_the_pulls_transaction(
    siege: Siege, tmp_path: Path
) -> None:
    a, person_id = _laptop(siege, tmp_path, "Portable A")
    draft = _write_unsent(a, person_id)
    preview = documents.draft_preview(a.uow, draft, a.paths.documents / PREVIEWS_FOLDER)
    a.backup()

    assert person_cli.anonymise_command(siege.engine, person_id, yes=True) == 0
    _pull_only(siege, a)

    # Nothing else has run yet (no document deleted, no backup rewritten): the tables
    # are clean from the pull's own transaction, outbox included.
    assert preview.exists()
    _erased_on_the_laptop(a, person_id, draft)
    _sent_erased(siege, a, draft)
    assert not preview.exists()
    a.close()
    assert _leaks_in_files(a.paths.root) == []


def test_rows_saved_while_a_sync_runs_after_its_push_are_erased_by_its_pull(
    siege: Siege, tmp_path: Path
) -> None:
    """The window stays usable during a sync (it runs on a worker): a draft saved once
    the push is done, before the pull brings the anonymisation, waits in the outbox."""
    a, person_id = _laptop(siege, tmp_path, "Portable A")
    assert person_cli.anonymise_command(siege.engine, person_id, yes=True) == 0
    written: list[str] = []

    def user_writes(request: httpx.Request) -> None:
        if request.url.path.endswith("/changes") and not written:
            written.append(_write_unsent(a, person_id))

    def http_factory(url: str, token: str | None) -> httpx.Client:
        http = siege.http_factory(url, token)
        http.event_hooks = {"request": [user_writes], "response": []}
        return http

    report = service.run_sync(a, http_factory=http_factory)

    assert written and report.pulled > 0
    _erased_on_the_laptop(a, person_id, written[0])
    _sent_erased(siege, a, written[0])
    a.close()
    assert _leaks_in_files(a.paths.root) == []

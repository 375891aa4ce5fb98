"""A laptop's issue of a draft another laptop created, sent to a restored siège that lost
the draft and its client (docs/sync.md, "A restored siège gets back what it
acknowledged"), on a SQLite and a PostgreSQL siège.

Laptop A creates a client and a draft after the backup; B reads them and issues the
draft; the siège is restored to the backup. B syncs first: its issue links to a client
the restored siège does not hold (``missing_link: client_id``). That is no broken rule:
B holds the client, so it sends the row again just before its issue, and the issued
number stands, whether A's journal still holds the client and draft (sent again later,
the client's values and stamps win field by field) or was pruned (A lists a
``restore_gap``). Found by the restore state machine (test_sync_restore_machine.py):
the issue used to be refused, the invoice left B and its number was lost. With it, a
draft A edited after B's issue: A's edit, waiting while its draft sent again was
refused, used to stay on A's issued copy, which then refused the siège's for ever.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from app import clock
from app.invoicing.validation import validate_invoice
from app.models import Client, Invoice, InvoiceLine, OutboxEntry, SyncConflict
from app.profile import Profile
from app.sync import service
from app.sync.codec import table_of
from siege.__main__ import main as siege_main
from tests.integration.test_sync_restore import _laptop
from tests.integration.test_sync_restore_snapshot import _enrol_again_if_forgotten
from tests.invoicing_fixtures import add_client, add_draft, add_entrepreneur
from tests.sync_support import Siege, give_cae_identity
from tests.sync_support.restore import BACKENDS, RestorableSiege, restorable_siege

DAY = dt.date(2026, 11, 26)
CLIENT, INVOICE, LINE = table_of(Client), table_of(Invoice), table_of(InvoiceLine)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[RestorableSiege]:
    """A siège on SQLite or PostgreSQL, with its backups and its restore."""
    with restorable_siege(request, tmp_path) as found:
        yield found


def _rows(engine: Engine, invoice_id: str, client_id: str) -> dict[str, Any]:
    """The client, the invoice and its lines as ``engine`` holds them."""
    with engine.connect() as conn:
        return {
            "client": conn.execute(select(CLIENT).where(CLIENT.c.id == client_id)).all(),
            "invoice": conn.execute(select(INVOICE).where(INVOICE.c.id == invoice_id)).all(),
            "lines": conn.execute(
                select(LINE).where(LINE.c.invoice_id == invoice_id).order_by(LINE.c.id)
            ).all(),
        }


def _conflicts(laptop: Profile) -> list[tuple[str, str, str]]:
    """(kind, table, lost value) of each conflict listed on ``laptop``."""
    with laptop.engine.connect() as conn:
        return sorted(
            (str(k), str(t), str(v))
            for k, t, v in conn.execute(
                select(SyncConflict.kind, SyncConflict.table_name, SyncConflict.lost_value)
            )
        )


def _outbox(laptop: Profile) -> int:
    with laptop.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(OutboxEntry)).scalar_one())


@pytest.mark.parametrize("journal", ["kept", "pruned", "kept, draft edited"])
def test_an_issue_of_another_laptops_draft_reaches_a_siege_restored_before_its_client(
    tmp_path: Path, backend: RestorableSiege, pinned_clock: clock.PinnedClock, journal: str
) -> None:
    server: Siege = backend.open()
    give_cae_identity(server, tmp_path)
    a, b = _laptop(server, tmp_path, "A"), _laptop(server, tmp_path, "B")
    person = add_entrepreneur(a.uow)
    for laptop in (a, b):
        service.run_sync(laptop, http_factory=server.http_factory)
    backup = backend.backup()
    # After the backup: A's client and draft, read by B.
    client = add_client(a.uow, person)
    draft = add_draft(a.uow, person, client)
    for laptop in (a, b):
        service.run_sync(laptop, http_factory=server.http_factory)
    if journal == "pruned":
        # A keeps its journal 0 days: a day later its next /hello prunes the client and
        # the draft, which it can then no longer send again.
        a.save_settings(a.settings.with_changes(sync_journal_days=0))
        pinned_clock.advance(dt.timedelta(days=1))
        service.run_sync(a, http_factory=server.http_factory)
    # B issues A's draft offline; the siège is restored to the backup meanwhile.
    number = validate_invoice(b.uow, b.paths.documents, draft, DAY).number
    if journal == "kept, draft edited":
        # Then A edits its draft offline (a newer stamp than B's issue): A's draft sent
        # again is refused (B's issue reached the siège first) while this edit waits for
        # the next batch, and is refused in its turn.
        pinned_clock.advance(dt.timedelta(minutes=1))
        with a.uow() as uow:
            uow.session.get_one(Invoice, draft).notes = "Remise de 10 % accordée"
            uow.commit()
    server = backend.restore(server, backup)
    assert siege_main(["--database-url", backend.url, "restored"]) == 0
    before = _rows(b.engine, draft, client)
    # B first: the restored siège holds neither the client nor the draft yet.
    for laptop in (b, a, b, a):
        _enrol_again_if_forgotten(server, laptop)
        report = service.run_sync(laptop, http_factory=server.http_factory, batch_size=2)
        if laptop is b:
            assert report.refused == (), report.refused
    with server.engine.connect() as conn:
        issued = conn.execute(
            select(INVOICE.c.id, INVOICE.c.number).where(INVOICE.c.status == "emise")
        ).all()
    assert [tuple(r) for r in issued] == [(draft, number)], "B's number stands"
    held = _rows(server.engine, draft, client)
    assert held == before, "the siège holds B's issue and the client B sent again"
    assert len(held["lines"]) == 2
    for laptop in (a, b):
        assert _rows(laptop.engine, draft, client) == held, laptop.settings.display_name
        assert _outbox(laptop) == 0
    assert _conflicts(b) == []
    kinds = {kind for kind, _table, _detail in _conflicts(a)}
    if journal == "pruned":
        # A could not send them again: it says so (the siège has them from B anyway).
        assert kinds == {"restore_gap"}
    else:
        # A's draft and lines, sent again after B's issue, are an edit of an issued
        # invoice: refused and listed, as any draft edit arriving after the issue.
        assert kinds == {"rejected"}
    typed = [v for _kind, table, v in _conflicts(a) if table == "invoice" and "Remise" in v]
    assert len(typed) == (journal == "kept, draft edited"), "A's edit is listed, not lost"
    for laptop in (a, b):
        laptop.close()
    server.close()

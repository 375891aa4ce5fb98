"""A laptop reading a restored siège again from the start through a snapshot (docs/sync.md,
"A restored siège gets back what it acknowledged" and "First sync from a snapshot").

After ``python -m siege restored`` each laptop reads the siège again from 0, and a laptop
that has a snapshot on offer starts from one. Two cases found by the restore state
machine (test_sync_restore_machine.py):

- a file the siège prepared before the restore, for the same device, scope epoch and
  cursor, must not be served again: the restored siège reaches the same cursor with other
  rows (fixed: the siège's epoch is in the file's name, siege/snapshot.py);
- a draft validated on two laptops: the siège gave the draft's id to the issuance that
  reached it first and kept the other as a fork; sent again to the restored siège in the
  other order, each issuance still ends where it ended before (fixed: a forked issue is
  sent again to its fork's id, app/sync/journal.py), so each laptop ends with the siège's
  two invoices. (It used to take the draft's id from the other: the snapshot copy then
  stopped on the number this laptop holds, on every sync; a row of the file sharing a
  unique key with a row the laptop holds now goes through the merge of a page,
  test_sync_snapshot_unique_clash.py.)"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from app.invoicing.validation import validate_invoice
from app.models import Invoice, SyncConflict
from app.profile import Profile
from app.sync import service
from app.sync.codec import table_of
from siege import devices
from siege.__main__ import main as siege_main
from siege.tables import conflict as siege_conflict
from siege.tables import counter
from tests.integration.test_sync_restore import _edit, _held, _laptop, _person, _sync
from tests.invoicing_fixtures import add_client, add_draft, add_entrepreneur
from tests.sync_support import BASE_URL, Siege, give_cae_identity
from tests.sync_support.restore import SqliteSiege

DAY = dt.date(2026, 11, 26)
INVOICE = table_of(Invoice)


@pytest.fixture
def database(tmp_path: Path, sqlite_siege_template: Path) -> SqliteSiege:
    shutil.copy(sqlite_siege_template, tmp_path / "siege.sqlite3")
    return SqliteSiege(tmp_path / "siege.sqlite3")


def _restored(database: SqliteSiege, server: Siege, backup: Path) -> Siege:
    server = database.restore(server, backup)
    assert siege_main(["--database-url", database.url, "restored"]) == 0
    return server


def _enrol_again_if_forgotten(server: Siege, laptop: Profile) -> None:
    device_id = service._device(laptop).device_id
    token = service._token_store(laptop, device_id).load() or ""
    if devices.refusal(server.engine, token) == "unknown_token":
        code, _prefix = devices.enroll(server.engine, laptop.settings.display_name, "Épernay")
        service.enrol(laptop, BASE_URL, code, http_factory=server.http_factory)


def _cursor(server: Siege) -> int:
    with server.engine.connect() as conn:
        return int(conn.execute(select(counter.c.value)).scalar_one())


def test_a_snapshot_prepared_before_the_restore_is_not_served_after_it(
    tmp_path: Path, database: SqliteSiege
) -> None:
    server = database.open()
    a, b = _laptop(server, tmp_path, "A"), _laptop(server, tmp_path, "B")
    pid = _person(a)
    _sync(server, a, b)
    x = _laptop(server, tmp_path, "X")  # enrolled, its first sync still to come
    backup = database.backup()
    _edit(a, pid, notes="avant la restauration")
    _sync(server, a)
    _sync(server, x)  # its first sync: a snapshot prepared at this cursor
    read_at = _cursor(server)
    server = _restored(database, server, backup)
    _edit(b, pid, notes="après la restauration")
    _sync(server, b)
    assert _cursor(server) == read_at, "the restored siège is back at the same cursor"
    _enrol_again_if_forgotten(server, x)
    _sync(server, x)
    assert _held(server.engine, pid, "notes") == ("après la restauration",)
    assert _held(x.engine, pid, "notes") == ("après la restauration",)
    for laptop in (a, b, x):
        laptop.close()
    server.close()


def _issued(engine: Engine) -> set[tuple[str, str]]:
    with engine.connect() as conn:
        return {
            (str(i), str(n))
            for i, n in conn.execute(
                select(INVOICE.c.id, INVOICE.c.number).where(INVOICE.c.status == "emise")
            )
        }


def _conflict_kinds(laptop: Profile) -> set[str]:
    with laptop.engine.connect() as conn:
        return set(conn.execute(select(SyncConflict.kind)).scalars())


def _double_issues(engine: Engine, table: Any) -> list[tuple[str, str, str, str]]:
    """The double issues listed: (fork, kept number, lost number, lost stamp)."""
    with engine.connect() as conn:
        return sorted(
            (str(r), str(k), str(lo), str(h))
            for r, k, lo, h in conn.execute(
                select(
                    table.c.row_id, table.c.kept_value, table.c.lost_value, table.c.lost_hlc
                ).where(table.c.kind == "invoice_double_issue")
            )
        )


@pytest.mark.parametrize("first", ["B", "A"])
def test_a_draft_issued_on_two_laptops_read_again_from_a_snapshot_after_a_restore(
    tmp_path: Path, database: SqliteSiege, first: str
) -> None:
    server = database.open()
    give_cae_identity(server, tmp_path)
    a, b = _laptop(server, tmp_path, "A"), _laptop(server, tmp_path, "B")
    person = add_entrepreneur(a.uow)
    draft = add_draft(a.uow, person, add_client(a.uow, person))
    _sync(server, a, b)
    backup = database.backup()
    # Validated on both laptops: A's issuance keeps the draft's id, B's is a fork.
    validate_invoice(a.uow, a.paths.documents, draft, DAY)
    _sync(server, a)
    validate_invoice(b.uow, b.paths.documents, draft, DAY)
    _sync(server, b, a)
    before = _issued(server.engine)
    assert len(before) == 2
    listed = _double_issues(server.engine, siege_conflict)
    assert len(listed) == 1
    server = _restored(database, server, backup)
    # B first: its issuance is sent again first, to its fork's id (the order that used to
    # give it the draft's id); A first: the order of the first time.
    order = (b, a) if first == "B" else (a, b)
    for laptop in order:
        _enrol_again_if_forgotten(server, laptop)
        service.run_sync(laptop, http_factory=server.http_factory)
    for laptop in order:
        service.run_sync(laptop, http_factory=server.http_factory)
    held = _issued(server.engine)
    assert len(held) == 2
    assert held == before, "each issuance ends where it ended before the restore"
    # Listed again by the restored siège as it was listed the first time, and once on
    # each laptop (which read it again).
    assert _double_issues(server.engine, siege_conflict) == listed
    for laptop in (a, b):
        assert _double_issues(laptop.engine, table_of(SyncConflict)) == listed
    for laptop in (a, b):
        assert _issued(laptop.engine) == held, laptop.settings.display_name
        # Only the double issue is listed: no clash of numbers, no refused row left.
        # Only the double issue is listed, and no number clashed ("apply_failed"). B,
        # reading the restored siège before A sent its issue again, may have refused the
        # draft the siège then held over its issued copy of A's invoice (which came with
        # the next sync).
        assert "invoice_double_issue" in _conflict_kinds(laptop)
        assert _conflict_kinds(laptop) <= {"invoice_double_issue", "pull_refused"}
    with server.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(INVOICE)).scalar_one() == 2
    for laptop in (a, b):
        laptop.close()
    server.close()

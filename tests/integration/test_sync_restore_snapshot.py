"""A laptop reading a restored siège again from the start through a snapshot (docs/sync.md,
"A restored siège gets back what it acknowledged" and "First sync from a snapshot").

After ``python -m siege restored`` each laptop reads the siège again from 0, and a laptop
that has a snapshot on offer starts from one. Two cases found by the restore state
machine (test_sync_restore_machine.py):

- a file the siège prepared before the restore, for the same device, scope epoch and
  cursor, must not be served again: the restored siège reaches the same cursor with other
  rows (fixed: the siège's epoch is in the file's name, siege/snapshot.py);
- still open (strict xfail; the machine re-reads by pages after a restore until it is
  fixed): a draft validated on two laptops: the restored siège gives the draft's id to the
  issuance sent again first, which may be the other one this time; each laptop must
  still end with the siège's two invoices (today the snapshot copy stops on the number
  this laptop holds under the draft's id, and a re-read by pages leaves it with its own
  invoice and without the fork)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from app.invoicing.validation import validate_invoice
from app.models import Invoice
from app.profile import Profile
from app.sync import service
from app.sync.codec import table_of
from siege import devices
from siege.__main__ import main as siege_main
from siege.importer import import_profile
from siege.tables import counter
from tests.integration.test_sync_restore import _edit, _held, _laptop, _person, _sync
from tests.invoicing_fixtures import add_client, add_draft, add_entrepreneur, complete_identity
from tests.sync_support import BASE_URL, Siege, new_laptop
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


@pytest.mark.xfail(
    strict=True,
    reason="the restored siège keeps the draft's id for the issuance sent again first "
    "(siege/store.py _fork_invoice): here B's, where A holds its own under that id; the "
    "snapshot copy then stops on A's number (IntegrityError, app/sync/snapshot_copy.py), "
    "and read by pages A keeps its invoice and never gets the fork",
)
def test_a_draft_issued_on_two_laptops_read_again_from_a_snapshot_after_a_restore(
    tmp_path: Path, database: SqliteSiege
) -> None:
    server = database.open()
    admin = new_laptop(tmp_path, "admin")
    complete_identity(admin.uow)
    admin.close()
    import_profile(server.engine, admin.paths.root)
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
    assert len(_issued(server.engine)) == 2
    server = _restored(database, server, backup)
    # B first this time: its issuance is sent again first and keeps the draft's id.
    for laptop in (b, a):
        _enrol_again_if_forgotten(server, laptop)
        service.run_sync(laptop, http_factory=server.http_factory)
    for laptop in (b, a):
        service.run_sync(laptop, http_factory=server.http_factory)
    held = _issued(server.engine)
    assert len(held) == 2
    for laptop in (a, b):
        assert _issued(laptop.engine) == held, laptop.settings.display_name
    with server.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(INVOICE)).scalar_one() == 2
    for laptop in (a, b):
        laptop.close()
    server.close()

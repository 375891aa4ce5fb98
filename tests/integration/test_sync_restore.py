"""A siège restored from a backup taken before a token rotation (docs/sync.md, "Tokens"):
the laptop holding the newer token is not locked out silently — its sync stops with a
French message naming the cause and the way back (a new enrolment code), nothing is
exchanged and its waiting changes are kept; enrolled again, it keeps its series, sends
its waiting changes and reads the restored siège again from the start (its cursor was
past the siège's last sequence number)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from app.models import Person
from app.sync import service, wording
from app.sync.apply import get_state
from app.sync.client import CURSOR_KEY, SyncError
from app.sync.codec import table_of
from siege import devices
from tests.integration.test_sync_scope import build_region
from tests.sync_support import BASE_URL, Siege, new_laptop


def _copy(source: Path, target: Path) -> None:
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


def test_a_laptop_with_a_token_newer_than_the_restored_siege_is_told_and_enrols_again(
    tmp_path: Path,
) -> None:
    database = tmp_path / "siege.sqlite3"
    server = Siege(f"sqlite:///{database}")
    region = build_region(server)
    pa = region.ids["pa"]
    laptop = new_laptop(tmp_path, "Épernay 1")
    code, prefix = devices.enroll(server.engine, "Épernay 1", "Épernay")
    service.enrol(laptop, BASE_URL, code, http_factory=server.http_factory)
    service.run_sync(laptop, http_factory=server.http_factory)
    backup = tmp_path / "backup.sqlite3"
    _copy(database, backup)
    # After the backup: two syncs rotate the token, one sends a change the backup lacks.
    with laptop.uow() as uow:
        person = uow.session.get(Person, pa)
        assert person is not None
        person.notes = "Après la sauvegarde"
        uow.commit()
    service.run_sync(laptop, http_factory=server.http_factory)
    service.run_sync(laptop, http_factory=server.http_factory)
    server.close()
    _copy(backup, database)  # the siège is restored
    server = Siege.open(f"sqlite:///{database}")
    with laptop.uow() as uow:
        person = uow.session.get(Person, pa)
        assert person is not None
        person.phone = "0611223344"  # waiting when the siège refuses the laptop
        uow.commit()
    with pytest.raises(SyncError) as refused:
        service.run_sync(laptop, http_factory=server.http_factory)
    assert refused.value.code == "token_unknown"
    message = wording.ERRORS["token_unknown"]
    assert "restauré" in message and "device enroll" in message
    assert service.status(laptop).pending == 1, "the waiting change was kept"
    # The way back: a new code for the same device, which keeps its series.
    code, again = devices.enroll(server.engine, "Épernay 1", "Épernay")
    assert again == prefix
    service.enrol(laptop, BASE_URL, code, http_factory=server.http_factory)
    report = service.run_sync(laptop, http_factory=server.http_factory)
    assert report.pushed == 1
    with laptop.engine.connect() as conn:
        assert int(get_state(conn, CURSOR_KEY, "0")) > 0
    table = table_of(Person)
    with server.engine.connect() as conn:
        phone = conn.execute(select(table.c.phone).where(table.c.id == pa)).scalar()
    assert phone == "0611223344"
    # The laptop reads the restored siège again: it holds what the siège holds now.
    with laptop.engine.connect() as conn:
        notes = conn.execute(select(table.c.notes).where(table.c.id == pa)).scalar()
    with server.engine.connect() as conn:
        kept = conn.execute(select(table.c.notes).where(table.c.id == pa)).scalar()
    assert notes == kept
    # A sync with nothing new goes through without asking again.
    assert service.run_sync(laptop, http_factory=server.http_factory).pushed == 0
    server.close()

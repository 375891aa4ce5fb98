"""A siège restored from a backup (docs/sync.md, "Tokens" and "A restored siège gets back
what it acknowledged"), with real laptop profiles, on both backends: a SQLite siège
restored with the backup API, a PostgreSQL siège restored with pg_dump and pg_restore
(tests/sync_support/restore.py).

- A laptop holding a token newer than the backup is not locked out silently: its sync
  stops with a French message naming the cause and the way back (a new enrolment code),
  its waiting changes are kept; enrolled again, it keeps its series.
- What the siège acknowledged after its backup is on it again after the laptop's next
  sync, with no retyping: the laptop's journal of acknowledged changes is sent again
  above the siège's ``last_op``, never over a newer value another laptop sent after the
  restore (field clocks).
- A point-in-time restore that kept this device's operations but lost another's is
  caught by the siège's epoch (``python -m siege restored``): the laptop reads the siège
  again from the start.
- A journal pruned past what the siège lost records a ``restore_gap`` conflict naming the
  operation numbers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from app import clock
from app.models import JournalEntry, Person
from app.profile import Profile
from app.sync import service, wording
from app.sync.apply import get_state
from app.sync.client import CURSOR_KEY, SyncError
from app.sync.codec import table_of
from siege import devices
from siege.__main__ import main as siege_main
from siege.tables import conflict as siege_conflict
from siege.tables import counter, row_version
from tests.integration.test_sync_scope import build_region
from tests.sync_support import BASE_URL, Siege, new_laptop
from tests.sync_support.restore import BACKENDS, RestorableSiege, restorable_siege

PERSON = table_of(Person)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[RestorableSiege]:
    """A siège on SQLite or PostgreSQL, with its backups and its restore."""
    with restorable_siege(request, tmp_path) as found:
        yield found


def _laptop(server: Siege, tmp_path: Path, name: str) -> Profile:
    laptop = new_laptop(tmp_path, name)
    server.enrol(laptop, name, "Épernay")
    return laptop


def _enrol_again(server: Siege, laptop: Profile) -> None:
    """The way back for a laptop whose token the restored siège does not know."""
    code, _prefix = devices.enroll(server.engine, laptop.settings.display_name, "Épernay")
    service.enrol(laptop, BASE_URL, code, http_factory=server.http_factory)


def _sync(server: Siege, *laptops: Profile) -> None:
    for laptop in laptops:
        assert service.run_sync(laptop, http_factory=server.http_factory).rejected == 0


def _person(laptop: Profile, **values: Any) -> str:
    with laptop.uow() as uow:
        person = Person(**{"first_name": "Jeanne", "last_name": "Martin", **values})
        uow.session.add(person)
        uow.commit()
        return person.id


def _edit(laptop: Profile, row_id: str, **values: Any) -> None:
    with laptop.uow() as uow:
        row = uow.session.get_one(Person, row_id)
        for key, value in values.items():
            setattr(row, key, value)
        uow.commit()


def _held(engine: Any, row_id: str, *names: str) -> tuple[Any, ...]:
    with engine.connect() as conn:
        found = conn.execute(select(*(PERSON.c[n] for n in names)).where(PERSON.c.id == row_id))
        return tuple(found.one())


def test_a_laptop_with_a_token_newer_than_the_restored_siege_is_told_and_enrols_again(
    tmp_path: Path, backend: RestorableSiege
) -> None:
    server = backend.open()
    region = build_region(server)
    pa = region.ids["pa"]
    laptop = new_laptop(tmp_path, "Épernay 1")
    code, prefix = devices.enroll(server.engine, "Épernay 1", "Épernay")
    service.enrol(laptop, BASE_URL, code, http_factory=server.http_factory)
    service.run_sync(laptop, http_factory=server.http_factory)
    backup = backend.backup()
    # After the backup: two syncs rotate the token, one sends a change the backup lacks.
    _edit(laptop, pa, notes="Après la sauvegarde")
    service.run_sync(laptop, http_factory=server.http_factory)
    service.run_sync(laptop, http_factory=server.http_factory)
    server = backend.restore(server, backup)
    assert _held(server.engine, pa, "notes") != ("Après la sauvegarde",)
    _edit(laptop, pa, phone="0611223344")  # waiting when the siège refuses the laptop
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
    # The change the restored siège lost is sent again from the journal, then the new one.
    assert report.pushed == 2
    with laptop.engine.connect() as conn:
        assert int(get_state(conn, CURSOR_KEY, "0")) > 0
    assert _held(server.engine, pa, "notes", "phone") == ("Après la sauvegarde", "0611223344")
    # The laptop read the restored siège again: it holds what the siège holds now.
    assert _held(laptop.engine, pa, "notes", "phone") == _held(server.engine, pa, "notes", "phone")
    # A sync with nothing new goes through without asking again.
    assert service.run_sync(laptop, http_factory=server.http_factory).pushed == 0
    assert service.open_conflicts(laptop) == []
    server.close()


def test_changes_acknowledged_after_the_backup_come_back_but_never_over_a_newer_value(
    tmp_path: Path, backend: RestorableSiege
) -> None:
    server = backend.open()
    a, b = _laptop(server, tmp_path, "A"), _laptop(server, tmp_path, "B")
    pid = _person(a, notes="Avant la sauvegarde")
    _sync(server, a, b)
    backup = backend.backup()
    _edit(a, pid, notes="Vue par A après la sauvegarde", phone="0611223344", city="Épernay")
    _sync(server, a)
    server = backend.restore(server, backup)
    # B (not synced since the backup, so its token is known) writes the notes after the
    # restore: a newer stamp than A's acknowledged one.
    _edit(b, pid, notes="Vue par B après la restauration")
    _sync(server, b)
    _enrol_again(server, a)
    _sync(server, a, b)
    # A's phone and town are back with no retyping; B's newer notes stay.
    expected = ("Vue par B après la restauration", "0611223344", "Épernay")
    for engine in (server.engine, a.engine, b.engine):
        assert _held(engine, pid, "notes", "phone", "city") == expected
    # A's notes lost to a newer write: kept as a free-text conflict, never dropped.
    with server.engine.connect() as conn:
        lost = conn.execute(
            select(siege_conflict.c.kind, siege_conflict.c.lost_value).where(
                siege_conflict.c.row_id == pid, siege_conflict.c.field == "notes"
            )
        ).all()
    assert ("field", "Vue par A après la sauvegarde") in [tuple(r) for r in lost]
    assert service.status(a).pending == 0
    for laptop in (a, b):
        laptop.close()
    server.close()


def test_a_point_in_time_restore_that_kept_this_laptops_operations_is_caught_by_the_epoch(
    tmp_path: Path, backend: RestorableSiege, capsys: pytest.CaptureFixture[str]
) -> None:
    server = backend.open()
    a, b, c = (_laptop(server, tmp_path, name) for name in ("A", "B", "C"))
    people = [_person(a, last_name=name) for name in ("Arnaud", "Bernard", "Colin", "Dumas")]
    _sync(server, a, b, c)
    backup = backend.backup()
    # After the backup, only B's operations: A pulls them, its own all kept by the backup.
    for pid in people[:3]:
        _edit(b, pid, notes="de B, perdu puis renvoyé")
    _sync(server, b, a)
    with a.engine.connect() as conn:
        cursor_before = int(get_state(conn, CURSOR_KEY, "0"))
    server = backend.restore(server, backup)
    assert siege_main(["--database-url", backend.url, "restored"]) == 0
    said = capsys.readouterr().out
    assert "nouvelle époque du siège" in said and "renvoient" in said
    # C writes first after the restore: the siège numbers it below A's old cursor.
    _edit(c, people[3], notes="de C, après la restauration")
    _sync(server, c)
    _enrol_again(server, b)
    _sync(server, b)
    with server.engine.connect() as conn:
        c_seq = conn.execute(
            select(row_version.c.seq).where(row_version.c.row_id == people[3])
        ).scalar_one()
        last_seq = conn.execute(select(counter.c.value)).scalar_one()
    # Without the epoch A would not notice: its operations are all there (last_op) and
    # the siège's sequence has passed its cursor, which has stepped over C's change.
    assert c_seq <= cursor_before <= last_seq
    _enrol_again(server, a)
    _sync(server, a)
    assert _held(a.engine, people[3], "notes") == ("de C, après la restauration",)
    for pid in people[:3]:
        assert _held(server.engine, pid, "notes") == ("de B, perdu puis renvoyé",)
        assert _held(a.engine, pid, "notes") == ("de B, perdu puis renvoyé",)
    for laptop in (a, b, c):
        laptop.close()
    server.close()


def test_a_journal_pruned_past_what_the_siege_lost_lists_the_operation_numbers(
    tmp_path: Path, backend: RestorableSiege, pinned_clock: clock.PinnedClock
) -> None:
    server = backend.open()
    a = _laptop(server, tmp_path, "A")
    pid = _person(a)
    _sync(server, a)
    backup = backend.backup()
    _edit(a, pid, notes="Oubliée")
    _sync(server, a)
    _edit(a, pid, city="Sézanne")
    _sync(server, a)
    with a.engine.connect() as conn:
        journal = table_of(JournalEntry)
        old = list(conn.execute(select(journal.c.seq).where(journal.c.row_id == pid)).scalars())
    # A month later (30 days by default) those two have left the journal; a newer one
    # is in it.
    pinned_clock.advance(dt.timedelta(days=31))
    _edit(a, pid, phone="0611223344")
    _sync(server, a)
    with a.engine.connect() as conn:
        held = conn.execute(select(func.count()).select_from(journal)).scalar_one()
    assert held == 1
    server = backend.restore(server, backup)
    _enrol_again(server, a)
    _sync(server, a)
    (gap,) = [c for c in service.open_conflicts(a) if c.kind == "restore_gap"]
    first, last = min(old[-2:]), max(old[-2:])
    assert gap.lost_value == (f"{first}-{last}" if last == first + 1 else f"{first}, {last}")
    assert "saisir à nouveau" in wording.KINDS["restore_gap"]
    # The journal still held the phone: sent again; the pruned ones are not on the siège.
    assert _held(server.engine, pid, "phone", "notes") == ("0611223344", "")
    a.close()
    server.close()

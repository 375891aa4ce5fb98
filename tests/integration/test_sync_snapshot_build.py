"""How the siège builds a snapshot file (siege/snapshot_build.py; docs/sync.md, "First
sync from a snapshot"), on SQLite and PostgreSQL: whichever way the file is written (a
plain siège-staff file copied inside SQLite, an encrypted or one-antenne file streamed),
each value is stored exactly as a laptop reading pages of changes stores it, with the
same clocks; and a file built at a cursor holds the rows versioned at or before it, not
a row changed or created after it, nor its clocks."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import sqlcipher3
from sqlalchemy import select

from app.ids import new_id
from app.models.base import Base, synced_tables
from app.sync import service
from siege import devices, snapshot_build, snapshot_query
from siege import scope as read_scope
from siege import snapshot as siege_snapshot
from siege.feed import touch_row
from siege.tables import counter, field_clock, row_version
from tests.integration.test_sync_scope import build_region
from tests.integration.test_sync_snapshot import _with_a_conflict, laptop
from tests.sync_support import Siege
from tests.sync_support.authority import (
    CHARLEVILLE,
    REIMS,
    SEDAN,
    THEME,
    build_world,
    complete,
    draft_fields,
    enrol,
    issue_fields,
    op,
)

Contents = dict[str, list[tuple[Any, ...]]]


def _open(path: Path, key: str = "") -> sqlite3.Connection:
    if not key:
        return sqlite3.connect(path)
    db: sqlite3.Connection = sqlcipher3.connect(str(path))
    db.execute(f"PRAGMA key = \"x'{key}'\"")
    return db


def _raw(db: sqlite3.Connection, table: str, columns: list[str]) -> list[tuple[Any, ...]]:
    """Every value with its SQLite storage class, so '2026-11-02 00:00:00.000000' and
    '2026-11-02 00:00:00' (or 1 and '1') differ."""
    read = ", ".join(f'typeof("{c}"), quote("{c}")' for c in columns)
    return sorted(db.execute(f'SELECT {read} FROM "{table}"').fetchall())


def contents(path: Path, key: str = "") -> Contents:
    db = _open(path, key)
    try:
        found = {
            table: _raw(db, table, [c.name for c in snapshot_query.columns_of(table)])
            for table in synced_tables()
        }
        for table in ("_clock", "_conflict", "_meta"):
            found[table] = sorted(db.execute(f"SELECT * FROM {table}").fetchall())
        return found
    finally:
        db.close()


def _device(server: Siege, name: str, town: str, role: str) -> devices.DeviceRecord:
    code, _prefix = devices.enroll(server.engine, name, town, role)
    return devices.complete_enrolment(server.engine, code)[0]


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
@pytest.mark.parametrize("role", [devices.SIEGE, devices.ACCOMPAGNATEUR])
def test_each_value_is_stored_as_a_laptop_reading_pages_stores_it(
    siege: Siege, tmp_path: Path, role: str, encrypted: bool
) -> None:
    _with_a_conflict(siege)
    slow = laptop(siege, tmp_path, "Pages", "Épernay", role)
    service.run_sync(slow, http_factory=siege.http_factory, snapshot=False)
    (record,) = [d for d in devices.list_devices(siege.engine) if d.name == "Pages"]
    prepared = siege_snapshot.prepare(siege.engine, record, tmp_path, encrypted=encrypted)
    built = contents(prepared.path, prepared.key)
    assert len(built["person"]) > 0 and built["_clock"] and built["_conflict"]
    laptop_db = sqlite3.connect(slow.paths.database)
    try:
        for table in synced_tables():
            columns = [c.name for c in snapshot_query.columns_of(table)]
            assert built[table] == _raw(laptop_db, table, columns), table
    finally:
        laptop_db.close()
    # The laptop observes the newest stamp of the rows it holds, as pages make it.
    with siege.engine.connect() as conn:
        stamps = conn.execute(select(field_clock.c.table_name, field_clock.c.row_id,
                                     field_clock.c.hlc)).all()  # fmt: skip
    held = {(t, str(row[1])[1:-1]) for t in synced_tables() for row in built[t]}
    newest = max(hlc for table, row_id, hlc in stamps if (table, row_id) in held)
    assert ("newest_stamp", newest) in built["_meta"]


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
@pytest.mark.parametrize("role", [devices.SIEGE, devices.ACCOMPAGNATEUR])
def test_a_file_holds_no_row_changed_or_created_after_its_cursor(
    siege: Siege, tmp_path: Path, role: str, encrypted: bool
) -> None:
    region = build_region(siege)
    record = _device(siege, "Neuf", "Reims", role)
    key = "ab" * 32 if encrypted else ""
    with siege.engine.connect() as conn:
        cursor = int(conn.execute(select(counter.c.value)).scalar_one())
        scope = read_scope.compute(conn, record)
    before = tmp_path / "before.sqlite"
    snapshot_build.build(siege.engine, scope, cursor, before, key)
    # Written after the cursor was read, before the file is built from it.
    changed, created = region.ids["pa"], new_id()
    late = region.reims.push(
        op("person", changed, phone="0611111111"),
        op("person", created, **complete("person", first_name="Tardive", antenne_id=REIMS)),
    )
    assert late.status_code == 200, late.text
    after = tmp_path / "after.sqlite"
    snapshot_build.build(siege.engine, scope, cursor, after, key)
    then, now = contents(before, key), contents(after, key)
    gone = [(t, r) for t in synced_tables() for r in then[t] if r not in now[t]]
    assert [(t, r[1]) for t, r in gone] == [("person", f"'{changed}'")]
    assert all(r in then[t] for t in synced_tables() for r in now[t])
    assert not any(created in str(r) for r in now["person"])
    # Its clocks left with it, and nothing else changed.
    assert [c for c in then["_clock"] if c not in now["_clock"]] == [
        c for c in then["_clock"] if c[0] == "person" and c[1] == changed
    ]
    assert now["_clock"] == [c for c in then["_clock"] if c[1] != changed]
    assert now["_conflict"] == then["_conflict"]
    assert ("cursor", str(cursor)) in now["_meta"]


def _written_by_the_siege(siege: Siege, table: str, **values: Any) -> str:
    """A row the siège's own workers write (a seal, a directory entry: siege/sealing.py,
    siege/einvoicing/directory.py), entering the change feed as they make it."""
    row_id, stamp = new_id(), dt.datetime(2026, 11, 21, 10, 0)
    with siege.engine.begin() as conn:
        data = Base.metadata.tables[table]
        conn.execute(data.insert().values(id=row_id, created_at=stamp, updated_at=stamp, **values))
        seq = int(conn.execute(select(counter.c.value)).scalar_one()) + 1
        touch_row(conn, table, row_id, seq)
        conn.execute(counter.update().values(value=seq))
    return row_id


def test_a_one_antenne_file_holds_exactly_the_rows_the_read_rules_give(
    siege: Siege, tmp_path: Path
) -> None:
    """Row by row against siege/scope_rows.py keep(), with the cases the narrowing of
    siege/snapshot_query.py must say exactly: a draft left in the laptop's own series by
    a person who moved away is the entrepreneur's (not sent), while the invoice issued
    there before the move is the laptop's legal archive (sent), and so is its client's
    directory entry; signatures and seals follow their session. For a laptop with its
    series and for one without; each row with the clocks of its tracked fields."""
    world = build_world(siege)
    colleague = enrol(siege, "Reims")
    mover, client, issued_id, left_draft = new_id(), new_id(), new_id(), new_id()
    created = colleague.push(
        op("person", mover, **complete("person", first_name="Lou", last_name="Mobile",
                                       antenne_id=REIMS)),
    )  # fmt: skip
    assert created.status_code == 200, created.text
    theirs = {"entrepreneur_id": mover, "client_id": client}
    written = world.own.push(
        op("client", client, **complete("client", entrepreneur_id=mover, name="SAS Route",
                                        kind="entreprise")),
        op("invoice", left_draft, **draft_fields(world, series_id=world.series, **theirs)),
        op("invoice", issued_id, **draft_fields(world, **theirs)),
        op("invoice", issued_id, freeze=True, **issue_fields(world, 1, **theirs)),
        op("invoice_line", new_id(), freeze=True,
           **complete("invoice_line", invoice_id=issued_id, description="Conseil",
                      quantity_e4=10000, unit_price_cents=10000, vat_rate_bp=2000)),
        op("attendance_signature", new_id(),
           **complete("attendance_signature", slot_id=world.slot, signer_name="Inès Roux",
                      role="participant", position=0, strokes="{}", person_id=world.person)),
    )  # fmt: skip
    assert written.status_code == 200, written.text
    moved = colleague.push(
        op("person_attachment", new_id(), **complete(
            "person_attachment", person_id=mover, antenne_id=CHARLEVILLE,
            valid_from="2026-11-25")),
        op("person", mover, antenne_id=CHARLEVILLE),
    )  # fmt: skip
    assert moved.status_code == 200, moved.text
    # Sedan's own: a person, a client, a session with a signed slot.
    far, far_client, far_activity, far_slot = new_id(), new_id(), new_id(), new_id()
    sedan = world.other.push(
        op("person", far, **complete("person", first_name="Sam", last_name="Loin",
                                     antenne_id=CHARLEVILLE)),
        op("client", far_client, **complete("client", entrepreneur_id=far, name="SA Loin",
                                            kind="entreprise")),
        op("activity", far_activity, **complete("activity", kind="atelier", title="Sedan",
                                                theme_id=THEME, held_on="2026-11-20",
                                                permanence_id=SEDAN)),
        op("activity_slot", far_slot, **complete("activity_slot", activity_id=far_activity)),
        op("attendance_signature", new_id(),
           **complete("attendance_signature", slot_id=far_slot, signer_name="Sam Loin",
                      role="participant", position=0, strokes="{}", person_id=far)),
    )  # fmt: skip
    assert sedan.status_code == 200, sedan.text
    for slot in (world.slot, far_slot):
        _written_by_the_siege(siege, "sheet_seal", slot_id=slot,
                              sealed_at=dt.datetime(2026, 11, 21), sealer="CAE")  # fmt: skip
    for owned in (world.client, client, far_client):
        _written_by_the_siege(siege, "client_directory", client_id=owned, siren="552100554",
                              addressing_identifier="552100554", platform="PA",
                              public_entity=False, checked_at=dt.datetime(2026, 11, 21))  # fmt: skip
    seriesless = enrol(siege, "Épernay")
    for name in (world.own.name, seriesless.name):
        (record,) = [d for d in devices.list_devices(siege.engine) if d.name == name]

        prepared = siege_snapshot.prepare(siege.engine, record, tmp_path)

        built = contents(prepared.path)
        held = {t: {str(r[1])[1:-1] for r in built[t]} for t in synced_tables()}
        if name == world.own.name:
            assert issued_id in held["invoice"] and left_draft not in held["invoice"]
            assert len(held["attendance_signature"]) == len(held["sheet_seal"]) == 1
            assert len(held["client_directory"]) == 2
        with siege.engine.connect() as conn:
            scope = read_scope.compute(conn, record)
            assert bool(scope.series) == (name == world.own.name)
            rv, fc = row_version.c, field_clock.c
            clocks = []
            for table in synced_tables():
                versioned = conn.execute(
                    select(rv.row_id).where(rv.table_name == table, rv.seq <= prepared.cursor)
                ).scalars()
                keys = [(table, str(i)) for i in versioned]
                assert held[table] == {i for _t, i in read_scope.keep(conn, scope, keys)}, table
                tracked = snapshot_query.tracked_of(table)
                stamps = conn.execute(
                    select(fc.table_name, fc.row_id, fc.field, fc.hlc).where(
                        fc.table_name == table, fc.field.in_(tracked)
                    )
                ).all()
                clocks += [tuple(c) for c in stamps if c[1] in held[table]]
        assert built["_clock"] and built["_clock"] == sorted(clocks)

"""The change feed's pages are bounded in conflicts (rows and bytes) without skipping or
repeating any; ``import-profile`` brings the profile's own values over the defaults
``migrate`` seeded under the same ids, and leaves rows changed through sync alone."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

from sqlalchemy import insert, select, update

from app.clock import utcnow
from app.ids import deterministic_id
from app.models import CaeIdentity, Permanence, Person, WorkshopTheme
from app.sync import service
from siege import feed
from siege.importer import import_profile
from siege.tables import conflict, counter, row_version
from tests.invoicing_fixtures import CAE_SIREN, IBAN, complete_identity
from tests.sync_support import Siege, new_laptop


def _fill(server: Siege) -> tuple[set[int], set[int]]:
    """Persons and conflicts interleaved in the sequence, some conflicts large, some
    kept for the siège's history only; returns (row seqs, conflict seqs to send)."""
    rows: set[int] = set()
    sent: set[int] = set()
    with server.engine.begin() as conn:
        top = int(conn.execute(select(counter.c.value)).scalar_one())
        for seq in range(top + 1, top + 1601):
            if seq % 8 == 0:
                person_id = str(uuid.uuid4())
                conn.execute(
                    insert(Person).values(
                        id=person_id,
                        first_name="P",
                        last_name=str(seq),
                        created_at=utcnow(),
                        updated_at=utcnow(),
                    )
                )
                conn.execute(
                    insert(row_version).values(table_name="person", row_id=person_id, seq=seq)
                )
                rows.add(seq)
                continue
            kind = "overwritten" if seq % 5 == 0 else "field"
            big = seq % 97 == 0 and seq > top + 1000  # small first: cut by count
            conn.execute(
                insert(conflict).values(
                    seq=seq,
                    kind=kind,
                    table_name="person",
                    row_id=str(uuid.uuid4()),
                    field="notes",
                    kept_value="k" * (400_000 if big else 20),
                    lost_value="l" * (400_000 if big else 20),
                    created_at=utcnow(),
                )
            )
            if kind != "overwritten":
                sent.add(seq)
        conn.execute(update(counter).values(value=top + 1600))
    return rows, sent


def test_conflict_pages_are_bounded_and_none_is_skipped_or_repeated(siege: Siege) -> None:
    rows, sent = _fill(siege)
    start = min(rows | sent) - 1
    seen_rows: list[int] = []
    seen_conflicts: list[int] = []
    after = start
    counts: list[int] = []  # conflicts of each page that was cut (-1: the last page)
    while True:
        page = feed.changes(siege.engine, after, 400)
        found = [c["seq"] for c in page["conflicts"]]
        weight = sum(len(c["kept_value"]) + len(c["lost_value"]) for c in page["conflicts"])
        assert len(found) <= feed.MAX_PAGE_CONFLICTS
        assert weight <= feed.MAX_PAGE_CONFLICT_BYTES
        assert all(after < s <= page["next_cursor"] for s in found)
        assert all(after < r["seq"] <= page["next_cursor"] for r in page["rows"])
        counts.append(len(found) if page["has_more"] else -1)
        seen_conflicts += found
        seen_rows += [r["seq"] for r in page["rows"]]
        assert page["next_cursor"] > after  # always moves on
        after = page["next_cursor"]
        if not page["has_more"]:
            break
    assert sorted(seen_conflicts) == sorted(sent) and len(set(seen_conflicts)) == len(sent)
    assert sorted(seen_rows) == sorted(rows)
    # Both bounds did cut pages (the 400-row limit alone would give one page).
    assert feed.MAX_PAGE_CONFLICTS in counts  # cut by count
    assert any(0 <= n < feed.MAX_PAGE_CONFLICTS for n in counts)  # cut by bytes


def test_import_profile_brings_the_profiles_identity_and_schedules(
    siege: Siege, tmp_path: Path
) -> None:
    laptop = new_laptop(tmp_path, "L")
    siege.enrol(laptop, f"L-{uuid.uuid4().hex[:6]}", "Épernay")
    service.run_sync(laptop, http_factory=siege.http_factory)
    # A laptop changes a seeded theme through sync: the siège keeps that change.
    gestion = deterministic_id("theme", "Gestion")
    with laptop.uow() as uow:
        uow.session.get_one(WorkshopTheme, gestion).description = "Revu par L"
        uow.commit()
    service.run_sync(laptop, http_factory=siege.http_factory)
    # The profile in use before the siège existed: its real identity and schedule.
    old = new_laptop(tmp_path, "ancien")
    complete_identity(old.uow)
    reims = deterministic_id("permanence", "Reims")
    with old.uow() as uow:
        permanence = uow.session.get_one(Permanence, reims)
        permanence.weekday, permanence.starts_at = 1, dt.time(9, 30)
        uow.session.get_one(WorkshopTheme, gestion).description = "Ancienne description"
        uow.commit()
    old.close()
    imported = import_profile(siege.engine, old.paths.root)
    assert imported > 0
    service.run_sync(laptop, http_factory=siege.http_factory)
    for engine in (siege.engine, laptop.engine):
        with engine.connect() as conn:
            identity = conn.execute(select(CaeIdentity.siren, CaeIdentity.iban)).one()
            schedule = conn.execute(
                select(Permanence.weekday, Permanence.starts_at).where(Permanence.id == reims)
            ).one()
            theme = conn.execute(
                select(WorkshopTheme.description).where(WorkshopTheme.id == gestion)
            ).scalar_one()
        assert tuple(identity) == (CAE_SIREN, IBAN)
        assert tuple(schedule) == (1, dt.time(9, 30))
        assert theme == "Revu par L"
    # Importing again changes nothing more.
    assert import_profile(siege.engine, old.paths.root) == 0

"""The first sync after enrolment leaves the laptop holding its scope only (docs/sync.md,
"Leaving a scope"), against a real `python -m siege serve` on loopback: a profile
holding persons of several antennes (the demo, loaded into the siège first), enrolled
for one, with an unsent edit on a person of another. The edit is pushed first and, the
siège refusing it, kept as a conflict to review; then the persons of the other antennes
leave the laptop, except the legal archive of its own series (every invoice it issued,
with their entrepreneurs' rows)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from pathlib import Path

from sqlalchemy import Engine, func, select

from app.demo.generator import generate
from app.models import (
    Antenne,
    Invoice,
    InvoiceSeries,
    OutboxEntry,
    Person,
    Registration,
    SyncConflict,
)
from app.people.persons import PersonInput, get_person, update_person
from app.profile import open_profile
from app.sync import service
from siege import db, devices, scope
from siege.importer import import_profile
from tests.sync_support.processes import SiegeProcess

DAY = dt.date(2026, 11, 26)
NAME = "Portable de démonstration"
NOTE = "Revu avant l'inscription du poste."


def _scope_keys(engine: Engine) -> dict[str, set[str]]:
    """What the siège says this device reads (siege/scope.py)."""
    dev = next(d for d in devices.list_devices(engine) if d.name == NAME)
    keys: dict[str, set[str]] = defaultdict(set)
    with engine.connect() as conn:
        for table, ids in scope.manifest(conn, scope.compute(conn, dev)):
            keys[table].update(ids)
    return keys


def test_first_sync_after_enrolment_keeps_edits_and_evicts_other_antennes(
    tmp_path: Path, siege_process: SiegeProcess
) -> None:
    root = tmp_path / "demo"
    generate(root, "demo", seed=3, today=DAY)
    engine = db.make_engine(siege_process.database_url)
    import_profile(engine, root)
    laptop = open_profile(root)
    with laptop.session_factory() as session:
        std = select(InvoiceSeries.id).where(InvoiceSeries.prefix == "STD")
        own_invoices = set(session.scalars(select(Invoice.id).where(Invoice.series_id.in_(std))))
        archived = set(
            session.scalars(select(Invoice.entrepreneur_id).where(Invoice.series_id.in_(std)))
        )
        reims = select(Antenne.id).where(Antenne.name == "Reims")
        edited = session.scalars(
            select(Person.id)
            .where(Person.antenne_id.in_(reims), Person.id.not_in(archived))
            .where(Person.id.not_in(select(Registration.person_id)))
            .order_by(Person.id)
            .limit(1)
        ).one()
    # The trainer goes on working after the profile was loaded, before enrolment.
    found = get_person(laptop.uow, edited)
    data = PersonInput(**{f.name: getattr(found, f.name) for f in dataclasses.fields(PersonInput)})
    update_person(laptop.uow, edited, dataclasses.replace(data, notes=NOTE))
    with laptop.session_factory() as session:
        waiting = set(session.execute(select(OutboxEntry.table_name, OutboxEntry.row_id)))
    assert ("person", edited) in waiting, waiting
    code = devices.enroll(engine, NAME, "Saint-Dizier", series="STD")[0]
    service.enrol(laptop, siege_process.url, code)

    report = service.run_sync(laptop)

    # The edit was pushed before anything left: refused (Reims follows the person), it
    # is kept for review with the value typed, never lost.
    assert [(c.table, c.row_id, c.reason) for c in report.refused] == [
        ("person", edited, "row_of_another_antenne")
    ]
    with laptop.session_factory() as session:
        kept = session.scalars(select(SyncConflict).where(SyncConflict.row_id == edited)).one()
        assert NOTE in kept.lost_value and kept.resolved_at is None
        assert session.scalar(select(func.count()).select_from(OutboxEntry)) == 0
        held_persons = set(session.scalars(select(Person.id)))
        held_invoices = set(session.scalars(select(Invoice.id)))
        others = set(
            session.scalars(
                select(Person.id)
                .join(Antenne, Antenne.id == Person.antenne_id)
                .where(Antenne.name != "Saint-Dizier")
            )
        )
    assert report.evicted > 0
    # The laptop holds its scope: every person the siège sends it, and of the other
    # antennes' persons only those its scope or its archive names.
    keys = _scope_keys(engine)
    assert keys["person"] <= held_persons
    assert edited not in held_persons
    assert others <= keys["person"] | archived
    assert held_persons <= keys["person"] | archived
    # Every invoice it issued stays (legal archive), and nothing else of another series
    # outside the scope.
    assert own_invoices <= held_invoices
    assert held_invoices <= keys["invoice"] | own_invoices
    # The next sync has nothing more to evict.
    assert service.run_sync(laptop).evicted == 0
    laptop.close()
    engine.dispose()


def test_a_new_laptop_holding_no_record_skips_the_look_after_enrolment(profile) -> None:  # type: ignore[no-untyped-def]
    """A new laptop's first sync brings exactly its scope: reading every key of it again
    (seconds on a region, docs/benchmarks.md) would find nothing to evict."""
    from app.people.persons import create_person
    from app.sync import evict
    from app.sync.apply import get_state

    with profile.engine.begin() as conn:
        evict.note_enrolment(conn)
        assert get_state(conn, evict.ENROLLED_KEY) == ""
    create_person(profile.uow, PersonInput(first_name="Léa", last_name="Marchal"))
    with profile.engine.begin() as conn:
        evict.note_enrolment(conn)
        assert get_state(conn, evict.ENROLLED_KEY) == "1"

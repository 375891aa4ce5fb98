"""A profile enrolled for one antenne cannot write the records of the persons another
antenne follows (docs/authority.md), against a real `python -m siege serve` on loopback:
the demo loaded into the siège first, enrolled for Saint-Dizier with its own series, a
stage of the parcours added and the record edited on a Troyes person before enrolment.
Both are refused at the first sync, kept for review, absent from the siège; the stage
leaves the laptop with the person."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from sqlalchemy import select

from app.demo.generator import generate
from app.models import Antenne, Invoice, ParcoursStage, Person, Registration, SyncConflict
from app.people.parcours import StageInput, add_stage
from app.people.persons import PersonInput, get_person, update_person
from app.profile import open_profile
from app.sync import service
from siege import db, devices
from siege.importer import import_profile
from tests.sync_support.processes import SiegeProcess

DAY = dt.date(2026, 11, 26)
NOTE = "Étape ajoutée avant l'inscription du poste."


def test_stage_of_a_person_of_another_antenne_is_refused_after_enrolment(
    tmp_path: Path, siege_process: SiegeProcess
) -> None:
    root = tmp_path / "demo"
    generate(root, "demo", seed=3, today=DAY)
    engine = db.make_engine(siege_process.database_url)
    import_profile(engine, root)
    laptop = open_profile(root)
    with laptop.session_factory() as session:
        troyes = select(Antenne.id).where(Antenne.name == "Troyes")
        person = session.scalars(
            select(Person.id)
            .where(Person.antenne_id.in_(troyes))
            .where(Person.id.not_in(select(Invoice.entrepreneur_id)))
            .where(Person.id.not_in(select(Registration.person_id)))
            .order_by(Person.id)
            .limit(1)
        ).one()
    stage = add_stage(laptop.uow, StageInput(person, "diagnostic", DAY, notes=NOTE), today=DAY)
    found = get_person(laptop.uow, person)
    data = PersonInput(**{f.name: getattr(found, f.name) for f in dataclasses.fields(PersonInput)})
    update_person(laptop.uow, person, dataclasses.replace(data, notes=NOTE))
    code = devices.enroll(engine, "Portable de Saint-Dizier", "Saint-Dizier", series="STD")[0]
    service.enrol(laptop, siege_process.url, code)

    report = service.run_sync(laptop)

    refused = {(c.table, c.row_id): c.reason for c in report.refused}
    # The stage's person is on the siège (loaded with the demo): the stage is checked
    # against the antenne that follows them, not let through.
    assert refused == {
        ("person", person): "row_of_another_antenne",
        ("parcours_stage", stage.id): "person_of_another_antenne",
    }
    with engine.connect() as conn:
        held = conn.execute(select(ParcoursStage.id).where(ParcoursStage.id == stage.id))
        assert held.first() is None
    with laptop.session_factory() as session:
        kept = session.scalars(select(SyncConflict).where(SyncConflict.row_id == stage.id)).one()
        assert kept.resolved_at is None
        # The person left the laptop with their record (outside its scope).
        assert session.get(Person, person) is None
        assert session.get(ParcoursStage, stage.id) is None
    laptop.close()
    engine.dispose()

"""Anonymisation reaches the conflicts of every row of the person, rows gone included
(docs/personal-data.md, "Every copy it reaches"): a draft invoice and an appointment a
laptop wrote for a person the siège had meanwhile moved to another antenne are refused;
the laptop deletes them and keeps their values — the person's name and notes — as
« rejected » conflicts (app/sync/client_push.py). After the person is back and
anonymised, on the laptop or by the siège on request, no table of the laptop nor of
the siège holds the former name or notes. And the siège's conflict history about a
draft of the person (a late edit of its notes that lost) is emptied by the siège's
anonymisation on request. Real laptop profile, real siège (SQLite and PostgreSQL) over
HTTP.

The searches for the former name and notes are those of
tests/integration/test_anonymisation_every_copy.py."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from app.ids import new_id
from app.models import Appointment, Invoice, Person, SyncConflict
from app.people import personal_data
from app.people.erase_copies import ERASED_PERSON
from app.profile import Profile
from app.sync import service
from app.sync.client import SyncReport
from app.sync.hlc import Stamp, parse
from siege import person_cli
from siege.tables import conflict
from tests.integration.test_anonymisation_every_copy import (
    FIRST,
    LAST,
    NOTE,
    _leaks_in_tables,
    _person_with_texts,
)
from tests.invoicing_fixtures import add_client, add_draft, complete_identity
from tests.sync_support import Siege, new_laptop
from tests.sync_support.authority import (
    CHARLEVILLE,
    REIMS,
    Device,
    World,
    build_world,
    complete,
    enrol,
    op,
)


def _laptop(siege: Siege, root: Path, name: str) -> Profile:
    laptop = new_laptop(root, name)
    siege.enrol(laptop, name, "Reims")
    return laptop


def _sync(siege: Siege, laptop: Profile) -> SyncReport:
    report = service.run_sync(laptop, http_factory=siege.http_factory)
    assert not report.pull_refused, report.pull_refused
    return report


def _move(device: Device, person_id: str, antenne_id: str, on: str) -> None:
    """The person's antenne changes, with its attachment history (app/people/attachment.py)."""
    attachment = complete(
        "person_attachment", person_id=person_id, antenne_id=antenne_id, valid_from=on
    )
    response = device.push(
        op("person_attachment", new_id(), **attachment),
        op("person", person_id, antenne_id=antenne_id),
    )
    assert response.status_code == 200, response.text


def _conflict_values(laptop: Profile) -> list[tuple[str, str, str]]:
    with laptop.engine.connect() as conn:
        rows = conn.execute(
            select(SyncConflict.kind, SyncConflict.table_name, SyncConflict.lost_value)
        ).all()
    return [(str(k), str(t), str(v)) for k, t, v in rows]


@pytest.mark.parametrize("where", ["laptop", "siege"])
def test_the_conflicts_of_refused_rows_of_the_person_lose_their_name_and_notes(
    siege: Siege, tmp_path: Path, where: str
) -> None:
    a = _laptop(siege, tmp_path, "Portable A")
    complete_identity(a.uow)
    person_id = _person_with_texts(a)
    client_id = add_client(a.uow, person_id)
    _sync(siege, a)
    # While A is offline, a Reims colleague moves the person to Charleville-Mézières.
    _move(enrol(siege, "Reims"), person_id, CHARLEVILLE, "2026-11-25")
    # A, not yet told, writes a draft and an appointment naming the person: refused.
    draft_id = add_draft(a.uow, person_id, client_id, notes=f"Activité de {FIRST} {LAST}")
    with a.uow() as uow:
        appointment = Appointment(
            person_id=person_id,
            starts_at=dt.datetime(2026, 12, 10, 14, 0),
            note=f"{NOTE} : rappeler {FIRST}",
        )
        uow.session.add(appointment)
        uow.commit()
        appointment_id = appointment.id
    report = _sync(siege, a)
    assert report.rejected >= 2
    with a.uow() as uow:
        assert uow.session.get(Invoice, draft_id) is None
        assert uow.session.get(Appointment, appointment_id) is None
    rejected = [(t, v) for k, t, v in _conflict_values(a) if k == "rejected"]
    assert any(t == "invoice" and LAST in v for t, v in rejected), rejected
    assert any(t == "appointment" and NOTE in v for t, v in rejected), rejected

    # Charleville gives the person back to Reims; A follows them again.
    _move(enrol(siege, "Sedan"), person_id, REIMS, "2026-11-28")
    _sync(siege, a)
    with a.uow() as uow:
        assert uow.session.get_one(Person, person_id).antenne_id == REIMS

    if where == "laptop":
        personal_data.anonymise_person(a.uow, person_id, documents_dir=a.paths.documents)
    else:
        assert person_cli.anonymise_command(siege.engine, person_id, yes=True) == 0
    _sync(siege, a)

    with a.uow() as uow:
        person = uow.session.get_one(Person, person_id)
        assert (person.last_name, person.first_name, person.notes) == ("Anonyme", "", "")
    # The refused rows' conflicts are still listed (something was refused), closed and
    # empty: nothing is left to review about an anonymised person.
    with a.engine.connect() as conn:
        kept = conn.execute(
            select(SyncConflict.lost_value, SyncConflict.resolved_at).where(
                SyncConflict.row_id.in_([draft_id, appointment_id])
            )
        ).all()
    assert kept and all(v == "" and when is not None for v, when in kept)
    assert _leaks_in_tables(a.engine) == []
    assert _leaks_in_tables(siege.engine) == []
    a.close()


def test_the_sieges_anonymisation_empties_its_conflicts_about_the_persons_drafts(
    siege: Siege,
) -> None:
    """The siège's conflict history about a draft of the person (a lost edit of its
    notes naming them) is emptied by the anonymisation on request (siege/anonymise.py,
    ``owned_rows``)."""
    world = build_world(siege)
    _lost_edit_of_the_drafts_notes(siege, world)

    assert person_cli.anonymise_command(siege.engine, world.person, yes=True) == 0

    assert _leaks_in_tables(siege.engine) == []
    with siege.engine.connect() as conn:
        kept = conn.execute(
            select(conflict.c.kept_value, conflict.c.lost_value).where(
                conflict.c.table_name == "invoice", conflict.c.row_id == world.draft
            )
        ).all()
    assert kept and all(k == "" and v == "" for k, v in kept)


def _lost_edit_of_the_drafts_notes(siege: Siege, world: World) -> None:
    """Two laptops edit the draft's notes; the older edit, naming the entrepreneur,
    arrives last and loses: the siège keeps it in its conflict history only."""
    colleague = enrol(siege, "Reims")
    older = world.own.clock.now()
    mine = parse(colleague.clock.now())
    # The colleague's stamp is the later one, whatever the two clocks read.
    later = Stamp(max(mine.wall_ms, parse(older).wall_ms) + 1000, 0, mine.node).encode()
    edit = op("invoice", world.draft, notes="Prestation de novembre")
    newer = colleague.push({**edit, "hlc": later})
    assert newer.status_code == 200, newer.text
    late = op("invoice", world.draft, notes=f"Activité de {FIRST} {LAST} : {NOTE}")
    assert world.own.push({**late, "hlc": older}).status_code == 200
    leaks = _leaks_in_tables(siege.engine)
    assert leaks and all(found.startswith("siege_conflict.") for found in leaks), leaks


def test_a_laptops_anonymisation_empties_the_sieges_conflicts_about_the_persons_drafts(
    siege: Siege,
) -> None:
    """As above, the anonymisation now made by the person's laptop and pushed: the siège
    applies it (siege/erasure.py ``after_op``) and empties its conflicts about the
    person's rows, their drafts' included."""
    world = build_world(siege)
    _lost_edit_of_the_drafts_notes(siege, world)

    erased = {**ERASED_PERSON, "anonymised_at": "2026-11-30T09:00:00"}
    response = world.own.push(op("person", world.person, **erased))
    assert response.status_code == 200, response.text

    assert _leaks_in_tables(siege.engine) == []

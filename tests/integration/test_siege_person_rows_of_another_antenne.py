"""A laptop of one antenne cannot write the record of a person another antenne follows
(docs/authority.md, "Table by table"; DESIGN §4.1), whatever it sends with it: each row
hanging off the person (parcours stage, interviews, appointment, registration and
attendance mark, draft invoice, client, attachment) and the person's own row are refused
with their reason and change nothing on the siège, alone or in one batch with an edit
of the person in either order, for a person created by another device or by the laptop
itself (an intake at its permanence of someone followed elsewhere: the laptop reads the
record, the person's antenne writes it). A draft invoice put in the laptop's own series
does not make the person its to write, nor to read. Through the siège's handlers, on
SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import insert

from app.ids import new_id
from app.models.base import Base
from app.sync.codec import decode_fields
from siege import scope
from siege.devices import list_devices
from tests.sync_support import Siege
from tests.sync_support.authority import (
    CHARLEVILLE,
    REIMS,
    STAMP,
    Device,
    World,
    build_world,
    complete,
    draft_fields,
    fingerprint,
    op,
    reasons,
    row,
    series_fields,
)

Row = Callable[[World, str], dict[str, Any]]

# Each row a laptop writes about a person, for ``person``, and the refusal it gets.
ROWS: dict[str, tuple[Row, str]] = {
    "parcours_stage": (
        lambda w, p: op(
            "parcours_stage",
            new_id(),
            **complete("parcours_stage", person_id=p, kind="cape", start_date="2026-11-02"),
        ),
        "person_of_another_antenne",
    ),
    "intake_interview": (
        lambda w, p: op(
            "intake_interview",
            new_id(),
            **complete("intake_interview", person_id=p, held_on="2026-11-02"),
        ),
        "person_of_another_antenne",
    ),
    "followup_interview": (
        lambda w, p: op(
            "followup_interview",
            new_id(),
            **complete(
                "followup_interview",
                person_id=p,
                held_on="2026-11-02",
                duration_minutes=60,
                mode="presentiel",
            ),
        ),
        "person_of_another_antenne",
    ),
    "appointment": (
        lambda w, p: op(
            "appointment",
            new_id(),
            **complete("appointment", person_id=p, kind="suivi", starts_at="2026-11-30T10:00:00"),
        ),
        "person_of_another_antenne",
    ),
    "client": (
        lambda w, p: op(
            "client",
            new_id(),
            **complete("client", entrepreneur_id=p, name="SAS Autre", kind="entreprise"),
        ),
        "person_of_another_antenne",
    ),
    "person_attachment": (
        lambda w, p: op(
            "person_attachment",
            new_id(),
            **complete("person_attachment", person_id=p, antenne_id=REIMS, valid_from="2026-11-02"),
        ),
        "person_of_another_antenne",
    ),
    # The session is held at Épernay (Reims): the Sedan laptop neither runs it nor
    # follows the person.
    "registration": (
        lambda w, p: op(
            "registration",
            new_id(),
            **complete(
                "registration",
                person_id=p,
                activity_id=w.activity,
                registered_at=STAMP,
                status="inscrit",
            ),
        ),
        "workshop_of_another_antenne",
    ),
    "attendance": (
        lambda w, p: op(
            "attendance",
            new_id(),
            **complete("attendance", person_id=p, slot_id=w.slot, state="present"),
        ),
        "workshop_of_another_antenne",
    ),
    "invoice": (
        lambda w, p: op(
            "invoice", new_id(), **draft_fields(w, entrepreneur_id=p, client_id=w.client)
        ),
        "invoice_of_another_device",
    ),
    "person": (
        lambda w, p: op(
            "person",
            p,
            **complete(
                "person", first_name="Inès", last_name="Roux", antenne_id=REIMS, phone="0600000000"
            ),
        ),
        "row_of_another_antenne",
    ),
}
PERSON_EDIT = "person"


def _edit_of(person: str) -> dict[str, Any]:
    return op("person", person, notes="Vu à Sedan", updated_at=STAMP)


def _refused(server: Siege, dev: Device, *ops: dict[str, Any]) -> list[str]:
    before = fingerprint(server)
    found = reasons(dev.push(*ops))
    assert fingerprint(server) == before
    return found


def _created_by(world: World, dev: Device) -> str:
    """A person ``dev`` adds (an intake at its permanence) who is followed at Reims."""
    person = new_id()
    values = complete("person", first_name="Léa", last_name="Marchal", antenne_id=REIMS)
    response = dev.push(op("person", person, **values), _first_attachment(person))
    assert response.status_code == 200, response.text
    return person


def _first_attachment(person: str) -> dict[str, Any]:
    values = complete("person_attachment", person_id=person, antenne_id=REIMS,
                      valid_from="2026-01-05")  # fmt: skip
    return op("person_attachment", new_id(), **values)


@pytest.fixture
def world(siege: Siege) -> World:
    world = build_world(siege)
    # The person's first attachment, written with the person as the laptop does.
    response = world.own.push(_first_attachment(world.person))
    assert response.status_code == 200, response.text
    return world


@pytest.mark.parametrize("creator", ["own", "other"])
@pytest.mark.parametrize("kind", sorted(ROWS))
def test_row_of_a_person_of_another_antenne_is_refused(
    siege: Siege, world: World, kind: str, creator: str
) -> None:
    # The Sedan laptop (Charleville) writes about a person Reims follows, created by
    # the Reims laptop, or by itself (then it reads the record: docs/authority.md).
    person = world.person if creator == "own" else _created_by(world, world.other)
    make, reason = ROWS[kind]
    assert _refused(siege, world.other, make(world, person)) == [reason]
    if kind == PERSON_EDIT:
        return
    # With an edit of the person in the same batch, before or after: both refused.
    edit = _edit_of(person)
    refused = "row_of_another_antenne"
    assert _refused(siege, world.other, edit, make(world, person)) == [refused, reason]
    assert _refused(siege, world.other, make(world, person), edit) == [reason, refused]
    # The laptop of the antenne that follows the person writes the same row.
    response = world.own.push(make(world, person))
    assert response.status_code == 200, response.text


def test_rows_of_a_person_created_in_the_same_batch_for_another_antenne(
    siege: Siege, world: World
) -> None:
    # Anyone may add a person, but the record is then the antenne's that follows them:
    # the stage sent with the new person is refused in either order, and nothing is kept.
    person = new_id()
    create = op("person", person, **complete("person", first_name="Zoé", last_name="Petit",
                                             antenne_id=REIMS))  # fmt: skip
    stage, reason = ROWS["parcours_stage"]
    assert _refused(siege, world.other, create, stage(world, person)) == [reason]
    # Before its person reaches the siège, the stage names a row the siège lacks.
    assert _refused(siege, world.other, stage(world, person), create) == ["missing_link: person_id"]
    assert row(siege, "person", person) is None


def test_draft_in_its_own_series_does_not_open_the_person(siege: Siege, world: World) -> None:
    # A tampered Sedan laptop puts a draft for the Reims person in its own series (the
    # laptop itself never does: a draft has no series until it is issued).
    series = new_id()
    assert world.other.push(op("invoice_series", series, **series_fields(world.other))).status_code == 200  # fmt: skip
    values = draft_fields(world, series_id=series)
    draft = new_id()
    assert _refused(siege, world.other, op("invoice", draft, **values)) == [
        "invoice_of_another_device"
    ]
    # One such draft already on the siège (written before this rule) is not the legal
    # archive of the series: neither it nor the person, their client and record are
    # sent to the laptop.
    invoice = Base.metadata.tables["invoice"]
    with siege.engine.begin() as conn:
        conn.execute(insert(invoice).values(id=draft, **decode_fields("invoice", values)))
    dev = next(d for d in list_devices(siege.engine) if d.name == world.other.name)
    with siege.engine.connect() as conn:
        seen = scope.compute(conn, dev)
        sent = scope.keep(conn, seen, [("invoice", draft), ("person", world.person),
                                       ("client", world.client)])  # fmt: skip
    assert world.person not in seen.persons | seen.seen_persons
    assert world.client not in seen.archive_clients
    assert sent == set()
    # The Reims laptop, which follows the person, reads the draft.
    own = next(d for d in list_devices(siege.engine) if d.name == world.own.name)
    with siege.engine.connect() as conn:
        assert scope.keep(conn, scope.compute(conn, own), [("invoice", draft)]) == {
            ("invoice", draft)
        }


def test_first_attachment_only_by_a_follower_or_the_device_that_added_the_person(
    siege: Siege,
) -> None:
    world = build_world(siege)  # the Reims person has no attachment yet
    # The Sedan laptop cannot give the person a history naming its own antenne (it
    # would then issue invoices for them: followed on the issue date).
    pulled = op("person_attachment", new_id(),
                **complete("person_attachment", person_id=world.person,
                           antenne_id=CHARLEVILLE, valid_from="2026-01-05"))  # fmt: skip
    assert _refused(siege, world.other, pulled) == ["person_of_another_antenne"]
    # The laptop that adds a person followed elsewhere writes its first attachment with it.
    person = new_id()
    values = complete("person", first_name="Léa", last_name="Marchal", antenne_id=REIMS)
    response = world.other.push(op("person", person, **values), _first_attachment(person))
    assert response.status_code == 200, response.text
    # And nothing after: from then on Reims writes the history.
    later = complete("person_attachment", person_id=person, antenne_id=REIMS,
                     valid_from="2026-11-20")  # fmt: skip
    assert _refused(siege, world.other, op("person_attachment", new_id(), **later)) == [
        "person_of_another_antenne"
    ]


def test_an_invoice_names_only_its_entrepreneurs_client(siege: Siege, world: World) -> None:
    # A tampered Sedan laptop drafts an invoice for a person Charleville follows, naming
    # the Reims person's client: it would then receive that client's row.
    person = new_id()
    values = complete("person", first_name="Noé", last_name="Garnier", antenne_id=CHARLEVILLE)
    assert world.other.push(op("person", person, **values)).status_code == 200
    draft = op("invoice", new_id(), **draft_fields(world, entrepreneur_id=person))
    assert _refused(siege, world.other, draft) == ["client_of_another_entrepreneur"]
    dev = next(d for d in list_devices(siege.engine) if d.name == world.other.name)
    with siege.engine.connect() as conn:
        assert scope.keep(conn, scope.compute(conn, dev), [("client", world.client)]) == set()
    # Its own person's client is fine.
    client = new_id()
    own_client = complete("client", entrepreneur_id=person, name="EURL Sapin", kind="entreprise")
    response = world.other.push(
        op("client", client, **own_client),
        op("invoice", new_id(), **draft_fields(world, entrepreneur_id=person, client_id=client)),
    )
    assert response.status_code == 200, response.text


def test_a_final_invoice_deducts_only_its_entrepreneurs_deposits(
    siege: Siege, world: World
) -> None:
    # The Sedan laptop's own person and client; the Reims draft stands for a deposit of
    # another entrepreneur (its id is all a tampered laptop needs to name it).
    person, client = new_id(), new_id()
    values = complete("person", first_name="Noé", last_name="Garnier", antenne_id=CHARLEVILLE)
    own_client = complete("client", entrepreneur_id=person, name="EURL Sapin", kind="entreprise")
    response = world.other.push(op("person", person, **values), op("client", client, **own_client))
    assert response.status_code == 200, response.text
    fields = draft_fields(world, entrepreneur_id=person, client_id=client, role="solde")
    foreign = {**fields, "deposit_invoice_ids": json.dumps([world.draft])}
    assert _refused(siege, world.other, op("invoice", new_id(), **foreign)) == [
        "deposit_of_another_entrepreneur"
    ]
    single = {**fields, "deposit_invoice_id": world.draft}
    assert _refused(siege, world.other, op("invoice", new_id(), **single)) == [
        "deposit_of_another_entrepreneur"
    ]
    # Its own person's deposit is fine.
    deposit = new_id()
    response = world.other.push(op("invoice", deposit, **{**fields, "role": "acompte"}))
    assert response.status_code == 200, response.text
    mine = {**fields, "deposit_invoice_ids": json.dumps([deposit]), "deposit_invoice_id": deposit}
    response = world.other.push(op("invoice", new_id(), **mine))
    assert response.status_code == 200, response.text

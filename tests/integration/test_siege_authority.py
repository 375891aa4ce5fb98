"""Who may write what on the siège (docs/authority.md), table by table, on SQLite and on
a real PostgreSQL: for every synced table, each device role (a laptop of the antenne
following the rows, a laptop of another antenne, a siège-staff device) tries to
create, change, delete (tombstone) and freeze a row through the real HTTP API. An
allowed change is applied and audited; a refused one answers 409 with its reason and
leaves every synced row, the change counter and the audit exactly as they were."""

from __future__ import annotations

from typing import Any

import pytest

from app.ids import new_id
from app.models.base import synced_tables
from siege import audit
from tests.sync_support import Siege
from tests.sync_support.authority import (
    EPERNAY,
    REIMS,
    THEME,
    World,
    build_world,
    complete,
    draft_fields,
    fingerprint,
    issue_fields,
    op,
    reasons,
    row,
    series_fields,
    unique,
)

REFERENCE = {"cae_identity", "cae_logo", "antenne", "permanence", "option_item", "funder"}
# Written by the siège's e-invoicing worker only: every device is refused.
SIEGE_WRITTEN = {"invoice_pa_status", "client_directory"}
# Written by the siège's sealing worker only (issue 16): every device is refused.
SEALS = {"sheet_seal"}
# Signatures (issue 16): insert-only, by the antenne running the session.
INSERT_ONLY = {"attendance_signature"}
ROLES = ("own", "other", "staff")
ACTIONS = ("create", "update", "delete", "freeze")
DELETED = "2026-11-25T10:00:00"

# A field each table's "update" changes (the IBAN printed on every invoice, a phone
# number, a title...); tables not listed change their updated_by label.
UPDATES: dict[str, dict[str, Any]] = {
    "cae_identity": {"iban": "FR7630006000011234567890189", "bic": "AGRIFRPP"},
    "antenne": {"name": "Reims-Nord"},
    "permanence": {"place": "Mairie annexe"},
    "option_item": {"label": "Autre libellé"},
    "funder": {"name": "Autre financeur"},
    "workshop_theme": {"description": "Nouvelle description"},
    "person": {"phone": "0612345678"},
    "accompagnateur": {"email": "a@example.org"},
    "activity": {"title": "Atelier renommé"},
    "invoice": {"notes": "Remise convenue"},
    "invoice_line": {"description": "Conseil"},
    "payment": {"amount_cents": 50},
    "invoice_series": {"last_number": 0},
}


def expected(table: str, role: str, action: str) -> bool:
    """The authority model of docs/authority.md, as a table."""
    if table in SIEGE_WRITTEN or table in SEALS:
        return False
    if table in INSERT_ONLY:
        return role == "own" and action == "create"
    if action == "freeze":
        return table == "invoice" and role == "own"
    if table in REFERENCE:
        return role == "staff"
    if table == "workshop_theme":
        return True
    if table == "accompagnateur":
        return role in ("own", "staff") or action == "create"
    if table in ("person", "invoice_series"):
        return role == "own" or (action == "create" and role == "other")
    return role == "own"


def new_row(world: World, table: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """(ops the Reims laptop pushes first, fields of a new row of ``table`` in Reims)."""
    w = world
    if table == "antenne":
        return [], complete(table, name=unique("Antenne"), departement="Marne")
    if table == "cae_identity":
        return [], complete(table, name="CAE", payment_terms_days=30)
    if table == "funder":
        return [], complete(table, code=unique("F"), name="Fonds")
    if table == "option_item":
        return [], complete(table, kind="situation", code=unique("c"), label="Libellé")
    if table == "permanence":
        return [], complete(table, antenne_id=REIMS, town=unique("Ville"), weekday=1)
    if table == "workshop_theme":
        return [], complete(table, name=unique("Thème"), default_duration_minutes=120)
    if table in ("person", "accompagnateur"):
        return [], complete(table, first_name="Léa", last_name="Petit", antenne_id=REIMS)
    if table == "parcours_stage":
        return [], complete(table, person_id=w.person, kind="cape")
    if table == "person_attachment":
        # After the person's first attachment (written by the Reims laptop, which follows
        # the person): then only the person's antenne adds to the history.
        first = complete(table, person_id=w.person, antenne_id=REIMS, valid_from="2026-01-05")
        return [op(table, new_id(), **first)], complete(
            table, person_id=w.person, antenne_id=REIMS, valid_from="2026-11-20"
        )
    if table in ("intake_interview", "followup_interview"):
        return [], complete(table, person_id=w.person)
    if table == "appointment":
        return [], complete(table, person_id=w.person, kind="suivi")
    if table == "client":
        return [], complete(table, entrepreneur_id=w.person, name="SAS Bulle", kind="entreprise")
    if table == "activity":
        return [], complete(table, kind="atelier", title="Atelier", theme_id=THEME,
                            held_on="2026-11-20", permanence_id=EPERNAY)  # fmt: skip
    if table == "activity_slot":
        return [], complete(table, activity_id=w.activity)
    if table == "activity_funder":
        _none, activity = new_row(world, "activity")
        activity_id = new_id()
        funder_id = _funder(world, unique("F"))
        return [op("activity", activity_id, **activity)], complete(
            table, activity_id=activity_id, funder_id=funder_id
        )
    if table in ("registration", "attendance"):
        person_id = new_id()
        _prereq, person = new_row(world, "person")
        parent = {"activity_id": w.activity} if table == "registration" else {"slot_id": w.slot}
        state = {"status": "inscrit"} if table == "registration" else {"state": "present"}
        return [op("person", person_id, **person)], complete(
            table, person_id=person_id, **parent, **state
        )
    if table == "invoice":
        return [], draft_fields(world)
    if table == "invoice_series":
        return [], series_fields(world.own)
    if table == "invoice_line":
        return [], complete(table, invoice_id=w.draft, description="Prestation",
                            quantity_e4=10000, unit_price_cents=10000, vat_rate_bp=2000)  # fmt: skip
    if table == "payment":
        return [], complete(table, invoice_id=w.draft, paid_on="2026-11-21", amount_cents=100,
                            mode="virement")  # fmt: skip
    if table == "invoice_pa_status":
        return [], complete(table, invoice_id=w.draft, code="213", label="Rejetée",
                            reason="BR-FR-12", received_at="2026-11-21T10:00:00")  # fmt: skip
    if table == "cae_logo":
        return [], complete(table, sha256=new_id().replace("-", "") * 2, png="iVBORw==")
    if table == "client_directory":
        return [], complete(table, client_id=w.client, siren="732829320",
                            addressing_identifier="732829320", platform="PA",
                            public_entity=False, checked_at="2026-11-21T10:00:00")  # fmt: skip
    if table == "sheet_seal":
        return [], complete(table, slot_id=w.slot, sealed_at="2026-11-21T10:00:00")
    if table == "attendance_signature":
        return [], complete(table, slot_id=w.slot, signer_name="Inès Roux", role="participant",
                            position=world.made.setdefault("position", 0), strokes="{}",
                            person_id=w.person)  # fmt: skip
    raise AssertionError(f"no row factory for {table}")


def _funder(world: World, code: str) -> str:
    funder_id = new_id()
    response = world.staff.push(op("funder", funder_id, **complete("funder", code=code, name="F")))
    assert response.status_code == 200, response.text
    return funder_id


def _existing(world: World, table: str) -> str:
    """A row of ``table`` in Reims, written by whoever may (staff for reference data)."""
    if table == "invoice_series":
        return world.series
    if table in SIEGE_WRITTEN:
        return _written_by_the_siege(world, table)
    if table in SEALS:
        return _seal_written_by_the_siege(world)
    if table in INSERT_ONLY:
        world.made["position"] = world.made.get("position", 0) + 1
    prereq, fields = new_row(world, table)
    row_id = new_id()
    writer = world.staff if table in REFERENCE else world.own
    if prereq:
        assert world.own.push(*prereq).status_code == 200
    response = writer.push(op(table, row_id, **fields))
    assert response.status_code == 200, response.text
    return row_id


def _written_by_the_siege(world: World, table: str) -> str:
    """A row the siège's worker wrote (as siege/einvoicing/publish.py does)."""
    import datetime as dt

    from app.models.base import Base

    row_id = new_id()
    stamp = dt.datetime(2026, 11, 21, 10, 0)
    if table == "client_directory":  # as siege/einvoicing/directory.py publishes it
        with world.server.engine.begin() as conn:
            conn.execute(
                Base.metadata.tables[table]
                .insert()
                .values(id=row_id, client_id=world.client, siren="552100554",
                        addressing_identifier="552100554", platform="PA", public_entity=False,
                        checked_at=stamp, created_at=stamp, updated_at=stamp)
            )  # fmt: skip
        return row_id
    with world.server.engine.begin() as conn:
        conn.execute(
            Base.metadata.tables[table]
            .insert()
            .values(
                id=row_id,
                invoice_id=world.draft,
                code="200",
                label="Déposée",
                reason="",
                received_at=stamp,
                created_at=stamp,
                updated_at=stamp,
            )
        )
    return row_id


def _seal_written_by_the_siege(world: World) -> str:
    """A seal the siège's sealing worker wrote (as siege/sealing.py does)."""
    import datetime as dt

    from app.models.base import Base

    row_id = new_id()
    stamp = dt.datetime(2026, 11, 21, 10, 0)
    with world.server.engine.begin() as conn:
        conn.execute(
            Base.metadata.tables["sheet_seal"]
            .insert()
            .values(id=row_id, slot_id=world.slot, sealed_at=stamp, sealer="CAE", tsa="",
                    record_sha256="", pdf_sha256="", created_at=stamp, updated_at=stamp)
        )  # fmt: skip
    return row_id


def _attempt(world: World, table: str, role: str, action: str) -> dict[str, Any]:
    """Set up what the attempt needs (rows it acts on); return the op to push."""
    dev = world.as_role(role)
    if action == "create":
        if table == "invoice_series":
            kind = "avoir" if role == "own" else "facture"
            return op(table, new_id(), **series_fields(dev, kind))
        prereq, fields = new_row(world, table)
        if prereq:
            assert world.own.push(*prereq).status_code == 200
        return op(table, new_id(), **fields)
    if action == "freeze":
        if table == "invoice":
            draft = new_id()
            assert world.own.push(op("invoice", draft, **draft_fields(world))).status_code == 200
            world.made["sequence"] = world.made.get("sequence", 0) + 1
            fields = issue_fields(world, world.made["sequence"])
            return op(table, draft, freeze=True, **fields)
        row_id = _existing(world, table)
        _prereq, fields = new_row(world, table)
        return op(table, row_id, freeze=True, **fields)
    row_id = _existing(world, table)
    if action == "update":
        fields = UPDATES.get(table, {"updated_by": "Quelqu'un d'autre"})
        if table == "antenne":
            fields = {"name": unique("Reims")}
    else:
        fields = {"deleted_at": DELETED}
    return op(table, row_id, **fields)


@pytest.mark.parametrize("table", synced_tables())
def test_each_role_writes_only_what_it_owns(siege: Siege, table: str) -> None:
    world = build_world(siege)
    # Series: refusals first, the owner's own delete last (it would end the series).
    order = [(r, a) for a in ACTIONS for r in ROLES]
    if table == "invoice_series":
        order.sort(key=lambda ra: (ra == ("own", "delete"), not expected(table, *ra)))
    outcomes = {}
    for role, action in order:
        attempt = _attempt(world, table, role, action)
        before = fingerprint(siege)
        response = world.as_role(role).push(attempt)
        allowed = expected(table, role, action)
        outcomes[(role, action)] = response.status_code
        if allowed:
            assert response.status_code == 200, (table, role, action, response.text)
            entries = audit.query(siege.engine, row_id=attempt["row_id"], limit=1)
            assert entries and entries[0].device_name == world.as_role(role).name
            assert entries[0].table == table
        else:
            assert response.status_code == 409, (table, role, action, response.text)
            assert reasons(response), (table, role, action)
            assert fingerprint(siege) == before, (table, role, action)
    assert set(outcomes) == {(r, a) for r in ROLES for a in ACTIONS}


def test_a_person_moved_to_another_antenne_is_theirs_from_then_on(siege: Siege) -> None:
    world = build_world(siege)
    from tests.sync_support.authority import CHARLEVILLE

    before = fingerprint(siege)
    grab = world.other.push(op("person", world.person, antenne_id=CHARLEVILLE))
    assert reasons(grab) == ["row_of_another_antenne"] and fingerprint(siege) == before
    handed = world.own.push(op("person", world.person, antenne_id=CHARLEVILLE))
    assert handed.status_code == 200
    assert world.other.push(op("person", world.person, phone="0611223344")).status_code == 200
    before = fingerprint(siege)
    late = world.own.push(op("person", world.person, notes="oublié"))
    assert reasons(late) == ["row_of_another_antenne"] and fingerprint(siege) == before
    follow_up = op("followup_interview", new_id(), **complete(
        "followup_interview", person_id=world.person))  # fmt: skip
    assert reasons(world.own.push(follow_up)) == ["person_of_another_antenne"]
    assert world.other.push(follow_up).status_code == 200


def test_unassigned_person_is_every_antennes_and_staff_reads_only(siege: Siege) -> None:
    world = build_world(siege)
    person_id = new_id()
    fields = complete("person", first_name="Sans", last_name="Antenne")
    assert world.other.push(op("person", person_id, **fields)).status_code == 200
    assert world.own.push(op("person", person_id, city="Épernay")).status_code == 200
    before = fingerprint(siege)
    assert reasons(world.staff.push(op("person", person_id, city="Reims"))) == [
        "siege_device_writes_reference_data_only"
    ]
    assert fingerprint(siege) == before
    kept = row(siege, "person", person_id)
    assert kept is not None and kept["city"] == "Épernay"

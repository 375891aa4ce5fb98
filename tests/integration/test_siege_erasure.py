"""Who may anonymise whom, and what the siège keeps afterwards (docs/personal-data.md,
DESIGN §4.1), with real device tokens against a real siège (SQLite and PostgreSQL).

Anonymisation is an edit of the person's record: only a device of the antenne that
follows the person may make it; a siège staff device or another antenne's laptop is
refused and changes nothing. Once made it is final: a change clearing it is refused,
and a late edit of the name from a laptop not yet told is overwritten by the erased
value, its stored conflict holding no value."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from siege.tables import conflict
from tests.sync_support import Siege
from tests.sync_support.authority import (
    HEADERS,
    STAMP,
    build_world,
    enrol,
    fingerprint,
    op,
    reasons,
    row,
)

ERASE: dict[str, Any] = {
    "civility": "",
    "first_name": "",
    "last_name": "Anonyme",
    "email": "",
    "notes": "",
    "anonymised_at": "2026-11-26T08:30:00",
}


def _refused(server: Siege, device: Any, *ops: dict[str, Any]) -> list[str]:
    before = fingerprint(server)
    found = reasons(device.push(*ops))
    assert fingerprint(server) == before
    return found


def test_only_the_persons_antenne_may_anonymise_and_it_is_final(siege: Siege) -> None:
    world = build_world(siege)
    anonymise = op("person", world.person, **ERASE)
    assert _refused(siege, world.other, anonymise) == ["row_of_another_antenne"]
    assert _refused(siege, world.staff, anonymise) == ["siege_device_writes_reference_data_only"]
    assert world.own.push(anonymise).status_code == 200
    stored = row(siege, "person", world.person)
    assert stored is not None and stored["last_name"] == "Anonyme"
    undo = op("person", world.person, anonymised_at=None, first_name="Inès", last_name="Roux")
    assert _refused(siege, world.own, undo) == ["anonymisation_final"]


def test_a_late_edit_of_an_anonymised_person_is_erased_and_its_conflict_holds_nothing(
    siege: Siege,
) -> None:
    world = build_world(siege)
    colleague = enrol(siege, "Reims")  # same antenne: may write the person
    late = op("person", world.person, notes="Inès Roux, rappeler", first_name="Inès")
    # The colleague's edit is stamped before the anonymisation reached the siège.
    late["hlc"] = colleague.clock.now()
    assert world.own.push(op("person", world.person, **ERASE)).status_code == 200
    numbered = {"op": colleague.last_op + 1, **late}
    colleague.last_op += 1
    response = colleague.http.post(
        "/api/v1/push",
        json={"batch_id": "late-edit", "ops": [numbered]},
        headers={**HEADERS, "Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text
    stored = row(siege, "person", world.person)
    assert stored is not None
    assert (stored["first_name"], stored["notes"], stored["last_name"]) == ("", "", "Anonyme")
    with siege.engine.connect() as conn:
        values = conn.execute(
            select(conflict.c.kept_value, conflict.c.lost_value).where(
                conflict.c.row_id == world.person
            )
        ).all()
    assert all(kept == "" and lost == "" for kept, lost in values)
    # A newer edit (a laptop whose clock runs ahead) is erased too.
    ahead = op("person", world.person, notes="Inès Roux encore", updated_at=STAMP)
    assert colleague.push(ahead).status_code == 200
    stored = row(siege, "person", world.person)
    assert stored is not None and stored["notes"] == ""

"""Rows leaving a scope (docs/sync.md, "Leaving a scope"), on SQLite and PostgreSQL, with
real laptop profiles syncing through the siège's HTTP API: a scope that shrinks evicts
exactly the rows outside it and a scope that grows brings exactly the missing rows
(both checked row by row against the rules as written, ``oracle`` of
test_sync_scope.py), and a person moving between antennes while two laptops hold
unsent edits loses nothing: each edit reaches the siège or stays as a conflict to
review, and the rows leave only the laptops that no longer follow the person."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from app.models import Client, IntakeInterview, Person, SyncConflict
from app.models.base import Base, synced_tables
from app.profile import Profile
from app.sync import service
from app.sync.client import SyncClient
from app.sync.codec import table_of
from siege import devices
from siege.scope import SHARED
from tests.integration.test_sync_scope import build_region, oracle
from tests.sync_support import BASE_URL, Siege, new_laptop
from tests.sync_support.authority import CHARLEVILLE

Key = tuple[str, str]
EVICTABLE = [t for t in synced_tables() if t not in SHARED]


@dataclass
class Laptop:
    profile: Profile
    name: str
    device_id: str
    towns: list[str]


def laptop(server: Siege, root: Path, name: str, towns: list[str]) -> Laptop:
    profile = new_laptop(root, name)
    code, _prefix = devices.enroll(server.engine, name, towns)
    service.enrol(profile, BASE_URL, code, http_factory=server.http_factory)
    device_id = service._device(profile).device_id
    return Laptop(profile, name, device_id, towns)


def sync(server: Siege, lap: Laptop) -> service.SyncReport:
    return service.run_sync(lap.profile, http_factory=server.http_factory)


def held(lap: Laptop) -> set[Key]:
    with lap.profile.engine.connect() as conn:
        return {
            (name, str(i))
            for name in EVICTABLE
            for i in conn.execute(select(Base.metadata.tables[name].c.id)).scalars()
        }


def expected(server: Siege, lap: Laptop) -> set[Key]:
    return {k for k in oracle(server, lap.towns, lap) if k[0] in EVICTABLE}  # type: ignore[arg-type]


def test_a_scope_that_shrinks_evicts_exactly_the_rows_outside_it_and_grows_back(
    siege: Siege, tmp_path: Path
) -> None:
    region = build_region(siege)
    lap = laptop(siege, tmp_path, "Portable itinérant", ["Sedan", "Épernay"])
    sync(siege, lap)
    both = expected(siege, lap)
    assert held(lap) == both
    devices.set_scope(siege.engine, lap.name, ["Sedan"])
    lap.towns = ["Sedan"]
    report = sync(siege, lap)
    sedan = expected(siege, lap)
    assert held(lap) == sedan, "the laptop holds rows outside its scope, or lost some"
    assert report.evicted == len(both - sedan) > 0
    assert ("intake_interview", region.ids["ia"]) not in held(lap)
    # Back to both towns: exactly the missing rows come back, nothing else is sent.
    _record, sent = devices.set_scope(siege.engine, lap.name, ["Sedan", "Épernay"])
    lap.towns = ["Sedan", "Épernay"]
    report = sync(siege, lap)
    assert held(lap) == expected(siege, lap) == both
    assert report.pulled == sent and report.evicted == 0
    # A sync with nothing new evicts nothing and asks for no keys.
    assert sync(siege, lap).evicted == 0


@pytest.mark.parametrize("first", ["mover", "editor"])
def test_a_person_moving_while_two_laptops_hold_unsent_edits_loses_nothing(
    siege: Siege, tmp_path: Path, first: str
) -> None:
    region = build_region(siege)
    pa = region.ids["pa"]  # Amandine, followed at the Reims antenne
    editor = laptop(siege, tmp_path, "Épernay 1", ["Épernay"])
    mover = laptop(siege, tmp_path, "Épernay 2", ["Épernay"])
    ardennes = laptop(siege, tmp_path, "Sedan 1", ["Sedan"])
    for lap in (editor, mover, ardennes):
        sync(siege, lap)
    assert ("intake_interview", region.ids["ia"]) in held(editor)
    # Both Reims laptops change Amandine offline; one hands her to Charleville.
    with editor.profile.uow() as uow:
        edited = uow.session.get(Person, pa)
        assert edited is not None
        edited.notes = "Note de l'éditeur"
        uow.commit()
    with mover.profile.uow() as uow:
        moved = uow.session.get(Person, pa)
        assert moved is not None
        moved.phone = "0611223344"
        moved.antenne_id = CHARLEVILLE
        uow.commit()
    order = (mover, editor) if first == "mover" else (editor, mover)
    for lap in order:
        sync(siege, lap)
    sync(siege, editor)  # the editor learns of the move if it synced first
    sync(siege, ardennes)
    with siege.engine.connect() as conn:
        person = Base.metadata.tables["person"]
        on_siege = conn.execute(select(person).where(person.c.id == pa)).mappings().one()
    assert on_siege["antenne_id"] == CHARLEVILLE and on_siege["phone"] == "0611223344"
    if first == "editor":
        # Sent before the move: the edit is the siège's, and reaches the new antenne.
        assert on_siege["notes"] == "Note de l'éditeur"
    else:
        # Sent after the move: refused (the old antenne no longer writes her), and kept
        # on the editor's laptop as a conflict to review with the words typed.
        assert on_siege["notes"] != "Note de l'éditeur"
        with editor.profile.engine.connect() as conn:
            sc = table_of(SyncConflict)
            kept = conn.execute(select(sc.c.kind, sc.c.lost_value).where(sc.c.row_id == pa)).all()
        assert [k for k, lost in kept if k == "rejected" and "Note de l'éditeur" in lost]
    # Her record left both Reims laptops (neither created her) and arrived whole at
    # the Charleville one; every laptop holds exactly its scope.
    for lap in (editor, mover, ardennes):
        assert held(lap) == expected(siege, lap), lap.name
    assert ("intake_interview", region.ids["ia"]) not in held(editor) | held(mover)
    assert {("person", pa), ("intake_interview", region.ids["ia"])} <= held(ardennes)
    with ardennes.profile.session_factory() as session:
        arrived = session.get(Person, pa)
        assert arrived is not None and arrived.phone == "0611223344"
        assert (arrived.notes == "Note de l'éditeur") == (first == "editor")


def test_a_row_with_an_unsent_edit_is_not_evicted_until_the_edit_is_settled(
    siege: Siege, tmp_path: Path
) -> None:
    region = build_region(siege)
    pa, ia = region.ids["pa"], region.ids["ia"]
    editor = laptop(siege, tmp_path, "Épernay 1", ["Épernay"])
    sync(siege, editor)
    moved = region.reims.push(
        {"table": "person", "row_id": pa, "fields": {"antenne_id": CHARLEVILLE}}
    )
    assert moved.status_code == 200, moved.text
    with editor.profile.uow() as uow:
        interview = uow.session.get(IntakeInterview, ia)
        assert interview is not None
        interview.needs = "Écrit pendant la synchro"
        uow.commit()
    # A pull alone (the edit made after the push went): the interview stays, with the
    # edit, while the rest of her record leaves; the epoch is not recorded.
    with siege.http_factory(BASE_URL, _token(editor)) as http:
        client = SyncClient(editor.profile.engine, http, editor.profile.sync_capture)
        client.hello()
        client.pull()
    assert ("intake_interview", ia) in held(editor)
    assert ("parcours_stage", region.ids["sa"]) not in held(editor)
    with editor.profile.session_factory() as session:
        kept = session.get(IntakeInterview, ia)
        assert kept is not None and kept.needs == "Écrit pendant la synchro"
    # The next sync sends it (refused: she is Charleville's now), keeps it as a
    # conflict, and then evicts the interview.
    report = sync(siege, editor)
    assert report.rejected == 1 and report.evicted == 1
    assert held(editor) == expected(siege, editor)
    with editor.profile.engine.connect() as conn:
        sc = table_of(SyncConflict)
        lost = conn.execute(select(sc.c.lost_value).where(sc.c.row_id == ia)).scalars().all()
    assert any("Écrit pendant la synchro" in json.loads(v).get("needs", "") for v in lost)


def test_a_record_created_offline_for_a_person_moved_away_is_kept_as_a_conflict(
    siege: Siege, tmp_path: Path
) -> None:
    region = build_region(siege)
    pa = region.ids["pa"]
    editor = laptop(siege, tmp_path, "Épernay 1", ["Épernay"])
    sync(siege, editor)
    moved = region.reims.push(
        {"table": "person", "row_id": pa, "fields": {"antenne_id": CHARLEVILLE}}
    )
    assert moved.status_code == 200, moved.text
    with editor.profile.uow() as uow:
        client = Client(entrepreneur_id=pa, name="Cave Dupuis")
        uow.session.add(client)
        uow.commit()
        client_id = client.id
    report = sync(siege, editor)
    # Refused (she is Charleville's now): the row leaves this laptop, the values stay
    # in a conflict to review, and the laptop holds exactly its scope.
    assert report.rejected == 1
    assert ("client", client_id) not in held(editor)
    assert held(editor) == expected(siege, editor)
    with editor.profile.engine.connect() as conn:
        sc = table_of(SyncConflict)
        lost = (
            conn.execute(
                select(sc.c.lost_value).where(sc.c.row_id == client_id, sc.c.kind == "rejected")
            )
            .scalars()
            .all()
        )
    assert any("Cave Dupuis" in v for v in lost)


def _token(lap: Laptop) -> str:
    token = service._token_store(lap.profile, lap.device_id).load()
    assert token
    return token


def test_migration_s0006_round_trip(siege: Siege) -> None:
    """s0006 (the scope-change record) goes down and up again on both backends."""
    from alembic import command
    from sqlalchemy import inspect

    from siege.db import siege_alembic_config

    with siege.engine.begin() as conn:
        command.downgrade(siege_alembic_config(conn), "s0005")
    assert "siege_scope_change" not in inspect(siege.engine).get_table_names()
    with siege.engine.begin() as conn:
        command.upgrade(siege_alembic_config(conn), "head")
    assert "siege_scope_change" in inspect(siege.engine).get_table_names()

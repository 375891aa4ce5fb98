"""Unique business keys never collide across laptops (docs/sync.md): two laptops
creating the workshop theme "Réseaux sociaux" offline end with ONE theme everywhere,
and every session and slot of both points to it — whether the theme ids come from the
name (this version) or are random (rows made by older versions, merged on the siège)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from sqlalchemy import Engine, select

from app.ids import new_id
from app.models import Activity, ActivitySlot, SyncConflict, WorkshopTheme
from app.profile import Profile
from app.sync import service
from app.workshops import workshop_catalogue
from siege.tables import conflict as siege_conflict
from siege.tables import key_alias
from tests.sync_support import Siege, new_laptop, snapshot
from tests.workshops_support import new_session

THEME = "Réseaux sociaux"


def _laptops(siege: Siege, tmp_path: Path) -> tuple[Profile, Profile]:
    a, b = new_laptop(tmp_path, "A"), new_laptop(tmp_path, "B")
    siege.enrol(a, f"A-{uuid.uuid4().hex[:6]}", "Épernay")
    siege.enrol(b, f"B-{uuid.uuid4().hex[:6]}", "Sedan")
    return a, b


def _sync(siege: Siege, *laptops: Profile) -> None:
    for laptop in laptops:
        report = service.run_sync(laptop, http_factory=siege.http_factory)
        assert report.rejected == 0


def _session_with_theme(laptop: Profile, theme_id: str, title: str) -> str:
    return new_session(
        laptop.uow, title=title, theme_id=theme_id, permanence_id=None, place_address="Mairie"
    )


def _live_themes(engine: Engine) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        return sorted(
            (r.id, r.name)
            for r in conn.execute(
                select(WorkshopTheme.id, WorkshopTheme.name).where(
                    WorkshopTheme.name == THEME, WorkshopTheme.deleted_at.is_(None)
                )
            )
        )


def _sessions(engine: Engine, titles: set[str]) -> dict[str, str | None]:
    with engine.connect() as conn:
        return {
            r.title: r.theme_id
            for r in conn.execute(select(Activity.title, Activity.theme_id))
            if r.title in titles
        }


def _converged(siege: Siege, a: Profile, b: Profile) -> None:
    _sync(siege, a, b, a, b)
    server = snapshot(siege.engine)
    for laptop in (a, b):
        assert service.status(laptop).pending == 0
        for table, rows in snapshot(laptop.engine).items():
            for row_id, values in rows.items():
                assert server[table][row_id] == values, (table, row_id)
    assert {t: set(r) for t, r in snapshot(a.engine).items()} == {
        t: set(r) for t, r in snapshot(b.engine).items()
    }


def _check_one_theme(siege: Siege, a: Profile, b: Profile, titles: set[str]) -> str:
    ((theme_id, _name),) = _live_themes(siege.engine)
    for engine in (a.engine, b.engine):
        assert _live_themes(engine) == [(theme_id, THEME)]
        assert _sessions(engine, titles) == dict.fromkeys(titles, theme_id)
        with engine.connect() as conn:
            slots = conn.execute(
                select(ActivitySlot.id)
                .join(Activity, Activity.id == ActivitySlot.activity_id)
                .where(Activity.title.in_(titles), Activity.theme_id == theme_id)
            ).all()
        assert len(slots) == 2 * len(titles)  # each session's two half-day slots
    return str(theme_id)


def test_the_same_theme_created_on_two_laptops_offline_is_one_theme(
    siege: Siege, tmp_path: Path
) -> None:
    a, b = _laptops(siege, tmp_path)
    _sync(siege, a, b)
    theme_a = workshop_catalogue.save_theme(a.uow, THEME, 180, "Facebook, Instagram")
    theme_b = workshop_catalogue.save_theme(b.uow, "  Réseaux sociaux", 210, "LinkedIn")
    assert theme_a.id == theme_b.id  # the id comes from the name
    _session_with_theme(a, theme_a.id, "Réseaux A")
    _session_with_theme(b, theme_b.id, "Réseaux B")
    _sync(siege, a, b)
    _converged(siege, a, b)
    assert _check_one_theme(siege, a, b, {"Réseaux A", "Réseaux B"}) == theme_a.id


def test_themes_with_random_ids_from_an_older_version_are_merged_on_the_siege(
    siege: Siege, tmp_path: Path
) -> None:
    a, b = _laptops(siege, tmp_path)
    _sync(siege, a, b)
    made: dict[str, str] = {}
    for name, laptop in (("a", a), ("b", b)):
        with laptop.uow() as uow:  # as an older version did: a random id
            theme = WorkshopTheme(id=new_id(), name=THEME, description=f"par {name}")
            uow.session.add(theme)
            uow.commit()
            made[name] = theme.id
        _session_with_theme(laptop, made[name], f"Ancien {name}")
    _sync(siege, a, b)
    _converged(siege, a, b)
    kept = _check_one_theme(siege, a, b, {"Ancien a", "Ancien b"})
    assert kept == made["a"]  # the first to reach the siège holds the name
    duplicate = made["b"]
    for engine in (siege.engine, a.engine, b.engine):
        with engine.connect() as conn:
            row = conn.execute(select(WorkshopTheme).where(WorkshopTheme.id == duplicate)).one()
        assert row.deleted_at is not None and row.name.startswith(f"{THEME} ~fusion ")
    with siege.engine.connect() as conn:
        aliases = conn.execute(select(key_alias.c.row_id, key_alias.c.target_id)).all()
        merged = (
            conn.execute(select(siege_conflict.c.detail).where(siege_conflict.c.kind == "merged"))
            .scalars()
            .all()
        )
    assert [(r.row_id, r.target_id) for r in aliases] == [(duplicate, kept)]
    assert [json.loads(d)["duplicate_id"] for d in merged] == [duplicate]
    for laptop in (a, b):
        assert [c.kind for c in service.open_conflicts(laptop)] == ["merged"]
        with laptop.session_factory() as session:
            assert (
                session.scalars(
                    select(SyncConflict.kind).where(SyncConflict.kind == "apply_failed")
                ).all()
                == []
            )
    # B goes on editing the duplicate it still knew: the edit reaches the kept theme.
    with b.uow() as uow:
        uow.session.get_one(WorkshopTheme, kept).description = "Fusionné, repris par B"
        uow.commit()
    _converged(siege, a, b)
    with a.session_factory() as session:
        assert session.get_one(WorkshopTheme, kept).description == "Fusionné, repris par B"


def test_a_session_sent_in_a_later_batch_than_its_merged_theme_is_repointed(
    siege: Siege, tmp_path: Path
) -> None:
    a, b = _laptops(siege, tmp_path)
    with a.uow() as uow:
        uow.session.add(WorkshopTheme(id=new_id(), name=THEME))
        uow.commit()
    _sync(siege, a)
    with b.uow() as uow:
        dup = WorkshopTheme(id=new_id(), name=THEME)
        uow.session.add(dup)
        uow.commit()
        dup_id = dup.id
    _session_with_theme(b, dup_id, "Plus tard")
    # One operation per batch: the theme is merged and committed before the session
    # arrives, which the siège re-points through its record of the merge.
    service.run_sync(b, http_factory=siege.http_factory, batch_size=1)
    _converged(siege, a, b)
    _check_one_theme(siege, a, b, {"Plus tard"})


def test_a_rename_onto_a_name_another_laptop_took_merges_the_two_themes(
    siege: Siege, tmp_path: Path
) -> None:
    a, b = _laptops(siege, tmp_path)
    numerique = workshop_catalogue.save_theme(a.uow, "Numérique", 120)
    _session_with_theme(a, numerique.id, "Numérique avant")
    _sync(siege, a, b)
    taken = workshop_catalogue.save_theme(b.uow, THEME, 180)
    _sync(siege, b)
    # A, not synced since, renames its theme to the name B just took.
    workshop_catalogue.save_theme(a.uow, THEME, 120, theme_id=numerique.id)
    _session_with_theme(a, numerique.id, "Renommé")
    _sync(siege, a)
    _converged(siege, a, b)
    assert _check_one_theme(siege, a, b, {"Numérique avant", "Renommé"}) == taken.id
    with siege.engine.connect() as conn:
        old = conn.execute(select(WorkshopTheme).where(WorkshopTheme.id == numerique.id)).one()
    assert old.deleted_at is not None and old.name.startswith(f"{THEME} ~fusion ")

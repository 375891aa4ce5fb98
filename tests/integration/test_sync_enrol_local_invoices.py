"""Enrolling a profile that already holds issued invoices (docs/authority.md, "Invoices
issued before enrolment"), against a real `python -m siege serve` on loopback: a series
numbered before enrolment is adopted by the siège with every number, no gap; two new
profiles, each numbering in a prefix of its own, both enrol on one siège with all their
numbers; a second laptop whose local prefix is taken (two profiles from before, both LOC), or a demo profile whose invoices the siège lacks, is
refused enrolment with a French message saying what to do, and keeps everything; a demo
profile loaded into the siège first enrols and syncs with no refusal."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from app.config import ProfileSettings
from app.demo.generator import ANTENNE_WEIGHTS, generate
from app.invoicing.numbering import PREFIX_PATTERN
from app.invoicing.validation import validate_invoice
from app.models import Antenne, Invoice, InvoiceSeries, OutboxEntry, Person
from app.models.base import Base, synced_tables
from app.people.persons import PersonInput, get_person, update_person
from app.profile import Profile, create_profile, open_profile
from app.sync import service, wording
from app.sync.client import SyncError
from siege import db, devices
from siege.importer import import_profile
from tests.invoicing_fixtures import add_client, add_draft, add_entrepreneur, complete_identity
from tests.sync_support import BASE_URL, Siege, new_laptop
from tests.sync_support.processes import SiegeProcess

DAY = dt.date(2026, 11, 26)


@pytest.fixture
def siege_engine_of(siege_process: SiegeProcess) -> Engine:
    return db.make_engine(siege_process.database_url)


def _issue(laptop: Profile, last_name: str = "Martin") -> str:
    person = add_entrepreneur(laptop.uow, last_name=last_name)
    client = add_client(laptop.uow, person)
    draft = add_draft(laptop.uow, person, client)
    validate_invoice(laptop.uow, laptop.paths.documents, draft, DAY)
    with laptop.session_factory() as session:
        number = session.scalar(select(Invoice.number).where(Invoice.id == draft))
    assert number is not None
    return number


def _code(
    engine: Engine, name: str, town: str | list[str] = "Épernay", series: str | None = None
) -> str:
    return devices.enroll(engine, name, town, series=series)[0]


def _refused_tables(report: service.SyncReport) -> set[str]:
    return {change.table for change in report.refused}


def _code_unspent(engine: Engine, name: str) -> bool:
    from siege.tables import device

    with engine.connect() as conn:
        row = conn.execute(
            select(device.c.code_hash, device.c.enrolled_at).where(device.c.name == name)
        ).one()
    return row[0] is not None and row[1] is None


def test_invoices_issued_before_enrolment_reach_the_siege_with_their_numbers(
    tmp_path: Path, siege_process: SiegeProcess, siege_engine_of: Engine
) -> None:
    laptop = new_laptop(tmp_path, "Portable Épernay")
    complete_identity(laptop.uow)
    local = service.status(laptop).series_prefix
    issued = [_issue(laptop), _issue(laptop, "Durand")]
    assert issued == [f"{local}-2026-00001", f"{local}-2026-00002"]
    status = service.enrol(laptop, siege_process.url, _code(siege_engine_of, "Portable Épernay"))
    report = service.run_sync(laptop)
    # The CAE identity is the siège's to write (a separate, listed refusal); nothing of
    # the invoices is refused.
    assert _refused_tables(report) <= {"cae_identity"}, report.refused
    device_id = service._device(laptop).device_id
    with siege_engine_of.connect() as conn:
        inv, series = Base.metadata.tables["invoice"], Base.metadata.tables["invoice_series"]
        numbers = sorted(conn.execute(select(inv.c.number)).scalars())
        held = conn.execute(select(series).where(series.c.prefix == local)).mappings().one()
    assert numbers == issued
    assert (held["device_id"], held["last_number"]) == (device_id, 2)
    # After enrolment the laptop numbers in the prefix the siège gave it (the identity
    # typed again: the siège's, still empty here, came back with the sync).
    complete_identity(laptop.uow)
    after = _issue(laptop, "Petit")
    assert after == f"{status.series_prefix}-2026-00001" and status.series_prefix != local
    assert _refused_tables(service.run_sync(laptop)) <= {"cae_identity"}
    with siege_engine_of.connect() as conn:
        assert after in set(conn.execute(select(inv.c.number)).scalars())
    laptop.close()


def _old_laptop(root: Path, name: str) -> Profile:
    """A profile created before each had its own prefix: numbered in LOC."""
    profile = create_profile(root / name, ProfileSettings(display_name=name), series_prefix="LOC")
    profile.uow.actor = name
    return profile


def test_a_local_prefix_already_on_the_siege_refuses_enrolment_and_loses_nothing(
    tmp_path: Path, siege_process: SiegeProcess, siege_engine_of: Engine
) -> None:
    first = _old_laptop(tmp_path, "Portable Épernay")
    complete_identity(first.uow)
    _issue(first)
    service.enrol(first, siege_process.url, _code(siege_engine_of, "Portable Épernay"))
    service.run_sync(first)
    second = _old_laptop(tmp_path, "Portable Reims")
    complete_identity(second.uow)
    assert _issue(second) == "LOC-2026-00001"  # the same number, printed on another invoice
    with second.session_factory() as session:
        waiting = session.scalar(select(func.count()).select_from(OutboxEntry))
    code = _code(siege_engine_of, "Portable Reims", "Reims")
    with pytest.raises(SyncError) as refused:
        service.enrol(second, siege_process.url, code)
    assert refused.value.code == "local_series_taken"
    assert refused.value.details["prefix"] == "LOC"
    message = wording.ERRORS["local_series_taken"].format(**refused.value.details)
    assert "préfixe LOC" in message and "garde ses factures" in message
    # Nothing changed on either side: not enrolled, every change still waiting, the code
    # still valid, no series of the second laptop on the siège.
    assert not service.status(second).enrolled
    with second.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(OutboxEntry)) == waiting
    assert _code_unspent(siege_engine_of, "Portable Reims")
    with siege_engine_of.connect() as conn:
        series = Base.metadata.tables["invoice_series"]
        assert conn.execute(select(func.count()).select_from(series)).scalar_one() == 1
    first.close()
    second.close()


def _demo(tmp_path: Path) -> Path:
    root = tmp_path / "demo"
    generate(root, "demo", seed=3, today=DAY)
    return root


def test_a_demo_profile_the_siege_lacks_is_refused_with_the_steps(
    tmp_path: Path, siege_process: SiegeProcess, siege_engine_of: Engine
) -> None:
    root = _demo(tmp_path)
    demo = open_profile(root)
    code = _code(siege_engine_of, "Portable de démonstration", "Langres")
    with pytest.raises(SyncError) as refused:
        service.enrol(demo, siege_process.url, code)
    assert refused.value.code == "local_series_unknown"
    message = wording.ERRORS["local_series_unknown"].format(**refused.value.details)
    assert f"import-profile {root}" in message
    # Enrolled for every antenne the demo holds persons of, it may write all it holds.
    antennes = " ".join(f"--antenne {name}" for name in sorted(ANTENNE_WEIGHTS))
    assert f"device enroll NOM {antennes} --series STD" in message
    assert not service.status(demo).enrolled
    assert _code_unspent(siege_engine_of, "Portable de démonstration")
    demo.close()


def test_a_demo_profile_loaded_into_the_siege_enrols_and_syncs_with_no_refusal(
    tmp_path: Path, siege_process: SiegeProcess, siege_engine_of: Engine
) -> None:
    root = _demo(tmp_path)
    import_profile(siege_engine_of, root)
    towns = sorted(ANTENNE_WEIGHTS)  # the steps the refusal above gives
    code = _code(siege_engine_of, "Portable de démonstration", towns, series="STD")
    demo = open_profile(root)
    with demo.session_factory() as session:
        followed = [
            session.scalars(
                select(Person.id).join(Antenne, Antenne.id == Person.antenne_id)
                .where(Antenne.name == name).limit(1)
            ).one()
            for name in sorted(ANTENNE_WEIGHTS)
        ]  # fmt: skip
        held = {
            name: set(session.execute(select(Base.metadata.tables[name].c.id)).scalars())
            for name in synced_tables()
        }
    status = service.enrol(demo, siege_process.url, code)
    assert status.series_prefix == "STD"
    report = service.run_sync(demo)
    assert (list(report.refused), list(report.pull_refused)) == ([], [])
    # A trainer's edits of the demo's own rows (before the fix: refused, unknown rows).
    for person_id in followed:
        found = get_person(demo.uow, person_id)
        data = PersonInput(
            **{f.name: getattr(found, f.name) for f in dataclasses.fields(PersonInput)}
        )
        update_person(demo.uow, person_id, dataclasses.replace(data, notes="Vu en formation."))
    with demo.session_factory() as session:
        std = session.scalar(select(InvoiceSeries.last_number).where(InvoiceSeries.prefix == "STD"))
    report = service.run_sync(demo)
    assert (list(report.refused), list(report.pull_refused)) == ([], [])
    with siege_engine_of.connect() as conn:
        for name, ids in held.items():
            table = Base.metadata.tables[name]
            on_siege = set(conn.execute(select(table.c.id)).scalars())
            assert ids <= on_siege, (name, len(ids - on_siege))
        person = Base.metadata.tables["person"]
        notes = set(conn.execute(select(person.c.notes).where(person.c.id.in_(followed))).scalars())
        series = Base.metadata.tables["invoice_series"]
        owner = conn.execute(
            select(series.c.device_id, series.c.last_number).where(series.c.prefix == "STD")
        ).one()
    assert notes == {"Vu en formation."}
    assert owner == (service._device(demo).device_id, std)
    demo.close()


def test_the_adopted_series_and_its_numbers_on_sqlite_and_postgresql(
    tmp_path: Path, siege: Siege
) -> None:
    """The same adoption through the siège's handlers, on both databases."""
    laptop = new_laptop(tmp_path, "Portable Épernay")
    complete_identity(laptop.uow)
    local = service.status(laptop).series_prefix
    issued = [_issue(laptop), _issue(laptop, "Durand")]
    code = _code(siege.engine, "Portable Épernay")
    service.enrol(laptop, BASE_URL, code, http_factory=siege.http_factory)
    report = service.run_sync(laptop, http_factory=siege.http_factory)
    assert _refused_tables(report) <= {"cae_identity"}, report.refused
    with siege.engine.connect() as conn:
        inv, series = Base.metadata.tables["invoice"], Base.metadata.tables["invoice_series"]
        assert sorted(conn.execute(select(inv.c.number)).scalars()) == issued
        owner = conn.execute(select(series.c.device_id).where(series.c.prefix == local)).one()
    assert owner[0] == service._device(laptop).device_id
    laptop.close()


def test_two_new_profiles_number_in_their_own_prefixes_and_both_enrol(
    tmp_path: Path, siege_process: SiegeProcess, siege_engine_of: Engine
) -> None:
    laptops = [new_laptop(tmp_path, "Portable Épernay"), new_laptop(tmp_path, "Portable Reims")]
    prefixes = [service.status(laptop).series_prefix for laptop in laptops]
    assert prefixes[0] != prefixes[1] and "LOC" not in prefixes
    assert all(PREFIX_PATTERN.match(p) and p.startswith("L") for p in prefixes)
    issued: list[str] = []
    for laptop, prefix in zip(laptops, prefixes, strict=True):
        complete_identity(laptop.uow)
        numbers = [_issue(laptop), _issue(laptop, "Durand")]
        assert numbers == [f"{prefix}-2026-00001", f"{prefix}-2026-00002"]
        issued += numbers
    for laptop, name, town in zip(
        laptops, ["Portable Épernay", "Portable Reims"], ["Épernay", "Reims"], strict=True
    ):
        service.enrol(laptop, siege_process.url, _code(siege_engine_of, name, town))
        assert _refused_tables(service.run_sync(laptop)) <= {"cae_identity"}
    with siege_engine_of.connect() as conn:
        inv = Base.metadata.tables["invoice"]
        held = sorted(conn.execute(select(inv.c.number).where(inv.c.number.is_not(None))).scalars())
    assert held == sorted(issued)  # every number of both series, no gap
    for laptop in laptops:
        laptop.close()

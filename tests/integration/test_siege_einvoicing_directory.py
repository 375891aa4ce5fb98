"""The PA directory (issue 15, item 5; docs/einvoicing.md, "Directory"), end to end on
SQLite and PostgreSQL: a laptop adds clients and syncs; the siège looks each French
business SIREN up once in the simulator's Directory Service over real HTTP, caches the
answers and publishes them in the synced ``client_directory``; after its next sync the
laptop knows, offline, which clients receive e-invoices; a second pass asks nothing
again (cached), a stale cache is asked again, a directory that cannot answer leaves the
cache as it was. Migrations 0007 (with the CAE's logo kept by content) and s0007 go up,
down and up again."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, func, inspect, select, update

from app.ids import deterministic_id
from app.invoicing.directory import Reception, directory_state
from app.migrate import SCHEMA_HEAD, alembic_config, current_revision, upgrade
from app.models import Person
from app.models.base import Base
from app.sync import service
from siege.db import migrate as siege_migrate
from siege.db import siege_alembic_config
from siege.einvoicing import directory, worker
from siege.einvoicing.afnor import AfnorFlowAdapter
from siege.einvoicing.config import PaConfig
from siege.einvoicing.tables import pa_directory
from tests.invoicing_fixtures import add_client
from tests.pa_simulator.app import Simulator
from tests.pa_simulator.server import running
from tests.sync_support import Siege, new_laptop, postgres_database
from tests.sync_support.authority import REIMS

LISTED = "732829320"
UNLISTED = "404833048"
PUBLIC = "130005481"
DIGEST = hashlib.sha256(b"\x89PNG logo").hexdigest()


@pytest.fixture
def sim() -> Simulator:
    return Simulator(unlisted={UNLISTED}, public_sirens={PUBLIC})


@pytest.fixture
def adapter(sim: Simulator) -> Iterator[AfnorFlowAdapter]:
    with running(sim) as url:
        pa = AfnorFlowAdapter(PaConfig(url, f"{url}/oauth/token", sim.client_id, sim.client_secret))
        yield pa
        pa.close()


def test_directory_looked_up_once_cached_and_read_offline(
    tmp_path: Path, siege: Siege, sim: Simulator, adapter: AfnorFlowAdapter
) -> None:
    laptop = new_laptop(tmp_path, "Portable Reims")
    try:
        sync = lambda: service.run_sync(laptop, http_factory=siege.http_factory)  # noqa: E731
        siege.enrol(laptop, "Portable Reims", "Reims")
        sync()
        with laptop.uow() as uow:
            person = Person(first_name="Céline", last_name="Martin", antenne_id=REIMS)
            uow.session.add(person)
            uow.commit()
            person_id = person.id
        listed = add_client(laptop.uow, person_id, siren=LISTED)
        twin = add_client(laptop.uow, person_id, siren=LISTED, name="Dupré, 2e fiche")
        unlisted = add_client(laptop.uow, person_id, siren=UNLISTED, name="Sans annuaire")
        public = add_client(laptop.uow, person_id, siren=PUBLIC, name="Mairie")
        private = add_client(laptop.uow, person_id, business=False)
        # Before any look-up the laptop says so.
        assert directory_state(laptop.uow, listed).reception == Reception.NOT_CHECKED
        sync()

        report = directory.refresh(siege.engine, adapter)
        assert (report.looked_up, report.published, report.error) == (3, 4, "")
        assert sim.directory_requests == 3  # one per SIREN, not per client

        sync()  # the laptop's next sync brings the answers; then it reads them offline
        states = {
            c: directory_state(laptop.uow, c) for c in (listed, twin, unlisted, public, private)
        }
        assert states[listed].reception == Reception.E_INVOICE
        assert (states[listed].addressing_identifier, states[listed].platform) == (LISTED, "PA")
        assert states[twin].reception == Reception.E_INVOICE
        assert states[unlisted].reception == Reception.NOT_LISTED
        assert states[public].reception == Reception.PUBLIC
        assert states[private].reception == Reception.NOT_CONCERNED
        assert service.status(laptop).pending == 0  # received rows are not pushed back

        # Cached: the worker's next pass asks the directory nothing.
        worker.cycle(siege.engine, adapter)
        assert sim.directory_requests == 3

        # A stale entry is asked again; a directory that cannot answer keeps the cache.
        with siege.engine.begin() as conn:
            conn.execute(
                update(pa_directory)
                .where(pa_directory.c.siren == LISTED)
                .values(checked_at=dt.datetime(2026, 1, 1))
            )
        sim.fail_directory = True
        failed = directory.refresh(siege.engine, adapter)
        assert failed.looked_up == 0 and "503" in failed.error
        sim.fail_directory = False
        sim.unlisted.add(LISTED)  # the client left its platform meanwhile
        again = directory.refresh(siege.engine, adapter)
        assert (again.looked_up, again.published) == (1, 2)
        sync()
        assert directory_state(laptop.uow, listed).reception == Reception.NOT_LISTED
        with siege.engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(pa_directory)).scalar_one() == 3
    finally:
        laptop.close()


def _round_trip(url: str) -> None:
    engine = create_engine(url)
    try:
        upgrade(engine, "0006")
        assert "client_directory" not in inspect(engine).get_table_names()
        identity = Base.metadata.tables["cae_identity"]
        with engine.begin() as conn:  # a logo chosen before 0007: kept by content by 0007
            conn.execute(
                identity.insert().values(
                    id="cae", name="CAE", logo_png=b"\x89PNG logo",
                    created_at=dt.datetime(2026, 1, 1), updated_at=dt.datetime(2026, 1, 1),
                )
            )  # fmt: skip
        siege_migrate(engine)
        with engine.connect() as conn:
            logos = conn.execute(select(Base.metadata.tables["cae_logo"])).all()
        assert [(r.sha256, r.png, r.id) for r in logos] == [
            (DIGEST, b"\x89PNG logo", deterministic_id("cae_logo", DIGEST))
        ]
        assert current_revision(engine) == SCHEMA_HEAD
        names = inspect(engine).get_table_names()
        assert {"client_directory", "siege_pa_directory", "siege_pa_report_item"} <= set(names)
        assert {c["name"] for c in inspect(engine).get_columns("client")} >= {
            "billing_address", "billing_postcode", "billing_city", "public_entity"
        }  # fmt: skip
        assert {c["name"] for c in inspect(engine).get_columns("invoice")} >= {
            "role", "deposit_invoice_id"
        }  # fmt: skip
        with engine.begin() as conn:
            command.downgrade(siege_alembic_config(conn), "s0006")
        with engine.begin() as conn:
            command.downgrade(alembic_config(conn), "0006")
        names = inspect(engine).get_table_names()
        assert not {
            "client_directory",
            "cae_logo",
            "siege_pa_directory",
            "siege_pa_report_item",
        } & set(names)
        assert "role" not in {c["name"] for c in inspect(engine).get_columns("invoice")}
        siege_migrate(engine)
        assert current_revision(engine) == SCHEMA_HEAD
    finally:
        engine.dispose()


def test_migrations_0007_s0007_on_sqlite(tmp_path: Path) -> None:
    _round_trip(f"sqlite:///{tmp_path / 'p.sqlite3'}")


@pytest.mark.postgres
def test_migrations_0007_s0007_on_postgresql() -> None:
    with postgres_database() as url:
        _round_trip(url)

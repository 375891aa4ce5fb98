"""The journal of acknowledged changes (docs/sync.md, "A restored siège gets back what it
acknowledged"): an issued invoice and its payment sent again to a restored siège (SQLite,
or PostgreSQL restored with pg_dump and pg_restore) stay one row each, even sent twice; an anonymised person's values do not survive in the journal;
a /hello with an epoch no siège sends is refused as a whole; app migration 0010 and
siège migration s0010 both ways, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, create_engine, func, inspect, select

from app.invoicing.payments import PaymentData, record_payment
from app.invoicing.validation import validate_invoice
from app.migrate import SCHEMA_HEAD, alembic_config, alembic_head, current_revision, upgrade
from app.models import Invoice, JournalEntry, Payment
from app.people import personal_data
from app.profile import Profile
from app.states import InvoiceStatus
from app.sync import journal, service
from app.sync.apply import get_state, set_state
from app.sync.codec import table_of
from app.sync.outbox import ACKED_KEY
from app.sync.transport import SyncError
from siege import db
from siege import epoch as siege_epoch
from tests.integration.test_sync_restore import _edit, _enrol_again, _laptop, _person, _sync
from tests.invoicing_fixtures import add_client, add_draft, add_entrepreneur
from tests.sync_support import Siege, give_cae_identity, postgres_database
from tests.sync_support.restore import BACKENDS, RestorableSiege, restorable_siege

DAY = dt.date(2026, 11, 26)


def _count(engine: Engine, model: type[Invoice] | type[Payment], invoice_id: str) -> int:
    table = table_of(model)
    column = table.c.id if model is Invoice else table.c.invoice_id
    with engine.connect() as conn:
        return int(
            conn.execute(
                select(func.count()).select_from(table).where(column == invoice_id)
            ).scalar_one()
        )


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[RestorableSiege]:
    """A siège on SQLite or PostgreSQL, with its backups and its restore."""
    with restorable_siege(request, tmp_path) as found:
        yield found


def test_an_issued_invoice_and_its_payment_sent_again_stay_one_row_each(
    tmp_path: Path, backend: RestorableSiege
) -> None:
    server = backend.open()
    give_cae_identity(server, tmp_path)
    a = _laptop(server, tmp_path, "A")
    _sync(server, a)
    backup = backend.backup()
    person = add_entrepreneur(a.uow)
    draft = add_draft(a.uow, person, add_client(a.uow, person))
    issued = validate_invoice(a.uow, a.paths.documents, draft, DAY)
    record_payment(a.uow, issued.invoice_id, PaymentData(DAY, 1000, "virement"))
    _sync(server, a)
    for _restore_count in range(2):  # restored twice from the same backup: sent twice
        server = backend.restore(server, backup)
        assert _count(server.engine, Invoice, issued.invoice_id) == 0
        assert siege_epoch.current(server.engine)
        _enrol_again(server, a)
        _sync(server, a)
        for engine in (server.engine, a.engine):
            assert _count(engine, Invoice, issued.invoice_id) == 1
            assert _count(engine, Payment, issued.invoice_id) == 1
        invoice = table_of(Invoice)
        with server.engine.connect() as conn:
            number, status = conn.execute(
                select(invoice.c.number, invoice.c.status).where(invoice.c.id == issued.invoice_id)
            ).one()
        assert (number, status) == (issued.number, InvoiceStatus.ISSUED)
        assert [c.kind for c in service.open_conflicts(a)] == []
    a.close()
    server.close()


def test_an_anonymised_persons_values_do_not_survive_in_the_journal(tmp_path: Path) -> None:
    server = Siege(f"sqlite:///{tmp_path / 'siege.sqlite3'}")
    a = _laptop(server, tmp_path, "A")
    pid = _person(a, first_name="Bérénice", last_name="Vasseur", email="b.vasseur@example.org")
    _edit(a, pid, notes="Bérénice Vasseur, suivie à Épernay", city="Sézanne")
    _sync(server, a)
    journal_table = table_of(JournalEntry)

    def kept() -> str:
        with a.engine.connect() as conn:
            rows = conn.execute(
                select(journal_table.c.fields_json).where(journal_table.c.row_id == pid)
            ).scalars()
            return " ".join(rows).lower()

    assert "vasseur" in kept()  # acknowledged, so in the journal
    personal_data.anonymise_person(a.uow, pid, documents_dir=a.paths.documents)
    _sync(server, a)
    found = kept()
    assert found, "the entries stay, with the erased values"
    for former in ("vasseur", "bérénice", "berenice", "example.org", "sézanne", "suivie"):
        assert former not in found, former
    a.close()
    server.close()


def test_a_hello_with_an_epoch_no_siege_sends_is_refused_as_a_whole(tmp_path: Path) -> None:
    server = Siege(f"sqlite:///{tmp_path / 'siege.sqlite3'}")
    a = _laptop(server, tmp_path, "A")
    _sync(server, a)
    with server.engine.begin() as conn:
        conn.execute(siege_epoch.epoch.update().values(epoch="pas-une-époque"))
    with pytest.raises(SyncError) as refused:
        service.run_sync(a, http_factory=server.http_factory)
    assert refused.value.code == "bad_response"
    with pytest.raises(journal.EpochRefused):
        journal.check_epoch({"siege_epoch": 12})
    assert journal.check_epoch({}) == ""
    a.close()
    server.close()


def test_the_journal_keeps_what_the_profile_says_and_prunes_the_rest(tmp_path: Path) -> None:
    server = Siege(f"sqlite:///{tmp_path / 'siege.sqlite3'}")
    a = _laptop(server, tmp_path, "A")
    assert a.settings.sync_journal_days == 30
    pid = _person(a)
    _sync(server, a)
    a.save_settings(a.settings.with_changes(sync_journal_days=0))
    _edit(a, pid, notes="gardée jusqu'à la prochaine synchronisation")
    _sync(server, a)
    journal_table = table_of(JournalEntry)
    with a.engine.connect() as conn:
        held = list(conn.execute(select(journal_table.c.row_id)).scalars())
    assert held == [pid], "the change just acknowledged; the older ones pruned at hello"
    _sync(server, a)
    with a.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(journal_table)).scalar_one() == 0
    assert journal.missing_spans(3, 9, {4, 5, 8}) == [(3, 3), (6, 7), (9, 9)]
    assert journal.missing_spans(3, 4, {3, 4}) == []
    a.close()
    server.close()


def _app_round_trip(engine: Engine) -> None:
    upgrade(engine)
    assert current_revision(engine) == SCHEMA_HEAD == alembic_head() == "0010"
    columns = {c["name"] for c in inspect(engine).get_columns("sync_journal")}
    assert {"seq", "table_name", "row_id", "fields_json", "hlc", "acknowledged_at"} <= columns
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0009")
    assert "sync_journal" not in inspect(engine).get_table_names()
    assert "sync_outbox" in inspect(engine).get_table_names()
    upgrade(engine)
    assert current_revision(engine) == "0010"
    assert "sync_journal" in inspect(engine).get_table_names()


def _siege_round_trip(url: str) -> None:
    engine = db.make_engine(url)
    try:
        db.migrate(engine)
        first = siege_epoch.current(engine)
        assert len(first) == 32
        with engine.begin() as conn:
            command.downgrade(db.siege_alembic_config(conn), "s0009")
        assert "siege_epoch" not in inspect(engine).get_table_names()
        with engine.begin() as conn:
            command.upgrade(db.siege_alembic_config(conn), "head")
        again = siege_epoch.current(engine)
        assert len(again) == 32 and again != first  # a database re-created is another history
        drawn = siege_epoch.draw(engine)
        assert siege_epoch.current(engine) == drawn != again
    finally:
        engine.dispose()


def test_migrations_0010_and_s0010_on_sqlite(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'p.sqlite3'}")
    try:
        _app_round_trip(engine)
    finally:
        engine.dispose()
    _siege_round_trip(f"sqlite:///{tmp_path / 's.sqlite3'}")


def test_migration_0010_keeps_a_profiles_outbox(profile: Profile) -> None:
    """A profile from before 0010 with changes waiting: down and up again, they wait.
    What the siège acknowledged before the journal existed counts as pruned, so a siège
    restored to an older backup lists it (restore_gap) instead of losing it silently."""
    _person(profile, notes="en attente")
    with profile.engine.begin() as conn:
        set_state(conn, ACKED_KEY, "7")
    with sqlite3.connect(profile.paths.database) as conn:
        waiting = conn.execute("SELECT count(*) FROM sync_outbox").fetchone()[0]
    assert waiting >= 1
    _app_round_trip(profile.engine)
    with profile.engine.connect() as conn:
        outbox = conn.exec_driver_sql("SELECT fields_json FROM sync_outbox").scalars().all()
    assert len(outbox) == waiting and any("en attente" in f for f in outbox)
    assert all(isinstance(json.loads(f), dict) for f in outbox)
    with profile.engine.connect() as conn:
        assert get_state(conn, journal.PRUNED_KEY) == "7"


@pytest.mark.postgres
def test_migrations_0010_and_s0010_on_postgresql() -> None:
    with postgres_database() as url:
        engine = create_engine(url)
        try:
            _app_round_trip(engine)
        finally:
            engine.dispose()
    with postgres_database() as url:
        _siege_round_trip(url)

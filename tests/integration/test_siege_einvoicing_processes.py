"""Exactly once under a kill: ``python -m siege einvoicing worker`` is SIGKILLed while an
upload is in flight (the PA stores the flow, the siège never hears the answer), then
restarted: every invoice reaches the PA simulator once (docs/einvoicing.md)."""

from __future__ import annotations

import datetime as dt
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

from app.invoicing.validation import validate_invoice
from app.profile import Profile
from siege import db
from siege.importer import import_profile
from siege.tables import pa_flow, pa_status
from tests.invoicing_fixtures import add_client, add_draft, add_entrepreneur, complete_identity
from tests.pa_simulator.app import Simulator
from tests.pa_simulator.server import running
from tests.sync_support.processes import LOADED_MACHINE_SECONDS, ROOT, python_env

DAY = dt.date(2026, 11, 20)
WORKER_ARGS = ("einvoicing", "worker", "--interval", "0.2")


def wait(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + LOADED_MACHINE_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached")
        time.sleep(0.05)


def start_worker(database_url: str, sim: Simulator, url: str, log: Path) -> subprocess.Popen[bytes]:
    env = python_env()
    env.update(
        PERMANENCE_PA_FLOW_URL=url,
        PERMANENCE_PA_TOKEN_URL=f"{url}/oauth/token",
        PERMANENCE_PA_CLIENT_ID=sim.client_id,
        PERMANENCE_PA_CLIENT_SECRET=sim.client_secret,
        PERMANENCE_PA_BACKOFF_SECONDS="0.2",
    )
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "siege", "--database-url", database_url, *WORKER_ARGS],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def test_worker_killed_mid_upload_sends_each_invoice_once(profile: Profile, tmp_path: Path) -> None:
    complete_identity(profile.uow)
    person = add_entrepreneur(profile.uow)
    client = add_client(profile.uow, person)
    ids = [
        validate_invoice(
            profile.uow, profile.paths.documents, add_draft(profile.uow, person, client), DAY
        ).invoice_id
        for _ in range(3)
    ]
    url_db = f"sqlite:///{tmp_path / 'siege.sqlite3'}"
    engine = db.make_engine(url_db)
    db.migrate(engine)
    import_profile(engine, profile.paths.root)
    sim = Simulator(upload_delay=3.0)
    log = tmp_path / "worker.log"
    with running(sim) as url:
        proc = start_worker(url_db, sim, url, log)
        try:
            wait(lambda: sim.upload_requests >= 2)  # the second upload is in flight
            proc.send_signal(signal.SIGKILL)
            proc.wait(LOADED_MACHINE_SECONDS)
            wait(lambda: len(sim.received()) == 2)  # the PA finished storing it anyway
            sim.upload_delay = 0.0
            proc = start_worker(url_db, sim, url, log)

            def all_deposited() -> bool:
                with engine.connect() as conn:
                    codes = conn.execute(select(pa_status.c.invoice_id, pa_status.c.code)).all()
                return sorted(codes) == sorted((i, "200") for i in ids)

            wait(all_deposited)
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                proc.wait(LOADED_MACHINE_SECONDS)
    assert sorted(f.tracking_id for f in sim.received()) == sorted(ids)
    # The killed upload was found by its tracking id at the restart, not sent again.
    assert sim.upload_requests == 3, log.read_text()
    with engine.connect() as conn:
        rows = conn.execute(
            select(pa_flow.c.tracking_id, pa_flow.c.state, pa_flow.c.attempts)
        ).all()
    engine.dispose()
    assert sorted(row.tracking_id for row in rows) == sorted(ids)
    assert {row.state for row in rows} == {"sent"}
    # The one killed in flight was tried twice: uploaded, then found at the restart.
    assert sorted(row.attempts for row in rows) == [1, 1, 2]

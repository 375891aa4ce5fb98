"""E-invoicing benchmark (issue 15): the siège transmits 1,000 queued invoices to the PA
simulator (tests/pa_simulator, uvicorn on loopback, real HTTP) — target ≤ 30 s — beside
its floor: the same 1,000 multipart uploads posted bare with one httpx client (no outbox,
no token, no bookkeeping, no check).

The siège checks each invoice with the official rule files (XSD, EN 16931 and BR-FR
schematrons run by Saxon, siege/einvoicing/official_rules.py) when it enters the outbox
(``outbox.enqueue_issued``, right after rendering it); the sender checks again only bytes
it has not seen pass. So two rows: the transmission of 1,000 invoices queued and checked
(``worker.send_due``, the target's figure), and the whole cost, the 1,000 checks made as
they enter plus that transmission (rendering, always done at entry, is left out of both).
The rule files are compiled once per process, before any clock starts, as a running
worker has them; each run's payloads are new bytes, so no run profits from an earlier
one's verdicts. The simulator's own validation is switched off: it is the platform's
cost, not the siège's. Each payload is a real Factur-X invoice rendered by the app, made
unique by a trailing PDF comment (the outbox refuses a second sha256).

Third row: the siège looks 1,000 clients' SIREN up in the simulator's Directory
Service (``directory.refresh``: look-up, cache, publication in the synced
``client_directory``) beside 1,000 bare ``POST /v1/directory-line/search``."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("PERMANENCE_NO_KEYRING", "1")

from benchmarks import harness

COUNT = 1000
RUNS = 3


def _invoice_pdf(folder: Path) -> bytes:
    from app.config import ProfileSettings
    from app.invoicing.documents import render_from_snapshot
    from app.invoicing.validation import validate_invoice
    from app.profile import create_profile
    from tests.invoicing_fixtures import (
        add_client,
        add_draft,
        add_entrepreneur,
        complete_identity,
    )

    profile = create_profile(folder / "laptop", ProfileSettings(display_name="bench"))
    try:
        complete_identity(profile.uow)
        person = add_entrepreneur(profile.uow)
        draft = add_draft(profile.uow, person, add_client(profile.uow, person))
        issued = validate_invoice(
            profile.uow, profile.paths.documents, draft, dt.date(2026, 11, 20)
        )
        return render_from_snapshot(profile.uow, issued.invoice_id)
    finally:
        profile.close()


def _payloads(pdf: bytes, run: int = 0) -> list[bytes]:
    return [pdf + f"\n% copie {run}-{i}\n".encode() for i in range(COUNT)]


def _queued_siege(folder: Path, payloads: list[bytes]) -> object:
    from app import clock
    from siege import db
    from siege.tables import pa_flow

    engine = db.make_engine(f"sqlite:///{folder / 'siege.sqlite3'}")
    db.migrate(engine)
    now = clock.utcnow()
    with engine.begin() as conn:
        conn.execute(
            pa_flow.insert(),
            [
                {
                    "kind": "invoice",
                    "invoice_id": f"inv-{i}",
                    "invoice_number": f"BEN-2026-{i:05d}",
                    "tracking_id": f"inv-{i}",
                    "route": "e_invoice",
                    "state": "queued",
                    "flow_syntax": "Factur-X",
                    "flow_profile": "CIUS",
                    "processing_rule": "B2B",
                    "file_name": f"BEN-2026-{i:05d}.pdf",
                    "payload": payload,
                    "sha256": hashlib.sha256(payload).hexdigest(),
                    "attempts": 0,
                    "next_attempt_at": now,
                    "last_error": "",
                    "last_status": "",
                    "created_at": now,
                }
                for i, payload in enumerate(payloads)
            ],
        )
    return engine


def _siege_run(folder: Path, payloads: list[bytes]) -> tuple[float, float]:
    """(check as they enter, transmission) in ms: the 1,000 checks ``enqueue_issued``
    makes, then ``send_due`` until all are sent."""
    from sqlalchemy import Engine

    from siege.einvoicing import official_rules, worker
    from siege.einvoicing.afnor import AfnorFlowAdapter
    from siege.einvoicing.config import PaConfig
    from tests.pa_simulator.app import Simulator
    from tests.pa_simulator.server import running

    rules = official_rules.shared()
    rules.check_pdf(payloads[0] + b"\n% compilation\n")  # rule files compiled, unclocked
    start = time.perf_counter()
    assert all(rules.check_pdf(payload) == [] for payload in payloads)
    checked = (time.perf_counter() - start) * 1000
    engine = _queued_siege(folder, payloads)
    assert isinstance(engine, Engine)
    sim = Simulator(validate=False)
    with running(sim) as url:
        adapter = AfnorFlowAdapter(
            PaConfig(url, f"{url}/oauth/token", sim.client_id, sim.client_secret)
        )
        start = time.perf_counter()
        sent = 0
        while sent < COUNT:
            sent += worker.send_due(engine, adapter, limit=COUNT).sent
        elapsed = (time.perf_counter() - start) * 1000
        adapter.close()
    assert len(sim.received()) == COUNT
    engine.dispose()
    return checked, elapsed


def _bare_run(payloads: list[bytes]) -> float:
    import httpx

    from tests.pa_simulator.app import Simulator
    from tests.pa_simulator.server import running

    sim = Simulator(validate=False)
    with running(sim) as url:
        token = httpx.post(
            f"{url}/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=(sim.client_id, sim.client_secret),
        ).json()["access_token"]
        with httpx.Client(headers={"Authorization": f"Bearer {token}"}) as client:
            start = time.perf_counter()
            for i, payload in enumerate(payloads):
                info = {"trackingId": f"inv-{i}", "flowSyntax": "Factur-X"}
                client.post(
                    f"{url}/v1/flows",
                    files={
                        "flowInfo": (None, json.dumps(info), "application/json"),
                        "file": (f"{i}.pdf", payload, "application/pdf"),
                    },
                ).raise_for_status()
            elapsed = (time.perf_counter() - start) * 1000
    assert len(sim.received()) == COUNT
    return elapsed


def _directory_siege(folder: Path) -> object:
    from sqlalchemy.orm import Session

    from app.models import Client, Person
    from siege import db

    engine = db.make_engine(f"sqlite:///{folder / 'siege.sqlite3'}")
    db.migrate(engine)
    with Session(engine) as session:
        person = Person(first_name="Céline", last_name="Martin")
        session.add(person)
        session.flush()
        session.add_all(
            Client(entrepreneur_id=person.id, name=f"Client {i}", siren=f"{100000000 + i}")
            for i in range(COUNT)
        )
        session.commit()
    return engine


def _directory_run(folder: Path) -> float:
    from sqlalchemy import Engine

    from siege.einvoicing import directory
    from siege.einvoicing.afnor import AfnorFlowAdapter
    from siege.einvoicing.config import PaConfig
    from tests.pa_simulator.app import Simulator
    from tests.pa_simulator.server import running

    engine = _directory_siege(folder)
    assert isinstance(engine, Engine)
    sim = Simulator(validate=False)
    with running(sim) as url:
        adapter = AfnorFlowAdapter(
            PaConfig(url, f"{url}/oauth/token", sim.client_id, sim.client_secret)
        )
        start = time.perf_counter()
        report = directory.refresh(engine, adapter, limit=COUNT)
        elapsed = (time.perf_counter() - start) * 1000
        adapter.close()
    assert (report.looked_up, report.published) == (COUNT, COUNT), report
    engine.dispose()
    return elapsed


def _directory_bare_run() -> float:
    import httpx

    from tests.pa_simulator.app import Simulator
    from tests.pa_simulator.server import running

    sim = Simulator(validate=False)
    with running(sim) as url:
        token = httpx.post(
            f"{url}/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=(sim.client_id, sim.client_secret),
        ).json()["access_token"]
        with httpx.Client(headers={"Authorization": f"Bearer {token}"}) as client:
            start = time.perf_counter()
            for i in range(COUNT):
                client.post(
                    f"{url}/v1/directory-line/search",
                    json={"filters": {"siren": {"op": "strict", "value": f"{100000000 + i}"}}},
                ).raise_for_status()
            elapsed = (time.perf_counter() - start) * 1000
    return elapsed


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        pdf = _invoice_pdf(folder)
        checks, sends = [], []
        for run in range(RUNS):
            target = folder / f"run{run}"
            target.mkdir()
            checked, sent = _siege_run(target, _payloads(pdf, run))
            checks.append(checked)
            sends.append(sent)
        bare_runs = [_bare_run(_payloads(pdf)) for _ in range(RUNS)]
        directory_runs = []
        for run in range(RUNS):
            target = folder / f"dir{run}"
            target.mkdir()
            directory_runs.append(_directory_run(target))
        directory_bare = [_directory_bare_run() for _ in range(RUNS)]
    print("contrôle seul à l'entrée (ms) :", ", ".join(f"{c:.0f}" for c in checks))
    harness.print_table(
        f"E-invoicing (siège → simulateur de PA, {COUNT} factures de {len(pdf) // 1024} Ko)",
        [
            harness.Row(
                f"{COUNT} factures en file (contrôlées à l'entrée) transmises "
                "(outbox, jeton, reprise)",
                sends,
                bare_runs,
                target="≤ 30 s",
                floor_label=f"{COUNT} POST multipart nus",
            ),
            harness.Row(
                f"coût entier : {COUNT} contrôles (règles officielles) à l'entrée + transmission",
                [c + s for c, s in zip(checks, sends, strict=True)],
                bare_runs,
                floor_label=f"{COUNT} POST multipart nus",
            ),
            harness.Row(
                f"{COUNT} SIREN cherchés dans l'annuaire (cache, publication)",
                directory_runs,
                directory_bare,
                floor_label=f"{COUNT} POST directory-line/search nus",
            ),
        ],
    )


if __name__ == "__main__":
    main()

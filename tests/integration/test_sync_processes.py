"""Sync with real processes: a uvicorn siège on loopback, connections cut mid-request by a
proxy, the siège killed and restarted mid-sync, and a laptop's sync process SIGKILLed
22 times in the middle of its sync (at named points of the sync and at random moments).
Each ends with the same data everywhere, nothing lost, nothing doubled, and an intact
database."""

from __future__ import annotations

import queue
import random
import signal
import sqlite3
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from app.models import OutboxEntry, Person, SyncRun
from app.profile import Profile, open_profile
from app.sync import service
from app.sync.client import SyncError
from siege import db, devices
from tests.integration.sync_kill_child import PAUSED
from tests.sync_support import new_laptop, snapshot
from tests.sync_support.processes import (
    LOADED_MACHINE_SECONDS,
    ROOT,
    CuttingProxy,
    SiegeProcess,
    python_env,
)


def _enrol(server: SiegeProcess, profile: Profile, name: str, url: str | None = None) -> None:
    engine = db.make_engine(server.database_url)
    code, _prefix = devices.enroll(engine, name, "Reims")
    engine.dispose()
    service.enrol(profile, url or server.url, code)


def _add_persons(profile: Profile, count: int, tag: str) -> None:
    with profile.uow() as uow:
        for i in range(count):
            uow.session.add(
                Person(first_name=f"{tag}{i}", last_name="Essai", notes=f"note {tag}{i}")
            )
        uow.commit()


def _pending(profile: Profile) -> int:
    with profile.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(OutboxEntry)).scalar_one())


def _server_persons(server: SiegeProcess) -> int:
    engine = db.make_engine(server.database_url)
    with engine.connect() as conn:
        count = int(conn.execute(select(func.count()).select_from(Person)).scalar_one())
    engine.dispose()
    return count


def _runs(profile: Profile) -> int:
    with profile.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(SyncRun)).scalar_one())


def _peek(root: Path, sql: str) -> Any:
    # Read-only peek while the sync process holds the profile (WAL allows readers).
    with sqlite3.connect(
        f"file:{root / 'permanence.sqlite3'}?mode=ro", uri=True, timeout=LOADED_MACHINE_SECONDS
    ) as conn:
        return conn.execute(sql).fetchone()[0]


def _runs_on_disk(root: Path) -> int:
    return int(_peek(root, "SELECT count(*) FROM sync_run"))


def _last_run_finished(root: Path) -> bool:
    return _peek(root, "SELECT finished_at FROM sync_run ORDER BY id DESC LIMIT 1") is not None


def _assert_same(server: SiegeProcess, *profiles: Profile) -> None:
    engine = db.make_engine(server.database_url)
    expected = snapshot(engine)
    engine.dispose()
    for profile in profiles:
        assert snapshot(profile.engine) == expected


@pytest.mark.slow
def test_connection_cut_after_the_siege_committed_loses_and_doubles_nothing(
    siege_process: SiegeProcess, tmp_path: Path
) -> None:
    proxy = CuttingProxy(siege_process.port)
    a, b = new_laptop(tmp_path, "A"), new_laptop(tmp_path, "B")
    _enrol(siege_process, a, "A", proxy.url)
    _enrol(siege_process, b, "B")
    _add_persons(a, 30, "a")
    proxy.cut_push_responses = 1
    with pytest.raises(SyncError) as caught:
        service.run_sync(a, batch_size=10)
    assert caught.value.code == "offline" and proxy.cuts_done == 1
    assert _pending(a) == 30  # not acknowledged: still waiting
    assert _server_persons(siege_process) >= 10  # the cut answer was to a committed batch
    service.run_sync(a, batch_size=10)
    service.run_sync(b)
    service.run_sync(a)
    assert _pending(a) == 0
    with a.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Person)).scalar_one() == 30
    _assert_same(siege_process, a, b)
    proxy.close()
    a.close()
    b.close()


@pytest.mark.slow
def test_siege_killed_and_restarted_mid_sync(siege_process: SiegeProcess, tmp_path: Path) -> None:
    a, b = new_laptop(tmp_path, "A"), new_laptop(tmp_path, "B")
    _enrol(siege_process, a, "A")
    _enrol(siege_process, b, "B")
    for batch in range(8):
        _add_persons(a, 50, f"a{batch}-")
    errors: list[BaseException] = []

    def run() -> None:
        try:
            service.run_sync(a, batch_size=5)
        except SyncError as exc:
            errors.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    deadline = time.monotonic() + LOADED_MACHINE_SECONDS
    while _pending(a) == 400 and worker.is_alive():
        assert time.monotonic() < deadline, "the sync never acknowledged a batch"
        time.sleep(0.02)
    siege_process.kill()
    worker.join(LOADED_MACHINE_SECONDS)
    assert not worker.is_alive()
    assert errors and isinstance(errors[0], SyncError) and errors[0].code == "offline"
    assert 0 < _pending(a) < 400
    siege_process.start()
    service.run_sync(a)
    service.run_sync(b)
    service.run_sync(a)
    assert _pending(a) == 0 and _server_persons(siege_process) == 400
    _assert_same(siege_process, a, b)
    a.close()
    b.close()


class KillReport:
    """What the kill rounds did, for the test log and the failure message."""

    def __init__(self) -> None:
        self.landed: list[str] = []
        self.missed: list[str] = []

    def __str__(self) -> str:
        return (
            f"{len(self.landed)} kill(s) landed mid-sync ({', '.join(self.landed)}); "
            f"{len(self.missed)} round(s) where the sync finished before the kill "
            f"({', '.join(self.missed) or 'none'})"
        )


def _start_killable_sync(root: Path, point: str, nth: int, log: Path) -> subprocess.Popen[str]:
    env = {**python_env(), "PERMANENCE_SYNC_BATCH_SIZE": "4", "PERMANENCE_SYNC_PAGE_SIZE": "6"}
    with log.open("w") as err:
        return subprocess.Popen(
            [
                *(sys.executable, "-m", "tests.integration.sync_kill_child", point, str(nth)),
                *("--profile", str(root), "sync"),
            ],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
        )


def _wait_paused(proc: subprocess.Popen[str], timeout: float) -> bool:
    """True once the child says it stopped at its fault point; False if it ended first."""
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line)
        lines.put("")

    threading.Thread(target=read, daemon=True).start()
    deadline = time.monotonic() + timeout
    while True:
        try:
            line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise AssertionError("the sync neither stopped at its point nor ended") from None
        if line.startswith(PAUSED):
            return True
        if line == "":
            return False


def _kill_one_sync(
    root: Path, rng: random.Random, runs_before: int, log: Path, report: KillReport
) -> None:
    """Start ``python -m app sync`` on the profile and SIGKILL it in the middle.

    Half the rounds stop the child at a named point of the sync (after the siège answered
    a push, or inside a pulled page's transaction) and kill it there: those kills land on
    any machine. The others kill at a random moment once the sync has begun, which also
    reaches points no name covers (an SQLite commit, an HTTP request half sent); when the
    sync is quicker than the random delay, the round is reported as missed."""
    if rng.random() < 0.5:
        # Each round queues at least 12 changes (batches of 4) and 8 rows to pull (pages
        # of 6): these passages always come.
        pushes, pages = ("push_answered", rng.randint(1, 3)), ("page_applied", rng.randint(1, 2))
        point, nth = rng.choice([pushes, pages])
    else:
        point, nth = "none", 0
    proc = _start_killable_sync(root, point, nth, log)
    try:
        if point != "none":
            alive = _wait_paused(proc, timeout=LOADED_MACHINE_SECONDS)
        else:
            # Kill once the sync has begun (its history row exists), at a random moment.
            deadline = time.monotonic() + LOADED_MACHINE_SECONDS
            while _runs_on_disk(root) == runs_before and proc.poll() is None:
                assert time.monotonic() < deadline, f"the sync never began; see {log}"
                time.sleep(0.01)
            time.sleep(rng.uniform(0.0, 0.4))
            alive = proc.poll() is None
        if alive:
            proc.send_signal(signal.SIGKILL)
        proc.wait(LOADED_MACHINE_SECONDS)
        # Killed while closing the profile after its sync: not a kill in the middle.
        alive = alive and not _last_run_finished(root)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.close()
        proc.stdout.close()
    where = f"{point} #{nth}" if point != "none" else "random moment"
    if alive:
        report.landed.append(where)
    elif proc.returncode == -signal.SIGKILL:
        report.missed.append(f"{where} (after the sync had ended)")
    else:
        # Not killed: it ran to the end, and a sync that ran to the end must have succeeded.
        assert proc.returncode == 0, f"the sync failed on its own; see {log}"
        report.missed.append(where)


@pytest.mark.slow
def test_laptop_sync_process_killed_22_times_then_converges(
    siege_process: SiegeProcess, tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    rng = random.Random(20261126)
    a, b = new_laptop(tmp_path, "A"), new_laptop(tmp_path, "B")
    _enrol(siege_process, a, "A")
    _enrol(siege_process, b, "B")
    a_root = a.paths.root
    a.close()
    created = 0
    report = KillReport()
    round_no = 0
    while len(report.landed) < 22 and round_no < 45:
        a = open_profile(a_root)
        a.uow.actor = "A"
        _add_persons(a, 12, f"r{round_no}-")
        with a.uow() as uow:
            first = uow.session.scalars(select(Person).order_by(Person.id).limit(1)).one()
            first.notes = f"edited in round {round_no}"
            uow.commit()
        runs_before = _runs(a)
        a.close()
        created += 12
        _add_persons(b, 8, f"b{round_no}-")
        created += 8
        service.run_sync(b, batch_size=4)
        _kill_one_sync(a_root, rng, runs_before, tmp_path / f"sync-{round_no}.log", report)
        reopened = open_profile(a_root)
        assert reopened.integrity_ok(), report
        reopened.close()
        round_no += 1
    record_property("sync_kills", str(report))
    print(f"\n{report}")
    # The proof needs kills that landed mid-sync; how many depends on the machine's speed
    # only for the random-moment rounds, and the report says which ones missed.
    assert report.landed, f"no kill landed in the middle of a sync: {report}"
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-m", "app", "--profile", str(a_root), "sync"],
            cwd=ROOT,
            env=python_env(),
            capture_output=True,
            timeout=LOADED_MACHINE_SECONDS,
        )
        assert done.returncode == 0, done.stderr
    service.run_sync(b)
    a = open_profile(a_root)
    assert a.integrity_ok() and _pending(a) == 0
    with a.engine.connect() as conn:
        persons = conn.execute(select(func.count()).select_from(Person)).scalar_one()
        assert (
            conn.execute(
                select(func.count())
                .select_from(Person)
                .where(Person.notes == f"edited in round {round_no - 1}")
            ).scalar_one()
            == 1
        )
    assert persons == created == _server_persons(siege_process), report
    _assert_same(siege_process, a, b)
    a.close()
    b.close()


def test_health_answers_without_a_token(siege_process: SiegeProcess) -> None:
    response = httpx.get(f"{siege_process.url}/api/v1/health", timeout=LOADED_MACHINE_SECONDS)
    assert response.status_code == 200 and response.json()["status"] == "ok"


@pytest.mark.slow
def test_siege_serves_over_tls_and_laptop_syncs_through_it(tmp_path: Path) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    url = f"sqlite:///{tmp_path}/siege.sqlite3"
    engine = db.make_engine(url)
    db.migrate(engine)
    code, _prefix = devices.enroll(engine, "Portable TLS", "Reims")
    engine.dispose()
    server = SiegeProcess(url, tmp_path / "siege.log", tls=(cert, key))
    server.start()
    try:
        with pytest.raises(httpx.ConnectError):  # an unknown certificate is refused
            httpx.get(f"{server.url}/api/v1/health", timeout=LOADED_MACHINE_SECONDS)
        laptop = new_laptop(tmp_path, "A")
        _add_persons(laptop, 3, "tls")
        trusted = lambda url, token: httpx.Client(  # noqa: E731
            base_url=url,
            verify=ssl.create_default_context(cafile=str(cert)),
            headers={"Authorization": f"Bearer {token}"} if token else {},
        )
        service.enrol(laptop, server.url, code, http_factory=trusted)
        report = service.run_sync(laptop, http_factory=trusted)
        assert report.pushed == 3 and _pending(laptop) == 0
        laptop.close()
    finally:
        server.kill()

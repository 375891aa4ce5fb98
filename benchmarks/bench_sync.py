"""Sync benchmarks (issue 6): a siège holding the ``decade`` dataset, laptops talking to
it through the real HTTP handlers (in process, no network, so the figures are our
layers' cost).

- first full sync of a new laptop, beside the floor: a bare SQLite insert of the same
  rows plus their JSON encoding;
- 100 changes pushed and pulled, beside the same floor for 100 rows;
- a sync with nothing new on the decade siège, beside the same on an empty siège
  (cost follows changes, not size);
- resident memory every 25 pages while streaming a first sync (flat: pages are bounded).
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("PERMANENCE_NO_KEYRING", "1")

from benchmarks import harness


def _siege(folder: Path, source: Path | None) -> Any:
    from siege import db
    from siege.api import create_app
    from siege.importer import import_profile

    engine = db.make_engine(f"sqlite:///{folder}/siege.sqlite3")
    db.migrate(engine)
    if source is not None:
        import_profile(engine, source)
    return engine, create_app(engine)


def _laptop(folder: Path, name: str, engine: Any, app: Any) -> tuple[Any, Any]:
    from fastapi.testclient import TestClient

    from app.config import ProfileSettings
    from app.profile import create_profile
    from app.sync import service
    from siege import devices

    def http(_url: str, token: str | None) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return TestClient(app, base_url="http://localhost", headers=headers)

    profile = create_profile(folder / name, ProfileSettings(display_name=name))
    code, _prefix = devices.enroll(engine, name, "Reims")
    service.enrol(profile, "http://localhost", code, http_factory=http)
    return profile, http


def _all_rows(engine: Any) -> list[tuple[str, list[dict[str, Any]]]]:
    from sqlalchemy import select

    from app.models.base import Base, synced_tables
    from app.sync.codec import encode_row

    out = []
    with engine.connect() as conn:
        for name in synced_tables():
            table = Base.metadata.tables[name]
            rows = [
                {"id": r["id"], **encode_row(name, {k: v for k, v in r.items() if k != "id"})}
                for r in conn.execute(select(table)).mappings()
            ]
            out.append((name, rows))
    return out


def _floor_insert(rows: list[tuple[str, list[dict[str, Any]]]], folder: Path) -> float:
    """Bare floor: JSON-encode and decode the rows, insert them into a fresh SQLite file
    with plain executemany (no ORM, no clocks, no checks)."""
    from sqlalchemy import create_engine

    from app.models.base import Base

    target = folder / f"floor-{time.perf_counter_ns()}.sqlite3"
    engine = create_engine(f"sqlite:///{target}")
    Base.metadata.create_all(engine)
    engine.dispose()
    start = time.perf_counter()
    conn = sqlite3.connect(target)
    conn.execute("PRAGMA journal_mode = WAL")
    for name, table_rows in rows:
        if not table_rows:
            continue
        decoded = json.loads(json.dumps(table_rows))
        cols = list(decoded[0])
        sql = f"INSERT INTO {name} ({','.join(cols)}) VALUES ({','.join('?' * len(cols))})"
        conn.executemany(sql, [tuple(r[c] for c in cols) for r in decoded])
    conn.commit()
    conn.close()
    return (time.perf_counter() - start) * 1000


def _rss_mb() -> float:
    """Resident memory of this process (Linux /proc; tracemalloc would slow the run 3×)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return float("nan")
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def _first_sync(
    folder: Path, source: Path | None, label: str
) -> tuple[float, list[float], int, Any]:
    from app.jobs import JobControl
    from app.sync import service

    (folder / label).mkdir()
    engine, app = _siege(folder / label, source)
    laptop, http = _laptop(folder / label, "nouveau", engine, app)
    steps: list[int] = []
    peaks: list[float] = []

    def on_progress(done: int, _total: int, _label: str) -> None:
        steps.append(done)
        if len(steps) % 25 == 0:  # resident memory every 25 pages
            peaks.append(_rss_mb())

    job = JobControl(on_progress=on_progress)
    start = time.perf_counter()
    report = service.run_sync(laptop, job, http_factory=http, page_size=1000)
    elapsed = (time.perf_counter() - start) * 1000
    peaks.append(_rss_mb())
    laptop.close()
    return elapsed, peaks, report.pulled, (engine, app, len(steps))


def main() -> None:
    from sqlalchemy import select

    from app.ids import deterministic_id
    from app.models import Person
    from app.sync import service

    decade = harness.decade_profile()
    with tempfile.TemporaryDirectory(prefix="bench-sync-") as tmp:
        folder = Path(tmp)
        first_ms, peak_decade, pulled, (engine, app, progress_steps) = _first_sync(
            folder, decade, "decade"
        )
        rows = _all_rows(engine)
        floor_all = [_floor_insert(rows, folder)]

        laptop, http = _laptop(folder / "decade", "portable", engine, app)
        service.run_sync(laptop, http_factory=http, page_size=1000)
        other, http_other = _laptop(folder / "decade", "autre", engine, app)
        service.run_sync(other, http_factory=http_other, page_size=1000)

        def idle_sync() -> None:
            service.run_sync(laptop, http_factory=http)

        idle_decade = harness.measure(idle_sync, repeat=15)
        (folder / "empty").mkdir()
        empty_engine, empty_app = _siege(folder / "empty", None)
        empty_laptop, empty_http = _laptop(folder / "empty", "vide", empty_engine, empty_app)
        service.run_sync(empty_laptop, http_factory=empty_http)
        idle_empty = harness.measure(
            lambda: service.run_sync(empty_laptop, http_factory=empty_http), repeat=15
        )

        # Persons the Reims laptops follow: the siège refuses edits of another antenne's
        # persons (docs/authority.md).
        reims = deterministic_id("antenne", "Reims")
        with laptop.session_factory() as session:
            ids = list(
                session.scalars(
                    select(Person.id)
                    .where(Person.antenne_id == reims)
                    .order_by(Person.id)
                    .limit(100)
                )
            )
        round_no = [0]

        def hundred_changes() -> None:
            round_no[0] += 1
            with laptop.uow() as uow:
                for person_id in ids:
                    uow.session.get(Person, person_id).notes = f"suivi {round_no[0]}"
                uow.commit()
            service.run_sync(laptop, http_factory=http)  # push 100
            service.run_sync(other, http_factory=http_other)  # pull 100

        changes = harness.measure(hundred_changes, repeat=5, warmup=1)
        person_rows = [("person", next(r for n, r in rows if n == "person")[:100])]
        floor_100 = harness.measure(lambda: _floor_insert(person_rows, folder), repeat=5, warmup=1)
        for p in (laptop, other, empty_laptop):
            p.close()

    table_rows = [
        harness.Row(
            f"première synchro complète ({pulled} lignes)",
            [first_ms],
            floor_all,
            target="≤ 60 s",
            floor_label="insert SQLite + JSON",
        ),
        harness.Row(
            "100 modifications envoyées puis reçues",
            changes,
            floor_100,
            target="≤ 1 s",
            floor_label="insert SQLite + JSON",
        ),
        harness.Row(
            "synchro sans nouveauté (decade)",
            idle_decade,
            idle_empty,
            target="≤ 150 ms, ≤ 2× vide",
            floor_label="même synchro, siège vide",
        ),
    ]
    harness.print_table("Synchronisation (decade)", table_rows)
    print(f"progression : {progress_steps} étapes signalées pendant la première synchro")
    stretches = ", ".join(f"{p:.0f}" for p in peak_decade)
    print(
        "mémoire résidente (client et siège dans le même processus) toutes les 25 pages "
        f"pendant la première synchro decade : {stretches} Mo"
    )


if __name__ == "__main__":
    main()

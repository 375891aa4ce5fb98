"""Sync benchmarks (issues 6 and 13): a siège holding the ``decade`` dataset, laptops
talking to it through the real HTTP handlers (in process, no network, so the figures are
our layers' cost).

- first sync of a new siège-staff laptop (the whole decade): from a snapshot
  (app/sync/snapshot.py) beside the old path (pages of changes, ``snapshot=False``)
  measured in the same run, and beside two floors: a bare SQLite insert of the same rows
  plus their JSON encoding, and a plain copy of the database file the laptop ends with;
- first sync of a one-antenne laptop (Vouziers) from a snapshot, as a share of the
  whole one;
- 100 changes pushed and pulled, beside the same floor for 100 rows;
- a sync with nothing new on the decade siège, beside the same on an empty siège
  (cost follows changes, not size);
- resident memory every 25 pages while streaming a first sync (flat: pages are bounded).
"""

from __future__ import annotations

import json
import os
import shutil
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


def _laptop(
    folder: Path, name: str, engine: Any, app: Any, town: str = "Reims", role: str = ""
) -> tuple[Any, Any]:
    from fastapi.testclient import TestClient

    from app.config import ProfileSettings
    from app.profile import create_profile
    from app.sync import service
    from siege import devices

    def http(_url: str, token: str | None) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return TestClient(app, base_url="http://localhost", headers=headers)

    profile = create_profile(folder / name, ProfileSettings(display_name=name))
    code, _prefix = devices.enroll(engine, name, town, role or devices.ACCOMPAGNATEUR)
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
    folder: Path, engine: Any, app: Any, name: str, town: str, role: str, snapshot: bool
) -> tuple[float, list[float], int, Path]:
    """A new laptop's first sync; resident memory every 25 pages or chunks."""
    from app.jobs import JobControl
    from app.sync import service

    laptop, http = _laptop(folder, name, engine, app, town, role)
    steps: list[int] = []
    peaks: list[float] = []

    def on_progress(done: int, _total: int, _label: str) -> None:
        steps.append(done)
        if len(steps) % 25 == 0:
            peaks.append(_rss_mb())

    job = JobControl(on_progress=on_progress)
    start = time.perf_counter()
    report = service.run_sync(laptop, job, http_factory=http, page_size=1000, snapshot=snapshot)
    elapsed = (time.perf_counter() - start) * 1000
    peaks.append(_rss_mb())
    database = laptop.paths.database
    laptop.close()
    return elapsed, peaks, report.pulled, Path(database)


def _floor_copy(database: Path, folder: Path) -> float:
    """Floor of copying the same bytes: the laptop's database file, copied and synced to
    disk."""
    target = folder / f"copy-{time.perf_counter_ns()}.sqlite3"
    start = time.perf_counter()
    shutil.copyfile(database, target)
    with open(target, "rb+") as handle:
        os.fsync(handle.fileno())
    elapsed = (time.perf_counter() - start) * 1000
    target.unlink()
    return elapsed


def main() -> None:
    from sqlalchemy import select

    from app.ids import deterministic_id
    from app.models import Person
    from app.sync import service
    from siege.devices import ACCOMPAGNATEUR, SIEGE

    decade = harness.decade_profile()
    with tempfile.TemporaryDirectory(prefix="bench-sync-") as tmp:
        folder = Path(tmp)
        (folder / "decade").mkdir()
        engine, app = _siege(folder / "decade", decade)
        here = folder / "decade"
        old_ms, peak_old, old_rows, _db = _first_sync(
            here, engine, app, "ancien", "Reims", SIEGE, snapshot=False
        )
        first_ms, peak_decade, pulled, whole_db = _first_sync(
            here, engine, app, "nouveau", "Reims", SIEGE, snapshot=True
        )
        one_ms, _peak_one, one_rows, _one_db = _first_sync(
            here, engine, app, "vouziers", "Vouziers", ACCOMPAGNATEUR, snapshot=True
        )
        rows = _all_rows(engine)
        floor_all = [_floor_insert(rows, folder)]
        floor_copy = [_floor_copy(whole_db, folder) for _ in range(3)]
        database_mb = whole_db.stat().st_size / 1e6

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
            f"première synchro, poste du siège, ancien chemin ({old_rows} lignes)",
            [old_ms],
            floor_all,
            target="référence",
            floor_label="insert SQLite + JSON",
        ),
        harness.Row(
            f"première synchro, poste du siège, instantané ({pulled} lignes)",
            [first_ms],
            [old_ms],
            target="≥ 2,5× plus rapide que l'ancien chemin",
            floor_label="ancien chemin, même exécution",
        ),
        harness.Row(
            "première synchro, poste du siège, instantané",
            [first_ms],
            floor_all,
            target="≤ 1,5× le plancher",
            floor_label="insert SQLite + JSON des mêmes lignes",
        ),
        harness.Row(
            "première synchro, poste du siège, instantané",
            [first_ms],
            floor_copy,
            target="(pour mémoire)",
            floor_label=f"copie du fichier obtenu ({database_mb:.0f} Mo)",
        ),
        harness.Row(
            f"première synchro, poste de Vouziers, instantané ({one_rows} lignes)",
            [one_ms],
            [first_ms],
            target="≤ 30 % du poste du siège",
            floor_label="poste du siège, instantané",
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
    print(
        f"débit : ancien chemin {old_rows / old_ms * 1000:.0f} lignes/s, "
        f"instantané {pulled / first_ms * 1000:.0f} lignes/s"
    )
    for label, peaks in (("instantané", peak_decade), ("ancien chemin", peak_old)):
        stretches = ", ".join(f"{p:.0f}" for p in peaks)
        print(
            "mémoire résidente (client et siège dans le même processus) toutes les 25 "
            f"étapes pendant la première synchro decade ({label}) : {stretches} Mo"
        )


if __name__ == "__main__":
    main()

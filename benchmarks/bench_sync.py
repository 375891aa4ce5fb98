"""Sync benchmarks (issues 6 and 13): a siège holding the ``decade`` dataset, laptops
talking to it through the real HTTP handlers (in process, no network, so the figures are
our layers' cost).

- first sync of a new siège-staff laptop (the whole decade) from the siège's SQLite
  snapshot file (siege/snapshot.py, app/sync/snapshot*.py), with the file built for it
  and with the file already in the siège's cache, beside the old path (pages of changes,
  ``snapshot=False``) measured in the same run, and beside the floor of copying the same
  bytes: the snapshot file read and written, plus the laptop's final database read and
  written (each copy synced to disk);
- the snapshot's phases: building the file on the siège, then on the laptop download,
  checksum, the file's structure checks, then the copy (app/sync/snapshot_copy.py) with
  the value checks (app/sync/snapshot_check.py) running beside it in a thread;
- first sync of a siège-staff laptop whose profile is encrypted (SQLCipher), from a
  SQLCipher file built for it, beside the same sync into a plain profile: what the
  encryption costs;
- first sync of a one-antenne laptop (Vouziers) from a snapshot, as a share of the
  whole one (both with their file built);
- 100 changes pushed and pulled, beside a bare insert of 100 rows;
- a sync with nothing new on the decade siège, beside the same on an empty siège
  (cost follows changes, not size);
- resident memory of the process (siège and laptop together) sampled every 100 ms
  while a snapshot is built, downloaded and copied, and every 25 pages of the old path:
  flat when nothing grows with the data.
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
    folder: Path,
    name: str,
    engine: Any,
    app: Any,
    town: str = "Reims",
    role: str = "",
    passphrase: str | None = None,
) -> tuple[Any, Any]:
    from fastapi.testclient import TestClient

    from app.config import ProfileSettings
    from app.profile import create_profile
    from app.sync import service
    from siege import devices

    def http(_url: str, token: str | None) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return TestClient(app, base_url="http://localhost", headers=headers)

    settings = ProfileSettings(display_name=name, encrypted=passphrase is not None)
    profile = create_profile(folder / name, settings, passphrase)
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


class _Sampler:
    """Resident memory every ``every`` seconds in a thread, with the phase it fell in."""

    def __init__(self, every: float = 0.1) -> None:
        import threading

        self.every, self.phase = every, "hello+plan"
        self.samples: list[tuple[str, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.samples.append((self.phase, _rss_mb()))

    def __enter__(self) -> _Sampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def by_phase(self) -> dict[str, list[float]]:
        out: dict[str, list[float]] = {}
        for phase, rss in self.samples:
            out.setdefault(phase, []).append(rss)
        return out


def _first_sync(
    folder: Path,
    engine: Any,
    app: Any,
    name: str,
    town: str,
    role: str,
    snapshot: bool,
    passphrase: str | None = None,
) -> dict[str, Any]:
    """A new laptop's first sync, with its phases (snapshot) and resident memory;
    ``passphrase``: an encrypted (SQLCipher) profile, which gets a SQLCipher file."""
    from app.jobs import JobControl
    from app.sync import service

    laptop, http = _laptop(folder, name, engine, app, town, role, passphrase)
    steps: list[int] = []
    peaks: list[float] = []
    marks: dict[str, float] = {}
    sampler = _Sampler()

    def on_progress(done: int, _total: int, _label: str) -> None:
        steps.append(done)
        if len(steps) % 25 == 0:
            peaks.append(_rss_mb())

    phase_of = {
        "snapshot_block": "download",
        "snapshot_downloaded": "sha",
        "snapshot_verified": "check",
        "snapshot_checked": "copy",
        "snapshot_copied": "pull",
    }

    cpu: dict[str, tuple[float, float]] = {}

    def fault(point: str) -> None:
        phase = phase_of.get(point)
        if phase is not None and phase not in marks:
            marks[phase] = time.perf_counter()
            cpu[phase] = _cpu()
            sampler.phase = phase

    job = JobControl(on_progress=on_progress)
    with sampler:
        start = time.perf_counter()
        report = service.run_sync(
            laptop, job, http_factory=http, page_size=1000, snapshot=snapshot, fault=fault
        )
        end = time.perf_counter()
    peaks.append(_rss_mb())
    database = Path(laptop.paths.database)
    laptop.close()
    phases: dict[str, float] = {}
    if snapshot and {"download", "sha", "check", "copy", "pull"} <= set(marks):
        phases = {
            "hello + plan (siège : fichier préparé)": marks["download"] - start,
            "téléchargement": marks["sha"] - marks["download"],
            # Computed as the bytes arrive (app/sync/snapshot.py): only the comparison.
            "somme SHA-256": marks["check"] - marks["sha"],
            "contrôles de structure": marks["copy"] - marks["check"],
            # The value checks run in a thread beside the copy (app/sync/snapshot.py).
            "copie et contrôles des valeurs en parallèle": marks["pull"] - marks["copy"],
            "pull après le curseur": end - marks["pull"],
        }
    user = system = 0.0
    if "copy" in cpu and "pull" in cpu:
        user, system = (cpu["pull"][0] - cpu["copy"][0], cpu["pull"][1] - cpu["copy"][1])
    return {
        "ms": (end - start) * 1000,
        "copy_cpu_ms": (user * 1000, system * 1000),
        "rows": report.pulled,
        "database": database,
        "pages_rss": peaks,
        "rss": sampler.by_phase(),
        "phases": {k: v * 1000 for k, v in phases.items()},
    }


def _cpu() -> tuple[float, float]:
    """CPU seconds of this process so far (user, system): the copy's cost whatever else
    the machine runs (its wall time follows the machine's load)."""
    times = os.times()
    return times.user, times.system


def _copy_synced(source: Path, folder: Path) -> float:
    """Read ``source`` and write it to a new file synced to disk; milliseconds."""
    target = folder / f"copy-{time.perf_counter_ns()}.sqlite3"
    start = time.perf_counter()
    shutil.copyfile(source, target)
    with open(target, "rb+") as handle:
        os.fsync(handle.fileno())
    elapsed = (time.perf_counter() - start) * 1000
    target.unlink()
    return elapsed


def _floor_copy(snapshot_file: Path, database: Path, folder: Path) -> float:
    """Floor of copying the same bytes: the snapshot file read and written, plus the
    laptop's final database read and written."""
    return _copy_synced(snapshot_file, folder) + _copy_synced(database, folder)


def _build(engine: Any, name: str, town: str, role: str, where: Path) -> tuple[float, Path]:
    """Build one device's snapshot file into an empty folder; (ms, file)."""
    from siege import devices
    from siege import snapshot as siege_snapshot

    code, _prefix = devices.enroll(engine, name, town, role)
    record, _token = devices.complete_enrolment(engine, code)
    where.mkdir()
    start = time.perf_counter()
    prepared = siege_snapshot.prepare(engine, record, where)
    return (time.perf_counter() - start) * 1000, prepared.path


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
        os.environ["PERMANENCE_SNAPSHOT_DIR"] = str(folder / "cache")
        old = _first_sync(here, engine, app, "ancien", "Reims", SIEGE, snapshot=False)
        built = _first_sync(here, engine, app, "nouveau", "Reims", SIEGE, snapshot=True)
        cached = _first_sync(here, engine, app, "suivant", "Reims", SIEGE, snapshot=True)
        one = _first_sync(here, engine, app, "vouziers", "Vouziers", ACCOMPAGNATEUR, True)
        # An encrypted profile: its file is a SQLCipher one, built for it (another kind).
        sealed = _first_sync(
            here, engine, app, "chiffre", "Reims", SIEGE, True, passphrase="phrase de passe longue"
        )
        build_ms, snapshot_file = _build(engine, "mesure", "Reims", SIEGE, folder / "build")
        one_build_ms, one_file = _build(
            engine, "mesure-v", "Vouziers", ACCOMPAGNATEUR, folder / "build-v"
        )
        floor_copy = [_floor_copy(snapshot_file, built["database"], folder) for _ in range(3)]
        file_mb = snapshot_file.stat().st_size / 1e6
        one_file_mb = one_file.stat().st_size / 1e6
        database_mb = built["database"].stat().st_size / 1e6
        rows = _all_rows(engine)

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
            f"première synchro, poste du siège, instantané, fichier construit ({built['rows']} lignes)",
            [built["ms"]],
            [old["ms"]],
            target="≥ 2,5× plus rapide",
            floor_label=f"ancien chemin, pages ({old['rows']} lignes), même exécution",
        ),
        harness.Row(
            "première synchro, poste du siège, instantané, fichier en cache",
            [cached["ms"]],
            [old["ms"]],
            target="≥ 2,5× plus rapide",
            floor_label="ancien chemin, pages, même exécution",
        ),
        harness.Row(
            "première synchro, poste du siège, instantané, fichier construit",
            [built["ms"]],
            floor_copy,
            target="≤ 1,5× le plancher",
            floor_label=(
                f"copie des mêmes octets (fichier {file_mb:.0f} Mo + base {database_mb:.0f} Mo)"
            ),
        ),
        harness.Row(
            "première synchro, poste du siège, instantané, fichier en cache",
            [cached["ms"]],
            floor_copy,
            target="≤ 1,5× le plancher",
            floor_label="copie des mêmes octets",
        ),
        harness.Row(
            "construction du fichier au siège (poste du siège)",
            [build_ms],
            floor_copy,
            target="(pour mémoire)",
            floor_label="copie des mêmes octets",
        ),
        harness.Row(
            "première synchro, poste du siège, profil chiffré (fichier SQLCipher construit)",
            [sealed["ms"]],
            [built["ms"]],
            target="(pour mémoire)",
            floor_label="même synchro, profil non chiffré",
        ),
        harness.Row(
            f"première synchro, poste de Vouziers, instantané ({one['rows']} lignes)",
            [one["ms"]],
            [built["ms"]],
            target="≤ 30 % du poste du siège",
            floor_label="poste du siège, instantané, fichier construit",
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
        f"débit : ancien chemin {old['rows'] / old['ms'] * 1000:.0f} lignes/s, "
        f"instantané {built['rows'] / built['ms'] * 1000:.0f} lignes/s (fichier construit), "
        f"{cached['rows'] / cached['ms'] * 1000:.0f} lignes/s (en cache)"
    )
    print(
        f"construction seule : poste du siège {build_ms:.0f} ms, "
        f"Vouziers {one_build_ms:.0f} ms ({one_file_mb:.1f} Mo)"
    )
    runs = (
        ("fichier construit", built),
        ("fichier en cache", cached),
        ("profil chiffré", sealed),
        ("Vouziers", one),
    )
    for label, run in runs:
        parts = ", ".join(f"{k} {v:.0f} ms" for k, v in run["phases"].items())
        print(f"phases ({label}) : {parts}")
    for label, run in runs:
        user, system = run["copy_cpu_ms"]
        print(
            f"CPU du processus pendant la copie et les contrôles ({label}) : "
            f"{user:.0f} ms utilisateur + {system:.0f} ms système"
        )
    for label, run in (("fichier construit", built), ("fichier en cache", cached)):
        for phase, series in run["rss"].items():
            shown = series[:: max(1, len(series) // 12)]
            print(
                f"mémoire résidente ({label}, {phase}, toutes les 100 ms) : "
                + ", ".join(f"{p:.0f}" for p in shown)
                + " Mo"
            )
    stretches = ", ".join(f"{p:.0f}" for p in old["pages_rss"])
    print(f"mémoire résidente toutes les 25 pages (ancien chemin) : {stretches} Mo")


if __name__ == "__main__":
    main()

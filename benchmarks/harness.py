"""Shared benchmark helpers: timing, the results table, cached generated profiles.

Every figure is printed beside a *floor* measured in the same run (the bare SQL
query, an empty window, a bare reportlab page...), so the ratio says how much our
layers cost on this machine, whatever the machine.

Usage in a ``benchmarks/bench_<area>.py``::

    from benchmarks import harness

    def main() -> None:
        root = harness.decade_profile()
        rows = [harness.Row("ouvrir la liste", harness.measure(open_list),
                            harness.measure(bare_query), target="≤ 200 ms")]
        harness.print_table("Personnes (decade)", rows)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CACHE_ENV = "PERMANENCE_BENCH_CACHE"
DEFAULT_CACHE = Path(os.environ.get("TMPDIR", "/tmp")) / "permanence-bench"
SEED = 1


# Timing ---------------------------------------------------------------------------
def measure(fn: Callable[[], Any], *, repeat: int = 20, warmup: int = 2) -> list[float]:
    """Run ``fn`` ``warmup`` times untimed, then ``repeat`` times; milliseconds per run."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def median(samples: Sequence[float]) -> float:
    return float(statistics.median(samples))


def p95(samples: Sequence[float]) -> float:
    """Nearest-rank 95th percentile (no interpolation: a value that was really observed)."""
    ordered = sorted(samples)
    rank = max(0, min(len(ordered) - 1, round(0.95 * len(ordered) + 0.5) - 1))
    return float(ordered[rank])


@dataclass(frozen=True)
class Row:
    """One line of a results table: a figure, its floor, and the target it is held to."""

    figure: str
    samples: Sequence[float]
    floor: Sequence[float] | None = None
    target: str = ""
    unit: str = "ms"
    floor_label: str = ""

    @property
    def ratio(self) -> float | None:
        if not self.floor:
            return None
        base = median(self.floor)
        return median(self.samples) / base if base else None


def _fmt(value: float, unit: str) -> str:
    if unit == "ms" and value < 10:
        return f"{value:.2f} {unit}"
    return f"{value:.1f} {unit}" if value < 100 else f"{value:.0f} {unit}"


def table(title: str, rows: Sequence[Row]) -> str:
    """A Markdown table: figure | median | p95 | floor | ratio | target."""
    lines = [
        f"### {title}",
        "",
        "| figure | median | p95 | floor | ratio | target |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        floor = "—"
        if row.floor:
            floor = _fmt(median(row.floor), row.unit)
            if row.floor_label:
                floor += f" ({row.floor_label})"
        ratio = f"{row.ratio:.2f}×" if row.ratio is not None else "—"
        lines.append(
            f"| {row.figure} | {_fmt(median(row.samples), row.unit)} | "
            f"{_fmt(p95(row.samples), row.unit)} | {floor} | {ratio} | {row.target or '—'} |"
        )
    return "\n".join(lines) + "\n"


def print_table(title: str, rows: Sequence[Row]) -> str:
    text = table(title, rows)
    print(text, flush=True)
    return text


# Generated profiles -------------------------------------------------------------------
def cache_dir() -> Path:
    return Path(os.environ.get(CACHE_ENV) or DEFAULT_CACHE)


def _fingerprint(size: str) -> str:
    """Changes when the generator, the models or the migrations change (then regenerate),
    and each day (the data is laid out relative to today)."""
    digest = hashlib.sha256(f"{size}|{SEED}|{dt.date.today()}".encode())
    for folder in ("app/demo", "app/models", "app/migrations/versions"):
        for path in sorted((ROOT / folder).glob("*.py")):
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def generated_profile(size: str) -> Path:
    """A profile of ``size`` (demo | decade), generated once and reused while valid."""
    from filelock import FileLock

    root = cache_dir() / size
    stamp = root / ".fingerprint"
    wanted = _fingerprint(size)
    if stamp.exists() and stamp.read_text() == wanted:
        return root
    cache_dir().mkdir(parents=True, exist_ok=True)
    # Two benchmarks started together must not both regenerate the same folder.
    with FileLock(str(cache_dir() / f"{size}.generating.lock")):
        if stamp.exists() and stamp.read_text() == wanted:
            return root
        _generate(root, size, stamp, wanted)
    return root


def _generate(root: Path, size: str, stamp: Path, wanted: str) -> None:
    shutil.rmtree(root, ignore_errors=True)
    print(f"(génération du profil {size} dans {root}…)", file=sys.stderr, flush=True)
    start = time.perf_counter()
    from app.demo.generator import generate

    generate(root, size=size, seed=SEED)
    _settle(root)
    stamp.write_text(wanted)
    print(f"(profil {size} généré en {time.perf_counter() - start:.1f} s)", file=sys.stderr)


def decade_profile() -> Path:
    return generated_profile("decade")


def _settle(root: Path) -> None:
    """Open once so the start-of-day backup is done and SQLite statistics exist: timed
    runs then measure the steady state, not a one-off backup of 200 MB."""
    from app.profile import open_profile

    profile = open_profile(root)
    try:
        with profile.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    finally:
        profile.close()


def scratch_copy(size: str, target: Path) -> Path:
    """A private copy of a generated profile: for benchmarks that write, and for those that
    open it in child processes (a profile is locked by the process that has it open, so
    two benchmarks running at once must not share one). The start-of-day backup is
    copied too, so opening the copy does not make a new one."""
    source = generated_profile(size)
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("*.lock", "*-wal", "*-shm"))
    return target


def bare_connection(root: Path) -> sqlite3.Connection:
    """A plain sqlite3 connection to a profile's database, for floors."""
    return sqlite3.connect(str(root / "permanence.sqlite3"))


# Subprocesses ---------------------------------------------------------------------------
def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def time_until_line(args: Sequence[str], marker: str, timeout: float = 120) -> tuple[float, str]:
    """Start a process and time (ms) until it prints a line starting with ``marker``;
    returns the time and that line. The process is then left to finish by itself."""
    times, lines = time_until_lines(args, (marker,), timeout)
    return times[marker], lines[marker]


def time_until_lines(
    args: Sequence[str], markers: Sequence[str], timeout: float = 120
) -> tuple[dict[str, float], dict[str, str]]:
    """Start a process and time (ms, from spawn) each line starting with one of
    ``markers``, in the order they come; returns the times and the lines."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        list(args), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env=child_env(), cwd=str(ROOT),
    )  # fmt: skip
    assert proc.stdout is not None
    times: dict[str, float] = {}
    lines: dict[str, str] = {}
    try:
        for line in proc.stdout:
            marker = next((m for m in markers if line.startswith(m) and m not in times), None)
            if marker is not None:
                times[marker] = (time.perf_counter() - start) * 1000
                lines[marker] = line.strip()
                if len(times) == len(markers):
                    break
        missing = [m for m in markers if m not in times]
        if missing:
            raise RuntimeError(f"{args!r} ended without printing {missing!r}")
        proc.wait(timeout=timeout)
    finally:
        if proc.poll() is None:
            proc.kill()
    return times, lines


# Machine --------------------------------------------------------------------------------
def machine_description() -> str:
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    try:
        import psutil

        memory = f"{psutil.virtual_memory().total / 2**30:.0f} GiB RAM, "
    except ImportError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} logical CPUs, {memory}"
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}"
    )

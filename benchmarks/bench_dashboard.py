"""Tableau de bord figures on the decade profile, each beside a floor measured in the
same run:

- the dashboard for the last full year (all antennes, and one antenne: every person
  figure then reads the attachment history) and for ten years (every indicator, one
  read), vs the bare SQL its costliest parts stand for on a plain sqlite3 connection
  (the window over all parcours stages, the invoice sums by month, the attendance
  sums), run in turns with it; in wall time and in CPU time (a busy machine distorts
  the CPU time least; budgets of issue 17: one year 150 ms, ten years 400 ms);
- the funder export for a year written to XLSX, vs openpyxl writing the same number
  of rows and columns already in memory;
- the annual report PDF (two years of figures, three charts), vs a bare reportlab
  page with the same key-figure lines.

With ``--against DIR`` (another checkout, e.g. ``git worktree add /tmp/dash-old dc633cb``)
the three dashboard rows are also measured with that checkout's code on the same
generated data, migrated down to that checkout's schema head (the derived tables and
indexes of later migrations dropped), each beside its own floor, in the same run.

Run: ``python -m benchmarks.bench_dashboard [--against DIR]``.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks import harness

BARE_SQL = [
    "SELECT count(*) FROM (SELECT person_id, lead(start_date) OVER (PARTITION BY person_id "
    "ORDER BY start_date, id) AS next_start, kind, start_date, end_date FROM parcours_stage "
    "WHERE deleted_at IS NULL) WHERE kind IN ('cape','salarie','associe') "
    "AND start_date <= :end AND (next_start IS NULL OR next_start > :start)",
    "SELECT substr(issue_date, 1, 7), sum(total_excl_cents) FROM invoice "
    "WHERE deleted_at IS NULL AND status != 'brouillon' AND issue_date BETWEEN :start AND :end "
    "GROUP BY 1",
    "SELECT count(*) FROM payment WHERE deleted_at IS NULL AND paid_on BETWEEN :start AND :end",
    "SELECT count(*), count(DISTINCT a.person_id) FROM attendance a "
    "JOIN activity_slot s ON s.id = a.slot_id JOIN activity v ON v.id = s.activity_id "
    "WHERE v.held_on BETWEEN :start AND :end AND a.state = 'present'",
    "SELECT decision, count(*) FROM intake_interview WHERE held_on BETWEEN :start AND :end "
    "GROUP BY decision",
]


def _bare(conn: sqlite3.Connection, start: dt.date, end: dt.date) -> None:
    params = {"start": start.isoformat(), "end": end.isoformat()}
    for sql in BARE_SQL:
        conn.execute(sql, params).fetchall()


def dashboard_row(profile: Any, root: Path, start: dt.date, end: dt.date, label: str,
                  target: str, antenne_id: str | None = None,
                  clock: Callable[[], float] = time.perf_counter) -> harness.Row:  # fmt: skip
    """The dashboard beside its floor, run in turns (figure, floor, figure...) so a
    machine whose load changes during the run weighs on both alike. ``clock``:
    ``time.process_time`` gives the CPU time of this process, what a loaded machine
    distorts least (the dashboard and its floor both run here)."""
    from app.indicators.dashboard import dashboard
    from app.indicators.period import Filters, Period

    filters = Filters(Period(start, end), antenne_id)
    conn = harness.bare_connection(root)
    samples, floor = _in_turns(
        lambda: dashboard(profile.uow, filters), lambda: _bare(conn, start, end), clock
    )
    conn.close()
    if clock is time.process_time:
        label += " (temps CPU)"
    return harness.Row(label, samples, floor, target, floor_label="SQL nu")


def _in_turns(
    figure: Callable[[], object], bare: Callable[[], object], clock: Callable[[], float],
    repeat: int = 10,
) -> tuple[list[float], list[float]]:  # fmt: skip
    figure(), bare(), figure(), bare()  # warm-up
    samples: list[float] = []
    floor: list[float] = []
    for _ in range(repeat):
        for run, out in ((figure, samples), (bare, floor)):
            start = clock()
            run()
            out.append((clock() - start) * 1000)
    return samples, floor


# Run by the other checkout's interpreter path: its dashboard beside the same floor, in
# turns, on a profile at its schema; prints [[samples, floor], ...] as JSON.
AGAINST_SCRIPT = """
import datetime as dt, json, sqlite3, sys, time
from pathlib import Path
from app.indicators.dashboard import dashboard
from app.indicators.period import Filters, Period
from app.profile import open_profile
root, cases, bare_sql = Path(sys.argv[1]), json.loads(sys.argv[2]), json.loads(sys.argv[3])
profile = open_profile(root)
conn = sqlite3.connect(str(root / "permanence.sqlite3"))
out = []
for start, end, clock_name in cases:
    clock = getattr(time, clock_name)
    filters = Filters(Period(dt.date.fromisoformat(start), dt.date.fromisoformat(end)))
    def bare():
        for sql in bare_sql:
            conn.execute(sql, {"start": start, "end": end}).fetchall()
    def figure():
        dashboard(profile.uow, filters)
    figure(), bare(), figure(), bare()
    samples, floor = [], []
    for _ in range(10):
        for run, into in ((figure, samples), (bare, floor)):
            began = clock()
            run()
            into.append((clock() - began) * 1000)
    out.append([samples, floor])
conn.close()
profile.close()
print(json.dumps(out))
"""


def against_rows(other: Path, root: Path, year: int) -> list[harness.Row]:
    """The dashboard of checkout ``other`` on a copy of ``root`` migrated down to its schema
    head (see the module's docstring)."""
    from alembic import command
    from sqlalchemy import create_engine

    from app.migrate import alembic_config

    head = re.search(r'SCHEMA_HEAD = "(\w+)"', (other / "app" / "migrate.py").read_text())
    assert head, f"no SCHEMA_HEAD in {other}"
    commit = subprocess.run(
        ["git", "-C", str(other), "rev-parse", "--short", "HEAD"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    copy = root.parent / "against"
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns("*.lock", "*-wal", "*-shm"))
    engine = create_engine(f"sqlite:///{copy / 'permanence.sqlite3'}")
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), head.group(1))
    engine.dispose()
    cases = [
        (f"{year}-01-01", f"{year}-12-31", "perf_counter", f"tableau de bord, année {year}",
         "≤ 150 ms"),
        (f"{year - 9}-01-01", f"{year}-12-31", "perf_counter",
         f"tableau de bord, {year - 9}–{year}", "≤ 400 ms"),
        (f"{year}-01-01", f"{year}-12-31", "process_time",
         f"tableau de bord, année {year} (temps CPU)", "≤ 150 ms"),
        (f"{year - 9}-01-01", f"{year}-12-31", "process_time",
         f"tableau de bord, {year - 9}–{year} (temps CPU)", "≤ 400 ms"),
    ]  # fmt: skip
    env = {**harness.child_env(), "PYTHONPATH": str(other)}
    found = subprocess.run(
        [sys.executable, "-c", AGAINST_SCRIPT, str(copy),
         json.dumps([c[:3] for c in cases]), json.dumps(BARE_SQL)],
        capture_output=True, text=True, check=True, env=env, cwd=str(other),
    ).stdout  # fmt: skip
    results = json.loads(found.strip().splitlines()[-1])
    return [
        harness.Row(f"{label}, code {commit}", samples, floor, target, floor_label="SQL nu")
        for (_s, _e, _c, label, target), (samples, floor) in zip(cases, results, strict=True)
    ]


def funder_row(profile: Any, year: int) -> harness.Row:
    from openpyxl import Workbook

    from app.exports.funder import funder_table
    from app.exports.service import export_funder
    from app.indicators.period import Filters, Period

    filters = Filters(Period.year(year))
    rows = [list(r) for r in funder_table(profile.uow, filters).rows]

    def bare() -> None:
        book = Workbook()
        sheet = book.active
        for row in rows:
            sheet.append(row)
        book.save(io.BytesIO())

    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "financeur.xlsx"
        samples = harness.measure(lambda: export_funder(profile.uow, filters, target), repeat=5)
    floor = harness.measure(bare, repeat=5)
    return harness.Row(
        f"export financeur {year} en XLSX ({len(rows)} participants)",
        samples,
        floor,
        "≤ 2 s",
        floor_label="openpyxl nu, mêmes lignes",
    )


def report_row(profile: Any, year: int) -> harness.Row:
    from reportlab.pdfgen.canvas import Canvas

    from app.pdf.annual_report import build_annual_report
    from app.pdf.common import FONT, register_fonts

    def bare() -> None:
        register_fonts()
        canvas = Canvas(io.BytesIO())
        canvas.setFont(FONT, 9)
        for index in range(14):
            canvas.drawString(60, 780 - index * 16, f"Indicateur {index} : 1 234 / 1 100")
        canvas.showPage()
        canvas.save()

    samples = harness.measure(
        lambda: build_annual_report(profile.uow, year, io.BytesIO()), repeat=5
    )
    floor = harness.measure(bare, repeat=5)
    return harness.Row(
        f"rapport annuel {year} (PDF, 2 années, 3 graphiques)",
        samples,
        floor,
        "≤ 3 s",
        floor_label="page reportlab nue",
    )


def main() -> None:
    from app.ids import deterministic_id
    from app.profile import open_profile

    # A private copy: another benchmark may hold the shared decade profile open (locked).
    scratch = Path(tempfile.mkdtemp(prefix="bench-dashboard-"))
    root = harness.scratch_copy("decade", scratch / "decade")
    year = dt.date.today().year - 1
    profile = open_profile(root)
    reims = deterministic_id("antenne", "Reims")
    try:
        # Budgets of issue 17 (on an idle fast machine): one year 150 ms, ten years 400 ms.
        # With an antenne filter every person figure also reads the attachment history.
        rows = [
            dashboard_row(profile, root, dt.date(year, 1, 1), dt.date(year, 12, 31),
                          f"tableau de bord, année {year}", "≤ 150 ms"),
            dashboard_row(profile, root, dt.date(year, 1, 1), dt.date(year, 12, 31),
                          f"tableau de bord, année {year}, antenne de Reims", "≤ 150 ms",
                          reims),
            dashboard_row(profile, root, dt.date(year - 9, 1, 1), dt.date(year, 12, 31),
                          f"tableau de bord, {year - 9}–{year}", "≤ 400 ms"),
            dashboard_row(profile, root, dt.date(year, 1, 1), dt.date(year, 12, 31),
                          f"tableau de bord, année {year}", "≤ 150 ms",
                          clock=time.process_time),
            dashboard_row(profile, root, dt.date(year - 9, 1, 1), dt.date(year, 12, 31),
                          f"tableau de bord, {year - 9}–{year}", "≤ 400 ms",
                          clock=time.process_time),
            funder_row(profile, year),
            report_row(profile, year),
        ]  # fmt: skip
    finally:
        profile.close()
    try:
        if "--against" in sys.argv:
            other = Path(sys.argv[sys.argv.index("--against") + 1]).resolve()
            rows += against_rows(other, root, year)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"charge moyenne (1, 5, 15 min) : {', '.join(f'{v:.2f}' for v in os.getloadavg())}")
    print(harness.machine_description())
    harness.print_table("Tableau de bord (decade)", rows)


if __name__ == "__main__":
    main()

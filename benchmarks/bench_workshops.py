"""Ateliers figures on the decade profile, each beside a floor measured in the same run.

- opening a session with 30 participants (the session panel loaded), vs the bare SQL
  queries it stands for on a plain sqlite3 connection;
- "tous présents" on 30 participants × 2 slots, vs a bare sqlite3 transaction writing
  the same 60 rows (same database, same durability pragmas);
- the signature sheet for 30 participants and 2 slots, vs a bare reportlab page with
  the same 30 names (embedded font, no layout engine);
- 100 attestations in one batch, vs 100 bare reportlab pages;
- the session list's first page with its flags, vs the bare SQL page;
- signing (issue 16): the next name ready after the pen lifts, the signed sheets of
  30 participants × 2 half-days, sealing a sheet on the siège
  (benchmarks/signing_figures.py).

Run: ``QT_QPA_PLATFORM=offscreen python -m benchmarks.bench_workshops``.
"""

from __future__ import annotations

import datetime as dt
import io
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks import harness, signing_figures

PARTICIPANTS = 30
BATCH = 100
HELD = dt.date(2026, 3, 12)
AFTER = dt.datetime(2026, 3, 12, 18, 0)


def _prepare(profile: Any) -> tuple[str, list[str]]:
    """A 30-participant session at Langres, and the 100 persons used for attestations."""
    from app.ids import deterministic_id
    from app.people import person_directory
    from app.workshops import registrations, workshops
    from app.workshops.workshop_values import SessionInput, default_slots

    uow = profile.uow
    people = [row.id for row in person_directory.search_persons(uow, "", limit=BATCH)]
    activity_id = workshops.create_session(
        uow,
        SessionInput(
            title="Atelier gestion : fixer ses prix",
            slots=default_slots(HELD),
            theme_id=deterministic_id("theme", "Gestion"),
            permanence_id=deterministic_id("permanence", "Langres"),
            animateurs="Claire Testeuse",
            capacity=None,
            funder_ids=[deterministic_id("funder", "FSE+")],
        ),
    )
    for person_id in people[:PARTICIPANTS]:
        registrations.register_person(uow, activity_id, person_id)
    return activity_id, people


def _bare_open(conn: sqlite3.Connection, activity_id: str) -> None:
    conn.execute("SELECT * FROM activity WHERE id = ?", (activity_id,)).fetchone()
    slots = conn.execute(
        "SELECT id, starts_at, ends_at FROM activity_slot WHERE activity_id = ? "
        "AND deleted_at IS NULL ORDER BY starts_at",
        (activity_id,),
    ).fetchall()
    conn.execute(
        "SELECT f.* FROM funder f JOIN activity_funder af ON af.funder_id = f.id "
        "WHERE af.activity_id = ? AND af.deleted_at IS NULL",
        (activity_id,),
    ).fetchall()
    conn.execute(
        "SELECT r.id, r.person_id, p.civility, p.last_name, p.first_name, r.status, "
        "r.registered_at FROM registration r JOIN person p ON p.id = r.person_id "
        "WHERE r.activity_id = ? AND r.deleted_at IS NULL AND r.status != 'annule' "
        "ORDER BY r.registered_at",
        (activity_id,),
    ).fetchall()
    marks = ",".join("?" * len(slots))
    conn.execute(
        f"SELECT slot_id, person_id, state FROM attendance WHERE slot_id IN ({marks}) "
        "AND deleted_at IS NULL",
        [s[0] for s in slots],
    ).fetchall()


def open_session(profile: Any, root: Path, activity_id: str) -> harness.Row:
    from PySide6.QtWidgets import QApplication

    from ui.context import AppContext, ChangeHub
    from ui.pages.workshop_session_panel import SessionPanel
    from ui.tasks import TaskManager

    _app = QApplication.instance() or QApplication([])
    ctx = AppContext(profile=profile, tasks=TaskManager(), hub=ChangeHub())
    panel = SessionPanel(ctx)
    panel.clock = lambda: AFTER
    conn = harness.bare_connection(root)
    samples = harness.measure(lambda: panel.load(activity_id))
    floor = harness.measure(lambda: _bare_open(conn, activity_id))
    assert panel.detail is not None and len(panel.detail.participants) == PARTICIPANTS
    conn.close()
    return harness.Row(
        f"ouvrir une session de {PARTICIPANTS} participants",
        samples,
        floor,
        "≤ 100 ms",
        floor_label="SQL nu",
    )


def all_present(profile: Any, root: Path, activity_id: str) -> harness.Row:
    from app.workshops import attendance

    conn = harness.bare_connection(root)
    conn.isolation_level = None
    conn.execute("PRAGMA synchronous = FULL")

    def reset() -> None:
        conn.execute(
            "UPDATE attendance SET state = 'attendu' WHERE slot_id IN "
            "(SELECT id FROM activity_slot WHERE activity_id = ?)",
            (activity_id,),
        )

    rows = conn.execute(
        "SELECT s.id, r.person_id FROM activity_slot s JOIN registration r "
        "ON r.activity_id = s.activity_id WHERE s.activity_id = ? AND r.status = 'inscrit'",
        (activity_id,),
    ).fetchall()

    def bare() -> None:
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(
            "UPDATE attendance SET state = 'present' WHERE slot_id = ? AND person_id = ?", rows
        )
        conn.execute("COMMIT")

    samples, floor = [], []
    attendance.mark_all_present(profile.uow, activity_id, now=AFTER)  # rows exist from now on
    for _ in range(20):
        reset()
        start = time.perf_counter()
        changed = attendance.mark_all_present(profile.uow, activity_id, now=AFTER)
        samples.append((time.perf_counter() - start) * 1000)
        assert changed == 2 * PARTICIPANTS
        reset()
        start = time.perf_counter()
        bare()
        floor.append((time.perf_counter() - start) * 1000)
    conn.close()
    return harness.Row(
        f"« tous présents » ({PARTICIPANTS} × 2 créneaux)",
        samples,
        floor,
        "≤ 50 ms",
        floor_label="UPDATE nus, même transaction",
    )


def _bare_page(target: Any, names: list[str]) -> None:
    from reportlab.pdfgen.canvas import Canvas

    from app.pdf.common import FONT, register_fonts

    register_fonts()
    canvas = Canvas(target)
    canvas.setFont(FONT, 10)
    for index, name in enumerate(names):
        canvas.drawString(60, 780 - index * 22, name)
    canvas.showPage()
    canvas.save()


def sheet(profile: Any, activity_id: str) -> harness.Row:
    from app.pdf.attendance_sheet import render_attendance_sheet
    from app.workshops import workshops

    detail = workshops.get_session(profile.uow, activity_id)
    names = [p.full_name for p in detail.participants]
    samples = harness.measure(
        lambda: render_attendance_sheet(io.BytesIO(), detail, filled=True), repeat=15
    )
    floor = harness.measure(lambda: _bare_page(io.BytesIO(), names), repeat=15)
    return harness.Row(
        f"feuille d'émargement ({PARTICIPANTS} participants, 2 créneaux)",
        samples,
        floor,
        "≤ 150 ms",
        floor_label="page reportlab nue",
    )


def attestations(profile: Any, activity_id: str, people: list[str]) -> harness.Row:
    from app.workshops import attendance, registrations, workshop_documents

    uow = profile.uow
    for person_id in people[PARTICIPANTS:BATCH]:
        registrations.register_person(uow, activity_id, person_id)
    attendance.mark_all_present(uow, activity_id, now=AFTER)
    requests = [(activity_id, person_id) for person_id in people[:BATCH]]
    samples, floor = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(3):
            target = Path(tmp) / f"run{run}"
            start = time.perf_counter()
            paths = workshop_documents.generate_attestations(uow, target, requests)
            samples.append((time.perf_counter() - start) * 1000)
            assert len(paths) == BATCH
            start = time.perf_counter()
            for index in range(BATCH):
                _bare_page(str(Path(tmp) / f"bare{run}-{index}.pdf"), ["Attestation de présence"])
            floor.append((time.perf_counter() - start) * 1000)
    return harness.Row(
        f"{BATCH} attestations en un lot",
        samples,
        floor,
        "≤ 10 s",
        floor_label=f"{BATCH} pages reportlab nues",
    )


def session_list(profile: Any, root: Path) -> harness.Row:
    from app.workshops import workshop_list
    from app.workshops.workshop_values import SessionFilter

    conn = harness.bare_connection(root)

    def bare() -> None:
        conn.execute("SELECT count(id) FROM activity WHERE deleted_at IS NULL").fetchone()
        conn.execute(
            "SELECT a.id, a.kind, a.title, t.name, a.held_on, a.place_address, p.town, "
            "a.capacity FROM activity a LEFT JOIN workshop_theme t ON t.id = a.theme_id "
            "LEFT JOIN permanence p ON p.id = a.permanence_id WHERE a.deleted_at IS NULL "
            "ORDER BY a.held_on DESC, a.id DESC LIMIT 200"
        ).fetchall()

    missing = SessionFilter(attendance_missing_only=True)

    def ours() -> None:  # what the page runs on each refresh
        workshop_list.count_sessions(profile.uow, now=AFTER)
        workshop_list.list_sessions(profile.uow, now=AFTER)
        workshop_list.count_sessions(profile.uow, missing, now=AFTER)

    samples = harness.measure(ours, repeat=10)
    floor = harness.measure(bare, repeat=10)
    conn.close()
    return harness.Row(
        "liste des sessions (200 premières, drapeaux, taux, nb non remplis)",
        samples,
        floor,
        "—",
        floor_label="SQL nu sans drapeaux",
    )


def main() -> None:
    from app.profile import open_profile

    with tempfile.TemporaryDirectory() as tmp:
        root = harness.scratch_copy("decade", Path(tmp) / "decade")
        profile = open_profile(root)
        try:
            activity_id, people = _prepare(profile)
            rows = [
                open_session(profile, root, activity_id),
                all_present(profile, root, activity_id),
                sheet(profile, activity_id),
                attestations(profile, activity_id, people),
                session_list(profile, root),
            ]
            signing = signing_figures.rows(profile, root, Path(tmp))
        finally:
            profile.close()
    print(harness.machine_description())
    harness.print_table("Ateliers (decade)", rows)
    harness.print_table("Émargement électronique (decade)", signing)


if __name__ == "__main__":
    main()

"""Accueil figures on the decade profile, each beside a floor measured in the same run.

- person search, per keystroke (count + first page, as the Personnes page does), while
  typing real names letter by letter, vs the same two SQL statements on plain sqlite3;
- opening the person with the longest history (the record page filled: status, alerts,
  timeline, interviews), vs the bare SQL reads of that history;
- saving a follow-up interview (validation, agenda, last contact, commit), vs a bare
  sqlite3 INSERT + UPDATE in one transaction with the same durability pragmas;
- a compte rendu d'entretien PDF, vs a bare reportlab page holding the same text;
- the agenda of the day and the alerts of the Entretiens page (no target; for the record).

Run: ``QT_QPA_PLATFORM=offscreen python -m benchmarks.bench_people``.
"""

from __future__ import annotations

import datetime as dt
import io
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks import harness


def _names(conn: sqlite3.Connection, count: int = 12) -> list[str]:
    rows = conn.execute(
        "SELECT last_name FROM person WHERE deleted_at IS NULL ORDER BY id LIMIT ?", (count,)
    ).fetchall()
    return [r[0] for r in rows]


def _keystrokes(names: list[str]) -> list[str]:
    from app.text import fold

    return [fold(name)[:n] for name in names for n in range(1, min(len(name), 7) + 1)]


def _bare_search(conn: sqlite3.Connection, text: str) -> None:
    where = "deleted_at IS NULL AND merged_into_id IS NULL AND search_key LIKE ?"
    pattern = f"%{text}%"
    conn.execute(f"SELECT count(id) FROM person WHERE {where}", (pattern,)).fetchone()
    conn.execute(
        "SELECT p.id, p.last_name, p.first_name, p.city, p.email, p.phone, a.name, "
        "p.last_contact_on FROM person p LEFT JOIN antenne a ON a.id = p.antenne_id "
        f"WHERE p.{where.replace(' AND ', ' AND p.')} "
        "ORDER BY p.last_name, p.first_name, p.id LIMIT 200",
        (pattern,),
    ).fetchall()


def search(profile: Any, root: Path) -> harness.Row:
    from app.people import person_directory

    conn = harness.bare_connection(root)
    typed = _keystrokes(_names(conn))
    uow = profile.uow

    def one(text: str) -> None:
        person_directory.search_page(uow, text, limit=200)

    samples: list[float] = []
    floor: list[float] = []
    for _ in range(3):
        for text in typed:
            start = time.perf_counter()
            one(text)
            samples.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            _bare_search(conn, text)
            floor.append((time.perf_counter() - start) * 1000)
    conn.close()
    return harness.Row(
        f"recherche de personne, par frappe ({len(typed)} frappes × 3)",
        samples, floor, "p95 ≤ 20 ms", floor_label="SQL nu",
    )  # fmt: skip


def _busiest_person(conn: sqlite3.Connection) -> str:
    row = conn.execute(
        "SELECT person_id, count(*) c FROM followup_interview WHERE deleted_at IS NULL "
        "GROUP BY person_id ORDER BY c DESC LIMIT 1"
    ).fetchone()
    return str(row[0])


def _bare_history(conn: sqlite3.Connection, pid: str) -> None:
    conn.execute("SELECT * FROM person WHERE id = ?", (pid,)).fetchone()
    for table in ("parcours_stage", "intake_interview", "followup_interview", "appointment"):
        conn.execute(
            f"SELECT * FROM {table} WHERE person_id = ? AND deleted_at IS NULL", (pid,)
        ).fetchall()
    conn.execute("SELECT * FROM accompagnateur").fetchall()


def open_person(profile: Any, root: Path) -> tuple[harness.Row, harness.Row]:
    from PySide6.QtWidgets import QApplication

    from app.people.person_file import load_person_file
    from ui.context import AppContext, ChangeHub
    from ui.pages.person_detail_page import PersonDetailPage
    from ui.tasks import TaskManager

    _app = QApplication.instance() or QApplication([])
    conn = harness.bare_connection(root)
    pid = _busiest_person(conn)
    ctx = AppContext(profile=profile, tasks=TaskManager(), hub=ChangeHub())
    page = PersonDetailPage(ctx)
    floor = harness.measure(lambda: _bare_history(conn, pid))
    service = harness.measure(lambda: load_person_file(profile.uow, pid))
    shown = harness.measure(lambda: page.show_person(pid))
    size = len(load_person_file(profile.uow, pid).timeline)
    conn.close()
    return (
        harness.Row(f"ouvrir une personne : lecture ({size} événements)", service, floor,
                    "≤ 100 ms", floor_label="SQL nu"),
        harness.Row(f"ouvrir une personne : fiche affichée ({size} événements)", shown, floor,
                    "≤ 100 ms", floor_label="SQL nu"),
    )  # fmt: skip


def save_interview(profile: Any, root: Path) -> harness.Row:
    from app.ids import new_id
    from app.people import interviews
    from app.people.interviews import FollowupInput

    conn = harness.bare_connection(root)
    conn.isolation_level = None
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    pid = _busiest_person(conn)
    held = dt.date.today()
    data = FollowupInput(pid, held, 45, "presentiel", points_discussed="Point d'étape : devis "
                         "envoyés, relances à faire.", action_plan="Relancer trois clients.")  # fmt: skip

    def bare() -> None:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "INSERT INTO followup_interview (id, person_id, held_on, duration_minutes, mode, "
            "points_discussed, action_plan, created_at, updated_at) "
            "VALUES (?, ?, ?, 45, 'presentiel', ?, ?, ?, ?)",
            (new_id(), pid, held.isoformat(), data.points_discussed, data.action_plan,
             dt.datetime.now().isoformat(), dt.datetime.now().isoformat()),
        )  # fmt: skip
        conn.execute("UPDATE person SET last_contact_on = ? WHERE id = ?", (held.isoformat(), pid))
        conn.execute("COMMIT")

    samples = harness.measure(lambda: interviews.save_followup(profile.uow, data))
    floor = harness.measure(bare)
    conn.close()
    return harness.Row("enregistrer un entretien de suivi", samples, floor, "≤ 50 ms",
                       floor_label="INSERT nu, même durabilité")  # fmt: skip


def _bare_page(target: Any, lines: list[str]) -> None:
    from reportlab.pdfgen.canvas import Canvas

    from app.pdf.common import FONT, register_fonts

    register_fonts()
    canvas = Canvas(target)
    canvas.setFont(FONT, 10)
    for index, line in enumerate(lines):
        canvas.drawString(60, 780 - index * 16, line[:110])
    canvas.showPage()
    canvas.save()


def report(profile: Any, root: Path) -> harness.Row:
    from app.pdf.interview_report import build_interview_report
    from app.people import people_reports

    conn = harness.bare_connection(root)
    intake_id = conn.execute(
        "SELECT id FROM intake_interview WHERE deleted_at IS NULL AND is_draft = 0 "
        "ORDER BY length(project_what) + length(motivation) DESC LIMIT 1"
    ).fetchone()[0]
    conn.close()
    content = people_reports.interview_report(profile.uow, "accueil", intake_id)
    lines = [content.title, content.person_name] + [
        f"{k} : {v}" for k, v in content.facts
    ] + [f"{h} : {t}" for h, t in content.sections]  # fmt: skip

    def full() -> None:
        build_interview_report(
            io.BytesIO(), people_reports.interview_report(profile.uow, "accueil", intake_id)
        )

    samples = harness.measure(full, repeat=15)
    floor = harness.measure(lambda: _bare_page(io.BytesIO(), lines), repeat=15)
    return harness.Row("compte rendu d'entretien (PDF)", samples, floor, "≤ 100 ms",
                       floor_label="page reportlab nue")  # fmt: skip


def entretiens_page(profile: Any, root: Path) -> list[harness.Row]:
    from app.people import agenda, parcours

    conn = harness.bare_connection(root)
    busiest = conn.execute(
        "SELECT date(starts_at) d, count(*) c FROM appointment WHERE deleted_at IS NULL "
        "GROUP BY d ORDER BY c DESC LIMIT 1"
    ).fetchone()
    day = dt.date.fromisoformat(busiest[0]) if busiest else dt.date.today()

    def bare_agenda() -> None:
        conn.execute(
            "SELECT a.*, p.first_name, p.last_name FROM appointment a JOIN person p "
            "ON p.id = a.person_id WHERE a.deleted_at IS NULL AND a.starts_at >= ? "
            "AND a.starts_at < ? ORDER BY a.starts_at",
            (day.isoformat(), (day + dt.timedelta(days=1)).isoformat()),
        ).fetchall()

    def bare_stages() -> None:
        conn.execute("SELECT * FROM parcours_stage WHERE deleted_at IS NULL AND person_id IN "
                     "(SELECT person_id FROM parcours_stage WHERE kind IN ('cape','salarie'))"
                     ).fetchall()  # fmt: skip

    rows = [
        harness.Row(f"agenda du jour ({day:%d/%m/%Y}, toutes permanences)",
                    harness.measure(lambda: agenda.agenda_for_day(profile.uow, day)),
                    harness.measure(bare_agenda), floor_label="SQL nu"),
        harness.Row(f"alertes de tous les accompagnés ({len(parcours.list_alerts(profile.uow))})",
                    harness.measure(lambda: parcours.list_alerts(profile.uow), repeat=10),
                    harness.measure(bare_stages, repeat=10),
                    floor_label="lecture nue des étapes"),
    ]  # fmt: skip
    conn.close()
    return rows


def main() -> None:
    from app.profile import open_profile

    with tempfile.TemporaryDirectory() as tmp:
        root = harness.scratch_copy("decade", Path(tmp) / "decade")
        profile = open_profile(root)
        profile.uow.actor = "Banc d'essai"
        try:
            counts = (
                harness.bare_connection(root)
                .execute(
                    "SELECT (SELECT count(*) FROM person), (SELECT count(*) FROM followup_interview),"
                    " (SELECT count(*) FROM intake_interview)"
                )
                .fetchone()
            )
            rows = [search(profile, root), *open_person(profile, root),
                    save_interview(profile, root), report(profile, root),
                    *entretiens_page(profile, root)]  # fmt: skip
        finally:
            profile.close()
    print(harness.machine_description())
    print(f"decade : {counts[0]} personnes, {counts[1]} suivis, {counts[2]} accueils")
    harness.print_table("Accueil et accompagnement (decade)", rows)


if __name__ == "__main__":
    main()

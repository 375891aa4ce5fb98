"""Personal-data figures on the decade profile (docs/personal-data.md), each beside a
floor measured in the same run:

- the check every pull with rows now makes (anyone anonymised elsewhere still to erase
  here?) when there is nothing to erase, vs the bare SQL of that question;
- anonymising one person, all copies included (rows, outbox, conflicts, documents, the
  database file rewritten, the start-of-day backup rewritten), vs bare sqlite3 VACUUMs
  of the same database and backup — the rewrite is what erasing free pages costs;
- the right-of-access export (JSON + PDF) of the entrepreneur with the most invoices,
  vs the bare SQL reads of the same rows (no target; for the record).

Run: ``QT_QPA_PLATFORM=offscreen python -m benchmarks.bench_personal_data``.
"""

from __future__ import annotations

import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks import harness

ERASED_QUESTION = (
    "SELECT p.id FROM person p WHERE p.anonymised_at IS NOT NULL AND NOT EXISTS "
    "(SELECT 1 FROM sync_state s WHERE s.key = 'erased:' || p.id)"
)


def _timed(fn: Any) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def nothing_to_erase(profile: Any, root: Path) -> harness.Row:
    from app.people.anonymise import erase_pulled_anonymisations

    conn = harness.bare_connection(root)
    samples = harness.measure(
        lambda: erase_pulled_anonymisations(profile.engine, profile.paths.documents), repeat=30
    )
    floor = harness.measure(lambda: conn.execute(ERASED_QUESTION).fetchall(), repeat=30)
    conn.close()
    return harness.Row(
        "après une synchro reçue : rien à effacer (vérification)",
        samples, floor, "≤ 20 ms", floor_label="SQL nu",
    )  # fmt: skip


def _candidates(root: Path, count: int) -> list[str]:
    conn = harness.bare_connection(root)
    rows = conn.execute(
        "SELECT p.id FROM person p WHERE p.anonymised_at IS NULL AND p.deleted_at IS NULL "
        "AND NOT EXISTS (SELECT 1 FROM invoice i WHERE i.entrepreneur_id = p.id "
        "AND i.issue_date IS NOT NULL) ORDER BY p.id LIMIT ?",
        (count,),
    ).fetchall()
    conn.close()
    return [r[0] for r in rows]


def _bare_vacuum(path: Path) -> None:
    conn = sqlite3.connect(str(path), isolation_level=None)
    try:
        conn.execute("VACUUM")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def _bare_vacuums(paths: list[Path]) -> None:
    for path in paths:
        _bare_vacuum(path)


def anonymise_one(profile: Any, root: Path) -> harness.Row:
    from app.people.anonymise import anonymise_person

    backups = sorted(profile.paths.backups.glob("*.sqlite3"))
    samples: list[float] = []
    floor: list[float] = []
    for person_id in _candidates(root, 3):
        samples.append(_timed(lambda pid=person_id: anonymise_person(profile.uow, pid)))
        floor.append(_timed(lambda: _bare_vacuums([profile.paths.database, *backups])))
    return harness.Row(
        f"anonymiser une personne (base + {len(backups)} sauvegarde(s) réécrites)",
        samples, floor, "≤ 1,5 × le plancher", floor_label="VACUUM nus",
    )  # fmt: skip


def export_busiest(profile: Any, root: Path) -> harness.Row:
    from app.people.personal_data import write_export

    conn = harness.bare_connection(root)
    person_id = conn.execute(
        "SELECT entrepreneur_id FROM invoice GROUP BY entrepreneur_id "
        "ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()[0]

    def bare() -> None:
        for sql in (
            "SELECT * FROM person WHERE id = ?",
            "SELECT * FROM invoice WHERE entrepreneur_id = ?",
            "SELECT l.* FROM invoice_line l JOIN invoice i ON i.id = l.invoice_id "
            "WHERE i.entrepreneur_id = ?",
            "SELECT p.* FROM payment p JOIN invoice i ON i.id = p.invoice_id "
            "WHERE i.entrepreneur_id = ?",
            "SELECT * FROM followup_interview WHERE person_id = ?",
        ):
            conn.execute(sql, (person_id,)).fetchall()

    invoices = conn.execute(
        "SELECT count(*) FROM invoice WHERE entrepreneur_id = ?", (person_id,)
    ).fetchone()[0]
    with tempfile.TemporaryDirectory() as tmp:
        samples = harness.measure(
            lambda: write_export(profile.uow, person_id, Path(tmp)), repeat=3, warmup=1
        )
    floor = harness.measure(bare, repeat=10)
    conn.close()
    return harness.Row(
        f"export RGPD (JSON + PDF) d'un entrepreneur, {invoices} factures",
        samples, floor, "", floor_label="SQL nu",
    )  # fmt: skip


def main() -> None:
    from app.profile import open_profile

    with tempfile.TemporaryDirectory() as tmp:
        root = harness.scratch_copy("decade", Path(tmp) / "decade")
        profile = open_profile(root)
        try:
            rows = [
                nothing_to_erase(profile, root),
                export_busiest(profile, root),
                anonymise_one(profile, root),
            ]
        finally:
            profile.close()
    harness.print_table("Données personnelles (décennie)", rows)


if __name__ == "__main__":
    main()

"""The demo data's attachment histories (app/demo/attachments.py): every person has one,
a few move, and what the record and the invoices say agrees with the history."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from app.demo.generator import generate

TODAY = dt.date(2026, 11, 26)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("demo-attachments") / "profil"
    generate(root, "demo", 1, today=TODAY)
    return root / "permanence.sqlite3"


def _rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def test_every_person_has_a_history_and_a_few_move(demo_db: Path) -> None:
    missing = _rows(
        demo_db,
        "SELECT count(*) FROM person p WHERE NOT EXISTS "
        "(SELECT 1 FROM person_attachment a WHERE a.person_id = p.id)",
    )
    assert missing == [(0,)]
    moved = _rows(
        demo_db,
        "SELECT count(*) FROM (SELECT person_id FROM person_attachment GROUP BY person_id "
        "HAVING count(DISTINCT antenne_id) > 1)",
    )
    assert int(str(moved[0][0])) >= 2


def test_the_record_is_the_latest_attachment(demo_db: Path) -> None:
    disagree = _rows(
        demo_db,
        "SELECT count(*) FROM person p JOIN person_attachment a ON a.person_id = p.id "
        "WHERE a.valid_from = (SELECT max(b.valid_from) FROM person_attachment b "
        "WHERE b.person_id = p.id) "
        "AND (a.antenne_id IS NOT p.antenne_id OR a.referent_id IS NOT p.referent_id)",
    )
    assert disagree == [(0,)]


def test_issued_invoices_carry_the_antenne_of_their_issue_date(demo_db: Path) -> None:
    """As validation freezes it: the attachment valid on the issue date."""
    wrong = _rows(
        demo_db,
        "SELECT count(*) FROM invoice i WHERE i.status = 'emise' AND i.antenne_id IS NOT "
        "(SELECT a.antenne_id FROM person_attachment a WHERE a.person_id = i.entrepreneur_id "
        "AND a.valid_from <= i.issue_date ORDER BY a.valid_from DESC LIMIT 1)",
    )
    assert wrong == [(0,)]

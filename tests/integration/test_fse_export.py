"""The FSE+ participant file of an operation, read back with openpyxl against the expected
columns, and its completeness gauge (issue 16, item 4), through the service and the
command line."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

from openpyxl import load_workbook

from app import clock
from app.models import Person
from app.profile import ProfileSettings, create_profile
from app.workshops import attendance, fse_export, registrations, workshops
from app.workshops.fse_export import COLUMNS, Level, Missing
from app.workshops.workshop_values import ABSENT, PRESENT
from tests.clock_support import child_env
from tests.workshops_support import DAY, DURING, FSE, add_persons, new_session

HEADERS = [
    "Numéro d'opération", "Identifiant du participant", "Nom", "Prénom", "Sexe",
    "Date de naissance", "Téléphone", "Courriel", "Code postal", "Commune", "Date d'entrée",
    "Date de sortie", "Situation sur le marché du travail à l'entrée",
    "Niveau d'éducation à l'entrée (CITE)", "Heures de présence",
]  # fmt: skip


def _complete(uow, person_ids: list[str], *, incomplete: set[str]) -> None:
    with uow() as work:
        for person in work.session.query(Person).filter(Person.id.in_(person_ids)):
            person.civility = "Mme"
            person.birth_date = dt.date(1990, 5, 4)
            person.phone = "0612345678"
            person.situation_code = "demandeur_emploi"
            if person.id in incomplete:
                person.phone = ""  # no e-mail either: no contact
                person.civility = ""
        work.commit()


def _operation(uow, people: int, incomplete: int, pinned_clock) -> tuple[str, list[str]]:
    activity_id = new_session(uow, operation_refs={FSE: "202300123"})
    persons = add_persons(uow, people + 1)
    for person_id in persons:
        registrations.register_person(uow, activity_id, person_id)
    detail = workshops.get_session(uow, activity_id)
    marks = [attendance.Mark(s.id, p, PRESENT) for s in detail.slots for p in persons[:-1]]
    marks.append(attendance.Mark(detail.slots[0].id, persons[-1], ABSENT))  # never present
    attendance.mark_many(uow, marks, now=DURING)
    _complete(uow, persons, incomplete=set(persons[:incomplete]))
    pinned_clock.set(dt.datetime.combine(DAY, dt.time(19, 0), tzinfo=clock.PARIS))
    return activity_id, persons


def test_the_file_has_the_expected_columns_and_one_row_per_participant(
    uow, pinned_clock, tmp_path: Path
) -> None:
    _activity, persons = _operation(uow, 4, 1, pinned_clock)
    (operation,) = fse_export.operations(uow)
    assert operation.reference == "202300123"
    target = tmp_path / "fse.xlsx"
    data = fse_export.export_fse(uow, operation, target)
    book = load_workbook(target)
    assert book.sheetnames == ["Participants", "Complétude"]
    rows = list(book["Participants"].iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS == [c.header for c in COLUMNS]
    assert len(rows) == 1 + 4  # the person never present is not a participant
    by_id = {row[1]: row for row in rows[1:]}
    assert set(by_id) == set(persons[:4])
    complete = by_id[persons[1]]
    assert complete[0] == "202300123" and complete[4] == "Femme"
    assert complete[5] == dt.datetime(1990, 5, 4) and complete[6] == "0612345678"
    assert complete[10] == dt.datetime.combine(DAY, dt.time())  # entry: the first half-day
    assert complete[11] == dt.datetime.combine(DAY, dt.time())  # exit: the session is over
    assert complete[12] == "Chômeur, y compris de longue durée"
    assert float(complete[14]) == 7.0  # two half-days of 3 h 30
    assert data.completeness.incomplete == 1 and data.completeness.level is Level.WARNING
    gaps = list(book["Complétude"].iter_rows(values_only=True))
    assert gaps[0] == ("Participant", "Manque")
    assert gaps[1][1] == "sexe (civilité), téléphone ou courriel"


def test_the_gauge_warns_before_and_alerts_past_the_35_percent_threshold(uow, pinned_clock) -> None:
    _operation(uow, 10, 4, pinned_clock)
    (operation,) = fse_export.operations(uow)
    data = fse_export.fse_file(uow, operation)
    assert (data.completeness.incomplete, data.completeness.level) == (4, Level.OVER)
    assert {m for p in data.participants for m in p.missing} == {Missing.SEX, Missing.CONTACT}
    assert fse_export.Completeness(10, 2).level is Level.OK
    assert fse_export.Completeness(10, 3).level is Level.WARNING
    assert fse_export.Completeness(20, 7).level is Level.OVER


def test_export_fse_command_writes_one_file_per_operation_and_lists_what_is_missing(
    pinned_clock, tmp_path: Path
) -> None:
    root = tmp_path / "profil"
    made = create_profile(root, ProfileSettings(display_name="Test"))
    try:
        _operation(made.uow, 5, 2, pinned_clock)
    finally:
        made.close()  # the command opens the profile itself (one process at a time)
    out = tmp_path / "fse"
    out.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "app", "--profile", str(root), "export-fse",
         str(out)],
        capture_output=True, text=True, env=child_env(), timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert (out / "participants-fse-202300123.xlsx").is_file()
    assert "5 participant(s), 2 dossier(s) incomplet(s) (40 %)" in done.stdout
    assert "ATTENTION : plus de 35 %" in done.stdout
    assert done.stdout.count("sexe (civilité), téléphone ou courriel") == 2

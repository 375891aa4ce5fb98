"""The « Fichier FSE+ » dialog: operation, completeness gauge, what is missing for whom,
and the file written off the GUI thread, read back with openpyxl (issue 16, item 4)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import load_workbook

from app import clock
from app.models import Person
from app.workshops import attendance, registrations, workshops
from app.workshops.workshop_values import PRESENT
from tests.workshops_support import DAY, DURING, FSE, add_persons, new_session
from ui.dialogs.fse_export_dialog import FseExportDialog


def test_the_dialog_shows_the_gauge_and_what_is_missing_then_writes_the_file(
    qtbot, ctx, pinned_clock, tmp_path: Path
) -> None:
    activity_id = new_session(ctx.uow, operation_refs={FSE: "202300123"})
    persons = add_persons(ctx.uow, 4)
    for person_id in persons:
        registrations.register_person(ctx.uow, activity_id, person_id)
    detail = workshops.get_session(ctx.uow, activity_id)
    marks = [attendance.Mark(detail.slots[0].id, p, PRESENT) for p in persons]
    attendance.mark_many(ctx.uow, marks, now=DURING)
    with ctx.uow() as work:  # two complete records, two without contact nor sex
        for index, person in enumerate(work.session.query(Person).order_by(Person.id)):
            person.birth_date = dt.date(1985, 1, 2)
            person.situation_code = "salarie"
            if index < 2:
                person.civility, person.email = "M.", f"p{index}@example.org"
        work.commit()
    pinned_clock.set(dt.datetime.combine(DAY, dt.time(19, 0), tzinfo=clock.PARIS))
    dialog = FseExportDialog(ctx)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.data is not None, timeout=10_000)
    assert dialog.operation.currentText().startswith("202300123")
    assert dialog.gauge.value() == 50
    assert "Plus de 35 %" in dialog.level.text()
    items = [dialog.missing.item(i).text() for i in range(dialog.missing.count())]
    assert len(items) == 2 and all(
        i.endswith("sexe (civilité), téléphone ou courriel") for i in items
    )
    target = tmp_path / "fse.xlsx"
    dialog.save_to(target)
    qtbot.waitUntil(lambda: dialog.saved_path == target, timeout=10_000)
    rows = list(load_workbook(target)["Participants"].iter_rows(values_only=True))
    assert len(rows) == 5 and rows[0][0] == "Numéro d'opération"
    assert str(target) in dialog.message.text()

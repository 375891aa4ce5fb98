"""The Ateliers page: create a session, register by search, print sheets and attestations."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QDate, Qt, QTime
from PySide6.QtWidgets import QMessageBox

from app.changes import Changes
from app.workshops import attendance, registrations, workshop_list, workshops
from tests.ui.typed import page_of
from tests.workshops_support import DAY, DURING, LANGRES, add_persons, new_session
from ui.dialogs.workshop_session_dialog import WorkshopSessionDialog
from ui.main_window import MainWindow
from ui.pages.workshops_page import WorkshopsPage


def _page_opening(qtbot, ctx) -> tuple[WorkshopsPage, list[Path]]:
    """The page, and the list of the files it opened (instead of opening them)."""
    page = WorkshopsPage(ctx)
    qtbot.addWidget(page)
    page.panel.clock = lambda: DURING
    opened: list[Path] = []
    page.panel.open_file = opened.append
    page.show()
    return page, opened


def _page(qtbot, ctx) -> WorkshopsPage:
    return _page_opening(qtbot, ctx)[0]


def test_new_session_dialog_saves_a_workshop_at_langres(qtbot, ctx) -> None:
    ctx.profile.save_settings(ctx.profile.settings.with_changes(permanence_id=LANGRES))
    dialog = WorkshopSessionDialog(ctx)
    qtbot.addWidget(dialog)
    assert len(dialog.slots.rows) == 2  # morning and afternoon by default
    qtbot.keyClicks(dialog.title_edit, "Commercialisation : trouver ses premiers clients")
    dialog.capacity.setValue(10)
    dialog.save()
    ctx.tasks.settle()  # written off the GUI thread
    assert dialog.result() == dialog.DialogCode.Accepted
    assert dialog.saved_id is not None
    detail = workshops.get_session(ctx.uow, dialog.saved_id)
    assert detail.permanence_town == "Langres"
    assert [s.hours_label for s in detail.slots] == ["9 h 00 – 12 h 30", "14 h 00 – 17 h 30"]
    assert detail.capacity == 10


def test_session_without_title_shows_the_reason_under_the_field(qtbot, ctx) -> None:
    dialog = WorkshopSessionDialog(ctx)
    qtbot.addWidget(dialog)
    row = dialog.slots.rows[0]
    row.end.setTime(QTime(8, 0))
    dialog.save()
    ctx.tasks.settle()  # written off the GUI thread
    # The end before its start is refused under the field itself, before anything else.
    assert row.end.error_label.text() == "La fin (08:00) est avant le début (09:00)."
    assert workshop_list.count_sessions(ctx.uow) == 0
    row.end.setTime(QTime(12, 30))
    dialog.save()
    ctx.tasks.settle()  # written off the GUI thread
    assert dialog.result() != dialog.DialogCode.Accepted
    assert dialog.errors.error_text("title") == "Ce champ est obligatoire."
    assert workshop_list.count_sessions(ctx.uow) == 0


def test_editing_keeps_slot_identity_and_changes_the_date(qtbot, ctx) -> None:
    activity_id = new_session(ctx.uow)
    before = workshops.get_session(ctx.uow, activity_id)
    dialog = WorkshopSessionDialog(ctx, before)
    qtbot.addWidget(dialog)
    for row in dialog.slots.rows:
        row.day.setDate(QDate(2026, 3, 19))
    dialog.save()
    ctx.tasks.settle()  # written off the GUI thread
    after = workshops.get_session(ctx.uow, activity_id)
    assert [s.id for s in after.slots] == [s.id for s in before.slots]
    assert {s.starts_at.day for s in after.slots} == {19}


def test_registration_by_search_as_you_type(qtbot, ctx) -> None:
    activity_id = new_session(ctx.uow)
    add_persons(ctx.uow, 8)
    page = _page(qtbot, ctx)
    page.open_item("activity", activity_id)
    search = page.panel.registrations.search
    qtbot.keyClicks(search, "dupre")
    results = page.panel.registrations.results
    qtbot.waitUntil(lambda: results.count() == 1, timeout=30000)
    assert results.item(0).text().startswith("DUPRÉ Hélène")
    qtbot.keyClick(search, Qt.Key.Key_Return)
    ctx.tasks.settle()  # written off the GUI thread
    assert [p.full_name for p in workshops.get_session(ctx.uow, activity_id).participants] == [
        "DUPRÉ Hélène"
    ]
    assert page.panel.registrations.participants.count() == 1
    qtbot.keyClicks(search, "helene")  # QTest only types ASCII
    qtbot.keyClick(search, Qt.Key.Key_Return)
    ctx.tasks.settle()  # written off the GUI thread
    assert "déjà inscrit(e)" in page.panel.message.text()


def test_full_session_without_waiting_list_refuses_in_french(qtbot, ctx) -> None:
    activity_id = new_session(ctx.uow, capacity=1, has_waiting_list=False)
    first, second = add_persons(ctx.uow, 2)
    page = _page(qtbot, ctx)
    page.open_item("activity", activity_id)
    page.panel.register(first)
    ctx.tasks.settle()  # written off the GUI thread
    page.panel.register(second)
    ctx.tasks.settle()  # written off the GUI thread
    assert "complète (1 places)" in page.panel.message.text()
    assert page.panel.registrations.participants.count() == 1


def test_cancelling_promotes_from_the_waiting_list_on_screen(qtbot, ctx) -> None:
    activity_id = new_session(ctx.uow, capacity=1)
    first, second = add_persons(ctx.uow, 2)
    page = _page(qtbot, ctx)
    page.open_item("activity", activity_id)
    page.panel.register(first)
    ctx.tasks.settle()  # written off the GUI thread
    page.panel.register(second)
    ctx.tasks.settle()  # written off the GUI thread
    assert "liste d'attente" in page.panel.message.text()
    assert page.panel.registrations.waiting.count() == 1
    panel = page.panel.registrations
    panel.participants.setCurrentRow(0)
    qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    ctx.tasks.settle()  # written off the GUI thread
    assert "passe de la liste d'attente" in page.panel.message.text()
    assert panel.waiting.count() == 0 and panel.participants.count() == 1


def test_print_blank_sheet_opens_the_pdf_from_the_documents_folder(qtbot, ctx) -> None:
    activity_id = new_session(ctx.uow)
    page, opened = _page_opening(qtbot, ctx)
    page.open_item("activity", activity_id)
    page.panel.blank_action.trigger()  # "Imprimer ▾" menu entry
    qtbot.waitUntil(lambda: len(opened) == 1, timeout=10000)
    path = opened[0]
    assert path.name == "emargement-vierge.pdf" and path.exists()
    assert ctx.profile.paths.documents in path.parents


def test_attestations_batch_from_the_page(qtbot, ctx) -> None:
    activity_id = new_session(ctx.uow)
    people = add_persons(ctx.uow, 3)
    for person_id in people:
        registrations.register_person(ctx.uow, activity_id, person_id)
    attendance.mark_all_present(ctx.uow, activity_id, now=DURING)
    page, opened = _page_opening(qtbot, ctx)
    page.open_item("activity", activity_id)
    page.panel.attestations_action.trigger()  # "Imprimer ▾" menu entry
    qtbot.waitUntil(lambda: len(opened) == 1, timeout=15000)
    assert len(page.panel.last_paths) == 3
    assert opened[0] == page.panel.last_paths[0].parent


def test_unfilled_filter_lists_only_forgotten_sheets(qtbot, ctx) -> None:
    forgotten = new_session(ctx.uow, title="Atelier oublié")
    filled = new_session(ctx.uow, title="Atelier rempli")
    (person_id,) = add_persons(ctx.uow, 1)
    for activity_id in (forgotten, filled):
        registrations.register_person(ctx.uow, activity_id, person_id)
    attendance.mark_all_present(ctx.uow, filled, now=DURING)
    page = _page(qtbot, ctx)
    page.refresh()
    assert page.model.rowCount() == 2
    page.missing_only.setChecked(True)
    assert [r.title for r in page.model.loaded_rows()] == ["Atelier oublié"]
    flag_column = len(page.model.columns) - 1
    assert page.model.data(page.model.index(0, flag_column)) == "⚠ à remplir"


def test_delete_is_refused_once_attendance_exists(qtbot, ctx, monkeypatch) -> None:
    activity_id = new_session(ctx.uow)
    (person_id,) = add_persons(ctx.uow, 1)
    registrations.register_person(ctx.uow, activity_id, person_id)
    attendance.mark_all_present(ctx.uow, activity_id, now=DURING)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    page = _page(qtbot, ctx)
    page.open_item("activity", activity_id)
    page.panel.delete()
    ctx.tasks.settle()  # written off the GUI thread
    assert "ne peut plus être supprimée" in page.panel.message.text()
    assert workshops.get_session(ctx.uow, activity_id).title


def test_main_window_opens_an_activity_on_the_ateliers_page(qtbot, ctx) -> None:
    activity_id = new_session(ctx.uow, title="Réunion coopérative de printemps", kind="reunion")
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    ctx.hub.open_requested.emit("activity", activity_id)
    page = page_of(window, "workshops", WorkshopsPage)
    assert window.stack.currentWidget() is page
    assert page.panel.detail is not None and page.panel.detail.id == activity_id
    assert page.panel.detail.held_on == DAY


def test_attestation_batch_can_be_cancelled_from_the_progress_dialog(qtbot, ctx) -> None:
    activity_id = new_session(ctx.uow, capacity=None)
    people = add_persons(ctx.uow, 40)
    for person_id in people:
        registrations.register_person(ctx.uow, activity_id, person_id)
    attendance.mark_all_present(ctx.uow, activity_id, now=DURING)
    page, opened = _page_opening(qtbot, ctx)
    page.open_item("activity", activity_id)
    page.panel.run_attestations([(activity_id, p) for p in people])
    assert page.panel.progress_dialog is not None
    page.panel.progress_dialog.canceled.emit()  # what its "Annuler" button sends
    qtbot.waitUntil(lambda: "annulée" in page.panel.message.text(), timeout=15000)
    written = list(ctx.profile.paths.documents.rglob("attestation-*.pdf"))
    assert len(written) < len(people)
    assert opened == []


def test_attestations_for_several_selected_sessions_in_one_batch(qtbot, ctx) -> None:
    people = add_persons(ctx.uow, 3)
    sessions = [new_session(ctx.uow, title=f"Atelier {n}") for n in (1, 2)]
    for activity_id in sessions:
        for person_id in people:
            registrations.register_person(ctx.uow, activity_id, person_id)
        attendance.mark_all_present(ctx.uow, activity_id, now=DURING)
    page, opened = _page_opening(qtbot, ctx)
    page.refresh()
    assert not page.batch_button.isEnabled()
    page.table.selectAll()
    assert sorted(page.selected_sessions()) == sorted(sessions)
    qtbot.mouseClick(page.batch_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(opened) == 1, timeout=15000)
    assert len(page.panel.last_paths) == 6
    assert opened[0] == ctx.profile.paths.documents / "ateliers"


def test_count_line_warns_about_sheets_never_filled_in(qtbot, ctx) -> None:
    forgotten = new_session(ctx.uow, title="Atelier oublié")
    (person_id,) = add_persons(ctx.uow, 1)
    registrations.register_person(ctx.uow, forgotten, person_id)
    page = _page(qtbot, ctx)
    page.refresh()
    assert page.count_label.text() == "1 session — ⚠ 1 émargement non rempli"
    attendance.mark_all_present(ctx.uow, forgotten, now=DURING)
    ctx.hub.notify(Changes(workshops=True))
    qtbot.waitUntil(lambda: page.count_label.text() == "1 session", timeout=30000)


def test_theme_sets_the_usual_length_and_added_half_days_never_overlap(qtbot, ctx) -> None:
    from app.workshops import workshop_catalogue

    short = workshop_catalogue.save_theme(ctx.uow, "Atelier court", 180)
    dialog = WorkshopSessionDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.theme.setCurrentIndex(dialog.theme.findData(short.id))
    assert [r.value().starts_at.hour for r in dialog.slots.rows] == [9]
    assert dialog.title_edit.text() == "Atelier atelier court"
    qtbot.mouseClick(dialog.slots.add_morning, Qt.MouseButton.LeftButton)
    first, second = (r.value() for r in dialog.slots.rows)
    assert second.starts_at.date() > first.starts_at.date()
    assert second.starts_at.weekday() < 5


def test_session_list_fits_a_1200_px_window_without_sideways_scrolling(qtbot, ctx) -> None:
    long_title = "Marché de Noël des créateurs et artisans de la coopérative — Châlons-en-Champagne"
    activity_id = new_session(ctx.uow, title=long_title, capacity=None)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1200, 780)
    window.show()
    ctx.hub.open_requested.emit("activity", activity_id)
    page = page_of(window, "workshops", WorkshopsPage)
    qtbot.waitUntil(lambda: page.table.viewport().width() > 0, timeout=30000)
    qtbot.wait(50)
    assert window.width() <= 1200  # no widget forces a wider window
    assert not page.table.horizontalScrollBar().isVisible()
    header = page.table.horizontalHeader()
    right_edge = max(header.sectionPosition(c) + header.sectionSize(c) for c in range(8))
    assert right_edge <= page.table.viewport().width()
    assert all(header.sectionSize(c) >= 40 for c in range(5))  # Date … Lieu in sight
    # The three documents are one "Imprimer" menu, not three wide buttons.
    entries = [a.text() for a in page.panel.print_button.menu().actions()]
    assert entries == [
        "Feuille d'émargement vierge",
        "Feuille d'émargement remplie",
        "Attestations de présence",
    ]

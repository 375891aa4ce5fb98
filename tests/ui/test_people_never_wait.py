"""The person screens never wait behind a sync and never freeze on an anonymisation
(issue 14, item 6).

* The person list, its search and its count read through read-only units of work
  (app/uow.py): with a write transaction held open on another thread, as a sync applying
  a page does, they still answer. A unit of work that took the write lock would wait for
  the busy timeout and fail with "database is locked".
* An anonymisation rewrites the database file and the backups (app/people/anonymise.py):
  it runs as a :class:`ui.operations.CollectionOp`, the record greyed out meanwhile, the
  event loop turning; a refusal is shown in French.
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMessageBox

from app.changes import Changes
from app.invoicing.validation import validate_invoice
from app.models import Person
from app.people.persons import PersonInput, create_person
from app.profile import Profile
from app.workshops import attendance, registrations, workshops
from app.workshops.workshop_values import PRESENT, default_slots
from tests.invoicing_fixtures import add_client, add_draft, add_entrepreneur, complete_identity
from tests.unit.test_people_personal_data import applicant
from tests.workshops_support import FSE, new_session
from ui.pages.interviews_page import InterviewsPage
from ui.pages.person_detail_page import PersonDetailPage
from ui.pages.persons_page import PersonsPage
from ui.texts import accueil


class Writer:
    """A write transaction held open on another thread until :meth:`release`."""

    def __init__(self, profile: Profile) -> None:
        self._holding, self._release = threading.Event(), threading.Event()
        self.failures: list[BaseException] = []
        self._thread = threading.Thread(target=self._hold, args=(profile,), daemon=True)

    def _hold(self, profile: Profile) -> None:
        try:
            with profile.uow() as uow:
                uow.session.add(Person(first_name="Écrit", last_name="Pendant"))
                uow.session.flush()  # BEGIN IMMEDIATE + INSERT: the write lock is held
                self._holding.set()
                self._release.wait(60)
                uow.commit()
        except BaseException as exc:  # reported by the test
            self.failures.append(exc)
            self._holding.set()

    def start(self) -> Writer:
        self._thread.start()
        assert self._holding.wait(30) and not self.failures
        return self

    def release(self) -> None:
        self._release.set()

    def join(self) -> None:
        self.release()
        self._thread.join(30)
        assert not self.failures


@pytest.fixture
def warnings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts of the warning boxes shown (a modal box would block the test)."""
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text: shown.append(text))
    return shown


def _person(ctx, first: str, last: str) -> str:
    return create_person(ctx.uow, PersonInput(first_name=first, last_name=last)).id


def test_the_person_search_answers_while_a_writer_holds_the_database(qtbot, ctx, profile):
    _person(ctx, "Inès", "Garnier")
    _person(ctx, "Hélène", "Garnier-Martin")
    _person(ctx, "Paul", "Durand")
    writer = Writer(profile).start()
    try:
        page = PersonsPage(ctx)
        qtbot.addWidget(page)
        assert page.model.rowCount() == 3
        assert "3" in page.count_label.text()
        page.search.setText("garnier")
        page.refresh()  # what the debounce timer calls
        assert page.model.rowCount() == 2
        assert "2" in page.count_label.text()
        page.search.setText("zzz")
        page.refresh()
        assert page.model.rowCount() == 0
        assert page.count_label.text() == accueil.NO_PERSON_MATCHES
    finally:
        writer.join()
    # The writer's person arrives with the notice a sync sends.
    page.search.clear()
    ctx.hub.notify(Changes(persons=True, remote=True))
    assert ctx.tasks.settle()  # the list is re-read off the GUI thread
    assert page.model.rowCount() == 4


def test_a_change_notice_rereads_the_list_off_the_gui_thread(qtbot, ctx, profile):
    """The end of a sync: the list shows the new person, read by the database worker
    while the window turns, the typed search and the selected person kept."""
    _person(ctx, "Inès", "Garnier")
    chosen = _person(ctx, "Hélène", "Garnier-Martin")
    _person(ctx, "Paul", "Durand")
    page = PersonsPage(ctx)
    qtbot.addWidget(page)
    page.search.setText("garnier")
    page.refresh()  # what the debounce timer calls
    page.table.selectRow([r.id for r in page.model.loaded_rows()].index(chosen))
    _person(ctx, "Léa", "Garnier")  # written elsewhere, e.g. by the sync
    ctx.hub.notify(Changes(persons=True, remote=True))
    # Handed to the task manager's database worker; nothing read on the GUI thread yet.
    assert ctx.tasks.pending
    assert page.model.rowCount() == 2
    assert ctx.tasks.settle()
    assert [r.first_name for r in page.model.loaded_rows()].count("Léa") == 1
    assert page.search.text() == "garnier" and "3" in page.count_label.text()
    (selected,) = page.table.selectionModel().selectedRows()
    still = page.model.row_at(selected.row())
    assert still is not None and still.id == chosen


def test_a_newer_read_wins_over_a_slower_older_one(qtbot, ctx, profile):
    _person(ctx, "Inès", "Garnier")
    _person(ctx, "Paul", "Durand")
    page = PersonsPage(ctx)
    qtbot.addWidget(page)
    ctx.hub.notify(Changes(persons=True))  # its result arrives after the keystroke's
    page.search.setText("durand")
    page.refresh()
    assert ctx.tasks.settle()
    assert [r.last_name for r in page.model.loaded_rows()] == ["Durand"]


def test_the_person_record_opens_while_a_writer_holds_the_database(
    qtbot, ctx, profile, monkeypatch
):
    """The record's own reads. The tabs other areas add answer for theirs (the
    Facturation tab: test_reads_beside_a_sync.py); which are registered depends on what
    ran before, so none here."""
    from ui.pages import person_detail_page

    monkeypatch.setattr(person_detail_page, "extra_tabs", lambda: [])
    pid = _person(ctx, "Inès", "Garnier")
    writer = Writer(profile).start()
    try:
        detail = PersonDetailPage(ctx)
        qtbot.addWidget(detail)
        detail.show_person(pid)
        assert detail.name_label.text() == "Inès GARNIER"
        assert ctx.tasks.settle()
    finally:
        writer.join()


def test_the_interviews_lists_fill_while_a_writer_holds_the_database(qtbot, ctx, profile):
    from app.reference import reference

    staff = reference.add_accompagnateur(ctx.uow, "Claire", "Testeuse").id
    applicant(ctx.uow, staff, "Ancienne", dt.date(2024, 3, 1), "non_retenu")
    writer = Writer(profile).start()
    try:
        page = InterviewsPage(ctx)
        qtbot.addWidget(page)
        assert ctx.tasks.settle()
        assert page.retention_model.rowCount() == 1
        assert page.recent_model.rowCount() == 1
    finally:
        writer.join()


def test_anonymising_keeps_the_window_turning_and_shows_the_record_anonyme(
    qtbot, ctx, profile, monkeypatch
):
    pid = _person(ctx, "Inès", "Garnier")
    detail = PersonDetailPage(ctx)
    qtbot.addWidget(detail)
    detail.show()
    detail.show_person(pid)
    assert detail.name_label.text() != "ANONYME"
    monkeypatch.setattr(detail, "_confirm", lambda _text: True)
    ticks = [0]
    notices: list[int] = []
    ctx.hub.changed.connect(lambda _changes: notices.append(ticks[0]))

    # The anonymisation waits for a sync's write transaction; a timer on the GUI thread
    # ends that transaction after three turns of the event loop. Had the anonymisation
    # run on the GUI thread, the timer could never fire and it would fail on the lock.
    writer = Writer(profile).start()

    def tick() -> None:
        ticks[0] += 1
        if ticks[0] == 3:
            writer.release()

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(tick)
    timer.start()
    try:
        detail.anonymise()
        assert not detail.isEnabled()  # greyed out while it runs: no second click
        qtbot.waitUntil(lambda: detail.name_label.text() == "ANONYME", timeout=10000)
    finally:
        timer.stop()
        writer.join()
    assert notices and notices[0] >= 3  # the loop turned before the notice came
    assert detail.isEnabled()
    assert not detail.buttons["Modifier…"].isEnabled()  # an anonymised record is read-only


def test_a_refused_anonymisation_says_why_in_french(qtbot, ctx, warnings, monkeypatch):
    complete_identity(ctx.uow)
    person = add_entrepreneur(ctx.uow)
    draft = add_draft(ctx.uow, person, add_client(ctx.uow, person))
    validate_invoice(ctx.uow, ctx.profile.paths.documents, draft, dt.date(2026, 3, 2))
    detail = PersonDetailPage(ctx)
    qtbot.addWidget(detail)
    detail.show()
    detail.show_person(person)
    name = detail.name_label.text()
    monkeypatch.setattr(detail, "_confirm", lambda _text: True)
    detail.anonymise()
    qtbot.waitUntil(lambda: bool(warnings), timeout=10000)
    assert warnings == [
        "Impossible d'anonymiser : 1 facture(s) émise(s) pour cette activité doivent "
        "être conservées 10 ans avec le nom de l'entrepreneur."
    ]
    assert detail.isEnabled()
    assert detail.name_label.text() == name


def _attend_cofinanced(uow, person_id: str) -> None:
    held = dt.date(2024, 3, 12)
    activity_id = new_session(uow, slots=default_slots(held), funder_ids=[FSE])
    registrations.register_person(uow, activity_id, person_id)
    slot = workshops.get_session(uow, activity_id).slots[0]
    attendance.mark_attendance(
        uow, slot.id, person_id, PRESENT, now=dt.datetime.combine(held, dt.time(18))
    )


def test_the_retention_list_anonymises_off_the_gui_thread_and_names_a_refusal(
    qtbot, ctx, warnings, monkeypatch
):
    from app.people.persons import get_person
    from app.reference import reference

    staff = reference.add_accompagnateur(ctx.uow, "Claire", "Testeuse").id
    plain = applicant(ctx.uow, staff, "Simple", dt.date(2024, 3, 1), "non_retenu")
    funded = applicant(ctx.uow, staff, "Finance", dt.date(2024, 3, 1), "non_retenu")
    page = InterviewsPage(ctx)
    qtbot.addWidget(page)
    page.show()
    page.tabs.setCurrentIndex(2)
    assert ctx.tasks.settle()
    assert page.retention_model.rowCount() == 2
    # Meanwhile the second one's attendance at an FSE+ workshop arrives (no notice yet):
    # the list still proposes them, the core refuses.
    _attend_cofinanced(ctx.uow, funded)
    page.retention_view.selectAll()
    monkeypatch.setattr(QMessageBox, "question", lambda *_a, **_k: QMessageBox.StandardButton.Yes)
    page.anonymise_selected()
    assert not page.anonymise_button.isEnabled() and not page.retention_view.isEnabled()
    qtbot.waitUntil(lambda: bool(warnings), timeout=10000)
    assert len(warnings) == 1
    assert warnings[0].startswith("TEST Finance : Impossible d'anonymiser pour l'instant")
    assert "(FSE+)" in warnings[0] and "10 ans" in warnings[0]
    assert get_person(ctx.uow, plain).anonymised_at is not None
    assert get_person(ctx.uow, funded).anonymised_at is None
    assert page.retention_view.isEnabled()
    # The notice refreshed the list: nobody left to propose.
    assert ctx.tasks.settle()
    assert page.retention_model.rowCount() == 0


def test_the_workshops_tab_of_a_record_fills_while_a_writer_holds_the_database(qtbot, ctx, profile):
    """The Ateliers tab the workshops area adds to the record: its hours and sessions."""
    from ui.pages.workshop_person_tab import PersonWorkshopsTab

    pid = _person(ctx, "Inès", "Garnier")
    activity_id = new_session(ctx.uow)
    registrations.register_person(ctx.uow, activity_id, pid)
    writer = Writer(profile).start()
    try:
        tab = PersonWorkshopsTab(ctx)
        qtbot.addWidget(tab)
        tab.show_person(pid)
        assert tab.history_model.rowCount() == 1
    finally:
        writer.join()

"""Hours attended per theme, shown in the "Ateliers" tab of the person's record."""

from __future__ import annotations

from app.workshops import attendance, registrations, workshops
from tests.ui.clicks import double_click_row
from tests.workshops_support import DURING, add_persons, new_session
from ui.main_window import page_specs, register_person_tabs
from ui.pages.person_detail_page import PersonDetailPage
from ui.pages.workshop_person_tab import PersonWorkshopsTab


def test_person_record_has_an_ateliers_tab_with_hours_by_theme(qtbot, ctx) -> None:
    (person_id,) = add_persons(ctx.uow, 1)
    activity_id = new_session(ctx.uow)
    registrations.register_person(ctx.uow, activity_id, person_id)
    morning, _afternoon = workshops.get_session(ctx.uow, activity_id).slots
    attendance.mark_attendance(ctx.uow, morning.id, person_id, "present", now=DURING)
    register_person_tabs(page_specs())  # as the main window does at start-up
    page = PersonDetailPage(ctx)
    qtbot.addWidget(page)
    titles = [page.tabs.tabText(i) for i in range(page.tabs.count())]
    assert "Ateliers" in titles
    tab = page.tabs.widget(titles.index("Ateliers"))
    assert isinstance(tab, PersonWorkshopsTab)
    tab.show_person(person_id)
    assert tab.total.text() == "Total des heures de présence : 3 h 30"
    hours = tab.hours_model
    assert [hours.data(hours.index(0, c)) for c in range(3)] == ["Gestion", "3 h 30", "1"]
    history = tab.history_model
    assert history.data(history.index(0, 4)) == "3 h 30 / 7 h"


def test_double_click_on_a_session_asks_to_open_it(qtbot, ctx) -> None:
    (person_id,) = add_persons(ctx.uow, 1)
    activity_id = new_session(ctx.uow)
    registrations.register_person(ctx.uow, activity_id, person_id)
    tab = PersonWorkshopsTab(ctx)
    qtbot.addWidget(tab)
    tab.show()
    tab.show_person(person_id)
    asked: list[tuple[str, str]] = []
    ctx.hub.open_requested.connect(lambda kind, item: asked.append((kind, item)))
    double_click_row(qtbot, tab.history, 0)
    assert asked == [("activity", activity_id)]  # asked once, not once per signal

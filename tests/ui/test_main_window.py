"""The main window: areas reachable, status bar, person search as you type."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.models import Person
from tests.ui.typed import page_of
from ui.main_window import MainWindow
from ui.pages.people_area import PeopleArea


def _add_people(profile) -> None:
    with profile.uow() as uow:
        uow.session.add_all(
            [
                Person(first_name="Hélène", last_name="Dupré", city="Langres"),
                Person(first_name="Hervé", last_name="Lambert", city="Sedan"),
                Person(first_name="Zoé", last_name="Perrin", city="Vouziers"),
            ]
        )
        uow.commit()


def test_every_area_is_reachable_from_the_navigation(qtbot, ctx) -> None:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    titles = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert titles[0] == "Personnes"
    for row in range(window.nav.count()):
        window.nav.setCurrentRow(row)
        assert window.stack.currentIndex() == row


def test_status_bar_shows_profile_and_permanence_of_the_day(qtbot, ctx) -> None:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    assert "Test" in window.profile_label.text()
    index = window.permanence_combo.findText("Langres", Qt.MatchFlag.MatchStartsWith)
    window.permanence_combo.setCurrentIndex(index)
    assert ctx.profile.settings.permanence_id == window.permanence_combo.currentData()
    assert ctx.profile.settings.antenne_id is not None


def test_typing_helene_without_accent_finds_hélène(qtbot, ctx) -> None:
    _add_people(ctx.profile)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    page = page_of(window, "persons", PeopleArea)
    assert page.model.rowCount() == 3
    qtbot.keyClicks(page.search, "helene")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=30000)
    first = page.model.row_at(0)
    assert first is not None and first.first_name == "Hélène"
    assert page.count_label.text() == "1 personne"
    page.search.clear()
    qtbot.keyClicks(page.search, "xyz")
    qtbot.waitUntil(lambda: page.model.rowCount() == 0, timeout=30000)
    assert page.count_label.text() == "Aucune personne ne correspond."


def test_person_list_loads_lazily(qtbot, ctx) -> None:
    with ctx.profile.uow() as uow:
        uow.session.add_all(Person(first_name=f"P{i}", last_name=f"N{i:04d}") for i in range(450))
        uow.commit()
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    page = page_of(window, "persons", PeopleArea)
    assert page.model.total == 450
    assert page.model.rowCount() == page.model.page_size < 450
    while page.model.canFetchMore():
        page.model.fetchMore()
    assert page.model.rowCount() == 450
    assert page.count_label.text().replace("\u202f", " ") == "450 personnes"


def test_money_and_dates_in_the_ui_are_french() -> None:
    import datetime as dt

    from app import formatting

    assert formatting.money(123456).replace("\u202f", " ").replace("\xa0", " ") == "1 234,56 €"
    assert formatting.date(dt.date(2026, 3, 1)) == "01/03/2026"


def test_person_record_has_the_areas_tabs_right_after_start_up(qtbot, ctx) -> None:
    # The Ateliers and Factures pages are built lazily; their tabs on the person record
    # must be there before those pages are ever shown.
    with ctx.profile.uow() as uow:
        person = Person(first_name="Hélène", last_name="Dupré")
        uow.session.add(person)
        uow.commit()
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.open_item("person", person.id)
    detail = page_of(window, "persons", PeopleArea).detail_page
    titles = [detail.tabs.tabText(i) for i in range(detail.tabs.count())]
    assert {"Ateliers", "Facturation"} <= set(titles)

"""Launch to a usable person list (issue 14): the Personnes list is read from the file and
shown, searchable, before the profile is open behind the window; once it is open the area
takes the same list over (what was typed stays), and a person chosen meanwhile opens."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.config import ProfileSettings
from app.models import Person
from app.profile import create_profile
from tests.ui.typed import page_of
from ui.context import ChangeHub
from ui.main_window import MainWindow
from ui.opening import EarlyList, ProfileOpening
from ui.pages.people_area import PeopleArea
from ui.pages.persons_page import PersonsPage
from ui.tasks import TaskManager

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def closed_profile(tmp_path: Path) -> Path:
    root = tmp_path / "profil"
    profile = create_profile(root, ProfileSettings(display_name="Langres"))
    with profile.uow() as uow:
        uow.session.add_all(
            [
                Person(first_name="Hélène", last_name="Dupré", city="Langres"),
                Person(first_name="Hervé", last_name="Lambert", city="Sedan"),
                Person(first_name="Zoé", last_name="Perrin", city="Vouziers"),
            ]
        )
        uow.commit()
    profile.close()
    return root


@pytest.fixture
def tasks(qapp) -> Iterator[TaskManager]:
    manager = TaskManager()
    yield manager
    manager.wait_idle()


def test_the_list_is_searchable_before_the_profile_opens_then_kept(
    qtbot, closed_profile, tasks
) -> None:
    hub = ChangeHub()
    early = EarlyList(tasks, hub, closed_profile / "permanence.sqlite3", None)
    window = MainWindow(profile_name="Langres")
    qtbot.addWidget(window)
    opening = ProfileOpening(window, closed_profile, "Langres", None, tasks, hub, early=early)
    with qtbot.waitSignal(window.usable, timeout=20000):
        window.show()
    # Filled from the file: the profile is not open, the navigation waits for it.
    listed = window.preview
    assert isinstance(listed, PersonsPage)
    assert window.stack.currentWidget() is listed
    assert window.attached is None and opening.profile is None
    assert not window.nav.isEnabled()
    assert listed.model.rowCount() == 3
    assert listed.count_label.text() == "3 personnes"
    assert window.focusWidget() is listed.search
    # Search as you type, then Entrée on the only match: asked before the profile is open.
    qtbot.keyClicks(listed.search, "helene")
    qtbot.waitUntil(lambda: listed.model.rowCount() == 1, timeout=5000)
    only = listed.model.row_at(0)
    assert only is not None and only.first_name == "Hélène"
    assert listed.count_label.text() == "1 personne"
    qtbot.keyClick(listed.search, Qt.Key.Key_Return)

    with qtbot.waitSignal(window.ready, timeout=30000):
        opening.start()
    area = page_of(window, "persons", PeopleArea)
    assert area.list_page is listed  # the same list, with what was typed in it
    assert listed.search.text() == "helene" and listed.model.rowCount() == 1
    assert window.nav.isEnabled() and window.preview is None
    # The person chosen while the profile opened is shown now.
    assert area.currentWidget() is area.detail_page
    # The list now reads through the profile: a new person is found.
    assert opening.profile is not None
    with opening.profile.uow() as uow:
        uow.session.add(Person(first_name="Hélène", last_name="Aubry", city="Reims"))
        uow.commit()
    area.show_list()
    listed.refresh()
    assert listed.model.rowCount() == 2
    window.close()
    opening.profile.close()


def test_the_profile_opens_once_the_list_is_drawn(qtbot, closed_profile, tasks) -> None:
    # As the launcher does: the opening is asked for at once; it waits for the list to be
    # shown and drawn (its imports would slow the list's first frames), then opens.
    hub = ChangeHub()
    early = EarlyList(tasks, hub, closed_profile / "permanence.sqlite3", None)
    window = MainWindow(profile_name="Langres")
    qtbot.addWidget(window)
    opening = ProfileOpening(window, closed_profile, "Langres", None, tasks, hub, early=early)
    seen: list[str] = []
    window.usable.connect(lambda: seen.append("liste"))
    window.ready.connect(lambda: seen.append("profil"))
    window.show()
    with qtbot.waitSignal(window.ready, timeout=30000):
        opening.start()
    assert seen == ["liste", "profil"]
    assert page_of(window, "persons", PeopleArea).list_page is early.page
    window.close()
    assert opening.profile is not None
    opening.profile.close()


def test_an_unreadable_file_leaves_the_list_to_the_profile(qtbot, tmp_path, tasks) -> None:
    # Encrypted with a passphrase the early read does not have: no list from the file,
    # and the opening (not the early read) is what reports problems.
    root = tmp_path / "chiffre"
    create_profile(
        root, ProfileSettings(display_name="Langres", encrypted=True), passphrase="Vouziers 2026!"
    ).close()
    hub = ChangeHub()
    early = EarlyList(tasks, hub, root / "permanence.sqlite3", "autre phrase")
    window = MainWindow(profile_name="Langres")
    qtbot.addWidget(window)
    opening = ProfileOpening(window, root, "Langres", "Vouziers 2026!", tasks, hub, early=early)
    window.show()
    with qtbot.waitSignal(window.ready, timeout=30000):
        opening.start()
    assert early.page is None
    area = page_of(window, "persons", PeopleArea)
    assert area.list_page.count_label.text() == "Aucune personne."
    window.close()
    assert opening.profile is not None
    opening.profile.close()


def test_the_list_page_does_not_load_the_data_layer() -> None:
    # What lets the list be drawn early: the page and its reads import neither SQLAlchemy
    # nor the models, Babel or phonenumbers (about a second of imports on these laptops).
    code = (
        "import sys, ui.opening, ui.pages.persons_page, app.people.person_list\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'sqlalchemy', 'alembic', 'babel', 'phonenumbers', 'email_validator', 'httpx'} "
        "or m.startswith('app.models'))\n"
        "print(heavy)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_the_launch_spares_imports_pyside_s_source_scan() -> None:
    # PySide reads the whole source of every module imported after it, to learn whether
    # it mentions PySide6; the launch answers from the module's name instead.
    code = (
        "import linecache, sys\n"
        "from ui.launcher import skip_pyside_source_scans\n"
        "skip_pyside_source_scans()\n"
        "import app.people.person_list\n"  # which imports app.people.parcours_rules
        "read = [f for f in linecache.cache if f.endswith('parcours_rules.py')]\n"
        "feature = sys.modules['shibokensupport.feature']\n"
        "print(read, feature.pyside_feature_dict.get('app.people.parcours_rules'))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[] -1"

"""The Synchronisation page against a real siège (uvicorn in a thread, real HTTP):
enrolment with field errors, Synchroniser with the status bar, a conflict to review
and resolve, duplicates offered for merge."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from PySide6.QtWidgets import QMessageBox

from app.models import Person
from app.profile import Profile
from app.sync import service
from siege import devices
from tests.sync_support import Siege, new_laptop
from tests.sync_support.processes import LOADED_MACHINE_SECONDS
from tests.sync_support.scenarios import issued_on_one_then_edited_on_the_other

# Every wait below returns as soon as its condition holds; the bound only has to be
# generous enough for a loaded 2-core machine.
WAIT_MS = int(LOADED_MACHINE_SECONDS * 1000)


class ThreadedSiege:
    def __init__(self, tmp: Path) -> None:
        self.siege = Siege(f"sqlite:///{tmp}/siege.sqlite3")
        # Bound here and handed to uvicorn: no other test can take the port in between.
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.socket.getsockname()[1])
        self.server = uvicorn.Server(
            uvicorn.Config(self.siege.app, host="127.0.0.1", port=self.port, log_level="warning")
        )
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True
        )
        self.thread.start()
        deadline = time.monotonic() + LOADED_MACHINE_SECONDS
        while not self.server.started:
            assert self.thread.is_alive() and time.monotonic() < deadline, "siège did not start"
            time.sleep(0.02)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def code(self, name: str) -> str:
        return devices.enroll(self.siege.engine, name, "Épernay")[0]

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(LOADED_MACHINE_SECONDS)
        self.socket.close()
        self.siege.close()


@pytest.fixture
def siege_thread(tmp_path: Path) -> Iterator[ThreadedSiege]:
    server = ThreadedSiege(tmp_path)
    yield server
    server.stop()


def _page(ctx: Any, qtbot: Any) -> Any:
    from ui.pages.sync_page import SyncPage

    page = SyncPage(ctx)
    qtbot.addWidget(page)
    return page


def _until(qtbot: Any, condition: Callable[[], bool]) -> None:
    qtbot.waitUntil(condition, timeout=WAIT_MS)


def _wait_message(qtbot: Any, page: Any, text: str) -> None:
    _until(qtbot, lambda: text in page.message.text())


def test_enrolment_shows_field_errors_then_enrols_and_syncs(
    ctx: Any, qtbot: Any, siege_thread: ThreadedSiege
) -> None:
    page = _page(ctx, qtbot)
    _until(qtbot, lambda: "pas encore inscrit" in page.enrolled_label.text())
    assert not page.sync_button.isEnabled()
    page.server_edit.setText("siege.local")
    page.code_edit.setText("ABCD")
    page.enrol_button.click()
    _until(qtbot, lambda: page.form_errors.error_text("server_url") != "")
    assert "https://" in page.form_errors.error_text("server_url")
    page.server_edit.setText(siege_thread.url)
    page.code_edit.setText("WRONG-CODE")
    page.enrol_button.click()
    _wait_message(qtbot, page, "Code d'inscription refusé")
    page.code_edit.setText(siege_thread.code("Portable Épernay"))
    page.enrol_button.click()
    _wait_message(qtbot, page, "Synchronisation réussie")
    # The label is filled by a read started when the enrolment answered; the first sync
    # ran beside it and may finish first.
    _until(qtbot, lambda: "EPE1" in page.enrolled_label.text())
    _until(
        qtbot, lambda: page.history.rowCount() >= 1 and page.history.item(0, 2).text() == "Réussie"
    )


def test_sync_button_status_bar_conflict_review_and_merge(
    ctx: Any,
    qtbot: Any,
    siege_thread: ThreadedSiege,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from ui.widgets.sync_status import SyncStatusLabel

    profile: Profile = ctx.profile
    service.enrol(profile, siege_thread.url, siege_thread.code("Portable A"))
    other = new_laptop(tmp_path, "B")
    service.enrol(other, siege_thread.url, siege_thread.code("Portable B"))
    page = _page(ctx, qtbot)
    status = SyncStatusLabel(ctx)
    qtbot.addWidget(status)
    with ctx.uow() as uow:
        person = Person(first_name="Jeanne", last_name="Martin", notes="Projet : traiteur")
        uow.session.add(person)
        uow.commit()
    status.refresh()
    _until(qtbot, lambda: "1 modification en attente" in status.text())
    _until(qtbot, lambda: page.sync_button.isEnabled())
    page.sync_button.click()
    _wait_message(qtbot, page, "Synchronisation réussie")
    _until(qtbot, lambda: "en attente" not in status.text() and "à l'instant" in status.text())

    service.run_sync(other)
    with other.uow() as uow:
        uow.session.get_one(Person, person.id).notes = "Projet : traiteur bio (vu à Sedan)"
        uow.session.add(Person(first_name="Jeanne", last_name="MARTIN", city="Sedan"))
        uow.commit()
    with ctx.uow() as uow:
        uow.session.get(Person, person.id).notes = "Projet : traiteur, local à Épernay"
        uow.commit()
    service.run_sync(other)
    page.sync_button.click()
    _wait_message(qtbot, page, "Synchronisation réussie")
    _until(qtbot, lambda: page.conflict_table.rowCount() == 1)
    assert page.conflict_table.item(0, 4).text() == "Projet : traiteur bio (vu à Sedan)"
    _until(qtbot, lambda: "1 conflit à vérifier" in status.text())
    # The review buttons act on the selected row: greyed until one is chosen.
    page.conflict_table.clearSelection()
    assert not page.resolve_button.isEnabled() and not page.open_button.isEnabled()
    assert page.conflicts_box.title() == "Conflits à vérifier"
    page.conflict_table.selectRow(0)
    assert page.resolve_button.isEnabled()
    page.resolve_button.click()
    _until(qtbot, lambda: page.conflict_table.rowCount() == 0)
    _until(qtbot, lambda: page.conflicts_box.title() == "Conflits à vérifier : aucun")
    assert not page.resolve_button.isEnabled()

    _until(qtbot, lambda: page.duplicate_table.rowCount() == 1)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    page.duplicate_table.clearSelection()
    assert not page.merge_button.isEnabled()
    page.duplicate_table.selectRow(0)
    page.merge_button.click()
    _until(qtbot, lambda: page.duplicate_table.rowCount() == 0)
    _until(qtbot, lambda: page.duplicates_box.title() == "Doublons à fusionner : aucun")
    with ctx.uow() as uow:
        kept = uow.session.get(Person, person.id)
        assert kept.city == "Sedan" and kept.deleted_at is None
    other.close()


def test_cancel_stops_the_sync_and_keeps_the_outbox(
    ctx: Any, qtbot: Any, siege_thread: ThreadedSiege
) -> None:
    profile: Profile = ctx.profile
    service.enrol(profile, siege_thread.url, siege_thread.code("Portable C"))
    with ctx.uow() as uow:
        for i in range(30):
            uow.session.add(Person(first_name=f"P{i}", last_name="Essai"))
        uow.commit()
    page = _page(ctx, qtbot)
    # Started and cancelled while the test holds the profile's write lock (every
    # transaction begins IMMEDIATE): the job waits at its first database access, so it is
    # cancelled before its first check however the threads are scheduled.
    with profile.engine.begin():
        page.worker.start()
        page.worker.cancel()
    _wait_message(qtbot, page, "annulée")
    assert service.status(profile).pending == 30
    _until(
        qtbot, lambda: page.history.rowCount() == 1 and page.history.item(0, 2).text() == "Annulée"
    )
    page.sync_button.click()
    _wait_message(qtbot, page, "Synchronisation réussie")
    assert service.status(profile).pending == 0


def test_a_refused_change_is_explained_in_french_and_kept_for_review(
    ctx: Any, qtbot: Any, siege_thread: ThreadedSiege, tmp_path: Path
) -> None:

    page = _page(ctx, qtbot)
    page.server_edit.setText("http://siege.example.fr")
    page.code_edit.setText("ABCD")
    page.enrol_button.click()
    _until(qtbot, lambda: "non sécurisée" in page.form_errors.error_text("server_url"))

    profile: Profile = ctx.profile
    service.enrol(profile, siege_thread.url, siege_thread.code("Portable A"))
    other = new_laptop(tmp_path, "B")
    service.enrol(other, siege_thread.url, siege_thread.code("Portable B"))
    issued_on_one_then_edited_on_the_other(other, profile)
    # Enrolled behind the page's back: it learns it as it would after any change.
    page.refresh()
    _until(qtbot, lambda: page.sync_button.isEnabled())
    page.sync_button.click()
    _wait_message(qtbot, page, "Modification refusée par le siège — Facture")
    _until(qtbot, lambda: page.conflict_table.rowCount() == 1)
    cells = [page.conflict_table.item(0, column).text() for column in range(5)]
    assert cells[0].startswith("Modification refusée par le siège : ")
    assert "{" not in cells[0] and "_" not in cells[0]  # French, not a code or raw JSON
    assert cells[1:] == ["Facture", "Notes", "Notes : v1", "Notes : v2 (trop tard)"]
    _until(
        qtbot,
        lambda: (
            page.history.rowCount() >= 1
            and page.history.item(0, 2).text() == "Réussie, avec des modifications refusées"
        ),
    )
    other.close()

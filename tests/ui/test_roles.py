"""Roles in the UI (issue 14, item 10): the CAE's identity and the option lists are the
siège staff's. The laptop learns its role from a real siège (its ASGI app over
Starlette's test client: /enroll, then /hello at each sync) and shows those screens
read-only on an accompagnateur's laptop, with the reason; a lone laptop edits them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialogButtonBox, QLineEdit
from sqlalchemy import delete

from app.changes import Changes
from app.models import SyncState
from app.reference import reference
from app.sync import service
from app.sync.codec import table_of
from app.sync.role import ROLE_KEY, DeviceRole, laptop_role
from siege import devices
from tests.sync_support import BASE_URL, Siege
from ui.context import AppContext
from ui.dialogs.cae_identity_dialog import CaeIdentityDialog
from ui.pages.options_page import OptionsPage


@pytest.fixture
def siege(tmp_path: Path) -> Iterator[Siege]:
    server = Siege(f"sqlite:///{tmp_path}/siege.sqlite3")
    yield server
    server.close()


def _enrol(siege: Siege, ctx: AppContext, role: str) -> None:
    code, _prefix = devices.enroll(siege.engine, "Portable Épernay", "Épernay", role)
    service.enrol(ctx.profile, BASE_URL, code, http_factory=siege.http_factory)


def _dialog(qtbot, ctx: AppContext) -> CaeIdentityDialog:
    dialog = CaeIdentityDialog(ctx)
    qtbot.addWidget(dialog)
    return dialog


def _save_button(dialog: CaeIdentityDialog):
    button = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
    assert button is not None
    return button


def _option_labels(ctx: AppContext, page: OptionsPage) -> list[str]:
    return [
        o.label for o in reference.list_options(ctx.uow, page.current_kind, include_inactive=True)
    ]


def test_a_lone_laptop_sets_up_its_own_identity_and_lists(qtbot, ctx: AppContext) -> None:
    dialog = _dialog(qtbot, ctx)
    assert "pas encore inscrit" in dialog.role_note.text()
    assert not any(edit.isReadOnly() for edit in dialog.findChildren(QLineEdit))
    assert not _save_button(dialog).isHidden()
    page = OptionsPage(ctx)
    qtbot.addWidget(page)
    assert page.add_button is not None and page.add_button.isEnabled()
    page.add("Orientée par la mission locale")
    ctx.tasks.settle()  # written off the GUI thread
    assert "Orientée par la mission locale" in _option_labels(ctx, page)


def test_an_accompagnateur_laptop_shows_them_read_only_and_says_why(
    qtbot, ctx: AppContext, siege: Siege
) -> None:
    _enrol(siege, ctx, devices.ACCOMPAGNATEUR)
    assert laptop_role(ctx.profile).role is DeviceRole.ACCOMPAGNATEUR  # from /enroll
    dialog = _dialog(qtbot, ctx)
    note = dialog.role_note.text()
    assert note.startswith("Lecture seule") and "poste d'accompagnateur" in note
    edits = dialog.findChildren(QLineEdit)
    assert edits and all(
        edit.isReadOnly() for edit in edits if edit.objectName().startswith("cae_")
    )
    assert _save_button(dialog).isHidden()
    assert not dialog.logo_button.isEnabled() and not dialog.yearly.isEnabled()
    page = OptionsPage(ctx)
    qtbot.addWidget(page)
    assert page.role_note.text().startswith("Lecture seule")
    assert page.add_button is not None and not page.add_button.isEnabled()
    page.items.setCurrentRow(0)
    assert not any(button.isEnabled() for button in page.selection_buttons)
    before = _option_labels(ctx, page)
    page.add("Ajout refusé")  # what Ajouter would do, were it enabled
    assert _option_labels(ctx, page) == before


def test_the_role_is_learned_at_each_sync_and_the_screens_follow(
    qtbot, ctx: AppContext, siege: Siege
) -> None:
    _enrol(siege, ctx, devices.SIEGE)
    # A laptop enrolled before it stored its role: nothing known, so read-only...
    with ctx.profile.engine.begin() as conn:
        conn.execute(delete(table_of(SyncState)).where(table_of(SyncState).c.key == ROLE_KEY))
    page = OptionsPage(ctx)
    qtbot.addWidget(page)
    assert "n'a pas encore indiqué son rôle" in page.role_note.text()
    assert page.add_button is not None and not page.add_button.isEnabled()
    # ...until a sync: the siège's /hello says "siege", and the open page follows.
    service.run_sync(ctx.profile, http_factory=siege.http_factory)
    assert laptop_role(ctx.profile).role is DeviceRole.SIEGE
    ctx.hub.notify(Changes.everything(remote=True))
    assert page.add_button.isEnabled()
    assert page.role_note.text().startswith("Poste du siège")
    dialog = _dialog(qtbot, ctx)
    assert not _save_button(dialog).isHidden()

"""Issue 16's "done when", end to end: a workshop half-day is signed from the first to the
last participant on the laptop's signing screen (synthetic mouse strokes, no network),
countersigned, synced to a real siège, sealed there with the CAE's certificate and an
RFC 3161 timestamp from a TSA over HTTP, and verified from its audit pack."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app import clock
from app.sync import service
from app.workshops import registrations, signature_status, workshops
from app.workshops.audit_pack import SealedSheet, build_pack, verify_pack
from siege import sealing
from tests.seal_support import build_pki, local_tsa
from tests.sync_support import Siege
from tests.ui.test_signing_dialog import draw_with_mouse
from tests.workshops_support import DAY, add_persons, new_session
from ui.dialogs.signing_dialog import SigningDialog


@pytest.fixture
def siege(tmp_path: Path) -> Iterator[Siege]:
    server = Siege(f"sqlite:///{tmp_path}/siege.sqlite3")
    yield server
    server.close()


def test_signed_offline_countersigned_synced_sealed_and_verified_from_the_pack(
    qtbot, ctx, siege: Siege, pinned_clock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    siege.enrol(ctx.profile, "Portable Langres", "Langres")
    pinned_clock.set(dt.datetime.combine(DAY, dt.time(9, 40), tzinfo=clock.PARIS))
    activity_id = new_session(ctx.uow)
    for person_id in add_persons(ctx.uow, 4):
        registrations.register_person(ctx.uow, activity_id, person_id)
    detail = workshops.get_session(ctx.uow, activity_id)
    # Offline: the signing screen needs nothing but the laptop.
    dialog = SigningDialog(ctx, detail, detail.slots[0].id)
    qtbot.addWidget(dialog)
    dialog.show()
    for seed in range(4):
        draw_with_mouse(dialog.canvas, seed)
        qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
        assert ctx.tasks.settle()  # written off the GUI thread
    assert dialog.names.count() == 0, dialog.message.text()
    qtbot.mouseClick(dialog.trainer_button, Qt.MouseButton.LeftButton)
    draw_with_mouse(dialog.canvas, 9)
    qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: dialog.sealed_path is not None, timeout=30000
    )  # sealed off the GUI thread
    assert dialog.sealed_path is not None and dialog.session.closed

    pki = build_pki(tmp_path / "pki")
    with local_tsa(pki) as tsa:
        monkeypatch.setenv("PERMANENCE_SEAL_KEY", str(pki.seal_key))
        monkeypatch.setenv("PERMANENCE_SEAL_CERT", str(pki.seal_cert))
        monkeypatch.setenv("PERMANENCE_TSA_URL", tsa)
        service.run_sync(ctx.profile, http_factory=siege.http_factory)  # pushed, then sealed
        service.run_sync(ctx.profile, http_factory=siege.http_factory)  # the seal comes back
    (signed,) = signature_status.slot_signing(ctx.uow, activity_id)
    assert signed.signatures == 4 and signed.countersigned and signed.sealed_at is not None

    pdf = sealing.sealed_pdf(siege.engine, detail.slots[0].id)
    assert pdf is not None
    pack = build_pack(detail.title, [SealedSheet("emargement.pdf", pdf)], [pki.root_cert])
    ((name, report),) = verify_pack(pack, [pki.root_cert])
    assert name == "emargement.pdf" and report.ok and report.timestamp_trusted
    assert report.signatures == 5  # four participants and the trainer

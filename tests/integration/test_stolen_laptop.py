"""A stolen laptop gives nothing away (README, "A stolen laptop"): a copy of an
encrypted profile folder, taken after a real sync with a real siège, holds neither a
person's name nor the device token in any file; previews are gone; every file is
user-only. The token rotates at each sync (the old one stops working once the new one
is used), expires after 90 days without sync, and the administrator sees both."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import shutil
import stat
from pathlib import Path

import pytest
from sqlalchemy import update

from app.clock import utcnow
from app.config import ProfileSettings
from app.errors import ProfileError
from app.invoicing import documents
from app.models import Person
from app.profile import PREVIEWS_FOLDER, create_profile, open_profile
from app.sync import service
from app.sync.protocol import PROTOCOL_HEADER, SCHEMA_HEADER
from siege import devices
from siege.__main__ import main as siege_cli
from siege.tables import device
from tests.invoicing_fixtures import add_client, add_draft, complete_identity
from tests.sync_support import Siege

PASSPHRASE = "Vouziers, le 26 novembre!"
NAME = "Quatremarre"  # a last name that appears nowhere else
NOTE = "suivi psychologique confidentiel"


def _token(profile: object) -> str:
    found = service._token_store(profile, service._device(profile).device_id).load()  # type: ignore[arg-type]
    assert found
    return found


def _every_file(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.fixture
def server(tmp_path: Path, sqlite_siege_template: Path) -> Siege:
    target = tmp_path / "siege.sqlite3"
    shutil.copy(sqlite_siege_template, target)
    return Siege.open(f"sqlite:///{target}")


def test_a_copied_profile_folder_yields_no_personal_data_and_no_token(
    tmp_path: Path, server: Siege
) -> None:
    root = tmp_path / "portable"
    laptop = create_profile(root, ProfileSettings(display_name="Portable Vouziers"),
                            passphrase=PASSPHRASE)  # fmt: skip
    first = server.enrol(laptop, "Portable Vouziers", "Vouziers")
    # An older version kept the token in a plain file: it is absorbed and deleted.
    (root / "sync-token").write_text(first, encoding="utf-8")
    with laptop.uow() as uow:
        person = Person(first_name="Albertine", last_name=NAME, notes=NOTE)
        uow.session.add(person)
        uow.commit()
        person_id = person.id
    complete_identity(laptop.uow)
    draft = add_draft(laptop.uow, person_id, add_client(laptop.uow, person_id))
    preview = documents.draft_preview(laptop.uow, draft, laptop.paths.documents / PREVIEWS_FOLDER)
    assert preview.exists()
    service.run_sync(laptop, http_factory=server.http_factory)
    assert not (root / "sync-token").exists()
    service.run_sync(laptop, http_factory=server.http_factory)
    token = _token(laptop)
    assert token != first, "the token did not rotate"
    laptop.backup()
    laptop.close()
    # The program stopped with the preview dialog open: the next start removes it.
    reopened = open_profile(root, PASSPHRASE)
    reopened.close()
    assert not (root / "documents" / PREVIEWS_FOLDER).exists()

    stolen = tmp_path / "volé"
    shutil.copytree(root, stolen)
    secrets = {NAME.encode(), NOTE.encode(), token.encode(), first.encode()}
    for path in _every_file(stolen):
        data = path.read_bytes()
        leaked = [s for s in secrets if s in data]
        assert not leaked, f"{path.relative_to(stolen)} holds {leaked}"
        if os.name == "posix":
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    if os.name == "posix":
        for folder in [stolen, *(p for p in stolen.rglob("*") if p.is_dir())]:
            assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    # Without the passphrase the copy does not open at all.
    with pytest.raises(ProfileError):
        open_profile(stolen)
    with pytest.raises(ProfileError):
        open_profile(stolen, "Vouziers")
    # The token found on the laptop before the last sync is already dead.
    headers = {PROTOCOL_HEADER: "1", SCHEMA_HEADER: _schema()}
    with server.http(first) as http:
        assert http.get("/api/v1/hello", headers=headers).status_code == 401
    server.close()


def _schema() -> str:
    from app.migrate import head_revision

    return head_revision()


def test_token_rotates_without_locking_out_and_expires_after_90_days(
    tmp_path: Path, server: Siege
) -> None:
    laptop = create_profile(tmp_path / "p", ProfileSettings(display_name="Portable Sedan"))
    old = server.enrol(laptop, "Portable Sedan", "Sedan")
    headers = {PROTOCOL_HEADER: "1", SCHEMA_HEADER: _schema()}
    with server.http(old) as http:
        answer = http.get("/api/v1/hello", headers=headers)
        assert answer.status_code == 200
        new = answer.json()["next_token"]
        # The answer was lost: the laptop still has the old token, which still works,
        # and asks again; only the newest handed-out token becomes the next one.
        again = http.get("/api/v1/hello", headers=headers)
        assert again.status_code == 200
        newest = again.json()["next_token"]
    with server.http(new) as http:
        assert http.get("/api/v1/hello", headers=headers).status_code == 401
    with server.http(newest) as http:
        assert http.get("/api/v1/hello", headers=headers).status_code == 200
    with server.http(old) as http:  # the new one was used: the old one is retired
        assert http.get("/api/v1/hello", headers=headers).status_code == 401

    # A real sync stores the rotated token; the laptop keeps syncing with it.
    service._token_store(laptop, service._device(laptop).device_id).save(newest)
    service.run_sync(laptop, http_factory=server.http_factory)
    service.run_sync(laptop, http_factory=server.http_factory)
    current = _token(laptop)
    assert current not in (old, new, newest)

    listing = io.StringIO()
    with contextlib.redirect_stdout(listing):
        assert siege_cli(["--database-url", server.url, "device", "list"]) == 0
    line = next(x for x in listing.getvalue().splitlines() if "Portable Sedan" in x)
    assert "dernière synchro" in line and "jeton valable jusqu'au" in line and "jamais" not in line

    # 91 days without sync: refused, and listed as expired.
    with server.engine.begin() as conn:
        conn.execute(
            update(device)
            .where(device.c.name == "Portable Sedan")
            .values(last_seen_at=utcnow() - dt.timedelta(days=91))
        )
    with server.http(current) as http:
        assert http.get("/api/v1/hello", headers=headers).status_code == 401
    listing = io.StringIO()
    with contextlib.redirect_stdout(listing):
        siege_cli(["--database-url", server.url, "device", "list"])
    assert "expiré" in next(x for x in listing.getvalue().splitlines() if "Portable Sedan" in x)
    # Revocation needs no sync: it is immediate.
    devices.revoke(server.engine, "Portable Sedan")
    laptop.close()
    server.close()

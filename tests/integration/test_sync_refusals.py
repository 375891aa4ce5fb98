"""A refusal is never silent, the transport is checked, and history tells the truth.

- A change the siège refuses: ``python -m app sync`` exits non-zero with one French
  line per refusal; the local row goes back to the siège's state and the user's values
  wait as a conflict to review.
- Plain ``http://`` only to this machine; a certificate the laptop does not trust is
  reported as such (real TLS siège on loopback, self-signed certificate made here).
- A sync run left "running" by a killed process is closed at the next look.
- Validating an invoice writes one outbox entry per row.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import insert, select, update

from app.errors import ValidationError
from app.invoicing.validation import validate_invoice
from app.models import DeviceIdentity, Invoice, OutboxEntry, Person, SyncRun
from app.profile import Profile, open_profile
from app.sync import service, wording
from app.sync.client import SyncError
from app.sync.codec import table_of
from siege import db, devices
from tests.invoicing_fixtures import add_client, add_draft, add_entrepreneur, complete_identity
from tests.sync_support import new_laptop
from tests.sync_support.processes import ROOT, SiegeProcess, python_env
from tests.sync_support.scenarios import issued_on_one_then_edited_on_the_other
from ui.messages import error_message


def _enrol(server: SiegeProcess, profile: Profile, name: str) -> None:
    engine = db.make_engine(server.database_url)
    code, _prefix = devices.enroll(engine, name, "Épernay")
    engine.dispose()
    service.enrol(profile, server.url, code)


def _cli_sync(profile_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", "--profile", str(profile_dir), "sync"],
        cwd=ROOT,
        env=python_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )


def _draft_issued_on_a_then_edited_on_b(server: SiegeProcess, tmp_path: Path) -> str:
    """Laptop A issues a draft both laptops hold; laptop B, not yet told, edits its notes."""
    a, b = new_laptop(tmp_path, "A"), new_laptop(tmp_path, "B")
    _enrol(server, a, "Portable A")
    _enrol(server, b, "Portable B")
    invoice_id = issued_on_one_then_edited_on_the_other(a, b)
    a.close()
    b.close()
    return invoice_id


def test_a_refused_change_is_reported_in_french_and_kept_for_review(
    siege_process: SiegeProcess, tmp_path: Path
) -> None:
    invoice_id = _draft_issued_on_a_then_edited_on_b(siege_process, tmp_path)
    done = _cli_sync(tmp_path / "B")
    assert done.returncode == 3, done.stderr
    lines = [ln for ln in done.stderr.splitlines() if ln.startswith("Modification refusée")]
    assert len(lines) == 1, done.stderr
    assert f"Facture {invoice_id[:8]}" in lines[0]
    assert "Notes" in lines[0]
    assert any(reason in lines[0] for reason in wording.PUSH_REASONS.values()), lines[0]
    assert "Conflits à vérifier" in lines[0]

    b = open_profile(tmp_path / "B")
    try:
        with b.session_factory() as session:
            row = session.get(Invoice, invoice_id)
            assert row is not None and (row.status, row.notes) == ("emise", "v1")
            assert session.scalars(select(OutboxEntry)).first() is None
        (conflict,) = service.open_conflicts(b)
        assert (conflict.kind, conflict.table_name, conflict.row_id) == (
            "rejected",
            "invoice",
            invoice_id,
        )
        assert conflict.field == "notes"
        assert json.loads(conflict.lost_value) == {"notes": "v2 (trop tard)"}
        assert json.loads(conflict.kept_value) == {"notes": "v1"}
        assert wording.values_text(conflict.lost_value) == "Notes : v2 (trop tard)"
        assert service.history(b)[0].outcome == "refused"
    finally:
        b.close()
    # Reported once: the next sync has nothing refused and succeeds.
    again = _cli_sync(tmp_path / "B")
    assert again.returncode == 0, again.stderr


def test_plain_http_is_refused_except_to_this_machine(tmp_path: Path) -> None:
    laptop = new_laptop(tmp_path, "A")
    for url in ("http://siege.example.fr", "http://192.168.1.5:8765", "http://127.0.0.1.nip.io"):
        with pytest.raises(ValidationError) as caught:
            service.enrol(laptop, url, "CODE")
        assert [e.code for e in caught.value.errors] == ["insecure_url"]
        assert "https://" in error_message(caught.value)
    for url in ("http://127.0.0.2:9", "http://[::1]:9", "http://localhost:9"):
        with pytest.raises(SyncError) as refused:  # allowed, then nobody answers there
            service.enrol(laptop, url, "CODE")
        assert refused.value.code == "offline"
    # A profile holding a plain address (enrolled by an older version) does not sync.
    with laptop.engine.begin() as conn:
        conn.execute(
            update(table_of(DeviceIdentity)).values(
                server_url="http://10.0.0.1:8765", enrolled_at=dt.datetime(2026, 1, 5)
            )
        )
    service._token_store(laptop, service._device(laptop).device_id).save("jeton")
    with pytest.raises(SyncError) as caught_sync:
        service.run_sync(laptop)
    assert caught_sync.value.code == "insecure_url"
    laptop.close()


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def test_an_untrusted_certificate_is_reported_as_such_not_as_offline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cert, key = _self_signed(tmp_path)
    url = f"sqlite:///{tmp_path}/siege.sqlite3"
    engine = db.make_engine(url)
    db.migrate(engine)
    code, _prefix = devices.enroll(engine, "Portable TLS", "Épernay")
    engine.dispose()
    server = SiegeProcess(url, tmp_path / "siege.log", tls=(cert, key))
    server.start()
    laptop = new_laptop(tmp_path, "A")
    try:
        monkeypatch.delenv("SSL_CERT_FILE", raising=False)
        with pytest.raises(SyncError) as caught:
            service.enrol(laptop, server.url, code)
        assert caught.value.code == "certificate"
        message = error_message(caught.value)
        assert "certificat du siège" in message and "SSL_CERT_FILE" in message
        # Trusting the siège's certificate the documented way: enrol and sync go through.
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))
        service.enrol(laptop, server.url, code)
        with laptop.uow() as uow:
            uow.session.add(Person(first_name="Inès", last_name="Roux"))
            uow.commit()
        assert service.run_sync(laptop).pushed == 1
        # The trust removed again: a sync says "certificate", keeps the outbox.
        monkeypatch.delenv("SSL_CERT_FILE")
        with laptop.uow() as uow:
            uow.session.add(Person(first_name="Noé", last_name="Roux"))
            uow.commit()
        with pytest.raises(SyncError) as at_sync:
            service.run_sync(laptop)
        assert at_sync.value.code == "certificate"
        assert service.status(laptop).pending == 1
        assert service.history(laptop)[0].outcome == "certificate"
    finally:
        laptop.close()
        server.kill()


def test_a_run_left_running_by_a_killed_sync_is_closed_as_interrupted(profile: Profile) -> None:
    runs = table_of(SyncRun)
    with profile.engine.begin() as conn:  # what a SIGKILLed sync leaves behind
        conn.execute(insert(runs).values(started_at=dt.datetime(2026, 11, 25, 8, 0)))
    (run,) = service.history(profile)
    assert (run.outcome, run.finished_at) == ("interrupted", None)
    with profile.engine.connect() as conn:
        assert conn.execute(select(runs.c.outcome)).scalar_one() == "interrupted"


def test_validation_writes_one_outbox_entry_per_row(profile: Profile) -> None:
    complete_identity(profile.uow)
    person = add_entrepreneur(profile.uow)
    client = add_client(profile.uow, person)
    draft = add_draft(profile.uow, person, client)
    with profile.engine.begin() as conn:
        conn.execute(table_of(OutboxEntry).delete())
    validate_invoice(profile.uow, profile.paths.documents, draft, dt.date(2026, 3, 2))
    with profile.session_factory() as session:
        entries = [(e.table_name, e.row_id, e.kind) for e in session.scalars(select(OutboxEntry))]
    invoice_entries = [e for e in entries if e[0] == "invoice"]
    assert invoice_entries == [("invoice", draft, "freeze")]
    rows = [(table, row_id) for table, row_id, _kind in entries]
    assert len(rows) == len(set(rows))


def test_every_refusal_code_of_the_siege_has_french_words() -> None:
    import re

    sources = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "siege").glob("*.py"))
    codes = set(re.findall(r'Rejected\(f?"([a-z_]+)', sources))
    assert len(codes) >= 10  # the pattern still finds the siège's refusals
    assert codes <= set(wording.PUSH_REASONS), codes - set(wording.PUSH_REASONS)
    assert "{" not in wording.push_reason("unique_key_taken: name")

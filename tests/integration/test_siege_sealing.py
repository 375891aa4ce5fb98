"""The siège seals each countersigned half-day at the next sync: PAdES signature with the
CAE's certificate and an RFC 3161 timestamp from a TSA served over real HTTP on
loopback, verified with pyHanko's own validator against the test CA (issue 16, item 2).
SQLite and PostgreSQL sièges."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from sqlalchemy import select

from app import clock
from app.models import SheetSeal
from app.models.base import Base
from app.profile import Profile
from app.sync import service
from app.workshops import registrations, signature_status, signature_store, workshops
from app.workshops.signing_seal import read_record, report_lines, verify_sheet
from siege import sealing
from siege.sealer import SealConfig, Sealer
from siege.tables import sheet_seal_store
from tests.clock_support import child_env
from tests.seal_support import TestPki, build_pki, local_tsa
from tests.sync_support import Siege, new_laptop
from tests.workshops_support import DAY, add_persons, new_session

BOX = (600.0, 200.0)
IN_MORNING = dt.datetime.combine(DAY, dt.time(9, 40), tzinfo=clock.PARIS)


def scribble(seed: int) -> list[tuple[signature_store.Point, ...]]:
    import math

    return [
        tuple(
            signature_store.Point(
                40 + i * 8 + part * 250, 100 + 40 * math.sin(i / 3 + seed), i * 15
            )
            for i in range(30)
        )
        for part in range(2)
    ]


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> TestPki:
    return build_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def tsa(pki: TestPki) -> Iterator[str]:
    with local_tsa(pki) as url:
        yield url


@pytest.fixture
def configured(pki: TestPki, tsa: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("PERMANENCE_SEAL_KEY", str(pki.seal_key))
    monkeypatch.setenv("PERMANENCE_SEAL_CERT", str(pki.seal_cert))
    monkeypatch.setenv("PERMANENCE_SEAL_CHAIN", str(pki.root_cert))
    monkeypatch.setenv("PERMANENCE_TSA_URL", tsa)
    return tsa


@pytest.fixture
def laptop(tmp_path: Path, siege: Siege) -> Iterator[Profile]:
    profile = new_laptop(tmp_path, "Portable Langres")
    siege.enrol(profile, "Portable Langres", "Langres")
    yield profile
    profile.close()


def _sign_and_close(laptop: Profile, pinned_clock) -> tuple[str, str]:
    pinned_clock.set(IN_MORNING)
    activity_id = new_session(laptop.uow, capacity=None)
    persons = add_persons(laptop.uow, 3)
    for person_id in persons:
        registrations.register_person(laptop.uow, activity_id, person_id)
    detail = workshops.get_session(laptop.uow, activity_id)
    slot_id = detail.slots[0].id
    signing = signature_store.open_signing(laptop.uow, detail, slot_id)
    signing.sign(persons[0], scribble(1), BOX)
    signing.sign(persons[1], scribble(2), BOX)
    signing.countersign("Claire Testeuse", scribble(9), BOX)
    return activity_id, slot_id


def test_a_countersigned_half_day_is_sealed_at_the_next_sync_and_the_laptop_learns_when(
    siege: Siege, laptop: Profile, configured: str, pki: TestPki, pinned_clock
) -> None:
    sync = lambda: service.run_sync(laptop, http_factory=siege.http_factory)  # noqa: E731
    _activity, slot_id = _sign_and_close(laptop, pinned_clock)
    before = clock.now().replace(microsecond=0)
    sync()  # the push brings the countersignature: the siège seals after answering
    after = clock.now()
    pdf = sealing.sealed_pdf(siege.engine, slot_id)
    assert pdf is not None

    # pyHanko's own validator, against the test CA (signature) and the TSA (timestamp).
    root = load_cert_from_pemder(str(pki.root_cert))
    context = ValidationContext(trust_roots=[root], allow_fetching=False)
    signature = PdfFileReader(io.BytesIO(pdf)).embedded_signatures[-1]
    status = validate_pdf_signature(signature, context, ts_validation_context=context)
    assert status.bottom_line, status.pretty_print_details()
    assert status.coverage is not None and status.coverage.name == "ENTIRE_FILE"
    assert status.timestamp_validity is not None and status.timestamp_validity.trusted
    # Stamped by the authority at the siège's (pinned) time of sealing, however long the
    # sync took on this machine.
    assert before <= status.timestamp_validity.timestamp <= after
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES

    record = read_record(pdf)
    assert record is not None and record["chain_problems"] == []
    assert [s["role"] for s in record["signatures"]] == ["participant", "participant", "formateur"]
    assert [n["state"] for n in record["not_signed"]] == ["absent"]

    report = verify_sheet(pdf, [pki.root_cert])
    assert report.ok and report.trusted and report.timestamped and report.timestamp_trusted
    lines = report_lines(report, "feuille.pdf")
    assert any(line.startswith("Horodatage RFC 3161 du ") for line in lines)
    assert "« Coopérative Champagne Entreprendre »" in lines[1]

    sync()  # the laptop receives when its sheet was sealed
    with laptop.uow() as work:
        seal = work.session.scalars(select(SheetSeal).where(SheetSeal.slot_id == slot_id)).one()
        assert seal.sealer == "Coopérative Champagne Entreprendre"
        assert seal.tsa == configured
        assert abs(seal.sealed_at - clock.utcnow()) < dt.timedelta(minutes=1)
        sealed_at = seal.sealed_at
    (signing,) = signature_status.slot_signing(laptop.uow, _activity)
    assert (signing.signatures, signing.countersigned, signing.sealed_at) == (2, True, sealed_at)


def test_a_seal_that_fails_is_kept_and_retried_never_dropped(
    siege: Siege, laptop: Profile, pki: TestPki, tsa: str, pinned_clock
) -> None:
    _activity, slot_id = _sign_and_close(laptop, pinned_clock)
    service.run_sync(laptop, http_factory=siege.http_factory)  # not configured: nothing sealed
    assert sealing.sealed_pdf(siege.engine, slot_id) is None
    config = SealConfig(str(pki.seal_key), str(pki.seal_cert), "http://127.0.0.1:9/tsa")
    report = sealing.cycle(siege.engine, Sealer.from_config(config))
    assert (report.queued, report.sealed, report.failed) == (1, 0, 1)
    with siege.engine.connect() as conn:
        row = conn.execute(select(sheet_seal_store)).mappings().one()
    assert row["state"] == "pending" and row["attempts"] == 1 and row["last_error"]
    working = Sealer.from_config(
        SealConfig(str(pki.seal_key), str(pki.seal_cert), tsa, (str(pki.root_cert),))
    )
    assert sealing.cycle(siege.engine, working).sealed == 0  # not due yet: waits its delay
    pinned_clock.set(clock.now() + dt.timedelta(minutes=3))
    assert sealing.cycle(siege.engine, working).sealed == 1
    assert sealing.sealed_pdf(siege.engine, slot_id) is not None
    with siege.engine.connect() as conn:
        seals = conn.execute(select(Base.metadata.tables["sheet_seal"])).all()
    assert len(seals) == 1


def test_a_tampered_sealed_sheet_is_detected(
    siege: Siege, laptop: Profile, configured: str, pki: TestPki, pinned_clock, tmp_path: Path
) -> None:
    _activity, slot_id = _sign_and_close(laptop, pinned_clock)
    service.run_sync(laptop, http_factory=siege.http_factory)
    pdf = sealing.sealed_pdf(siege.engine, slot_id)
    assert pdf is not None
    tampered = pdf.replace(b"PDF document", b"PDF documenT", 1)  # one byte, signed range
    assert tampered != pdf
    report = verify_sheet(tampered, [pki.root_cert])
    assert not report.ok
    path = tmp_path / "feuille.pdf"
    path.write_bytes(tampered)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "app",
            "verify-sheet",
            str(path),
            "--certificat",
            str(pki.root_cert),
        ],
        capture_output=True,
        text=True,
        env=child_env(),
        timeout=120,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "NON CONFORME" in done.stdout


def test_the_audit_pack_holds_sealed_sheets_records_and_reports_and_verifies_again(
    siege: Siege, laptop: Profile, configured: str, pki: TestPki, pinned_clock, tmp_path: Path
) -> None:
    activity_id, slot_id = _sign_and_close(laptop, pinned_clock)
    service.run_sync(laptop, http_factory=siege.http_factory)
    target = tmp_path / "dossier.zip"
    run = lambda *a: subprocess.run(  # noqa: E731
        [sys.executable, *a], capture_output=True, text=True, env=child_env(), timeout=180
    )
    made = run("-m", "siege", "--database-url", siege.url, "sheets", "pack", activity_id,
               str(target), "--certificat", str(pki.root_cert))  # fmt: skip
    assert made.returncode == 0, made.stdout + made.stderr
    with zipfile.ZipFile(target) as archive:
        names = set(archive.namelist())
        stem = f"emargement-{DAY.isoformat()}-matin"
        assert {f"{stem}.pdf", f"{stem}-enregistrement.json", f"{stem}-verification.txt",
                "verification.json", "manifeste.json", "LISEZMOI.txt"} <= names  # fmt: skip
        results = json.loads(archive.read("verification.json"))
        assert results[f"{stem}.pdf"]["ok"] and results[f"{stem}.pdf"]["timestamp_trusted"]
        record = json.loads(archive.read(f"{stem}-enregistrement.json"))
        assert record["slot"]["id"] == slot_id and len(record["chain"]) == 3
    checked = run("-m", "app", "verify-sheet", str(target), "--certificat", str(pki.root_cert))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert (
        "Résultat : feuille INTACTE" in checked.stdout and "Horodatage RFC 3161" in checked.stdout
    )
    # A sheet swapped inside the pack no longer matches its manifest.
    swapped = tmp_path / "modifie.zip"
    with zipfile.ZipFile(target) as source, zipfile.ZipFile(swapped, "w") as out:
        for name in source.namelist():
            data = source.read(name)
            out.writestr(name, data + b"\n" if name.endswith(".pdf") else data)
    again = run("-m", "app", "verify-sheet", str(swapped), "--certificat", str(pki.root_cert))
    assert again.returncode == 1 and "manifeste" in again.stdout


def test_a_chain_broken_before_sealing_is_reported_by_the_verification(
    siege: Siege, laptop: Profile, tsa: str, pki: TestPki, pinned_clock
) -> None:
    """A signature row changed behind the application on the siège before sealing: the
    seal is intact, but the sheet is declared non-conforming with the reason."""
    from sqlalchemy import update

    _activity, slot_id = _sign_and_close(laptop, pinned_clock)
    config = SealConfig(str(pki.seal_key), str(pki.seal_cert), "http://127.0.0.1:9/tsa")
    service.run_sync(laptop, http_factory=siege.http_factory)  # no seal configured
    sealing.cycle(siege.engine, Sealer.from_config(config))  # queued, TSA down: pending
    table = Base.metadata.tables["attendance_signature"]
    with siege.engine.begin() as conn:
        conn.execute(
            update(table).where(table.c.position == 0).values(signer_name="Quelqu'un d'autre")
        )
    pinned_clock.set(clock.now() + dt.timedelta(minutes=3))
    working = Sealer.from_config(
        SealConfig(str(pki.seal_key), str(pki.seal_cert), tsa, (str(pki.root_cert),))
    )
    assert sealing.cycle(siege.engine, working).sealed == 1
    pdf = sealing.sealed_pdf(siege.engine, slot_id)
    assert pdf is not None
    report = verify_sheet(pdf, [pki.root_cert])
    assert report.intact and not report.ok
    assert report.problems == ["chain:row_changed:Quelqu'un d'autre"]
    assert any("chaîne d'empreintes" in line for line in report_lines(report, "f.pdf"))


def test_seal_command_says_what_is_missing_then_seals(
    siege: Siege, laptop: Profile, pki: TestPki, tsa: str, pinned_clock
) -> None:
    _activity, slot_id = _sign_and_close(laptop, pinned_clock)
    service.run_sync(laptop, http_factory=siege.http_factory)  # no seal configured yet
    command = [sys.executable, "-m", "siege", "--database-url", siege.url, "sheets", "seal"]
    bare = {
        k: v
        for k, v in child_env().items()
        if not k.startswith(("PERMANENCE_SEAL", "PERMANENCE_TSA"))
    }
    missing = subprocess.run(command, capture_output=True, text=True, env=bare, timeout=180)
    assert missing.returncode == 2
    assert "aucun sceau configuré" in missing.stderr and "PERMANENCE_SEAL_KEY" in missing.stderr
    env = {**bare, "PERMANENCE_SEAL_KEY": str(pki.seal_key),
           "PERMANENCE_SEAL_CERT": str(pki.seal_cert), "PERMANENCE_TSA_URL": tsa}  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "mises en file : 1 ; scellées : 1" in done.stdout
    assert sealing.sealed_pdf(siege.engine, slot_id) is not None

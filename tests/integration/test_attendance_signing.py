"""Signatures captured on the laptop for one half-day, sealed, and verified (issue 16)."""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.generic import NameObject, TextStringObject
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader

from app import clock
from app.errors import ConflictError
from app.workshops import registrations, workshop_documents, workshops
from app.workshops.signing import Point, SigningSession, Stroke
from app.workshops.signing_seal import (
    CERT_FILE,
    KEY_FILE,
    SEAL_FOLDER,
    earlier_signatures,
    read_record,
    report_lines,
    seal_session,
    verify_sheet,
)
from app.workshops.workshop_values import PRESENT, SessionDetail
from tests.clock_support import child_env
from tests.workshops_support import DAY, add_persons, new_session

BOX = (600.0, 200.0)
IN_MORNING = dt.datetime.combine(DAY, dt.time(9, 40), tzinfo=clock.PARIS)


def scribble(seed: int, shift: int = 0) -> list[Stroke]:
    """A signature-like drawing, different for each seed (two strokes, ~60 points);
    x in whole numbers, y not: both must hash the same once read back from the PDF."""
    strokes: list[Stroke] = []
    for part in range(2):
        points = tuple(
            Point(
                40 + shift + i * 8 + part * 250,
                100 + 40 * math.sin(i / (2 + seed % 5) + seed) + part * 10,
                i * 15 + part * 900,
            )
            for i in range(30)
        )
        strokes.append(points)
    return strokes


@pytest.fixture
def session_detail(uow, pinned_clock) -> SessionDetail:
    pinned_clock.set(IN_MORNING)
    activity_id = new_session(uow, capacity=None)
    for person_id in add_persons(uow, 3):
        registrations.register_person(uow, activity_id, person_id)
    return workshops.get_session(uow, activity_id)


def _open(detail: SessionDetail, **options) -> SigningSession:
    return SigningSession.open(detail, detail.slots[0].id, **options)


def _sign_all(signing: SigningSession) -> None:
    for seed, (person_id, _name) in enumerate(signing.pending()):
        signing.sign(person_id, scribble(seed), BOX)
    signing.countersign("Claire Testeuse", scribble(99), BOX)


def _seal(profile, uow, signing: SigningSession) -> Path:
    organisation = workshop_documents.organisation_of(uow)
    return seal_session(uow, profile.paths.documents, profile.paths.root, signing, organisation)


def test_signing_is_refused_outside_the_window_and_on_another_day(
    session_detail, pinned_clock
) -> None:
    signing = _open(session_detail)  # 9:40: open
    person_id = signing.pending()[0][0]
    pinned_clock.set(dt.datetime.combine(DAY, dt.time(13, 1), tzinfo=clock.PARIS))
    with pytest.raises(ConflictError) as late:
        signing.sign(person_id, scribble(1), BOX)
    assert late.value.code == "signing_outside_window"
    pinned_clock.set(
        dt.datetime.combine(DAY + dt.timedelta(days=1), dt.time(9, 40), tzinfo=clock.PARIS)
    )
    with pytest.raises(ConflictError):
        _open(session_detail)
    pinned_clock.set(dt.datetime.combine(DAY, dt.time(8, 29), tzinfo=clock.PARIS))
    with pytest.raises(ConflictError):
        _open(session_detail)
    pinned_clock.set(dt.datetime.combine(DAY, dt.time(8, 31), tzinfo=clock.PARIS))
    assert _open(session_detail).pending()  # within the 30-minute margin before 9:00
    assert signing.signatures == []


def test_identical_strokes_are_refused_even_moved_or_retimed(session_detail) -> None:
    signing = _open(session_detail)
    first, second, third = (p for p, _n in signing.pending())
    signing.sign(first, scribble(1), BOX)
    with pytest.raises(ConflictError) as copied:
        signing.sign(second, scribble(1), BOX)
    assert copied.value.code == "signature_duplicate"
    assert copied.value.details["name"] == signing.signatures[0].name
    moved = [tuple(Point(p.x + 30, p.y + 5, p.t_ms + 4000) for p in s) for s in scribble(1)]
    with pytest.raises(ConflictError):
        signing.sign(third, moved, BOX)
    signing.sign(second, scribble(2), BOX)
    with pytest.raises(ConflictError) as twice:
        signing.sign(first, scribble(3), BOX)
    assert twice.value.code == "already_signed"
    with pytest.raises(ConflictError) as dot:
        signing.sign(third, [(Point(1, 1, 0), Point(2, 1, 5))], BOX)
    assert dot.value.code == "signature_empty"


def test_countersigned_half_day_is_closed(session_detail) -> None:
    signing = _open(session_detail)
    with pytest.raises(ConflictError) as early:
        signing.countersign("Claire Testeuse", scribble(9), BOX)
    assert early.value.code == "nobody_signed"
    first, second, _third = (p for p, _n in signing.pending())
    signing.sign(first, scribble(1), BOX)
    signing.countersign("Claire Testeuse", scribble(9), BOX)
    with pytest.raises(ConflictError) as closed:
        signing.sign(second, scribble(2), BOX)
    assert closed.value.code == "signing_closed"


def test_sealed_sheet_draws_strokes_names_times_and_digests(profile, uow, session_detail) -> None:
    from tests.invoicing_fixtures import complete_identity

    complete_identity(uow)
    signing = _open(session_detail, device="Portable de Claire")
    first, second, third = (p for p, _n in signing.pending())
    signing.sign(first, scribble(1), BOX)
    signing.sign(second, scribble(2), BOX)
    signing.countersign("Claire Testeuse", scribble(9), BOX)
    path = _seal(profile, uow, signing)
    assert path.parent.parent == profile.paths.documents / "ateliers"
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(path).pages)
    assert "Feuille d'émargement signée électroniquement" in text
    assert "Coopérative Champagne Entreprendre" in text
    for signature in signing.signatures:
        assert signature.name in text
        assert signature.digest[:16] in text
    # Each capture time, from the application's clock: the pinned clock runs at the
    # machine's pace, so a busy machine may sign seconds after 9:40 (never before).
    for signature in signing.signatures:
        assert IN_MORNING.replace(tzinfo=None) <= signature.captured_at
        assert signature.captured_at <= clock.localnow().replace(tzinfo=None)
        assert signature.captured_at.strftime("%H:%M:%S") in text
    assert "Formateur : Claire Testeuse" in text
    assert "NON SIGNÉ" in text and text.count("NON SIGNÉ") == 1
    record = read_record(path.read_bytes())
    assert record is not None
    assert record["sha256"] in text
    assert {s["name"] for s in record["signatures"]} >= {s.name for s in signing.signatures}
    assert [n["person_id"] for n in record["not_signed"]] == [third]
    # Strokes are vector paths (one "l" operator per segment), not an image.
    page = PdfReader(path).pages[0]
    assert not page.images
    content = page.get_contents()
    assert content is not None
    segments = len(re.findall(r"\d l\b", content.get_data().decode("latin-1")))
    assert segments >= 3 * 58 + 12 * 9  # three signatures, and the twelve stars of the EU emblem
    # The signers are now present at that half-day; the one who did not sign is not.
    detail = workshops.get_session(uow, session_detail.id)
    slot_id = session_detail.slots[0].id
    assert detail.state(slot_id, first) == PRESENT and detail.state(slot_id, third) != PRESENT


def test_seal_key_is_the_profiles_own_and_private(profile, uow, session_detail) -> None:
    signing = _open(session_detail)
    _sign_all(signing)
    before = clock.now().replace(microsecond=0)  # the seal's date is to the second
    path = _seal(profile, uow, signing)
    after = clock.now()
    key = profile.paths.root / SEAL_FOLDER / KEY_FILE
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    # pyHanko's own validator, trusting the profile's certificate: intact, whole file.
    reader = PdfFileReader(io.BytesIO(path.read_bytes()))
    cert = load_cert_from_pemder(str(profile.paths.root / SEAL_FOLDER / CERT_FILE))
    status = validate_pdf_signature(
        reader.embedded_signatures[0], ValidationContext(trust_roots=[cert], allow_fetching=False)
    )
    assert status.intact and status.valid and status.trusted
    assert status.coverage is not None and status.coverage.name == "ENTIRE_FILE"
    # Dated by the application's clock (12 March 2026, 9:40 and the seconds the test took
    # on this machine), not the machine's.
    assert status.signer_reported_dt is not None
    assert IN_MORNING <= before <= status.signer_reported_dt <= after


def test_verification_tells_an_intact_sheet_from_a_tampered_one(
    profile, uow, session_detail
) -> None:
    signing = _open(session_detail)
    _sign_all(signing)
    path = _seal(profile, uow, signing)
    cert = profile.paths.root / SEAL_FOLDER / CERT_FILE
    report = verify_sheet(path.read_bytes(), [cert])
    assert report.ok and report.trusted and report.signatures == 4
    assert report_lines(report, path.name)[-1].startswith("Résultat : feuille INTACTE")
    # A byte changed inside the sealed range: the seal breaks.
    broken = verify_sheet(_flip_a_byte(path), [cert])
    assert not broken.ok and "seal_broken" in broken.problems
    # An update appended after the seal (e.g. a signature's strokes replaced): seen too.
    writer = IncrementalPdfFileWriter(io.BytesIO(path.read_bytes()))
    writer.root[NameObject("/Lang")] = TextStringObject("en")
    writer.update_root()
    appended = io.BytesIO()
    writer.write(appended)
    later = verify_sheet(appended.getvalue(), [cert])
    assert not later.ok and "changed_after_seal" in later.problems
    lines = report_lines(later, "x.pdf")
    assert "NON CONFORME" in lines[-1]


def test_a_half_day_sealed_cannot_be_signed_again_and_copies_are_caught_across_half_days(
    profile, uow, session_detail, pinned_clock
) -> None:
    signing = _open(session_detail)
    _sign_all(signing)
    _seal(profile, uow, signing)
    again = _open(session_detail)
    with pytest.raises(ConflictError) as frozen:
        _seal_again(profile, uow, again)
    assert frozen.value.code == "slot_already_sealed"
    pinned_clock.set(dt.datetime.combine(DAY, dt.time(14, 10), tzinfo=clock.PARIS))
    afternoon = SigningSession.open(session_detail, session_detail.slots[1].id)
    afternoon.earlier = earlier_signatures(profile.paths.documents, afternoon)
    person_id = afternoon.pending()[0][0]
    with pytest.raises(ConflictError) as replayed:
        afternoon.sign(person_id, scribble(0), BOX)  # the morning's strokes, replayed
    assert replayed.value.code == "signature_duplicate"
    afternoon.sign(person_id, scribble(7), BOX)


def _flip_a_byte(path: Path) -> bytes:
    """One byte changed in the page's text, well inside the range the seal covers."""
    data = bytearray(path.read_bytes())
    at = data.index(b"stream", len(data) // 10) + 40
    data[at] ^= 0x01
    return bytes(data)


def _seal_again(profile, uow, signing: SigningSession) -> Path:
    signing.sign(signing.pending()[0][0], scribble(40), BOX)
    signing.countersign("Claire Testeuse", scribble(41), BOX)
    return _seal(profile, uow, signing)


def test_verify_sheet_command_speaks_french(profile, uow, session_detail) -> None:
    signing = _open(session_detail)
    _sign_all(signing)
    path = _seal(profile, uow, signing)
    ok = subprocess.run(
        [
            sys.executable,
            "-m",
            "app",
            "--profile",
            str(profile.paths.root),
            "verify-sheet",
            str(path),
        ],
        capture_output=True,
        text=True,
        env=child_env(),
        timeout=120,
    )
    assert ok.returncode == 0, ok.stderr
    sealed = re.search(r"Scellée le (\d\d/\d\d/\d{4} à \d\d:\d\d:\d\d)", ok.stdout)
    assert sealed, ok.stdout
    # The pinned clock runs at the machine's pace: sealed at 9:40 or seconds after.
    sealed_at = dt.datetime.strptime(sealed.group(1), "%d/%m/%Y à %H:%M:%S")
    assert IN_MORNING.replace(tzinfo=None) <= sealed_at <= clock.localnow().replace(tzinfo=None)
    assert "Certificat du sceau reconnu" in ok.stdout
    assert "feuille INTACTE" in ok.stdout
    tampered = path.with_name("copie.pdf")
    tampered.write_bytes(_flip_a_byte(path))
    bad = subprocess.run(
        [sys.executable, "-m", "app", "verify-sheet", str(tampered)],
        capture_output=True,
        text=True,
        env=child_env(),
        timeout=120,
    )
    assert bad.returncode == 1
    assert "NON CONFORME" in bad.stdout

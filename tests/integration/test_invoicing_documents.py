"""Invoice documents beyond the invoice itself (issue 15, item 6): continuation pages say
which invoice they belong to, copies are « Duplicata » with the logo of the issue (kept by content), and a
fully paid invoice has its « facture acquittée » receipt."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import cast

import pytest
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import Table, update

from app.errors import ConflictError
from app.invoicing.cae_identity import get_cae_identity, save_cae_identity
from app.invoicing.documents import invoice_pdf, receipt_pdf
from app.invoicing.drafts import LineData
from app.invoicing.payments import PaymentData, record_payment
from app.invoicing.validation import validate_invoice
from app.models import Invoice
from app.models.invoicing import CaeLogo
from app.profile import Profile
from tests.invoicing_fixtures import add_client, add_draft, add_entrepreneur, complete_identity

DAY = dt.date(2026, 3, 2)


def _pages(data: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(data))
    return [re.sub(r"[\u202f\u00a0]", " ", page.extract_text()) for page in reader.pages]


def _images(data: bytes) -> int:
    return sum(len(page.images) for page in PdfReader(io.BytesIO(data)).pages)


def _logo_colours(data: bytes) -> list[object]:
    """The top-left pixel's colour of each image the PDF shows (the logo)."""
    out: list[object] = []
    for page in PdfReader(io.BytesIO(data)).pages:
        for image in page.images:
            assert image.image is not None
            out.append(image.image.convert("RGB").getpixel((0, 0)))
    return out


def _png(colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 20), colour).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def setup(profile: Profile) -> tuple[Profile, str, str]:
    complete_identity(profile.uow)
    person = add_entrepreneur(profile.uow)
    return profile, person, add_client(profile.uow, person)


def _issue(profile: Profile, person: str, client: str, lines=None) -> str:
    draft = add_draft(profile.uow, person, client, lines)
    return validate_invoice(profile.uow, profile.paths.documents, draft, DAY).invoice_id


def _as_issued_elsewhere(profile: Profile, invoice_id: str) -> None:
    """As sync delivers it from another laptop: the row, without the file."""
    with profile.engine.begin() as conn:
        conn.execute(
            cast(Table, Invoice.__table__)
            .update()
            .where(Invoice.__table__.c.id == invoice_id)
            .values(pdf_path="", pdf_sha256="")
        )


def test_continuation_pages_carry_the_number_and_date(setup) -> None:
    profile, person, client = setup
    lines = tuple(LineData(f"Prestation n° {i}", 10000, 1000 + i, 2000) for i in range(90))
    invoice_id = _issue(profile, person, client, lines)
    pages = _pages(invoice_pdf(profile.uow, profile.paths.documents, invoice_id).read_bytes())
    assert len(pages) >= 3
    assert "(suite)" not in pages[0]
    for text in pages[1:]:
        assert "Facture n° LOC-2026-00001 du 02/03/2026 (suite)" in text


def test_a_copy_is_marked_duplicata_and_keeps_the_logo_of_the_issue(setup) -> None:
    profile, person, client = setup
    identity = get_cae_identity(profile.uow)
    save_cae_identity(profile.uow, identity.with_changes(logo_png=_png("navy")))
    first = _issue(profile, person, client)
    stored = invoice_pdf(profile.uow, profile.paths.documents, first).read_bytes()
    assert _images(stored) == 1 and "DUPLICATA" not in _pages(stored)[0]

    _as_issued_elsewhere(profile, first)
    copy = invoice_pdf(profile.uow, profile.paths.documents, first).read_bytes()
    assert "DUPLICATA" in _pages(copy)[0]
    assert _images(copy) == 1  # the logo is still the one of the issue

    # The CAE changes its logo: a copy made now prints the logo frozen at issue (kept by
    # content in cae_logo, synced from the siège), never the new one.
    second = _issue(profile, person, client)
    save_cae_identity(profile.uow, get_cae_identity(profile.uow).with_changes(logo_png=_png("red")))
    _as_issued_elsewhere(profile, second)
    later = invoice_pdf(profile.uow, profile.paths.documents, second).read_bytes()
    assert "DUPLICATA" in _pages(later)[0]
    assert _logo_colours(later) == [(0, 0, 128)]  # navy, as issued
    # A logo this device never received (issued before logos were kept): no logo at all.
    third = _issue(profile, person, client)
    with profile.engine.begin() as conn:
        conn.execute(update(CaeLogo).where(CaeLogo.png == _png("red")).values(deleted_at=DAY))
    save_cae_identity(
        profile.uow, get_cae_identity(profile.uow).with_changes(logo_png=_png("green"))
    )
    _as_issued_elsewhere(profile, third)
    assert _images(invoice_pdf(profile.uow, profile.paths.documents, third).read_bytes()) == 0


def test_receipt_of_a_fully_paid_invoice(setup) -> None:
    profile, person, client = setup
    invoice_id = _issue(profile, person, client)
    with pytest.raises(ConflictError) as refused:
        receipt_pdf(profile.uow, profile.paths.documents, invoice_id)
    assert refused.value.code == "invoice_not_paid"
    with profile.uow() as work:
        total = work.session.get_one(Invoice, invoice_id).total_incl_cents
    record_payment(profile.uow, invoice_id, PaymentData(DAY, total - 1000, "virement", "VIR-1"))
    with pytest.raises(ConflictError):
        receipt_pdf(profile.uow, profile.paths.documents, invoice_id)
    record_payment(profile.uow, invoice_id, PaymentData(DAY + dt.timedelta(days=9), 1000, "cheque"))
    path = receipt_pdf(profile.uow, profile.paths.documents, invoice_id)
    text = _pages(path.read_bytes())[0]
    assert "FACTURE ACQUITTÉE" in text
    assert "Facture n° LOC-2026-00001 du 02/03/2026" in text
    assert "Acquittée le 11/03/2026" in text
    assert "VIR-1" in text and "chèque" in text and "Boulangerie Dupré" in text


def test_pdf_prints_the_references_and_the_wording_of_the_zero_vat_regime(setup) -> None:
    profile, person, _client = setup
    german = add_client(
        profile.uow, person, country_code="DE", siren="", vat_number="DE136695976",
        postcode="10115", city="Berlin", email="einkauf@example.de",
    )  # fmt: skip
    draft = add_draft(
        profile.uow, person, german, (LineData("Conseil en couture", 10000, 30000, 0),),
        order_reference="PO-4711", buyer_reference="Einkauf/Berlin",
    )  # fmt: skip
    invoice_id = validate_invoice(profile.uow, profile.paths.documents, draft, DAY).invoice_id
    text = _pages(invoice_pdf(profile.uow, profile.paths.documents, invoice_id).read_bytes())[0]
    assert "Bon de commande n° PO-4711" in text and "Votre référence : Einkauf/Berlin" in text
    assert "Autoliquidation" in text  # services to an EU business: the client pays the VAT
    assert "Pénalités" in text or "pénalités" in text  # a business: B2B mentions stay

"""The stored invoice PDF: every mandatory mention, read back from the file (pypdf)."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import cast

import pytest
from pypdf import PdfReader
from sqlalchemy import Table

from app.errors import ConflictError
from app.invoicing.documents import draft_preview, invoice_pdf
from app.invoicing.drafts import LineData
from app.invoicing.validation import cancel_invoice, validate_invoice
from app.profile import Profile
from tests.invoicing_fixtures import add_client, add_draft, add_entrepreneur, complete_identity

DAY = dt.date(2026, 3, 2)


def _text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    # Babel's narrow no-break spaces become plain spaces for easy matching.
    raw = "\n".join(page.extract_text() for page in reader.pages)
    return re.sub(r"[\u202f\u00a0]", " ", raw)


@pytest.fixture
def setup(profile: Profile) -> tuple[Profile, str]:
    complete_identity(profile.uow)
    return profile, add_entrepreneur(profile.uow)


def _issue(
    profile: Profile,
    person: str,
    client: str,
    lines: tuple[LineData, ...] | None = None,
    **changes: object,
) -> tuple[str, bytes]:
    draft = add_draft(profile.uow, person, client, lines, **changes)
    result = validate_invoice(profile.uow, profile.paths.documents, draft, DAY)
    return result.invoice_id, invoice_pdf(
        profile.uow, profile.paths.documents, result.invoice_id
    ).read_bytes()


def test_b2b_invoice_carries_every_mandatory_mention(setup) -> None:
    profile, person = setup
    client = add_client(
        profile.uow,
        person,
        vat_number="FR96552100554",
        delivery_address="Zone artisanale, lot 4",
        delivery_postcode="08090",
        delivery_city="Montcy-Notre-Dame",
    )
    _id, pdf = _issue(
        profile, person, client, sale_date=DAY - dt.timedelta(days=2), vat_on_debits=True
    )
    text = _text(pdf)
    for mention in [
        "FACTURE n° LOC-2026-00001",
        "Date d'émission : 02/03/2026",
        "Date de la vente ou de la prestation : 28/02/2026",
        "Nature de l'opération : Prestation de services",
        # seller: name, address, legal form, SIRET, RCS, VAT
        "Coopérative Champagne Entreprendre",
        "12 rue de Vesle",
        "51100 Reims",
        "SCOP SA à capital variable",
        "SIRET 73282932000074",
        "RCS Reims 732829320",
        "FR44732829320",
        # the entrepreneur's activity
        "Céline Martin — Couture",
        # buyer: name, address, SIREN, VAT, delivery address
        "Boulangerie Dupré",
        "3 place Ducale",
        "08000 Charleville-Mézières",
        "SIREN 552100554",
        "FR96552100554",
        "Adresse de livraison",
        "08090 Montcy-Notre-Dame",
        # lines: description, quantity, unit price, VAT rate
        "Retouche de robe",
        "1,5 h",
        "40,00 €",
        "20 %",
        "5,5 %",
        # totals and VAT per rate
        "Total HT",
        "82,50 €",
        "Total TVA",
        "13,24 €",
        "Total TTC",
        "95,74 €",
        # payment: due date, terms, penalties, 40 € indemnity, early payment discount
        "Date d'échéance du paiement : 01/04/2026",
        "Conditions de paiement",
        "pénalités",
        "40 €",
        "Pas d'escompte",
        "Option pour le paiement de la taxe d'après les débits",
        "Page 1 / 1",
    ]:
        assert mention in text, mention


def test_b2c_invoice_has_no_siren_and_shows_the_exemption_wording(setup) -> None:
    profile, person = setup
    client = add_client(profile.uow, person, business=False)
    lines = (LineData("Cours de couture", 20000, 2500, 0),)
    _id, pdf = _issue(
        profile,
        person,
        client,
        lines=lines,
        vat_exemption_text="TVA non applicable, art. 293 B du CGI",
    )
    text = _text(pdf)
    assert "Jeanne Petit" in text and "SIREN 552100554" not in text
    assert "TVA non applicable, art. 293 B du CGI" in text
    assert "Total TTC" in text and "50,00 €" in text
    assert "Option pour le paiement" not in text


def test_credit_note_quotes_the_original_number_and_date(setup) -> None:
    profile, person = setup
    client = add_client(profile.uow, person)
    invoice_id, _pdf = _issue(profile, person, client)
    credit = cancel_invoice(profile.uow, profile.paths.documents, invoice_id, DAY)
    text = _text(credit.pdf_path.read_bytes())
    assert "AVOIR n° LOC-2026-00002" in text
    assert "Avoir sur la facture n° LOC-2026-00001 du 02/03/2026" in text
    assert "-95,74 €" in text or "−95,74 €" in text


def test_long_invoice_numbers_its_pages_and_repeats_the_cae_footer(setup) -> None:
    profile, person = setup
    client = add_client(profile.uow, person)
    lines = tuple(LineData(f"Prestation n° {i}", 10000, 1000 + i, 2000) for i in range(90))
    _id, pdf = _issue(profile, person, client, lines=lines)
    reader = PdfReader(io.BytesIO(pdf))
    pages = len(reader.pages)
    assert pages >= 3
    for number, page in enumerate(reader.pages, start=1):
        text = re.sub(r"[\u202f\u00a0]", " ", page.extract_text())
        assert f"Page {number} / {pages}" in text
        assert "Coopérative Champagne Entreprendre — SCOP SA à capital variable" in text


def test_pdf_is_served_as_stored_and_an_altered_file_is_refused(setup) -> None:
    profile, person = setup
    client = add_client(profile.uow, person)
    invoice_id, pdf = _issue(profile, person, client)
    path = invoice_pdf(profile.uow, profile.paths.documents, invoice_id)
    assert path.read_bytes() == pdf
    # A later change of the CAE's address does not touch the issued PDF.
    from app.invoicing.cae_identity import get_cae_identity, save_cae_identity

    save_cae_identity(
        profile.uow, get_cae_identity(profile.uow).with_changes(address="1 autre rue")
    )
    assert invoice_pdf(profile.uow, profile.paths.documents, invoice_id).read_bytes() == pdf
    path.write_bytes(pdf + b"\n% altered after validation\n")
    with pytest.raises(ConflictError) as caught:
        invoice_pdf(profile.uow, profile.paths.documents, invoice_id)
    assert caught.value.code == "invoice_pdf_altered"


def test_draft_preview_is_marked_as_draft(setup, tmp_path) -> None:
    profile, person = setup
    client = add_client(profile.uow, person)
    draft = add_draft(profile.uow, person, client)
    text = _text(draft_preview(profile.uow, draft, tmp_path).read_bytes())
    assert "BROUILLON" in text and "brouillon (pas encore de numéro)" in text


def test_invoice_issued_elsewhere_is_rendered_from_its_snapshots(setup) -> None:
    profile, person = setup
    client = add_client(profile.uow, person)
    invoice_id, pdf = _issue(profile, person, client)
    from app.models import Invoice

    # As sync delivers it from another laptop: the row, without the file.
    with profile.engine.begin() as conn:
        conn.execute(
            cast(Table, Invoice.__table__)
            .update()
            .where(Invoice.__table__.c.id == invoice_id)
            .values(pdf_path="", pdf_sha256="")
        )
    copy = invoice_pdf(profile.uow, profile.paths.documents, invoice_id)
    assert copy.parent.name == "copies"
    copied = _text(copy.read_bytes())
    assert "DUPLICATA" in copied and "DUPLICATA" not in _text(pdf)
    assert copied.replace("DUPLICATA", "").split() == _text(pdf).split()


def test_batch_export_reports_progress_and_stops_when_cancelled(setup, tmp_path) -> None:
    from app.invoicing.documents import export_pdfs, issued_ids
    from app.jobs import Cancelled, JobControl

    profile, person = setup
    client = add_client(profile.uow, person)
    for _ in range(4):
        _issue(profile, person, client)
    ids = issued_ids(profile.uow)
    seen: list[tuple[int, int]] = []
    result = export_pdfs(
        profile.uow,
        profile.paths.documents,
        ids,
        tmp_path / "all",
        JobControl(on_progress=lambda done, total, _l: seen.append((done, total))),
    )
    assert (result.copied, result.regenerated, result.refused) == (4, 0, ())
    assert seen[0] == (0, 4) and seen[-1] == (4, 4)
    control = JobControl()

    def cancel_after_two(done: int, _total: int, _label: str) -> None:
        if done == 2:
            control.cancel()

    control.on_progress = cancel_after_two
    with pytest.raises(Cancelled):
        export_pdfs(profile.uow, profile.paths.documents, ids, tmp_path / "part", control)
    assert len(list((tmp_path / "part").iterdir())) == 2


def test_b2b_indemnity_is_added_when_the_cae_wording_lacks_it(setup) -> None:
    from app.invoicing.cae_identity import get_cae_identity, save_cae_identity

    profile, person = setup
    save_cae_identity(
        profile.uow,
        get_cae_identity(profile.uow).with_changes(
            late_penalty_text="Pénalités de retard : trois fois le taux d'intérêt légal."
        ),
    )
    _id, pdf = _issue(profile, person, add_client(profile.uow, person))
    text = _text(pdf)
    assert "trois fois le taux d'intérêt légal" in text
    assert "Indemnité forfaitaire pour frais de recouvrement" in text and "40 €" in text
    _id, pdf = _issue(profile, person, add_client(profile.uow, person, business=False))
    assert "Indemnité forfaitaire" not in _text(pdf)  # B2C: not applicable
    assert "trois fois le taux d'intérêt légal" not in _text(pdf)  # nor L441-10 penalties


def test_credit_note_speaks_as_a_credit_note_not_as_an_invoice(setup) -> None:
    profile, person = setup
    client = add_client(profile.uow, person)
    invoice_id, _pdf = _issue(profile, person, client)
    credit = cancel_invoice(profile.uow, profile.paths.documents, invoice_id, DAY)
    text = _text(credit.pdf_path.read_bytes())
    assert "Avoir émis par la CAE pour l'activité de : Céline Martin — Couture" in text
    assert "Facture émise" not in text
    assert "Date d'échéance" not in text and "Conditions de paiement" not in text
    flat = " ".join(text.split())
    assert (
        "Montant de l'avoir : 95,74 € TTC, à déduire de la facture n° LOC-2026-00001"
        " ou à rembourser au client." in flat
    )


def test_description_takes_the_free_width_and_does_not_wrap(setup) -> None:
    profile, person = setup
    client = add_client(profile.uow, person)
    description = "Atelier collectif de création (demi-journée)"
    lines = (LineData(description, 10000, 25000, 2000),)
    _id, pdf = _issue(profile, person, client, lines=lines)
    # One text line of the PDF holds the whole description (it wrapped in a 40 % column).
    assert any(description in line for line in _text(pdf).splitlines())


def test_seller_legal_form_and_capital_read_as_one_phrase(setup) -> None:
    profile, person = setup
    client = add_client(profile.uow, person)
    _id, pdf = _issue(profile, person, client)
    text = " ".join(_text(pdf).split())
    assert "Coopérative Champagne Entreprendre — SCOP SA à capital variable" in text
    assert "capital variable Capital variable" not in text


def test_footer_prints_the_phone_the_french_way(setup) -> None:
    from app.invoicing.cae_identity import get_cae_identity, save_cae_identity

    profile, person = setup
    save_cae_identity(profile.uow, get_cae_identity(profile.uow).with_changes(phone="0326835337"))
    client = add_client(profile.uow, person)
    _id, pdf = _issue(profile, person, client)
    text = _text(pdf)
    assert "03 26 83 53 37" in text and "+33326835337" not in text


def test_units_agree_with_the_quantity() -> None:
    from app.pdf.invoice import unit_text

    assert unit_text("forfait", 20000) == "forfaits"
    assert unit_text("unité", -100000) == "unités"  # credit notes carry negative quantities
    assert unit_text("pot", 10000) == "pot"
    assert unit_text("jour", 15000) == "jour"  # 1,5 jour: singular below 2
    assert unit_text("colis", 30000) == "colis"
    assert unit_text("h", 30000) == "h" and unit_text("kg", 50000) == "kg"


def test_invoice_prints_plural_units(setup) -> None:
    profile, person = setup
    client = add_client(profile.uow, person)
    lines = (LineData("Pots de miel", 120000, 1020, 550, unit="pot"),)
    _id, pdf = _issue(profile, person, client, lines=lines)
    assert "12 pots" in _text(pdf)

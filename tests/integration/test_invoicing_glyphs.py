"""Text the invoice can carry (issue 15, item 2; docs/invoicing.md): what the embedded
fonts cannot draw, or would print left to right unshaped (Arabic, Hebrew), is refused
where it is typed, in French, before anything is saved; what they draw (accents, Greek,
Cyrillic, €, œ…) is printed and says in the PDF what the Factur-X XML says."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from facturx import get_facturx_xml_from_pdf
from lxml import etree
from pypdf import PdfReader

from app.errors import ValidationError
from app.invoicing.cae_identity import get_cae_identity, save_cae_identity
from app.invoicing.clients import ClientData, save_client
from app.invoicing.drafts import LineData
from app.invoicing.french_rules import NS
from app.invoicing.validation import validate_invoice
from app.pdf.glyphs import unprintable
from app.profile import Profile
from tests.invoicing_fixtures import add_client, add_draft, add_entrepreneur, complete_identity
from ui import messages_invoicing  # noqa: F401  (registers the French messages)
from ui.messages import field_message


def _errors(caught: pytest.ExceptionInfo[ValidationError]) -> dict[str, str]:
    return {e.field: field_message(e) for e in caught.value.errors}


def test_the_fonts_character_map_decides() -> None:
    assert unprintable("Crème brûlée, œuf — 12 € « ok » Ελληνικά Привет ½") == ([], [])
    assert unprintable("漢字 漢") == (["漢", "字"], [])
    assert unprintable("مرحبا") == ([], ["م", "ر", "ح", "ب", "ا"])
    assert unprintable("שלום")[1] == ["ש", "ל", "ו", "ם"]


def test_unprintable_text_is_refused_where_it_is_typed(profile: Profile) -> None:
    complete_identity(profile.uow)
    person = add_entrepreneur(profile.uow)
    data = ClientData(person, "株式会社 Tanaka", siren="552100554", address="مرحبا 3",
                      postcode="08000", city="Sedan")  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        save_client(profile.uow, data)
    assert _errors(caught) == {
        "name": "La facture ne peut pas imprimer ces caractères : « 株 », « 式 », « 会 », "
        "« 社 ». Retirez-les ou remplacez-les (idéogrammes, symboles rares…).",
        "address": "Écriture de droite à gauche (« م », « ر », « ح », « ب », « ا ») : la "
        "facture ne sait pas encore l'imprimer correctement. Écrivez ce texte en "
        "caractères latins.",
    }
    client = add_client(profile.uow, person)
    with pytest.raises(ValidationError) as caught:
        add_draft(profile.uow, person, client, (LineData("Traduction 翻訳", 10000, 5000, 2000),))
    assert set(_errors(caught)) == {"lines.0.description"}
    with pytest.raises(ValidationError) as caught:
        save_cae_identity(profile.uow, get_cae_identity(profile.uow).with_changes(city="東京"))
    assert set(_errors(caught)) == {"city"}


def test_what_the_fonts_draw_is_printed_as_the_xml_says(profile: Profile) -> None:
    complete_identity(profile.uow)
    person = add_entrepreneur(profile.uow)
    name = "Ουζερί Ζορμπάς — Пельменная « Œuvre » €"
    client = add_client(profile.uow, person, name=name)
    line = "Вышивка : œillets, ½ journée"
    draft = add_draft(profile.uow, person, client, (LineData(line, 10000, 5000, 2000),))
    result = validate_invoice(profile.uow, profile.paths.documents, draft)
    pdf = result.pdf_path.read_bytes()
    _name, xml = get_facturx_xml_from_pdf(pdf, check_xsd=True)
    root = etree.fromstring(xml)
    assert root.xpath("//ram:BuyerTradeParty/ram:Name", namespaces=NS)[0].text == name
    assert root.xpath("//ram:SpecifiedTradeProduct/ram:Name", namespaces=NS)[0].text == line
    text = re.sub(
        r"\s+", " ", "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    )
    assert name in text and line in text
    # Every font in the file is embedded (PDF/A): no fallback face was needed.
    reader = PdfReader(io.BytesIO(pdf))
    for page in reader.pages:
        resources: Any = page["/Resources"].get_object()
        for font in resources["/Font"].get_object().values():
            descendant: Any = font.get_object()
            if "/DescendantFonts" in descendant:
                descendant = descendant["/DescendantFonts"][0].get_object()
            descriptor = descendant["/FontDescriptor"].get_object()
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))

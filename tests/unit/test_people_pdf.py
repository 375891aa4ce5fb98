"""Printed documents: compte rendu d'entretien and parcours summary, read back from the file."""

from __future__ import annotations

import datetime as dt
import subprocess

from pypdf import PageObject, PdfReader
from pypdf.generic import DictionaryObject

from app.people import interviews, people_reports
from app.people.interviews import FollowupInput, IntakeInput
from app.people.parcours import StageInput, add_stage
from app.people.persons import PersonInput, create_person
from app.reference import reference


def _fonts(page: PageObject) -> DictionaryObject:
    """The page's font dictionary (pypdf types every dictionary value as ``PdfObject``)."""
    resources = page["/Resources"]
    assert isinstance(resources, DictionaryObject)
    fonts = resources["/Font"]
    assert isinstance(fonts, DictionaryObject)
    return fonts


def pdf_text(path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_intake_report_prints_project_decision_and_signature_boxes(uow, tmp_path):
    staff = reference.add_accompagnateur(uow, "Claire", "Testeuse").id
    permanence = next(p for p in reference.list_permanences(uow) if p.town == "Vouziers").id
    pid = create_person(uow, PersonInput(civility="Mme", first_name="Hélène", last_name="Dupré")).id
    intake = interviews.finalize_intake(
        uow,
        IntakeInput(
            pid,
            dt.date(2026, 11, 2),
            permanence,
            staff,
            project_what="Pâtisseries « maison » & gâteaux <sur commande>",
            project_territory="Argonne ardennaise",
            decision="admis",
        ),
        today=dt.date(2026, 11, 26),
    )
    path = people_reports.write_interview_report(uow, "accueil", intake.id, tmp_path)
    text = pdf_text(path)
    assert "Compte rendu d'entretien d'accueil" in text
    assert "Mme Hélène DUPRÉ" in text
    assert "Pâtisseries « maison » & gâteaux <sur commande>" in text
    assert "Vouziers — Mairie" in text and "2 novembre 2026" in text
    assert "Admis en convention" in text
    assert "L'accompagnateur" in text and "La personne accompagnée" in text
    assert text.count("Date et signature") == 2
    assert "Dernière modification : Claire Testeuse" in text
    fonts = {
        str(font["/BaseFont"]) for page in PdfReader(path).pages for font in _fonts(page).values()
    }
    embedded = [
        font
        for page in PdfReader(path).pages
        for font in (f.get_object() for f in _fonts(page).values())
        if "/DescendantFonts" in font or "/FontDescriptor" in font
    ]
    assert fonts and all("DejaVu" in f for f in fonts) and len(embedded) == len(fonts)


def test_followup_report_and_parcours_summary(uow, tmp_path):
    pid = create_person(uow, PersonInput(first_name="Léa", last_name="Roux", city="Langres")).id
    add_stage(uow, StageInput(pid, "cape", dt.date(2026, 1, 1), dt.date(2026, 12, 31)))
    followup = interviews.save_followup(
        uow,
        FollowupInput(
            pid,
            dt.date(2026, 11, 20),
            50,
            "telephone",
            points_discussed="Relance des devis",
            action_plan="Appeler 3 clients",
        ),
    )
    text = pdf_text(people_reports.write_interview_report(uow, "suivi", followup.id, tmp_path))
    assert "Compte rendu d'entretien de suivi" in text
    assert "Téléphone" in text and "50 min" in text and "Appeler 3 clients" in text
    summary = pdf_text(people_reports.write_parcours_summary(uow, pid, tmp_path))
    assert "Synthèse du parcours" in summary
    assert "Convention d'accompagnement" in summary and "(CAPE)" in summary
    assert "01/01/2026" in summary and "31/12/2026" in summary
    assert "Relance des devis" in summary and "Langres" in summary


def test_summary_prints_labels_not_codes(uow, tmp_path):
    pid = create_person(
        uow,
        PersonInput(
            first_name="Jo", last_name="Part", situation_code="rsa", prescriber_code="cap_emploi"
        ),
    ).id
    add_stage(uow, StageInput(pid, "accueil", dt.date(2025, 1, 6)))
    add_stage(uow, StageInput(pid, "sortie", dt.date(2025, 3, 1), exit_reason_code="demenagement"))
    summary = pdf_text(people_reports.write_parcours_summary(uow, pid, tmp_path))
    assert "Déménagement" in summary and "demenagement" not in summary
    assert "Bénéficiaire du RSA" in summary and "Cap emploi" in summary
    assert "Situation actuelle : Sorti" in summary


def test_summary_short_cells_stay_on_one_line(uow, tmp_path):
    pid = create_person(uow, PersonInput(first_name="Léa", last_name="Roux")).id
    add_stage(uow, StageInput(pid, "cape", dt.date(2026, 1, 1), dt.date(2026, 12, 31)))
    interviews.save_followup(
        uow, FollowupInput(pid, dt.date(2026, 11, 20), 50, points_discussed="Relance des devis")
    )
    lines = pdf_text(people_reports.write_parcours_summary(uow, pid, tmp_path)).splitlines()
    # Stage names, interview kinds, dates and the "Accompagnateur" heading were cut in two.
    assert any("Convention d'accompagnement (CAPE)" in line for line in lines)
    assert any("20/11/2026" in line and "Entretien de suivi" in line for line in lines)
    assert any("Accompagnateur" in line for line in lines)

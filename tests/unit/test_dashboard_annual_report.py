"""The annual activity report: figures of the year beside the previous one, read back
from the PDF."""

from __future__ import annotations

import subprocess

import pytest
from pypdf import PdfReader

from app.indicators.period import Period
from app.pdf.annual_report import build_annual_report, evolution
from tests.indicators_data import Builder, D


def _text(path) -> str:
    # pdftotext -layout keeps table rows on one line, so a row can be checked whole.
    out = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return " ".join(out.stdout.replace("\u202f", " ").replace("\xa0", " ").split())


@pytest.fixture
def two_years(uow):
    with Builder(uow) as b:
        # 2024: two intakes, one CAPE; 2025: four intakes, two exits, 1 500 € invoiced.
        for i, day in enumerate([D(2024, 3, 1), D(2024, 9, 1)]):
            b.intake(b.person(f"Ancien{i}"), day, "admis")
        alice = b.person("Martin", "Alice")
        b.stage(alice, "cape", D(2024, 5, 1))
        b.stage(alice, "sortie", D(2025, 6, 1), outcome="creation_entreprise")
        for i, day in enumerate([D(2025, 1, 10), D(2025, 2, 10), D(2025, 2, 20), D(2025, 12, 1)]):
            b.intake(b.person(f"Nouveau{i}"), day, "admis" if i % 2 else "reflexion")
        bruno = b.person("Bernard", "Bruno")
        b.stage(bruno, "cape", D(2025, 1, 1))
        b.stage(bruno, "sortie", D(2025, 9, 1), exit_reason_code="demenagement")
        b.invoice(alice, D(2025, 4, 1), 150000)


def test_report_compares_the_year_with_the_previous_one(uow, two_years, tmp_path) -> None:
    path = build_annual_report(uow, 2025, tmp_path / "rapport.pdf", today=D(2026, 1, 15))
    text = _text(path)
    assert "Rapport d'activité 2025" in text
    assert "Comparaison avec 2024" in text
    # Intakes 4 vs 2 (+100 %), accompanied 2 vs 1 (+100 %), exits 2 vs 0 (—).
    assert "Entretiens d'accueil 4 2 +100 %" in text
    assert "Personnes accompagnées 2 1 +100 %" in text
    assert "Sorties 2 0 —" in text
    assert "Chiffre d'affaires facturé (HT) 1 500,00 € 0,00 € —" in text
    assert "Création de sa propre entreprise 1 0" in text
    assert "Déménagement 1 0" in text
    assert "Copie de ce poste" in text  # a laptop profile says what it covers
    assert "Définitions" in text
    assert len(PdfReader(str(path)).pages) >= 2


def test_report_of_an_empty_profile_is_valid_and_says_so(uow, tmp_path) -> None:
    path = build_annual_report(uow, 2030, tmp_path / "vide.pdf")
    text = _text(path)
    assert "Rapport d'activité 2030" in text
    assert "Personnes accompagnées 0 0 —" in text


def test_evolution_never_divides_by_zero() -> None:
    assert evolution(5, 0) == "—"
    assert evolution(0, 4) == "−100\u00a0%"
    assert evolution(3, 2) == "+50\u00a0%"
    assert evolution(2, 3) == "−33\u00a0%"


def test_chart_graduations_are_in_french_number_format(uow, two_years, tmp_path) -> None:
    path = build_annual_report(uow, 2025, tmp_path / "rapport.pdf", today=D(2026, 1, 15))
    text = _text(path)
    # Turnover axis up to 2 000 €, in euros with grouped thousands.
    assert "1 000 €" in text and "2 000 €" in text
    assert "1000" not in text and "2000" not in text
    # Counts (2 exits at most) are graduated in whole units, never "0.5" nor "0,5".
    assert "0.5" not in text and "0,5" not in text and "1.5" not in text


def test_axis_label_formats_like_the_rest_of_the_app() -> None:
    from app.pdf.report_charts import axis_label

    assert axis_label(8000.0) == "8\u202f000"
    assert axis_label(1.5) == "1,5"
    assert axis_label(2500.0, "€") == "2\u202f500\u00a0€"


def test_report_shows_the_figures_funders_and_the_network_ask_for(uow, two_years, tmp_path) -> None:
    with Builder(uow) as b:
        followed = b.person("Suivi", "Sam")
        b.stage(followed, "salarie", D(2025, 2, 1), contract_type="CESA")
        b.followup(followed, D(2025, 5, 5))
        unseen = b.person("Sansuivi", "Sacha")  # salarié all year, no follow-up interview
        b.stage(unseen, "salarie", D(2024, 1, 1), contract_type="CDI")
    path = build_annual_report(uow, 2025, tmp_path / "rapport.pdf", today=D(2026, 1, 15))
    text = _text(path)
    assert "Personnes reçues 4 2 +100 %" in text  # Nouveau0..3 vs Ancien0..1
    assert "Nouveaux contrats CESA 1 0 —" in text
    assert "Entrepreneurs facturant 1 0 —" in text
    # 1 500 € HT issued 01/04/2025, 1 800 € TTC, nothing paid by 31/12/2025.
    assert "Impayés en fin de période (TTC) 1 800,00 € 0,00 € —" in text
    assert "Heures de présence par thème" in text
    # « Entrepreneurs suivis »: only Sam had a follow-up interview in 2025 (the rule said).
    assert "Entrepreneurs suivis 1 0 —" in text
    assert "1 sur 2 en parcours" in text
    assert "ceux sans entretien ne sont pas comptés" in text


def test_report_of_a_custom_period_covers_that_period(uow, two_years, tmp_path) -> None:
    period = Period(D(2025, 3, 1), D(2026, 2, 28))
    path = build_annual_report(uow, period, tmp_path / "rapport.pdf", today=D(2026, 3, 15))
    text = _text(path)
    assert "Rapport d'activité du 01/03/2025 au 28/02/2026" in text
    assert "Comparaison avec 01/03/2024 – 28/02/2025" in text
    # Intakes: 01/12/2025 in the period; 01/03/2024 (first day, inclusive), 01/09/2024,
    # 10/01, 10/02 and 20/02/2025 in the same period a year earlier.
    assert "Entretiens d'accueil 1 5 −80 %" in text
    assert "Rapport d'activité 2026" not in text


def test_report_can_count_credit_notes_in_their_invoice_period(uow, two_years, tmp_path) -> None:
    from app.models import Client, Invoice, Person

    with uow() as unit:
        invoice = unit.session.query(Invoice).one()
        person = unit.session.get_one(Person, invoice.entrepreneur_id)
        client = unit.session.query(Client).one()
        unit.session.add(
            Invoice(
                kind="avoir",
                status="emise",
                entrepreneur_id=person.id,
                client_id=client.id,
                issue_date=D(2026, 2, 1),  # the next year
                credited_invoice_id=invoice.id,
                total_excl_cents=-50000,
                total_vat_cents=-10000,
                total_incl_cents=-60000,
            )
        )
        unit.commit()
    plain = _text(build_annual_report(uow, 2025, tmp_path / "a.pdf", today=D(2026, 3, 1)))
    assert "Chiffre d'affaires facturé (HT) 1 500,00 € 0,00 € —" in plain
    option = build_annual_report(
        uow, 2025, tmp_path / "b.pdf", credit_notes_by_invoice=True, today=D(2026, 3, 1)
    )
    text = _text(option)
    assert "Chiffre d'affaires facturé (HT) 1 000,00 € 0,00 € —" in text
    # The option is stated under the title, besides its definition in the appendix.
    said = "un avoir compte à la date d'émission de la facture qu'il annule"
    assert (plain.count(said), text.count(said)) == (1, 2)

"""The annual activity report: figures of the year beside the previous one, read back
from the PDF."""

from __future__ import annotations

import subprocess

import pytest
from pypdf import PdfReader

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

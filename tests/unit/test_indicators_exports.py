"""Exports read back: XLSX with openpyxl, CSV as French Excel reads it (BOM, ';', comma)."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from app.errors import ValidationError
from app.exports.service import export_dashboard, export_funder, export_table
from app.exports.table import Col, Table
from app.exports.writers import csv_bytes
from app.indicators.period import Filters, Period
from tests.indicators_data import Builder, D, antenne

YEAR = Filters(Period.year(2025))


@pytest.fixture
def participants(uow):
    with Builder(uow) as b:
        alice = b.person("Martin", "Alice", "Reims")
        b._uow.session.flush()
        from app.models import Person

        row = b._uow.session.get_one(Person, alice)
        row.birth_date, row.city = D(1980, 5, 4), "Épernay"
        row.situation_code, row.prescriber_code = "rsa", "france_travail"
        b.intake(alice, D(2024, 2, 1), "admis", town="Épernay")
        b.stage(alice, "cape", D(2024, 3, 1), D(2025, 1, 31), renewals=1)
        b.stage(alice, "salarie", D(2025, 2, 1), contract_type="CESA")
        b.followup(alice, D(2025, 4, 1), 90)
        b.followup(alice, D(2025, 10, 1), 90)
        b.followup(alice, D(2024, 10, 1), 90)  # previous year
        workshop = b.activity(D(2025, 3, 10), "Reims")
        b.mark(b.slot(workshop, D(2025, 3, 10), 9, 180), alice, "present")
        b.mark(b.slot(workshop, D(2025, 3, 10), 14, 120), alice, "present")
        bruno = b.person("Bernard", "Bruno", "Troyes")
        b.intake(bruno, D(2025, 5, 1), "reflexion")
        chloe = b.person("Collin", "Chloé")
        b.stage(chloe, "cape", D(2023, 1, 1))
        b.stage(chloe, "sortie", D(2024, 6, 30), outcome="retour_situation")
        denis = b.person("Durand", "Denis", "Reims")
        other = b.activity(D(2025, 6, 1), "Troyes")
        b.mark(b.slot(other, D(2025, 6, 1), 9, 60), denis, "present")
        b.stage(denis, "sortie", D(2025, 7, 1), exit_reason_code="demenagement")
        b.invoice(alice, D(2025, 3, 1), 123456)


def _csv_rows(path):
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM so Excel reads the accents"
    return list(csv.reader(raw.decode("utf-8-sig").splitlines(), delimiter=";"))


def test_funder_export_csv_one_row_per_participant(uow, participants, tmp_path) -> None:
    path = export_funder(uow, YEAR, tmp_path / "financeur.csv")
    rows = _csv_rows(path)
    header, body = rows[0], rows[1:]
    assert header[0:3] == ["Nom", "Prénom", "Date de naissance"]
    # Alice (accompanied), Bruno (intake in 2025), Denis (present at a workshop); not Chloé.
    assert [r[0] for r in body] == ["Bernard", "Durand", "Martin"]
    alice = dict(zip(header, body[2], strict=True))
    assert alice["Date de naissance"] == "04/05/1980"
    assert alice["Situation à l'entrée"] == "Bénéficiaire du RSA"
    assert alice["Prescripteur"] == "France Travail"
    assert alice["Antenne"] == "Reims"
    assert (alice["Date d'accueil"], alice["Décision d'accueil"]) == ("01/02/2024", "Admis")
    assert (alice["Début CAPE"], alice["Fin CAPE"], alice["Renouvellements CAPE"]) == (
        "01/03/2024",
        "31/01/2025",
        "1",
    )
    assert (alice["Contrat"], alice["Début du contrat"]) == ("CESA", "01/02/2025")
    assert alice["Heures d'ateliers (période)"] == "5,00"  # 180 + 120 minutes
    assert alice["Entretiens de suivi (période)"] == "2"
    assert alice["Heures d'entretiens (période)"] == "3,00"  # 2 x 90 minutes
    assert (alice["Date de sortie"], alice["Issue de sortie"]) == ("", "")
    denis = dict(zip(header, body[1], strict=True))
    assert (denis["Date de sortie"], denis["Issue de sortie"]) == ("01/07/2025", "Déménagement")
    assert denis["Heures d'ateliers (période)"] == "1,00"
    bruno = dict(zip(header, body[0], strict=True))
    assert (bruno["Décision d'accueil"], bruno["Début CAPE"]) == ("En réflexion", "")


def test_funder_export_xlsx_keeps_numbers_and_dates_typed(uow, participants, tmp_path) -> None:
    path = export_funder(uow, YEAR, tmp_path / "financeur.xlsx", about_lines=[("Période", "2025")])
    book = load_workbook(path)
    assert book.sheetnames == [
        "À propos",
        "Participants",
        "Chiffres de la période",
        "Heures par thème",
    ]
    sheet = book["Participants"]
    header = [c.value for c in sheet[1]]
    martin = [c.value for c in sheet[4]]
    alice = dict(zip(header, martin, strict=True))
    assert alice["Nom"] == "Martin"
    assert alice["Début CAPE"] == dt.datetime(2024, 3, 1)
    assert alice["Heures d'ateliers (période)"] == 5
    assert sheet.cell(4, header.index("Début CAPE") + 1).number_format == "DD/MM/YYYY"


def test_funder_export_of_an_empty_antenne_is_a_valid_file(uow, participants, tmp_path) -> None:
    empty = Filters(Period.year(2025), antenne("Saint-Dizier"))
    rows = _csv_rows(export_funder(uow, empty, tmp_path / "vide.csv"))
    assert len(rows) == 1 and rows[0][0] == "Nom"
    book = load_workbook(export_funder(uow, empty, tmp_path / "vide.xlsx"))
    values = [[c.value for c in r] for r in book["Participants"].iter_rows()]
    assert values[0][0] == "Nom"
    assert values[-1][0] == "Aucun participant pour cette période et ce filtre."


def test_dashboard_exports_xlsx_sheets_and_long_csv(uow, participants, tmp_path) -> None:
    path = export_dashboard(
        uow, YEAR, tmp_path / "tdb.xlsx", antenne_label="Toutes", today=D(2026, 1, 15)
    )
    book = load_workbook(path)
    assert book.sheetnames[:3] == ["À propos", "Synthèse", "Accompagnés par statut"]
    about = {r[0].value: r[1].value for r in book["À propos"].iter_rows()}
    assert about["Période"] == "du 01/01/2025 au 31/12/2025"
    assert about["Périmètre"].startswith("Copie de ce poste")
    summary = {r[0].value: r[1].value for r in book["Synthèse"].iter_rows(min_row=2)}
    assert summary["Personnes accompagnées"] == "1"  # Alice
    assert (
        summary["Chiffre d'affaires facturé (HT)"].replace("\u202f", " ").replace("\xa0", " ")
        == "1 234,56 €"
    )
    by_antenne = [[c.value for c in r] for r in book["CA par antenne"].iter_rows()]
    assert by_antenne[1] == ["Reims", Decimal("1234.56")] or by_antenne[1] == ["Reims", 1234.56]
    rows = _csv_rows(export_dashboard(uow, YEAR, tmp_path / "tdb.csv", today=D(2026, 1, 15)))
    assert rows[0] == ["Tableau", "Ligne", "Colonne", "Valeur"]
    assert ["CA par antenne", "Reims", "Montant", "1234,56"] in rows
    assert ["Par mois", "2025-03", "CA facturé HT", "1234,56"] in rows


def test_unknown_extension_is_refused_with_a_typed_error(uow, tmp_path) -> None:
    with pytest.raises(ValidationError) as caught:
        export_funder(uow, YEAR, tmp_path / "financeur.ods")
    assert caught.value.errors[0].code == "unsupported_export_format"


def test_csv_cells_use_decimal_comma_and_quote_separators(tmp_path) -> None:
    table = Table(
        "t",
        [Col("Libellé"), Col("Montant", "cents"), Col("Heures", "minutes"), Col("Taux", "bp")],
        [["Conseil; audit", -123456, 90, 6250], ["Vide", None, None, None]],
    )
    text = csv_bytes(table).decode("utf-8-sig")
    assert text.splitlines() == [
        "Libellé;Montant;Heures;Taux",
        '"Conseil; audit";-1234,56;1,50;0,6250',
        "Vide;;;",
    ]
    path = export_table(table, tmp_path / "table.xlsx")
    sheet = load_workbook(path)["t"]
    assert sheet["B2"].value == -1234.56 and sheet["C2"].value == 1.5


def _funder_rows(uow, filters):
    from app.exports.funder import funder_table

    return [list(r) for r in funder_table(uow, filters).rows]


def test_per_antenne_funder_exports_add_up_to_all_antennes(uow, participants) -> None:
    from app.indicators.period import NO_ANTENNE

    with Builder(uow) as b:
        nomad = b.person("Errant", "Eva", None)  # no antenne, present at a Reims action
        b.mark(b.slot(b.activity(D(2025, 4, 4), "Reims"), D(2025, 4, 4), 9, 90), nomad, "present")
    everyone = _funder_rows(uow, YEAR)
    parts = [
        _funder_rows(uow, Filters(YEAR.period, key))
        for key in (antenne("Reims"), antenne("Troyes"), antenne("Épernay"), NO_ANTENNE)
    ]
    # Denis (Reims) keeps his hour at the Troyes action in the Reims file.
    assert sorted(r for part in parts for r in part) == sorted(everyone)
    assert sum(r[15] for part in parts for r in part) == 300 + 60 + 90  # minutes


def test_a_closed_period_export_is_unchanged_by_later_facts(uow, participants, tmp_path) -> None:
    from app.exports.indicator_tables import dashboard_tables
    from app.indicators.dashboard import dashboard
    from app.models import Person

    def snapshot():
        data = dashboard(uow, YEAR, today=D(2026, 1, 15))
        tables = [(t.title, [list(r) for r in t.rows]) for t in dashboard_tables(data)]
        return _funder_rows(uow, YEAR), tables

    before = snapshot()
    with uow() as unit:
        ids = {p.last_name: p.id for p in unit.session.query(Person)}
    alice, bruno, denis = ids["Martin"], ids["Bernard"], ids["Durand"]
    with Builder(uow) as b:
        b.intake(alice, D(2026, 2, 1), "non_retenu", town="Troyes")  # a later intake
        b.stage(alice, "associe", D(2026, 3, 1))
        b.stage(alice, "sortie", D(2026, 9, 1), outcome="creation_entreprise")
        b.intake(bruno, D(2026, 1, 5), "admis")
        b.stage(bruno, "cape", D(2026, 1, 10), D(2026, 12, 31))
        b.stage(denis, "cape", D(2026, 2, 2))
        b.followup(alice, D(2026, 1, 2))
        b.invoice(alice, D(2026, 1, 3), 5000)
        late = b.activity(D(2026, 1, 6), "Reims")
        b.mark(b.slot(late, D(2026, 1, 6), 9, 60), bruno, "present")
    assert snapshot() == before


def test_funder_about_sheet_states_rule_and_reproducibility(uow, participants, tmp_path) -> None:
    path = export_funder(
        uow,
        YEAR,
        tmp_path / "financeur.xlsx",
        about_lines=[("Période", "2025"), ("Antenne", "Reims")],
        today=D(2026, 1, 15),
    )
    about = {r[0].value: r[1].value for r in load_workbook(path)["À propos"].iter_rows()}
    assert about["Antenne"] == "Reims" and about["Période"] == "2025"
    assert about["Reproductibilité"].startswith("Période close")
    assert "31/12/2025" in about["Reproductibilité"]
    assert "s'additionnent exactement" in about["Règle des antennes"]
    current = export_funder(uow, YEAR, tmp_path / "en-cours.xlsx", today=D(2025, 6, 1))
    about = {r[0].value: r[1].value for r in load_workbook(current)["À propos"].iter_rows()}
    assert about["Reproductibilité"].startswith("Période en cours")


def test_funder_export_xlsx_has_the_figures_funders_ask_for(uow, participants, tmp_path) -> None:
    path = export_funder(uow, YEAR, tmp_path / "financeur.xlsx")
    book = load_workbook(path)
    figures = {
        row[0]: row[1:4] for row in book["Chiffres de la période"].iter_rows(values_only=True)
    }
    assert figures["Personnes reçues"][0] == 1  # Bruno's intake; Alice was received in 2024
    assert figures["Nouveaux contrats CESA"][0] == 1  # Alice, 01/02/2025
    assert figures["Entrepreneurs facturant"][0] == 1
    assert figures["Chiffre d'affaires facturé (HT)"][1] == pytest.approx(1234.56)
    # Issued 01/03/2025 for 1 481,47 € TTC, nothing paid by 31/12/2025.
    assert figures["Impayés en fin de période (TTC)"][1] == pytest.approx(1481.47)
    assert figures["Heures de présence"][2] == 6  # 180 + 120 + 60 minutes
    themes = list(book["Heures par thème"].iter_rows(values_only=True))
    assert themes[0] == ("Thème", "Heures de présence")
    assert themes[1] == ("Sans thème", 6)

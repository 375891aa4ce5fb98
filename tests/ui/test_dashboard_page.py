"""The Tableau de bord page through pytest-qt: filters, figures, drill-down, exports."""

from __future__ import annotations

import subprocess

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QPoint, Qt

from tests.indicators_data import Builder, D


@pytest.fixture
def filled(profile):
    with Builder(profile.uow) as b:
        alice = b.person("Martin", "Alice", "Reims")
        b.intake(alice, D(2025, 1, 5), "admis", town="Épernay")
        b.stage(alice, "cape", D(2025, 2, 1))
        b.stage(alice, "salarie", D(2025, 6, 1), contract_type="CESA")
        b.invoice(alice, D(2025, 8, 8), 250000)
        bruno = b.person("Bernard", "Bruno", "Troyes")
        b.intake(bruno, D(2025, 3, 1), "reflexion")
        b.stage(bruno, "cape", D(2025, 3, 15))
        b.stage(bruno, "sortie", D(2025, 10, 1), outcome="creation_entreprise")
        workshop = b.activity(D(2025, 4, 4), "Troyes")
        b.mark(b.slot(workshop, D(2025, 4, 4), 9, 210), bruno, "present")
    return {"alice": alice, "bruno": bruno}


@pytest.fixture
def page(qtbot, ctx, filled):
    from ui.pages.dashboard_page import DashboardPage

    widget = DashboardPage(ctx)
    qtbot.addWidget(widget)
    widget.resize(1100, 900)
    widget.show()
    _show_period(qtbot, widget, D(2025, 1, 1), D(2025, 12, 31))
    return widget


def _show_period(qtbot, widget, start, end) -> None:
    widget.set_period(start, end)
    widget.refresh()
    qtbot.waitUntil(lambda: not widget.busy and widget.data is not None, timeout=10000)
    qtbot.waitUntil(lambda: widget.data.filters.period.start == start, timeout=10000)


def test_figures_of_the_year_with_their_definitions(page) -> None:
    assert page.cards["accompanied"].value_label.text() == "2"
    assert page.cards["intakes"].value_label.text() == "2"
    assert page.cards["admissions"].value_label.text() == "1"
    assert page.cards["exits"].value_label.text() == "1"
    assert page.cards["salaries"].value_label.text() == "1"
    text = page.cards["turnover_invoiced"].value_label.text().replace("\u202f", " ")
    assert text.replace("\xa0", " ") == "2 500,00 €"
    assert "factures émises" in page.cards["turnover_invoiced"].toolTip()
    assert page.cards["workshops_held"].value_label.text() == "1"
    assert page.cards["attendance_hours"].value_label.text() == "3,5\u00a0h"  # 210 minutes
    assert "Copie de ce poste" in page.scope_label.text()
    assert page.tabs.count() >= 10 and page.tabs.tabText(0) == "Synthèse"


def test_period_ending_before_it_starts_shows_a_french_message(qtbot, page) -> None:
    page.set_period(D(2025, 5, 1), D(2025, 4, 1))
    page.refresh()
    assert page.errors.error_text("end") == "La fin ne peut pas précéder le début."
    assert not page.busy


def test_antenne_without_data_shows_zeros_and_empty_charts(qtbot, page) -> None:
    page.antenne_combo.setCurrentIndex(page.antenne_combo.findText("Saint-Dizier"))
    qtbot.waitUntil(
        lambda: not page.busy and page.data.filters.antenne_id is not None, timeout=30000
    )
    assert page.cards["accompanied"].value_label.text() == "0"
    assert page.antenne_chart.is_empty and page.flow_chart.is_empty
    page.antenne_chart.grab()  # paints "Aucune donnée" without dividing by zero


def test_click_on_a_figure_lists_the_persons_and_opens_one(qtbot, ctx, page, filled) -> None:
    from ui.dialogs.drilldown_dialog import DrillDownDialog

    qtbot.mouseClick(page.cards["accompanied"], Qt.MouseButton.LeftButton)
    dialog = page.findChild(DrillDownDialog)
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.loaded, timeout=10000)
    assert dialog.count_label.text() == "2 personnes"
    names = [r.full_name for r in dialog.model.loaded_rows()]
    assert names == ["BERNARD Bruno", "MARTIN Alice"]
    with qtbot.waitSignal(ctx.hub.open_requested) as opened:
        dialog.open_row(dialog.model.index(1, 0))
    assert opened.args == ["person", filled["alice"]]


def test_click_on_a_chart_bar_lists_what_it_counts(qtbot, page) -> None:
    from ui.dialogs.drilldown_dialog import DrillDownDialog

    chart = page.outcome_chart
    chart.grab()  # lay bars out
    rect = next(r for r, category, _s in chart._bars if category == 0)
    qtbot.mouseClick(
        chart, Qt.MouseButton.LeftButton, pos=QPoint(*map(int, rect.center().toTuple()))
    )
    dialog = page.findChild(DrillDownDialog)
    assert dialog.windowTitle() == "Sorties — Création de sa propre entreprise"
    qtbot.waitUntil(lambda: dialog.loaded, timeout=10000)
    assert [r.full_name for r in dialog.model.loaded_rows()] == ["BERNARD Bruno"]


def test_invoices_behind_a_figure_can_be_exported(qtbot, page, tmp_path) -> None:
    from ui.dialogs.drilldown_dialog import DrillDownDialog

    qtbot.mouseClick(page.cards["turnover_invoiced"], Qt.MouseButton.LeftButton)
    dialog = page.findChild(DrillDownDialog)
    qtbot.waitUntil(lambda: dialog.loaded, timeout=10000)
    assert [(r.entrepreneur, r.amount_cents) for r in dialog.model.loaded_rows()] == [
        ("MARTIN Alice", 250000)
    ]
    dialog.export_to(tmp_path / "factures.csv")
    qtbot.waitUntil(lambda: (tmp_path / "factures.csv").exists(), timeout=10000)
    qtbot.waitUntil(lambda: "exportée" in dialog.count_label.text(), timeout=10000)
    lines = (tmp_path / "factures.csv").read_bytes().decode("utf-8-sig").splitlines()
    assert lines == [
        "Date;Numéro;Type;Entrepreneur;Montant HT",
        "08/08/2025;;Facture;MARTIN Alice;2500,00",
    ]


def test_exports_and_annual_report_from_the_page(qtbot, page, tmp_path) -> None:
    page.export_dashboard_to(tmp_path / "tdb.xlsx")
    qtbot.waitUntil(lambda: not page.busy, timeout=10000)
    book = load_workbook(tmp_path / "tdb.xlsx")
    assert "Synthèse" in book.sheetnames
    page.export_funder_to(tmp_path / "financeur.csv")
    qtbot.waitUntil(lambda: not page.busy, timeout=10000)
    lines = (tmp_path / "financeur.csv").read_bytes().decode("utf-8-sig").splitlines()
    assert [line.split(";")[0] for line in lines] == ["Nom", "Bernard", "Martin"]
    page.annual_report_to(tmp_path / "rapport.pdf")
    qtbot.waitUntil(lambda: not page.busy, timeout=20000)
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "rapport.pdf"), "-"], capture_output=True, text=True
    ).stdout
    assert "Rapport d'activité 2025" in text
    assert "Fichier enregistré" in page.status_label.text()


def test_dashboard_is_an_area_of_the_main_window() -> None:
    from ui.main_window import page_specs

    keys = [spec.key for spec in page_specs()]
    assert "dashboard" in keys
    assert next(s.title for s in page_specs() if s.key == "dashboard") == "Tableau de bord"


def test_save_dialogs_propose_a_file_named_after_the_export_and_its_period(page) -> None:
    name = page.default_export_path("export-financeurs", "xlsx").name
    assert name == "export-financeurs-2025-01-01_2025-12-31.xlsx"
    page.year_combo.setCurrentIndex(0)
    year = page.year_combo.currentData()
    assert page.default_export_path("rapport-annuel", "pdf").name == f"rapport-annuel-{year}.pdf"
    page.tabs.setCurrentIndex(0)
    assert page.tabs.tabText(0) == "Synthèse"
    assert page._tab_stem() == "tableau-synthese"


def test_month_charts_are_labelled_with_french_month_names(page) -> None:
    assert page.flow_chart.categories[:3] == ["janv.", "févr.", "mars"]
    assert page.turnover_chart.categories[-1] == "déc."


def test_the_missing_figures_are_on_the_page_with_their_definitions(qtbot, page) -> None:
    from app.indicators.definitions import DEFINITIONS

    assert page.cards["persons_received"].value_label.text() == "2"  # Alice, Bruno
    assert page.cards["cesa_started"].value_label.text() == "1"  # Alice, 01/06/2025
    assert page.cards["invoicing_entrepreneurs"].value_label.text() == "1"
    unpaid = page.cards["unpaid"].value_label.text().replace("\u202f", " ").replace("\xa0", " ")
    assert unpaid == "3 000,00 €"  # 2 500 € HT + 20 % VAT, unpaid on 31/12/2025
    for key in ("persons_received", "cesa_started", "invoicing_entrepreneurs", "unpaid"):
        assert DEFINITIONS[key].text in page.cards[key].toolTip()
    titles = [page.tabs.tabText(i) for i in range(page.tabs.count())]
    themes = titles.index("Heures par thème")
    assert DEFINITIONS["hours_by_theme"].text in page.tabs.tabToolTip(themes)
    assert DEFINITIONS["turnover_by_invoice_period"].text in page.credit_box.toolTip()


def test_credit_notes_can_be_counted_in_their_invoice_period(qtbot, ctx, page, filled) -> None:
    from app.models import Client, Invoice

    with ctx.uow() as unit:
        invoice = unit.session.query(Invoice).one()
        unit.session.add(
            Invoice(
                kind="avoir",
                status="emise",
                entrepreneur_id=filled["alice"],
                client_id=unit.session.query(Client).one().id,
                issue_date=D(2026, 1, 10),
                credited_invoice_id=invoice.id,
                total_excl_cents=-100000,
                total_vat_cents=-20000,
                total_incl_cents=-120000,
            )
        )
        unit.commit()
    page.refresh()
    qtbot.waitUntil(lambda: not page.busy, timeout=10000)

    def shown() -> str:
        text = page.cards["turnover_invoiced"].value_label.text()
        return text.replace("\u202f", " ").replace("\xa0", " ")

    assert shown() == "2 500,00 €"  # the credit note of 2026 counts in 2026
    page.credit_box.setChecked(True)
    qtbot.waitUntil(lambda: not page.busy and page.data.filters.credit_notes_by_invoice)
    assert shown() == "1 500,00 €"  # counted against its invoice of 08/08/2025


def test_network_export_button_writes_the_year_off_the_gui_thread(qtbot, page, tmp_path) -> None:
    from PySide6.QtWidgets import QPushButton

    buttons = [b.text() for b in page.findChildren(QPushButton)]
    assert "Export réseau (année)…" in buttons
    assert page.default_export_path("export-reseau", "xlsx", yearly=True).name == (
        "export-reseau-2025.xlsx"
    )
    page.export_network_to(tmp_path / "reseau.csv")
    assert page.busy and "Export réseau 2025 en cours" in page.status_label.text()
    qtbot.waitUntil(lambda: not page.busy, timeout=10000)
    lines = (tmp_path / "reseau.csv").read_bytes().decode("utf-8-sig").splitlines()
    by_code = {line.split(";")[3]: line.split(";")[5] for line in lines[1:]}
    assert by_code["personnes_recues"] == "2"
    assert by_code["nouveaux_cesa"] == "1"
    assert "Fichier enregistré" in page.status_label.text()


def test_annual_report_of_a_custom_period_covers_it(qtbot, page, tmp_path) -> None:
    _show_period(qtbot, page, D(2025, 3, 1), D(2026, 2, 28))
    page.annual_report_to(tmp_path / "rapport.pdf")
    qtbot.waitUntil(lambda: not page.busy, timeout=20000)
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "rapport.pdf"), "-"], capture_output=True, text=True
    ).stdout
    assert "Rapport d’activité du 01/03/2025 au 28/02/2026" in text.replace("'", "’")

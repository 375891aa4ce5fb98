"""Conflicts to review read in French on the sync page, whatever their kind: no codes,
no JSON, amounts in euros, times in French local time."""

from __future__ import annotations

import datetime as dt
import json

from app.sync.service import ConflictView
from ui.pages.sync_page import conflict_cells

DETECTED = dt.datetime(2026, 7, 15, 8, 5)  # stored UTC: 10:05 in Reims (summer time)


def _view(
    kind: str, table: str, field: str, kept: str, lost: str, detail: str = ""
) -> ConflictView:
    return ConflictView(1, kind, table, "0193a0f2-0000-7000-8000-000000000001", field, kept, lost,
                        "Portable Sedan", DETECTED, detail)  # fmt: skip


def _plain(text: str) -> str:
    return text.replace("\u202f", " ").replace("\xa0", " ")


def test_an_overpaid_invoice_reads_in_euros() -> None:
    detail = json.dumps({"paid_cents": 38400, "total_cents": 19200})
    kind, table, _field, kept, lost, when = conflict_cells(
        _view("overpayment", "invoice", "payments", "19200", "38400", detail)
    )
    assert kind.startswith("Facture payée plus que son montant")
    assert table == "Facture"
    assert (_plain(kept), _plain(lost)) == ("192,00 €", "384,00 €")
    assert when == "15/07/2026 10:05"


def test_a_delete_that_hid_an_edit_lists_the_edit_in_words() -> None:
    edit = json.dumps({"phone": "0611223344", "notes": "Rappeler lundi"})
    kind, table, _field, _kept, lost, _when = conflict_cells(
        _view("delete_edit", "person", "deleted_at", "2026-07-15T08:00:00", edit)
    )
    assert kind == "Fiche supprimée sur un poste, modifiée sur un autre"
    assert table == "Personne"
    assert "{" not in lost and "Rappeler lundi" in lost and "06 11 22 33 44" in lost


def test_a_lost_value_of_any_field_is_named_and_shown() -> None:
    kind, _table, field, kept, lost, _when = conflict_cells(
        _view("field", "attendance", "state", "present", "absent")
    )
    assert kind == "Valeur remplacée par une modification simultanée"
    assert field != "state" and "absent" in lost and "present" in kept

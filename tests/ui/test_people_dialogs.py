"""Accueil forms through real widgets: fill, save, reopen, wrong input shown by the field."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QDialog, QMessageBox

from app.clock import today
from app.people import interviews, parcours
from app.people.persons import PersonDetail, PersonInput, create_person, get_person
from app.reference import reference
from tests.ui.clicks import answer_next_question
from ui.dialogs import people_widgets
from ui.dialogs.followup_dialog import FollowupDialog
from ui.dialogs.intake_dialog import IntakeDialog
from ui.dialogs.person_dialog import PersonDialog
from ui.dialogs.stage_dialog import StageDialog


@pytest.fixture
def staff(ctx):
    staff = reference.add_accompagnateur(ctx.uow, "Claire", "Testeuse")
    ctx.profile.save_settings(ctx.profile.settings.with_changes(accompagnateur_id=staff.id))
    return staff


@pytest.fixture
def person_id(ctx) -> str:
    return create_person(ctx.uow, PersonInput(first_name="Léa", last_name="Roux")).id


def _saved(dialog: PersonDialog) -> PersonDetail:
    """What the dialog saved; read again after ``save()`` (mypy keeps an earlier ``is None``)."""
    assert dialog.saved is not None
    return dialog.saved


def test_person_form_shows_each_reason_by_its_field_then_saves_and_reopens(qtbot, ctx):
    dialog = PersonDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.first_name.setText("Hélène")  # QTest types ASCII only
    qtbot.keyClicks(dialog.last_name, "Dupre")
    qtbot.keyClicks(dialog.email, "helene@")
    qtbot.keyClicks(dialog.phone, "06 12")
    dialog.save()
    assert not dialog.save_button.isEnabled()  # greyed while it runs: no second save
    qtbot.waitUntil(lambda: bool(dialog.errors.error_text("email")), timeout=30000)
    assert dialog.save_button.isEnabled()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.errors.error_text("email") == "Adresse e-mail invalide."
    assert dialog.errors.error_text("phone").startswith("Numéro de téléphone invalide")
    assert dialog.errors.error_text("first_name") == ""
    assert ctx.uow and dialog.saved is None
    dialog.email.setText("helene.dupre@example.fr")
    dialog.phone.setText("0612345678")
    dialog.situation.setCurrentIndex(dialog.situation.findText("Bénéficiaire du RSA"))
    dialog.save()
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=30000)
    assert dialog.result() == QDialog.DialogCode.Accepted
    saved = get_person(ctx.uow, _saved(dialog).id)
    assert (saved.phone, saved.situation_code) == ("+33612345678", "rsa")
    again = PersonDialog(ctx, saved)
    qtbot.addWidget(again)
    assert again.phone.text() == "06 12 34 56 78"
    assert again.situation.currentText() == "Bénéficiaire du RSA"
    assert "Créée par Claire Testeuse" in again.stamp_label.text()


def test_possible_duplicate_is_shown_and_the_existing_record_can_be_opened(qtbot, ctx):
    existing = create_person(
        ctx.uow,
        PersonInput(first_name="Hélène", last_name="Dupré", birth_date=dt.date(1985, 3, 14)),
    )
    dialog = PersonDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.first_name.setText("helene")
    dialog.last_name.setText("DUPRE")
    dialog.birth_date.set_value(dt.date(1985, 3, 14))
    dialog.save()
    qtbot.waitUntil(lambda: not dialog.duplicates.isHidden(), timeout=30000)
    assert "même nom et même date de naissance" in dialog.duplicates.list.item(0).text()
    qtbot.mouseClick(dialog.duplicates.open_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.open_existing_id == existing.id and dialog.saved is None


def test_intake_is_autosaved_as_draft_and_resumed_after_closing(qtbot, ctx, staff, person_id):
    dialog = IntakeDialog(ctx, person_id)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.autosave_timer.setInterval(50)
    dialog.texts["project_what"].setFocus()
    qtbot.keyClicks(dialog.texts["project_what"], "Pain au levain")
    qtbot.waitUntil(lambda: dialog.intake is not None and not dialog.dirty, timeout=30000)
    assert "Brouillon enregistré" in dialog.state_label.text()
    qtbot.keyClicks(dialog.texts["needs"], "Un four")
    dialog.close()  # closing keeps what was typed since the last tick
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=30000)
    draft = interviews.draft_intake_for(ctx.uow, person_id)
    assert draft is not None
    assert (draft.project_what, draft.needs) == ("Pain au levain", "Un four")
    resumed = IntakeDialog(ctx, person_id)
    qtbot.addWidget(resumed)
    assert resumed.intake is not None and resumed.intake.id == draft.id
    assert resumed.texts["needs"].toPlainText() == "Un four"
    resumed.close()


def test_an_intake_draft_started_by_mistake_is_deleted_after_a_confirmation(
    qtbot, ctx, staff, person_id
):
    dialog = IntakeDialog(ctx, person_id)
    qtbot.addWidget(dialog)
    assert not dialog.discard_button.isEnabled()  # nothing saved yet, nothing to delete
    qtbot.keyClicks(dialog.texts["project_what"], "Mauvaise personne")
    dialog.autosave(force=True)
    qtbot.waitUntil(lambda: dialog.intake is not None, timeout=30000)
    assert dialog.discard_button.isEnabled()
    answer_next_question(QMessageBox.StandardButton.No)
    dialog.discard_button.click()
    assert interviews.draft_intake_for(ctx.uow, person_id) is not None  # "No" keeps it
    seen = answer_next_question(QMessageBox.StandardButton.Yes)
    dialog.discard_button.click()
    assert seen and "Supprimer ce brouillon" in seen[0]
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=30000)
    assert interviews.draft_intake_for(ctx.uow, person_id) is None
    assert dialog.result() == QDialog.DialogCode.Accepted  # closed, nothing autosaved again
    assert interviews.draft_intake_for(ctx.uow, person_id) is None


def test_tab_moves_between_intake_text_fields(qtbot, ctx, staff, person_id):
    dialog = IntakeDialog(ctx, person_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    dialog.texts["project_what"].setFocus()
    qtbot.keyClicks(dialog.texts["project_what"], "Savon")
    qtbot.keyClick(dialog.texts["project_what"], Qt.Key.Key_Tab)
    assert dialog.texts["project_what"].toPlainText() == "Savon"  # no tab character typed
    qtbot.waitUntil(lambda: dialog.texts["project_how"].hasFocus(), timeout=30000)
    dialog.close()


def test_intake_finalised_admits_and_prints_the_report(qtbot, ctx, staff, person_id, monkeypatch):
    opened: list[Path] = []
    monkeypatch.setattr(people_widgets, "open_file", lambda path, _parent: opened.append(path))
    dialog = IntakeDialog(ctx, person_id)
    qtbot.addWidget(dialog)
    dialog.decision.setCurrentIndex(dialog.decision.findData("non_retenu"))
    dialog.finalize()
    assert not dialog.finalize_button.isEnabled()  # greyed while it runs: no second click
    qtbot.waitUntil(lambda: bool(dialog.errors.error_text("project_what")), timeout=30000)
    assert dialog.finalize_button.isEnabled()
    assert dialog.errors.error_text("project_what") == "Ce champ est obligatoire."
    assert dialog.errors.error_text("decision_reason").startswith("Précisez le motif")
    assert parcours.list_stages(ctx.uow, person_id) == []
    qtbot.keyClicks(dialog.texts["project_what"], "Poterie culinaire")
    dialog.decision.setCurrentIndex(dialog.decision.findData("admis"))
    dialog.convention_start.setDate(QDate(today()))
    dialog.finalize()
    qtbot.waitUntil(lambda: dialog.intake is not None and not dialog.intake.is_draft, timeout=30000)
    assert dialog.intake is not None and not dialog.intake.is_draft
    assert [s.kind for s in parcours.list_stages(ctx.uow, person_id)] == ["accueil", "cape"]
    qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(opened), timeout=30000)
    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(opened[0]).pages)
    assert "Poterie culinaire" in text and "Admis en convention" in text
    dialog.close()


def test_followup_refuses_empty_report_and_future_date(qtbot, ctx, staff, person_id):
    dialog = FollowupDialog(ctx, person_id)
    qtbot.addWidget(dialog)
    dialog.held_on.setDate(QDate(today()).addDays(5))
    dialog.save()
    qtbot.waitUntil(lambda: bool(dialog.errors.error_text("points_discussed")), timeout=30000)
    assert dialog.followup is None and not dialog.print_button.isEnabled()
    assert dialog.errors.error_text("points_discussed") == "Ce champ est obligatoire."
    assert "futur" in dialog.errors.error_text("held_on")
    dialog.held_on.setDate(QDate(today()))
    qtbot.keyClicks(dialog.points, "Relance clients")
    dialog.has_next.setChecked(True)
    dialog.save()
    qtbot.waitUntil(lambda: dialog.followup is not None, timeout=30000)
    assert dialog.print_button.isEnabled()
    assert dialog.followup is not None
    reopened = FollowupDialog(ctx, person_id, dialog.followup.id)
    qtbot.addWidget(reopened)
    assert reopened.points.toPlainText() == "Relance clients"
    assert reopened.has_next.isChecked()


def test_stage_form_refuses_an_end_before_the_start(qtbot, ctx, person_id):
    dialog = StageDialog(ctx, person_id, kind="diagnostic")
    qtbot.addWidget(dialog)
    dialog.start.setDate(QDate(2026, 3, 1))
    dialog.end.set_value(dt.date(2026, 2, 1))
    dialog.save()
    qtbot.waitUntil(lambda: bool(dialog.errors.error_text("end_date")), timeout=30000)
    assert dialog.errors.error_text("end_date") == "La fin ne peut pas précéder le début."
    assert parcours.list_stages(ctx.uow, person_id) == []
    dialog.end.set_value(None)
    dialog.save()
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=30000)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert [s.kind for s in parcours.list_stages(ctx.uow, person_id)] == ["diagnostic"]


def test_cape_form_suggests_twelve_months_and_explains_a_third_renewal(qtbot, ctx, person_id):
    dialog = StageDialog(ctx, person_id, kind="cape")
    qtbot.addWidget(dialog)
    dialog.start.setDate(QDate(2026, 1, 1))
    assert dialog.end.value() == dt.date(2026, 12, 31)
    dialog.renewals.setValue(3)
    dialog.save()
    qtbot.waitUntil(lambda: bool(dialog.errors.error_text("renewals")), timeout=30000)
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.errors.error_text("renewals") == "Une convention se renouvelle au plus 2 fois."


def test_intake_with_a_social_security_number_stays_open_with_the_reason(
    qtbot, ctx, staff, person_id
):
    dialog = IntakeDialog(ctx, person_id)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.texts["motivation"].setPlainText("Reconversion")
    dialog.texts["needs"].setPlainText("NIR 1 85 05 78 006 048 30")
    dialog.close()
    qtbot.waitUntil(lambda: bool(dialog.errors.error_text("needs")), timeout=30000)
    assert dialog.isVisible()
    assert "sécurité sociale" in dialog.errors.error_text("needs")
    assert interviews.draft_intake_for(ctx.uow, person_id) is None
    dialog.texts["needs"].setPlainText("Local")
    dialog.close()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=30000)
    kept = interviews.draft_intake_for(ctx.uow, person_id)
    assert kept is not None and kept.motivation == "Reconversion"

"""First run: the profile is created only from valid input; errors appear beside the field."""

from __future__ import annotations

from pathlib import Path

from app.config import ProfilePaths
from app.profile import open_profile
from app.reference import reference
from ui.dialogs.first_run_dialog import FirstRunDialog


def test_missing_fields_are_flagged_and_nothing_is_created(qtbot, tmp_path: Path) -> None:
    dialog = FirstRunDialog(tmp_path / "profil")
    qtbot.addWidget(dialog)
    dialog.passphrase.setText("court")
    dialog.accept()
    assert dialog.profile is None
    assert dialog.errors.error_text("display_name") == "Ce champ est obligatoire."
    assert dialog.errors.error_text("last_name") == "Ce champ est obligatoire."
    assert "au moins 8" in dialog.errors.error_text("passphrase")
    assert not ProfilePaths(tmp_path / "profil").database.exists()


def test_mismatched_passphrases_are_refused(qtbot, tmp_path: Path) -> None:
    dialog = FirstRunDialog(tmp_path / "profil")
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.display_name, "Portable de Claire")
    qtbot.keyClicks(dialog.first_name, "Claire")
    qtbot.keyClicks(dialog.last_name, "Martin")
    qtbot.keyClicks(dialog.passphrase, "une phrase longue")
    qtbot.keyClicks(dialog.passphrase_confirmation, "une autre phrase")
    dialog.accept()
    assert dialog.profile is None
    assert dialog.errors.error_text("passphrase_confirmation") == (
        "Les deux phrases de passe ne sont pas identiques."
    )


def test_valid_input_creates_an_encrypted_profile_with_its_accompagnateur(
    qtbot, tmp_path: Path
) -> None:
    root = tmp_path / "profil"
    dialog = FirstRunDialog(root)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.display_name, "Portable de Claire")
    qtbot.keyClicks(dialog.first_name, "Claire")
    qtbot.keyClicks(dialog.last_name, "Martin")
    qtbot.keyClicks(dialog.email, "claire.martin@example.fr")
    dialog.permanence.setCurrentIndex(dialog.permanence.findData("Vouziers"))
    qtbot.keyClicks(dialog.passphrase, "Ardennes et Marne")
    qtbot.keyClicks(dialog.passphrase_confirmation, "Ardennes et Marne")
    dialog.accept()
    assert dialog.profile is not None
    profile = dialog.profile
    try:
        assert profile.settings.encrypted
        people = reference.list_accompagnateurs(profile.uow)
        assert [p.full_name for p in people] == ["Claire Martin"]
        permanence = next(
            p
            for p in reference.list_permanences(profile.uow)
            if p.id == profile.settings.permanence_id
        )
        assert permanence.town == "Vouziers"
    finally:
        profile.close()
    reopened = open_profile(root, "Ardennes et Marne")
    reopened.close()

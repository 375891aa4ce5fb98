"""Option lists the CAE edits: added, renamed, deactivated (never deleted), reordered."""

from __future__ import annotations

import pytest

from app.errors import ConflictError, ValidationError
from app.people.persons import PersonInput, create_person, get_person
from app.reference import options, reference


def labels(uow, kind: str, include_inactive: bool = False) -> list[str]:
    return [o.label for o in reference.list_options(uow, kind, include_inactive=include_inactive)]


def test_added_prescriber_is_offered_and_usable_on_a_person(uow):
    added = options.add_option(uow, "prescriber", "Chambre de métiers")
    assert added.code == "chambre_de_metiers"
    assert labels(uow, "prescriber")[-1] == "Chambre de métiers"
    person = create_person(
        uow, PersonInput(first_name="A", last_name="B", prescriber_code=added.code)
    )
    assert get_person(uow, person.id).prescriber_code == "chambre_de_metiers"


def test_same_label_twice_is_refused_and_empty_label_explained(uow):
    options.add_option(uow, "sector", "Tourisme")
    with pytest.raises(ConflictError) as caught:
        options.add_option(uow, "sector", "tourisme ")
    assert caught.value.code == "option_exists"
    with pytest.raises(ValidationError):
        options.add_option(uow, "sector", "  ")


def test_deactivated_option_is_hidden_but_kept_for_existing_records(uow):
    options.set_option_active(uow, "situation", "etudiant", False)
    assert "Étudiant" not in labels(uow, "situation")
    assert "Étudiant" in labels(uow, "situation", include_inactive=True)
    person = create_person(
        uow, PersonInput(first_name="A", last_name="B", situation_code="etudiant")
    )
    assert person.situation_code == "etudiant"


def test_rename_and_move_change_what_forms_offer(uow):
    options.rename_option(uow, "exit_reason", "autre", "Autre motif de sortie")
    options.move_option(uow, "exit_reason", "autre", -1)
    assert labels(uow, "exit_reason")[-2] == "Autre motif de sortie"

"""Person records: validation by field, normalisation, duplicates, tombstones, who changed."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.clock import today
from app.errors import NotFoundError, ValidationError
from app.people import person_directory
from app.people.persons import (
    PersonInput,
    PossibleDuplicateError,
    contains_nir,
    create_person,
    delete_person,
    find_duplicates,
    get_person,
    update_person,
)

HELENE = PersonInput(
    civility="Mme",
    first_name="Hélène",
    last_name="Dupré",
    birth_date=dt.date(1985, 3, 14),
    email="helene.dupre@example.fr",
    phone="06 12 34 56 78",
    postcode="08400",
    city="Vouziers",
    situation_code="demandeur_emploi",
    prescriber_code="france_travail",
    sector_code="artisanat",
)


def codes(error: ValidationError) -> dict[str, str]:
    return {e.field: e.code for e in error.errors}


def test_new_person_is_saved_with_normalised_phone_and_who_created_it(uow):
    person = create_person(uow, HELENE)
    again = get_person(uow, person.id)
    assert again.phone == "+33612345678"
    assert again.email == "helene.dupre@example.fr"
    assert again.created_by == "Claire Testeuse"
    assert again.updated_by == "Claire Testeuse"
    assert again.full_name == "Mme Hélène DUPRÉ"


def test_every_invalid_field_is_reported_and_nothing_is_saved(uow):
    bad = PersonInput(
        first_name=" ",
        last_name="",
        email="pas-une-adresse",
        phone="12",
        postcode="8400",
        birth_date=today() + dt.timedelta(days=3),
        situation_code="inconnu",
    )
    with pytest.raises(ValidationError) as caught:
        create_person(uow, bad)
    assert codes(caught.value) == {
        "first_name": "required",
        "last_name": "required",
        "email": "invalid_email",
        "phone": "invalid_phone",
        "postcode": "invalid_postcode",
        "birth_date": "date_in_future",
        "situation_code": "unknown_option",
    }
    assert person_directory.count_persons(uow) == 0


def test_a_social_security_number_in_the_notes_is_refused(uow):
    with pytest.raises(ValidationError) as caught:
        create_person(
            uow,
            PersonInput(first_name="A", last_name="B", notes="NIR 2 95 10 99 126 111 93 à garder"),
        )
    assert codes(caught.value) == {"notes": "nir_forbidden"}


def test_ordinary_numbers_in_notes_are_not_mistaken_for_a_nir():
    assert not contains_nir("RDV le 12/05 à 14h, tél 06 12 34 56 78, SIRET 73282932000074")
    assert contains_nir("1850578006048 30")  # 13 digits + valid key


def test_same_name_and_birth_date_is_a_possible_duplicate_whatever_the_accents(uow):
    first = create_person(uow, HELENE)
    twin = PersonInput(first_name="helene", last_name="DUPRE", birth_date=HELENE.birth_date)
    found = find_duplicates(uow, twin)
    assert [(c.id, c.reasons) for c in found] == [(first.id, ("name_birth",))]
    with pytest.raises(PossibleDuplicateError) as caught:
        create_person(uow, twin)
    assert caught.value.candidates[0].id == first.id
    assert person_directory.count_persons(uow) == 1


def test_same_phone_written_differently_is_a_possible_duplicate(uow):
    first = create_person(uow, HELENE)
    other = PersonInput(first_name="Paul", last_name="Martin", phone="+33 6 12 34 56 78")
    assert [c.reasons for c in find_duplicates(uow, other)] == [("phone",)]
    assert find_duplicates(uow, other)[0].id == first.id


def test_same_name_but_other_birth_date_is_not_a_duplicate(uow):
    create_person(uow, HELENE)
    namesake = PersonInput(first_name="Hélène", last_name="Dupré", birth_date=dt.date(1990, 1, 1))
    assert find_duplicates(uow, namesake) == []


def test_confirmed_duplicate_is_created_when_the_user_insists(uow):
    create_person(uow, HELENE)
    create_person(uow, HELENE, allow_duplicate=True)
    assert person_directory.count_persons(uow) == 2


def test_update_records_who_changed_and_keeps_creator(profile, uow):
    person = create_person(uow, HELENE)
    profile.uow.actor = "Marc Autre"
    changed = update_person(
        uow,
        person.id,
        person.to_input().__class__(**{**person.to_input().__dict__, "city": "Rethel"}),
    )
    assert changed.city == "Rethel"
    assert changed.created_by == "Claire Testeuse"
    assert changed.updated_by == "Marc Autre"


def test_deleted_person_is_a_tombstone_hidden_from_search(uow):
    person = create_person(uow, HELENE)
    delete_person(uow, person.id)
    assert person_directory.count_persons(uow) == 0
    with pytest.raises(NotFoundError):
        get_person(uow, person.id)
    with uow() as unit:
        from app.models import Person

        assert unit.session.get(Person, person.id).deleted_at is not None


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=30))
def test_any_phone_text_is_either_stored_as_e164_or_refused_by_field(uow, text):
    try:
        person = create_person(
            uow, PersonInput(first_name="X", last_name="Y", phone=text), allow_duplicate=True
        )
    except ValidationError as exc:
        assert codes(exc) == {"phone": "invalid_phone"}
    else:
        assert person.phone == "" or person.phone.startswith("+")


def test_an_entrepreneur_with_issued_invoices_cannot_be_deleted(uow):
    from app.errors import ConflictError
    from app.indicators.period import Filters, Period
    from app.indicators.turnover import turnover
    from tests.indicators_data import Builder

    person = create_person(uow, HELENE)
    with Builder(uow) as b:
        b.invoice(person.id, dt.date(2025, 3, 1), 120000)
        b.invoice(person.id, None, 5000, status="brouillon")  # a draft alone would not block
    with pytest.raises(ConflictError) as refused:
        delete_person(uow, person.id)
    assert (refused.value.code, refused.value.details) == ("person_has_invoices", {"invoices": 1})
    assert get_person(uow, person.id).id == person.id  # still there
    assert turnover(uow, Filters(Period.year(2025))).invoiced_cents == 120000


def test_a_person_with_only_draft_invoices_can_be_deleted(uow):
    from tests.indicators_data import Builder

    person = create_person(uow, HELENE)
    with Builder(uow) as b:
        b.invoice(person.id, None, 5000, status="brouillon")
    delete_person(uow, person.id)
    with pytest.raises(NotFoundError):
        get_person(uow, person.id)

"""CAE identity and clients: identifiers checked by python-stdnum, all errors at once."""

from __future__ import annotations

import pytest

from app.errors import ValidationError
from app.invoicing.cae_identity import get_cae_identity, missing_fields, save_cae_identity
from app.invoicing.clients import ClientData, list_clients, save_client
from app.profile import Profile
from tests.invoicing_fixtures import CAE_SIREN, add_entrepreneur, complete_identity


def test_new_profile_identity_is_incomplete_for_invoicing(profile: Profile) -> None:
    missing = missing_fields(get_cae_identity(profile.uow))
    assert {"name", "siren", "siret", "vat_number", "rcs_city"} <= set(missing)
    assert "late_penalty_text" not in missing  # seeded with the legal wording


def test_complete_identity_is_saved_normalised(profile: Profile) -> None:
    saved = complete_identity(profile.uow)
    assert missing_fields(saved) == []
    spaced = saved.with_changes(siren="732 829 320", iban="FR14 2004 1010 0505 0001 3M02 606")
    again = save_cae_identity(profile.uow, spaced)
    assert again.siren == CAE_SIREN and again.iban == "FR1420041010050500013M02606"


def test_identity_reports_every_invalid_identifier(profile: Profile) -> None:
    bad = get_cae_identity(profile.uow).with_changes(
        siren="732829321",
        siret="73282932000075",
        vat_number="FR00732829320",
        iban="FR1420041010050500013M02607",
        bic="XX",
        postcode="5110",
        payment_terms_days=90,
    )
    with pytest.raises(ValidationError) as caught:
        save_cae_identity(profile.uow, bad)
    assert {(e.field, e.code) for e in caught.value.errors} == {
        ("siren", "invalid_siren"),
        ("siret", "invalid_siret"),
        ("vat_number", "invalid_vat"),
        ("iban", "invalid_iban"),
        ("bic", "invalid_bic"),
        ("postcode", "invalid_postcode"),
        ("payment_terms_days", "payment_terms_too_long"),
    }
    assert missing_fields(get_cae_identity(profile.uow))  # nothing saved


def test_siret_must_belong_to_the_siren(profile: Profile) -> None:
    data = get_cae_identity(profile.uow).with_changes(siren=CAE_SIREN, siret="55210055400013")
    with pytest.raises(ValidationError) as caught:
        save_cae_identity(profile.uow, data)
    assert [e.code for e in caught.value.errors] == ["siret_not_of_siren"]


def test_business_client_siren_is_checked_and_individual_drops_it(profile: Profile) -> None:
    person = add_entrepreneur(profile.uow)
    with pytest.raises(ValidationError) as caught:
        save_client(profile.uow, ClientData(person, "SARL Test", siren="123456789", postcode="51"))
    assert {e.code for e in caught.value.errors} == {"invalid_siren", "invalid_postcode"}
    individual = save_client(
        profile.uow, ClientData(person, "Jeanne Petit", kind="particulier", siren="552100554")
    )
    assert individual.data.siren == ""
    assert [c.name for c in list_clients(profile.uow, person)] == ["Jeanne Petit"]

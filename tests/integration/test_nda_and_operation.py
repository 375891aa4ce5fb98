"""The CAE's training declaration number (NDA) and the funder's operation reference (FSE+)
on the attendance sheet and the attestation (issue 16, item 3); read back from the PDFs."""

from __future__ import annotations

import datetime as dt

import pytest
from pypdf import PdfReader

from app.errors import ValidationError
from app.invoicing.cae_identity import get_cae_identity, save_cae_identity
from app.workshops import attendance, registrations, workshop_documents, workshops
from app.workshops.workshop_values import PRESENT
from tests.invoicing_fixtures import complete_identity
from tests.workshops_support import DURING, FSE, add_persons, new_session


def _text(path) -> str:
    return " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(path).pages)


def test_the_nda_is_checked_and_kept_as_its_eleven_digits(uow) -> None:
    complete_identity(uow)
    identity = get_cae_identity(uow)
    saved = save_cae_identity(uow, identity.with_changes(nda="44 51 01234 51"))
    assert saved.nda == "44510123451"
    for wrong in ("4451012345", "44 51 01234 5A", "000 000 000 00"):
        with pytest.raises(ValidationError) as refused:
            save_cae_identity(uow, identity.with_changes(nda=wrong))
        assert [(e.field, e.code) for e in refused.value.errors] == [("nda", "invalid_nda")]


def test_the_operation_reference_is_kept_per_funder_and_checked(uow) -> None:
    activity_id = new_session(uow, operation_refs={FSE: " 2023 00123 "})
    assert workshops.get_session(uow, activity_id).funders[0].operation_ref == "2023 00123"
    with pytest.raises(ValidationError) as refused:
        new_session(uow, operation_refs={FSE: "n°<script>"})
    assert refused.value.errors[0].code == "invalid_operation_ref"


def test_sheet_and_attestation_name_the_nda_and_the_operation(uow, profile, pinned_clock) -> None:
    complete_identity(uow)
    save_cae_identity(uow, get_cae_identity(uow).with_changes(nda="44510123451"))
    activity_id = new_session(uow, operation_refs={FSE: "202300123"})
    person_id = add_persons(uow, 1)[0]
    registrations.register_person(uow, activity_id, person_id)
    detail = workshops.get_session(uow, activity_id)
    attendance.mark_attendance(uow, detail.slots[0].id, person_id, PRESENT, now=DURING)
    documents = profile.paths.documents
    sheet = workshop_documents.print_attendance_sheet(uow, documents, activity_id, filled=True)
    text = _text(sheet)
    assert "44 51 01234 51" in text and "Opération n° 202300123" in text
    (attestation,) = workshop_documents.generate_attestations(
        uow, documents, [(activity_id, person_id)], signer="Sophie Lambert",
        issued_on=dt.date(2026, 3, 13),
    )  # fmt: skip
    text = _text(attestation)
    assert "44 51 01234 51" in text and "Opération n° 202300123" in text

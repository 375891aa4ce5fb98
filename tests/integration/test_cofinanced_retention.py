"""Whoever attended an EU co-financed (FSE+) workshop in the last 10 years is not proposed
for anonymisation by the 2-year rule for applicants never admitted: the signed sheets
and attestations keep their signer (issue 16, item 6)."""

from __future__ import annotations

import datetime as dt

import pytest

from app.people import personal_data
from app.workshops import attendance, registrations, workshops
from app.workshops.workshop_values import PRESENT, default_slots
from tests.unit.test_people_personal_data import applicant
from tests.workshops_support import FSE, new_session

TODAY = dt.date(2026, 11, 26)
HELD = dt.date(2024, 3, 12)


def _attend(uow, person_id: str, *, funders: list[str]) -> None:
    activity_id = new_session(uow, slots=default_slots(HELD), funder_ids=funders)
    registrations.register_person(uow, activity_id, person_id)
    slot = workshops.get_session(uow, activity_id).slots[0]
    attendance.mark_attendance(
        uow, slot.id, person_id, PRESENT, now=dt.datetime.combine(HELD, dt.time(18))
    )


def test_a_cofinanced_workshop_keeps_its_attendees_out_of_the_retention_list(uow) -> None:
    from app.reference import reference

    staff = reference.add_accompagnateur(uow, "Claire", "Testeuse").id
    plain = applicant(uow, staff, "Simple", dt.date(2024, 3, 1), "non_retenu")
    funded = applicant(uow, staff, "Finance", dt.date(2024, 3, 1), "non_retenu")
    _attend(uow, plain, funders=[])
    _attend(uow, funded, funders=[FSE])
    proposed = {c.person_id for c in personal_data.retention_candidates(uow, TODAY)}
    assert proposed == {plain}
    # Ten years on, the evidence may go too.
    later = personal_data.retention_candidates(uow, dt.date(2034, 3, 13))
    assert {c.person_id for c in later} == {plain, funded}


def test_anonymising_an_attendee_of_a_cofinanced_workshop_waits_ten_years(uow) -> None:
    """Asked by hand (not by the retention list), erasure is refused with the reason
    while the FSE+ evidence must be kept, and done once the 10 years are over; a person
    who attended only a workshop without EU funding is anonymised at once."""
    from app.errors import ConflictError
    from app.people.persons import get_person
    from app.reference import reference

    staff = reference.add_accompagnateur(uow, "Claire", "Testeuse").id
    plain = applicant(uow, staff, "Simple", dt.date(2024, 3, 1), "non_retenu")
    funded = applicant(uow, staff, "Finance", dt.date(2024, 3, 1), "non_retenu")
    _attend(uow, plain, funders=[])
    _attend(uow, funded, funders=[FSE])

    personal_data.anonymise_person(uow, plain, TODAY)
    assert get_person(uow, plain).anonymised_at is not None

    with pytest.raises(ConflictError) as refused:
        personal_data.anonymise_person(uow, funded, TODAY)
    assert (refused.value.code, refused.value.details) == ("cofinanced_retention", {"years": 10})
    assert get_person(uow, funded).first_name == "Finance"

    personal_data.anonymise_person(uow, funded, dt.date(2034, 3, 13))
    assert get_person(uow, funded).first_name != "Finance"

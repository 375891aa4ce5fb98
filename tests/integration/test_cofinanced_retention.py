"""Whoever attended an EU co-financed (FSE+) workshop in the last 10 years is not proposed
for anonymisation by the 2-year rule for applicants never admitted: the signed sheets
and attestations keep their signer (issue 16, item 6)."""

from __future__ import annotations

import datetime as dt

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

"""Intake drafts and decisions, follow-ups and the agenda of the day."""

from __future__ import annotations

import datetime as dt

import pytest

from app.errors import ConflictError, ValidationError
from app.people import agenda, interviews, parcours
from app.people.agenda import AppointmentInput
from app.people.interviews import FollowupInput, IntakeInput
from app.people.person_file import load_person_file
from app.people.persons import PersonInput, create_person, get_person
from app.reference import reference

TODAY = dt.date(2026, 11, 26)


@pytest.fixture
def staff_id(uow) -> str:
    return reference.add_accompagnateur(uow, "Claire", "Testeuse").id


@pytest.fixture
def person_id(uow) -> str:
    return create_person(uow, PersonInput(first_name="Léa", last_name="Roux")).id


def codes(error: ValidationError) -> dict[str, str]:
    return {e.field: e.code for e in error.errors}


def test_draft_keeps_half_typed_text_and_is_resumed(uow, person_id):
    draft = interviews.save_intake_draft(uow, IntakeInput(person_id, TODAY, project_what="Pain"))
    interviews.save_intake_draft(
        uow, IntakeInput(person_id, TODAY, project_what="Pain au levain", needs="Four"), draft.id
    )
    resumed = interviews.draft_intake_for(uow, person_id)
    assert resumed is not None
    assert (resumed.id, resumed.project_what, resumed.needs, resumed.is_draft) == (
        draft.id,
        "Pain au levain",
        "Four",
        True,
    )
    assert parcours.list_stages(uow, person_id) == []  # a draft decides nothing


def test_finalising_without_decision_or_project_lists_every_missing_field(uow, person_id):
    draft = interviews.save_intake_draft(uow, IntakeInput(person_id, TODAY))
    with pytest.raises(ValidationError) as caught:
        interviews.finalize_intake(
            uow, IntakeInput(person_id, TODAY, decision="non_retenu"), draft.id, today=TODAY
        )
    assert codes(caught.value) == {
        "accompagnateur_id": "required",
        "project_what": "required",
        "decision_reason": "reason_required",
    }
    assert interviews.get_intake(uow, draft.id).is_draft


def test_admitted_intake_opens_accueil_and_cape_and_the_status_follows(uow, person_id, staff_id):
    final = interviews.finalize_intake(
        uow,
        IntakeInput(
            person_id,
            TODAY,
            accompagnateur_id=staff_id,
            project_what="Boulangerie",
            decision="admis",
            convention_start=dt.date(2026, 12, 1),
        ),
        today=TODAY,
    )
    assert not final.is_draft
    stages = parcours.list_stages(uow, person_id)
    assert [(s.kind, s.start_date, s.end_date) for s in stages] == [
        ("accueil", TODAY, None),
        ("cape", dt.date(2026, 12, 1), dt.date(2027, 11, 30)),
    ]
    assert parcours.person_status(uow, person_id, TODAY).code == "admis"
    assert parcours.person_status(uow, person_id, dt.date(2026, 12, 2)).code == "cape"
    assert get_person(uow, person_id).last_contact_on == TODAY
    with pytest.raises(ConflictError):
        interviews.save_intake_draft(uow, IntakeInput(person_id, TODAY), final.id)


def test_intake_in_the_future_is_refused_unless_on_the_agenda(uow, person_id, staff_id):
    later = TODAY + dt.timedelta(days=3)
    data = IntakeInput(
        person_id, later, accompagnateur_id=staff_id, project_what="X", decision="reflexion"
    )
    with pytest.raises(ValidationError) as caught:
        interviews.finalize_intake(uow, data, today=TODAY)
    assert codes(caught.value) == {"held_on": "interview_in_future"}
    agenda.schedule_appointment(
        uow,
        AppointmentInput(person_id, dt.datetime.combine(later, dt.time(10)), "accueil"),
        today=TODAY,
    )
    assert interviews.finalize_intake(uow, data, today=TODAY).held_on == later


def test_followup_validates_and_puts_next_appointment_on_the_agenda(uow, person_id, staff_id):
    with pytest.raises(ValidationError) as caught:
        interviews.save_followup(
            uow, FollowupInput(person_id, TODAY, duration_minutes=0, mode="fax"), today=TODAY
        )
    assert codes(caught.value) == {
        "mode": "invalid_choice",
        "duration_minutes": "invalid_duration",
        "points_discussed": "required",
    }
    rdv = dt.datetime(2026, 12, 10, 14, 30)
    saved = interviews.save_followup(
        uow,
        FollowupInput(
            person_id,
            TODAY,
            45,
            "visio",
            accompagnateur_id=staff_id,
            points_discussed="Devis",
            next_appointment=rdv,
        ),
        today=TODAY,
    )
    day = agenda.agenda_for_day(uow, rdv.date())
    assert [(e.person_id, e.starts_at, e.kind) for e in day] == [(person_id, rdv, "suivi")]
    moved = dt.datetime(2026, 12, 11, 9, 0)
    interviews.save_followup(
        uow,
        FollowupInput(
            person_id, TODAY, 45, "visio", points_discussed="Devis", next_appointment=moved
        ),
        saved.id,
        today=TODAY,
    )
    assert agenda.agenda_for_day(uow, rdv.date()) == []
    assert len(agenda.agenda_for_day(uow, moved.date())) == 1


def test_agenda_of_the_day_points_to_the_interview_already_started(uow, person_id):
    permanence = reference.list_permanences(uow)[0].id
    at = dt.datetime.combine(TODAY, dt.time(9, 30))
    agenda.schedule_appointment(
        uow, AppointmentInput(person_id, at, "accueil", permanence_id=permanence), today=TODAY
    )
    other = reference.list_permanences(uow)[1].id
    assert agenda.agenda_for_day(uow, TODAY, other) == []
    entry = agenda.agenda_for_day(uow, TODAY, permanence)[0]
    assert (entry.person_name, entry.interview_id) == ("ROUX Léa", None)
    draft = interviews.save_intake_draft(uow, IntakeInput(person_id, TODAY, project_what="X"))
    entry = agenda.agenda_for_day(uow, TODAY, permanence)[0]
    assert (entry.interview_kind, entry.interview_id, entry.interview_is_draft) == (
        "accueil",
        draft.id,
        True,
    )


def test_appointment_in_the_past_is_refused(uow, person_id):
    with pytest.raises(ValidationError) as caught:
        agenda.schedule_appointment(
            uow, AppointmentInput(person_id, dt.datetime(2026, 11, 1, 10)), today=TODAY
        )
    assert codes(caught.value) == {"starts_at": "appointment_in_past"}


def test_person_file_gathers_history_and_who_wrote_it(uow, person_id, staff_id):
    interviews.finalize_intake(
        uow,
        IntakeInput(
            person_id,
            dt.date(2026, 1, 5),
            accompagnateur_id=staff_id,
            project_what="Menuiserie\nsur mesure",
            decision="admis",
            convention_start=dt.date(2026, 2, 1),
        ),
        today=TODAY,
    )
    interviews.save_followup(
        uow,
        FollowupInput(person_id, dt.date(2026, 6, 1), points_discussed="Premiers clients"),
        today=TODAY,
    )
    file = load_person_file(uow, person_id, TODAY)
    assert file.status.code == "cape"
    assert [(r.kind, r.summary, r.accompagnateur) for r in file.interviews] == [
        ("suivi", "Premiers clients", ""),
        ("accueil", "Menuiserie", "Claire Testeuse"),
    ]
    assert file.interviews[0].created_by == "Claire Testeuse"
    kinds = [e.kind for e in file.timeline]
    assert kinds == ["stage_end_cape", "followup", "stage_cape", "stage_accueil", "intake"]
    assert [a.code for a in file.alerts] == []


def test_followup_slot_opens_that_days_followup_not_an_old_intake_draft(uow, person_id):
    at = dt.datetime.combine(TODAY, dt.time(11))
    agenda.schedule_appointment(uow, AppointmentInput(person_id, at, "suivi"), today=TODAY)
    interviews.save_intake_draft(uow, IntakeInput(person_id, dt.date(2026, 1, 5)))
    assert agenda.agenda_for_day(uow, TODAY)[0].interview_id is None
    done = interviews.save_followup(
        uow, FollowupInput(person_id, TODAY, points_discussed="Ok"), today=TODAY
    )
    entry = agenda.agenda_for_day(uow, TODAY)[0]
    assert (entry.interview_kind, entry.interview_id, entry.interview_is_draft) == (
        "suivi",
        done.id,
        False,
    )

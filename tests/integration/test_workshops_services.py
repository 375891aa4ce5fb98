"""Sessions, registrations, waiting list and attendance, on a real profile database."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.config import ProfileSettings
from app.errors import ConflictError, ValidationError
from app.ids import deterministic_id
from app.models import Activity, ActivitySlot, Attendance, Person, Registration
from app.profile import create_profile
from app.workshops import attendance, registrations, workshop_list, workshops
from app.workshops.workshop_values import (
    ABSENT,
    EXCUSED,
    PRESENT,
    REGISTERED,
    WAITING,
    SessionFilter,
    SlotInput,
    default_slots,
)
from tests.workshops_support import (
    BEFORE,
    DAY,
    DURING,
    LANGRES,
    add_persons,
    new_session,
    session_input,
)


def _fields(error: ValidationError) -> set[tuple[str, str]]:
    return {(e.field, e.code) for e in error.errors}


def _count(uow, model) -> int:
    with uow() as work:
        return int(work.session.scalar(select(func.count(model.id))) or 0)


def test_default_slots_are_morning_and_afternoon_half_days() -> None:
    morning, afternoon = default_slots(DAY)
    assert (morning.starts_at.time(), morning.ends_at.time()) == (dt.time(9), dt.time(12, 30))
    assert (afternoon.starts_at.time(), afternoon.ends_at.time()) == (dt.time(14), dt.time(17, 30))


def test_created_session_reads_back_with_place_slots_and_funders(uow) -> None:
    activity_id = new_session(uow)
    detail = workshops.get_session(uow, activity_id)
    assert detail.title == "Atelier gestion : fixer ses prix"
    assert detail.permanence_town == "Langres"
    assert "Langres" in detail.place_label
    assert [s.hours_label for s in detail.slots] == ["9 h 00 – 12 h 30", "14 h 00 – 17 h 30"]
    assert detail.total_minutes == 420
    assert [f.code for f in detail.funders] == ["FSE+"]
    assert detail.held_on == DAY


def test_free_address_is_the_printed_place(uow) -> None:
    activity_id = new_session(uow, permanence_id=None, place_address="Salle des fêtes, Bourbonne")
    assert workshops.get_session(uow, activity_id).place_label == "Salle des fêtes, Bourbonne"


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"title": "   "}, ("title", "required")),
        ({"slots": []}, ("slots", "slots_required")),
        (
            {"slots": [SlotInput(dt.datetime(2026, 3, 12, 12), dt.datetime(2026, 3, 12, 9))]},
            ("slots", "slot_end_before_start"),
        ),
        ({"permanence_id": None, "place_address": ""}, ("place", "place_required")),
        ({"capacity": 0}, ("capacity", "capacity_min")),
        (
            {
                "slots": [
                    SlotInput(dt.datetime(2026, 3, 12, 9), dt.datetime(2026, 3, 12, 12)),
                    SlotInput(dt.datetime(2026, 3, 12, 11), dt.datetime(2026, 3, 12, 13)),
                ]
            },
            ("slots", "slots_overlap"),
        ),
    ],
)
def test_bad_session_is_refused_and_nothing_saved(uow, changes, expected) -> None:
    with pytest.raises(ValidationError) as caught:
        new_session(uow, **changes)
    assert expected in _fields(caught.value)
    assert _count(uow, Activity) == 0
    assert _count(uow, ActivitySlot) == 0


def test_reunion_and_manifestation_use_the_same_registration_and_attendance(uow) -> None:
    people = add_persons(uow, 2)
    for kind in ("reunion", "manifestation"):
        activity_id = new_session(uow, kind=kind, theme_id=None, title=f"{kind} de printemps")
        for person_id in people:
            registrations.register_person(uow, activity_id, person_id)
        assert attendance.mark_all_present(uow, activity_id, now=DURING) == 4
        detail = workshops.get_session(uow, activity_id)
        assert detail.kind == kind
        assert detail.minutes_attended(people[0]) == 420


def test_registering_the_same_person_twice_is_refused(uow) -> None:
    activity_id = new_session(uow)
    (person_id,) = add_persons(uow, 1)
    registrations.register_person(uow, activity_id, person_id)
    with pytest.raises(ConflictError) as caught:
        registrations.register_person(uow, activity_id, person_id)
    assert caught.value.code == "already_registered"
    assert _count(uow, Registration) == 1


def test_past_capacity_people_wait_and_the_first_is_promoted_on_cancel(uow) -> None:
    activity_id = new_session(uow, capacity=2)
    a, b, c, d = add_persons(uow, 4)
    moments = [dt.datetime(2026, 3, 1, 10, m) for m in range(4)]
    statuses = [
        registrations.register_person(uow, activity_id, p, now=t).status
        for p, t in zip((a, b, c, d), moments, strict=True)
    ]
    assert statuses == [REGISTERED, REGISTERED, WAITING, WAITING]
    promoted = registrations.cancel_registration(uow, activity_id, a)
    assert promoted is not None and promoted.person_id == c
    detail = workshops.get_session(uow, activity_id)
    assert {p.person_id for p in detail.participants} == {b, c}
    assert [w.person_id for w in detail.waiting] == [d]


def test_over_capacity_without_waiting_list_is_refused(uow) -> None:
    activity_id = new_session(uow, capacity=1, has_waiting_list=False)
    a, b = add_persons(uow, 2)
    registrations.register_person(uow, activity_id, a)
    with pytest.raises(ConflictError) as caught:
        registrations.register_person(uow, activity_id, b)
    assert caught.value.code == "activity_full"
    assert len(workshops.get_session(uow, activity_id).participants) == 1


def test_raising_capacity_promotes_the_waiting_list(uow) -> None:
    activity_id = new_session(uow, capacity=1)
    a, b = add_persons(uow, 2)
    registrations.register_person(uow, activity_id, a)
    registrations.register_person(uow, activity_id, b)
    workshops.update_session(uow, activity_id, session_input(capacity=2))
    assert len(workshops.get_session(uow, activity_id).participants) == 2


def test_capacity_below_registered_is_refused(uow) -> None:
    activity_id = new_session(uow, capacity=3)
    for person_id in add_persons(uow, 3):
        registrations.register_person(uow, activity_id, person_id)
    with pytest.raises(ValidationError) as caught:
        workshops.update_session(uow, activity_id, session_input(capacity=2))
    assert ("capacity", "capacity_below_registered") in _fields(caught.value)


def test_cancelled_person_can_register_again_on_the_same_row(uow) -> None:
    activity_id = new_session(uow)
    (person_id,) = add_persons(uow, 1)
    registrations.register_person(uow, activity_id, person_id)
    registrations.cancel_registration(uow, activity_id, person_id)
    again = registrations.register_person(uow, activity_id, person_id)
    assert again.id == deterministic_id("registration", activity_id, person_id)
    assert _count(uow, Registration) == 1


def test_attendance_on_a_slot_not_started_is_refused(uow) -> None:
    activity_id = new_session(uow)
    (person_id,) = add_persons(uow, 1)
    registrations.register_person(uow, activity_id, person_id)
    slot = workshops.get_session(uow, activity_id).slots[0]
    with pytest.raises(ConflictError) as caught:
        attendance.mark_attendance(uow, slot.id, person_id, PRESENT, now=BEFORE)
    assert caught.value.code == "slot_not_started"
    assert _count(uow, Attendance) == 0


def test_attendance_of_a_person_not_registered_is_refused(uow) -> None:
    activity_id = new_session(uow)
    (person_id,) = add_persons(uow, 1)
    slot = workshops.get_session(uow, activity_id).slots[0]
    with pytest.raises(ConflictError) as caught:
        attendance.mark_attendance(uow, slot.id, person_id, PRESENT, now=DURING)
    assert caught.value.code == "not_registered"


def test_marking_twice_updates_the_one_deterministic_row(uow) -> None:
    activity_id = new_session(uow)
    (person_id,) = add_persons(uow, 1)
    registrations.register_person(uow, activity_id, person_id)
    slot = workshops.get_session(uow, activity_id).slots[0]
    attendance.mark_attendance(uow, slot.id, person_id, PRESENT, now=DURING)
    attendance.mark_attendance(uow, slot.id, person_id, ABSENT, now=DURING)
    with uow() as work:
        rows = work.session.scalars(select(Attendance)).all()
        assert [(r.id, r.state) for r in rows] == [
            (deterministic_id("attendance", slot.id, person_id), ABSENT)
        ]


def test_two_laptops_marking_the_same_attendance_produce_the_same_row_id(tmp_path: Path) -> None:
    """Two separate profiles (two laptops) hold the synced session, slot and person rows;
    each marks the person present: both rows carry the same id, so sync merges them."""
    ids: list[tuple[str, str]] = []
    for name in ("portable-langres", "portable-reims"):
        profile = create_profile(tmp_path / name, ProfileSettings(display_name=name))
        try:
            uow = profile.uow
            with uow() as work:  # the same rows, as sync would have brought them
                work.session.add(Person(id="p-1", first_name="Hélène", last_name="Dupré"))
                work.session.add(
                    Activity(id="a-1", title="Atelier", held_on=DAY, permanence_id=LANGRES)
                )
                work.session.add(
                    ActivitySlot(
                        id="s-1",
                        activity_id="a-1",
                        starts_at=dt.datetime(2026, 3, 12, 9),
                        ends_at=dt.datetime(2026, 3, 12, 12, 30),
                    )
                )
                work.commit()
            registrations.register_person(uow, "a-1", "p-1")
            attendance.mark_attendance(uow, "s-1", "p-1", PRESENT, now=DURING)
            with uow() as work:
                reg_id = work.session.scalars(select(Registration.id)).one()
                att_id = work.session.scalars(select(Attendance.id)).one()
            ids.append((reg_id, att_id))
        finally:
            profile.close()
    assert ids[0] == ids[1]
    assert ids[0][1] == deterministic_id("attendance", "s-1", "p-1")


def test_all_present_keeps_marks_already_entered(uow) -> None:
    activity_id = new_session(uow)
    a, b, c = add_persons(uow, 3)
    for person_id in (a, b, c):
        registrations.register_person(uow, activity_id, person_id)
    morning, afternoon = workshops.get_session(uow, activity_id).slots
    attendance.mark_attendance(uow, morning.id, b, EXCUSED, now=DURING)
    assert attendance.mark_all_present(uow, activity_id, now=DURING) == 5
    detail = workshops.get_session(uow, activity_id)
    assert detail.state(morning.id, b) == EXCUSED
    assert detail.state(afternoon.id, b) == PRESENT
    assert detail.minutes_attended(a) == 420
    assert detail.minutes_attended(b) == 210


def test_all_present_only_touches_started_slots(uow) -> None:
    activity_id = new_session(uow)
    (person_id,) = add_persons(uow, 1)
    registrations.register_person(uow, activity_id, person_id)
    lunch = dt.datetime.combine(DAY, dt.time(13))
    assert attendance.mark_all_present(uow, activity_id, now=lunch) == 1


def test_past_session_never_filled_in_is_flagged_until_marked(uow) -> None:
    filled = new_session(uow, title="Atelier rempli")
    forgotten = new_session(uow, title="Atelier oublié")
    empty = new_session(uow, title="Atelier sans inscrit")
    people = add_persons(uow, 2)
    for activity_id in (filled, forgotten):
        for person_id in people:
            registrations.register_person(uow, activity_id, person_id)
    attendance.mark_all_present(uow, filled, now=DURING)
    only_missing = SessionFilter(attendance_missing_only=True)
    rows = workshop_list.list_sessions(uow, only_missing, now=DURING)
    assert [r.id for r in rows] == [forgotten]
    assert workshop_list.count_sessions(uow, only_missing, now=DURING) == 1
    assert workshop_list.list_sessions(uow, only_missing, now=BEFORE) == []
    everything = {r.id: r for r in workshop_list.list_sessions(uow, now=DURING)}
    assert not everything[empty].attendance_missing
    assert everything[forgotten].attendance_missing


def test_attendance_rate_counts_present_marks_on_started_slots(uow) -> None:
    activity_id = new_session(uow)
    a, b = add_persons(uow, 2)
    for person_id in (a, b):
        registrations.register_person(uow, activity_id, person_id)
    morning, afternoon = workshops.get_session(uow, activity_id).slots
    assert workshop_list.attendance_rate(uow, activity_id, now=BEFORE) is None
    attendance.mark_attendance(uow, morning.id, a, PRESENT, now=DURING)
    attendance.mark_attendance(uow, morning.id, b, PRESENT, now=DURING)
    attendance.mark_attendance(uow, afternoon.id, a, PRESENT, now=DURING)
    attendance.mark_attendance(uow, afternoon.id, b, ABSENT, now=DURING)
    assert workshop_list.attendance_rate(uow, activity_id, now=DURING) == 7500
    row = workshop_list.list_sessions(uow, now=DURING)[0]
    assert (row.rate_bp, row.registered) == (7500, 2)


def test_hours_by_theme_sums_present_slots_per_theme(uow) -> None:
    (person_id,) = add_persons(uow, 1)
    gestion = new_session(uow)
    reunion = new_session(
        uow,
        kind="reunion",
        theme_id=None,
        title="Réunion coopérative",
        slots=default_slots(DAY)[:1],
    )
    for activity_id in (gestion, reunion):
        registrations.register_person(uow, activity_id, person_id)
    morning, afternoon = workshops.get_session(uow, gestion).slots
    attendance.mark_attendance(uow, morning.id, person_id, PRESENT, now=DURING)
    attendance.mark_attendance(uow, afternoon.id, person_id, ABSENT, now=DURING)
    attendance.mark_all_present(uow, reunion, now=DURING)
    hours = {
        (h.kind, h.theme_name): (h.minutes, h.sessions)
        for h in attendance.hours_by_theme(uow, person_id)
    }
    assert hours == {("atelier", "Gestion"): (210, 1), ("reunion", None): (210, 1)}
    history = attendance.person_activities(uow, person_id)
    assert {(h.title, h.minutes_attended, h.minutes_total) for h in history} == {
        ("Atelier gestion : fixer ses prix", 210, 420),
        ("Réunion coopérative", 210, 210),
    }


def test_dropping_a_slot_with_attendance_is_refused(uow) -> None:
    activity_id = new_session(uow)
    (person_id,) = add_persons(uow, 1)
    registrations.register_person(uow, activity_id, person_id)
    morning, afternoon = workshops.get_session(uow, activity_id).slots
    attendance.mark_attendance(uow, morning.id, person_id, PRESENT, now=DURING)
    keep_afternoon = [SlotInput(afternoon.starts_at, afternoon.ends_at, afternoon.id)]
    with pytest.raises(ConflictError):
        workshops.update_session(uow, activity_id, session_input(slots=keep_afternoon))
    assert len(workshops.get_session(uow, activity_id).slots) == 2


def test_session_list_filters_by_folded_title_and_kind(uow) -> None:
    new_session(uow, title="Méthodologie de projet")
    new_session(uow, title="Réunion coopérative de mars", kind="reunion", theme_id=None)
    found = workshop_list.list_sessions(uow, SessionFilter(text="methodo"))
    assert [r.title for r in found] == ["Méthodologie de projet"]
    reunions = workshop_list.list_sessions(uow, SessionFilter(kind="reunion"))
    assert [r.title for r in reunions] == ["Réunion coopérative de mars"]


def test_deleted_session_is_tombstoned_with_its_rows(uow) -> None:
    activity_id = new_session(uow)
    (person_id,) = add_persons(uow, 1)
    registrations.register_person(uow, activity_id, person_id)
    slot = workshops.get_session(uow, activity_id).slots[0]
    attendance.mark_attendance(uow, slot.id, person_id, PRESENT, now=DURING)
    attendance.mark_attendance(uow, slot.id, person_id, "attendu", now=DURING)
    workshops.delete_session(uow, activity_id)
    with uow() as work:
        for model in (Activity, ActivitySlot, Registration, Attendance):
            rows = work.session.scalars(select(model)).all()
            assert rows and all(r.deleted_at is not None for r in rows), model
    assert workshop_list.count_sessions(uow) == 0


def test_rows_repointed_by_a_person_merge_are_reused_not_duplicated(uow) -> None:
    """A merge re-points rows to the kept person without changing their ids: marking or
    registering that person again must update those rows, not add a second one."""
    activity_id = new_session(uow)
    merged, kept = add_persons(uow, 2)
    registrations.register_person(uow, activity_id, merged)
    slot = workshops.get_session(uow, activity_id).slots[0]
    attendance.mark_attendance(uow, slot.id, merged, PRESENT, now=DURING)
    with uow() as work:  # what the merge does
        for model in (Registration, Attendance):
            for row in work.session.scalars(select(model)):
                row.person_id = kept
        work.commit()
    attendance.mark_attendance(uow, slot.id, kept, ABSENT, now=DURING)
    with pytest.raises(ConflictError):
        registrations.register_person(uow, activity_id, kept)
    assert _count(uow, Attendance) == 1 and _count(uow, Registration) == 1
    assert workshops.get_session(uow, activity_id).state(slot.id, kept) == ABSENT

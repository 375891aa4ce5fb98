"""Capacity and waiting list under any sequence of registrations and cancellations."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.errors import ConflictError, NotFoundError
from app.workshops import registrations, workshops
from tests.workshops_support import add_persons, new_session

PEOPLE = 6
operations = st.lists(
    st.tuples(st.sampled_from(["register", "cancel"]), st.integers(0, PEOPLE - 1)),
    min_size=1,
    max_size=25,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(capacity=st.integers(1, 4), ops=operations)
def test_capacity_is_never_exceeded_and_waiting_is_first_come_first_served(
    uow, capacity: int, ops: list[tuple[str, int]]
) -> None:
    # One profile for every example; each example gets its own session and persons.
    activity_id = new_session(uow, capacity=capacity)
    people = add_persons(uow, PEOPLE)
    # A model of what the rules promise: places first come, then the queue.
    placed: list[str] = []
    queue: list[str] = []
    clock = dt.datetime(2026, 3, 1, 8, 0)
    for action, index in ops:
        person_id = people[index]
        clock += dt.timedelta(minutes=1)
        if action == "register":
            try:
                registrations.register_person(uow, activity_id, person_id, now=clock)
            except ConflictError as error:
                assert error.code == "already_registered"
                assert person_id in placed or person_id in queue
                continue
            (placed if len(placed) < capacity else queue).append(person_id)
        else:
            try:
                registrations.cancel_registration(uow, activity_id, person_id)
            except NotFoundError:
                assert person_id not in placed and person_id not in queue
                continue
            if person_id in placed:
                placed.remove(person_id)
                if queue:
                    placed.append(queue.pop(0))
            else:
                queue.remove(person_id)
        detail = workshops.get_session(uow, activity_id)
        assert len(detail.participants) <= capacity
        assert {p.person_id for p in detail.participants} == set(placed)
        assert [w.person_id for w in detail.waiting] == queue

"""Laptop-side sync pieces: the hybrid clock, the outbox capture, the token store, the
person merge."""

from __future__ import annotations

import json
import logging
from typing import Any, cast

import hypothesis.strategies as st
import pytest
from hypothesis import given
from sqlalchemy import Table, func, select

from app.ids import deterministic_id
from app.models import (
    Activity,
    ActivitySlot,
    Attendance,
    FieldClock,
    FollowupInterview,
    OutboxEntry,
    Person,
)
from app.people.merge import duplicate_candidates, merge_persons
from app.profile import Profile
from app.sync.apply import apply_rows
from app.sync.hlc import HybridClock, clamp_future, estimate_offset, parse, wall_now_ms
from app.sync.protocol import Row
from app.sync.token_store import TokenStore


def _outbox(profile: Profile) -> list[dict[str, Any]]:
    with profile.engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(OutboxEntry.__table__)).mappings()]


# -- hybrid logical clock -----------------------------------------------------
@given(st.lists(st.integers(min_value=-(10**7), max_value=10**7), min_size=1, max_size=60))
def test_stamps_only_grow_even_when_the_wall_clock_jumps_back(jumps: list[int]) -> None:
    now = [1_800_000_000_000]

    def physical() -> int:
        return now[0]

    clock = HybridClock("device-a", physical=physical)
    previous = clock.now()
    for jump in jumps:
        now[0] += jump
        stamp = clock.now()
        assert stamp > previous
        previous = stamp


@given(
    st.tuples(st.integers(0, 2**40), st.integers(0, 2**16 - 1)),
    st.tuples(st.integers(0, 2**40), st.integers(0, 2**16 - 1)),
)
def test_string_order_of_stamps_is_the_order_of_time_then_counter(
    a: tuple[int, int], b: tuple[int, int]
) -> None:
    from app.sync.hlc import Stamp

    sa, sb = Stamp(a[0], a[1], "0" * 16).encode(), Stamp(b[0], b[1], "f" * 16).encode()
    assert (sa < sb) == (a <= b)
    assert parse(sa).wall_ms == a[0]


def test_concurrent_stamps_of_two_devices_never_tie() -> None:
    fixed = lambda: 1_800_000_000_000  # noqa: E731
    a, b = (
        HybridClock("device-a", physical=fixed).now(),
        HybridClock("device-b", physical=fixed).now(),
    )
    assert a != b and a[:16] == b[:16]


@given(
    st.integers(0, 10**13),
    st.integers(0, 5000),
    st.integers(0, 5000),
    st.integers(-(10**7), 10**7),
)
def test_a_clock_offset_within_the_round_trip_counts_as_none(
    sent: int, reading_after: int, answer_after: int, skew: int
) -> None:
    """The siège read its clock (``skew`` ms ahead of the laptop's) between the request
    and its answer: an estimate is never further from the true skew than half the round
    trip, and clocks that agree (or agree within that error) are never "corrected" by
    network noise, which would reorder two laptops' edits at random."""
    server = sent + reading_after + skew
    received = sent + reading_after + answer_after
    found = estimate_offset(server, sent, received)
    half_trip = (received - sent) / 2
    assert found == 0 or abs(found - skew) <= half_trip + 1
    if skew == 0:
        assert found == 0


def test_a_clock_far_off_is_corrected() -> None:
    # Two minutes behind the siège, over a 40 ms round trip: the midpoint estimate.
    assert estimate_offset(1_000_120_020, 1_000_000_000, 1_000_000_040) == 120_000


def test_observed_remote_stamp_orders_later_local_edits_after_it() -> None:
    late = HybridClock("laptop-late", physical=lambda: 1_000)
    remote = HybridClock("laptop-ahead", physical=lambda: 9_000_000).now()
    late.observe(remote)
    assert late.now() > remote


def test_siege_pulls_back_stamps_from_the_future_but_keeps_device_order() -> None:
    now = wall_now_ms()
    ahead = HybridClock("x", physical=lambda: now + 86_400_000)
    first, second = ahead.now(), ahead.now()
    assert clamp_future(first, now) < first
    assert clamp_future(first, now) < clamp_future(second, now)
    ordinary = HybridClock("y").now()
    assert clamp_future(ordinary, now) == ordinary


# -- capture --------------------------------------------------------------------
def test_an_edit_and_its_outbox_entry_commit_together(profile: Profile) -> None:
    with profile.uow() as uow:
        uow.session.add(Person(first_name="Jeanne", last_name="Martin"))
        uow.session.flush()
        # Leaving without commit: neither the person nor the outbox entry stays.
    assert _outbox(profile) == []
    with profile.uow() as uow:
        person = Person(first_name="Jeanne", last_name="Martin")
        uow.session.add(person)
        uow.commit()
    (entry,) = _outbox(profile)
    fields = json.loads(entry["fields_json"])
    assert entry["row_id"] == person.id and fields["first_name"] == "Jeanne"
    assert fields["created_at"] and "notes" in fields  # a new row travels whole


def test_a_bulk_orm_update_of_a_synced_table_is_refused_and_changes_nothing(
    profile: Profile,
) -> None:
    # An ORM bulk UPDATE skips the flush the capture listens to: the change would never
    # leave the laptop. It is refused, and the unit of work rolls back.
    from sqlalchemy import update

    from app.sync.capture import UncapturedChange

    with profile.uow() as uow:
        uow.session.add(Person(first_name="Jeanne", last_name="Martin"))
        uow.commit()
    with pytest.raises(UncapturedChange), profile.uow() as uow:
        uow.session.execute(update(Person).values(city="Sedan"))
        uow.commit()
    with profile.uow() as uow:
        assert uow.session.scalar(select(Person.city)) == ""
        people = uow.session.scalars(select(Person)).all()
        people[0].city = "Sedan"  # the way that syncs
        uow.commit()
    with profile.uow() as uow:
        sent = [json.loads(e.fields_json) for e in uow.session.scalars(select(OutboxEntry))]
    assert any(fields.get("city") == "Sedan" for fields in sent[1:])


def test_an_update_sends_only_changed_fields_with_the_previous_text_clock(profile: Profile) -> None:
    with profile.uow() as uow:
        person = Person(first_name="Jeanne", last_name="Martin", notes="A")
        uow.session.add(person)
        uow.commit()
    with profile.uow() as uow:
        uow.session.get_one(Person, person.id).notes = "B"
        uow.commit()
    first, second = _outbox(profile)
    assert set(json.loads(second["fields_json"])) == {"notes", "updated_at"}
    assert json.loads(second["bases_json"]) == {"notes": first["hlc"]}
    assert second["hlc"] > first["hlc"] and second["seq"] > first["seq"]


def test_seeded_reference_data_is_not_a_change_to_send(profile: Profile) -> None:
    assert _outbox(profile) == []


def test_physical_delete_of_a_synced_row_travels_as_a_tombstone(profile: Profile) -> None:
    with profile.uow() as uow:
        person = Person(first_name="Jeanne", last_name="Martin")
        uow.session.add(person)
        uow.commit()
    with profile.uow() as uow:
        uow.session.delete(uow.session.get(Person, person.id))
        uow.commit()
    last = _outbox(profile)[-1]
    assert last["row_id"] == person.id and set(json.loads(last["fields_json"])) == {"deleted_at"}


def test_rows_applied_from_the_siege_are_not_sent_back(profile: Profile) -> None:
    row = Row(
        seq=1,
        table="person",
        row_id="0190c7d2-1111-7222-8333-444455556666",
        values={
            "first_name": "Awa",
            "last_name": "Diallo",
            "civility": "",
            "email": "",
            "phone": "",
            "address": "",
            "postcode": "",
            "city": "",
            "situation_code": "",
            "prescriber_code": "",
            "sector_code": "",
            "activity_name": "",
            "analytic_code": "",
            "notes": "n",
            "search_key": "diallo awa",
            "created_at": "2026-01-01T00:00:00",
            "updated_at": "2026-01-01T00:00:00",
        },
        clocks={"notes": HybridClock("siege").now()},
    )
    with profile.engine.begin() as conn:
        assert apply_rows(conn, [row]) == 1
    assert _outbox(profile) == []
    with profile.session_factory() as session:
        assert session.get_one(Person, row.row_id).first_name == "Awa"
        assert (
            session.scalar(
                select(func.count()).select_from(FieldClock).where(FieldClock.row_id == row.row_id)
            )
            == 1
        )


def test_waiting_local_edit_newer_than_the_pulled_value_is_kept(profile: Profile) -> None:
    with profile.uow() as uow:
        person = Person(first_name="Jeanne", last_name="Martin", city="Châlons")
        uow.session.add(person)
        uow.commit()
    with profile.engine.begin() as conn:  # as if pushed and acknowledged
        conn.execute(cast(Table, OutboxEntry.__table__).delete())
    with profile.uow() as uow:
        uow.session.get_one(Person, person.id).city = "Reims"
        uow.commit()
    with profile.engine.connect() as conn:
        values = dict(
            conn.execute(select(Person.__table__).where(Person.id == person.id)).mappings().one()
        )
    from app.sync.codec import encode_row

    older = HybridClock("other", physical=lambda: 1_000).now()
    pulled = encode_row("person", {k: v for k, v in values.items() if k != "id"}) | {
        "city": "Sedan",
        "email": "j@x.fr",
    }
    with profile.engine.begin() as conn:
        apply_rows(conn, [Row(2, "person", person.id, pulled, dict.fromkeys(pulled, older))])
    with profile.session_factory() as session:
        fresh = session.get_one(Person, person.id)
        assert fresh.city == "Reims"  # the local edit waits in the outbox and is newer
        assert fresh.email == "j@x.fr"  # a field not edited locally takes the siège's value


# -- token store --------------------------------------------------------------
def test_token_kept_in_the_profile_database_never_in_a_file_nor_logged(
    profile: Profile, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PERMANENCE_NO_KEYRING", "1")
    seen: list[str] = []
    handler = logging.Handler(logging.DEBUG)
    handler.emit = lambda record: seen.append(record.getMessage())  # type: ignore[method-assign]
    logging.getLogger().addHandler(handler)
    try:
        store = TokenStore(profile.paths.root, "device", profile.engine)
        # An older version's plain file is moved into the database and deleted.
        store.file.write_text("old-token-value-from-a-file", encoding="utf-8")
        assert store.load() == "old-token-value-from-a-file"
        assert not store.file.exists()
        assert store.save("s3cret-token-value") == "database"
        assert not store.file.exists()
        assert store.load() == "s3cret-token-value"
        store.clear()
        assert store.load() is None
    finally:
        logging.getLogger().removeHandler(handler)
    assert not any("s3cret" in m or "old-token" in m for m in seen)


# -- merge --------------------------------------------------------------------
def test_merging_duplicates_repoints_references_and_tombstones_the_copy(profile: Profile) -> None:
    import datetime as dt

    with profile.uow() as uow:
        keep = Person(first_name="Jeanne", last_name="Martin")
        copy = Person(
            first_name="jeanne", last_name="MARTIN", email="jeanne@exemple.fr", notes="vue à Sedan"
        )
        activity = Activity(title="Atelier", held_on=dt.date(2026, 3, 2))
        uow.session.add_all([keep, copy, activity])
        uow.session.flush()
        slot = ActivitySlot(
            activity_id=activity.id,
            starts_at=dt.datetime(2026, 3, 2, 9),
            ends_at=dt.datetime(2026, 3, 2, 12),
        )
        uow.session.add(slot)
        uow.session.flush()
        for person in (keep, copy):
            uow.session.add(
                Attendance(
                    id=deterministic_id("attendance", slot.id, person.id),
                    slot_id=slot.id,
                    person_id=person.id,
                    state="present",
                )
            )
        uow.session.add(FollowupInterview(person_id=copy.id, held_on=dt.date(2026, 3, 3)))
        uow.commit()
    (pair,) = duplicate_candidates(profile.uow)
    assert {pair.keep.id, pair.other.id} == {keep.id, copy.id}
    merge_persons(profile.uow, pair.keep.id, pair.other.id)
    with profile.session_factory() as session:
        kept, gone = session.get_one(Person, pair.keep.id), session.get_one(Person, pair.other.id)
        assert gone.deleted_at is not None and gone.merged_into_id == kept.id
        assert kept.email == "jeanne@exemple.fr" and "vue à Sedan" in kept.notes
        interviews = session.scalars(select(FollowupInterview)).all()
        assert [i.person_id for i in interviews] == [kept.id]
        live = session.scalars(select(Attendance).where(Attendance.deleted_at.is_(None))).all()
        assert [a.person_id for a in live] == [kept.id]  # one attendance, not two
    assert duplicate_candidates(profile.uow) == []
    tables = {e["table_name"] for e in _outbox(profile)}
    assert {"person", "followup_interview", "attendance"} <= tables  # the merge syncs

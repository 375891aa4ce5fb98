"""Signatures stored in the database, hash-chained, frozen once countersigned (issue 16,
item 1) — on the laptop, and through a real siège (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import pytest
from sqlalchemy import select, update

from app import clock
from app.errors import ConflictError
from app.ids import deterministic_id
from app.models import Attendance, AttendanceSignature, Person
from app.models.base import Base
from app.sync import service
from app.workshops import attendance, registrations, signature_store, workshops
from app.workshops.attendance import Mark
from app.workshops.plausibility import NEAR_OTHER, NEAR_SELF
from app.workshops.signing import Point, Stroke
from app.workshops.workshop_values import ABSENT, EXCUSED, PRESENT
from tests.sync_support import Siege, new_laptop
from tests.sync_support.authority import op, reasons
from tests.workshops_support import DAY, add_persons, new_session

BOX = (600.0, 200.0)
IN_MORNING = dt.datetime.combine(DAY, dt.time(9, 40), tzinfo=clock.PARIS)
IN_AFTERNOON = dt.datetime.combine(DAY, dt.time(14, 10), tzinfo=clock.PARIS)


def scribble(seed: int, shift: float = 0.0, noise: float = 0.0) -> list[Stroke]:
    """A signature-like drawing, different for each seed; ``noise`` moves each point a
    little (a replay that is not an exact copy)."""
    strokes: list[Stroke] = []
    for part in range(2):
        strokes.append(
            tuple(
                Point(
                    40 + shift + i * 8 + part * 250 + (noise if i % 2 else -noise),
                    100 + 40 * math.sin(i / (2 + seed % 5) + seed) + part * 10,
                    i * 15 + part * 900,
                )
                for i in range(30)
            )
        )
    return strokes


def _session(uow, pinned_clock, people: int = 3) -> tuple[str, list[str]]:
    pinned_clock.set(IN_MORNING)
    activity_id = new_session(uow, capacity=None)
    persons = add_persons(uow, people)
    for person_id in persons:
        registrations.register_person(uow, activity_id, person_id)
    return activity_id, persons


def _rows(uow, slot_id: str) -> list[AttendanceSignature]:
    with uow() as work:
        rows = signature_store.slot_rows(work.session, slot_id)
        work.session.expunge_all()
        return rows


def test_each_signature_is_stored_chained_and_marks_the_signer_present(uow, pinned_clock) -> None:
    activity_id, persons = _session(uow, pinned_clock)
    detail = workshops.get_session(uow, activity_id)
    slot = detail.slots[0]
    attendance.mark_attendance(uow, slot.id, persons[2], EXCUSED)
    signing = signature_store.open_signing(uow, detail, slot.id, device="Portable Langres")
    signing.sign(persons[0], scribble(1), BOX)
    # A laptop restarted mid-session finds the signature kept.
    resumed = signature_store.open_signing(uow, detail, slot.id, device="Portable Langres")
    assert resumed.signed_ids() == {persons[0]}
    resumed.sign(persons[1], scribble(2), BOX)
    resumed.countersign("Claire Testeuse", scribble(9), BOX)

    rows = _rows(uow, slot.id)
    assert [(r.role, r.position) for r in rows] == [
        ("participant", 0), ("participant", 1), ("formateur", 2)
    ]  # fmt: skip
    assert rows[0].previous_sha256 == "" and rows[1].previous_sha256 == rows[0].link_sha256
    assert json.loads(rows[0].strokes)["box"] == list(BOX)
    assert rows[0].device and {r.device for r in rows} == {rows[0].device}  # the device id
    # Paris wall time of the pen lifting: the pinned clock runs at the machine's pace, so
    # on a busy machine the signature may come seconds after 9:40 (never before it).
    signed_by = clock.localnow().replace(tzinfo=None)
    assert rows[0].sync_stamp
    assert IN_MORNING.replace(tzinfo=None) <= rows[0].captured_at <= signed_by
    assert rows[0].captured_at <= rows[1].captured_at <= rows[2].captured_at
    assert json.loads(rows[2].marks) == {
        persons[0]: PRESENT, persons[1]: PRESENT, persons[2]: EXCUSED
    }  # fmt: skip
    assert signature_store.slot_chain_problems(uow, slot.id) == []
    with uow() as work:
        states = dict(
            work.session.execute(
                select(Attendance.person_id, Attendance.state).where(Attendance.slot_id == slot.id)
            ).all()
        )
    assert states == {persons[0]: PRESENT, persons[1]: PRESENT, persons[2]: EXCUSED}


def test_who_did_not_sign_is_marked_absent_at_the_countersignature(uow, pinned_clock) -> None:
    activity_id, persons = _session(uow, pinned_clock)
    detail = workshops.get_session(uow, activity_id)
    signing = signature_store.open_signing(uow, detail, detail.slots[0].id)
    signing.sign(persons[0], scribble(1), BOX)
    signing.countersign("Claire Testeuse", scribble(9), BOX)
    marks = json.loads(_rows(uow, detail.slots[0].id)[-1].marks)
    assert marks == {persons[0]: PRESENT, persons[1]: ABSENT, persons[2]: ABSENT}


def test_a_countersigned_half_day_is_frozen_on_the_laptop(uow, pinned_clock) -> None:
    activity_id, persons = _session(uow, pinned_clock)
    detail = workshops.get_session(uow, activity_id)
    slot = detail.slots[0]
    signing = signature_store.open_signing(uow, detail, slot.id)
    signing.sign(persons[0], scribble(1), BOX)
    signing.countersign("Claire Testeuse", scribble(9), BOX)
    with pytest.raises(ConflictError) as refused:
        signature_store.open_signing(uow, detail, slot.id)
    assert refused.value.code == "slot_countersigned"
    with pytest.raises(ConflictError) as refused:
        attendance.mark_many(uow, [Mark(slot.id, persons[1], PRESENT)])
    assert refused.value.code == "slot_countersigned"
    with uow() as work, pytest.raises(ConflictError) as refused:
        row = work.session.scalars(select(AttendanceSignature)).first()
        assert row is not None
        row.signer_name = "Quelqu'un d'autre"
        work.session.flush()
    assert refused.value.code == "signature_frozen"
    # "Tous présents" leaves the frozen half-day alone and marks the open one.
    pinned_clock.set(IN_AFTERNOON)
    assert attendance.mark_all_present(uow, activity_id) == 3


def test_a_row_changed_behind_the_application_breaks_the_chain(uow, pinned_clock) -> None:
    activity_id, persons = _session(uow, pinned_clock)
    detail = workshops.get_session(uow, activity_id)
    slot = detail.slots[0]
    signing = signature_store.open_signing(uow, detail, slot.id)
    signing.sign(persons[0], scribble(1), BOX)
    signing.sign(persons[1], scribble(2), BOX)
    signing.countersign("Claire Testeuse", scribble(9), BOX)
    table = Base.metadata.tables["attendance_signature"]
    with uow() as work:  # a raw SQL edit, as someone with the database file could make
        work.session.execute(
            update(table)
            .where(table.c.person_id == persons[1])
            .values(captured_at=dt.datetime(2026, 3, 12, 17, 0))
        )
        work.commit()
    assert signature_store.slot_chain_problems(uow, slot.id) == [
        f"row_changed:{detail.participants[1].full_name}"
    ]


def test_near_identical_signatures_are_flagged_not_refused(uow, pinned_clock) -> None:
    activity_id, persons = _session(uow, pinned_clock)
    detail = workshops.get_session(uow, activity_id)
    morning, afternoon = detail.slots
    signing = signature_store.open_signing(uow, detail, morning.id)
    signing.sign(persons[0], scribble(1), BOX)
    signing.sign(persons[1], scribble(1, shift=30, noise=0.6), BOX)  # someone else's, replayed
    signing.sign(persons[2], scribble(3), BOX)
    signing.countersign("Claire Testeuse", scribble(9), BOX)
    pinned_clock.set(IN_AFTERNOON)
    later = signature_store.open_signing(uow, detail, afternoon.id)
    later.sign(persons[2], scribble(3, shift=12, noise=0.3), BOX)  # too identical to itself
    later.sign(persons[0], scribble(4), BOX)
    flags = {
        r.person_id: json.loads(r.flags)
        for r in (*_rows(uow, morning.id), *_rows(uow, afternoon.id))
    }
    assert [f["code"] for f in flags[persons[1]]] == [NEAR_OTHER]
    assert flags[persons[1]][0]["name"] == detail.participants[0].full_name
    assert NEAR_SELF in [f["code"] for f in flags[persons[2]]]
    assert flags[persons[0]] == []


@pytest.fixture
def synced_pair(tmp_path: Path, siege: Siege):
    laptop = new_laptop(tmp_path, "Portable Langres")
    other = new_laptop(tmp_path, "Portable Sedan")
    siege.enrol(laptop, "Portable Langres", "Langres")
    siege.enrol(other, "Portable Sedan", "Sedan")
    yield laptop, other
    for profile in (laptop, other):
        profile.close()


def test_signatures_reach_the_siege_and_a_frozen_half_day_is_refused_there(
    siege: Siege, synced_pair, pinned_clock
) -> None:
    laptop, other = synced_pair
    sync = lambda p: service.run_sync(p, http_factory=siege.http_factory)  # noqa: E731
    sync(laptop)
    activity_id, persons = _session(laptop.uow, pinned_clock)
    with laptop.uow() as work:  # followed at the Saint-Dizier antenne (Langres)
        for person in work.session.scalars(select(Person).where(Person.id.in_(persons))):
            person.antenne_id = deterministic_id("antenne", "Saint-Dizier")
        work.commit()
    detail = workshops.get_session(laptop.uow, activity_id)
    slot = detail.slots[0]
    signing = signature_store.open_signing(laptop.uow, detail, slot.id)
    signing.sign(persons[0], scribble(1), BOX)
    signing.countersign("Claire Testeuse", scribble(9), BOX)
    sync(laptop)
    table = Base.metadata.tables["attendance_signature"]
    with siege.engine.connect() as conn:
        held = conn.execute(select(table).order_by(table.c.position)).mappings().all()
    assert [r["role"] for r in held] == ["participant", "formateur"]
    assert signature_store.chain_problems(
        [AttendanceSignature(**dict(r)) for r in held]
    ) == []  # fmt: skip

    # The same laptop's token, used by hand: changing a signature, adding one after the
    # countersignature, or changing a mark of the frozen half-day is refused.
    from app.sync.capture import load_clock
    from app.sync.hlc import HybridClock
    from tests.sync_support.authority import Device

    token = siege.enrol(laptop, "Portable Langres", "Langres")
    device_id = service._device(laptop).device_id
    dev = Device(
        "Portable Langres", token, device_id, "", siege.http(token), HybridClock(device_id)
    )
    dev.last_op = 10**6  # past the laptop's own op numbers (a replay is skipped)
    with laptop.uow() as work:  # stamps newer than the laptop's own: not a stale write
        dev.clock.observe(load_clock(work.session.connection()).now())
    changed = dev.push(op("attendance_signature", held[0]["id"], signer_name="Autre"))
    assert reasons(changed) == ["signature_immutable"]
    late = dict(held[0]) | {"person_id": persons[1], "position": 2}
    late = {k: (v.isoformat() if isinstance(v, dt.datetime) else v) for k, v in late.items()}
    late_id = signature_store.signature_id(slot.id, persons[1])
    del late["id"]
    assert reasons(dev.push(op("attendance_signature", late_id, **late))) == ["slot_countersigned"]
    mark = attendance.attendance_id(slot.id, persons[1])
    assert reasons(dev.push(op("attendance", mark, state="present"))) == ["slot_countersigned"]
    # Two laptops signing the same open half-day offline: the second at a taken place in
    # the chain is refused (listed for review), never a database fault.
    afternoon = detail.slots[1].id
    first = late | {"slot_id": afternoon, "position": 0, "person_id": persons[0]}
    taken = first | {"person_id": persons[1]}
    pushed = dev.push(
        op("attendance_signature", signature_store.signature_id(afternoon, persons[0]), **first)
    )
    assert pushed.status_code == 200, pushed.text
    second = dev.push(
        op("attendance_signature", signature_store.signature_id(afternoon, persons[1]), **taken)
    )
    assert reasons(second) == ["signature_position_taken"]
    # Read scope: the signatures follow their session, held at Langres, not at Sedan.
    sync(other)
    with other.uow() as work:
        assert work.session.scalars(select(AttendanceSignature)).all() == []


def test_an_endless_scribble_is_refused_before_it_reaches_the_sync(uow, pinned_clock) -> None:
    from app.workshops.signing import MAX_POINTS

    activity_id, persons = _session(uow, pinned_clock)
    detail = workshops.get_session(uow, activity_id)
    signing = signature_store.open_signing(uow, detail, detail.slots[0].id)
    endless = [tuple(Point(i % 500, 50 + (i // 500) * 3, i * 10) for i in range(MAX_POINTS + 1))]
    with pytest.raises(ConflictError) as refused:
        signing.sign(persons[0], endless, BOX)
    assert refused.value.code == "signature_too_long"
    assert _rows(uow, detail.slots[0].id) == []


def test_a_person_who_signed_can_still_be_merged_and_the_signature_stays_as_signed(
    uow, pinned_clock
) -> None:
    from app.people.merge import merge_persons

    activity_id, persons = _session(uow, pinned_clock)
    detail = workshops.get_session(uow, activity_id)
    signing = signature_store.open_signing(uow, detail, detail.slots[0].id)
    signing.sign(persons[0], scribble(1), BOX)
    signing.countersign("Claire Testeuse", scribble(9), BOX)
    duplicate = add_persons(uow, 1, prefix="Bis")[0]
    merge_persons(uow, duplicate, persons[0])
    rows = _rows(uow, detail.slots[0].id)
    assert rows[0].person_id == persons[0]  # evidence unchanged, the merged record tombstoned
    assert signature_store.slot_chain_problems(uow, detail.slots[0].id) == []

"""Plain values shared by the workshop services, the PDFs and the UI.

Ateliers, réunions coopératives and manifestations are all "activities": one
machinery (slots, registrations, attendance per slot) distinguished by ``kind``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from app.states import AttendanceMark, RegistrationStatus

KINDS = ("atelier", "reunion", "manifestation")

# Attendance states, as stored (enDi's per-timeslot states).
EXPECTED = AttendanceMark.EXPECTED
PRESENT = AttendanceMark.PRESENT
ABSENT = AttendanceMark.ABSENT
EXCUSED = AttendanceMark.EXCUSED
STATES = tuple(AttendanceMark)

# Registration statuses.
REGISTERED = RegistrationStatus.REGISTERED
WAITING = RegistrationStatus.WAITING_LIST
CANCELLED = RegistrationStatus.CANCELLED

MORNING = (dt.time(9, 0), dt.time(12, 30))
AFTERNOON = (dt.time(14, 0), dt.time(17, 30))


def default_slots(day: dt.date, *, morning: bool = True, afternoon: bool = True) -> list[SlotInput]:
    """The usual half-days: morning 9:00–12:30, afternoon 14:00–17:30."""
    wanted = [span for span, keep in ((MORNING, morning), (AFTERNOON, afternoon)) if keep]
    return [
        SlotInput(dt.datetime.combine(day, start), dt.datetime.combine(day, end))
        for start, end in wanted
    ]


def duration_text(minutes: int) -> str:
    """210 -> "3 h 30", 420 -> "7 h", 45 -> "0 h 45" (how French sheets write hours)."""
    hours, rest = divmod(max(minutes, 0), 60)
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"


def hour_text(moment: dt.datetime | dt.time) -> str:
    """9:00 -> "9 h 00"; the form French attendance sheets use."""
    return f"{moment.hour} h {moment.minute:02d}"


@dataclass(frozen=True)
class SlotInput:
    starts_at: dt.datetime
    ends_at: dt.datetime
    id: str | None = None  # None: a new slot


@dataclass(frozen=True)
class SessionInput:
    """What the session editor sends; validated as a whole, saved all or nothing."""

    title: str
    slots: list[SlotInput]
    kind: str = "atelier"
    theme_id: str | None = None
    permanence_id: str | None = None
    place_address: str = ""
    animateurs: str = ""
    capacity: int | None = None
    has_waiting_list: bool = True
    funder_ids: list[str] = field(default_factory=list)
    description: str = ""
    # The funder's operation number, by funder id (FSE+: the "Ma démarche FSE+" operation):
    # printed with the funder on the sheet and the attestation (issue 16).
    operation_refs: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SlotInfo:
    id: str
    starts_at: dt.datetime
    ends_at: dt.datetime

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def hours_label(self) -> str:
        return f"{hour_text(self.starts_at)} – {hour_text(self.ends_at)}"

    def started(self, now: dt.datetime) -> bool:
        return self.starts_at <= now


@dataclass(frozen=True)
class FunderInfo:
    id: str
    code: str
    name: str
    statement: str
    emblem_png: bytes | None = None
    operation_ref: str = ""


@dataclass(frozen=True)
class ThemeInfo:
    id: str
    name: str
    default_duration_minutes: int
    description: str


@dataclass(frozen=True)
class RegistrationInfo:
    id: str
    activity_id: str
    person_id: str
    civility: str
    last_name: str
    first_name: str
    status: str
    registered_at: dt.datetime

    @property
    def full_name(self) -> str:
        return f"{self.last_name.upper()} {self.first_name}"


@dataclass(frozen=True)
class SessionDetail:
    """Everything one session screen or sheet needs, read in a handful of queries."""

    id: str
    kind: str
    title: str
    theme_id: str | None
    theme_name: str | None
    held_on: dt.date
    permanence_id: str | None
    permanence_town: str | None
    place_address: str
    place_label: str
    animateurs: str
    capacity: int | None
    has_waiting_list: bool
    description: str
    slots: list[SlotInfo]
    funders: list[FunderInfo]
    participants: list[RegistrationInfo]  # status "inscrit", by name
    waiting: list[RegistrationInfo]  # waiting list, first come first
    attendance: dict[tuple[str, str], str]  # (slot_id, person_id) -> state; absent key = attendu

    def state(self, slot_id: str, person_id: str) -> str:
        return self.attendance.get((slot_id, person_id), EXPECTED)

    @property
    def total_minutes(self) -> int:
        return sum(slot.minutes for slot in self.slots)

    def minutes_attended(self, person_id: str) -> int:
        return sum(s.minutes for s in self.slots if self.state(s.id, person_id) == PRESENT)


@dataclass(frozen=True)
class SessionRow:
    """One line of the session list, with its follow-up flags."""

    id: str
    kind: str
    title: str
    theme_name: str | None
    held_on: dt.date
    place_label: str
    registered: int
    waiting: int
    capacity: int | None
    attendance_missing: bool  # a past slot with participants and nobody marked
    rate_bp: int | None  # present / expected on started slots, basis points; None: not started


@dataclass(frozen=True)
class SessionFilter:
    kind: str | None = None
    theme_id: str | None = None
    permanence_id: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    text: str = ""
    attendance_missing_only: bool = False


@dataclass(frozen=True)
class ThemeHours:
    """Hours a person attended, for one theme (theme None: réunions, manifestations...)."""

    kind: str
    theme_id: str | None
    theme_name: str | None
    minutes: int
    sessions: int


@dataclass(frozen=True)
class AttendedSession:
    """One activity in a person's history, with what they attended."""

    activity_id: str
    kind: str
    title: str
    theme_name: str | None
    held_on: dt.date
    status: str
    minutes_attended: int
    minutes_total: int

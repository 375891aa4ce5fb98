"""Evidence of EU co-financed workshops is kept 10 years (issue 16, item 6; DESIGN §6,
docs/signing.md): the retention rule that anonymises applicants never admitted two
years after their last contact must leave alone whoever attended such a workshop
within that time, or the signed sheets and attestations would lose their signer."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Select, select

from app.models import ActivityFunder, ActivitySlot, Attendance, Funder
from app.workshops.workshop_values import PRESENT

COFINANCED_YEARS = 10
FSE_CODE = "FSE+"  # the seeded funder code (app/seed.py)


def cofinanced_attendees(day: dt.date) -> Select[str]:
    """Ids of the persons present at a half-day of an EU co-financed (FSE+) session held
    in the ``COFINANCED_YEARS`` years before ``day``."""
    try:
        since = day.replace(year=day.year - COFINANCED_YEARS)
    except ValueError:  # 29 February
        since = day.replace(year=day.year - COFINANCED_YEARS, day=28)
    return (
        select(Attendance.person_id)
        .join(ActivitySlot, ActivitySlot.id == Attendance.slot_id)
        .join(ActivityFunder, ActivityFunder.activity_id == ActivitySlot.activity_id)
        .join(Funder, Funder.id == ActivityFunder.funder_id)
        .where(
            Funder.code == FSE_CODE,
            ActivityFunder.deleted_at.is_(None),
            ActivitySlot.deleted_at.is_(None),
            Attendance.deleted_at.is_(None),
            Attendance.state == PRESENT,
            ActivitySlot.starts_at >= dt.datetime.combine(since, dt.time()),
        )
    )

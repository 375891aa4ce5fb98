"""This laptop's role, as the siège says it (docs/authority.md, "Devices and roles").

The siège tells a device its role when it enrols (``/enroll``) and at every sync
(``/hello``, ``device.role``); the laptop keeps the last word in ``sync_state`` (no
schema change) so the interface can show what the siège would refuse anyway — the
CAE's identity and the option lists are written by siège devices only — as read-only
before the user types anything.

A laptop that is not enrolled has no role: it is alone, and must be able to set up
its own identity and lists (they are seeded, then replaced by the siège's at the
first sync).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import Connection, select

from app.models import DeviceIdentity
from app.sync.apply import get_state, set_state
from app.sync.codec import table_of

if TYPE_CHECKING:
    from app.profile import Profile

ROLE_KEY = "device_role"


class DeviceRole(StrEnum):
    ACCOMPAGNATEUR = "accompagnateur"
    SIEGE = "siege"


def role_in(answer: Mapping[str, object]) -> DeviceRole | None:
    """The role in an ``/enroll`` answer or the ``device`` part of ``/hello``."""
    value = answer.get("role")
    try:
        return DeviceRole(value) if isinstance(value, str) else None
    except ValueError:
        return None


def remember(conn: Connection, answer: Mapping[str, object]) -> None:
    """Keep the role the siège sent (an answer without one changes nothing)."""
    role = role_in(answer)
    if role is not None:
        set_state(conn, ROLE_KEY, role.value)


def stored(conn: Connection) -> DeviceRole | None:
    value = get_state(conn, ROLE_KEY)
    try:
        return DeviceRole(value) if value else None
    except ValueError:
        return None


@dataclass(frozen=True)
class LaptopRole:
    enrolled: bool
    role: DeviceRole | None  # None: not enrolled, or enrolled before the siège said it

    @property
    def edits_reference(self) -> bool:
        """May this laptop change the CAE's identity and the option lists? A lone laptop
        yes (its own set-up); an enrolled one only as a siège device (docs/authority.md)."""
        return not self.enrolled or self.role is DeviceRole.SIEGE


def laptop_role(profile: Profile) -> LaptopRole:
    device = table_of(DeviceIdentity)
    with profile.engine.connect() as conn:
        enrolled_at = conn.execute(select(device.c.enrolled_at).limit(1)).scalar()
        return LaptopRole(enrolled=enrolled_at is not None, role=stored(conn))

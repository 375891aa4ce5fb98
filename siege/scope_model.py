"""The read scope's model (docs/authority.md, "Read scope"): which tables every device
reads, which links each rule follows, and a device's :class:`Scope` — the persons,
sessions and invoice series it reads — computed from the siège's tables and cached per
sequence. Row-level rules are in siege/scope_rows.py, rows entering and leaving a scope
in siege/scope_changes.py; siege/scope.py gathers the public names.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select, union

from app.models.base import Base
from app.sync.protocol import ISSUED_STATUS
from siege import epoch as siege_epoch
from siege.devices import SIEGE, DeviceRecord
from siege.tables import audit

Key = tuple[str, str]

# Read by every device: reference data, the catalogue, colleagues (names on interviews
# and sessions) and every device's invoice series (prefixes, no personal data).
SHARED = frozenset(
    {
        "cae_identity",
        "cae_logo",
        "antenne",
        "permanence",
        "option_item",
        "funder",
        "workshop_theme",
        "accompagnateur",
        "invoice_series",
    }
)
# Rows of one followed person, and the field naming the person.
PERSON_RECORDS = {
    "parcours_stage": "person_id",
    "person_attachment": "person_id",  # the person's antennes over time (app/people/attachment.py)
    "intake_interview": "person_id",
    "followup_interview": "person_id",
    "appointment": "person_id",
}
_CHUNK = 500
# Signed half-days (issue 16): signatures and the siège's seals follow their session
# (the sheet is read where the session is held, or where a registered person is followed).
SLOT_ROWS = frozenset({"attendance_signature", "sheet_seal"})
# The links each scope rule follows (docs/authority.md, "Read scope"): when one of them
# changes on an existing row, rows may leave some device's scope.
SCOPE_LINKS: dict[str, frozenset[str]] = {
    "person": frozenset({"antenne_id"}),
    **{table: frozenset({column}) for table, column in PERSON_RECORDS.items()},
    "client": frozenset({"entrepreneur_id"}),
    "activity": frozenset({"permanence_id"}),
    "activity_slot": frozenset({"activity_id"}),
    "activity_funder": frozenset({"activity_id"}),
    "registration": frozenset({"person_id", "activity_id"}),
    "attendance": frozenset({"person_id", "slot_id"}),
    "invoice": frozenset({"entrepreneur_id", "series_id", "client_id"}),
    "invoice_line": frozenset({"invoice_id"}),
    "payment": frozenset({"invoice_id"}),
    "invoice_pa_status": frozenset({"invoice_id"}),
}


def _t(name: str) -> Any:
    return Base.metadata.tables[name]


@dataclass(frozen=True)
class Scope:
    everything: bool
    persons: frozenset[str] = frozenset()  # followed: the whole record
    seen_persons: frozenset[str] = frozenset()  # the person row only
    place_sessions: frozenset[str] = frozenset()  # held at its places (or nowhere)
    sessions: frozenset[str] = frozenset()  # ...and those its persons attend
    series: frozenset[str] = frozenset()  # its own invoice series
    archive_clients: frozenset[str] = frozenset()  # clients of invoices it issued


def antenne_ids(conn: Connection, towns: Iterable[str]) -> frozenset[str]:
    """Antennes served by ``towns``: an antenne's name, or a permanence's town (its
    antenne)."""
    towns = list(towns)
    antenne, permanence = _t("antenne"), _t("permanence")
    direct = conn.execute(select(antenne.c.id).where(antenne.c.name.in_(towns))).scalars()
    via = conn.execute(
        select(permanence.c.antenne_id).where(permanence.c.town.in_(towns))
    ).scalars()
    return frozenset([*direct, *via])


def compute(conn: Connection, dev: DeviceRecord) -> Scope:
    if dev.role == SIEGE:
        return Scope(everything=True)
    antennes = sorted(antenne_ids(conn, dev.towns))
    person, permanence, activity = _t("person"), _t("permanence"), _t("activity")
    registration, invoice, series = _t("registration"), _t("invoice"), _t("invoice_series")
    followed_q = union(
        select(person.c.id.label("id")).where(
            person.c.antenne_id.in_(antennes) | person.c.antenne_id.is_(None)
        ),
        select(audit.c.row_id.label("id")).where(
            audit.c.device_name == dev.name,
            audit.c.device_id == (dev.device_id or ""),
            audit.c.table_name == "person",
            audit.c.action == "create",
        ),
    ).subquery()
    followed = frozenset(conn.execute(select(followed_q.c.id)).scalars())
    places = select(permanence.c.id).where(permanence.c.antenne_id.in_(antennes))
    place_q = select(activity.c.id).where(
        activity.c.permanence_id.in_(places) | activity.c.permanence_id.is_(None)
    )
    place_sessions = frozenset(conn.execute(place_q).scalars())
    attended = conn.execute(
        select(registration.c.activity_id).where(
            registration.c.person_id.in_(select(followed_q.c.id))
        )
    ).scalars()
    own_series = frozenset(
        conn.execute(
            select(series.c.id).where(series.c.device_id == (dev.device_id or ""))
        ).scalars()
    )
    registered = conn.execute(
        select(registration.c.person_id).where(registration.c.activity_id.in_(place_q))
    ).scalars()
    # The legal archive: what it issued, not a draft that names its series (a tampered
    # laptop's; the laptop gives the series at the issue) and would open the person.
    # Not asked without a series: with no index on it, SQLite reads every issued invoice.
    archive = (
        conn.execute(
            select(invoice.c.entrepreneur_id, invoice.c.client_id).where(
                invoice.c.series_id.in_(sorted(own_series)), invoice.c.status == ISSUED_STATUS
            )
        ).all()
        if own_series
        else []
    )
    return Scope(
        everything=False,
        persons=followed,
        seen_persons=frozenset([*registered, *(a[0] for a in archive)]) - followed,
        place_sessions=place_sessions,
        sessions=place_sessions | frozenset(attended),
        series=own_series,
        archive_clients=frozenset(a[1] for a in archive),
    )


class _Cache:
    """Scopes by (device, its towns, the siège's epoch and last sequence): a first sync
    of hundreds of pages computes its scope once. Every data change moves the sequence
    (siege/store.py), and a scope change changes the towns, so an entry is never stale;
    a siège restored from a backup while it runs climbs back to sequences it had with
    other rows, and `python -m siege restored` draws a new epoch (siege/epoch.py)."""

    def __init__(self, size: int = 32) -> None:
        self._lock = threading.Lock()
        self._items: OrderedDict[tuple[Any, ...], Scope] = OrderedDict()
        self._size = size

    def get(self, conn: Connection, dev: DeviceRecord, top: int) -> Scope:
        history = conn.execute(select(siege_epoch.epoch.c.epoch)).scalar()
        key = (dev.id, dev.device_id, dev.role, dev.towns, top, history, conn.engine.url)
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found
        scope = compute(conn, dev)
        with self._lock:
            self._items[key] = scope
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return scope


cached = _Cache()

"""What each device reads: the read side of the authority model (docs/authority.md,
"Read scope"). The change feed (siege/feed.py) sends a device only the rows of its
scope; a siège-staff device reads everything.

The scope follows the CAE's organisation: the antennes a device serves (its towns,
``siege_device.scope``), the persons followed there (or at no antenne, or created by
the device), everything hanging off those persons, the workshop sessions held at its
places or attended by its persons, and its own invoice series with everything issued
in them (the legal archive stays readable whatever happens to the person).

Rows enter a scope after the device's cursor has passed them (a person moves in, a
scope grows, a person registers for a session elsewhere): the siège then gives those
rows a new sequence number (:func:`retouch_after`, :func:`publish_growth`) so they are
sent at the next pull. Rows leaving a scope (a person moves away, a link re-pointed, a
scope narrowed) are evicted from the laptops: each such change is recorded
(:func:`note_scope_change`), which moves the device's scope epoch (:func:`epoch`); a
laptop seeing a new epoch reads the keys of its scope (:func:`manifest`) and drops what
it holds outside them, never an unsent edit (docs/sync.md, "Leaving a scope").
"""

from __future__ import annotations

import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, insert, or_, select, tuple_, union, update

from app.clock import utcnow
from app.models.base import Base
from siege.devices import SIEGE, DeviceRecord
from siege.tables import audit, counter, row_version, scope_change

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
    archive_clients: frozenset[str] = frozenset()  # clients of invoices in its series


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
    own_series = select(series.c.id).where(series.c.device_id == (dev.device_id or ""))
    registered = conn.execute(
        select(registration.c.person_id).where(registration.c.activity_id.in_(place_q))
    ).scalars()
    archive = conn.execute(
        select(invoice.c.entrepreneur_id, invoice.c.client_id).where(
            invoice.c.series_id.in_(own_series)
        )
    ).all()
    return Scope(
        everything=False,
        persons=followed,
        seen_persons=frozenset([*registered, *(a[0] for a in archive)]) - followed,
        place_sessions=place_sessions,
        sessions=place_sessions | frozenset(attended),
        series=frozenset(conn.execute(own_series).scalars()),
        archive_clients=frozenset(a[1] for a in archive),
    )


class _Cache:
    """Scopes by (device, its towns, the siège's last sequence): a first sync of
    hundreds of pages computes its scope once. Every data change moves the sequence
    (siege/store.py), and a scope change changes the towns, so an entry is never stale."""

    def __init__(self, size: int = 32) -> None:
        self._lock = threading.Lock()
        self._items: OrderedDict[tuple[Any, ...], Scope] = OrderedDict()
        self._size = size

    def get(self, conn: Connection, dev: DeviceRecord, top: int) -> Scope:
        key = (dev.id, dev.device_id, dev.role, dev.towns, top, conn.engine.url)
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


def keep(conn: Connection, scope: Scope, keys: Sequence[Key]) -> set[Key]:
    """The keys (table, row id) of ``keys`` in the scope; a row absent from the siège
    is not (there is nothing to send)."""
    if scope.everything:
        return set(keys)
    by_table: dict[str, list[str]] = defaultdict(list)
    for table, row_id in keys:
        by_table[table].append(row_id)
    kept: set[Key] = set()
    for table, ids in by_table.items():
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            kept.update((table, i) for i in _kept_ids(conn, scope, table, chunk))
    return kept


def _kept_ids(conn: Connection, scope: Scope, table: str, ids: list[str]) -> Iterable[str]:
    if table in SHARED:
        t = _t(table)
        return conn.execute(select(t.c.id).where(t.c.id.in_(ids))).scalars()
    if table == "person":
        return [i for i in ids if i in scope.persons or i in scope.seen_persons]
    links = _links(conn, table, ids)
    return [row_id for row_id, link in links if _in_scope(scope, table, row_id, link)]


def _links(conn: Connection, table: str, ids: list[str]) -> list[tuple[str, tuple[Any, ...]]]:
    """(row id, the values its scope depends on) for rows of ``table``."""
    t = _t(table)
    if table in PERSON_RECORDS:
        cols = [t.c[PERSON_RECORDS[table]]]
    elif table == "client":
        cols = [t.c.entrepreneur_id]
    elif table == "activity":
        cols = []
    elif table in ("activity_slot", "activity_funder"):
        cols = [t.c.activity_id]
    elif table == "registration":
        cols = [t.c.person_id, t.c.activity_id]
    elif table in SLOT_ROWS:
        slot = _t("activity_slot")
        query = (
            select(t.c.id, slot.c.activity_id)
            .select_from(t.outerjoin(slot, slot.c.id == t.c.slot_id))
            .where(t.c.id.in_(ids))
        )
        return [(r[0], tuple(r[1:])) for r in conn.execute(query)]
    elif table == "attendance":
        slot = _t("activity_slot")
        query = (
            select(t.c.id, t.c.person_id, slot.c.activity_id)
            .select_from(t.outerjoin(slot, slot.c.id == t.c.slot_id))
            .where(t.c.id.in_(ids))
        )
        return [(r[0], tuple(r[1:])) for r in conn.execute(query)]
    elif table == "invoice":
        cols = [t.c.entrepreneur_id, t.c.series_id]
    elif table == "client_directory":
        cli = _t("client")
        query = (
            select(t.c.id, cli.c.entrepreneur_id, t.c.client_id)
            .select_from(t.outerjoin(cli, cli.c.id == t.c.client_id))
            .where(t.c.id.in_(ids))
        )
        return [(r[0], tuple(r[1:])) for r in conn.execute(query)]
    elif table in ("invoice_line", "payment", "invoice_pa_status"):
        inv = _t("invoice")
        query = (
            select(t.c.id, inv.c.entrepreneur_id, inv.c.series_id)
            .select_from(t.outerjoin(inv, inv.c.id == t.c.invoice_id))
            .where(t.c.id.in_(ids))
        )
        return [(r[0], tuple(r[1:])) for r in conn.execute(query)]
    else:
        return []  # a table no rule names is sent to staff devices only
    return [
        (r[0], tuple(r[1:])) for r in conn.execute(select(t.c.id, *cols).where(t.c.id.in_(ids)))
    ]


def _in_scope(scope: Scope, table: str, row_id: str, link: tuple[Any, ...]) -> bool:
    if table in PERSON_RECORDS:
        return link[0] in scope.persons
    if table == "client":
        return link[0] in scope.persons or row_id in scope.archive_clients
    if table == "client_directory":  # follows its client
        return link[0] in scope.persons or link[1] in scope.archive_clients
    if table == "activity":
        return row_id in scope.sessions
    if table in ("activity_slot", "activity_funder"):
        return link[0] in scope.sessions
    if table in ("registration", "attendance"):
        return link[0] in scope.persons or link[1] in scope.place_sessions
    if table in SLOT_ROWS:
        return link[0] in scope.sessions
    if table in ("invoice", "invoice_line", "payment", "invoice_pa_status"):
        return link[0] in scope.persons or link[1] in scope.series
    return False


# -- rows entering a scope ---------------------------------------------------------------


def person_subtree(conn: Connection, person_id: str) -> set[Key]:
    """A person's row and everything a device following them reads."""
    keys: set[Key] = {("person", person_id)}
    for table, column in {**PERSON_RECORDS, "client": "entrepreneur_id"}.items():
        t = _t(table)
        keys.update(
            (table, i)
            for i in conn.execute(select(t.c.id).where(t.c[column] == person_id)).scalars()
        )
    reg, att = _t("registration"), _t("attendance")
    sessions = set()
    for row_id, activity_id in conn.execute(
        select(reg.c.id, reg.c.activity_id).where(reg.c.person_id == person_id)
    ):
        keys.add(("registration", row_id))
        sessions.add(activity_id)
    keys.update(
        ("attendance", i)
        for i in conn.execute(select(att.c.id).where(att.c.person_id == person_id)).scalars()
    )
    for activity_id in sessions:
        keys |= session_subtree(conn, activity_id, with_people=False)
    directory, cli = _t("client_directory"), _t("client")
    keys.update(
        ("client_directory", i)
        for i in conn.execute(
            select(directory.c.id)
            .join(cli, cli.c.id == directory.c.client_id)
            .where(cli.c.entrepreneur_id == person_id)
        ).scalars()
    )
    inv = _t("invoice")
    invoices = list(
        conn.execute(select(inv.c.id).where(inv.c.entrepreneur_id == person_id)).scalars()
    )
    keys.update(("invoice", i) for i in invoices)
    for table in ("invoice_line", "payment", "invoice_pa_status"):
        t = _t(table)
        for start in range(0, len(invoices), _CHUNK):
            chunk = invoices[start : start + _CHUNK]
            keys.update(
                (table, i)
                for i in conn.execute(select(t.c.id).where(t.c.invoice_id.in_(chunk))).scalars()
            )
    return keys


def session_subtree(conn: Connection, activity_id: str, *, with_people: bool = True) -> set[Key]:
    """A session, its slots and funders; with its registrations, attendance marks and
    the persons registered (for the device of the place where it is held)."""
    keys: set[Key] = {("activity", activity_id)}
    slot, funder = _t("activity_slot"), _t("activity_funder")
    slots = list(conn.execute(select(slot.c.id).where(slot.c.activity_id == activity_id)).scalars())
    keys.update(("activity_slot", i) for i in slots)
    keys.update(
        ("activity_funder", i)
        for i in conn.execute(
            select(funder.c.id).where(funder.c.activity_id == activity_id)
        ).scalars()
    )
    for table in sorted(SLOT_ROWS):
        t = _t(table)
        for start in range(0, len(slots), _CHUNK):
            chunk = slots[start : start + _CHUNK]
            keys.update(
                (table, i)
                for i in conn.execute(select(t.c.id).where(t.c.slot_id.in_(chunk))).scalars()
            )
    if with_people:
        reg, att = _t("registration"), _t("attendance")
        for row_id, person_id in conn.execute(
            select(reg.c.id, reg.c.person_id).where(reg.c.activity_id == activity_id)
        ):
            keys.update({("registration", row_id), ("person", person_id)})
        if slots:
            keys.update(
                ("attendance", i)
                for i in conn.execute(select(att.c.id).where(att.c.slot_id.in_(slots))).scalars()
            )
    return keys


def retouch_after(
    conn: Connection,
    table: str,
    row_id: str,
    current: dict[str, Any] | None,
    values: dict[str, Any],
    next_seq: Callable[[], int],
) -> None:
    """After a pushed change is applied: rows it brings into some device's scope get a
    new sequence number, so devices whose cursor has passed them receive them."""
    from siege.feed import touch_row

    def changed(column: str) -> bool:
        return current is not None and column in values and values[column] != current.get(column)

    moved = sorted(c for c in SCOPE_LINKS.get(table, ()) if changed(c))
    if moved:
        note_scope_change(conn, None, f"{table}.{moved[0]}")
    keys: set[Key] = set()
    if table == "person" and changed("antenne_id"):
        keys = person_subtree(conn, row_id)
    elif table == "activity" and changed("permanence_id"):
        keys = session_subtree(conn, row_id)
    elif table == "registration" and (
        current is None or changed("person_id") or changed("activity_id")
    ):
        merged = {**(current or {}), **values}
        keys = session_subtree(conn, str(merged["activity_id"]), with_people=False)
        keys.add(("person", str(merged["person_id"])))
    keys.discard((table, row_id))
    for key in sorted(keys):
        touch_row(conn, key[0], key[1], next_seq())


def publish_growth(conn: Connection, before: DeviceRecord, after: DeviceRecord) -> int:
    """Rows in ``after``'s scope and not in ``before``'s get new sequence numbers (the
    device's cursor may have passed them). Returns how many."""
    from siege.feed import touch_row

    old, new = compute(conn, before), compute(conn, after)
    if old.everything or (new == old):
        return 0
    entering: list[Key] = []
    rv = row_version.c
    last: tuple[int, str, str] = (-1, "", "")
    while True:  # every versioned row, in pages of keys (memory stays flat)
        page = conn.execute(
            select(rv.seq, rv.table_name, rv.row_id)
            .where(tuple_(rv.seq, rv.table_name, rv.row_id) > tuple_(*last))
            .order_by(rv.seq, rv.table_name, rv.row_id)
            .limit(5000)
        ).all()
        if not page:
            break
        last = (int(page[-1][0]), str(page[-1][1]), str(page[-1][2]))
        keys = [(str(t), str(r)) for _s, t, r in page]
        entering.extend(sorted(keep(conn, new, keys) - keep(conn, old, keys)))
    if not entering:
        return 0
    seq = int(
        conn.execute(
            select(counter.c.value).where(counter.c.id == 1).with_for_update()
        ).scalar_one()
    )
    for table, row_id in entering:
        seq += 1
        touch_row(conn, table, row_id, seq)
    conn.execute(update(counter).where(counter.c.id == 1).values(value=seq))
    return len(entering)


# -- rows leaving a scope (docs/sync.md, "Leaving a scope") -------------------------------


def note_scope_change(conn: Connection, device_id: str | None, reason: str) -> None:
    """Record a change that may take rows out of a scope: of ``device_id``'s (its towns
    narrowed), or of any device's (None: a person or a link moved)."""
    conn.execute(
        insert(scope_change).values(device_id=device_id, reason=reason[:80], created_at=utcnow())
    )


def epoch(conn: Connection, dev: DeviceRecord) -> int:
    """The device's scope epoch: the last change that may have shrunk its scope. A
    siège-staff device reads everything, so nothing ever leaves its scope (0)."""
    if dev.role == SIEGE:
        return 0
    sc = scope_change.c
    found = conn.execute(
        select(func.max(sc.id)).where(
            or_(sc.device_id.is_(None), sc.device_id == (dev.device_id or ""))
        )
    ).scalar()
    return int(found or 0)


def evictable_tables() -> list[str]:
    """Tables a laptop evicts from: every synced table with a read rule except the
    reference data every device reads (SHARED)."""
    from app.models.base import synced_tables

    return [t for t in synced_tables() if t not in SHARED]


def manifest(conn: Connection, scope: Scope, page: int = 5000) -> Iterable[tuple[str, list[str]]]:
    """(table, ids) of every versioned row of an evictable table in ``scope``, in pages
    of keys (memory stays flat on the siège)."""
    wanted = set(evictable_tables())
    rv = row_version.c
    last: tuple[str, str] = ("", "")
    while True:
        found = conn.execute(
            select(rv.table_name, rv.row_id)
            .where(tuple_(rv.table_name, rv.row_id) > tuple_(*last))
            .order_by(rv.table_name, rv.row_id)
            .limit(page)
        ).all()
        if not found:
            return
        last = (str(found[-1][0]), str(found[-1][1]))
        keys = [(str(t), str(r)) for t, r in found if t in wanted]
        inside = keep(conn, scope, keys)
        by_table: dict[str, list[str]] = defaultdict(list)
        for key in keys:
            if key in inside:
                by_table[key[0]].append(key[1])
        yield from by_table.items()

"""Rows entering and leaving a device's scope (docs/authority.md, "Read scope"; docs/sync.md,
"Leaving a scope"). Rows entering after the device's cursor has passed them get a new
sequence number (:func:`retouch_after`, :func:`publish_growth`); a change that may take
rows out of a scope is recorded (:func:`note_scope_change`) and moves the device's scope
epoch (:func:`epoch`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, func, insert, or_, select, tuple_, update

from app.clock import utcnow
from siege.devices import SIEGE, DeviceRecord
from siege.scope_model import _CHUNK, PERSON_RECORDS, SCOPE_LINKS, SLOT_ROWS, Key, _t, compute
from siege.scope_rows import keep
from siege.tables import counter, row_version, scope_change

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

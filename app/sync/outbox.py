"""The outbox's operation numbers squared with the siège's record at each handshake."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    DateTime,
    delete,
    func,
    insert,
    literal,
    select,
    update,
)

from app.clock import utcnow
from app.models import JournalEntry, OutboxEntry
from app.sync.apply import get_state, set_state
from app.sync.codec import table_of

log = logging.getLogger(__name__)

SENT_KEY = "sent_through"  # highest operation number this database has set out to send
ACKED_KEY = "acknowledged_through"  # highest operation number the siège acknowledged
# The id ("first-last" operation numbers) of the batch sent last whose answer has not
# been applied yet: it is sent again as it was (app/sync/client.py push).
PENDING_KEY = "pending_batch"


# The columns an entry keeps between the outbox and the journal (app/sync/journal.py).
ENTRY_COLUMNS = (
    "seq",
    "table_name",
    "row_id",
    "fields_json",
    "bases_json",
    "kind",
    "hlc",
    "created_at",
)


def acknowledge(conn: Connection, which: ColumnElement[bool]) -> None:
    """The outbox entries ``which`` selects are acknowledged by the siège: they move to
    the journal, in the caller's transaction, so a siège restored from an older backup
    can be sent them again (docs/sync.md, "A restored siège gets back what it
    acknowledged"). An entry sent again and acknowledged again replaces its old copy."""
    ob, jr = table_of(OutboxEntry), table_of(JournalEntry)
    moved = select(*(ob.c[name] for name in ENTRY_COLUMNS), literal(utcnow(), DateTime()))
    conn.execute(
        insert(jr)
        .prefix_with("OR REPLACE")
        .from_select([*ENTRY_COLUMNS, "acknowledged_at"], moved.where(which))
    )
    conn.execute(delete(ob).where(which))


def pending_entries(conn: Connection) -> list[Any]:
    """The entries of the batch sent last without an answer (PENDING_KEY), in order."""
    span = pending_range(conn)
    if span is None:
        return []
    ob = table_of(OutboxEntry)
    query = select(ob).where(ob.c.seq.between(span[0], span[1])).order_by(ob.c.seq)
    return list(conn.execute(query).mappings())


def pending_range(conn: Connection) -> tuple[int, int] | None:
    raw = get_state(conn, PENDING_KEY, "")
    first, _sep, last = raw.partition("-")
    if not first.isdigit() or not last.isdigit():
        return None
    return int(first), int(last)


def siege_forgot(conn: Connection, last_op: int) -> bool:
    """True when the siège no longer knows operations it acknowledged (``last_op`` below
    ``ACKED_KEY``): it was restored from an older backup (docs/sync.md, "Tokens"). The
    mark follows the siège, so this is answered once: the caller sends the journal
    above ``last_op`` again first (app/sync/journal.py)."""
    acked = int(get_state(conn, ACKED_KEY, "0") or 0)
    if last_op >= acked:
        return False
    log.warning(
        "siège restored? it knows operations up to %d, it acknowledged %d: "
        "reading it again from the start",
        last_op,
        acked,
    )
    set_state(conn, ACKED_KEY, str(last_op))
    return True


def settle_operation_numbers(conn: Connection, last_op: int) -> int:
    """At hello, square the outbox with ``last_op``, the highest operation number the
    siège has applied for this device; returns how many entries were renumbered.

    - Entries numbered up to ``last_op`` are acknowledged (an answer may have been lost).
    - A restored backup forgets the numbers it used after the backup: the changes made
      since would reuse them and the siège would skip them, lost without a word. The sign
      is the siège knowing more numbers than this database ever set out to send
      (``SENT_KEY``). Then every entry above that mark moves above ``last_op``, in order
      (resending an entry that was in fact applied is harmless: its field clocks lose to
      anything newer), and the AUTOINCREMENT counter follows.
    - What this sync is about to push is marked as sent, in the caller's transaction (no
      commit of its own). The outbox goes out in order: if the siège ever knows a number
      above the mark, everything up to it did reach it. A mark left behind (a push
      without hello) only means harmless resends after a restore.
    """
    ob = table_of(OutboxEntry)
    sent = int(get_state(conn, SENT_KEY, "0") or 0)
    moved = 0
    if last_op > sent:
        shift = last_op - sent
        # Two steps: shifting in place could collide with a primary key not yet moved.
        moved = conn.execute(update(ob).where(ob.c.seq > sent).values(seq=-ob.c.seq)).rowcount
        conn.execute(update(ob).where(ob.c.seq < 0).values(seq=shift - ob.c.seq))
        highest = max(last_op, int(conn.execute(select(func.max(ob.c.seq))).scalar() or 0))
        _raise_counter(conn, highest)
        sent = last_op
        if moved:
            log.warning(
                "database older than the siège's record (restored backup?): %d pending "
                "operation(s) renumbered after %d",
                moved,
                last_op,
            )
    acknowledged = ob.c.seq <= last_op
    span = pending_range(conn)
    if span is not None and not moved:
        # Applied, but its answer (the rows the siège forked) was lost: kept to be sent
        # again under its id, for the siège's stored answer.
        acknowledged = acknowledged & ~ob.c.seq.between(span[0], span[1])
    acknowledge(conn, acknowledged)
    pending = conn.execute(select(func.max(ob.c.seq))).scalar()
    set_state(conn, SENT_KEY, str(max(sent, int(pending or 0))))
    return int(moved)


def _raise_counter(conn: Connection, highest: int) -> None:
    """The outbox's AUTOINCREMENT counter at least at ``highest``."""
    updated = conn.exec_driver_sql(
        "UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = ?",
        (highest, OutboxEntry.__tablename__),
    ).rowcount
    if not updated:
        conn.exec_driver_sql(
            "INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)",
            (OutboxEntry.__tablename__, highest),
        )


def insert_before(conn: Connection, seq: int, entry: dict[str, Any]) -> None:
    """Put ``entry`` (ENTRY_COLUMNS but ``seq``) in the outbox under number ``seq``, the
    entries numbered from ``seq`` on moving one number up, in order: it is sent just
    before them. Only for entries the siège has not applied (above its ``last_op``): the
    numbers it has not seen yet. ``SENT_KEY`` and the counter follow the highest number."""
    ob = table_of(OutboxEntry)
    # Two steps: shifting in place could collide with a primary key not yet moved.
    conn.execute(update(ob).where(ob.c.seq >= seq).values(seq=-ob.c.seq))
    conn.execute(update(ob).where(ob.c.seq < 0).values(seq=1 - ob.c.seq))
    conn.execute(insert(ob).values(seq=seq, **entry))
    highest = int(conn.execute(select(func.max(ob.c.seq))).scalar() or 0)
    _raise_counter(conn, highest)
    sent = int(get_state(conn, SENT_KEY, "0") or 0)
    set_state(conn, SENT_KEY, str(max(sent, highest)))

"""The journal of acknowledged changes: what this laptop sends again to a siège restored
from a backup older than its acknowledgements (docs/sync.md, "A restored siège gets back
what it acknowledged").

An outbox entry the siège acknowledges moves to ``sync_journal`` in the same transaction
(``outbox.acknowledge``). At each ``/hello``:

- the siège's ``last_op`` for this device below ``acknowledged_through``, or a siège
  epoch other than the one kept (``python -m siege restored`` draws a new one), means it
  was restored: the journal's entries above ``last_op`` go back to the outbox under their
  own numbers, so they are sent before anything newer and the siège applies them (its
  field clocks decide per field, so nothing newer is overwritten);
- operation numbers the journal no longer holds (pruned) between ``last_op`` and what
  was acknowledged are recorded as a ``restore_gap`` conflict: never silent;
- entries acknowledged more than the profile's ``sync_journal_days`` ago are pruned;
- an issuance the siège kept as a fork (a draft issued on two laptops: the other issue
  reached it first and kept the draft's id, siege/store.py ``_fork_invoice``) is sent
  again to the fork's id, the invoice and its lines, not to the draft's: whatever order
  the laptops send their issues again in, each ends where it ended before the restore
  (docs/sync.md, "A restored siège gets back what it acknowledged").

Everything runs in the caller's transaction (the handshake's).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from app.clock import utcnow
from app.ids import deterministic_id
from app.models import Invoice, JournalEntry, OutboxEntry
from app.sync.apply import get_state, record_local_conflict, set_state
from app.sync.capture import FREEZE
from app.sync.codec import table_of
from app.sync.outbox import ACKED_KEY, ENTRY_COLUMNS, PENDING_KEY, pending_range, siege_forgot
from app.sync.protocol import ISSUED_STATUS

log = logging.getLogger(__name__)

EPOCH_KEY = "siege_epoch"  # the siège's epoch seen at the last /hello
# Highest operation number pruned from the journal: below it, what the journal no longer
# holds may have been acknowledged and cannot be sent again.
PRUNED_KEY = "journal_pruned_through"
DEFAULT_DAYS = 30
RESTORE_GAP = "restore_gap"
# A siège epoch is a random UUID in hex (siege/epoch.py).
EPOCH = re.compile(r"[0-9a-f]{32}")


class EpochRefused(ValueError):
    """A /hello answer whose siège epoch no siège sends."""


def check_epoch(body: dict[str, Any]) -> str:
    """The siège's epoch in a /hello answer ("" from a siège older than epochs)."""
    raw = body.get("siege_epoch")
    if raw is None:
        return ""
    if not isinstance(raw, str) or not EPOCH.fullmatch(raw):
        raise EpochRefused("siege_epoch: 32 hexadecimal digits expected")
    return raw


def siege_restored(conn: Connection, last_op: int, epoch: str) -> bool:
    """At /hello: True when the siège was restored from a backup, told by the numbers
    (``last_op`` below ``acknowledged_through``) or by a new epoch (a point-in-time
    restore that kept this device's operations but lost others'). Then the journal above
    ``last_op`` is queued again and what it lacks is recorded; the caller reads the
    siège again from the start."""
    held = get_state(conn, EPOCH_KEY, "")
    if epoch:
        set_state(conn, EPOCH_KEY, epoch)
    acknowledged = int(get_state(conn, ACKED_KEY, "0") or 0)
    forgot = siege_forgot(conn, last_op)
    new_epoch = bool(epoch and held and epoch != held)
    if not forgot and not new_epoch:
        return False
    if new_epoch:
        log.warning("siège restored (new epoch %s…): reading it again from the start", epoch[:8])
    resend_above(conn, last_op, acknowledged)
    return True


def resend_above(conn: Connection, last_op: int, acknowledged: int) -> int:
    """Journal entries numbered above ``last_op`` go back to the outbox, under their own
    numbers (below anything not yet sent, so they go out first); returns how many."""
    jr, ob = table_of(JournalEntry), table_of(OutboxEntry)
    above = jr.c.seq > last_op
    held = list(conn.execute(select(jr.c.seq).where(above).order_by(jr.c.seq)).scalars())
    if held:
        to_forks(conn, last_op)
        kept = select(*(jr.c[name] for name in ENTRY_COLUMNS)).where(above)
        conn.execute(insert(ob).prefix_with("OR IGNORE").from_select(list(ENTRY_COLUMNS), kept))
        conn.execute(delete(jr).where(above))
        log.warning(
            "siège restored: %d acknowledged change(s) above operation %d sent again",
            len(held),
            last_op,
        )
    span = pending_range(conn)
    if span is not None and span[1] > last_op:
        # A batch whose answer was lost, unknown to the restored siège: the outbox goes
        # out in order again, the queued entries first.
        set_state(conn, PENDING_KEY, "")
    _record_gap(conn, last_op, acknowledged, set(held))
    return len(held)


def to_forks(conn: Connection, last_op: int) -> int:
    """Journal entries above ``last_op`` of an issuance the siège forked are moved to the
    fork: the invoice's entry to ``deterministic_id("invoice-fork", draft, number)``, its
    lines' to ``deterministic_id("invoice-fork-line", line, fork)`` with the fork as
    their invoice (the ids the siège gave them, siege/store.py). Sent again as they were,
    they would take the draft's id on a restored siège that has not yet received the
    other issue, where the other laptop holds its own number; the siège then forks the
    other one and neither laptop can take the siège's rows. Returns how many issues moved.

    The fork is known from this laptop's rows, not from the push answer: the siège's row
    replaced this issue under the draft's id (another number), and the fork came with the
    next page."""
    jr, inv = table_of(JournalEntry), table_of(Invoice)
    issues = conn.execute(
        select(jr.c.seq, jr.c.row_id, jr.c.fields_json).where(
            jr.c.seq > last_op, jr.c.table_name == "invoice", jr.c.kind == FREEZE
        )
    ).all()
    moved = 0
    for seq, draft_id, fields_json in issues:
        number = json.loads(fields_json).get("number")
        if not isinstance(number, str) or not number:
            continue
        fork = deterministic_id("invoice-fork", str(draft_id), number)
        held = conn.execute(
            select(inv.c.id, inv.c.number, inv.c.status).where(inv.c.id.in_([draft_id, fork]))
        ).all()
        lost = any(
            r.id == draft_id and r.status == ISSUED_STATUS and r.number != number for r in held
        )
        if not lost and not any(r.id == fork for r in held):
            continue
        conn.execute(update(jr).where(jr.c.seq == seq).values(row_id=fork))
        _lines_to_fork(conn, seq, str(draft_id), fork)
        moved += 1
        log.warning("siège restored: issue of %s sent again as its fork %s", draft_id, fork)
    return moved


def _lines_to_fork(conn: Connection, issue_seq: int, draft_id: str, fork: str) -> None:
    """The frozen lines recorded with the issue (right after it, app/sync/capture.py)."""
    jr = table_of(JournalEntry)
    lines = conn.execute(
        select(jr.c.seq, jr.c.row_id, jr.c.fields_json).where(
            jr.c.seq > issue_seq, jr.c.table_name == "invoice_line", jr.c.kind == FREEZE
        )
    ).all()
    for seq, line_id, fields_json in lines:
        fields = json.loads(fields_json)
        if fields.get("invoice_id") != draft_id:
            continue
        fields["invoice_id"] = fork
        conn.execute(
            update(jr)
            .where(jr.c.seq == seq)
            .values(
                row_id=deterministic_id("invoice-fork-line", str(line_id), fork),
                fields_json=json.dumps(fields),
            )
        )


def _record_gap(conn: Connection, last_op: int, acknowledged: int, held: set[int]) -> None:
    """Operation numbers above ``last_op`` the siège acknowledged and the journal pruned:
    a ``restore_gap`` conflict names them, so a person knows what to type again."""
    top = min(int(get_state(conn, PRUNED_KEY, "0") or 0), acknowledged)
    if top <= last_op:
        return
    ob = table_of(OutboxEntry)
    waiting = conn.execute(select(ob.c.seq).where(ob.c.seq.between(last_op + 1, top))).scalars()
    spans = missing_spans(last_op + 1, top, held | set(waiting))
    if not spans:
        return
    numbers = ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans)
    log.error(
        "siège restored: operations %s were acknowledged and pruned from the journal; "
        "they are not on the siège and cannot be sent again",
        numbers,
    )
    detail = json.dumps({"last_op": last_op, "operations": [list(s) for s in spans]})
    record_local_conflict(conn, RESTORE_GAP, "", "", "", numbers, detail[:20_000])


def missing_spans(first: int, last: int, present: set[int]) -> list[tuple[int, int]]:
    """The numbers of ``first..last`` not in ``present``, as (from, to) spans."""
    spans: list[tuple[int, int]] = []
    start = first
    for seq in sorted(n for n in present if first <= n <= last):
        if seq > start:
            spans.append((start, seq - 1))
        start = seq + 1
    if start <= last:
        spans.append((start, last))
    return spans


def prune(conn: Connection, days: int) -> int:
    """Entries acknowledged more than ``days`` days ago leave the journal (they hold
    personal data, docs/personal-data.md); returns how many."""
    jr = table_of(JournalEntry)
    old = jr.c.acknowledged_at < utcnow() - dt.timedelta(days=max(days, 0))
    top = conn.execute(select(func.max(jr.c.seq)).where(old)).scalar()
    if top is None:
        return 0
    pruned = int(conn.execute(delete(jr).where(old)).rowcount)
    through = max(int(top), int(get_state(conn, PRUNED_KEY, "0") or 0))
    set_state(conn, PRUNED_KEY, str(through))
    return pruned

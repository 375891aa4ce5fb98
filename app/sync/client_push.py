"""Pushing the outbox (PowerSync's idempotent upload queue, docs/architecture.md §6): the
outbox is cleared only after the siège acknowledges; operation numbers let the siège skip
what it already applied; a refused change becomes a conflict to review, never silently
dropped.

A change refused only because it links to a row the siège does not hold
(``missing_link``) while this laptop holds that row is not a broken rule: a siège
restored from a backup lost a row another laptop created, which that laptop's journal
may send again later, or never (pruned). The laptop sends the row it holds just before
the change (kind ``SUPPLY``, stamped ``hlc.ZERO`` so every real write of the row, its
author's sent again included, wins field by field) and sends the batch again
(docs/sync.md, "A restored siège gets back what it acknowledged")."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, delete, func, select

from app.clock import utcnow
from app.models import OutboxEntry
from app.models.base import Base
from app.sync import pulled
from app.sync.apply import record_local_conflict, relaxed_links, set_state
from app.sync.capture import FREEZE
from app.sync.client_common import RefusedChange, bad_answer, log
from app.sync.codec import encode_row, table_of
from app.sync.hlc import ZERO
from app.sync.outbox import ACKED_KEY, PENDING_KEY, acknowledge, insert_before, pending_entries
from app.sync.protocol import Op, ProtocolError, PushRequest, Refusal, Row
from app.sync.transport import SyncError, json_body, request

if TYPE_CHECKING:
    from app.jobs import JobControl
    from app.sync.client import SyncClient

MAX_REJECTION_ROUNDS = 20
# Fields every change carries; a refusal is explained by the others.
BOOKKEEPING = frozenset({"updated_at", "updated_by", "created_at", "created_by", "search_key"})
# Kind of an outbox entry sending again a row this laptop holds and the siège lacks (a
# restored siège), just before a change linking to it (see the module's docstring).
SUPPLY = "supply"
MISSING_LINK = "missing_link: "


# -- push --------------------------------------------------------------------
def push(client: SyncClient, job: JobControl | None = None) -> tuple[int, int, int]:
    """Send the outbox in batches; returns (pushed, rejected, forked)."""
    pushed = rejected = forked = rounds = 0
    ob = table_of(OutboxEntry)
    # Rows sent again for a missing link during this push: each once (then a refusal).
    supplied: set[tuple[str, str]] = set()
    while True:
        with client.engine.connect() as conn:
            # A batch whose answer never came back (a crash, a lost connection) is sent
            # again as it was, under its id: the siège gives its stored answer, with the
            # rows it forked (outbox.PENDING_KEY).
            entries = pending_entries(conn)
            if not entries:
                entries = list(
                    conn.execute(select(ob).order_by(ob.c.seq).limit(client.batch_size)).mappings()
                )
            # An issued invoice and its lines travel together (see siege.rules).
            while entries and entries[-1]["kind"] == FREEZE:
                nxt = (
                    conn.execute(
                        select(ob).where(ob.c.seq > entries[-1]["seq"]).order_by(ob.c.seq).limit(1)
                    )
                    .mappings()
                    .first()
                )
                if nxt is None or nxt["kind"] != FREEZE or nxt["table_name"] == "invoice":
                    break
                entries.append(nxt)
            waiting = int(conn.execute(select(func.count()).select_from(ob)).scalar_one())
            newest = int(conn.execute(select(func.max(ob.c.seq))).scalar() or 0)
        if not entries:
            return pushed, rejected, forked
        if job is not None:
            job.progress(pushed, pushed + waiting, "push")
        batch = PushRequest(
            f"{entries[0]['seq']}-{entries[-1]['seq']}",
            tuple(
                Op(
                    e["seq"],
                    e["table_name"],
                    e["row_id"],
                    e["hlc"],
                    json.loads(e["fields_json"]),
                    json.loads(e["bases_json"] or "{}"),
                    e["kind"] == FREEZE,
                )
                for e in entries
            ),
        )
        with client.engine.begin() as conn:
            set_state(conn, PENDING_KEY, batch.batch_id)
        response = request(client.http, "POST", "/push", json=batch.to_json())
        body = json_body(response)
        client.fault("push_answered")
        if response.status_code == 409:
            rounds += 1
            if rounds > MAX_REJECTION_ROUNDS:
                raise SyncError("server_error", status=409)
            rejected += _drop_rejected(client, body.get("detail"), entries, supplied)
            with client.engine.begin() as conn:
                set_state(conn, PENDING_KEY, "")
            continue
        if response.status_code != 200:
            raise SyncError("bad_response", status=response.status_code)
        through, forked_ids, server_rows = _check_answer(body, entries[-1]["seq"], newest)
        with relaxed_links(client.engine) as conn:
            # Acknowledged first: the siège's rows then replace the forked local copy
            # instead of losing to the very changes just acknowledged. They move to the
            # journal, kept for a siège restored from an older backup (app/sync/journal.py).
            acknowledge(conn, ob.c.seq <= through)
            set_state(conn, ACKED_KEY, str(through))
            set_state(conn, PENDING_KEY, "")
            client.apply_forced(conn, server_rows, forked_ids)
        pushed += len([e for e in entries if e["seq"] <= through])
        forked += len(forked_ids)


def _check_answer(
    body: dict[str, Any], last_sent: int, newest: int
) -> tuple[int, frozenset[str], list[Row]]:
    """A 200 answer must acknowledge the batch (or the siège would be asked again for
    ever) and nothing this laptop never numbered (or unsent changes would be lost)."""
    through = body.get("accepted_through")
    if (
        isinstance(through, bool)
        or not isinstance(through, int)
        or not last_sent <= through <= newest
    ):
        raise bad_answer(f"accepted_through {str(through)[:40]!r} outside [{last_sent}, {newest}]")
    raw_forks = body.get("forked", [])
    if not isinstance(raw_forks, list) or not all(
        isinstance(f, dict) and isinstance(f.get("row_id"), str) for f in raw_forks
    ):
        raise bad_answer("forked: list of {row_id, new_row_id} expected")
    try:
        rows = pulled.check_rows(body.get("server_rows", []))
    except pulled.PullRefused as exc:
        raise bad_answer(exc.reason) from None
    return through, frozenset(f["row_id"] for f in raw_forks), rows


def _drop_rejected(
    client: SyncClient, detail: Any, entries: list[Any], supplied: set[tuple[str, str]]
) -> int:
    """Refused changes leave the outbox, never silently: each becomes a conflict to
    review holding the user's values, the local row goes back to the siège's state,
    and the sync reports it. A change refused for a link to a row this laptop holds
    stays: the row goes just before it (``_supply``, once per push) and the batch is
    sent again whole. Returns how many changes were refused."""
    by_seq = {e["seq"]: e for e in entries}
    try:
        if not isinstance(detail, dict) or not isinstance(detail.get("rejected"), list):
            raise ProtocolError("detail.rejected: list expected")
        refusals = [Refusal.from_json(r) for r in detail["rejected"]]
        server_rows = pulled.check_rows(detail.get("server_rows", []))
    except (ProtocolError, pulled.PullRefused) as exc:
        raise bad_answer(getattr(exc, "reason", str(exc)), 409) from None
    mine = [r for r in refusals if r.op in by_seq]
    if not mine:
        # Nothing of this batch named: dropping nothing and sending it again would loop.
        raise bad_answer("409 naming no operation of the batch", 409)
    ob = table_of(OutboxEntry)
    theirs = {(r.table, r.row_id): r.values for r in server_rows}
    refused_rows = {(by_seq[r.op]["table_name"], by_seq[r.op]["row_id"]) for r in mine}
    dropped = 0
    with relaxed_links(client.engine) as conn:
        to_supply: dict[tuple[str, str], int] = {}
        for refusal in mine:
            link = _held_link(conn, by_seq[refusal.op], refusal.reason)
            if link is not None and link not in supplied and link not in refused_rows:
                to_supply[link] = min(refusal.op, to_supply.get(link, refusal.op))
        if to_supply:
            # The rows first, then the whole batch again: nothing of it is dropped this
            # round, as a refusal may follow from another (an invoice number skipping
            # the one refused before it, a line of a refused issue).
            # The highest number first: a row put before a lower one then moves up with
            # the entries it precedes.
            for (name, row_id), before in sorted(to_supply.items(), key=lambda i: -i[1]):
                supplied.add((name, row_id))
                _supply(conn, before, name, row_id)
            return 0
        for refusal in mine:
            entry = by_seq[refusal.op]
            if entry["kind"] == SUPPLY:
                # A row sent for another change and refused: that change's refusal (its
                # link still missing at the next round) is the one listed.
                log.warning(
                    "%s/%s sent again for a missing link, refused: %s",
                    entry["table_name"],
                    entry["row_id"],
                    refusal.reason,
                )
                conn.execute(delete(ob).where(ob.c.seq == refusal.op))
                continue
            dropped += 1
            values = json.loads(entry["fields_json"])
            names = tuple(sorted(n for n in values if n not in BOOKKEEPING)) or tuple(values)
            log.warning(
                "change %s of %s/%s refused by the siège: %s",
                refusal.op,
                entry["table_name"],
                entry["row_id"],
                refusal.reason,
            )
            held = theirs.get((entry["table_name"], entry["row_id"]))
            kept = {n: held.get(n) for n in names} if held is not None else {}
            record_local_conflict(
                conn,
                "rejected",
                entry["table_name"],
                entry["row_id"],
                ",".join(names)[:60],
                json.dumps({n: values[n] for n in names}, ensure_ascii=False),
                refusal.reason,
                kept=json.dumps(kept, ensure_ascii=False) if kept else "",
                # The refused edit's own stamp: which of two equal edits was refused.
                lost_hlc=str(entry["hlc"]),
            )
            client.refused.append(
                RefusedChange(entry["table_name"], entry["row_id"], refusal.reason, names)
            )
            conn.execute(delete(ob).where(ob.c.seq == refusal.op))
            if held is None and entry["table_name"] in Base.metadata.tables:
                # The siège holds no such row (a creation refused, e.g. a draft for a
                # person moved away): the local row goes too; its values are in the
                # conflict just recorded (docs/sync.md, "A refusal is never silent").
                table = Base.metadata.tables[entry["table_name"]]
                conn.execute(delete(table).where(table.c.id == entry["row_id"]))
        client.apply_forced(conn, server_rows)
    return dropped


def _held_link(conn: Connection, entry: Any, reason: str) -> tuple[str, str] | None:
    """(table, id) of the row a ``missing_link: column`` refusal names, when this laptop
    holds it; None otherwise (the refusal then stands)."""
    if not reason.startswith(MISSING_LINK) or entry["table_name"] not in Base.metadata.tables:
        return None
    column = reason.removeprefix(MISSING_LINK).strip()
    table = Base.metadata.tables[entry["table_name"]]
    if column not in table.c:
        return None
    value = json.loads(entry["fields_json"]).get(column)
    targets = [fk.column.table for fk in table.c[column].foreign_keys]
    if not isinstance(value, str) or len(targets) != 1:
        return None
    target = targets[0]
    held = conn.execute(select(target.c.id).where(target.c.id == value)).first()
    return (target.name, value) if held is not None else None


def _supply(conn: Connection, before: int, table: str, row_id: str) -> None:
    """The row this laptop holds, whole, into the outbox just before operation ``before``
    (which links to it), stamped ``ZERO``: the siège inserts it, and any real write of
    it, its author's journal sent again included, wins over these values."""
    data = Base.metadata.tables[table]
    row = conn.execute(select(data).where(data.c.id == row_id)).mappings().one()
    values = encode_row(table, {k: v for k, v in row.items() if k != "id"})
    log.warning(
        "%s/%s linked by change %d is not on the siège (restored?): sent again",
        table,
        row_id,
        before,
    )
    insert_before(
        conn,
        before,
        {
            "table_name": table,
            "row_id": row_id,
            "fields_json": json.dumps(values, ensure_ascii=False),
            "bases_json": "{}",
            "kind": SUPPLY,
            "hlc": ZERO,
            "created_at": utcnow(),
        },
    )

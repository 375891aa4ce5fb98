"""Pushing the outbox (PowerSync's idempotent upload queue, docs/architecture.md §6): the
outbox is cleared only after the siège acknowledges; operation numbers let the siège skip
what it already applied; a refused change becomes a conflict to review, never silently
dropped."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, select

from app.models import OutboxEntry
from app.models.base import Base
from app.sync import pulled
from app.sync.apply import record_local_conflict, relaxed_links, set_state
from app.sync.capture import FREEZE
from app.sync.client_common import RefusedChange, bad_answer, log
from app.sync.codec import table_of
from app.sync.outbox import ACKED_KEY, PENDING_KEY, acknowledge, pending_entries
from app.sync.protocol import Op, ProtocolError, PushRequest, Refusal, Row
from app.sync.transport import SyncError, json_body, request

if TYPE_CHECKING:
    from app.jobs import JobControl
    from app.sync.client import SyncClient

MAX_REJECTION_ROUNDS = 20
# Fields every change carries; a refusal is explained by the others.
BOOKKEEPING = frozenset({"updated_at", "updated_by", "created_at", "created_by", "search_key"})


# -- push --------------------------------------------------------------------
def push(client: SyncClient, job: JobControl | None = None) -> tuple[int, int, int]:
    """Send the outbox in batches; returns (pushed, rejected, forked)."""
    pushed = rejected = forked = rounds = 0
    ob = table_of(OutboxEntry)
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
            rejected += _drop_rejected(client, body.get("detail"), entries)
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


def _drop_rejected(client: SyncClient, detail: Any, entries: list[Any]) -> int:
    """Refused changes leave the outbox, never silently: each becomes a conflict to
    review holding the user's values, the local row goes back to the siège's state,
    and the sync reports it."""
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
    with relaxed_links(client.engine) as conn:
        for refusal in mine:
            entry = by_seq[refusal.op]
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
    return len(mine)

"""Erased values reach this laptop's sync bookkeeping (docs/personal-data.md).

An anonymisation (app/people/anonymise.py) replaces a person's identity and free text;
the former values must not leave later from the outbox (an edit recorded before and not
yet sent), nor stay in the journal of acknowledged changes (kept to be sent again to a
restored siège, app/sync/journal.py) or in the conflicts kept for review. All are
rewritten here, in the caller's transaction.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from functools import cache
from typing import Any

from sqlalchemy import (
    Connection,
    Table,
    Update,
    and_,
    bindparam,
    func,
    inspect,
    or_,
    select,
    update,
)

from app.clock import utcnow
from app.models import JournalEntry, OutboxEntry, SyncConflict
from app.models.base import Base
from app.sync.codec import encode_row, table_of
from app.sync.derived import recompute

# The tables whose rows an anonymisation rewrites, and the link to their person.
ERASED_TABLES = {
    "person": "id",
    "intake_interview": "person_id",
    "followup_interview": "person_id",
    "parcours_stage": "person_id",
    "appointment": "person_id",
}
_CHUNK = 500


def _holds_something(sc: Any) -> Any:
    # A conflict the siège already scrubbed arrives empty, still to review: closed too.
    return or_(
        sc.c.kept_value != "",
        sc.c.lost_value != "",
        sc.c.detail != "",
        sc.c.resolved_at.is_(None),
    )


def _chunks(ids: Collection[str]) -> list[list[str]]:
    items = list(ids)
    return [items[i : i + _CHUNK] for i in range(0, len(items), _CHUNK)]


def scrub_outbox(
    conn: Connection, table: str, row_ids: Collection[str], erased: Mapping[str, Any]
) -> int:
    """Pending entries of these rows, and the journal's acknowledged ones, carry the
    former values of ``erased``'s fields: they now carry the erased ones (sent again to a
    restored siège, the erasure then stays). Returns how many entries were rewritten."""
    wire = encode_row(table, dict(erased))
    rewritten = _scrub_entries(conn, table_of(OutboxEntry), table, row_ids, wire)
    journal = table_of(JournalEntry)
    # A backup of a schema before the journal (migration 0010) has none to scrub.
    if inspect(conn).has_table(journal.name):
        rewritten += _scrub_entries(conn, journal, table, row_ids, wire)
    return rewritten


def _scrub_entries(
    conn: Connection, ob: Table, table: str, row_ids: Collection[str], wire: Mapping[str, Any]
) -> int:
    rewritten = 0
    for chunk in _chunks(row_ids):
        found = conn.execute(
            select(ob.c.seq, ob.c.fields_json).where(
                ob.c.table_name == table, ob.c.row_id.in_(chunk)
            )
        ).all()
        for seq, fields_json in found:
            fields = json.loads(fields_json)
            fresh = {**fields, **{k: v for k, v in wire.items() if k in fields}}
            # A search key computed from the former name goes too (a creation carries it).
            derived = recompute(table, {**fields, **wire}, set(wire))
            fresh.update({k: v for k, v in derived.items() if k in fields})
            if fresh != fields:
                conn.execute(
                    update(ob).where(ob.c.seq == seq).values(fields_json=json.dumps(fresh))
                )
                rewritten += 1
    return rewritten


def scrub_conflicts(conn: Connection, rows: Mapping[str, Collection[str]]) -> int:
    """Conflicts about these rows lose their stored values (the former ones) and are
    closed: nothing is left to review. Returns how many were scrubbed."""
    sc = table_of(SyncConflict)
    scrubbed = 0
    for table, ids in rows.items():
        for chunk in _chunks(ids):
            scrubbed += conn.execute(
                update(sc)
                .where(sc.c.table_name == table, sc.c.row_id.in_(chunk))
                .where(_holds_something(sc))
                .values(
                    kept_value="",
                    lost_value="",
                    detail="",
                    resolved_at=func.coalesce(sc.c.resolved_at, utcnow()),
                )
            ).rowcount
    return scrubbed


@cache
def _closing_statements() -> tuple[Update, ...]:
    """One UPDATE per erased table, built once (``now`` bound at run time)."""
    sc = table_of(SyncConflict)
    person = Base.metadata.tables["person"].alias("owner")
    out = []
    for table, link in ERASED_TABLES.items():
        rows = Base.metadata.tables[table].alias("erased_row")
        # Correlated: one primary-key look-up per conflict (a handful), never a scan of
        # the table's rows.
        owned = (
            select(rows.c.id)
            .join(person, person.c.id == rows.c[link])
            .where(rows.c.id == sc.c.row_id, person.c.anonymised_at.is_not(None))
            .exists()
        )
        out.append(
            update(sc)
            .where(and_(sc.c.table_name == table, _holds_something(sc), owned))
            .values(
                kept_value="",
                lost_value="",
                detail="",
                resolved_at=func.coalesce(sc.c.resolved_at, bindparam("now")),
            )
        )
    return tuple(out)


def scrub_conflicts_of_anonymised(conn: Connection) -> int:
    """Conflicts received after a person's erasure (a laptop's late edit, recorded by
    the siège before it knew) are scrubbed as they arrive. Runs after every pull that
    brought rows: one indexed look-up when there is nothing to close."""
    sc = table_of(SyncConflict)
    candidate = conn.execute(
        select(sc.c.id)
        .where(sc.c.table_name.in_(list(ERASED_TABLES)), _holds_something(sc))
        .limit(1)
    ).first()
    if candidate is None:
        return 0
    now = utcnow()
    return sum(conn.execute(stmt, {"now": now}).rowcount for stmt in _closing_statements())

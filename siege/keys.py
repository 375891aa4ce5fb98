"""Unique business keys on the siège: two laptops never lose a row to a name clash.

New laptops derive the ids of rows with a business key from the key itself (a theme
named "Réseaux sociaux" has the same id on every laptop), so the second copy simply
merges field by field. A clash that still happens — a row created with a random id
by an older version, or a rename onto a name another laptop took — is a *merge*: the
incoming row (the duplicate) is folded into the row holding the key, its fields merged
there, every reference to it re-pointed, and the duplicate kept as a tombstone under a
freed key so the laptop that made it drops it. Later references to the duplicate go to
the holder (``siege_key_alias``). The choice per table is in docs/sync.md.

Tables outside MERGEABLE (invoice numbers, series prefixes) are never merged: a clash
there breaks a rule and is refused.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from functools import cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, String, Table, UniqueConstraint, and_, insert, select, update

from app.clock import utcnow
from app.models.base import Base
from app.sync.codec import table_specs
from app.sync.hlc import Stamp, node_of, parse
from siege import conflicts as cf
from siege import rules
from siege.feed import touch_row, upsert_clocks
from siege.tables import field_clock as fc
from siege.tables import key_alias

if TYPE_CHECKING:
    from siege.batch import Batch
    from siege.payload import ParsedOp

# Reference data and workshop records whose business key may clash across laptops.
MERGEABLE = frozenset(
    {
        "workshop_theme",
        "antenne",
        "funder",
        "option_item",
        "activity_funder",
        "registration",
        "attendance",
    }
)
SIEGE_NODE = node_of("siege")


@cache
def unique_keys(table_name: str) -> list[tuple[str, ...]]:
    """Column tuples of the table's unique constraints (``unique=True`` included)."""
    table = Base.metadata.tables[table_name]
    keys = [
        tuple(c.name for c in constraint.columns)
        for constraint in table.constraints
        if isinstance(constraint, UniqueConstraint)
    ]
    keys += [(c.name,) for c in table.columns if c.unique and (c.name,) not in keys]
    return keys


@cache
def references() -> dict[str, list[tuple[str, str]]]:
    """{mergeable table: [(referencing table, column), ...]} from the foreign keys."""
    out: dict[str, list[tuple[str, str]]] = {name: [] for name in MERGEABLE}
    for table in Base.metadata.tables.values():
        for fk in table.foreign_keys:
            target = fk.column.table.name
            if target in MERGEABLE and fk.parent.name != "id":
                out[target].append((table.name, fk.parent.name))
    return out


@cache
def links_to_mergeable(table_name: str) -> dict[str, str]:
    """{column: mergeable table} for the columns of ``table_name`` that reference one."""
    return {
        column: target
        for target, refs in references().items()
        for table, column in refs
        if table == table_name
    }


@cache
def links_of(table_name: str) -> dict[str, str]:
    """{column: referenced table} of every foreign key of ``table_name``."""
    table = Base.metadata.tables[table_name]
    # In column order (table.foreign_keys is a set): the refusal names the same link
    # on every run.
    found = {fk.parent.name: fk.column.table.name for fk in table.foreign_keys}
    return {c.name: found[c.name] for c in table.columns if c.name in found}


def holder(
    conn: Connection, table_name: str, row_id: str, merged: dict[str, Any], touched: set[str]
) -> tuple[str, tuple[str, ...]] | None:
    """(id, key columns) of another row holding a unique key the merged row would take."""
    table = Base.metadata.tables[table_name]
    for key in unique_keys(table_name):
        if not touched & set(key) or any(merged.get(c) is None for c in key):
            continue
        clause = and_(*(table.c[c] == merged[c] for c in key), table.c.id != row_id)
        found = conn.execute(select(table.c.id).where(clause).limit(1)).scalar()
        if found is not None:
            return str(found), key
    return None


def alias_of(
    conn: Connection, cache_: dict[tuple[str, str], str | None], table: str, row_id: str
) -> str | None:
    key = (table, row_id)
    if key not in cache_:
        cache_[key] = conn.execute(
            select(key_alias.c.target_id).where(
                key_alias.c.table_name == table, key_alias.c.row_id == row_id
            )
        ).scalar()
    return cache_[key]


def stamp_after(*stamps: str) -> str:
    """A siège stamp newer than every stamp given (so laptops take what the merge wrote)."""
    newest = max(parse(s) for s in stamps)
    if newest.counter < 0xFFFF:
        return Stamp(newest.wall_ms, newest.counter + 1, SIEGE_NODE).encode()
    return Stamp(newest.wall_ms + 1, 0, SIEGE_NODE).encode()


def freed_key(
    table: Table, key: tuple[str, ...], values: dict[str, Any], dup_id: str
) -> dict[str, Any] | None:
    """Key values for the tombstoned duplicate that no live row can hold, or None when
    the key has no text column to mark (a key made of links only)."""
    out: dict[str, Any] = {}
    for name in key:
        col = table.c[name]
        if isinstance(col.type, String) and not col.foreign_keys:
            mark = f" ~fusion {dup_id[:8]}"
            length = col.type.length or 120
            out[name] = f"{str(values[name])[: length - len(mark)]}{mark}"
    return out or None


def record_alias(conn: Connection, table: str, dup_id: str, target_id: str) -> None:
    conn.execute(
        insert(key_alias).values(
            table_name=table, row_id=dup_id, target_id=target_id, created_at=utcnow()
        )
    )


def repoint(
    conn: Connection, table: str, dup_id: str, target_id: str, stamp: str, next_seq: Any
) -> list[tuple[str, str]]:
    """Every row referencing the duplicate now references the holder; returns them."""
    moved: list[tuple[str, str]] = []
    for ref_table, column in references()[table]:
        t = Base.metadata.tables[ref_table]
        found = conn.execute(select(t).where(t.c[column] == dup_id)).mappings().all()
        for row in found:
            ref_id = str(row["id"])
            merged = {**row, column: target_id}
            if holder(conn, ref_table, ref_id, merged, {column}) is not None:
                # The holder already has this link (e.g. both themes' sessions funded
                # alike): keep it on the tombstone rather than break a unique key.
                continue
            conn.execute(update(t).where(t.c.id == ref_id).values({column: target_id}))
            upsert_clocks(conn, ref_table, ref_id, {column: stamp})
            touch_row(conn, ref_table, ref_id, next_seq())
            moved.append((ref_table, ref_id))
    return moved


def check_links(ctx: Batch, op: ParsedOp, current: dict[str, Any] | None) -> None:
    """A link to a row the siège does not hold is refused by name (a rule), before the
    database's foreign key would fail the whole batch as a fault."""
    for column, target in links_of(op.table).items():
        value = op.values.get(column)
        if value is None or (current is not None and current.get(column) == value):
            continue
        if (target, value) in ctx.linked:
            continue
        parent = Base.metadata.tables[target]
        if ctx.conn.execute(select(parent.c.id).where(parent.c.id == value)).first() is None:
            raise rules.Rejected(f"missing_link: {column}")
        ctx.linked.add((target, value))


def key_clash(
    ctx: Batch, op: ParsedOp, current: dict[str, Any] | None
) -> tuple[str, tuple[str, ...]] | None:
    """The row holding a unique key this op would also take, if any (siege/py)."""
    if op.freeze or not unique_keys(op.table):
        return None
    merged = {**(current or {}), **op.values}
    touched = set(op.values) if current is not None else set(merged)
    found = holder(ctx.conn, op.table, op.row_id, merged, touched)
    if found is not None and op.table not in MERGEABLE:
        # An invoice number or a series prefix is never merged: taking one that is
        # held breaks a rule (the numbering belongs to one device).
        raise rules.Rejected(f"unique_key_taken: {'+'.join(found[1])}")
    return found


def merge_duplicate(
    ctx: Batch,
    op: ParsedOp,
    current: dict[str, Any] | None,
    stamp: str,
    clash: tuple[str, tuple[str, ...]],
    apply_op: Callable[[Batch, ParsedOp], None],
) -> None:
    """Fold the op's row (the duplicate) into the row holding its key; see siege/py."""
    conn = ctx.conn
    holder_id, key = clash
    dup = op.row_id
    table = Base.metadata.tables[op.table]
    merged = {**(current or {}), **op.values}
    freed = freed_key(table, key, merged, dup)
    if freed is None and current is not None:
        raise rules.Rejected(f"unique_key_taken: {'+'.join(key)}")
    held = conn.execute(
        select(fc.c.hlc).where(fc.c.table_name == op.table, fc.c.row_id == dup)
    ).scalars()
    merge_stamp = stamp_after(stamp, *held)
    record_alias(conn, op.table, dup, holder_id)
    ctx.aliases[(op.table, dup)] = holder_id
    if freed is not None:
        tomb = {**freed, "deleted_at": utcnow()}
        if current is None:
            missing = table_specs()[op.table].required - set(op.values)
            if missing:
                raise rules.Rejected(f"incomplete_row: {sorted(missing)[:5]}")
            conn.execute(insert(table).values(id=dup, **{**op.values, **tomb}))
            clocks = dict.fromkeys(op.values, stamp) | dict.fromkeys(tomb, merge_stamp)
        else:
            conn.execute(
                update(table)
                .where(table.c.id == dup)
                .values(**tomb, updated_at=current["updated_at"])
            )
            clocks = dict.fromkeys(tomb, merge_stamp)
        upsert_clocks(conn, op.table, dup, clocks)
        touch_row(conn, op.table, dup, ctx.next_seq())
        ctx.force.add((op.table, dup))
    for moved in repoint(conn, op.table, dup, holder_id, merge_stamp, ctx.next_seq):
        ctx.force.add(moved)
    detail = {"merged_into": holder_id, "duplicate_id": dup, "key": list(key)}
    ctx.conflict(
        op.table,
        holder_id,
        "+".join(key),
        kept=holder_id,
        lost=dup,
        lost_hlc=stamp,
        kind=cf.MERGED,
        detail=json.dumps(detail),
    )
    # The duplicate's fields compete on the holder, clock against clock.
    values = {k: v for k, v in op.values.items() if k not in ("id", "created_at", "created_by")}
    if values:
        apply_op(ctx, replace(op, row_id=holder_id, values=values, bases={}))


def dealiased(ctx: Batch, op: ParsedOp) -> ParsedOp:
    conn = ctx.conn
    row_alias = None
    if op.table in MERGEABLE:
        row_alias = alias_of(conn, ctx.aliases, op.table, op.row_id)
    links: dict[str, str] = {}
    for column, target in links_to_mergeable(op.table).items():
        value = op.values.get(column)
        if value is not None:
            alias = alias_of(conn, ctx.aliases, target, str(value))
            if alias is not None:
                links[column] = alias
    if row_alias is None and not links:
        return op
    # The laptop still holds the duplicate or the old link: send it the siège's row.
    ctx.force.add((op.table, op.row_id))
    return replace(op, row_id=row_alias or op.row_id, values={**op.values, **links})

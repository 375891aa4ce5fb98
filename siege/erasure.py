"""An anonymised person stays anonymised on the siège, and the siège keeps no copy of
what identified them (docs/personal-data.md).

An anonymisation reaches the siège two ways. A laptop makes it as an ordinary edit of
the person's record, so the write authority of siege/authority.py decides which device
may (a device of an antenne that follows the person; a siège staff device is refused,
``siege_device_writes_reference_data_only``). Or the siège's administrator makes it on
request, with ``python -m siege person anonymise`` (siege/anonymise.py), under the
same legal holds. Once the siège holds an anonymised person:
- the stored conflicts about these rows lose their values (the former name, notes…),
  so neither the siège nor a laptop enrolled later receives them;
- the erased fields keep their erased values: an edit made on a laptop that had not
  yet heard of the anonymisation is overwritten at once, under a stamp newer than its
  own, and sent back to every laptop with the row;
- so is the search key of a draft invoice of the person (it holds their name): a draft
  made on such a laptop and sent after the anonymisation gets the erased name's key.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, or_, select, update

from app.invoicing.drafts import search_key as draft_search_key
from app.models.base import Base
from app.people.erase_copies import ANONYMOUS_NAME, CLEARED_TEXT, ERASED_PERSON, owned_rows
from app.states import InvoiceStatus
from app.sync.codec import encode_row
from app.sync.derived import recompute
from app.sync.erasure import ERASED_TABLES
from app.sync.hlc import MAX_COUNTER, Stamp, node_of, parse
from siege.authority import Rejected
from siege.feed import touch_row, upsert_clocks
from siege.tables import conflict, field_clock

if TYPE_CHECKING:
    from siege.batch import Batch

# The node part of the stamps the siège writes when it restores an erased value.
ERASURE_NODE = node_of("siege-erasure")


def erased_values(table: str) -> dict[str, Any]:
    if table == "person":
        return ERASED_PERSON
    return dict.fromkeys(CLEARED_TEXT.get(table, ()), "")


def check_final(table: str, current: dict[str, Any] | None, fields: dict[str, Any]) -> None:
    """Anonymisation cannot be undone: a change clearing it is refused (its author keeps
    it for review, as any refusal). Which device may anonymise at all is who may write
    the person's record (siege/authority.py): a device of the antenne that follows them;
    the siège's administrator may too, from the command line (siege/anonymise.py)."""
    if table != "person" or current is None or current.get("anonymised_at") is None:
        return
    if "anonymised_at" in fields and fields["anonymised_at"] is None:
        raise Rejected("anonymisation_final")


def after_op(
    ctx: Batch, table: str, row_id: str, values: dict[str, Any], current: dict[str, Any] | None
) -> None:
    """Called once a pushed change of ``table``/``row_id`` is applied. Costs nothing for a
    person who is not anonymised: the person's state comes from the op itself or from
    the batch's cached look-ups (siege/authority.py)."""
    if table == "invoice":
        _keep_draft_key_erased(ctx, row_id, values, current)
        return
    if table not in ERASED_TABLES:
        return
    erased = erased_values(table)
    before = current or {}
    if table == "person":
        if {**before, **values}.get("anonymised_at") is None:
            return
    else:
        if not any(values.get(name) for name in erased):
            return  # nothing erasable written
        person_id = values.get("person_id", before.get("person_id"))
        auth = ctx.authority
        if auth is None or auth.value("person", person_id, "anonymised_at") is None:
            return
    rows = Base.metadata.tables[table]
    found = ctx.conn.execute(select(rows).where(rows.c.id == row_id)).mappings().first()
    if found is None:
        return
    if table == "person" and "anonymised_at" in values:
        scrub_conflicts(ctx.conn, rows_of_person(ctx.conn, row_id))
    _keep_erased(ctx, table, row_id, dict(found), erased)
    scrub_conflicts(ctx.conn, {table: [row_id]})


def _keep_draft_key_erased(
    ctx: Batch, row_id: str, values: dict[str, Any], current: dict[str, Any] | None
) -> None:
    """A draft's search key holds its entrepreneur's name (app/invoicing/drafts.py). A
    draft written on a laptop that had not yet heard of the anonymisation (made before,
    sent after) gets the key an erased name gives, like the erased fields above; only
    a change writing the key is looked at, and one cached look-up of its person."""
    if "search_key" not in values:
        return
    merged = {**(current or {}), **values}
    if merged.get("status") != InvoiceStatus.DRAFT:
        return  # an issued invoice never changes (and its retention blocks erasure)
    auth = ctx.authority
    person_id = merged.get("entrepreneur_id")
    if auth is None or auth.value("person", person_id, "anonymised_at") is None:
        return
    client = Base.metadata.tables["client"]
    name = ctx.conn.execute(
        select(client.c.name).where(client.c.id == merged.get("client_id"))
    ).scalar()
    erased: Any = SimpleNamespace(last_name=ANONYMOUS_NAME, first_name="")
    key = draft_search_key(str(merged.get("number") or ""), str(name or ""), erased)
    invoice = Base.metadata.tables["invoice"]
    found = ctx.conn.execute(select(invoice).where(invoice.c.id == row_id)).mappings().first()
    if found is not None:
        _keep_erased(ctx, "invoice", row_id, dict(found), {"search_key": key})


def rows_of_person(conn: Connection, person_id: str) -> dict[str, list[str]]:
    """The rows whose conflicts an anonymisation empties: every row that belongs to the
    person (app/people/erase_copies.py owned_rows, the laptop's own rule)."""
    return owned_rows(conn, person_id)


def _keep_erased(
    ctx: Batch, table: str, row_id: str, current: dict[str, Any], erased: dict[str, Any]
) -> None:
    wrong = {name: value for name, value in erased.items() if current.get(name) != value}
    if not wrong:
        return
    wrong.update(recompute(table, {**current, **wrong}, set(wrong)))
    wrong.setdefault("updated_at", current["updated_at"])
    rows = Base.metadata.tables[table]
    ctx.conn.execute(update(rows).where(rows.c.id == row_id).values(**wrong))
    held = dict(
        ctx.conn.execute(
            select(field_clock.c.field, field_clock.c.hlc).where(
                field_clock.c.table_name == table, field_clock.c.row_id == row_id
            )
        ).all()
    )
    stamps = {name: stamp_after(held.get(name), ctx.now_ms) for name in encode_row(table, wrong)}
    upsert_clocks(ctx.conn, table, row_id, stamps)
    touch_row(ctx.conn, table, row_id, ctx.next_seq())


def stamp_after(held: str | None, now_ms: int, node: str = ERASURE_NODE) -> str:
    """A stamp newer than ``held`` (the value it replaces), on one of the siège's nodes:
    every laptop then takes the siège's value (per-field last writer wins, docs/sync.md)."""
    if not held:
        return Stamp(now_ms, 0, node).encode()
    previous = parse(held)
    if previous.wall_ms < now_ms:
        return Stamp(now_ms, 0, node).encode()
    if previous.counter >= MAX_COUNTER:
        return Stamp(previous.wall_ms + 1, 0, node).encode()
    return Stamp(previous.wall_ms, previous.counter + 1, node).encode()


def scrub_conflicts(conn: Connection, rows: dict[str, list[str]]) -> int:
    """Stored conflicts about these rows keep that they happened, not the values."""
    scrubbed = 0
    for table, ids in rows.items():
        if not ids:
            continue
        scrubbed += conn.execute(
            update(conflict)
            .where(conflict.c.table_name == table, conflict.c.row_id.in_(ids))
            .where(
                or_(
                    conflict.c.kept_value != "",
                    conflict.c.lost_value != "",
                    conflict.c.detail != "",
                )
            )
            .values(kept_value="", lost_value="", detail="")
        ).rowcount
    return scrubbed

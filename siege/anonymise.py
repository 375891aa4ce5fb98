"""The siège anonymises a person on request (RGPD art. 17; DESIGN §7; docs/personal-data.md).

A request may reach the CAE's data-protection contact at the head office while no laptop
of the person's antenne is at hand. The siège then applies, on its own database, what a
laptop's ``anonymise_person`` does (app/people/anonymise.py), under the same rules:

- the same legal holds, asked through the same functions (``anonymisable``,
  ``retention_refusals``): invoices issued within 10 years, attendance at an EU
  co-financed action within 10 years;
- the same erased values, written by the same Core erasure a backup gets
  (app/people/erase_copies.py ``erase_rows``): the person and the records merged into
  them, their texts, their drafts' search keys;
- written as a change of the siège's own: each changed field gets a stamp of the siège's
  node newer than the one it replaces, each changed row a new version, so every laptop
  of the scope takes the erased values at its next pull and then erases its own copies
  (documents, outbox, conflicts, backups: ``erase_pulled_anonymisations``);
- the stored conflicts about the person's rows emptied (siege/erasure.py): their record,
  texts, invoices and lines, registrations, attendance… (``owned_rows``);
- one audit row per changed row, the person's with the action ``anonymise``: field names
  only, never the former values.

Everything happens in one transaction holding the change feed's counter (as a push
does, siege/store.py), so the checks and the writes see the same state.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, select, update
from sqlalchemy.orm import Session

from app.clock import today as clock_today
from app.clock import utcnow
from app.errors import ConflictError
from app.models.base import Base
from app.people.anonymise import anonymisable, merged_records, retention_refusals
from app.people.erase_copies import CLEARED_TEXT, erase_rows, owned_rows
from app.people.persons import live_person
from app.states import InvoiceStatus
from app.sync.codec import encode_row
from app.sync.hlc import node_of, wall_now_ms
from siege import erasure
from siege.feed import touch_row, upsert_clocks
from siege.tables import audit, conflict, counter, field_clock

# Who the siège's own change is, in the rows (``updated_by``) and in the audit.
SIEGE_DEVICE_ID = "siege"
SIEGE_ACTOR = "Siège (anonymisation sur demande)"
# The node part of the stamps of the siège's own anonymisations.
SIEGE_ANONYMISE_NODE = node_of("siege-anonymise")
ANONYMISE_ACTION = "anonymise"
# Columns every write sets: not part of what the erasure changes.
_BOOKKEEPING = frozenset({"updated_at", "updated_by"})


@dataclass(frozen=True)
class Preview:
    """What an anonymisation would erase, for the administrator to confirm."""

    person_id: str  # the record erased (a merged tombstone leads to its survivor)
    first_name: str
    last_name: str
    antenne: str
    merged: int  # records merged into this one, erased with it
    texts: dict[str, int]  # table -> rows whose free text is cleared
    drafts: int  # draft invoices whose search key loses the name
    conflicts: int  # stored conflicts whose values are emptied
    refusals: tuple[ConflictError, ...]  # legal holds: nothing may be erased


@dataclass(frozen=True)
class Outcome:
    person_id: str
    rows: int  # rows changed, each sent to the laptops of the scope
    conflicts: int  # stored conflicts emptied
    seq: int  # the change feed's sequence after the change


def preview(engine: Engine, person_id: str, day: dt.date | None = None) -> Preview:
    """Raises NotFoundError (``person_not_found``) or ConflictError
    (``already_anonymised``); legal holds are listed, not raised."""
    when = day or clock_today()
    with engine.connect() as conn, Session(bind=conn) as session:
        person = live_person(session, person_id)
        if person.anonymised_at is not None:
            raise ConflictError("already_anonymised")
        ids = [person.id, *(r.id for r in merged_records(session, person.id))]
        antenne = Base.metadata.tables["antenne"]
        town = conn.execute(
            select(antenne.c.name).where(antenne.c.id == person.antenne_id)
        ).scalar()
        before = _snapshot(conn, ids)
        return Preview(
            person.id,
            person.first_name,
            person.last_name,
            str(town or ""),
            len(ids) - 1,
            {table: _with_text(before, table) for table in CLEARED_TEXT},
            sum(1 for table, _id in before if table == "invoice"),
            _stored_conflicts(conn, ids),
            tuple(retention_refusals(session, person.id, when)),
        )


def anonymise(engine: Engine, person_id: str, day: dt.date | None = None) -> Outcome:
    """Anonymise the person on the siège, as their antenne's laptop would. Raises
    NotFoundError or ConflictError (``already_anonymised``, ``invoices_retention``,
    ``cofinanced_retention``), and then nothing changed."""
    when = day or clock_today()
    with engine.begin() as conn:
        # Pushes hold this row while they apply (siege/store.py): none runs meanwhile.
        seq = int(
            conn.execute(
                select(counter.c.value).where(counter.c.id == 1).with_for_update()
            ).scalar_one()
        )
        with Session(bind=conn) as session:
            person = anonymisable(session, person_id, when)
            ids = [person.id, *(r.id for r in merged_records(session, person.id))]
        stamp = utcnow()
        before = _snapshot(conn, ids)
        people = Base.metadata.tables["person"]
        # erase_rows keeps an anonymised_at already set: one instant for all records.
        conn.execute(update(people).where(people.c.id.in_(ids)).values(anonymised_at=stamp))
        for pid in ids:
            erase_rows(conn, pid)
        after = _snapshot(conn, ids)
        now_ms = wall_now_ms()
        changed = 0
        for key, old in before.items():
            fields = {
                name
                for name, value in after[key].items()
                if name not in _BOOKKEEPING and value != old[name]
            }
            if not fields:
                _restore_bookkeeping(conn, key, old)
                continue
            seq += 1
            _publish(conn, key, fields, stamp, now_ms, seq)
            changed += 1
        # The conflicts of every row of the person, not only of the erased ones: their
        # invoices, lines, registrations, attendance… (docs/personal-data.md).
        scrubbed = sum(erasure.scrub_conflicts(conn, owned_rows(conn, p)) for p in ids)
        conn.execute(update(counter).where(counter.c.id == 1).values(value=seq))
    return Outcome(person.id, changed, scrubbed, seq)


def _snapshot(conn: Connection, person_ids: list[str]) -> dict[tuple[str, str], dict[str, Any]]:
    """Every row the erasure may change: the persons, their texts, their drafts."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    tables = {"person": "id", **dict.fromkeys(CLEARED_TEXT, "person_id")}
    for name, link in tables.items():
        t = Base.metadata.tables[name]
        for row in conn.execute(select(t).where(t.c[link].in_(person_ids))).mappings():
            found[(name, str(row["id"]))] = dict(row)
    invoice = Base.metadata.tables["invoice"]
    drafts = select(invoice).where(
        invoice.c.entrepreneur_id.in_(person_ids), invoice.c.status == InvoiceStatus.DRAFT
    )
    for row in conn.execute(drafts).mappings():
        found[("invoice", str(row["id"]))] = dict(row)
    return found


def _with_text(rows: dict[tuple[str, str], dict[str, Any]], table: str) -> int:
    columns = CLEARED_TEXT[table]
    return sum(
        1 for (name, _id), row in rows.items() if name == table and any(row[c] for c in columns)
    )


def _stored_conflicts(conn: Connection, person_ids: list[str]) -> int:
    total = 0
    for pid in person_ids:
        for table, ids in owned_rows(conn, pid).items():
            if ids:
                total += len(
                    conn.execute(
                        select(conflict.c.seq).where(
                            conflict.c.table_name == table,
                            conflict.c.row_id.in_(ids),
                            (conflict.c.kept_value != "")
                            | (conflict.c.lost_value != "")
                            | (conflict.c.detail != ""),
                        )
                    ).all()
                )
    return total


def _restore_bookkeeping(conn: Connection, key: tuple[str, str], old: dict[str, Any]) -> None:
    """A row the erasure left as it was keeps its ``updated_at`` (a Core UPDATE sets it
    through ``Column.onupdate``): nothing to send, nothing to change."""
    table, row_id = key
    t = Base.metadata.tables[table]
    conn.execute(update(t).where(t.c.id == row_id).values({n: old[n] for n in _BOOKKEEPING}))


def _publish(
    conn: Connection,
    key: tuple[str, str],
    fields: set[str],
    stamp: dt.datetime,
    now_ms: int,
    seq: int,
) -> None:
    """The row's change as the siège's own: field clocks newer than those it replaces, a
    new version for the change feed, and its audit row."""
    table, row_id = key
    t = Base.metadata.tables[table]
    conn.execute(update(t).where(t.c.id == row_id).values(updated_at=stamp, updated_by=SIEGE_ACTOR))
    written = sorted(fields | _BOOKKEEPING)
    held = dict(
        conn.execute(
            select(field_clock.c.field, field_clock.c.hlc).where(
                field_clock.c.table_name == table, field_clock.c.row_id == row_id
            )
        ).all()
    )
    names = encode_row(table, dict.fromkeys(written))
    clocks = {n: erasure.stamp_after(held.get(n), now_ms, SIEGE_ANONYMISE_NODE) for n in names}
    upsert_clocks(conn, table, row_id, clocks)
    touch_row(conn, table, row_id, seq)
    conn.execute(
        audit.insert().values(
            seq=seq,
            device_id=SIEGE_DEVICE_ID,
            device_name=SIEGE_ACTOR,
            action=ANONYMISE_ACTION if table == "person" else "update",
            table_name=table,
            row_id=row_id,
            fields=json.dumps(written),
            applied_at=stamp,
        )
    )

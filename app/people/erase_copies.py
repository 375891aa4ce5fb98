"""The copies an anonymisation must reach besides the person's rows (docs/personal-data.md):
this laptop's outbox and conflicts, the documents generated about the person, the free
pages of the database file, and the profile's backups.

Everything here works on a Core connection, so the same steps run on the live database
(inside the anonymisation's transaction) and on each backup file.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, inspect, or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from app.clock import utcnow
from app.config import DATABASE_FILE, ProfilePaths
from app.migrate import open_raw
from app.models import SyncConflict
from app.models.base import Base
from app.states import InvoiceStatus
from app.sync import erasure
from app.sync.apply import set_state
from app.sync.derived import PERSON_SOURCES, recompute

log = logging.getLogger(__name__)

ANONYMOUS_NAME = "Anonyme"
# What an anonymised person's record holds instead of their identity.
ERASED_PERSON: dict[str, Any] = {
    "civility": "",
    "first_name": "",
    "last_name": ANONYMOUS_NAME,
    "birth_date": None,
    "email": "",
    "phone": "",
    "address": "",
    "postcode": "",
    "city": "",
    "notes": "",
    "activity_name": "",
}
# Free text that may identify the person: cleared on anonymisation. Dates, codes and
# decisions stay so the network's statistics still count the accompaniment.
CLEARED_TEXT: dict[str, tuple[str, ...]] = {
    "intake_interview": (
        "project_what",
        "project_how",
        "project_to_whom",
        "project_territory",
        "experience",
        "motivation",
        "needs",
        "decision_reason",
        "next_step",
    ),
    "followup_interview": ("points_discussed", "action_plan"),
    "parcours_stage": ("notes",),
    "appointment": ("note",),
}
CHECKPOINT_ATTEMPTS = 50
# Set on a database once the copies of an anonymised person are erased from it.
ERASED_STATE_PREFIX = "erased:"


def _table(name: str) -> Any:
    return Base.metadata.tables[name]


def erased_rows(conn: Connection, person_id: str) -> dict[str, list[str]]:
    """The rows whose values anonymisation replaces: the person and their texts."""
    rows: dict[str, list[str]] = {"person": [person_id]}
    for name in CLEARED_TEXT:
        t = _table(name)
        ids = list(conn.execute(select(t.c.id).where(t.c.person_id == person_id)).scalars())
        if ids:
            rows[name] = ids
    return rows


def _drafts(conn: Connection, person_id: str) -> list[tuple[str, str]]:
    invoice = _table("invoice")
    found = conn.execute(
        select(invoice.c.id, invoice.c.search_key).where(
            invoice.c.entrepreneur_id == person_id, invoice.c.status == InvoiceStatus.DRAFT
        )
    ).all()
    return [(str(i), str(k)) for i, k in found]


def scrub_sync_copies(conn: Connection, person_id: str) -> None:
    """The outbox and the conflicts of this database get the erased values."""
    rows = erased_rows(conn, person_id)
    erasure.scrub_outbox(conn, "person", rows["person"], ERASED_PERSON)
    for name, columns in CLEARED_TEXT.items():
        if rows.get(name):
            erasure.scrub_outbox(conn, name, rows[name], dict.fromkeys(columns, ""))
    for invoice_id, key in _drafts(conn, person_id):
        erasure.scrub_outbox(conn, "invoice", [invoice_id], {"search_key": key})
    erasure.scrub_conflicts(conn, conflict_rows(conn, person_id))


_CHUNK = 500


@cache
def _owning_links() -> tuple[tuple[str, str, str], ...]:
    """(table, column, parent table): the columns tying a row to a person, directly (an
    interview, an appointment, a registration, an attendance, a client, an invoice…)
    or through a row of theirs (an invoice's lines and payments). Read from the models,
    so a table added later is covered. The direct links come first."""
    person = _table("person")
    tables = [t for t in Base.metadata.sorted_tables if t is not person]
    direct = [
        (t.name, fk.parent.name, "person")
        for t in tables
        for fk in sorted(t.foreign_keys, key=lambda f: f.parent.name)
        if fk.column.table is person
    ]
    owners = {name for name, _column, _parent in direct}
    through = [
        (t.name, fk.parent.name, fk.column.table.name)
        for t in tables
        if t.name not in owners
        for fk in sorted(t.foreign_keys, key=lambda f: f.parent.name)
        if fk.column.table.name in owners
    ]
    return (*direct, *through)


def owned_rows(conn: Connection, person_id: str) -> dict[str, list[str]]:
    """Every row that belongs to the person: their record, interviews, stages,
    appointments, registrations, attendance, attachments, clients and invoices (drafts
    and issued) with their lines and payments. The conflicts about these rows are about
    the person (docs/personal-data.md, "Every copy it reaches"). Works on the laptop's
    database, a backup of an older schema (a table or column it lacks is skipped) and
    the siège's."""
    schema = inspect(conn)
    present = set(schema.get_table_names())
    rows: dict[str, list[str]] = {"person": [person_id]}
    for name, column, parent in _owning_links():
        parents = [person_id] if parent == "person" else rows.get(parent, [])
        if not parents or name not in present:
            continue
        if column not in {c["name"] for c in schema.get_columns(name)}:
            continue
        t = _table(name)
        found = set(rows.get(name, []))
        for start in range(0, len(parents), _CHUNK):
            chunk = parents[start : start + _CHUNK]
            found.update(
                str(i) for i in conn.execute(select(t.c.id).where(t.c[column].in_(chunk))).scalars()
            )
        if found:
            rows[name] = sorted(found)
    return rows


def _conflicts_naming(conn: Connection, values: Collection[str]) -> dict[str, set[str]]:
    """The rows of the conflicts whose stored values or detail name one of these ids."""
    sc = SyncConflict.__table__
    found: dict[str, set[str]] = {}
    for value in values:
        named = or_(
            *(
                sc.c[n].contains(value, autoescape=True)
                for n in ("kept_value", "lost_value", "detail")
            )
        )
        for table, row_id in conn.execute(select(sc.c.table_name, sc.c.row_id).where(named)):
            found.setdefault(str(table), set()).add(str(row_id))
    return found


def conflict_rows(conn: Connection, person_id: str) -> dict[str, list[str]]:
    """The rows whose conflicts an anonymisation scrubs on this laptop: the person's own
    (:func:`owned_rows`), and rows gone from its tables whose conflict still holds their
    values — a creation the siège refused is deleted here and kept only as a
    « rejected » conflict (app/sync/client_push.py), found by the person's id in its
    values (a draft's ``entrepreneur_id``, an appointment's ``person_id``), then its
    children by its own id (the refused draft's lines)."""
    rows = {table: set(ids) for table, ids in owned_rows(conn, person_id).items()}
    named = _conflicts_naming(conn, [person_id])
    gone = sorted(
        row_id
        for table, ids in named.items()
        for row_id in ids
        if row_id not in rows.get(table, set())
    )
    for more in (named, _conflicts_naming(conn, gone)):
        for table, ids in more.items():
            rows.setdefault(table, set()).update(ids)
    return {table: sorted(ids) for table, ids in rows.items()}


def erase_rows(conn: Connection, person_id: str) -> None:
    """The anonymisation's row changes, in Core, for a copy that is not synced (a
    backup): the person, their texts, their drafts' search keys."""
    from app.invoicing.drafts import search_key

    person = _table("person")
    # The columns read are named: a backup may be of an older schema (before a migration).
    read = [person.c[name] for name in (*PERSON_SOURCES, "search_key", "anonymised_at")]
    current = conn.execute(select(*read).where(person.c.id == person_id)).mappings().first()
    if current is None:
        return
    values = {**ERASED_PERSON, "anonymised_at": current["anonymised_at"] or utcnow()}
    values.update(recompute("person", {**current, **values}, set(ERASED_PERSON)))
    conn.execute(update(person).where(person.c.id == person_id).values(**values))
    for name, columns in CLEARED_TEXT.items():
        t = _table(name)
        conn.execute(
            update(t).where(t.c.person_id == person_id).values(**dict.fromkeys(columns, ""))
        )
    invoice, client = _table("invoice"), _table("client")
    erased: Any = SimpleNamespace(last_name=ANONYMOUS_NAME, first_name="")
    for invoice_id, _key in _drafts(conn, person_id):
        number, name = conn.execute(
            select(invoice.c.number, client.c.name)
            .outerjoin(client, client.c.id == invoice.c.client_id)
            .where(invoice.c.id == invoice_id)
        ).one()
        fresh = search_key(number or "", name or "", erased)
        conn.execute(update(invoice).where(invoice.c.id == invoice_id).values(search_key=fresh))


def mark_erased(conn: Connection, person_id: str) -> None:
    set_state(conn, ERASED_STATE_PREFIX + person_id, utcnow().isoformat())


@dataclass(frozen=True)
class PersonDocuments:
    """Where the documents generated about one person are: file names carry ids, never
    names (an attestation's name ends with the person's id). Each can be made again from
    the database, which now says « Anonyme ». Issued invoices (factures/) and sealed
    attendance sheets (emargement-signe-*.pdf) are legal archives, never listed here."""

    person_id: str
    interview_ids: tuple[str, ...]
    invoice_ids: tuple[str, ...]
    activity_ids: tuple[str, ...]

    def paths(self, documents: Path) -> Iterator[Path]:
        pid = self.person_id
        yield documents / "parcours" / f"synthese-parcours-{pid}.pdf"
        for kind in ("accueil", "suivi"):
            for interview_id in self.interview_ids:
                yield documents / "entretiens" / f"compte-rendu-{kind}-{interview_id}.pdf"
        exports = documents / "donnees-personnelles"
        yield from exports.glob(f"donnees-personnelles-{pid}-*")
        yield from _older_exports(exports, pid)
        for invoice_id in self.invoice_ids:
            yield documents / "apercus" / f"apercu-{invoice_id}.pdf"
        ateliers = documents / "ateliers"
        yield from ateliers.glob(f"*/attestations/attestation-*-{pid[-8:]}.pdf")
        for activity_id in self.activity_ids:
            # The session's sheets list its participants: printed again on demand.
            for folder in ateliers.glob(f"*_{activity_id[-8:]}"):
                yield folder / "emargement-vierge.pdf"
                yield folder / "emargement-rempli.pdf"


def _older_exports(folder: Path, person_id: str) -> Iterator[Path]:
    """Exports made before files were named by id (``donnees-<name>-<date>``): found by
    the person id their JSON holds; the PDF beside it has the same stem."""
    for found in folder.glob("donnees-*.json"):
        if found.name.startswith("donnees-personnelles-"):
            continue
        try:
            held = json.loads(found.read_text(encoding="utf-8")).get("person", {}).get("id")
        except (OSError, ValueError, AttributeError):
            continue
        if held == person_id:
            yield found
            yield found.with_suffix(".pdf")


def documents_of(conn: Connection, person_id: str) -> PersonDocuments:
    def ids(table: str, column: str) -> tuple[str, ...]:
        t = _table(table)
        return tuple(
            str(i) for i in conn.execute(select(t.c.id).where(t.c[column] == person_id)).scalars()
        )

    registration = _table("registration")
    activities = conn.execute(
        select(registration.c.activity_id).where(registration.c.person_id == person_id).distinct()
    ).scalars()
    return PersonDocuments(
        person_id,
        ids("intake_interview", "person_id") + ids("followup_interview", "person_id"),
        ids("invoice", "entrepreneur_id"),
        tuple(str(a) for a in activities),
    )


def delete_documents(documents_dir: Path, documents: PersonDocuments) -> int:
    """Delete the person's regenerable documents; returns how many files went."""
    removed = 0
    for path in documents.paths(documents_dir):
        try:
            path.unlink()
            removed += 1
        except FileNotFoundError:
            continue
    return removed


def compact_raw(raw: Any) -> None:
    """Rewrite the database file so erased values leave no trace in free pages, and
    empty the WAL, which holds former versions of the pages (SQLite keeps deleted
    content in place until the page is reused). ``raw`` is in autocommit (app/db.py)."""
    cursor = raw.cursor()
    try:
        cursor.execute("VACUUM")
        for _attempt in range(CHECKPOINT_ATTEMPTS):
            # A reader still on an older snapshot keeps the WAL from being emptied.
            busy = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
            if not busy:
                return
            time.sleep(0.1)
        raise RuntimeError("the WAL could not be emptied (a reader kept it busy)")
    finally:
        cursor.close()


def compact(engine: Engine) -> None:
    raw = engine.raw_connection()
    try:
        compact_raw(raw)
    finally:
        raw.close()


def profile_paths(engine: Engine) -> ProfilePaths | None:
    """The profile whose database ``engine`` opens, if it is one."""
    database = engine.url.database
    if not database or Path(database).name != DATABASE_FILE:
        return None
    return ProfilePaths(Path(database).parent)


def erase_in_backups(engine: Engine, person_ids: list[str]) -> int:
    """The profile's backups get the same erasure, so restoring one brings nobody back.
    Returns how many backups were rewritten; one that cannot be (an older schema, a
    damaged file) is logged and left, never a reason to undo the anonymisation."""
    paths = profile_paths(engine)
    if paths is None or not person_ids or not paths.backups.is_dir():
        return 0
    passphrase = engine.url.password if isinstance(engine.url.password, str) else None
    done = 0
    for backup in sorted(paths.backups.glob("*.sqlite3")):
        copy = create_engine(
            "sqlite://", creator=lambda b=backup: open_raw(b, passphrase), poolclass=NullPool
        )
        try:
            with copy.begin() as conn:
                for person_id in person_ids:
                    erase_rows(conn, person_id)
                    scrub_sync_copies(conn, person_id)
                    mark_erased(conn, person_id)
            compact(copy)
            done += 1
        except SQLAlchemyError as exc:
            log.warning("backup %s not rewritten after an anonymisation: %s", backup.name, exc)
        finally:
            copy.dispose()
    return done

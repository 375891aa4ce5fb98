"""The PA directory, looked up by the siège and cached for everyone (issue 15, item 5;
docs/einvoicing.md, "Directory").

Each French business client's SIREN is looked up once in the directory (XP Z12-013
Directory Service, through the adapter) and the answer kept in ``siege_pa_directory``
(refreshed after :data:`MAX_AGE`). Every client with a cached SIREN then gets its row in
the synced ``client_directory`` (deterministic id per client), published with the next
sequence number of the change feed like the statuses (``publish.py``): laptops receive
it at their next sync and show, offline, whether the client receives e-invoices. Only
the siège writes that table (docs/authority.md)."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, insert, select, update

from app import clock
from app.ids import deterministic_id
from app.models.base import Base
from app.states import ClientKind
from siege.einvoicing.adapter import DirectoryEntry, PaAdapter, PermanentError, TransientError
from siege.einvoicing.tables import pa_directory
from siege.feed import touch_row
from siege.tables import counter

log = logging.getLogger(__name__)
TABLE = "client_directory"
AUTHOR = "Siège (annuaire de la plateforme agréée)"
MAX_AGE = dt.timedelta(days=30)
STORE_EVERY = 100  # answers cached per transaction


def row_id(client_id: str) -> str:
    return deterministic_id(TABLE, client_id)


@dataclass(frozen=True)
class RefreshReport:
    looked_up: int
    published: int
    error: str = ""


def stale_sirens(conn: Connection, max_age: dt.timedelta = MAX_AGE) -> list[str]:
    """SIRENs of live French business clients not looked up within ``max_age``."""
    client = Base.metadata.tables["client"]
    fresh = select(pa_directory.c.siren).where(pa_directory.c.checked_at > clock.utcnow() - max_age)
    return list(
        conn.execute(
            select(client.c.siren)
            .where(
                client.c.deleted_at.is_(None),
                client.c.kind == ClientKind.BUSINESS,
                client.c.country_code == "FR",
                client.c.siren != "",
                client.c.siren.not_in(fresh),
            )
            .distinct()
            .order_by(client.c.siren)
        ).scalars()
    )


def refresh(
    engine: Engine, adapter: PaAdapter, *, max_age: dt.timedelta = MAX_AGE, limit: int = 500
) -> RefreshReport:
    """Look up the stale SIRENs (at most ``limit``), cache and publish the answers. A PA
    that cannot answer ends the pass: the next one asks again, the cache stays."""
    with engine.connect() as conn:
        sirens = stale_sirens(conn, max_age)[:limit]
    looked_up = 0
    error = ""
    answers: list[DirectoryEntry] = []
    for siren in sirens:
        try:
            answers.append(adapter.directory_entry(siren))
        except (TransientError, PermanentError) as exc:
            error = str(exc)
            log.warning("annuaire : %s non consulté (%s), nouvel essai plus tard", siren, exc)
            break
        if len(answers) == STORE_EVERY:
            looked_up += _store_all(engine, answers)
    looked_up += _store_all(engine, answers)
    with engine.begin() as conn:
        published = publish_directory(conn)
    return RefreshReport(looked_up, published, error)


def _store_all(engine: Engine, answers: list[DirectoryEntry]) -> int:
    """One transaction per batch of answers (a pass cut short asks again at most that
    many SIRENs); empties ``answers``."""
    stored = len(answers)
    if answers:
        with engine.begin() as conn:
            for entry in answers:
                store(conn, entry)
        answers.clear()
    return stored


def store(conn: Connection, entry: DirectoryEntry) -> None:
    values = {
        "addressing_identifier": entry.addressing_identifier,
        "platform": entry.platform,
        "public_entity": entry.public_entity,
        "checked_at": clock.utcnow(),
    }
    key = pa_directory.c.siren == entry.siren
    if not conn.execute(update(pa_directory).where(key).values(**values)).rowcount:
        conn.execute(insert(pa_directory).values(siren=entry.siren, **values))


def cached(conn: Connection, siren: str) -> DirectoryEntry | None:
    row = conn.execute(select(pa_directory).where(pa_directory.c.siren == siren)).first()
    if row is None:
        return None
    return DirectoryEntry(row.siren, row.addressing_identifier, row.platform, row.public_entity)


def publish_directory(conn: Connection) -> int:
    """Give every live client whose SIREN is cached its ``client_directory`` row, and
    update the rows the cache no longer matches; returns how many rows changed."""
    client = Base.metadata.tables["client"]
    app = Base.metadata.tables[TABLE]
    rows = conn.execute(
        select(
            client.c.id,
            pa_directory.c.siren,
            pa_directory.c.addressing_identifier,
            pa_directory.c.platform,
            pa_directory.c.public_entity,
            pa_directory.c.checked_at,
            app.c.id.label("published_id"),
            app.c.addressing_identifier.label("published_address"),
            app.c.platform.label("published_platform"),
            app.c.public_entity.label("published_public"),
            app.c.siren.label("published_siren"),
        )
        .join(pa_directory, pa_directory.c.siren == client.c.siren)
        .outerjoin(app, app.c.client_id == client.c.id)
        .where(client.c.deleted_at.is_(None), client.c.country_code == "FR")
        .order_by(client.c.id)
    ).all()
    changed = [
        r
        for r in rows
        if r.published_id is None
        or (r.published_address, r.published_platform, bool(r.published_public), r.published_siren)
        != (r.addressing_identifier, r.platform, bool(r.public_entity), r.siren)
    ]
    if not changed:
        return 0
    seq = int(
        conn.execute(
            select(counter.c.value).where(counter.c.id == 1).with_for_update()
        ).scalar_one()
    )
    now = clock.utcnow()
    for r in changed:
        values = {
            "siren": r.siren,
            "addressing_identifier": r.addressing_identifier,
            "platform": r.platform,
            "public_entity": bool(r.public_entity),
            "checked_at": r.checked_at,
            "updated_at": now,
            "updated_by": AUTHOR,
        }
        ident = r.published_id or row_id(r.id)
        if r.published_id is None:
            conn.execute(
                insert(app).values(
                    id=ident, client_id=r.id, created_at=now, created_by=AUTHOR, **values
                )
            )
        else:
            conn.execute(update(app).where(app.c.id == ident).values(**values))
        seq += 1
        touch_row(conn, TABLE, ident, seq)
    conn.execute(update(counter).where(counter.c.id == 1).values(value=seq))
    return len(changed)

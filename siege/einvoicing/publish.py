"""The statuses the PA gave (``siege_pa_status``) copied into the synced app table
``invoice_pa_status``, so laptops receive them at their next sync (docs/einvoicing.md,
"Statuses on the laptop").

The siège is the only writer of that table (docs/authority.md): each new row is given
the next sequence number of the change feed (``touch_row``), like a row a device pushed,
and follows its invoice's read scope (siege/scope.py). Idempotent: a status already
published is found by (invoice, code, PA timestamp) and its id is deterministic, so a
pass interrupted anywhere, or statuses recorded before this table existed, are
published by the next pass, once."""

from __future__ import annotations

from sqlalchemy import Connection, Engine, exists, insert, select, update

from app import clock
from app.invoicing.pa_status import label, status_id
from app.models.base import Base
from siege.feed import touch_row
from siege.tables import counter, pa_status

TABLE = "invoice_pa_status"
# created_by / updated_by of the rows: a label for display (docs/authority.md).
AUTHOR = "Siège (plateforme agréée)"


def publish_statuses(conn: Connection) -> int:
    """Publish every recorded status not in ``invoice_pa_status`` yet; returns how many."""
    app = Base.metadata.tables[TABLE]
    invoice = Base.metadata.tables["invoice"]
    published = exists().where(
        app.c.invoice_id == pa_status.c.invoice_id,
        app.c.code == pa_status.c.code,
        app.c.received_at == pa_status.c.status_at,
    )
    missing = conn.execute(
        select(pa_status.c.invoice_id, pa_status.c.code, pa_status.c.reason, pa_status.c.status_at)
        # Only invoices the siège holds (the app table's foreign key).
        .join(invoice, invoice.c.id == pa_status.c.invoice_id)
        .where(~published)
        .order_by(pa_status.c.status_at, pa_status.c.id)
    ).all()
    if not missing:
        return 0
    seq = int(
        conn.execute(
            select(counter.c.value).where(counter.c.id == 1).with_for_update()
        ).scalar_one()
    )
    now = clock.utcnow()
    done: set[str] = set()
    for invoice_id, code, reason, status_at in missing:
        row_id = status_id(invoice_id, code, status_at)
        if row_id in done:  # the same status reached through two flows
            continue
        done.add(row_id)
        conn.execute(
            insert(app).values(
                id=row_id,
                invoice_id=invoice_id,
                code=code,
                label=label(code),
                reason=reason or "",
                received_at=status_at,
                created_at=now,
                updated_at=now,
                created_by=AUTHOR,
                updated_by=AUTHOR,
            )
        )
        seq += 1
        touch_row(conn, TABLE, row_id, seq)
    conn.execute(update(counter).where(counter.c.id == 1).values(value=seq))
    return len(done)


def publish(engine: Engine) -> int:
    with engine.begin() as conn:
        return publish_statuses(conn)

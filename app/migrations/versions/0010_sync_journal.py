"""sync journal: the acknowledged changes a restored siège may have lost

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05

``sync_journal``: an outbox entry the siège acknowledges moves here (same columns plus
``acknowledged_at``) in the transaction that acknowledges it, and is pruned after the
profile's ``sync_journal_days`` (30 by default). When the siège turns out to have been
restored from an older backup (its ``last_op`` for this device below
``acknowledged_through``, or a new siège epoch), the entries above its ``last_op`` go
back to the outbox under their own numbers (app/sync/journal.py; docs/sync.md, "A
restored siège gets back what it acknowledged"). A new local table, never synced:
nothing to backfill. What was acknowledged before this migration is not kept, so it
counts as pruned (``sync_state`` ``journal_pruned_through`` = ``acknowledged_through``):
a siège restored to a backup older than the upgrade lists those operations as a
``restore_gap`` instead of losing them without a word.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "sync_journal"
PRUNED_KEY = "journal_pruned_through"  # app/sync/journal.py
ACKED_KEY = "acknowledged_through"  # app/sync/outbox.py


def _present(bind: sa.engine.Connection) -> bool:
    return TABLE in sa.inspect(bind).get_table_names()


def upgrade() -> None:
    if _present(op.get_bind()):
        return
    op.create_table(
        TABLE,
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("table_name", sa.String(length=60), nullable=False),
        sa.Column("row_id", sa.String(length=36), nullable=False),
        sa.Column("fields_json", sa.Text(), nullable=False),
        sa.Column("bases_json", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("hlc", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_sync_journal")),
    )
    op.create_index(op.f("ix_sync_journal_row_id"), TABLE, ["row_id"], unique=False)
    op.create_index(
        op.f("ix_sync_journal_acknowledged_at"), TABLE, ["acknowledged_at"], unique=False
    )
    state = sa.table("sync_state", sa.column("key", sa.String), sa.column("value", sa.Text))
    bind = op.get_bind()
    keys = state.c.key.in_([ACKED_KEY, PRUNED_KEY])
    held = dict(bind.execute(sa.select(state.c.key, state.c.value).where(keys)).all())
    acked, pruned = str(held.get(ACKED_KEY, "")), held.get(PRUNED_KEY)
    if not acked.isdigit():
        return
    if pruned is None:
        bind.execute(state.insert().values(key=PRUNED_KEY, value=acked))
    elif not str(pruned).isdigit() or int(acked) > int(pruned):
        bind.execute(state.update().where(state.c.key == PRUNED_KEY).values(value=acked))


def downgrade() -> None:
    if _present(op.get_bind()):
        op.drop_index(op.f("ix_sync_journal_acknowledged_at"), table_name=TABLE)
        op.drop_index(op.f("ix_sync_journal_row_id"), table_name=TABLE)
        op.drop_table(TABLE)

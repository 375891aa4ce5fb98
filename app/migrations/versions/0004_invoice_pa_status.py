"""invoice_pa_status: the life-cycle statuses of issued invoices at the plateforme agréée

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05

One row per status the PA gave an invoice (XP Z12-012 code, French label, reason, the
PA's timestamp in UTC). A synced table written only by the siège's e-invoicing worker
and read by laptops (docs/einvoicing.md, docs/authority.md). A new table: portable
(SQLite, PostgreSQL), nothing to backfill on a laptop (the siège publishes the statuses
it already holds at its next worker pass).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "invoice_pa_status"
INDEX = "ix_invoice_pa_status_history"


def upgrade() -> None:
    # Idempotent: a schema already carrying the table (re-stamped) keeps it.
    if TABLE in sa.inspect(op.get_bind()).get_table_names():
        return
    op.create_table(
        TABLE,
        sa.Column("invoice_id", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=10), nullable=False),
        sa.Column("label", sa.String(length=60), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("created_by", sa.String(length=120), nullable=True),
        sa.Column("updated_by", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoice.id"], name=op.f("fk_invoice_pa_status_invoice_id_invoice")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_pa_status")),
    )
    op.create_index(INDEX, TABLE, ["invoice_id", "received_at"])


def downgrade() -> None:
    op.drop_index(INDEX, TABLE)
    op.drop_table(TABLE)

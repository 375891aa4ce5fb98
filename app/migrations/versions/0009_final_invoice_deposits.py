"""several deposits on one final invoice (issue 15, deposits)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05

``invoice.deposit_invoice_ids``: every deposit invoice a final invoice (role ``solde``)
deducts, as a JSON list of ids in the order they were added (BG-3 repeated in the
Factur-X XML; docs/invoicing.md, "Deposits"). ``deposit_invoice_id`` (0007) keeps the
first of them, so a copy that predates this column still names one deposit; a row
without the list (issued before it, or pushed by a laptop not migrated yet) reads as
its ``deposit_invoice_id`` alone (app/invoicing/deposits.py ``deposit_ids``): nothing
to backfill, no issued invoice rewritten.

A plain ADD COLUMN with a server default (no copy of the invoice table, whose 0008
triggers stay); dropped the same way (SQLite ≥ 3.35, PostgreSQL).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "invoice"
COLUMN = "deposit_invoice_ids"


def _present(bind: sa.engine.Connection) -> bool:
    return COLUMN in {c["name"] for c in sa.inspect(bind).get_columns(TABLE)}


def upgrade() -> None:
    if not _present(op.get_bind()):
        op.add_column(TABLE, sa.Column(COLUMN, sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    if _present(op.get_bind()):
        op.drop_column(TABLE, COLUMN)

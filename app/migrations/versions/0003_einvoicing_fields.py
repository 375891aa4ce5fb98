"""E-invoicing fields (issue 15): client electronic address, buyer and order references,
VAT category of each invoice line

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05

- ``client.einvoicing_address``: the client's electronic address (BT-49), "scheme:id"
  (``0225:552100554`` for a French business in the PA directory) or an e-mail; empty
  means derived at issue (docs/invoicing.md, "French rules").
- ``invoice.buyer_reference`` (BT-10) and ``invoice.order_reference`` (BT-13): printed
  and in the XML, frozen at issue like every printed field.
- ``invoice_line.vat_category``: the EN 16931 VAT category code (S, Z, E, AE, K, G, O);
  empty on lines written before this revision, read as S (rate > 0) or E (0 %), which
  is what their XML carried.

Plain ADD COLUMN with a server default: portable (SQLite, PostgreSQL) and no table copy.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS: dict[str, list[tuple[str, int]]] = {
    "client": [("einvoicing_address", 200)],
    "invoice": [("buyer_reference", 100), ("order_reference", 100)],
    "invoice_line": [("vat_category", 2)],
}


def upgrade() -> None:
    bind = op.get_bind()
    for table, columns in COLUMNS.items():
        # Idempotent: a schema already carrying a column (re-stamped) keeps it.
        present = {c["name"] for c in sa.inspect(bind).get_columns(table)}
        for name, length in columns:
            if name not in present:
                op.add_column(
                    table,
                    sa.Column(name, sa.String(length=length), nullable=False, server_default=""),
                )


def downgrade() -> None:
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table) as batch:
            for name, _length in columns:
                batch.drop_column(name)

"""siège: an index on the invoices of a series, by status

Revision ID: s0011
Revises: s0010
Create Date: 2026-12-06

A laptop's read scope holds the invoices issued in its own series, whatever the
person's antenne (the legal archive of what it issued: docs/sync.md, scopes;
siege/scope_model.py). Without an index on ``invoice.series_id`` the siège read every
issued invoice to find them, twice per one-antenne snapshot and at each scope
computation (about 100 ms each on the decade's 50,000 invoices). The laptop's schema
has no need of it: only the siège asks by series.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "s0011"
down_revision: str | None = "s0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_siege_invoice_series_status"


def upgrade() -> None:
    existing = {i["name"] for i in sa.inspect(op.get_bind()).get_indexes("invoice")}
    if INDEX not in existing:
        op.create_index(INDEX, "invoice", ["series_id", "status"])


def downgrade() -> None:
    op.drop_index(INDEX, table_name="invoice")

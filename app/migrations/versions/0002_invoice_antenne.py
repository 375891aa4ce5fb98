"""invoice.antenne_id: the entrepreneur's antenne on the issue date

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-05

Frozen at validation (app/invoicing/validation.py) so a past year's turnover by antenne
never moves with the person (docs/indicators.md). Invoices issued before this revision
get the antenne their entrepreneur has when the migration runs: the best fact known.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    bind = op.get_bind()
    # Idempotent: a schema already carrying the column (re-stamped) is only backfilled.
    if "antenne_id" not in {c["name"] for c in sa.inspect(bind).get_columns("invoice")}:
        _add_column(bind.dialect.name)
    # The dashboard's covering indexes carry the antenne too (app/models/invoicing.py):
    # the turnover sums must not visit rows that hold kilobytes of frozen snapshots.
    for name, columns in FIGURE_INDEXES.items():
        op.execute(f"DROP INDEX IF EXISTS {name}")
        op.create_index(name, "invoice", [*columns, "antenne_id"])
    op.execute(
        "UPDATE invoice SET antenne_id = "
        "(SELECT person.antenne_id FROM person WHERE person.id = invoice.entrepreneur_id) "
        "WHERE status <> 'brouillon' AND antenne_id IS NULL"
    )


FIGURE_INDEXES = {
    "ix_invoice_figures": [
        "issue_date",
        "status",
        "kind",
        "entrepreneur_id",
        "total_excl_cents",
        "deleted_at",
        "id",
    ],
    "ix_invoice_id_figures": ["id", "status", "kind", "entrepreneur_id", "deleted_at"],
}


def _add_column(dialect: str) -> None:
    if dialect == "sqlite":
        # SQLite accepts an inline REFERENCES on a new NULL column (Alembic does not emit
        # it); batch mode would copy the invoice table, which other tables reference.
        op.execute("ALTER TABLE invoice ADD COLUMN antenne_id VARCHAR(36) REFERENCES antenne (id)")
        return
    op.add_column("invoice", sa.Column("antenne_id", sa.String(length=36), nullable=True))
    op.create_foreign_key(
        op.f("fk_invoice_antenne_id_antenne"), "invoice", "antenne", ["antenne_id"], ["id"]
    )


def downgrade() -> None:
    for name, columns in FIGURE_INDEXES.items():
        op.drop_index(name, "invoice")
        op.create_index(name, "invoice", columns)
    with op.batch_alter_table("invoice") as batch:
        batch.drop_column("antenne_id")

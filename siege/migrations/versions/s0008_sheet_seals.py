"""sheet seals: the siège's sealed attendance sheets and their retries (issue 16)

Revision ID: s0008
Revises: s0007
Create Date: 2026-12-05

``siege_sheet_seal``: one row per countersigned half-day, pending until the siège has
sealed its sheet (PAdES with the CAE's certificate + RFC 3161 timestamp), with the
attempts and last error of failed tries (retried, never dropped) and the sealed PDF.
A new table: portable (SQLite, PostgreSQL).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "s0008"
down_revision: str | None = "s0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "siege_sheet_seal"


def upgrade() -> None:
    if TABLE in sa.inspect(op.get_bind()).get_table_names():
        return
    op.create_table(
        TABLE,
        sa.Column("slot_id", sa.String(length=36), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=True),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=False),
        sa.Column("record_sha256", sa.String(length=64), nullable=False),
        sa.Column("sealed_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("slot_id", name=op.f("pk_siege_sheet_seal")),
    )
    op.create_index("ix_siege_sheet_seal_due", TABLE, ["state", "next_attempt_at"])


def downgrade() -> None:
    op.drop_index("ix_siege_sheet_seal_due", TABLE)
    op.drop_table(TABLE)

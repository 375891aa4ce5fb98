"""pa directory ereporting: the PA directory cache and the transactions already
e-reported (issue 15, docs/einvoicing.md)

Revision ID: s0007
Revises: s0006
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "s0007"
down_revision: str | None = "s0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "siege_pa_directory",
        sa.Column("siren", sa.String(length=9), nullable=False),
        sa.Column("addressing_identifier", sa.String(length=125), nullable=False),
        sa.Column("platform", sa.String(length=60), nullable=False),
        sa.Column("public_entity", sa.Boolean(), nullable=False),
        sa.Column("checked_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("siren", name=op.f("pk_siege_pa_directory")),
    )
    op.create_table(
        "siege_pa_report_item",
        sa.Column("item_id", sa.String(length=36), nullable=False),
        sa.Column("report", sa.String(length=20), nullable=False),
        sa.Column("tracking_id", sa.String(length=80), nullable=False),
        sa.Column("reported_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("item_id", "report", name=op.f("pk_siege_pa_report_item")),
    )
    op.create_index("ix_siege_pa_report_item_tracking", "siege_pa_report_item", ["tracking_id"])


def downgrade() -> None:
    op.drop_index("ix_siege_pa_report_item_tracking", table_name="siege_pa_report_item")
    op.drop_table("siege_pa_report_item")
    op.drop_table("siege_pa_directory")

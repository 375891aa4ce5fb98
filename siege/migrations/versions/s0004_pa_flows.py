"""e-invoicing: outbox of flows to the plateforme agréée, their life-cycle statuses and the
status poll cursor (docs/einvoicing.md)

Revision ID: s0004
Revises: s0003
Create Date: 2026-12-05 14:35:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "s0004"
down_revision: str | None = "s0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "siege_pa_flow",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("invoice_id", sa.String(length=36), nullable=False),
        sa.Column("invoice_number", sa.String(length=40), nullable=False),
        sa.Column("tracking_id", sa.String(length=80), nullable=False),
        sa.Column("route", sa.String(length=20), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("flow_syntax", sa.String(length=20), nullable=False),
        sa.Column("flow_profile", sa.String(length=20), nullable=False),
        sa.Column("processing_rule", sa.String(length=20), nullable=False),
        sa.Column("file_name", sa.String(length=120), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("flow_id", sa.String(length=80)),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("last_status", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime()),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_siege_pa_flow")),
        sa.UniqueConstraint("tracking_id", name=op.f("uq_siege_pa_flow_tracking_id")),
        sa.UniqueConstraint("sha256", name=op.f("uq_siege_pa_flow_sha256")),
    )
    op.create_index("ix_siege_pa_flow_due", "siege_pa_flow", ["state", "next_attempt_at"])
    op.create_index("ix_siege_pa_flow_invoice", "siege_pa_flow", ["invoice_id", "kind"])
    op.create_table(
        "siege_pa_status",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("flow_id", sa.String(length=80), nullable=False),
        sa.Column("invoice_id", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=10), nullable=False),
        sa.Column("label", sa.String(length=60), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status_at", sa.DateTime(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_siege_pa_status")),
        sa.UniqueConstraint(
            "flow_id", "code", "status_at", name=op.f("uq_siege_pa_status_flow_id")
        ),
    )
    op.create_index("ix_siege_pa_status_invoice", "siege_pa_status", ["invoice_id"])
    op.create_table(
        "siege_pa_state",
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_siege_pa_state")),
    )


def downgrade() -> None:
    op.drop_table("siege_pa_state")
    op.drop_index("ix_siege_pa_status_invoice", table_name="siege_pa_status")
    op.drop_table("siege_pa_status")
    op.drop_index("ix_siege_pa_flow_invoice", table_name="siege_pa_flow")
    op.drop_index("ix_siege_pa_flow_due", table_name="siege_pa_flow")
    op.drop_table("siege_pa_flow")

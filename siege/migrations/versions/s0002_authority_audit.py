"""device role and audit of applied operations (docs/authority.md)

Revision ID: s0002
Revises: s0001
Create Date: 2026-12-05 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "s0002"
down_revision: str | None = "s0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("siege_device", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("role", sa.String(length=20), nullable=False, server_default="accompagnateur")
        )
    op.create_table(
        "siege_audit",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("device_name", sa.String(length=120), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("table_name", sa.String(length=60), nullable=False),
        sa.Column("row_id", sa.String(length=36), nullable=False),
        sa.Column("fields", sa.Text(), nullable=False),
        sa.Column("applied_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_siege_audit")),
    )
    with op.batch_alter_table("siege_audit", schema=None) as batch_op:
        batch_op.create_index("ix_siege_audit_device", ["device_name", "id"], unique=False)
        batch_op.create_index("ix_siege_audit_row", ["table_name", "row_id"], unique=False)
        batch_op.create_index("ix_siege_audit_applied_at", ["applied_at"], unique=False)


def downgrade() -> None:
    op.drop_table("siege_audit")
    with op.batch_alter_table("siege_device", schema=None) as batch_op:
        batch_op.drop_column("role")

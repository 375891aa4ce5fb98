"""scope changes: the record of changes that may shrink a device's read scope, so laptops
evict what left it (docs/sync.md, "Leaving a scope")

Revision ID: s0006
Revises: s0005
Create Date: 2026-12-05

First-sync snapshots need no table: a snapshot is the device's scope read at a cursor,
streamed in verified chunks (siege/snapshot.py).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "s0006"
down_revision: str | None = "s0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "siege_scope_change",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("device_id", sa.String(length=36)),
        sa.Column("reason", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_siege_scope_change")),
    )
    op.create_index(
        "ix_siege_scope_change_device", "siege_scope_change", ["device_id", "id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_siege_scope_change_device", table_name="siege_scope_change")
    op.drop_table("siege_scope_change")

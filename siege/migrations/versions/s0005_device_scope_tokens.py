"""device scope (several antennes) and token rotation

Revision ID: s0005
Revises: s0004
Create Date: 2026-12-05 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "s0005"
down_revision: str | None = "s0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("siege_device") as batch:
        batch.add_column(sa.Column("scope", sa.Text(), nullable=True))
        batch.add_column(sa.Column("next_token_hash", sa.String(length=64), nullable=True))
        batch.create_unique_constraint(op.f("uq_siege_device_next_token_hash"), ["next_token_hash"])


def downgrade() -> None:
    with op.batch_alter_table("siege_device") as batch:
        batch.drop_constraint(op.f("uq_siege_device_next_token_hash"), type_="unique")
        batch.drop_column("next_token_hash")
        batch.drop_column("scope")

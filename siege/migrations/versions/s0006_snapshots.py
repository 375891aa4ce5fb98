"""snapshots

Revision ID: s0006
Revises: s0005
Create Date: 2026-12-05

Reserved in the chain for issue 13: first-sync snapshots and scope changes; its schema change is written with that work.
"""

from collections.abc import Sequence

revision: str = "s0006"
down_revision: str | None = "s0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

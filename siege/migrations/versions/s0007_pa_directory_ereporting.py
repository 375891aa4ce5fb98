"""pa directory ereporting

Revision ID: s0007
Revises: s0006
Create Date: 2026-12-05

Reserved in the chain for issue 15: directory cache and e-reporting; its schema change is written with that work.
"""

from collections.abc import Sequence

revision: str = "s0007"
down_revision: str | None = "s0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

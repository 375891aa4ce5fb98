"""sheet seals

Revision ID: s0008
Revises: s0007
Create Date: 2026-12-05

Reserved in the chain for issue 16: sealing of signed attendance sheets; its schema change is written with that work.
"""

from collections.abc import Sequence

revision: str = "s0008"
down_revision: str | None = "s0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

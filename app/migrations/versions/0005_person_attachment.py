"""person attachment

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05

Reserved in the chain for issue 17: a person's antenne, permanence and accompagnateur over time; its schema change is written with that work.
"""

from collections.abc import Sequence

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

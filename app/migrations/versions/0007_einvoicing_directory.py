"""einvoicing directory

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05

Reserved in the chain for issue 15: directory routing addresses, billing address, deposit invoices; its schema change is written with that work.
"""

from collections.abc import Sequence

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

"""siège epoch: a random id drawn at migrate, drawn again by ``python -m siege restored``

Revision ID: s0010
Revises: s0009
Create Date: 2026-12-05

``siege_epoch``: one row (id 1), the epoch given at ``/hello`` (siege/epoch.py). A laptop
that sees it change re-reads the siège and sends again the acknowledged changes it keeps
in its journal above what the siège holds (app/sync/journal.py; docs/sync.md, "A
restored siège gets back what it acknowledged"). A new table: portable (SQLite,
PostgreSQL).
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.clock import utcnow

revision: str = "s0010"
down_revision: str | None = "s0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "siege_epoch"


def upgrade() -> None:
    if TABLE in sa.inspect(op.get_bind()).get_table_names():
        return
    table = op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("epoch", sa.String(length=32), nullable=False),
        sa.Column("drawn_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_siege_epoch")),
    )
    op.bulk_insert(table, [{"id": 1, "epoch": uuid.uuid4().hex, "drawn_at": utcnow()}])


def downgrade() -> None:
    op.drop_table(TABLE)

"""adopted series: the numbers a laptop issued before enrolment, closed at enrolment

Revision ID: s0009
Revises: s0008
Create Date: 2026-12-05

``siege_adopted_series``: for each series a laptop numbered invoices in before its
enrolment and the siège adopted (siege/local_series.py), the highest sequence issued in
each year, as the laptop declared at ``/enroll``. The series stays the device's legal
archive but is closed: no number beyond these is accepted (``adopted_series_closed``,
siege/rules.py). A new table: portable (SQLite, PostgreSQL).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "s0009"
down_revision: str | None = "s0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "siege_adopted_series"


def upgrade() -> None:
    if TABLE in sa.inspect(op.get_bind()).get_table_names():
        return
    op.create_table(
        TABLE,
        sa.Column("series_id", sa.String(length=36), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_sequence", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("adopted_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("series_id", "year", name=op.f("pk_siege_adopted_series")),
    )


def downgrade() -> None:
    op.drop_table(TABLE)

"""person_attachment: a person's antenne and referent accompagnateur over time

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05

A synced table (app/models/people.py ``PersonAttachment``) so a figure of a past period
reads the attachment valid then (docs/indicators.md, "Antenne filter"); the people
service writes a row whenever a person's antenne or referent changes.

Backfill: one row per person (merged and deleted ones too, so a tombstone keeps its
history) with the person's antenne and referent of today, valid from the person's
creation day, or from their earliest intake or stage if dated before it (imported
histories). It is the best fact known: before this revision nobody recorded moves. Its
id is deterministic (``deterministic_id("person_attachment", person_id, "initial")``):
the siège and every laptop run this same migration and make the same row; the siège then
puts its rows in the change feed (siege/db.py ``publish_unversioned_rows``), so a laptop
enrolled later receives them and the others receive the row they already hold. Like the
0002 backfill, a person whose move is still unsynced somewhere gets that device's value
until the next move is recorded.

Also two covering indexes for the unpaid amounts at a period's end (the dashboard's
costliest figure, app/indicators/receivables.py): ``ix_invoice_unpaid`` on the issued
invoices and ``ix_payment_dues`` on each invoice's payments by date.
"""

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.ids import deterministic_id

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "person_attachment"
INDEX = "ix_person_attachment_history"
INDEX_COLUMNS = ["person_id", "valid_from", "id", "deleted_at", "antenne_id", "referent_id"]
BATCH = 1000
# (table, index, columns): covering indexes of the unpaid amounts (app/models/invoicing.py).
FIGURE_INDEXES = [
    (
        "invoice",
        "ix_invoice_unpaid",
        ["kind", "status", "deleted_at", "issue_date", "id", "total_incl_cents", "antenne_id"],
    ),
    ("payment", "ix_payment_dues", ["invoice_id", "deleted_at", "paid_on", "amount_cents"]),
]


def upgrade() -> None:
    bind = op.get_bind()
    for table_name, name, columns in FIGURE_INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
        op.create_index(name, table_name, columns)
    # Idempotent: a schema already carrying the table (re-stamped) keeps it and its rows.
    if TABLE in sa.inspect(bind).get_table_names():
        return
    table = op.create_table(
        TABLE,
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("antenne_id", sa.String(length=36), nullable=True),
        sa.Column("referent_id", sa.String(length=36), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("created_by", sa.String(length=120), nullable=True),
        sa.Column("updated_by", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_person_attachment_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["antenne_id"], ["antenne.id"], name=op.f("fk_person_attachment_antenne_id_antenne")
        ),
        sa.ForeignKeyConstraint(
            ["referent_id"],
            ["accompagnateur.id"],
            name=op.f("fk_person_attachment_referent_id_accompagnateur"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_attachment")),
    )
    assert table is not None
    op.create_index(INDEX, TABLE, INDEX_COLUMNS)
    _backfill(bind, table)


def _backfill(bind: sa.Connection, table: sa.Table) -> None:
    meta = sa.MetaData()
    person = sa.Table("person", meta, autoload_with=bind)
    stage = sa.Table("parcours_stage", meta, autoload_with=bind)
    intake = sa.Table("intake_interview", meta, autoload_with=bind)
    first_stage = (
        sa.select(sa.func.min(stage.c.start_date))
        .where(stage.c.person_id == person.c.id, stage.c.deleted_at.is_(None))
        .scalar_subquery()
    )
    first_intake = (
        sa.select(sa.func.min(intake.c.held_on))
        .where(intake.c.person_id == person.c.id, intake.c.deleted_at.is_(None))
        .scalar_subquery()
    )
    rows = bind.execute(
        sa.select(
            person.c.id,
            person.c.antenne_id,
            person.c.referent_id,
            person.c.created_at,
            first_stage,
            first_intake,
        ).order_by(person.c.id)
    ).all()
    batch: list[dict[str, object]] = []
    for person_id, antenne_id, referent_id, created_at, stage_on, intake_on in rows:
        days = [_day(d) for d in (created_at, stage_on, intake_on) if d is not None]
        batch.append(
            {
                "id": deterministic_id("person_attachment", person_id, "initial"),
                "person_id": person_id,
                "antenne_id": antenne_id,
                "referent_id": referent_id,
                "valid_from": min(days),
                "created_at": created_at,
                "updated_at": created_at,
                "deleted_at": None,
                "created_by": None,
                "updated_by": None,
            }
        )
        if len(batch) >= BATCH:
            bind.execute(sa.insert(table), batch)
            batch = []
    if batch:
        bind.execute(sa.insert(table), batch)


def _day(value: object) -> dt.date:
    """A date from a DATE or DATETIME value (SQLite may hand back ISO text)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def downgrade() -> None:
    op.drop_index(INDEX, TABLE)
    op.drop_table(TABLE)
    for table_name, name, _columns in FIGURE_INDEXES:
        op.drop_index(name, table_name)

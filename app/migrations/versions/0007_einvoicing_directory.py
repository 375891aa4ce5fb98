"""einvoicing directory, billing address, deposit invoices (issue 15)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05

- ``client_directory``: what the PA directory says of each client (routing address,
  public entity), a synced table written only by the siège (docs/einvoicing.md,
  "Directory"); nothing to backfill on a laptop: the siège publishes its cache.
- ``client.billing_address/_postcode/_city`` (« adresse de facturation si différente »)
  and ``client.public_entity`` (Chorus Pro).
- ``invoice.role`` ("" / "acompte" / "solde") and ``invoice.deposit_invoice_id`` (the
  deposit a final invoice deducts, BG-3): docs/invoicing.md, "Deposits".
- ``cae_logo``: every logo the CAE has had, by SHA-256, so a copy of an issued invoice
  prints the logo frozen at its issue (docs/invoicing.md, "Documents"); filled here
  with the current logo (deterministic id: the siège and every laptop make the same row).

Plain ADD COLUMN with server defaults (no table copy) and a new table: portable
(SQLite, PostgreSQL), idempotent on a re-stamped schema.
"""

import datetime as dt
import hashlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.ids import deterministic_id

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "client_directory"
LOGOS = "cae_logo"
INDEX = "ix_client_directory_client_id"


def _columns() -> dict[str, list[sa.Column[object]]]:
    return {
        "client": [
            sa.Column("billing_address", sa.String(300), nullable=False, server_default=""),
            sa.Column("billing_postcode", sa.String(10), nullable=False, server_default=""),
            sa.Column("billing_city", sa.String(120), nullable=False, server_default=""),
            sa.Column("public_entity", sa.Boolean(), nullable=False, server_default=sa.false()),
        ],
        "invoice": [
            sa.Column("role", sa.String(12), nullable=False, server_default=""),
            sa.Column("deposit_invoice_id", sa.String(36), nullable=True),
        ],
    }


def upgrade() -> None:
    bind = op.get_bind()
    for table, columns in _columns().items():
        present = {c["name"] for c in sa.inspect(bind).get_columns(table)}
        for column in columns:
            if column.name not in present:
                op.add_column(table, column)
    if LOGOS not in sa.inspect(bind).get_table_names():
        _create_logos(bind)
    if TABLE in sa.inspect(bind).get_table_names():
        return
    op.create_table(
        TABLE,
        sa.Column("client_id", sa.String(length=36), nullable=False),
        sa.Column("siren", sa.String(length=9), nullable=False),
        sa.Column("addressing_identifier", sa.String(length=125), nullable=False),
        sa.Column("platform", sa.String(length=60), nullable=False),
        sa.Column("public_entity", sa.Boolean(), nullable=False),
        sa.Column("checked_at", sa.DateTime(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("created_by", sa.String(length=120), nullable=True),
        sa.Column("updated_by", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_client_directory_client_id_client")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_directory")),
    )
    op.create_index(INDEX, TABLE, ["client_id"])


def _create_logos(bind: sa.engine.Connection) -> None:
    logos = op.create_table(
        LOGOS,
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("png", sa.LargeBinary(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("created_by", sa.String(length=120), nullable=True),
        sa.Column("updated_by", sa.String(length=120), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cae_logo")),
        sa.UniqueConstraint("sha256", name=op.f("uq_cae_logo_sha256")),
    )
    assert logos is not None
    identity = sa.table("cae_identity", sa.column("logo_png", sa.LargeBinary()))
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)  # a migration has no app clock
    for (png,) in bind.execute(
        sa.select(identity.c.logo_png).where(identity.c.logo_png.is_not(None))
    ):
        digest = hashlib.sha256(png).hexdigest()
        if bind.execute(sa.select(logos.c.id).where(logos.c.sha256 == digest)).first():
            continue
        bind.execute(
            logos.insert().values(
                id=deterministic_id("cae_logo", digest),
                sha256=digest,
                png=png,
                created_at=now,
                updated_at=now,
            )
        )


def downgrade() -> None:
    op.drop_table(LOGOS)
    op.drop_index(INDEX, TABLE)
    op.drop_table(TABLE)
    for table, columns in _columns().items():
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.drop_column(column.name)

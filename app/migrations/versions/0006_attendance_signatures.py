"""attendance signatures, sheet seals, NDA, FSE+ operation reference (issue 16)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05

- ``attendance_signature``: each signature of a half-day captured on a laptop (strokes
  with their timings, device, local time and sync stamp, hash-chain link); synced,
  insert-only (docs/signing.md, docs/authority.md).
- ``sheet_seal``: when the siège sealed a half-day's sheet (PAdES + RFC 3161
  timestamp); synced, written by the siège only.
- ``cae_identity.nda``: the training declaration number (11 digits).
- ``activity_funder.operation_ref``: the funder's operation number (FSE+).

New tables and plain ADD COLUMN with a server default: portable (SQLite, PostgreSQL),
nothing to backfill.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS: dict[str, list[tuple[str, int]]] = {
    "cae_identity": [("nda", 11)],
    "activity_funder": [("operation_ref", 40)],
}


def _synced_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("created_by", sa.String(length=120), nullable=True),
        sa.Column("updated_by", sa.String(length=120), nullable=True),
    ]


def upgrade() -> None:
    bind = op.get_bind()
    tables = set(sa.inspect(bind).get_table_names())
    for table, columns in COLUMNS.items():
        present = {c["name"] for c in sa.inspect(bind).get_columns(table)}
        for name, length in columns:
            if name not in present:
                op.add_column(
                    table,
                    sa.Column(name, sa.String(length=length), nullable=False, server_default=""),
                )
    if "attendance_signature" not in tables:
        op.create_table(
            "attendance_signature",
            sa.Column("slot_id", sa.String(length=36), nullable=False),
            sa.Column("person_id", sa.String(length=36), nullable=True),
            sa.Column("signer_name", sa.String(length=200), nullable=False),
            sa.Column("role", sa.String(length=20), nullable=False),
            sa.Column("position", sa.Integer(), nullable=False),
            sa.Column("strokes", sa.Text(), nullable=False),
            sa.Column("strokes_sha256", sa.String(length=64), nullable=False),
            sa.Column("captured_at", sa.DateTime(), nullable=False),
            sa.Column("sync_stamp", sa.String(length=60), nullable=False),
            sa.Column("device", sa.String(length=120), nullable=False),
            sa.Column("flags", sa.Text(), nullable=False),
            sa.Column("marks", sa.Text(), nullable=False),
            sa.Column("previous_sha256", sa.String(length=64), nullable=False),
            sa.Column("link_sha256", sa.String(length=64), nullable=False),
            *_synced_columns(),
            sa.ForeignKeyConstraint(
                ["slot_id"],
                ["activity_slot.id"],
                name=op.f("fk_attendance_signature_slot_id_activity_slot"),
            ),
            sa.ForeignKeyConstraint(
                ["person_id"], ["person.id"], name=op.f("fk_attendance_signature_person_id_person")
            ),
            sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance_signature")),
            sa.UniqueConstraint(
                "slot_id", "position", name=op.f("uq_attendance_signature_slot_id")
            ),
        )
        op.create_index(
            op.f("ix_attendance_signature_slot_id"), "attendance_signature", ["slot_id"]
        )
    if "sheet_seal" not in tables:
        op.create_table(
            "sheet_seal",
            sa.Column("slot_id", sa.String(length=36), nullable=False),
            sa.Column("sealed_at", sa.DateTime(), nullable=False),
            sa.Column("sealer", sa.String(length=200), nullable=False),
            sa.Column("tsa", sa.String(length=200), nullable=False),
            sa.Column("record_sha256", sa.String(length=64), nullable=False),
            sa.Column("pdf_sha256", sa.String(length=64), nullable=False),
            *_synced_columns(),
            sa.ForeignKeyConstraint(
                ["slot_id"], ["activity_slot.id"], name=op.f("fk_sheet_seal_slot_id_activity_slot")
            ),
            sa.PrimaryKeyConstraint("id", name=op.f("pk_sheet_seal")),
        )
        op.create_index(op.f("ix_sheet_seal_slot_id"), "sheet_seal", ["slot_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_sheet_seal_slot_id"), "sheet_seal")
    op.drop_table("sheet_seal")
    op.drop_index(op.f("ix_attendance_signature_slot_id"), "attendance_signature")
    op.drop_table("attendance_signature")
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table) as batch:
            for name, _length in columns:
                batch.drop_column(name)

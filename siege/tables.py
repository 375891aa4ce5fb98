"""Siège-only tables: enrolled devices, sequence counter, per-row versions and per-field
clocks (the change feed), applied batches (idempotency) and conflicts found.

The synced data itself lives in the app's own tables (``app.models``), created by the
app's migrations on the siège database.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from app.models.base import NAMING_CONVENTION

metadata = MetaData(naming_convention=NAMING_CONVENTION)

device = Table(
    "siege_device",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(120), nullable=False, unique=True),
    Column("antenne", String(120), nullable=False, default=""),
    Column("series_prefix", String(12), nullable=False, unique=True),
    # The laptop's own device id, known once it has used its enrolment code.
    Column("device_id", String(36), unique=True),
    # SHA-256 of the bearer token / of the one-time code: the siège never keeps either.
    Column("token_hash", String(64), unique=True),
    Column("code_hash", String(64)),
    Column("code_expires_at", DateTime),
    Column("created_at", DateTime, nullable=False),
    Column("enrolled_at", DateTime),
    Column("revoked_at", DateTime),
    Column("last_op", BigInteger, nullable=False, default=0),
    Column("last_seen_at", DateTime),
    # "accompagnateur" (a laptop of one antenne) or "siege" (head-office staff:
    # administers reference data); docs/authority.md.
    Column("role", String(20), nullable=False, server_default="accompagnateur"),
    # The towns (antennes or permanences) whose rows the device reads and writes, as a
    # JSON list, its ``antenne`` first; NULL: its ``antenne`` alone (docs/authority.md,
    # "Read scope").
    Column("scope", Text),
    # Token rotation (docs/sync.md): the token handed out at the last successful sync,
    # not used yet. The current one stays valid until this one is used once.
    Column("next_token_hash", String(64), unique=True),
)

counter = Table(
    "siege_counter",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("value", BigInteger, nullable=False),
)

row_version = Table(
    "siege_row_version",
    metadata,
    Column("table_name", String(60), primary_key=True),
    Column("row_id", String(36), primary_key=True),
    Column("seq", BigInteger, nullable=False, index=True),
)

field_clock = Table(
    "siege_field_clock",
    metadata,
    Column("table_name", String(60), primary_key=True),
    Column("row_id", String(36), primary_key=True),
    Column("field", String(60), primary_key=True),
    Column("hlc", String(40), nullable=False),
)

batch = Table(
    "siege_batch",
    metadata,
    Column("device_id", String(36), primary_key=True),
    Column("batch_id", String(80), primary_key=True),
    Column("response", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),
)

conflict = Table(
    "siege_conflict",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("kind", String(30), nullable=False),
    Column("table_name", String(60), nullable=False),
    Column("row_id", String(36), nullable=False),
    Column("field", String(60), nullable=False, default=""),
    Column("kept_value", Text, nullable=False, default=""),
    Column("lost_value", Text, nullable=False, default=""),
    Column("lost_hlc", String(40), nullable=False, default=""),
    Column("device_name", String(120), nullable=False, default=""),
    Column("detail", Text, nullable=False, default=""),
    Column("created_at", DateTime, nullable=False),
)

# One row per applied operation: which device changed which row, which fields (names
# only: the values are personal data and stay in the synced tables), and when.
audit = Table(
    "siege_audit",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("seq", BigInteger, nullable=False),
    Column("device_id", String(36), nullable=False),
    Column("device_name", String(120), nullable=False),
    Column("action", String(10), nullable=False),  # create | update | delete | freeze
    Column("table_name", String(60), nullable=False),
    Column("row_id", String(36), nullable=False),
    Column("fields", Text, nullable=False),
    Column("applied_at", DateTime, nullable=False),
    Index("ix_siege_audit_device", "device_name", "id"),
    Index("ix_siege_audit_row", "table_name", "row_id"),
    Index("ix_siege_audit_applied_at", "applied_at"),
)

# A row merged into the one holding the same unique business key (docs/sync.md): every
# later reference to ``row_id`` — the row itself or a link to it — goes to ``target_id``.
key_alias = Table(
    "siege_key_alias",
    metadata,
    Column("table_name", String(60), primary_key=True),
    Column("row_id", String(36), primary_key=True),
    Column("target_id", String(36), nullable=False),
    Column("created_at", DateTime, nullable=False),
)

# E-invoicing (docs/einvoicing.md): one row per flow handed to the plateforme agréée — an
# issued invoice ("invoice") or a life-cycle message the siège emits ("cdar", e.g. 212
# Encaissée). The file's bytes are kept so every retry sends the same bytes (same sha256:
# the PA's idempotency key); ``tracking_id`` and ``sha256`` are unique: queued once.
pa_flow = Table(
    "siege_pa_flow",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("kind", String(20), nullable=False),  # invoice | cdar
    Column("invoice_id", String(36), nullable=False),
    Column("invoice_number", String(40), nullable=False),
    Column("tracking_id", String(80), nullable=False, unique=True),
    Column("route", String(20), nullable=False),  # e_invoice (domestic B2B)
    Column("state", String(20), nullable=False),  # queued | sent | failed
    Column("flow_syntax", String(20), nullable=False),
    Column("flow_profile", String(20), nullable=False),
    Column("processing_rule", String(20), nullable=False),
    Column("file_name", String(120), nullable=False),
    Column("payload", LargeBinary, nullable=False),
    Column("sha256", String(64), nullable=False, unique=True),
    Column("flow_id", String(80)),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", DateTime, nullable=False),
    Column("last_error", Text, nullable=False, default=""),
    Column("last_status", String(10), nullable=False, default=""),
    Column("created_at", DateTime, nullable=False),
    Column("sent_at", DateTime),
    Index("ix_siege_pa_flow_due", "state", "next_attempt_at"),
    Index("ix_siege_pa_flow_invoice", "invoice_id", "kind"),
)

# Life-cycle statuses read from the PA (XP Z12-012 codes: 200 Déposée, 213 Rejetée…).
pa_status = Table(
    "siege_pa_status",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("flow_id", String(80), nullable=False),
    Column("invoice_id", String(36), nullable=False),
    Column("code", String(10), nullable=False),
    Column("label", String(60), nullable=False),
    Column("reason", Text, nullable=False, default=""),
    Column("status_at", DateTime, nullable=False),
    Column("fetched_at", DateTime, nullable=False),
    UniqueConstraint("flow_id", "code", "status_at"),
    Index("ix_siege_pa_status_invoice", "invoice_id"),
)

# Small key/value state of the e-invoicing worker (the ``updatedAfter`` poll cursor).
pa_state = Table(
    "siege_pa_state",
    metadata,
    Column("key", String(60), primary_key=True),
    Column("value", Text, nullable=False),
)

# Changes that may shrink some device's read scope (docs/sync.md, "Leaving a scope"):
# a person or session moving, a link of a scoped row re-pointed (``device_id`` NULL:
# any device may be concerned), or the administrator narrowing one device's towns.
# A device's scope epoch is the highest id concerning it; a laptop seeing a new one
# compares what it holds with its scope and evicts the rest (siege/scope.py).
scope_change = Table(
    "siege_scope_change",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("device_id", String(36)),
    Column("reason", String(80), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Index("ix_siege_scope_change_device", "device_id", "id"),
)

# Sheets of countersigned half-days sealed by the siège (issue 16, siege/sealing.py):
# one row per slot, pending until sealed; a failure is kept with its error and retried
# (never dropped). The sealed PDF (PAdES + RFC 3161 timestamp) is kept here; laptops
# receive only when and by whom it was sealed (synced table ``sheet_seal``).
sheet_seal_store = Table(
    "siege_sheet_seal",
    metadata,
    Column("slot_id", String(36), primary_key=True),
    Column("state", String(20), nullable=False),  # pending | sealed
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", DateTime, nullable=False),
    Column("last_error", Text, nullable=False, default=""),
    Column("pdf", LargeBinary),
    Column("pdf_sha256", String(64), nullable=False, default=""),
    Column("record_sha256", String(64), nullable=False, default=""),
    Column("sealed_at", DateTime),
    Column("created_at", DateTime, nullable=False),
    Index("ix_siege_sheet_seal_due", "state", "next_attempt_at"),
)

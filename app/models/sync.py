"""Local bookkeeping for sync: who this device is, what waits to be pushed, where pull
stands, per-field clocks, and conflicts left for a person to review.

These tables never sync themselves (no ``Synced`` mixin)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import utcnow
from app.models.base import Base


class DeviceIdentity(Base):
    """This laptop (one row). ``series_prefix`` is given at enrolment by the siège."""

    __tablename__ = "device_identity"

    device_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    series_prefix: Mapped[str] = mapped_column(String(12), default="LOC")
    server_url: Mapped[str] = mapped_column(String(300), default="")
    enrolled_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    protocol_version: Mapped[int] = mapped_column(Integer, default=1)


class OperationColumns:
    """The columns of one local change as it is pushed: shared by the outbox and the
    journal, because an entry moves from one to the other unchanged (app/sync/journal.py).
    Each table declares its own ``seq`` (numbered by the outbox, kept by the journal)."""

    table_name: Mapped[str] = mapped_column(String(60))
    row_id: Mapped[str] = mapped_column(String(36), index=True)
    # JSON object {field: value} of the fields changed by this operation.
    fields_json: Mapped[str] = mapped_column(Text)
    # JSON object {field: stamp} of each field's clock before this edit ("" if none):
    # the siège tells a concurrent overwrite from a sequential one with it.
    bases_json: Mapped[str] = mapped_column(Text, default="{}")
    # "freeze": the whole row as issued (an invoice at validation and its lines); the
    # siège writes it as is, since an issued invoice is exactly what was printed.
    kind: Mapped[str] = mapped_column(String(12), default="")
    hlc: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class OutboxEntry(OperationColumns, Base):
    """One local change waiting for the siège; written in the same transaction as the edit."""

    __tablename__ = "sync_outbox"
    # AUTOINCREMENT: an operation number is never reused after the outbox is emptied,
    # because the siège skips operation numbers it has already applied.
    __table_args__ = {"sqlite_autoincrement": True}

    # sort_order keeps the migrations' column order (seq first) whatever order the
    # declarative scan gives a mixin's columns.
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True, sort_order=-1)


class JournalEntry(OperationColumns, Base):
    """An outbox entry the siège acknowledged, kept so it can be sent again to a siège
    restored from a backup older than the acknowledgement (docs/sync.md, "A restored
    siège gets back what it acknowledged"). The outbox's columns, moved here in the
    transaction that acknowledges it; pruned after the profile's
    ``sync_journal_days``."""

    __tablename__ = "sync_journal"

    # The outbox's own operation number: sent again, an entry keeps it.
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False, sort_order=-1)
    # Last, after the outbox's columns (migration 0010).
    acknowledged_at: Mapped[dt.datetime] = mapped_column(
        DateTime, default=utcnow, index=True, sort_order=1
    )


class FieldClock(Base):
    """Hybrid-logical-clock stamp of the last write of one field of one row."""

    __tablename__ = "sync_field_clock"

    table_name: Mapped[str] = mapped_column(String(60), primary_key=True)
    row_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    field: Mapped[str] = mapped_column(String(60), primary_key=True)
    hlc: Mapped[str] = mapped_column(String(40), index=True)


class SyncState(Base):
    """Key/value: pull cursor, last HLC, last successful sync, next batch number..."""

    __tablename__ = "sync_state"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class SyncConflict(Base):
    """A losing value kept for a person to review (Conflits à vérifier)."""

    __tablename__ = "sync_conflict"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # field (a free-text value lost to a concurrent edit) | invoice_double_issue |
    # rejected (a local change the siège refused, e.g. an edit of an issued invoice)
    kind: Mapped[str] = mapped_column(String(30), default="field")
    # Sequence of the conflict on the siège (0 for conflicts found on this laptop).
    server_seq: Mapped[int] = mapped_column(BigInteger, default=0, index=True)
    table_name: Mapped[str] = mapped_column(String(60))
    row_id: Mapped[str] = mapped_column(String(36))
    field: Mapped[str] = mapped_column(String(60))
    kept_value: Mapped[str] = mapped_column(Text, default="")
    lost_value: Mapped[str] = mapped_column(Text, default="")
    lost_hlc: Mapped[str] = mapped_column(String(40), default="")
    device_name: Mapped[str] = mapped_column(String(120), default="")
    detail: Mapped[str] = mapped_column(Text, default="")
    detected_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)


class SyncRun(Base):
    """History of sync attempts shown on the Synchronisation page."""

    __tablename__ = "sync_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    outcome: Mapped[str] = mapped_column(String(30), default="running")
    pushed: Mapped[int] = mapped_column(BigInteger, default=0)
    pulled: Mapped[int] = mapped_column(BigInteger, default=0)
    detail: Mapped[str] = mapped_column(Text, default="")

"""The siège's own e-invoicing tables added by migration s0007 (docs/einvoicing.md):
the directory cache and the transactions already e-reported. Registered on the siège's
metadata (siege/tables.py) from here, so the e-invoicing package keeps its tables."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, Index, String, Table

from siege.tables import metadata

# What the PA directory answered for a SIREN (XP Z12-013 Directory Service), kept so the
# routing decision and the laptops work without asking again (refreshed after 30 days).
pa_directory = Table(
    "siege_pa_directory",
    metadata,
    Column("siren", String(9), primary_key=True),
    # The directory line's addressing identifier; "" = no line: no e-invoice.
    Column("addressing_identifier", String(125), nullable=False, default=""),
    Column("platform", String(60), nullable=False, default=""),
    Column("public_entity", Boolean, nullable=False, default=False),
    Column("checked_at", DateTime, nullable=False),
)

# One row per invoice or payment already carried by an e-reporting flow: a transaction
# is reported once, and one synced late (an offline laptop) goes in a later report.
pa_report_item = Table(
    "siege_pa_report_item",
    metadata,
    Column("item_id", String(36), primary_key=True),
    Column("report", String(20), primary_key=True),  # transactions | payments
    Column("tracking_id", String(80), nullable=False),
    Column("reported_at", DateTime, nullable=False),
    Index("ix_siege_pa_report_item_tracking", "tracking_id"),
)

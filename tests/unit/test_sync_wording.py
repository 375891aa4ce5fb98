"""Every synced table has a French name: a conflict or a refusal on its rows is shown on
the sync page in words the accompagnateur reads, never as a raw table name."""

from __future__ import annotations

from app.models.base import synced_tables
from app.sync import wording


def test_every_synced_table_has_a_french_name() -> None:
    missing = sorted(set(synced_tables()) - wording.TABLES.keys())
    assert missing == []
    assert all(name.strip() and name != table for table, name in wording.TABLES.items())

"""Every synced table has a French name: a conflict or a refusal on its rows is shown on
the sync page in words the accompagnateur reads, never as a raw table name."""

from __future__ import annotations

from app.models.base import synced_tables
from app.sync import wording


def test_every_synced_table_has_a_french_name() -> None:
    missing = sorted(set(synced_tables()) - wording.TABLES.keys())
    assert missing == []
    assert all(name.strip() and name != table for table, name in wording.TABLES.items())


def test_refused_links_and_deletions_are_named_in_french() -> None:
    """A refusal listing the fields it concerns names the records they point to."""
    assert wording.fields_text("person_id,permanence_id,deleted_at,invoice_id") == (
        "Personne, Permanence, Suppression, Facture"
    )
    assert wording.fields_text("antenne_id,referent_id") == "Antenne, Référent"


def test_every_link_column_of_a_synced_table_has_a_french_name() -> None:
    from app.models.base import Base

    unnamed = sorted(
        {
            f"{table}.{column.name}"
            for table in synced_tables()
            for column in Base.metadata.tables[table].columns
            if column.name.endswith("_id")
            and column.name != "id"
            and wording.label(column.name).endswith(" id")
        }
    )
    assert unnamed == []

"""A snapshot row sharing a unique key with another row the laptop holds (docs/sync.md,
"First sync from a snapshot"): copied in bulk it stopped the copy on the constraint, on
every sync, and the laptop was stuck (found after a restore: a double-issued draft's id
given to the other issuance, the laptop holding its own number under it). Such a row
now goes through the merge of a page (app/sync/snapshot_copy.py): the sync completes,
and the laptop ends exactly as a laptop reading pages, the clash listed for a person."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import insert

from app.ids import deterministic_id, new_id
from app.models import Funder
from app.profile import Profile
from app.sync import service
from app.sync.client import CURSOR_KEY
from app.sync.codec import table_of
from app.sync.wording import KINDS
from siege import devices
from tests.integration.test_sync_scope import build_region
from tests.integration.test_sync_snapshot import conflicts, held, laptop, state
from tests.sync_support import Siege
from tests.sync_support.authority import complete, enrol, op

FUNDER = table_of(Funder)
CODE = "DEPT08"
WHEN = dt.datetime(2026, 11, 26, 9, 30)


def _same_code_elsewhere(profile: Profile) -> str:
    """A funder of this laptop under another id than the siège's, with its unique code (a
    row the laptop holds that the siège never had)."""
    mine = deterministic_id("test-funder", CODE)
    with profile.engine.begin() as conn:
        conn.execute(
            insert(FUNDER).values(
                id=mine, code=CODE, name="Département", created_at=WHEN, updated_at=WHEN
            )
        )
    return mine


def test_a_snapshot_row_clashing_on_a_unique_key_is_merged_as_a_page_would(
    siege: Siege, tmp_path: Path
) -> None:
    build_region(siege)
    funder_id = new_id()
    admin = enrol(siege, "Épernay", devices.SIEGE)
    added = admin.push(op("funder", funder_id, **complete("funder", code=CODE, name="Ardennes")))
    assert added.status_code == 200, added.text
    fast = laptop(siege, tmp_path, "Neuf", "Épernay")
    slow = laptop(siege, tmp_path, "Ancien", "Épernay")
    for profile in (fast, slow):
        _same_code_elsewhere(profile)
    seen: list[str] = []
    report = service.run_sync(fast, http_factory=siege.http_factory, fault=seen.append)
    service.run_sync(slow, http_factory=siege.http_factory, snapshot=False)
    assert "snapshot_copied" in seen
    assert report.pulled > 0 and state(fast, CURSOR_KEY) == state(slow, CURSOR_KEY)
    # The siège's funder could not be taken: listed, in French, as a page lists it.
    listed = [c for c in conflicts(fast) if c[1:] == ("apply_failed", "funder", funder_id)]
    assert listed and KINDS["apply_failed"] == "Donnée reçue en double"
    assert conflicts(fast) == conflicts(slow)
    assert held(fast) == held(slow)
    # Not stuck: the next sync goes on from there.
    again = service.run_sync(fast, http_factory=siege.http_factory)
    assert again.rejected == 0 and state(fast, CURSOR_KEY) == state(slow, CURSOR_KEY)

"""An invoice issued offline while its entrepreneur was followed at the laptop's antenne
reaches the siège even if the person moved to another antenne before the laptop synced:
its number is in the laptop's own series, and refusing it would leave a gap in a series
the law wants continuous (DESIGN §5, docs/authority.md). Issuing for the person after
the move stays refused. Real devices and a real siège (SQLite and PostgreSQL)."""

from __future__ import annotations

from app.ids import new_id
from tests.sync_support import Siege
from tests.sync_support.authority import (
    CHARLEVILLE,
    REIMS,
    complete,
    draft_fields,
    enrol,
    issue_fields,
    op,
    reasons,
    row,
)
from tests.sync_support.authority import build_world as _world

MOVED_ON = "2026-11-25"
LINE_FIELDS = {"description": "Prestation", "quantity_e4": 10000, "unit_price_cents": 10000,
               "vat_rate_bp": 2000}  # fmt: skip


def test_invoice_issued_before_a_move_is_taken_after_it(siege: Siege) -> None:
    world = _world(siege)
    later_draft = new_id()
    assert world.own.push(op("invoice", later_draft, **draft_fields(world))).status_code == 200
    # While the Épernay laptop is offline with two drafts, a Reims colleague moves the
    # person to Charleville-Mézières on 25 November.
    colleague = enrol(siege, "Reims")
    history = [
        op("person_attachment", new_id(), **complete(
            "person_attachment", person_id=world.person, antenne_id=REIMS,
            valid_from="2026-01-05")),
        op("person_attachment", new_id(), **complete(
            "person_attachment", person_id=world.person, antenne_id=CHARLEVILLE,
            valid_from=MOVED_ON)),
        op("person", world.person, antenne_id=CHARLEVILLE),
    ]  # fmt: skip
    response = colleague.push(*history)
    assert response.status_code == 200, response.text

    # The invoice it issued on 20 November, before the move, is accepted with its number.
    issued = world.own.push(
        op("invoice", world.draft, freeze=True, **issue_fields(world, 1)),
        op("invoice_line", new_id(), freeze=True,
           **complete("invoice_line", invoice_id=world.draft, **LINE_FIELDS)),
    )  # fmt: skip
    assert issued.status_code == 200, issued.text
    stored = row(siege, "invoice", world.draft)
    assert stored is not None and stored["number"] == f"{world.own.prefix}-2026-00001"

    # Issuing for the person after the move is another antenne's business.
    after = issue_fields(world, 2, issue_date="2026-11-26")
    refused = world.own.push(op("invoice", later_draft, freeze=True, **after))
    assert reasons(refused) == ["person_of_another_antenne"]
    stored_later = row(siege, "invoice", later_draft)
    assert stored_later is not None and stored_later["number"] is None

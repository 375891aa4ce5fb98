"""Tab follows the reading order of the forms, also for widgets not wrapped by FormErrors
(check boxes, button rows) and for slot rows added after the dialog was built."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from tests.invoicing_fixtures import add_entrepreneur
from ui.dialogs.invoice_dialog import InvoiceDialog
from ui.dialogs.workshop_session_dialog import AFTERNOON, WorkshopSessionDialog


def _tab_positions(dialog: QWidget) -> dict[int, int]:
    """Position of each widget when tabbing through the dialog from its first child."""
    positions: dict[int, int] = {}
    widget = dialog.nextInFocusChain()
    while widget is not dialog and id(widget) not in positions:
        assert widget is not None
        positions[id(widget)] = len(positions)
        widget = widget.nextInFocusChain()
    return positions


def _in_order(dialog: QWidget, *widgets: QWidget) -> bool:
    where = _tab_positions(dialog)
    start = where[id(widgets[0])]
    # The chain is a ring: measure each position from the first widget's.
    steps = [(where[id(w)] - start) % len(where) for w in widgets]
    return steps == sorted(steps)


def test_invoice_form_tabs_top_to_bottom(qtbot, ctx) -> None:
    dialog = InvoiceDialog(ctx, entrepreneur_id=add_entrepreneur(ctx.uow))
    qtbot.addWidget(dialog)
    assert _in_order(
        dialog,
        dialog.entrepreneur,
        dialog.client,
        dialog.nature,
        dialog.payment_terms,
        dialog.vat_on_debits,
        dialog.exemption,
        dialog.notes,
        dialog.lines.table,
        dialog.buttons["save"],
    )


def test_session_form_tabs_through_slots_before_the_place(qtbot, ctx) -> None:
    dialog = WorkshopSessionDialog(ctx)
    qtbot.addWidget(dialog)
    added = dialog.slots.add_default(AFTERNOON)
    first = dialog.slots.rows[0]
    assert _in_order(
        dialog,
        dialog.theme,
        first.day,
        added.remove,
        dialog.slots.add_morning,
        dialog.waiting_list,
        dialog.description,
    )

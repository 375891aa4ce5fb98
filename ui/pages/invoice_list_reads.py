"""What the Factures list reads (ui/pages/invoices_page.py): its count, first page and
e-invoicing states in one go, then further pages as the list scrolls.

Nothing here touches a widget: :meth:`InvoiceReads.listing` runs on the database worker
(:class:`ui.operations.QueryOp`) for a filter typed or chosen and for a change notice,
and on the GUI thread only when the page is built. The units of work are read-only
(app/uow.py): the list reads beside a sync being applied instead of waiting for it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.invoicing import pa_status, queries
from app.invoicing.queries import InvoiceRow

if TYPE_CHECKING:
    from app.uow import UnitOfWorkFactory


@dataclass(frozen=True)
class Listing:
    """What the list shows for one filter, read in one go (on the GUI thread or off it)."""

    text: str
    status: str
    total: int
    first: list[InvoiceRow]
    states: dict[str, pa_status.InvoiceState]
    alerts: list[pa_status.Alert] | None  # None: not re-read (a filter typed or chosen)


@dataclass
class Asked:
    """The reads of the list asked so far, numbered: the page bumps it on the GUI thread,
    a read waiting for the worker checks it there (plain integers, never a widget off
    the GUI thread: ui/operations.py)."""

    newest: int = 0
    alerts: int = 0  # the newest read asked to bring the PA-rejection alerts

    def next(self, *, alerts: bool) -> int:
        self.newest += 1
        if alerts:
            self.alerts = self.newest
        return self.newest

    def overtaken(self, generation: int, *, alerts: bool) -> bool:
        """Read ``generation`` is not worth running any more: a newer read was asked, and
        it does not bring the newest alerts asked for (a typed filter reads none)."""
        return generation != self.newest and (not alerts or generation < self.alerts)


class InvoiceReads:
    """The open profile's read-only units of work. Tests wrap it to see which thread
    read a filter, or to hold a read back until a newer one was asked."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self.uow = uow.reading()

    def listing(self, text: str, status: str, *, alerts: bool, limit: int) -> Listing:
        """The count, the first ``limit`` rows and their e-invoicing states, and the
        PA-rejection alerts if asked for: 20 ms over 75,000 statuses
        (docs/einvoicing.md), so a notice reads them, a keystroke does not."""
        total = queries.count_invoices(self.uow, text, status)
        first = queries.search_invoices(self.uow, text, status, offset=0, limit=limit)
        states = pa_status.latest_states(self.uow, [r.id for r in first])
        alarms = pa_status.alerts(self.uow) if alerts else None
        return Listing(text, status, total, first, states, alarms)

    def page(
        self, text: str, status: str, *, offset: int, limit: int
    ) -> tuple[list[InvoiceRow], dict[str, pa_status.InvoiceState]]:
        """Rows further down, with their e-invoicing states (the list scrolling)."""
        rows = queries.search_invoices(self.uow, text, status, offset=offset, limit=limit)
        return rows, pa_status.latest_states(self.uow, [r.id for r in rows])

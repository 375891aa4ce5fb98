"""The life of an issued invoice at the plateforme agréée, in its dialog: every status
the siège fetched (XP Z12-012: Déposée, Rejetée, Refusée, Encaissée…) with its reason,
and, for a rejection or a refusal, how to correct it — a credit note and a new invoice,
never an edit (docs/einvoicing.md, "Statuses on the laptop")."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QListWidget, QVBoxLayout, QWidget

from app import formatting
from app.invoicing import pa_status
from app.invoicing.pa_status import PaStatus
from ui.context import AppContext
from ui.style import warning_css
from ui.texts import billing


def status_text(status: PaStatus) -> str:
    when = status.local_time()
    text = f"{formatting.date(when.date())} {when:%H:%M} — {status.code} {status.label}"
    return f"{text} : {status.reason}" if status.reason else text


def state_text(state: pa_status.InvoiceState) -> str:
    """The list's « E-facture » cell: the latest status, flagged while it needs correcting."""
    label = state.latest.label
    return f"⚠ {label}" if state.needs_correction else label


def state_tooltip(state: pa_status.InvoiceState) -> str:
    text = status_text(state.latest)
    if state.needs_correction:
        text += "\n" + pa_status.CORRECTION_ADVICE
    elif state.latest.is_alert:
        text += "\n" + billing.CANCELLED_BY_CREDIT_NOTE
    return text


class PaStatusPanel(QWidget):
    """Hidden until the invoice has a status from the PA."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.title = QLabel(billing.PA_STATUSES_TITLE, self)
        self.list = QListWidget(self)
        self.list.setObjectName("invoicePaStatuses")
        self.list.setMaximumHeight(90)
        self.list.setWordWrap(True)
        self.advice = QLabel(self)
        self.advice.setObjectName("invoicePaAdvice")
        self.advice.setWordWrap(True)
        self.advice.setStyleSheet(warning_css())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.list)
        layout.addWidget(self.advice)
        self.hide()

    def show_invoice(self, invoice_id: str | None) -> None:
        """The statuses of an issued invoice (None: a draft, nothing to show)."""
        self.list.clear()
        reads = self.ctx.uow.reading()  # never behind a sync being applied
        history = pa_status.history(reads, invoice_id) if invoice_id else []
        for status in history:
            self.list.addItem(status_text(status))
        state = (
            pa_status.latest_states(reads, [invoice_id]).get(invoice_id)
            if invoice_id and history
            else None
        )
        if state is not None and state.latest.is_alert:
            rejected = state.latest.code == pa_status.PaStatusCode.REJECTED
            self.advice.setText(
                billing.invoice_refused(rejected=rejected, reason=state.latest.reason)
                + (
                    pa_status.CORRECTION_ADVICE
                    if state.needs_correction
                    else billing.CANCELLED_BY_CREDIT_NOTE
                )
            )
            self.advice.show()
        else:
            self.advice.clear()
            self.advice.hide()
        self.setVisible(bool(history))

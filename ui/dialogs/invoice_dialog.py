"""An invoice or credit note: a draft editor with live totals, or an issued one, read-only,
with its PDF, payments and credit notes.

Split along its seams (issue 14): the form in ``invoice_form.py``, asking before
dropping typed work in ``invoice_leaving.py``, the status line, the offered actions and
the reads in ``invoice_state.py``, the actions here. Issuing, the PDFs and the
credit notes run off the GUI thread (:mod:`ui.operations`): the window stays responsive
while the number, the PDF and its Factur-X are made.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMessageBox, QPushButton, QVBoxLayout, QWidget

from app.changes import Changes
from app.errors import PermanenceError, ValidationError
from app.invoicing import documents, drafts, payments, validation
from app.invoicing.drafts import DraftData, InvoiceDetail
from app.invoicing.payments import Balance
from app.invoicing.validation import ValidationResult
from app.profile import PREVIEWS_FOLDER
from ui import error_hook
from ui.context import AppContext
from ui.dialogs.invoice_leaving import GuardedInvoiceForm
from ui.dialogs.invoice_state import ACTIONS, Shown, has_balance, read_shown, state_of
from ui.dialogs.payment_dialog import PaymentDialog
from ui.operations import CollectionOp, QueryOp, reading_context
from ui.texts import invoicing as texts
from ui.widgets.date_time_fields import refuse_bad_input
from ui.widgets.documents import document_ready
from ui.widgets.forms import tab_in_layout_order
from ui.widgets.pa_status_panel import PaStatusPanel
from ui.widgets.payments_panel import PaymentsPanel
from ui.widgets.screen import remember_geometry


def ask(parent: QWidget, title: str, text: str) -> bool:
    """Yes/no question (a seam for tests)."""
    answer = QMessageBox.question(parent, title, text)
    return answer == QMessageBox.StandardButton.Yes


def show_pdf(path: Path, parent: QWidget | None = None) -> None:
    """Say where a PDF is, with « Ouvrir », over ``parent`` (a seam for tests)."""
    document_ready(path, parent)


class InvoiceDialog(GuardedInvoiceForm):
    def __init__(
        self,
        ctx: AppContext,
        invoice_id: str | None = None,
        *,
        entrepreneur_id: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ctx, parent)
        self.new_for = entrepreneur_id or ""
        self._previews: set[Path] = set()
        remember_geometry(self, "invoice", 980, 720)
        self._build()
        if invoice_id is not None:
            self._show(read_shown(self.ctx.uow, invoice_id))
        else:
            self.setWindowTitle(texts.NEW_INVOICE_TITLE)
            if entrepreneur_id:
                self._set_entrepreneur(entrepreneur_id)
            self.lines.add_line()
            self._refresh_state()
        self._mark_clean()
        tab_in_layout_order(self)
        ctx.hub.changed.connect(self._on_changed)

    def _on_changed(self, changes: Changes) -> None:
        """An issued invoice's balance, payments and credit notes may change elsewhere (a
        credit note, a payment, a sync): re-read them. A draft keeps what is being typed."""
        if (
            self.detail is not None
            and not self.detail.is_draft
            and changes.touches(Changes(invoices=True, payments=True, remote=True))
        ):
            self._refresh_state()

    def window_key(self) -> tuple[str, str]:
        """What this window shows (see ui/widgets/one_window.py): its invoice, or a new one
        not saved yet for this entrepreneur."""
        if self.detail is not None:
            return ("invoice", self.detail.id)
        return ("new_invoice", self.new_for)

    # Building ----------------------------------------------------------------------
    def _build(self) -> None:
        form = self._build_form()
        self.status_label = QLabel(self)
        self.status_label.setObjectName("invoiceStatus")
        self.status_label.setWordWrap(True)
        self.buttons: dict[str, QPushButton] = {}
        slots = {
            "save": self.save_draft,
            "preview": self.preview,
            "validate": self.validate,
            "delete": self.delete_draft,
            "pdf": self.open_pdf,
            "receipt": self.open_receipt,
            "payment": self.add_payment,
            "cancel": self.cancel_by_credit_note,
            "partial": self.partial_credit_note,
            "close": self.close_window,
        }
        bar = QHBoxLayout()
        for key, label in ACTIONS:
            button = QPushButton(label, self)
            button.setObjectName(f"invoice_{key}")
            button.clicked.connect(slots[key])
            self.buttons[key] = button
            bar.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status_label)
        self.payments = PaymentsPanel(self.ctx, self)
        layout.addWidget(self.payments)
        # It only reads: never behind a sync being applied.
        self.pa_statuses = PaStatusPanel(reading_context(self.ctx), self)
        layout.addWidget(self.pa_statuses)
        layout.addLayout(form)
        layout.addWidget(self.lines, 1)
        layout.addWidget(self.general_error)
        layout.addLayout(bar)
        # Keyboard: Ctrl+Entrée issues, Ctrl+S saves the draft (only while offered).
        ctrl = Qt.KeyboardModifier.ControlModifier
        for keys, key in (
            (ctrl | Qt.Key.Key_Return, "validate"),
            (ctrl | Qt.Key.Key_Enter, "validate"),
            (ctrl | Qt.Key.Key_S, "save"),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.activated.connect(lambda key=key: self._shortcut(key))

    def _shortcut(self, key: str) -> None:
        button = self.buttons[key]
        if not button.isHidden() and button.isEnabled():
            button.click()

    # Showing -----------------------------------------------------------------------
    def _show(self, shown: Shown) -> None:
        self.detail = shown.detail
        self._fill(shown.detail, shown.clients)
        self._refresh_state(shown.balance)
        self._mark_clean()

    def _refresh_state(self, balance: Balance | None = None) -> None:
        """``balance``: the issued invoice's, when already read (off the GUI thread)."""
        detail = self.detail
        if balance is None and has_balance(detail):
            assert detail is not None
            balance = payments.get_balance(self.reads, detail.id)
        state = state_of(detail, balance)
        self.payments.show_balance(balance)
        if state.title is not None:
            self.setWindowTitle(state.title)
        self.status_label.setText(state.status)
        self._lock_form(state.issued)
        self.pa_statuses.show_invoice(detail.id if detail is not None and state.issued else None)
        for key, shown in state.visible.items():
            self.buttons[key].setVisible(shown)

    # Drafts ------------------------------------------------------------------------
    def save_draft(self) -> bool:
        if not self._save():
            return False
        self.ctx.hub.notify(Changes(invoices=True))
        return True

    def _save(self) -> bool:
        """Save the draft without announcing it (« Enregistrer », « Aperçu »).

        On the GUI thread: one short write, and its answer decides what happens next."""
        data = self._typed()
        if data is None:
            return False
        try:
            detail = drafts.save_draft(self.ctx.uow, data, self.detail.id if self.detail else None)
        except PermanenceError as exc:
            self._show_error(exc)
            return False
        self._saved(detail)
        return True

    def _typed(self) -> DraftData | None:
        """What the form holds, or None after saying under the fields what is not
        understood (a date, an amount): nothing is saved then."""
        if refuse_bad_input(self):
            return None
        data, parse_errors = self.value()
        if parse_errors:
            self._show_error(ValidationError(parse_errors))
            return None
        return data

    def _saved(self, detail: InvoiceDetail) -> None:
        self.detail = detail
        self._clear_errors()
        self._refresh_state()
        self._mark_clean()

    def preview(self) -> None:
        if not self.save_draft() or self.detail is None:
            return
        # Under the profile (user-only modes), never the shared temp folder;
        # deleted when the dialog closes, else at the next start (app/profile.py).
        out = self.ctx.profile.paths.documents / PREVIEWS_FOLDER
        uow, invoice_id = self.ctx.uow, self.detail.id

        def shown(path: Path) -> None:
            self._previews.add(path)
            show_pdf(path, self)

        QueryOp(
            self.ctx,
            parent=self,
            op=lambda: documents.draft_preview(uow, invoice_id, out),
            success=shown,
            busy=self.buttons["preview"],
        ).failure(self._refused).run_in_background()

    def done(self, result: int) -> None:
        for shown in self._previews:
            shown.unlink(missing_ok=True)
        self._previews.clear()
        super().done(result)

    def delete_draft(self) -> None:
        if self.detail and ask(self, texts.DELETE_TITLE, texts.DELETE_QUESTION):
            uow, invoice_id = self.ctx.uow, self.detail.id
            CollectionOp(
                self.ctx,
                parent=self,
                op=lambda: drafts.delete_draft(uow, invoice_id),
                changes=Changes(invoices=True),
                success=lambda _none: self.accept(),
            ).failure(self._refused).run_in_background()

    # Issuing -----------------------------------------------------------------------
    def validate(self) -> None:
        """Save, issue and maybe change the person's stage: one notice for the whole action.

        The save, then the issue (number, PDF, Factur-X) run off the GUI thread; the
        question comes between them, as before: a draft the core refuses to save is not
        offered for issuing."""
        data = self._typed()
        if data is None:
            return
        uow, invoice_id = self.ctx.uow, self.detail.id if self.detail else None
        CollectionOp(
            self.ctx,
            parent=self,
            op=lambda: drafts.save_draft(uow, data, invoice_id),
            changes=Changes(),  # announced with the issue (or below, if not issued)
            success=self._saved_then_issue,
        ).failure(self._refused).run_in_background()

    def _saved_then_issue(self, detail: InvoiceDetail) -> Changes | None:
        self._saved(detail)
        if not ask(self, texts.ISSUE_TITLE, texts.ISSUE_QUESTION):
            return Changes(invoices=True)  # the draft was saved
        uow, folder, invoice_id = self.ctx.uow, self.ctx.profile.paths.documents, detail.id

        def issue() -> tuple[ValidationResult, Shown]:
            # Issued, then what the window shows read here too: the GUI thread only fills.
            result = validation.validate_invoice(uow, folder, invoice_id)
            return result, read_shown(uow, result.invoice_id)

        self.status_label.setText(texts.VALIDATING)
        # The notice is sent by _issued (or by the stage change it starts): one for all.
        CollectionOp(
            self.ctx, parent=self, op=issue, changes=Changes(), success=self._issued
        ).failure(self._issue_refused).run_in_background()
        return None

    def _issued(self, issued: tuple[ValidationResult, Shown]) -> Changes | None:
        result, shown = issued
        self._show(shown)
        # The focused « Valider » is gone: the next step is the PDF.
        self._focus_pdf()
        changes = Changes(invoices=True, payments=True)  # a credit note lowers « reste dû »
        if not result.propose_salarie_stage or not ask(
            self, texts.SALARIE_TITLE, texts.SALARIE_QUESTION
        ):
            return changes
        uow = self.ctx.uow
        CollectionOp(
            self.ctx,
            parent=self,
            op=lambda: validation.switch_to_salarie(uow, result.entrepreneur_id, result.issue_date),
            changes=changes | Changes(persons=True, parcours=True),
        ).failure(lambda error: self._refused(error, changes)).after(
            self._focus_pdf  # the window was disabled meanwhile: its focus went
        ).run_in_background()
        return None

    def _focus_pdf(self) -> None:
        self.buttons["pdf"].setFocus()

    def _issue_refused(self, error: BaseException) -> None:
        self._refresh_state()  # the status line said « Émission en cours »
        self._refused(error, Changes(invoices=True))  # the draft was saved

    def _refused(self, error: BaseException, changes: Changes | None = None) -> None:
        """An expected failure of an operation: said under the fields, in French."""
        if changes is not None:
            self.ctx.hub.notify(changes)
        if isinstance(error, PermanenceError):
            self._show_error(error)
        else:
            error_hook.show_error(self, error)

    # Issued invoices ---------------------------------------------------------------
    def open_pdf(self) -> None:
        if self.detail is not None:
            uow, folder, invoice_id = self.ctx.uow, self.ctx.profile.paths.documents, self.detail.id
            self._show_document(lambda: documents.invoice_pdf(uow, folder, invoice_id), "pdf")

    def open_receipt(self) -> None:
        if self.detail is not None:
            uow, folder, invoice_id = self.ctx.uow, self.ctx.profile.paths.documents, self.detail.id
            self._show_document(lambda: documents.receipt_pdf(uow, folder, invoice_id), "receipt")

    def _show_document(self, make: Callable[[], Path], button: str) -> None:
        QueryOp(
            self.ctx,
            parent=self,
            op=make,
            success=lambda path: show_pdf(path, self),
            busy=self.buttons[button],
        ).failure(self._refused).run_in_background()

    def add_payment(self) -> None:
        if self.detail:  # a recorded payment refreshes this window through the hub's notice
            PaymentDialog(self.ctx, self.detail.id, self.detail.number, self).exec()

    def cancel_by_credit_note(self) -> None:
        if self.detail is None or not ask(
            self,
            texts.CREDIT_NOTE_TITLE,
            texts.CREDIT_NOTE_QUESTION.format(number=self.detail.number),
        ):
            return
        uow, folder, invoice_id = self.ctx.uow, self.ctx.profile.paths.documents, self.detail.id
        parent = self.parentWidget()
        CollectionOp(
            self.ctx,
            parent=self,
            op=lambda: validation.cancel_invoice(uow, folder, invoice_id),
            changes=Changes(invoices=True, payments=True),  # this window refreshes too
            success=lambda result: self._open_credit_note(result.invoice_id, parent),
        ).failure(self._refused).run_in_background()

    def partial_credit_note(self) -> None:
        if self.detail is None:
            return
        uow, invoice_id, parent = self.ctx.uow, self.detail.id, self.parentWidget()
        CollectionOp(
            self.ctx,
            parent=self,
            op=lambda: validation.credit_note_draft(uow, invoice_id),
            changes=Changes(invoices=True),
            success=lambda draft_id: self._open_credit_note(draft_id, parent),
        ).failure(self._refused).run_in_background()

    def _open_credit_note(self, invoice_id: str, parent: QWidget | None) -> None:
        self.credit_note = open_invoice_window(self.ctx, invoice_id, None, parent)


def open_invoice_window(
    ctx: AppContext, invoice_id: str | None, entrepreneur_id: str | None, parent: QWidget | None
) -> InvoiceDialog:
    """Show the invoice's window, or a new invoice's: the one already open if there is one
    (brought forward), otherwise a new non-modal window."""
    key = ("invoice", invoice_id) if invoice_id else ("new_invoice", entrepreneur_id or "")

    def make() -> InvoiceDialog:
        dialog = InvoiceDialog(ctx, invoice_id, entrepreneur_id=entrepreneur_id, parent=parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        return dialog

    window = ctx.windows.show(key, make)
    assert isinstance(window, InvoiceDialog)
    return window

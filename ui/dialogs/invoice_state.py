"""What the invoice window says about its invoice (title, status line) and which actions
it offers, as plain functions of the invoice and its balance, and what it reads of an
invoice in one go (split from ``invoice_dialog.py``; no widget here, so the wording is
checked without a window)."""

from __future__ import annotations

from dataclasses import dataclass

from app import formatting
from app.invoicing import drafts, payments
from app.invoicing.clients import ClientInfo, list_clients
from app.invoicing.drafts import InvoiceDetail
from app.invoicing.payments import Balance
from app.states import InvoiceKind
from app.uow import UnitOfWorkFactory
from ui import messages_invoicing as labels
from ui.texts import invoicing as texts

# The action buttons, in the window's order: (key, label).
ACTIONS: tuple[tuple[str, str], ...] = (
    ("save", texts.SAVE_DRAFT),
    ("preview", texts.PREVIEW),
    ("validate", texts.VALIDATE),
    ("delete", texts.DELETE_DRAFT),
    ("pdf", texts.OPEN_PDF),
    ("receipt", texts.RECEIPT),
    ("payment", texts.ADD_PAYMENT),
    ("cancel", texts.CANCEL_BY_CREDIT_NOTE),
    ("partial", texts.PARTIAL_CREDIT_NOTE),
    ("close", texts.CLOSE),
)


@dataclass(frozen=True, slots=True)
class InvoiceState:
    title: str | None  # None: keep the window's title
    status: str
    issued: bool
    visible: dict[str, bool]


def state_of(detail: InvoiceDetail | None, balance: Balance | None) -> InvoiceState:
    """``balance``: the invoice's, for an issued invoice (not a credit note); else None."""
    issued = detail is not None and not detail.is_draft
    kind = detail.data.kind if detail else InvoiceKind.INVOICE
    label = labels.KIND_LABELS[kind]
    title: str | None = None
    if detail is None:
        status = texts.STATUS_NEW_DRAFT.format(kind=label)
    elif detail.is_draft:
        title = texts.DRAFT_TITLE.format(kind=label, client=detail.client_name)
        credited = (
            texts.STATUS_ON_INVOICE.format(number=detail.credited_number)
            if detail.credited_number
            else ""
        )
        status = texts.STATUS_DRAFT.format(kind=label, credited=credited)
    else:
        title = texts.ISSUED_TITLE.format(kind=label, number=detail.number)
        verb = texts.ISSUED_FEMININE if kind == InvoiceKind.INVOICE else texts.ISSUED_MASCULINE
        status = texts.STATUS_ISSUED.format(
            kind=label, number=detail.number, issued=verb, date=formatting.date(detail.issue_date)
        )
        if kind == InvoiceKind.INVOICE and balance is not None:
            status += texts.STATUS_BALANCE.format(
                status=labels.STATUS_LABELS.get(balance.status, balance.status),
                due=formatting.money(balance.due_cents),
            )
        elif detail.credited_number:
            status += texts.STATUS_ON_INVOICE.format(number=detail.credited_number)
    paid = balance is not None and balance.status == "payee"
    invoice = issued and kind == InvoiceKind.INVOICE
    visible = {
        "save": not issued,
        "preview": not issued,
        "validate": not issued,
        "delete": detail is not None and not issued,
        "pdf": issued,
        "receipt": issued and paid,
        "payment": invoice,
        "cancel": invoice,
        "partial": invoice,
    }
    return InvoiceState(title, status, issued, visible)


@dataclass(frozen=True, slots=True)
class Shown:
    """What the window shows of an invoice, read in one go (off the GUI thread)."""

    detail: InvoiceDetail
    clients: list[ClientInfo] | None = None
    balance: Balance | None = None


def has_balance(detail: InvoiceDetail | None) -> bool:
    return detail is not None and not detail.is_draft and detail.data.kind == InvoiceKind.INVOICE


def read_shown(uow: UnitOfWorkFactory, invoice_id: str) -> Shown:
    """The invoice, its entrepreneur's clients and its balance (read-only units of work)."""
    reads = uow.reading()
    detail = drafts.get_invoice(reads, invoice_id)
    return Shown(
        detail,
        list_clients(reads, detail.data.entrepreneur_id),
        payments.get_balance(reads, invoice_id) if has_balance(detail) else None,
    )

"""The payment receipt of a fully paid invoice (« facture acquittée »).

Not an invoice (no number of its own, no Factur-X): a one-page statement that the
invoice it names was paid in full, with each payment; made from the same frozen
document as the invoice (app/invoicing/printable.py), so seller and buyer read the
same as on the invoice.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from app import formatting
from app.invoicing.printable import InvoiceDocument
from app.pdf.common import FONT, FONT_BOLD, build_pdf
from app.pdf.invoice import GRID, HEADER_BG, _e, _p, _parties, footer_text

MODE_LABELS = {"virement": "virement", "cheque": "chèque", "especes": "espèces", "carte": "carte"}


@dataclass(frozen=True)
class ReceivedPayment:
    paid_on: dt.date
    amount_cents: int
    mode: str
    reference: str = ""


def render_receipt(doc: InvoiceDocument, payments: list[ReceivedPayment]) -> bytes:
    """« Facture acquittée » PDF for ``doc``, paid by ``payments`` (oldest first)."""
    last = max(p.paid_on for p in payments)
    story: list[Flowable] = [
        _p("FACTURE ACQUITTÉE", "Title"),
        _p(
            f"Facture n° {_e(doc.number)} du {formatting.date(doc.issue_date)} — "
            f"montant total {formatting.money(doc.totals.incl_cents)} TTC."
        ),
        Spacer(1, 4 * mm),
        _parties(doc),
        Spacer(1, 6 * mm),
        _payments_table(payments),
        Spacer(1, 6 * mm),
        _p(
            f"<b>Acquittée le {formatting.date(last)} : nous reconnaissons avoir reçu le "
            f"paiement intégral de cette facture.</b>"
        ),
    ]
    out = io.BytesIO()
    build_pdf(
        out,
        story,
        title=f"Facture acquittée {doc.number}",
        author=doc.seller.name or "Permanence",
        footer_text=footer_text(doc),
    )
    return out.getvalue()


def _payments_table(payments: list[ReceivedPayment]) -> Table:
    rows: list[list[str]] = [["Date", "Mode", "Référence", "Montant"]]
    for p in sorted(payments, key=lambda p: p.paid_on):
        rows.append(
            [
                formatting.date(p.paid_on),
                MODE_LABELS.get(p.mode, p.mode),
                p.reference,
                formatting.money(p.amount_cents),
            ]
        )
    table = Table(rows, colWidths=[30 * mm, 30 * mm, 70 * mm, 30 * mm])
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 9),
                ("FONT", (0, 0), (-1, 0), FONT_BOLD, 9),
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_BG),
                ("ALIGN", (3, 0), (3, -1), "RIGHT"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, GRID),
            ]
        )
    )
    return table

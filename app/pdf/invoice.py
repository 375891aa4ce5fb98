"""The invoice PDF (reportlab): every mandatory mention of docs/architecture.md §7, B2B and B2C.

Made once at validation from :class:`InvoiceDocument`; the CAE's identity is in
the footer of every page with "Page n / N". Drafts carry a "BROUILLON" mark.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Image, KeepTogether, Paragraph, Spacer, Table, TableStyle

from app import formatting
from app.invoicing import einvoicing
from app.invoicing.einvoicing import FINAL
from app.invoicing.facturx import B2B_RECOVERY_INDEMNITY
from app.invoicing.labels import NATURE_ON_INVOICE, ROLE_TITLES
from app.invoicing.printable import InvoiceDocument, Party
from app.pdf.common import FONT, FONT_BOLD, MARGIN, PAGE_SIZE, build_pdf, styles
from app.states import InvoiceKind
from app.validation import display_phone

LINE_FONT_SIZE = 8.5
CELL_PADDING = 12  # reportlab's default 6 pt on each side of a cell
GRID = colors.HexColor("#999999")
HEADER_BG = colors.HexColor("#e8eef4")


def _p(text: str, style: str = "Body") -> Paragraph:
    return Paragraph(text, styles()[style])


def _e(text: str) -> str:
    return escape(text).replace("\n", "<br/>")


def _address(party: Party) -> list[str]:
    lines = [_e(party.address)] if party.address else []
    town = " ".join(p for p in (party.postcode, party.city) if p)
    if town:
        lines.append(_e(town))
    if party.country_code and party.country_code != "FR":
        lines.append(_e(party.country_code))
    return lines


def footer_text(doc: InvoiceDocument) -> str:
    """Three short lines (the right end of the first one holds "Page n / N")."""
    s, x = doc.seller, doc.seller_extras
    form = " ".join(p for p in (x.legal_form, x.capital_wording) if p)  # as in the header
    first = " — ".join(p for p in (s.name, form) if p)
    address = ", ".join(p for p in (s.address, f"{s.postcode} {s.city}".strip()) if p)
    ids = [
        f"SIRET {s.siret}" if s.siret else (f"SIREN {s.siren}" if s.siren else ""),
        f"RCS {x.rcs_city}" if x.rcs_city else "",
        f"NAF {x.naf}" if x.naf else "",
        f"TVA {s.vat_number}" if s.vat_number else "",
    ]
    second = " — ".join(p for p in (address, *ids) if p)
    contact = " — ".join(p for p in (s.email, display_phone(x.phone)) if p)
    return "\n".join(line for line in (first, second, contact) if line)


def _parties(doc: InvoiceDocument) -> Table:
    s, x, b = doc.seller, doc.seller_extras, doc.buyer
    seller = [f"<b>{_e(s.name)}</b>", *_address(s)]
    seller.append(_e(" ".join(p for p in (x.legal_form, x.capital_wording) if p)))
    if s.siret or s.siren:
        seller.append(f"SIRET {_e(s.siret)}" if s.siret else f"SIREN {_e(s.siren)}")
    if x.rcs_city:
        seller.append(f"RCS {_e(x.rcs_city)} {_e(s.siren)}")
    if s.vat_number:
        seller.append(f"N° TVA : {_e(s.vat_number)}")
    buyer = [f"<b>{_e(b.name)}</b>", *_address(b)]
    if b.is_business and b.siren:
        buyer.append(f"SIREN {_e(b.siren)}")
    if b.vat_number:
        buyer.append(f"N° TVA : {_e(b.vat_number)}")
    if b.has_distinct_delivery:
        delivery = Party(
            name="",
            address=b.delivery_address,
            postcode=b.delivery_postcode,
            city=b.delivery_city,
            country_code=b.country_code,
        )
        buyer.append("<br/><b>Adresse de livraison :</b> " + ", ".join(_address(delivery)))
    if b.has_distinct_billing:  # the same words as the XML's BT-22 note (facturx.py)
        buyer.append(
            "<br/><b>Adresse de facturation :</b> "
            + _e(f"{b.billing_address}, {b.billing_postcode} {b.billing_city}")
        )
    table = Table(
        [
            [_p("Émetteur", "Label"), _p("Client", "Label")],
            [_p("<br/>".join(seller)), _p("<br/>".join(buyer))],
        ],
        colWidths=["50%", "50%"],
    )
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 9),  # else reportlab selects unembedded Helvetica
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BOX", (1, 1), (1, 1), 0.5, GRID),
            ]
        )
    )
    return table


def _header(doc: InvoiceDocument) -> list[Flowable]:
    title = "AVOIR" if doc.kind == InvoiceKind.CREDIT_NOTE else ROLE_TITLES.get(doc.role, "FACTURE")
    number = doc.number or "brouillon (pas encore de numéro)"
    story: list[Flowable] = []
    if doc.logo_png:
        try:
            reader = ImageReader(io.BytesIO(doc.logo_png))
            width, height = reader.getSize()
            story.append(
                Image(io.BytesIO(doc.logo_png), width=30 * mm, height=30 * mm * height / width)
            )
        except Exception:
            pass
    story.append(_p(f"{title} n° {_e(number)}", "Title"))
    facts = [f"Date d'émission : {formatting.date(doc.issue_date)}"]
    if doc.sale_date:
        facts.append(f"Date de la vente ou de la prestation : {formatting.date(doc.sale_date)}")
    facts.append(f"Nature de l'opération : {NATURE_ON_INVOICE.get(doc.nature, doc.nature)}")
    if doc.order_reference:
        facts.append(f"Bon de commande n° {_e(doc.order_reference)}")
    if doc.buyer_reference:
        facts.append(f"Votre référence : {_e(doc.buyer_reference)}")
    if doc.role == FINAL and doc.deposits:
        named = ", ".join(
            f"n° {_e(d.number)} du {formatting.date(d.issue_date)}" for d in doc.deposits
        )
        which = "la facture d'acompte" if len(doc.deposits) == 1 else "les factures d'acompte"
        facts.append(f"Facture définitive après acompte : déduit {which} {named}")
    if doc.kind == InvoiceKind.CREDIT_NOTE and doc.credited_number:
        facts.append(
            f"Avoir sur la facture n° {_e(doc.credited_number)} du "
            f"{formatting.date(doc.credited_issue_date)}"
        )
    if doc.activity:
        issued = "Avoir émis" if doc.kind == InvoiceKind.CREDIT_NOTE else "Facture émise"
        facts.append(f"{issued} par la CAE pour l'activité de : {_e(doc.activity)}")
    story += [_p("<br/>".join(facts)), Spacer(1, 4 * mm), _parties(doc), Spacer(1, 6 * mm)]
    return story


def unit_text(unit: str, quantity_e4: int) -> str:
    """The unit agreed with the quantity: "2 forfaits", "1,5 h", "1 pot".

    French plural from 2 on; only whole lowercase words take the "s" (symbols and
    abbreviations such as h, kg, m² never do). Hand-written: Babel has no noun plurals.
    """
    word = unit.strip()
    if (
        abs(quantity_e4) >= 20000
        and len(word) > 2
        and word.isalpha()
        and word.islower()
        and word[-1] not in "sxz"
    ):
        return word + "s"
    return word


def _lines_table(doc: InvoiceDocument) -> Table:
    rows: list[list[Any]] = [
        [_p("Désignation", "Label"), "Qté", "PU HT", "Remise", "TVA", "Total HT"]
    ]
    for line in doc.lines:
        unit = f" {_e(unit_text(line.unit, line.quantity_e4))}" if line.unit else ""
        rows.append(
            [
                _p(_e(line.description)),
                formatting.quantity(line.quantity_e4) + unit,
                formatting.money(line.unit_price_cents),
                formatting.percent_bp(line.discount_bp) if line.discount_bp else "",
                formatting.percent_bp(line.vat_rate_bp),
                formatting.money(line.amounts.net_cents),
            ]
        )
    # Figures keep their natural width; the description takes what is left.
    numeric = [
        max(stringWidth(str(row[col]), FONT_BOLD, LINE_FONT_SIZE) for row in rows) + CELL_PADDING
        for col in range(1, 6)
    ]
    width = PAGE_SIZE[0] - 2 * MARGIN - CELL_PADDING  # the frame's own padding
    table = Table(
        rows,
        colWidths=[max(width - sum(numeric), width * 0.3), *numeric],
        repeatRows=1,
    )
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, LINE_FONT_SIZE),
                ("FONT", (0, 0), (-1, 0), FONT_BOLD, LINE_FONT_SIZE),
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_BG),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, GRID),
            ]
        )
    )
    return table


def _totals(doc: InvoiceDocument) -> Flowable:
    t = doc.totals
    rows: list[list[str]] = [["Taux de TVA", "Base HT", "Montant TVA"]]
    for b in t.breakdown:
        rows.append(
            [
                formatting.percent_bp(b.rate_bp),
                formatting.money(b.base_cents),
                formatting.money(b.vat_cents),
            ]
        )
    rows += [
        ["Total HT", "", formatting.money(t.excl_cents)],
        ["Total TVA", "", formatting.money(t.vat_cents)],
        ["Total TTC", "", formatting.money(t.incl_cents)],
    ]
    table = Table(rows, colWidths=[35 * mm, 35 * mm, 35 * mm], hAlign="RIGHT")
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 9),
                ("FONT", (0, 0), (-1, 0), FONT_BOLD, 9),
                ("FONT", (0, -1), (-1, -1), FONT_BOLD, 10),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                ("LINEABOVE", (0, -3), (-1, -3), 0.5, GRID),
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_BG),
            ]
        )
    )
    return KeepTogether([Spacer(1, 4 * mm), table])


def _conditions(doc: InvoiceDocument) -> list[Flowable]:
    x = doc.seller_extras
    text: list[str] = []
    for wording in exemption_wordings(doc):
        text.append(f"<b>{_e(wording)}</b>")
    if doc.vat_on_debits:
        text.append("Option pour le paiement de la taxe d'après les débits.")
    if doc.kind == InvoiceKind.CREDIT_NOTE:
        # An avoir asks for nothing: it says what it cancels and what is owed back.
        refund = formatting.money(abs(doc.totals.incl_cents))
        original = f" de la facture n° {_e(doc.credited_number)}" if doc.credited_number else ""
        text.append(
            f"<b>Montant de l'avoir : {refund} TTC, à déduire{original}"
            " ou à rembourser au client.</b>"
        )
    else:
        if doc.due_date:
            text.append(f"<b>Date d'échéance du paiement : {formatting.date(doc.due_date)}</b>")
        if doc.payment_terms:
            text.append(f"Conditions de paiement : {_e(doc.payment_terms)}")
        if x.iban:
            text.append(
                f"Règlement par virement — IBAN {_e(x.iban)}"
                + (f" — BIC {_e(x.bic)}" if x.bic else "")
            )
        text.append(_e(x.early_payment_text or "Pas d'escompte pour paiement anticipé."))
        # Late penalties (L441-10) and the 40 € indemnity are B2B mentions only.
        if doc.buyer.is_business and x.late_penalty_text:
            text.append(_e(x.late_penalty_text))
        if doc.buyer.is_business and not _mentions_indemnity(x.late_penalty_text):
            text.append(_e(B2B_RECOVERY_INDEMNITY))
    if doc.notes:
        text.append(_e(doc.notes))
    return [Spacer(1, 6 * mm), _p("<br/>".join(text), "Small" if len(text) > 8 else "Body")]


def exemption_wordings(doc: InvoiceDocument) -> list[str]:
    """The legal wording of each 0 % category on the invoice (exemption article,
    « Autoliquidation »…), as in the XML's BT-120."""
    out: list[str] = []
    for category in dict.fromkeys(ln.vat_category for ln in doc.lines if not ln.vat_rate_bp):
        wording, _code = einvoicing.exemption(category, doc.vat_exemption_text)
        if wording and wording not in out:
            out.append(wording)
    return out


def _mentions_indemnity(text: str) -> bool:
    """Whether the CAE's penalty wording already states the 40 € indemnity (L441-10)."""
    flat = text.replace("\u00a0", " ").replace("\u202f", " ").lower()
    return "40 €" in flat or "40 euros" in flat


def _continuation(doc: InvoiceDocument) -> Callable[[Any, Any], None]:
    """From page 2 on, the number and date at the top of the page (a loose page still
    says which invoice it belongs to)."""
    title = "Avoir" if doc.kind == InvoiceKind.CREDIT_NOTE else "Facture"
    number = doc.number or "brouillon"
    label = f"{title} n° {number} du {formatting.date(doc.issue_date)} (suite)"

    def draw(canvas: Any, page: Any) -> None:
        if doc.is_draft:
            _draft_mark(canvas, page)
        if doc.is_duplicate:
            _duplicate_mark(canvas, page)
        if page.page > 1:
            canvas.saveState()
            canvas.setFont(FONT, 8)
            canvas.drawString(MARGIN, PAGE_SIZE[1] - MARGIN / 2, label)
            canvas.restoreState()

    return draw


def _duplicate_mark(canvas: Any, _doc: Any) -> None:
    canvas.saveState()
    canvas.setFont(FONT_BOLD, 14)
    canvas.setFillColor(colors.Color(0.6, 0.1, 0.1, alpha=1))
    canvas.drawRightString(PAGE_SIZE[0] - MARGIN, PAGE_SIZE[1] - MARGIN / 2, "DUPLICATA")
    canvas.restoreState()


def _draft_mark(canvas: Any, _doc: Any) -> None:
    canvas.saveState()
    canvas.setFont(FONT_BOLD, 60)
    canvas.setFillColor(colors.Color(0.85, 0.2, 0.2, alpha=1))
    canvas.translate(PAGE_SIZE[0] / 2, PAGE_SIZE[1] / 2)
    canvas.rotate(40)
    canvas.drawCentredString(0, 0, "BROUILLON")
    canvas.restoreState()


def render_pdf(doc: InvoiceDocument) -> bytes:
    """The invoice as PDF bytes (not yet Factur-X: see :func:`facturx.embed`)."""
    story = [*_header(doc), _lines_table(doc), _totals(doc), *_conditions(doc)]
    out = io.BytesIO()
    title = f"{'Avoir' if doc.kind == 'avoir' else 'Facture'} {doc.number}".strip()
    build_pdf(
        out,
        story,
        title=title,
        author=doc.seller.name or "Permanence",
        footer_text=footer_text(doc),
        decorate=_continuation(doc),
    )
    return out.getvalue()

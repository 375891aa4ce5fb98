"""Invoice arithmetic: line amounts, totals per VAT rate, overall totals.

Inputs and outputs are integers (cents, ten-thousandths of a unit, basis
points); the intermediate products are exact ``Decimal`` values rounded once.

Rounding rule (EN 16931, also what the French tax administration expects):

1. line gross  = quantity × unit price, rounded to the cent (half-up, i.e.
   half away from zero for negative credit-note lines);
2. line discount = line gross × discount rate, rounded to the cent the same
   way; line net amount (BT-131) = gross − discount;
3. for each VAT rate, the taxable base (BT-116) is the **sum of the line net
   amounts** at that rate, and the VAT (BT-117) is base × rate rounded to the
   cent once — never a sum of per-line VAT amounts (BR-CO-17);
4. total excl. VAT (BT-109) = Σ line nets (BR-CO-10, no document-level
   allowances); total VAT (BT-110) = Σ per-rate VAT (BR-CO-14); total incl.
   VAT (BT-112) = excl + VAT (BR-CO-15).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

QUANTITY_SCALE = 10_000  # quantities are kept in ten-thousandths
BASIS_POINTS = 10_000  # 2000 bp = 20 %

# French VAT rates (CGI art. 278 to 281 nonies), in basis points.
VAT_RATES_BP: tuple[int, ...] = (2000, 1000, 550, 210, 0)


def round_half_up(value: Decimal) -> int:
    """Round to an integer, halves away from zero (Decimal's ROUND_HALF_UP)."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class LineInput:
    quantity_e4: int
    unit_price_cents: int
    vat_rate_bp: int
    discount_bp: int = 0


@dataclass(frozen=True)
class LineAmounts:
    gross_cents: int
    discount_cents: int
    net_cents: int
    vat_rate_bp: int


@dataclass(frozen=True)
class VatBreakdown:
    rate_bp: int
    base_cents: int
    vat_cents: int


@dataclass(frozen=True)
class Totals:
    lines: tuple[LineAmounts, ...]
    breakdown: tuple[VatBreakdown, ...]  # one entry per rate, highest rate first
    excl_cents: int
    vat_cents: int
    incl_cents: int


def line_amounts(line: LineInput) -> LineAmounts:
    gross = round_half_up(
        Decimal(line.quantity_e4) * Decimal(line.unit_price_cents) / QUANTITY_SCALE
    )
    discount = round_half_up(Decimal(gross) * Decimal(line.discount_bp) / BASIS_POINTS)
    return LineAmounts(gross, discount, gross - discount, line.vat_rate_bp)


def vat_for_base(base_cents: int, rate_bp: int) -> int:
    return round_half_up(Decimal(base_cents) * Decimal(rate_bp) / BASIS_POINTS)


def compute_totals(lines: Iterable[LineInput]) -> Totals:
    amounts = tuple(line_amounts(line) for line in lines)
    bases: dict[int, int] = {}
    for amount in amounts:
        bases[amount.vat_rate_bp] = bases.get(amount.vat_rate_bp, 0) + amount.net_cents
    breakdown = tuple(
        VatBreakdown(rate, base, vat_for_base(base, rate))
        for rate, base in sorted(bases.items(), reverse=True)
    )
    excl = sum(a.net_cents for a in amounts)
    vat = sum(b.vat_cents for b in breakdown)
    return Totals(amounts, breakdown, excl, vat, excl + vat)


def parse_amount_cents(text: str) -> int:
    """ "1 234,56" or "1234.5" -> 123456. Raises ValueError on anything else."""
    return _parse_scaled(text, 2)


def parse_quantity_e4(text: str) -> int:
    """ "1,5" -> 15000 (at most 4 decimals)."""
    return _parse_scaled(text, 4)


def _parse_scaled(text: str, decimals: int) -> int:
    cleaned = (
        text.strip().replace("\u202f", "").replace("\u00a0", "").replace(" ", "").replace("€", "")
    )
    cleaned = cleaned.replace(",", ".")
    if not cleaned or cleaned.count(".") > 1:
        raise ValueError(text)
    try:
        value = Decimal(cleaned)
    except ArithmeticError as exc:
        raise ValueError(text) from exc
    if not value.is_finite():
        raise ValueError(text)
    scaled = value.scaleb(decimals)
    if scaled != scaled.to_integral_value():
        raise ValueError(text)
    return int(scaled)


def decimal_text(value: int, decimals: int) -> str:
    """Integer in 10^-decimals units -> plain dot-decimal text for XML: 12345, 2 -> "123.45"."""
    return str(Decimal(value).scaleb(-decimals).quantize(Decimal(1).scaleb(-decimals)))

"""Totals and rounding (EN 16931: VAT per rate on the sum of line net amounts)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.invoicing.money import (
    VAT_RATES_BP,
    LineInput,
    compute_totals,
    line_amounts,
    parse_amount_cents,
    parse_quantity_e4,
    round_half_up,
)

lines_strategy = st.lists(
    st.builds(
        LineInput,
        quantity_e4=st.integers(-(10**9), 10**9).filter(lambda q: q != 0),
        unit_price_cents=st.integers(0, 10**8),
        vat_rate_bp=st.sampled_from(VAT_RATES_BP),
        discount_bp=st.integers(0, 10_000),
    ),
    min_size=1,
    max_size=30,
)


def test_hand_worked_invoice() -> None:
    # 1.5 h × 40,00 € at 20 %; 2 × 12,50 € −10 % at 5.5 %.
    totals = compute_totals([LineInput(15000, 4000, 2000), LineInput(20000, 1250, 550, 1000)])
    assert [(b.rate_bp, b.base_cents, b.vat_cents) for b in totals.breakdown] == [
        (2000, 6000, 1200),
        (550, 2250, 124),  # 22,50 × 5,5 % = 1,2375 → 1,24
    ]
    assert (totals.excl_cents, totals.vat_cents, totals.incl_cents) == (8250, 1324, 9574)


def test_vat_is_computed_on_the_sum_of_lines_not_summed_per_line() -> None:
    # Three lines of 0,07 € at 20 %: per line 0,014 → 0,01 (0,03 in all);
    # on the sum, 0,21 × 20 % = 0,042 → 0,04, which is what EN 16931 requires.
    totals = compute_totals([LineInput(10000, 7, 2000)] * 3)
    assert totals.vat_cents == 4


def test_halves_round_away_from_zero_for_credit_notes_too() -> None:
    assert round_half_up(Decimal("0.5")) == 1
    assert round_half_up(Decimal("-0.5")) == -1
    assert line_amounts(LineInput(-5000, 1, 2000)).gross_cents == -1  # −0,005 € → −0,01 €


@given(lines_strategy)
def test_totals_follow_the_en16931_sums(lines: list[LineInput]) -> None:
    totals = compute_totals(lines)
    assert totals.excl_cents == sum(a.net_cents for a in totals.lines)  # BR-CO-10
    assert totals.vat_cents == sum(b.vat_cents for b in totals.breakdown)  # BR-CO-14
    assert totals.incl_cents == totals.excl_cents + totals.vat_cents  # BR-CO-15
    for b in totals.breakdown:
        assert b.base_cents == sum(a.net_cents for a in totals.lines if a.vat_rate_bp == b.rate_bp)
        exact = Decimal(b.base_cents) * b.rate_bp / 10_000
        assert abs(Decimal(b.vat_cents) - exact) <= Decimal("0.5")  # BR-CO-17 rounding
    assert len({b.rate_bp for b in totals.breakdown}) == len(totals.breakdown)


@given(lines_strategy)
def test_each_line_is_rounded_to_the_nearest_cent(lines: list[LineInput]) -> None:
    for line, amounts in zip(lines, compute_totals(lines).lines, strict=True):
        exact = Decimal(line.quantity_e4) * line.unit_price_cents / 10_000
        assert abs(amounts.gross_cents - exact) <= Decimal("0.5")
        assert amounts.net_cents == amounts.gross_cents - amounts.discount_cents
        assert abs(amounts.discount_cents) <= abs(amounts.gross_cents)


@given(lines_strategy)
def test_a_credit_note_of_the_same_lines_is_the_exact_opposite(lines: list[LineInput]) -> None:
    negated = [
        LineInput(-ln.quantity_e4, ln.unit_price_cents, ln.vat_rate_bp, ln.discount_bp)
        for ln in lines
    ]
    a, b = compute_totals(lines), compute_totals(negated)
    assert (b.excl_cents, b.vat_cents, b.incl_cents) == (-a.excl_cents, -a.vat_cents, -a.incl_cents)


@given(st.integers(-(10**12), 10**12))
def test_amount_text_round_trips(cents: int) -> None:
    text = f"{cents / 100:.2f}".replace(".", ",") if abs(cents) < 10**15 else ""
    assert parse_amount_cents(str(Decimal(cents).scaleb(-2))) == cents
    assert parse_amount_cents(text) == cents


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 234,56 €", 123456),
        ("12", 1200),
        ("0,5", 50),
        ("1\u202f000,00", 100000),
    ],
)
def test_amounts_typed_the_french_way(text: str, expected: int) -> None:
    assert parse_amount_cents(text) == expected


@pytest.mark.parametrize("text", ["", "abc", "1,234", "1,2,3", "nan", "inf"])
def test_bad_amounts_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_amount_cents(text)


def test_quantities_keep_four_decimals() -> None:
    assert parse_quantity_e4("1,5") == 15000
    assert parse_quantity_e4("0,0001") == 1
    with pytest.raises(ValueError):
        parse_quantity_e4("0,00001")

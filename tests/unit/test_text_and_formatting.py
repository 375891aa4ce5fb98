import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from app import formatting
from app.text import MAX_SEARCH_WORDS, fold, search_patterns


def test_fold_ignores_accents_and_case() -> None:
    assert fold("Hélène  DUPRÉ-Œuvrard") == "helene dupre-oeuvrard"


@given(st.text())
def test_fold_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)


def test_money_is_french_with_grouping_and_comma() -> None:
    assert formatting.money(123456).replace("\u202f", " ").replace("\xa0", " ") == "1 234,56 €"
    assert formatting.money(-5).replace("\xa0", " ") == "-0,05 €"


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_money_round_trips_every_cent(cents: int) -> None:
    shown = formatting.money(cents).replace("\u202f", "").replace("\xa0", "").replace("€", "")
    assert round(float(shown.replace(",", ".").replace("\u2212", "-")) * 100) == cents


def test_dates_are_french() -> None:
    assert formatting.date(dt.date(2026, 11, 26)) == "26/11/2026"
    assert formatting.date(dt.date(2026, 11, 26), "full") == "jeudi 26 novembre 2026"


def test_quantities_and_rates() -> None:
    assert formatting.quantity(15000) == "1,5"
    assert formatting.percent_bp(550) == "5,5\u00a0%"


def test_search_words_are_patterns_each_needed_once() -> None:
    # A repeated word, or one inside another typed word, adds nothing to "every word".
    assert search_patterns("Gar  garnier GARNIER ines") == ["%garnier%", "%ines%"]
    # LIKE's own characters are literal.
    assert search_patterns("100% a_b") == ["%100\\%%", "%a\\_b%"]
    assert search_patterns("  ") == []


def test_a_pasted_page_keeps_the_most_selective_words() -> None:
    pasted = " ".join(f"m{n}" for n in range(1000)) + " boulangerie"
    patterns = search_patterns(pasted)
    assert len(patterns) == MAX_SEARCH_WORDS
    assert patterns[0] == "%boulangerie%"
    assert all(len(p) == len("%m999%") for p in patterns[1:])

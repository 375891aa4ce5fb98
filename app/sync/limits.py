"""Value limits of synced fields, shared by the laptop and the siège (docs/authority.md).

The codec (:mod:`app.sync.codec`) applies them to every value a laptop pushes and to
every row it pulls, so a value one side accepts is one the other can use. Each limit is
at least as wide as what the laptop's own forms accept (a valid edit is never refused)
and narrow enough that no stored value breaks another laptop's screens or totals.
"""

from __future__ import annotations

import datetime as dt
import re

# Dates and datetimes: a birth date may be old, a due date a few years ahead; nothing a
# person enters lies outside this window.
MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2100, 12, 31)

# Money in cents: a line's unit price is at most 1 billion euros on the laptop
# (app/invoicing/drafts.py MAX_PRICE_CENTS), quantities at most 10^12 (x 10^-4).
PRICE_CENTS = 10**11
QUANTITY_E4 = 10**12
AMOUNT_CENTS = 10**15  # totals and payments: far above any invoice, far below int64

# (table, field) -> inclusive (low, high). Fields absent here keep the column's own
# range (64-bit integers).
INT_RANGES: dict[tuple[str, str], tuple[int, int]] = {
    # The laptop's identity form accepts 0-60 days (app/invoicing/cae_identity.py).
    ("cae_identity", "payment_terms_days"): (0, 365),
    ("workshop_theme", "default_duration_minutes"): (0, 24 * 60),
    ("activity", "capacity"): (0, 100_000),
    ("followup_interview", "duration_minutes"): (0, 24 * 60),
    ("parcours_stage", "renewals"): (0, 1000),
    ("permanence", "weekday"): (0, 7),
    ("option_item", "position"): (-1_000_000, 1_000_000),
    ("invoice_series", "year"): (0, MAX_DATE.year),
    ("invoice_series", "last_number"): (0, 10**9),
    ("invoice", "sequence"): (0, 10**9),
    ("invoice", "total_excl_cents"): (-AMOUNT_CENTS, AMOUNT_CENTS),
    ("invoice", "total_vat_cents"): (-AMOUNT_CENTS, AMOUNT_CENTS),
    ("invoice", "total_incl_cents"): (-AMOUNT_CENTS, AMOUNT_CENTS),
    ("invoice_line", "position"): (0, 1_000_000),
    ("invoice_line", "quantity_e4"): (-QUANTITY_E4, QUANTITY_E4),
    ("invoice_line", "unit_price_cents"): (-PRICE_CENTS, PRICE_CENTS),
    ("invoice_line", "vat_rate_bp"): (0, 10_000),
    ("invoice_line", "discount_bp"): (0, 10_000),
    ("payment", "amount_cents"): (-AMOUNT_CENTS, AMOUNT_CENTS),
}

# Where an issued invoice's PDF sits, relative to the profile's documents/ folder
# (app/invoicing/storage.py writes "factures/<year>/<number>.pdf"): plain segments of
# safe characters, never absolute, never "..".
_SEGMENT = r"[A-Za-z0-9+_\-][A-Za-z0-9+_.\-]{0,119}"
PDF_PATH = re.compile(rf"^{_SEGMENT}(/{_SEGMENT}){{0,7}}$")
SHA256 = re.compile(r"^[0-9a-f]{64}$")
UUID_PATTERN = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def int_range(table: str, field: str) -> tuple[int, int] | None:
    return INT_RANGES.get((table, field))


def is_document_path(value: str) -> bool:
    """A relative path under documents/ (empty means "no file yet")."""
    return value == "" or (
        PDF_PATH.match(value) is not None and ".." not in value.split("/") and "/." not in value
    )


def has_lone_surrogate(value: str) -> bool:
    # JSON allows "\ud800"; no database or file can store it. Encoding is the fast test
    # (ASCII text, most values, cannot hold one: skipped).
    if value.isascii():
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False

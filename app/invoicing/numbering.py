"""Number series: continuous, gapless, never reused, dates never going backwards.

A number is taken inside the validating transaction, which SQLite opened with
``BEGIN IMMEDIATE`` (``app.db``): the series row is read and bumped while this
connection holds the database write lock, so two validations — threads or
processes — are serialised, and a crash before commit gives the number back
with the rest of the transaction. Numbers are never pre-allocated in blocks.

Format: ``PREFIX-YYYY-NNNNN`` (credit notes in their own series:
``PREFIX-AV-YYYY-NNNNN``), at most 35 characters of ``[A-Za-z0-9+-_/]``
(EN 16931 BT-1 and the French rules BR-FR-01/02 on invoice numbers).

The prefix is the device's (``device_identity.series_prefix``). A profile used alone
gets its own when it is created (:func:`local_prefix`: ``L`` and five characters of its
random device id, ``L3F9A2``), so that two laptops enrolled later never print the same
numbers; at enrolment the siège gives the prefix the laptop numbers in from then on
(docs/authority.md, "Invoices issued before enrolment"). Profiles created before kept
``LOC`` (:data:`DEFAULT_PREFIX`), still accepted.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import ConflictError, ValidationError
from app.models import CaeIdentity, DeviceIdentity, InvoiceSeries
from app.states import InvoiceKind

NUMBER_PATTERN = re.compile(r"^[A-Za-z0-9+\-_/]{1,35}$")
PREFIX_PATTERN = re.compile(r"^[A-Za-z0-9]{1,12}$")
DEFAULT_PREFIX = "LOC"  # profiles created before each had its own
CREDIT_NOTE_MARK = "AV"
LOCAL_MARK = "L"
LOCAL_LENGTH = 5
# The siège's prefixes: three letters of a town and a number (siege/devices.py).
_SIEGE_MADE = re.compile(r"^[A-Z]{3}[0-9]+$")


@dataclass(frozen=True)
class NumberingRules:
    prefix: str
    restart_yearly: bool
    credit_notes_own_series: bool


def rules(session: Session) -> NumberingRules:
    device = session.scalars(select(DeviceIdentity).limit(1)).first()
    prefix = device.series_prefix if device is not None and device.series_prefix else None
    identity = session.scalars(
        select(CaeIdentity).where(CaeIdentity.deleted_at.is_(None)).limit(1)
    ).first()
    return NumberingRules(
        prefix=prefix or DEFAULT_PREFIX,
        restart_yearly=identity.numbering_restarts_yearly if identity is not None else True,
        credit_notes_own_series=(
            identity.credit_notes_own_series if identity is not None else False
        ),
    )


def local_prefix(device_id: str) -> str:
    """The prefix a new profile numbers in before enrolment: ``L`` and five characters of
    its device id's random end (a UUIDv7 begins with the time, shared by profiles made
    together), never of the siège's shape (three letters and a number), so it collides
    with no prefix the siège hands out. Two profiles share one with odds of about one in
    a million per pair; enrolling the second is then refused (``local_series_taken``)
    and nothing is lost."""
    digits = re.sub(r"[^0-9A-Z]", "", device_id.upper())
    # Of two windows one character apart, one at most has the siège's shape.
    for end in range(len(digits), LOCAL_LENGTH - 1, -1):
        prefix = LOCAL_MARK + digits[end - LOCAL_LENGTH : end]
        if not _SIEGE_MADE.match(prefix):
            return prefix
    return LOCAL_MARK + digits.rjust(LOCAL_LENGTH, "0")


def format_number(prefix: str, kind: str, year: int, sequence: int) -> str:
    parts = [prefix]
    if kind == InvoiceKind.CREDIT_NOTE:
        parts.append(CREDIT_NOTE_MARK)
    parts += [f"{year:04d}", f"{sequence:05d}"]
    number = "-".join(parts)
    if not NUMBER_PATTERN.match(number):
        raise ValidationError.single("number", "invalid_invoice_number", number=number)
    return number


@dataclass(frozen=True)
class Allocation:
    series_id: str
    sequence: int
    number: str


def next_number(session: Session, kind: str, issue_date: dt.date) -> Allocation:
    """Take the next number of this device's series for ``kind`` (facture | avoir).

    Must run inside the validating transaction; the caller commits. Refuses a
    date earlier than the last one issued in the series (chronological order).
    """
    numbering = rules(session)
    if not PREFIX_PATTERN.match(numbering.prefix):
        raise ValidationError.single("prefix", "invalid_series_prefix", prefix=numbering.prefix)
    series_kind = (
        InvoiceKind.CREDIT_NOTE
        if kind == InvoiceKind.CREDIT_NOTE and numbering.credit_notes_own_series
        else "facture"
    )
    series = session.scalars(
        select(InvoiceSeries).where(
            InvoiceSeries.prefix == numbering.prefix, InvoiceSeries.kind == series_kind
        )
    ).first()
    if series is None:
        device = session.scalars(select(DeviceIdentity).limit(1)).first()
        series = InvoiceSeries(
            prefix=numbering.prefix,
            kind=series_kind,
            device_id=device.device_id if device is not None else "",
            year=0,
            last_number=0,
        )
        session.add(series)
    if series.last_issue_date is not None and issue_date < series.last_issue_date:
        raise ConflictError(
            "issue_date_before_last",
            last_issue_date=series.last_issue_date.isoformat(),
            issue_date=issue_date.isoformat(),
        )
    if numbering.restart_yearly and series.year != issue_date.year:
        series.year = issue_date.year
        series.last_number = 0
    elif not numbering.restart_yearly and series.year == 0:
        series.year = issue_date.year
    series.last_number += 1
    series.last_issue_date = issue_date
    session.flush()
    return Allocation(
        series.id,
        series.last_number,
        format_number(numbering.prefix, series_kind, issue_date.year, series.last_number),
    )

"""Business rules the siège enforces on pushed changes (docs/authority.md, French
invoicing law): who may write each table (siege/authority.py), a number series and
everything issued in it belong to one device, an issued invoice never changes, and
every issued number belongs to its series' prefix, year and sequence.

Two laptops validating the same draft offline is not refused: numbers cannot be
taken back, so the second issue is kept as its own invoice (a *fork*) and shown
as a conflict proposing a credit note.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import and_, func, select

from app.ids import deterministic_id
from app.invoicing.numbering import CREDIT_NOTE_MARK
from app.models.base import Base
from app.sync.protocol import ISSUED_STATUS
from siege import erasure, local_series
from siege.authority import Authority, Rejected, action_of

__all__ = ["FORK", "ISSUED_MUTABLE", "Authority", "Rejected", "action_of", "check"]

# Fields of an issued invoice a device may still write: its bookkeeping stamps and the
# derived search key. Where its PDF sits (and the file's hash) is written once, when
# still empty, by the issuing device. Everything printed is frozen.
ISSUED_MUTABLE = frozenset({"updated_at", "updated_by", "search_key"})
WRITE_ONCE = frozenset({"pdf_path", "pdf_sha256"})
SERIES_FROZEN = frozenset({"prefix", "kind", "device_id"})
FORK = "fork"


def check(
    auth: Authority,
    table: str,
    current: dict[str, Any] | None,
    fields: dict[str, Any],
    *,
    row_id: str,
    freeze: bool = False,
    issued_now: frozenset[str] | set[str] = frozenset(),
) -> str | None:
    """Raise Rejected when the change breaks a rule; return FORK for a double issue.

    ``freeze`` marks the whole row as issued (invoice at validation, then its lines);
    lines may be frozen only with their invoice, issued in the same batch.
    ``issued_now`` is kept for the caller's signature; the authority tracks issues
    itself (a re-sent freeze of an invoice issued earlier must not open it again)."""
    del issued_now
    if freeze:
        if table == "invoice":
            return _check_invoice_freeze(auth, row_id, current, fields)
        if table == "invoice_line":
            _check_line_freeze(auth, current, fields)
            return None
        raise Rejected("freeze_out_of_issue")
    auth.check_scope(table, current, fields)
    erasure.check_final(table, current, fields)
    if table == "invoice_series":
        _check_series(auth, current, fields)
    elif table == "invoice":
        return _check_invoice(auth, row_id, current, fields)
    elif table == "invoice_line":
        _check_line(auth, current, fields)
    elif table == "payment":
        invoices = {fields.get("invoice_id"), (current or {}).get("invoice_id")} - {None}
        if not all(_may_record_payment(auth, auth.row("invoice", i)) for i in invoices):
            raise Rejected("invoice_of_another_device")
    return None


def _check_series(auth: Authority, current: dict[str, Any] | None, fields: dict[str, Any]) -> None:
    if current is None:
        if fields.get("device_id") != auth.device_id:
            raise Rejected("series_of_another_device")
        if fields.get("prefix") != auth.dev.series_prefix:
            raise Rejected("series_prefix_of_another_device")
        return
    if current["device_id"] != auth.device_id:
        raise Rejected("series_of_another_device")
    if any(f in SERIES_FROZEN and current.get(f) != v for f, v in fields.items()):
        raise Rejected("series_owner_change")
    merged = {**current, **fields}
    year, last = merged.get("year"), merged.get("last_number")
    if isinstance(year, int) and isinstance(last, int):
        yearly = auth.restarts_yearly()
        if not local_series.may_count(auth.conn, str(current["id"]), year, last, yearly):
            raise Rejected("adopted_series_closed")


def _may_write_invoice(auth: Authority, invoice: dict[str, Any] | None) -> bool:
    """An issued invoice (and its lines, payments) is its series owner's; a draft is the
    antenne's that follows its entrepreneur, and a draft naming a series (the laptop's
    never does: the series is given at the issue) must name one of the device's too. A
    series does not make a draft the device's: a draft put in its own series for a
    person of another antenne was accepted, and then read the person's row and client."""
    if invoice is None:
        return True  # not on the siège: the insert's foreign key refuses it
    if invoice.get("status") == ISSUED_STATUS:
        return auth.owns_series(invoice.get("series_id"))
    if invoice.get("series_id") and not auth.owns_series(invoice["series_id"]):
        return False
    return auth.follows_person(invoice.get("entrepreneur_id"))


def _may_record_payment(auth: Authority, invoice: dict[str, Any] | None) -> bool:
    """A payment received is a fact about an invoice, not a change to it: the issuing
    device records it, and so does any laptop of the antenne that follows the
    entrepreneur (the client may pay at another permanence). Two laptops recording the
    same payment offline both stand and the over-payment is listed for review
    (docs/sync.md)."""
    if _may_write_invoice(auth, invoice):
        return True
    return invoice is not None and auth.follows_person(invoice.get("entrepreneur_id"))


def _check_invoice(
    auth: Authority, row_id: str, current: dict[str, Any] | None, fields: dict[str, Any]
) -> str | None:
    if current is not None and current["status"] == ISSUED_STATUS:
        changed = {f for f, v in fields.items() if f not in ISSUED_MUTABLE and current.get(f) != v}
        if not changed:
            return None
        number = fields.get("number")
        if fields.get("status") == ISSUED_STATUS and number and number != current["number"]:
            # The same draft issued on a second laptop: a second invoice of its own.
            merged = {**current, **fields}
            fork_id = deterministic_id("invoice-fork", str(current["id"]), str(number))
            _check_number(auth, fork_id, merged)
            auth.issued_here.add(fork_id)
            return FORK
        if changed <= WRITE_ONCE:
            _check_document(auth, current, fields)
            return None
        raise Rejected("issued_invoice_immutable")
    if current is not None and not _may_write_invoice(auth, current):
        raise Rejected("invoice_of_another_device")
    merged = {**(current or {}), **fields}
    if not _may_write_invoice(auth, merged):
        raise Rejected("invoice_of_another_device")
    if "client_id" in fields:
        _check_client(auth, merged)
    if {"deposit_invoice_id", "deposit_invoice_ids"} & set(fields):
        _check_deposits(auth, merged)
    if merged.get("status") == ISSUED_STATUS and not merged.get("number"):
        raise Rejected("issued_invoice_without_number")
    if merged.get("number"):
        _check_number(auth, row_id, merged)
    if merged.get("status") == ISSUED_STATUS:
        auth.issued_here.add(row_id)
    return None


def _check_client(auth: Authority, merged: dict[str, Any]) -> None:
    """An invoice's client is its entrepreneur's (the laptop checks it too:
    app/invoicing/drafts.py); otherwise a laptop could name another antenne's client on
    an invoice of its own and then receive that client's row (docs/authority.md). A
    client of another person the device follows is let through: two records of one
    person being merged on the laptop re-point clients and invoices in either order."""
    owner = auth.value("client", merged.get("client_id"), "entrepreneur_id")
    if owner is None or owner == merged.get("entrepreneur_id"):
        return  # absent: the insert's foreign key refuses it
    if not auth.follows_person(owner):
        raise Rejected("client_of_another_entrepreneur")


def _check_deposits(auth: Authority, merged: dict[str, Any]) -> None:
    """A final invoice deducts its own entrepreneur's deposit invoices (BG-3; the laptop
    checks it too: app/invoicing/deposits.py): the preceding invoices it prints and
    reports must be that entrepreneur's, not numbers taken from someone else's."""
    listed: Any = merged.get("deposit_invoice_ids") or "[]"
    try:
        ids = json.loads(listed) if isinstance(listed, str) else listed
    except ValueError:
        raise Rejected("deposit_of_another_entrepreneur") from None
    if not isinstance(ids, list):
        raise Rejected("deposit_of_another_entrepreneur")
    for deposit_id in {*ids, merged.get("deposit_invoice_id")} - {None, ""}:
        owner = auth.value("invoice", str(deposit_id), "entrepreneur_id")
        if owner is not None and owner != merged.get("entrepreneur_id"):
            raise Rejected("deposit_of_another_entrepreneur")


def _check_document(auth: Authority, current: dict[str, Any], fields: dict[str, Any]) -> None:
    """pdf_path and pdf_sha256 of an issued invoice: set once, by its issuing device."""
    if not auth.owns_series(current.get("series_id")):
        raise Rejected("invoice_of_another_device")
    for name in WRITE_ONCE & set(fields):
        if current.get(name) and current[name] != fields[name]:
            raise Rejected("issued_invoice_immutable")


def _check_number(auth: Authority, row_id: str, merged: dict[str, Any]) -> None:
    """The number is ``<series prefix>-[AV-]<issue year>-<sequence>``, in a series of
    this device, for an entrepreneur its antenne follows; its sequence is free in the
    series (and year) and at most one past the highest the siège holds (a laptop
    restored from a backup may lag behind and is refused a reused number; it never
    skips ahead); in a series adopted at enrolment, among those issued before it."""
    series_id = merged.get("series_id")
    if not auth.owns_series(series_id):
        raise Rejected("series_of_another_device")
    issue_date, sequence = merged.get("issue_date"), merged.get("sequence")
    if not isinstance(issue_date, dt.date) or not isinstance(sequence, int) or sequence < 1:
        raise Rejected("number_without_issue_date_or_sequence")
    # A series issued in before enrolment and adopted is closed beyond the numbers the
    # laptop declared at /enroll (siege/local_series.py): a new one there is not its own.
    if not local_series.may_number(auth.conn, str(series_id), issue_date.year, sequence):
        raise Rejected("adopted_series_closed")
    # Followed on the issue date, not necessarily today: the person may have moved to
    # another antenne while the invoice waited on an offline laptop (docs/authority.md).
    if not auth.followed_on(merged.get("entrepreneur_id"), issue_date):
        raise Rejected("person_of_another_antenne")
    prefix = auth.value("invoice_series", series_id, "prefix")
    # The mark follows the series, not the document: a CAE whose credit notes share the
    # invoices' series numbers them PREFIX-YYYY-NNNNN (app/invoicing/numbering.py).
    series_kind = auth.value("invoice_series", series_id, "kind")
    mark = f"{CREDIT_NOTE_MARK}-" if series_kind == "avoir" else ""
    if merged["number"] != f"{prefix}-{mark}{issue_date.year:04d}-{sequence:05d}":
        raise Rejected("number_not_of_its_series")
    inv = Base.metadata.tables["invoice"]
    where = [inv.c.series_id == series_id, inv.c.number.is_not(None), inv.c.id != row_id]
    if auth.restarts_yearly():
        year = issue_date.year
        where.append(inv.c.issue_date.between(dt.date(year, 1, 1), dt.date(year, 12, 31)))
    highest, reused = auth.conn.execute(
        select(
            func.max(inv.c.sequence),
            func.count().filter(inv.c.sequence == sequence),
        ).where(and_(*where))
    ).one()
    if reused:
        raise Rejected("number_already_used")
    if sequence > int(highest or 0) + 1:
        raise Rejected("number_skips_ahead")


def _check_invoice_freeze(
    auth: Authority, row_id: str, current: dict[str, Any] | None, fields: dict[str, Any]
) -> str | None:
    if fields.get("status") != ISSUED_STATUS or not fields.get("number"):
        raise Rejected("freeze_of_unissued_invoice")
    if current is not None and current["status"] == ISSUED_STATUS:
        if current["number"] != fields["number"]:
            merged = {**current, **fields}
            fork_id = deterministic_id("invoice-fork", str(current["id"]), str(fields["number"]))
            _check_number(auth, fork_id, merged)
            auth.issued_here.add(fork_id)
            return FORK
        # The same issue sent again (a lost answer): only if it is this device's and
        # changes nothing printed.
        if not auth.owns_series(current.get("series_id")):
            raise Rejected("issued_invoice_immutable")
        changed = {f for f, v in fields.items() if f not in ISSUED_MUTABLE and current.get(f) != v}
        if changed - WRITE_ONCE:
            raise Rejected("issued_invoice_immutable")
        _check_document(auth, current, fields)
        return None
    # Issuing a draft: the number's checks decide (its series is this device's and the
    # entrepreneur was followed on the issue date), not who may edit the draft today.
    _check_number(auth, row_id, {**(current or {}), **fields})
    auth.issued_here.add(row_id)
    return None


def _check_line_freeze(
    auth: Authority, current: dict[str, Any] | None, fields: dict[str, Any]
) -> None:
    if fields.get("invoice_id") not in auth.issued_here:
        raise Rejected("freeze_out_of_issue")
    if current is not None and current["invoice_id"] != fields["invoice_id"]:
        raise Rejected("issued_invoice_immutable")


def _check_line(auth: Authority, current: dict[str, Any] | None, fields: dict[str, Any]) -> None:
    parents = {fields.get("invoice_id"), current["invoice_id"] if current else None} - {None}
    for parent_id in parents:
        parent = auth.row("invoice", parent_id)
        if not _may_write_invoice(auth, parent):
            raise Rejected("invoice_of_another_device")
        if parent is None or parent["status"] != ISSUED_STATUS:
            continue
        if current is not None and all(current.get(f) == v for f, v in fields.items()):
            continue
        # A line created with its invoice, issued in this very batch, is part of the
        # issue itself; anything else would change a frozen invoice.
        if current is None and parent_id in auth.issued_here:
            continue
        raise Rejected("issued_invoice_immutable")

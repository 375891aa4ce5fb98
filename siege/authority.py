"""Who may write what on the siège: device roles and antenne scopes (docs/authority.md).

One :class:`Authority` lives for one pushed batch. It knows the pushing device, the
antennes the device works for, and caches the few rows the rules look up (a person's
antenne, an activity's, an invoice series' owner) so a batch of 500 operations costs a
handful of queries, not one per field. A row the batch itself changes is dropped from
the cache (:meth:`Authority.applied`), so a later operation sees the new state.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import Connection, insert, select

from app.clock import utcnow
from app.models.base import Base
from siege.devices import ACCOMPAGNATEUR, SIEGE, DeviceRecord
from siege.tables import audit

_MISSING = object()
_AUDIT_INSERT = insert(audit)

# Reference data and the CAE's identity: printed on invoices, reported to funders,
# shared by every antenne. Only the siège's administrator (CLI) or a "siege" device.
# cae_logo: every logo the CAE has had, kept with the identity (app/invoicing/cae_identity.py).
REFERENCE = frozenset(
    {"cae_identity", "cae_logo", "antenne", "permanence", "option_item", "funder"}
)
# The workshop catalogue: themes are created on laptops (app/workshops/workshop_catalogue.py).
CATALOGUE = frozenset({"workshop_theme"})
# Rows hanging off one person, and the field naming that person.
PERSON_CHILDREN = {
    "parcours_stage": "person_id",
    "intake_interview": "person_id",
    "followup_interview": "person_id",
    "appointment": "person_id",
    "client": "entrepreneur_id",
}
# Rows of one workshop session, and the field naming it (or naming its slot).
ACTIVITY_CHILDREN = {"activity_slot": "activity_id", "activity_funder": "activity_id"}
WORKSHOP_PERSON = {"registration": "activity_id", "attendance": "slot_id"}
INVOICING = frozenset({"invoice_series", "invoice", "invoice_line", "payment"})
# Written by the siège itself, never by a device: the statuses its e-invoicing worker
# reads from the plateforme agréée (siege/einvoicing/publish.py, docs/einvoicing.md).
# And what the PA directory says of each client (siege/einvoicing/directory.py).
SIEGE_WRITTEN = frozenset({"invoice_pa_status", "client_directory"})
# Signed half-days (issue 16): insert-only signatures, frozen once countersigned, and
# the seals the siège's sealing worker writes (siege/signature_rules.py, siege/sealing.py).
SIGNED = frozenset({"attendance_signature", "sheet_seal"})


class Rejected(Exception):
    """A rule broken: the batch is refused with this reason (409)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


def action_of(current: dict[str, Any] | None, fields: dict[str, Any], freeze: bool) -> str:
    if freeze:
        return "freeze"
    if current is None:
        return "create"
    if fields.get("deleted_at") is not None and current.get("deleted_at") is None:
        return "delete"
    return "update"


class Authority:
    def __init__(self, conn: Connection, dev: DeviceRecord) -> None:
        assert dev.device_id is not None
        self.conn = conn
        self.dev = dev
        self.device_id: str = dev.device_id
        self.issued_here: set[str] = set()
        self._antennes: frozenset[str] | None = None
        # (table, row id) -> {column: value}; "*" holds the whole row (or None).
        self._cache: dict[tuple[str, str], dict[str, Any]] = {}
        self._restarts_yearly: bool | None = None
        # One timestamp per batch: its operations are applied in one transaction.
        self._applied_at = utcnow()

    # -- look-ups (cached for the batch) ------------------------------------------------
    def value(self, table: str, row_id: Any, column: str) -> Any:
        """One column of one row, or None when the row is absent."""
        if not row_id:
            return None
        known = self._cache.setdefault((table, str(row_id)), {})
        found = known.get(column, _MISSING)
        if found is _MISSING:
            t = Base.metadata.tables[table]
            found = self.conn.execute(select(t.c[column]).where(t.c.id == row_id)).scalar()
            known[column] = found
        return found

    def row(self, table: str, row_id: Any) -> dict[str, Any] | None:
        if not row_id:
            return None
        known = self._cache.setdefault((table, str(row_id)), {})
        found = known.get("*", _MISSING)
        if found is _MISSING:
            t = Base.metadata.tables[table]
            hit = self.conn.execute(select(t).where(t.c.id == row_id)).mappings().first()
            found = dict(hit) if hit is not None else None
            known["*"] = found
        return found  # type: ignore[no-any-return]

    def applied(self, table: str, row_id: str) -> None:
        """The batch changed this row: forget what was cached about it."""
        self._cache.pop((table, row_id), None)
        if table in ("antenne", "permanence"):
            self._antennes = None
        if table == "cae_identity":
            self._restarts_yearly = None

    def antennes(self) -> frozenset[str]:
        """Ids of the antennes this device works for: each of its towns is an antenne's
        name, or a permanence's town (resolved to the permanence's antenne)."""
        if self._antennes is None:
            from siege.scope import antenne_ids

            self._antennes = antenne_ids(self.conn, self.dev.towns)
        return self._antennes

    def restarts_yearly(self) -> bool:
        if self._restarts_yearly is None:
            identity = Base.metadata.tables["cae_identity"]
            flag = self.conn.execute(
                select(identity.c.numbering_restarts_yearly)
                .where(identity.c.deleted_at.is_(None))
                .limit(1)
            ).scalar()
            self._restarts_yearly = True if flag is None else bool(flag)
        return self._restarts_yearly

    # -- scopes -------------------------------------------------------------------------
    def follows_antenne(self, antenne_id: Any) -> bool:
        """A row of no antenne is everyone's; otherwise the device's antennes only."""
        return antenne_id is None or antenne_id in self.antennes()

    def follows_person(self, person_id: Any) -> bool:
        if person_id is None:
            return True
        if self.value("person", person_id, "id") is None:
            return True  # not on the siège: the insert's foreign key refuses it
        return self.follows_antenne(self.value("person", person_id, "antenne_id"))

    def followed_on(self, person_id: Any, day: dt.date) -> bool:
        """Did the device's antennes follow the person on ``day``? Today's antenne, or the
        attachment valid that day (``person_attachment``, docs/indicators.md): an invoice
        issued offline before the person moved away was this device's to issue, and its
        number must reach the siège or the series would have a gap (DESIGN §5)."""
        if self.follows_person(person_id):
            return True
        t = Base.metadata.tables["person_attachment"]
        rows = self.conn.execute(
            select(t.c.antenne_id, t.c.valid_from)
            .where(t.c.person_id == person_id, t.c.deleted_at.is_(None), t.c.valid_from <= day)
            .order_by(t.c.valid_from.desc(), t.c.id.desc())
        ).all()
        # The attachment valid at the start of the day, and any that began that day (a
        # move on the day of the issue: either antenne may have issued it).
        for antenne_id, valid_from in rows:
            if self.follows_antenne(antenne_id):
                return True
            if valid_from < day:
                return False
        return False

    def may_attach(self, person_id: Any, row_id: Any) -> bool:
        """May write an attachment of this person (``person_attachment``): a device
        following the person, or the antenne of the person's latest other attachment
        (the one a move leaves, pushed before or after the person's row); a person's
        first attachment also by the device that added the person (written with it, as
        anyone may add a person), not by any device: a first attachment naming its own
        antenne would let it issue invoices for the person (:meth:`followed_on`)."""
        if self.follows_person(person_id):
            return True
        t = Base.metadata.tables["person_attachment"]
        query = select(t.c.antenne_id).where(t.c.person_id == person_id, t.c.deleted_at.is_(None))
        if row_id:
            query = query.where(t.c.id != row_id)
        previous = self.conn.execute(
            query.order_by(t.c.valid_from.desc(), t.c.id.desc()).limit(1)
        ).first()
        if previous is None:
            return self.created_person(person_id)
        return self.follows_antenne(previous[0])

    def created_person(self, person_id: Any) -> bool:
        """Did this device add the person (its audited create, as the read scope's
        "this device created the person", siege/scope_model.py)?"""
        found = self.conn.execute(
            select(audit.c.seq)
            .where(
                audit.c.device_id == self.device_id,
                audit.c.table_name == "person",
                audit.c.row_id == str(person_id),
                audit.c.action == "create",
            )
            .limit(1)
        ).first()
        return found is not None

    def runs_activity(self, activity_id: Any) -> bool:
        permanence_id = self.value("activity", activity_id, "permanence_id")
        if permanence_id is None:
            return True
        return self.follows_antenne(self.value("permanence", permanence_id, "antenne_id"))

    def owns_series(self, series_id: Any) -> bool:
        return bool(series_id) and self.value("invoice_series", series_id, "device_id") == (
            self.device_id
        )

    # -- the check ----------------------------------------------------------------------
    def check_scope(
        self, table: str, current: dict[str, Any] | None, fields: dict[str, Any]
    ) -> None:
        """Role and antenne rules of every table but the invoicing ones (siege/rules.py)."""
        role = self.dev.role
        if table in SIEGE_WRITTEN:
            raise Rejected("pa_status_written_by_siege")
        if table == "sheet_seal":
            raise Rejected("seal_written_by_siege")
        if table in REFERENCE:
            if role != SIEGE:
                raise Rejected("reference_data_siege_only")
            return
        if table in CATALOGUE:
            return
        if role != ACCOMPAGNATEUR:
            if table == "accompagnateur":
                return
            raise Rejected("siege_device_writes_reference_data_only")
        merged = {**(current or {}), **fields}
        if table in SIGNED:
            from siege.signature_rules import check_signature

            check_signature(self, current, fields)
            return
        if table in ("person", "accompagnateur"):
            # Anyone may add a person (or a colleague); changes, a move to another
            # antenne included, come from the antenne that follows the row.
            if current is not None and not self.follows_antenne(current.get("antenne_id")):
                raise Rejected("row_of_another_antenne")
            return
        if table == "person_attachment":
            # Written with a move by the device that moved the person: it follows the
            # person's antenne now, or the attachment the move leaves (docs/authority.md).
            people = {merged.get("person_id"), (current or {}).get("person_id")}
            if not all(self.may_attach(p, (current or {}).get("id")) for p in people):
                raise Rejected("person_of_another_antenne")
            return
        if table in PERSON_CHILDREN:
            column = PERSON_CHILDREN[table]
            people = {merged.get(column), (current or {}).get(column)}
            if not all(self.follows_person(p) for p in people):
                raise Rejected("person_of_another_antenne")
            return
        if table == "activity":
            if current is not None and not self.runs_activity(current["id"]):
                raise Rejected("activity_of_another_antenne")
            permanence_id = merged.get("permanence_id")
            if permanence_id is not None and not self.follows_antenne(
                self.value("permanence", permanence_id, "antenne_id")
            ):
                raise Rejected("activity_of_another_antenne")
            return
        if table in ACTIVITY_CHILDREN:
            column = ACTIVITY_CHILDREN[table]
            activities = {merged.get(column), (current or {}).get(column)} - {None}
            if not all(self.runs_activity(a) for a in activities):
                raise Rejected("activity_of_another_antenne")
            return
        if table in WORKSHOP_PERSON:
            # A registration or an attendance mark is written by the antenne running
            # the session or by the antenne following the person.
            column = WORKSHOP_PERSON[table]
            for row in ({**merged}, current or {}):
                activity = row.get(column)
                if table == "attendance":
                    activity = self.value("activity_slot", activity, "activity_id")
                if activity is None and row.get("person_id") is None:
                    continue
                if not (self.runs_activity(activity) or self.follows_person(row.get("person_id"))):
                    raise Rejected("workshop_of_another_antenne")
            if table == "attendance":
                from siege.signature_rules import check_attendance_frozen

                check_attendance_frozen(self, current, fields)
            return
        if table not in INVOICING:
            raise Rejected("table_not_writable")

    # -- audit --------------------------------------------------------------------------
    def record(self, table: str, row_id: str, action: str, fields: list[str], seq: int) -> None:
        """Who applied which change (field names only, never values: personal data)."""
        self.applied(table, row_id)
        self.conn.execute(
            _AUDIT_INSERT,
            {
                "seq": seq,
                "device_id": self.device_id,
                "device_name": self.dev.name,
                "action": action,
                "table_name": table,
                "row_id": row_id,
                "fields": json.dumps(sorted(fields)),
                "applied_at": self._applied_at,
            },
        )

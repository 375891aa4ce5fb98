"""Each person's attachment history (``person_attachment``, app/people/attachment.py): the
antenne and referent they arrived with, and a few moves to another antenne or referent
during their journey, so the figures' "attachment on the fact's date" rule
(docs/indicators.md) is exercised by the demo and decade data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from app.demo.builder import DemoBuilder
from app.demo.people import PersonPlan, Place, Staff
from app.models import Invoice, Person, PersonAttachment

MOVE_PERCENT = 8  # of admitted persons: moved to another antenne during their journey
REFERENT_PERCENT = 10  # of the others: handed over to another accompagnateur
EARLIEST_MOVE_DAYS = 60  # after the CAPE starts


def write_attachments(
    b: DemoBuilder, plans: Sequence[PersonPlan], places: Sequence[Place], staff: Sequence[Staff]
) -> None:
    """Call once every person, invoice and credit note row is planned: a move also updates
    the person's record and the antenne frozen on the invoices issued from that day on
    (as validation would have, app/invoicing/validation.py)."""
    persons = {row["id"]: row for row in b.rows.get(Person, [])}
    invoices: dict[str, list[dict[str, object]]] = {}
    for row in b.rows.get(Invoice, []):
        invoices.setdefault(str(row["entrepreneur_id"]), []).append(row)
    for plan in plans:
        _attach(b, plan, plan.arrival, plan.place.antenne_id, plan.referent)
        if plan.cape_start is None:
            continue
        earliest = plan.cape_start + dt.timedelta(days=EARLIEST_MOVE_DAYS)
        latest = plan.active_until(b.today)
        if earliest >= latest:
            continue
        if b.chance(MOVE_PERCENT):
            place = b.pick([p for p in places if p.antenne_id != plan.place.antenne_id])
            local = [s for s in staff if s.antenne_id == place.antenne_id] or list(staff)
            referent = b.pick(local)
            on = b.day_between(earliest, latest)
            _attach(b, plan, on, place.antenne_id, referent)
            for invoice in invoices.get(plan.id, []):
                issued = invoice["issue_date"]
                if (
                    invoice["antenne_id"] is not None
                    and isinstance(issued, dt.date)
                    and issued >= on
                ):
                    invoice["antenne_id"] = place.antenne_id
            persons[plan.id].update(antenne_id=place.antenne_id, referent_id=referent.id)
        elif b.chance(REFERENT_PERCENT):
            others = [
                s
                for s in staff
                if s.antenne_id == plan.place.antenne_id and s.id != plan.referent.id
            ]
            if not others:
                continue
            referent = b.pick(others)
            _attach(b, plan, b.day_between(earliest, latest), plan.place.antenne_id, referent)
            persons[plan.id].update(referent_id=referent.id)


def _attach(
    b: DemoBuilder, plan: PersonPlan, on: dt.date, antenne_id: str, referent: Staff
) -> None:
    b.add(
        PersonAttachment,
        {
            **b.stamp(b.at(on), referent.name),
            "person_id": plan.id,
            "antenne_id": antenne_id,
            "referent_id": referent.id,
            "valid_from": on,
        },
    )

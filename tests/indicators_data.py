"""Hand-built datasets for the indicator tests: a few persons whose every figure can be
worked out by reading the test."""

from __future__ import annotations

import datetime as dt
from typing import Any

from app.ids import deterministic_id
from app.models import (
    Accompagnateur,
    Activity,
    ActivitySlot,
    Attendance,
    Client,
    FollowupInterview,
    IntakeInterview,
    Invoice,
    ParcoursStage,
    Payment,
    Person,
    PersonAttachment,
)
from app.uow import UnitOfWorkFactory

D = dt.date
AS_VALIDATION = "(as validation)"  # Builder.invoice: freeze the entrepreneur's antenne


def antenne(name: str) -> str:
    return deterministic_id("antenne", name)


def permanence(town: str) -> str:
    return deterministic_id("permanence", town)


class Builder:
    """``with Builder(uow) as b: ...`` adds rows and commits on exit."""

    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        self._uow = uow_factory()
        self._clients: dict[str, str] = {}

    def __enter__(self) -> Builder:
        self._uow.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        if exc[0] is None:
            self._uow.commit()
        self._uow.__exit__(*exc)

    def add(self, row: Any) -> str:
        self._uow.session.add(row)
        self._uow.session.flush()
        return str(row.id)

    def accompagnateur(self, first: str, last: str) -> str:
        return self.add(Accompagnateur(first_name=first, last_name=last))

    def person(
        self, last: str, first: str = "A", ant: str | None = "Reims", referent: str | None = None
    ) -> str:
        return self.add(
            Person(
                last_name=last,
                first_name=first,
                antenne_id=antenne(ant) if ant else None,
                referent_id=referent,
            )
        )

    def attach(self, pid: str, ant: str | None, since: dt.date, referent: str | None = None) -> str:
        """A row of the person's attachment history (app/people/attachment.py)."""
        return self.add(
            PersonAttachment(
                person_id=pid,
                antenne_id=antenne(ant) if ant else None,
                referent_id=referent,
                valid_from=since,
            )
        )

    def stage(
        self, pid: str, kind: str, start: dt.date, end: dt.date | None = None, **kw: Any
    ) -> str:
        return self.add(
            ParcoursStage(person_id=pid, kind=kind, start_date=start, end_date=end, **kw)
        )

    def intake(self, pid: str, day: dt.date, decision: str = "", town: str | None = None) -> str:
        return self.add(
            IntakeInterview(
                person_id=pid,
                held_on=day,
                decision=decision,
                permanence_id=permanence(town) if town else None,
            )
        )

    def followup(self, pid: str, day: dt.date, minutes: int = 60) -> str:
        return self.add(FollowupInterview(person_id=pid, held_on=day, duration_minutes=minutes))

    def activity(
        self,
        day: dt.date,
        town: str | None = "Reims",
        kind: str = "atelier",
        title: str = "Gestion",
    ) -> str:
        return self.add(
            Activity(
                kind=kind,
                title=title,
                held_on=day,
                permanence_id=permanence(town) if town else None,
            )
        )

    def slot(self, activity_id: str, day: dt.date, start_h: int, minutes: int) -> str:
        starts = dt.datetime.combine(day, dt.time(start_h))
        return self.add(
            ActivitySlot(
                activity_id=activity_id,
                starts_at=starts,
                ends_at=starts + dt.timedelta(minutes=minutes),
            )
        )

    def mark(self, slot_id: str, pid: str, state: str) -> str:
        return self.add(Attendance(slot_id=slot_id, person_id=pid, state=state))

    def invoice(
        self,
        pid: str,
        day: dt.date | None,
        excl_cents: int,
        kind: str = "facture",
        status: str = "emise",
        frozen_antenne: str | None = AS_VALIDATION,
    ) -> str:
        """``frozen_antenne``: the antenne validation froze on the invoice (a name; None:
        none). By default the entrepreneur's antenne, as validation freezes it
        (app/invoicing/validation.py); none on a draft."""
        if frozen_antenne == AS_VALIDATION:
            person = self._uow.session.get_one(Person, pid)
            frozen_id = None if status == "brouillon" else person.antenne_id
        else:
            frozen_id = antenne(frozen_antenne) if frozen_antenne else None
        client = self._clients.get(pid)
        if client is None:
            client = self._clients[pid] = self.add(Client(entrepreneur_id=pid, name="Client"))
        return self.add(
            Invoice(
                kind=kind,
                status=status,
                entrepreneur_id=pid,
                client_id=client,
                issue_date=day,
                total_excl_cents=excl_cents,
                total_vat_cents=excl_cents // 5,
                total_incl_cents=excl_cents + excl_cents // 5,
                antenne_id=frozen_id,
            )
        )

    def payment(self, invoice_id: str, day: dt.date, cents: int) -> str:
        return self.add(
            Payment(invoice_id=invoice_id, paid_on=day, amount_cents=cents, mode="virement")
        )

    def delete(self, model: Any, row_id: str) -> None:
        row = self._uow.session.get_one(model, row_id)
        row.deleted_at = dt.datetime(2026, 1, 1)

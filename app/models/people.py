"""Persons accompanied, their parcours stages, interviews and appointments."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Synced
from app.text import fold


class Person(Synced, Base):
    """A porteur de projet, later entrepreneur salarié. No NIR, no health data (RGPD)."""

    __tablename__ = "person"

    civility: Mapped[str] = mapped_column(String(10), default="")  # "Mme", "M.", ""
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    birth_date: Mapped[dt.date | None] = mapped_column(Date, default=None)
    email: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(30), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    postcode: Mapped[str] = mapped_column(String(10), default="")
    city: Mapped[str] = mapped_column(String(120), default="")
    antenne_id: Mapped[str | None] = mapped_column(ForeignKey("antenne.id"), default=None)
    referent_id: Mapped[str | None] = mapped_column(ForeignKey("accompagnateur.id"), default=None)
    situation_code: Mapped[str] = mapped_column(String(60), default="")
    prescriber_code: Mapped[str] = mapped_column(String(60), default="")
    sector_code: Mapped[str] = mapped_column(String(60), default="")
    activity_name: Mapped[str] = mapped_column(String(200), default="")
    analytic_code: Mapped[str] = mapped_column(String(40), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    # Accent- and case-folded "last first email city" for search-as-you-type.
    search_key: Mapped[str] = mapped_column(String(600), default="", index=True)
    last_contact_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    anonymised_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    merged_into_id: Mapped[str | None] = mapped_column(String(36), default=None)


class PersonAttachment(Synced, Base):
    """The antenne and referent accompagnateur a person belongs to from ``valid_from`` on,
    until the person's next attachment (docs/indicators.md, "Antenne filter").

    Written with every change of ``person.antenne_id``/``referent_id`` by the people
    service (app/people/attachment.py), in the same transaction, so a figure of a past
    period reads that period's attachment and moving a person never rewrites a past
    year. A person's first attachment also covers the days before its ``valid_from``."""

    __tablename__ = "person_attachment"
    __table_args__ = (
        # The indicators read every live attachment ordered per person and day
        # (app/indicators/attachment.py): one covering index, the table is never visited.
        Index(
            "ix_person_attachment_history",
            "person_id",
            "valid_from",
            "id",
            "deleted_at",
            "antenne_id",
            "referent_id",
        ),
    )

    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"))
    antenne_id: Mapped[str | None] = mapped_column(ForeignKey("antenne.id"), default=None)
    referent_id: Mapped[str | None] = mapped_column(ForeignKey("accompagnateur.id"), default=None)
    valid_from: Mapped[dt.date] = mapped_column(Date)


class ParcoursStage(Synced, Base):
    """One dated stage of a person's journey; the current status is derived from these."""

    __tablename__ = "parcours_stage"

    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"), index=True)
    # accueil | diagnostic | cape | salarie | associe | sortie
    kind: Mapped[str] = mapped_column(String(30))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date, default=None)
    renewals: Mapped[int] = mapped_column(Integer, default=0)  # CAPE: at most 2
    contract_type: Mapped[str] = mapped_column(String(20), default="")  # CDI | CESA
    outcome: Mapped[str] = mapped_column(String(60), default="")  # sortie outcome code
    exit_reason_code: Mapped[str] = mapped_column(String(60), default="")
    notes: Mapped[str] = mapped_column(Text, default="")


class IntakeInterview(Synced, Base):
    """Entretien d'accueil: the project written down and the decision."""

    __tablename__ = "intake_interview"

    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"), index=True)
    held_on: Mapped[dt.date] = mapped_column(Date, index=True)
    permanence_id: Mapped[str | None] = mapped_column(ForeignKey("permanence.id"), default=None)
    accompagnateur_id: Mapped[str | None] = mapped_column(
        ForeignKey("accompagnateur.id"), default=None
    )
    project_what: Mapped[str] = mapped_column(Text, default="")
    project_how: Mapped[str] = mapped_column(Text, default="")
    project_to_whom: Mapped[str] = mapped_column(Text, default="")
    project_territory: Mapped[str] = mapped_column(Text, default="")
    experience: Mapped[str] = mapped_column(Text, default="")
    motivation: Mapped[str] = mapped_column(Text, default="")
    needs: Mapped[str] = mapped_column(Text, default="")
    # admis | oriente | reflexion | non_retenu | "" (not decided yet)
    decision: Mapped[str] = mapped_column(String(20), default="")
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    next_step: Mapped[str] = mapped_column(Text, default="")
    is_draft: Mapped[bool] = mapped_column(default=True)


class FollowupInterview(Synced, Base):
    """Entretien individuel de suivi, with its written report."""

    __tablename__ = "followup_interview"

    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"), index=True)
    held_on: Mapped[dt.date] = mapped_column(Date, index=True)
    duration_minutes: Mapped[int] = mapped_column(Integer, default=60)
    mode: Mapped[str] = mapped_column(String(20), default="presentiel")  # telephone | visio
    permanence_id: Mapped[str | None] = mapped_column(ForeignKey("permanence.id"), default=None)
    accompagnateur_id: Mapped[str | None] = mapped_column(
        ForeignKey("accompagnateur.id"), default=None
    )
    points_discussed: Mapped[str] = mapped_column(Text, default="")
    action_plan: Mapped[str] = mapped_column(Text, default="")
    next_appointment: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)


class Appointment(Synced, Base):
    """Someone expected at a permanence (intake or follow-up) — the agenda of the day."""

    __tablename__ = "appointment"

    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"), index=True)
    permanence_id: Mapped[str | None] = mapped_column(ForeignKey("permanence.id"), default=None)
    accompagnateur_id: Mapped[str | None] = mapped_column(
        ForeignKey("accompagnateur.id"), default=None
    )
    starts_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    kind: Mapped[str] = mapped_column(String(20), default="suivi")  # accueil | suivi
    note: Mapped[str] = mapped_column(Text, default="")


@event.listens_for(Person, "before_insert")
@event.listens_for(Person, "before_update")
def _refresh_search_key(_mapper: object, _connection: object, person: Person) -> None:
    # Kept in the row so search-as-you-type is one indexed-table scan, never Python-side.
    person.search_key = fold(
        " ".join(
            part
            for part in (
                person.last_name,
                person.first_name,
                person.email,
                "".join(ch for ch in person.phone or "" if ch.isdigit()),
                person.city,
                person.activity_name,
            )
            if part
        )
    )

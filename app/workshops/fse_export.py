"""The FSE+ participant file of one operation, with its completeness gauge (issue 16,
item 4; docs/signing.md, "FSE+ participant file").

The official column layout of the "Ma démarche FSE+" participant import (2021-2027)
is not public in a form we could find; the columns below follow the participant data
the FSE+ regulation asks for (Regulation (EU) 2021/1057, Annex I, common indicators:
identity, sex, age, labour-market situation and education level at entry, entry and
exit dates) plus the contact the managing authority requires (a phone or an e-mail).
Header names are French and stable: an accompagnateur maps them once in the import
screen. See docs/signing.md.

A participant is a person registered in a session of the operation and present at
one half-day at least (a direct, identified beneficiary). A record is incomplete when
a required item is missing; over 35 % incomplete records bring a financial correction,
so the gauge warns from 25 %.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import localnow
from app.exports.table import Col, Table
from app.exports.writers import write_xlsx
from app.models import ActivityFunder, ActivitySlot, Attendance, Funder, Person, Registration
from app.uow import UnitOfWorkFactory
from app.workshops.retention import FSE_CODE
from app.workshops.workshop_values import PRESENT, REGISTERED

WARNING_SHARE = 0.25  # the gauge warns from here...
LIMIT_SHARE = 0.35  # ...before the share that brings a financial correction

COLUMNS = (
    Col("Numéro d'opération"),
    Col("Identifiant du participant"),
    Col("Nom"),
    Col("Prénom"),
    Col("Sexe"),
    Col("Date de naissance", "date"),
    Col("Téléphone"),
    Col("Courriel"),
    Col("Code postal"),
    Col("Commune"),
    Col("Date d'entrée", "date"),
    Col("Date de sortie", "date"),
    Col("Situation sur le marché du travail à l'entrée"),
    Col("Niveau d'éducation à l'entrée (CITE)"),
    Col("Heures de présence", "minutes"),
)

SEX = {"Mme": "Femme", "M.": "Homme"}
# The person's situation at entry (app/seed.py "situation") in the FSE+ categories.
SITUATION = {
    "demandeur_emploi": "Chômeur, y compris de longue durée",
    "rsa": "Chômeur, y compris de longue durée",
    "salarie": "Personne exerçant un emploi, y compris les indépendants",
    "fonctionnaire": "Personne exerçant un emploi, y compris les indépendants",
    "etudiant": "Personne inactive (en études ou en formation)",
}


class Missing(StrEnum):
    """What a record lacks; the French words are in MISSING_WORDS."""

    LAST_NAME = "last_name"
    FIRST_NAME = "first_name"
    SEX = "sex"
    BIRTH_DATE = "birth_date"
    CONTACT = "contact"
    SITUATION = "situation"


MISSING_WORDS = {
    Missing.LAST_NAME: "nom",
    Missing.FIRST_NAME: "prénom",
    Missing.SEX: "sexe (civilité)",
    Missing.BIRTH_DATE: "date de naissance",
    Missing.CONTACT: "téléphone ou courriel",
    Missing.SITUATION: "situation à l'entrée",
}


class Level(StrEnum):
    OK = "ok"
    WARNING = "warning"  # from WARNING_SHARE
    OVER = "over"  # from LIMIT_SHARE: a financial correction if sent as is


@dataclass(frozen=True)
class Operation:
    reference: str
    funder_name: str
    activity_ids: tuple[str, ...]


@dataclass(frozen=True)
class Participant:
    person_id: str
    last_name: str
    first_name: str
    sex: str
    birth_date: dt.date | None
    phone: str
    email: str
    postcode: str
    city: str
    entry: dt.date
    exit: dt.date | None
    situation: str
    minutes: int
    missing: tuple[Missing, ...]

    @property
    def full_name(self) -> str:
        return f"{self.last_name.upper()} {self.first_name}".strip()


@dataclass(frozen=True)
class Completeness:
    total: int
    incomplete: int

    @property
    def share(self) -> float:
        return self.incomplete / self.total if self.total else 0.0

    @property
    def level(self) -> Level:
        if self.share >= LIMIT_SHARE:
            return Level.OVER
        if self.share >= WARNING_SHARE:
            return Level.WARNING
        return Level.OK


@dataclass(frozen=True)
class FseFile:
    operation: Operation
    participants: list[Participant]

    @property
    def completeness(self) -> Completeness:
        return Completeness(len(self.participants), sum(1 for p in self.participants if p.missing))

    def missing_by_person(self) -> list[tuple[str, list[str]]]:
        """(name, the French words of what is missing), for each incomplete record."""
        return [
            (p.full_name, [MISSING_WORDS[m] for m in p.missing])
            for p in self.participants
            if p.missing
        ]


def operations(uow_factory: UnitOfWorkFactory) -> list[Operation]:
    """The FSE+ operations named on sessions (their funder link's operation number)."""
    with uow_factory() as uow:
        rows = uow.session.execute(
            select(ActivityFunder.operation_ref, Funder.name, ActivityFunder.activity_id)
            .join(Funder, Funder.id == ActivityFunder.funder_id)
            .where(
                Funder.code == FSE_CODE,
                ActivityFunder.deleted_at.is_(None),
                ActivityFunder.operation_ref != "",
            )
            .order_by(ActivityFunder.operation_ref)
        ).all()
    grouped: dict[str, list[str]] = defaultdict(list)
    names: dict[str, str] = {}
    for reference, name, activity_id in rows:
        grouped[reference].append(activity_id)
        names[reference] = name
    return [Operation(r, names[r], tuple(sorted(ids))) for r, ids in grouped.items()]


def fse_file(uow_factory: UnitOfWorkFactory, operation: Operation) -> FseFile:
    with uow_factory() as uow:
        return FseFile(operation, _participants(uow.session, operation))


def _participants(session: Session, operation: Operation) -> list[Participant]:
    ids = list(operation.activity_ids)
    slots = {
        s.id: s
        for s in session.scalars(
            select(ActivitySlot).where(
                ActivitySlot.activity_id.in_(ids), ActivitySlot.deleted_at.is_(None)
            )
        )
    }
    present: dict[str, list[ActivitySlot]] = defaultdict(list)
    for person_id, slot_id in session.execute(
        select(Attendance.person_id, Attendance.slot_id).where(
            Attendance.slot_id.in_(list(slots)),
            Attendance.state == PRESENT,
            Attendance.deleted_at.is_(None),
        )
    ):
        present[person_id].append(slots[slot_id])
    registered = set(
        session.scalars(
            select(Registration.person_id).where(
                Registration.activity_id.in_(ids),
                Registration.status == REGISTERED,
                Registration.deleted_at.is_(None),
            )
        )
    )
    now = localnow().replace(tzinfo=None)
    over = all(s.ends_at <= now for s in slots.values())
    people = session.scalars(
        select(Person)
        .where(Person.id.in_(sorted(registered & present.keys())))
        .order_by(Person.last_name, Person.first_name, Person.id)
    )
    return [_participant(p, present[p.id], over) for p in people]


def _participant(person: Person, attended: list[ActivitySlot], over: bool) -> Participant:
    sex = SEX.get(person.civility, "")
    situation = SITUATION.get(person.situation_code, "")
    missing = [
        m
        for m, absent in (
            (Missing.LAST_NAME, not person.last_name.strip()),
            (Missing.FIRST_NAME, not person.first_name.strip()),
            (Missing.SEX, not sex),
            (Missing.BIRTH_DATE, person.birth_date is None),
            (Missing.CONTACT, not (person.phone.strip() or person.email.strip())),
            (Missing.SITUATION, not situation),
        )
        if absent
    ]
    minutes = sum(int((s.ends_at - s.starts_at).total_seconds() // 60) for s in attended)
    return Participant(
        person.id,
        person.last_name,
        person.first_name,
        sex,
        person.birth_date,
        person.phone,
        person.email,
        person.postcode,
        person.city,
        min(s.starts_at for s in attended).date(),
        max(s.ends_at for s in attended).date() if over else None,
        situation,
        minutes,
        tuple(missing),
    )


def participants_table(data: FseFile) -> Table:
    ref = data.operation.reference
    rows = [
        [
            ref,
            p.person_id,
            p.last_name,
            p.first_name,
            p.sex,
            p.birth_date,
            p.phone,
            p.email,
            p.postcode,
            p.city,
            p.entry,
            p.exit,
            p.situation,
            "",
            p.minutes,
        ]
        for p in data.participants
    ]
    return Table("Participants", COLUMNS, rows)


def completeness_table(data: FseFile) -> Table:
    gauge = data.completeness
    rows: list[list[str | int | dt.date | None]] = [
        [name, ", ".join(words)] for name, words in data.missing_by_person()
    ]
    notes = (
        f"Opération {data.operation.reference} ({data.operation.funder_name}), établi le "
        f"{localnow():%d/%m/%Y à %H:%M}.",
        f"{gauge.incomplete} dossier(s) incomplet(s) sur {gauge.total} "
        f"({round(gauge.share * 100)} %) ; seuil de correction financière : "
        f"{round(LIMIT_SHARE * 100)} %.",
        "Le niveau d'éducation (CITE) n'est pas recueilli par Permanence : à compléter "
        "avant l'import.",
    )
    return Table("Complétude", (Col("Participant"), Col("Manque")), rows, notes)


def export_fse(uow_factory: UnitOfWorkFactory, operation: Operation, target: Path) -> FseFile:
    """Write the operation's file (XLSX: participants, then completeness); returns it."""
    data = fse_file(uow_factory, operation)
    # The participants' sheet first: it is the one the import screen reads.
    write_xlsx([participants_table(data), completeness_table(data)], target)
    return data

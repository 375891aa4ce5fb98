"""Helpers shared by the workshop tests: persons and a session at the Langres permanence."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from app.ids import deterministic_id
from app.models import Person
from app.uow import UnitOfWorkFactory
from app.workshops import workshops
from app.workshops.workshop_values import SessionInput, default_slots

DAY = dt.date(2026, 3, 12)
DURING = dt.datetime(2026, 3, 12, 18, 0)  # after both default slots of DAY
BEFORE = dt.datetime(2026, 3, 11, 12, 0)
LANGRES = deterministic_id("permanence", "Langres")
FSE = deterministic_id("funder", "FSE+")
GESTION = deterministic_id("theme", "Gestion")

NAMES = [
    ("Hélène", "Dupré"),
    ("Jérôme", "Lefèvre"),
    ("Zoé", "Martin"),
    ("Loïc", "Bernard"),
    ("Amélie", "Petit"),
    ("Gaël", "Robert"),
    ("Maëlle", "Richard"),
    ("Noël", "Durand"),
]


def add_persons(uow: UnitOfWorkFactory, count: int, prefix: str = "") -> list[str]:
    ids: list[str] = []
    with uow() as work:
        for index in range(count):
            first, last = NAMES[index % len(NAMES)]
            person = Person(
                first_name=first, last_name=f"{prefix}{last}{index // len(NAMES) or ''}"
            )
            work.session.add(person)
            work.session.flush()
            ids.append(person.id)
        work.commit()
    return ids


def session_input(**changes: Any) -> SessionInput:
    usual = SessionInput(
        title="Atelier gestion : fixer ses prix",
        slots=default_slots(DAY),
        theme_id=GESTION,
        permanence_id=LANGRES,
        animateurs="Claire Testeuse",
        capacity=12,
        funder_ids=[FSE],
    )
    return dataclasses.replace(usual, **changes)


def new_session(uow: UnitOfWorkFactory, **changes: object) -> str:
    return workshops.create_session(uow, session_input(**changes))

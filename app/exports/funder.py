"""Funder export: one row per participant over a period (FSE+, Région, France Travail
ask for this shape). One SQL query with per-person aggregates, never a row-by-row loop.

A participant is a person accompanied during the period (definition
``accompanied``), received in an intake interview during it, or present at a
collective action during it.

Reproducible (docs/indicators.md, "Exports"): every dated column reads only facts dated
on or before the period's end, so a closed period's export does not change when later
stages, intakes or exits are recorded, nor when a person moves (their antenne is the one
of their attachment on the period's last day). Per antenne: the persons attached to the
antenne on the period's last day with *all* their presences and interviews, wherever
held, so the per-antenne exports (plus the persons without antenne) add up exactly to
the all-antennes export.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, func, select, union
from sqlalchemy.orm import Session

from app.exports.table import Cell, Col, Table
from app.indicators import labels
from app.indicators.attachment import antenne_condition, attachments_on
from app.indicators.definitions import DECISION_LABELS, MAIN_OUTCOMES
from app.indicators.flows import intake_members, outcome_key
from app.indicators.period import Filters
from app.indicators.sql import (
    ACCOMPANIED_KINDS,
    Spans,
    dialect,
    overlapping,
    person_live,
    session_spans,
)
from app.indicators.workshops import attendance_rows
from app.jobs import JobControl
from app.models import FollowupInterview, IntakeInterview, ParcoursStage, Person
from app.states import StageKind
from app.uow import UnitOfWorkFactory

COLUMNS = [
    Col("Nom"),
    Col("Prénom"),
    Col("Date de naissance", "date"),
    Col("Commune"),
    Col("Antenne"),
    Col("Situation à l'entrée"),
    Col("Prescripteur"),
    Col("Date d'accueil", "date"),
    Col("Décision d'accueil"),
    Col("Début CAPE", "date"),
    Col("Fin CAPE", "date"),
    Col("Renouvellements CAPE", "int"),
    Col("Contrat"),
    Col("Début du contrat", "date"),
    Col("Associé le", "date"),
    Col("Heures d'ateliers (période)", "minutes"),
    Col("Entretiens de suivi (période)", "int"),
    Col("Heures d'entretiens (période)", "minutes"),
    Col("Date de sortie", "date"),
    Col("Issue de sortie"),
]


def _participants(filters: Filters, dialect_name: str, spans: Spans) -> Any:
    # Every antenne here: the antenne filter is on the person (funder_table_in).
    everywhere = Filters(filters.period)
    marks = attendance_rows(everywhere, dialect_name).subquery("marks")
    present = select(marks.c.person_id).where(marks.c.state == "present")
    accompanied = overlapping(spans, filters.period, ACCOMPANIED_KINDS)
    received = select(intake_members(everywhere).subquery("rec").c.person_id)
    return union(accompanied, received, present).subquery("participants")


def _stage_dates(filters: Filters) -> Any:
    """Stages started by the period's end; a CAPE end date after it is not known yet."""
    s = ParcoursStage
    end = filters.period.end
    live = and_(s.deleted_at.is_(None), s.start_date <= end)
    return (
        select(
            s.person_id,
            func.min(s.start_date).filter(s.kind == StageKind.CAPE).label("cape_start"),
            func.max(s.end_date)
            .filter(s.kind == StageKind.CAPE, s.end_date <= end)
            .label("cape_end"),
            func.max(s.renewals).filter(s.kind == StageKind.CAPE).label("renewals"),
            func.min(s.start_date).filter(s.kind == StageKind.SALARIE).label("contract_start"),
            func.max(s.contract_type).filter(s.kind == StageKind.SALARIE).label("contract"),
            func.min(s.start_date).filter(s.kind == StageKind.ASSOCIE).label("associe_on"),
        )
        .where(live)
        .group_by(s.person_id)
        .subquery("stage_dates")
    )


def _last_exit(filters: Filters) -> Any:
    s = ParcoursStage
    rank = func.row_number().over(
        partition_by=s.person_id, order_by=(s.start_date.desc(), s.id.desc())
    )
    ranked = (
        select(
            s.person_id,
            s.start_date.label("exit_on"),
            outcome_key().label("outcome"),
            rank.label("rank"),
        )
        .where(
            s.deleted_at.is_(None), s.kind == StageKind.SORTIE, s.start_date <= filters.period.end
        )
        .subquery("ranked_exit")
    )
    return select(ranked).where(ranked.c.rank == 1).subquery("last_exit")


def _first_intakes(filters: Filters) -> Any:
    i = IntakeInterview
    return (
        select(i.person_id, func.min(i.held_on).label("first_on"))
        .where(i.deleted_at.is_(None), i.held_on <= filters.period.end)
        .group_by(i.person_id)
        .subquery("intakes")
    )


def _latest_decision(filters: Filters) -> Any:
    """Decision of the person's latest intake held by the period's end: one indexed
    look-up per exported row."""
    i = IntakeInterview
    return (
        select(i.decision)
        .where(i.person_id == Person.id, i.deleted_at.is_(None), i.held_on <= filters.period.end)
        .order_by(i.held_on.desc(), i.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def _followups(filters: Filters) -> Any:
    f = FollowupInterview
    return (
        select(
            f.person_id,
            func.count().label("n"),
            func.sum(f.duration_minutes).label("minutes"),
        )
        .where(f.deleted_at.is_(None), f.held_on.between(filters.period.start, filters.period.end))
        .group_by(f.person_id)
        .subquery("followups")
    )


def _workshop_minutes(filters: Filters, dialect_name: str) -> Any:
    # All the person's presences, at actions of any antenne.
    marks = attendance_rows(Filters(filters.period), dialect_name).subquery("marks_min")
    return (
        select(marks.c.person_id, func.sum(marks.c.minutes).label("minutes"))
        .where(marks.c.state == "present")
        .group_by(marks.c.person_id)
        .subquery("workshop_minutes")
    )


def funder_table_in(session: Session, filters: Filters) -> Table:
    name = dialect(session)
    who = _participants(filters, name, session_spans(session))
    stages, exits, intakes = _stage_dates(filters), _last_exit(filters), _first_intakes(filters)
    follow, workshop = _followups(filters), _workshop_minutes(filters, name)
    # The person's antenne on the period's last day (docs/indicators.md, "Antenne filter"):
    # the column and the per-antenne file do not move when the person moves later.
    on_end = attachments_on(session, filters.period.end)
    query = (
        select(
            Person.last_name,
            Person.first_name,
            Person.birth_date,
            Person.city,
            on_end.c.antenne_id,
            Person.situation_code,
            Person.prescriber_code,
            intakes.c.first_on,
            _latest_decision(filters),
            stages.c.cape_start,
            stages.c.cape_end,
            stages.c.renewals,
            stages.c.contract,
            stages.c.contract_start,
            stages.c.associe_on,
            func.coalesce(workshop.c.minutes, 0),
            func.coalesce(follow.c.n, 0),
            func.coalesce(follow.c.minutes, 0),
            exits.c.exit_on,
            exits.c.outcome,
        )
        .join(who, who.c.person_id == Person.id)
        .join(on_end, on_end.c.person_id == Person.id)
        .outerjoin(stages, stages.c.person_id == Person.id)
        .outerjoin(exits, exits.c.person_id == Person.id)
        .outerjoin(intakes, intakes.c.person_id == Person.id)
        .outerjoin(follow, follow.c.person_id == Person.id)
        .outerjoin(workshop, workshop.c.person_id == Person.id)
        .where(person_live())
        .order_by(Person.last_name, Person.first_name, Person.id)
    )
    if filters.antenne_id:
        query = query.where(antenne_condition(on_end.c.antenne_id, filters))
    antennes = labels.antennes(session)
    situations = labels.options(session, "situation")
    prescribers = labels.options(session, "prescriber")
    outcomes = {**labels.options(session, "exit_reason"), **MAIN_OUTCOMES}
    rows: list[list[Cell]] = []
    for r in session.execute(query):
        row: list[Cell] = list(r)
        row[4] = antennes.get(r[4] or "", "")
        row[5] = situations.get(r[5], r[5])
        row[6] = prescribers.get(r[6], r[6])
        row[8] = DECISION_LABELS.get(r[8], r[8]) if r[8] is not None else ""
        row[11] = int(r[11] or 0) if r[9] is not None else None
        row[12] = r[12] or ""
        row[19] = outcomes.get(r[19], r[19]) if r[19] else ""
        rows.append(row)
    notes = () if rows else ("Aucun participant pour cette période et ce filtre.",)
    return Table("Participants", COLUMNS, rows, notes=notes)


def funder_table(
    uow_factory: UnitOfWorkFactory, filters: Filters, control: JobControl | None = None
) -> Table:
    if control is not None:
        control.progress(0, 1, "participants")
    with uow_factory() as uow:
        return funder_table_in(uow.session, filters)

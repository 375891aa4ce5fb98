"""The printed documents of the accueil area: compte rendu d'entretien and parcours summary.

Gathers the values (one unit of work), then lays the PDF out with ``app.pdf``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import formatting
from app.clock import today as clock_today
from app.errors import NotFoundError
from app.models import Accompagnateur, CaeIdentity, FollowupInterview, IntakeInterview, Permanence
from app.pdf import people_labels as labels
from app.pdf.interview_report import InterviewReport, build_interview_report
from app.pdf.parcours_summary import ParcoursSummary, build_parcours_summary
from app.people.person_file import load_person_file
from app.people.persons import live_person
from app.states import StageKind
from app.uow import UnitOfWorkFactory
from app.validation import display_phone


def _cae_name(session: Session) -> str:
    name = session.scalar(select(CaeIdentity.name).where(CaeIdentity.deleted_at.is_(None)))
    return name or "Coopérative d'activités et d'emploi"


def _staff_name(session: Session, staff_id: str | None) -> str:
    staff = session.get(Accompagnateur, staff_id) if staff_id else None
    return f"{staff.first_name} {staff.last_name}" if staff else ""


def _permanence(session: Session, permanence_id: str | None) -> str:
    permanence = session.get(Permanence, permanence_id) if permanence_id else None
    if permanence is None:
        return ""
    return f"{permanence.town} — {permanence.place}" if permanence.place else permanence.town


def _footer(by: str | None, at: dt.datetime | None) -> str:
    stamp = formatting.timestamp(at)
    return f"Dernière modification : {by or 'inconnu'} {('le ' + stamp) if stamp else ''}".strip()


def interview_report(
    uow_factory: UnitOfWorkFactory, kind: str, interview_id: str
) -> InterviewReport:
    """``kind``: accueil | suivi."""
    with uow_factory() as uow:
        session = uow.session
        row: IntakeInterview | FollowupInterview | None = (
            session.get(IntakeInterview, interview_id)
            if kind == "accueil"
            else session.get(FollowupInterview, interview_id)
        )
        if row is None or row.deleted_at is not None:
            raise NotFoundError("interview_not_found", id=interview_id)
        person = live_person(session, row.person_id)
        person_name = " ".join(
            p for p in (person.civility, person.first_name, person.last_name.upper()) if p
        )
        staff = _staff_name(session, row.accompagnateur_id)
        facts = [
            ("Date", formatting.date(row.held_on, "long")),
            ("Lieu", _permanence(session, row.permanence_id)),
            ("Accompagnateur", staff),
        ]
        if isinstance(row, IntakeInterview):
            title = "Compte rendu d'entretien d'accueil"
            facts.append(("Décision", labels.DECISIONS.get(row.decision, row.decision)))
            if row.is_draft:
                facts.append(("État", "Brouillon (entretien non finalisé)"))
            sections = [
                ("Ce que la personne veut vendre", row.project_what),
                ("Comment", row.project_how),
                ("À qui", row.project_to_whom),
                ("Sur quel territoire", row.project_territory),
                ("Expérience", row.experience),
                ("Motivation", row.motivation),
                ("Besoins", row.needs),
            ]
            if row.decision_reason.strip():
                sections.append(("Motif de la décision", row.decision_reason))
            sections.append(("Prochaine étape", row.next_step))
        else:
            title = "Compte rendu d'entretien de suivi"
            facts += [
                ("Durée", f"{row.duration_minutes} min"),
                ("Modalité", labels.MODES.get(row.mode, row.mode)),
            ]
            if row.next_appointment:
                facts.append(("Prochain rendez-vous", formatting.datetime(row.next_appointment)))
            sections = [
                ("Points abordés", row.points_discussed),
                ("Plan d'action", row.action_plan),
            ]
        return InterviewReport(
            title=title,
            cae_name=_cae_name(session),
            person_name=person_name,
            accompagnateur_name=staff,
            facts=facts,
            sections=sections,
            footer=_footer(row.updated_by, row.updated_at),
        )


def write_interview_report(
    uow_factory: UnitOfWorkFactory, kind: str, interview_id: str, folder: Path
) -> Path:
    report = interview_report(uow_factory, kind, interview_id)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"compte-rendu-{kind}-{interview_id}.pdf"
    build_interview_report(path, report)
    return path


def parcours_summary(
    uow_factory: UnitOfWorkFactory, person_id: str, today: dt.date | None = None
) -> ParcoursSummary:
    day = today or clock_today()
    file = load_person_file(uow_factory, person_id, day)
    person = file.person
    with uow_factory() as uow:
        cae = _cae_name(uow.session)
    stages = []
    for stage in file.stages:
        detail = [
            stage.contract_type,
            labels.OUTCOMES.get(stage.outcome, ""),
            file.exit_reasons.get(stage.exit_reason_code, ""),
            f"{stage.renewals} renouvellement(s)" if stage.kind == StageKind.CAPE else "",
            stage.notes,
        ]
        stages.append(
            (
                labels.STAGE_KINDS.get(stage.kind, stage.kind),
                formatting.date(stage.start_date),
                formatting.date(stage.end_date),
                " — ".join(d for d in detail if d),
            )
        )
    interviews = [
        (
            formatting.date(r.held_on),
            labels.APPOINTMENT_KINDS.get(r.kind, r.kind) + (" (brouillon)" if r.is_draft else ""),
            r.accompagnateur,
            r.summary,
        )
        for r in file.interviews
    ]
    alerts = [
        labels.alert_text(a.code, formatting.date(a.due_on), a.count, a.overdue)
        for a in file.alerts
    ]
    facts = [
        ("Commune", " ".join(p for p in (person.postcode, person.city) if p)),
        ("Téléphone", display_phone(person.phone)),
        ("E-mail", person.email),
        ("Antenne", person.antenne_name),
        ("Référent", person.referent_name),
        ("Situation à l'entrée", person.situation_label),
        ("Prescripteur", person.prescriber_label),
        ("Secteur d'activité", person.sector_label),
        ("Activité", person.activity_name),
        ("Code analytique", person.analytic_code),
    ]
    return ParcoursSummary(
        cae_name=cae,
        person_name=person.full_name,
        status=labels.STATUSES.get(file.status.code, file.status.code),
        facts=[f for f in facts if f[1]],
        stages=stages,
        interviews=interviews,
        alerts=alerts,
        footer=f"Synthèse établie le {formatting.date(day, 'long')}",
    )


def write_parcours_summary(uow_factory: UnitOfWorkFactory, person_id: str, folder: Path) -> Path:
    summary = parcours_summary(uow_factory, person_id)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"synthese-parcours-{person_id}.pdf"
    build_parcours_summary(path, summary)
    return path

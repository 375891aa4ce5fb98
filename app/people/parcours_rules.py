"""Pure rules of the parcours: the status derived from the stages, and the alerts.

No database here: the services load stages and follow-up dates, these functions
decide. Keeping the status derived (never stored) means it can never disagree
with the stages it comes from.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from app.states import IntakeDecision, StageKind

KINDS = tuple(StageKind)
# Same-day tie-break: the further step in the journey wins.
RANK: dict[str, int] = {kind: position for position, kind in enumerate(KINDS)}
CONTRACT_TYPES = ("CDI", "CESA")
# The three outcomes of the seed documents (docs/architecture.md §2); other exits use an option code.
OUTCOMES = ("creation_entreprise", "retour_situation", "associe")
INTAKE_DECISIONS = tuple(IntakeDecision)
CAPE_MONTHS = 12
CAPE_MAX_RENEWALS = 2
CAPE_ALERT_DAYS = 30
CESA_YEARS = 3
CESA_ALERT_MONTHS = 6
MIN_FOLLOWUPS_PER_YEAR = 2


@dataclass(frozen=True)
class StageInfo:
    id: str
    person_id: str
    kind: str
    start_date: dt.date
    end_date: dt.date | None = None
    renewals: int = 0
    contract_type: str = ""
    outcome: str = ""
    exit_reason_code: str = ""
    notes: str = ""
    created_by: str = ""
    updated_by: str = ""
    updated_at: dt.datetime | None = None


@dataclass(frozen=True)
class Status:
    """``code``: nouveau, accueil, diagnostic, admis, en_reflexion, oriente, non_retenu,
    cape, cape_terminee, salarie, contrat_termine, associe, sorti."""

    code: str
    since: dt.date | None = None
    stage_id: str | None = None
    outcome: str = ""


@dataclass(frozen=True)
class Alert:
    """``code``: cape_ending, cesa_associe_deadline, few_followups."""

    person_id: str
    person_name: str
    code: str
    due_on: dt.date | None
    count: int = 0
    overdue: bool = False
    stage_id: str | None = None


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar months, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb).

    Hand-written because the stdlib has no month arithmetic and this is the only
    thing we would take from python-dateutil."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def cape_max_end(start: dt.date, renewals: int) -> dt.date:
    """Last allowed day of a CAPE of 12 months renewed ``renewals`` times."""
    return add_months(start, CAPE_MONTHS * (renewals + 1)) - dt.timedelta(days=1)


def current_stage(stages: Iterable[StageInfo], today: dt.date) -> StageInfo | None:
    started = [s for s in stages if s.start_date <= today]
    if not started:
        return None
    return max(started, key=lambda s: (s.start_date, RANK.get(s.kind, -1)))


def derive_status(stages: Sequence[StageInfo], today: dt.date, intake_decision: str = "") -> Status:
    """The person's situation today, from the latest started stage (and the intake decision
    while the person is still at the accueil/diagnostic step)."""
    stage = current_stage(stages, today)
    if stage is None:
        return Status(_decision_status(intake_decision) or "nouveau")
    code = stage.kind
    ended = stage.end_date is not None and stage.end_date < today
    if stage.kind == StageKind.SORTIE:
        code = "sorti"
    elif stage.kind == StageKind.CAPE and ended:
        code = "cape_terminee"
    elif stage.kind == StageKind.SALARIE and ended:
        code = "contrat_termine"
    elif stage.kind in ("accueil", "diagnostic"):
        code = _decision_status(intake_decision) or stage.kind
    return Status(code, stage.start_date, stage.id, stage.outcome or stage.exit_reason_code)


def _decision_status(decision: str) -> str:
    return {
        "admis": "admis",
        "reflexion": "en_reflexion",
        "oriente": "oriente",
        "non_retenu": "non_retenu",
    }.get(decision, "")


def cesa_associe_deadline(stages: Sequence[StageInfo]) -> dt.date | None:
    """3 years after the CESA start, minus the time spent in CAPE (docs/architecture.md §2)."""
    cesa = [s for s in stages if s.kind == StageKind.SALARIE and s.contract_type == "CESA"]
    if not cesa:
        return None
    start = min(s.start_date for s in cesa)
    last_cape_day = start - dt.timedelta(days=1)
    # A CAPE with no end date (or overlapping the contract) lasted until the contract began.
    cape_days = sum(
        ((min(s.end_date or last_cape_day, last_cape_day) - s.start_date).days + 1)
        for s in stages
        if s.kind == StageKind.CAPE and s.start_date < start
    )
    return add_months(start, 12 * CESA_YEARS) - dt.timedelta(days=cape_days)


def alerts_for(
    person_id: str,
    person_name: str,
    stages: Sequence[StageInfo],
    followup_dates: Iterable[dt.date],
    today: dt.date,
    intake_decision: str = "",
) -> list[Alert]:
    status = derive_status(stages, today, intake_decision)
    alerts: list[Alert] = []
    current = next((s for s in stages if s.id == status.stage_id), None)
    if (
        status.code == StageKind.CAPE
        and current is not None
        and current.end_date is not None
        and current.end_date <= today + dt.timedelta(days=CAPE_ALERT_DAYS)
    ):
        alerts.append(
            Alert(
                person_id,
                person_name,
                "cape_ending",
                current.end_date,
                count=current.renewals,
                stage_id=current.id,
            )
        )
    deadline = cesa_associe_deadline(stages)
    has_associe = any(s.kind == StageKind.ASSOCIE for s in stages)
    if (
        status.code == "salarie"
        and deadline is not None
        and not has_associe
        and deadline <= add_months(today, CESA_ALERT_MONTHS)
    ):
        alerts.append(
            Alert(
                person_id, person_name, "cesa_associe_deadline", deadline, overdue=deadline < today
            )
        )
    if status.code in ("salarie", "associe"):
        since = add_months(today, -12)
        recent = sum(1 for day in followup_dates if since < day <= today)
        if recent < MIN_FOLLOWUPS_PER_YEAR:
            alerts.append(Alert(person_id, person_name, "few_followups", None, count=recent))
    return alerts

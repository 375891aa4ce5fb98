"""Persons and their journey: parcours stages, intake and follow-up interviews,
appointments. Produces :class:`PersonPlan` values the workshop and invoice parts reuse."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from app.demo import texts
from app.demo.builder import DemoBuilder
from app.demo.vocabulary import (
    ACTIVITIES,
    COMMUNES,
    FEMALE_FIRST_NAMES,
    LAST_NAMES,
    MALE_FIRST_NAMES,
    STREETS,
    ActivityTemplate,
)
from app.models import (
    Appointment,
    FollowupInterview,
    IntakeInterview,
    ParcoursStage,
    Person,
)
from app.people.parcours_rules import add_months
from app.seed import OPTION_LISTS
from app.text import fold

# Reserved example domains (RFC 2606): realistic-looking, never someone's real mailbox.
EMAIL_DOMAINS = ("example.org", "example.com", "example.net")
DECISIONS = ("admis", "oriente", "reflexion", "non_retenu")
DECISION_WEIGHTS = (62, 13, 15, 10)
SITUATION_WEIGHTS = (45, 20, 15, 5, 5, 10)
PRESCRIBER_WEIGHTS = (35, 10, 5, 10, 25, 10, 5)
FOLLOWUP_SPACING_DAYS = 182  # two a year (docs/architecture.md §2)
THEMES = ("Gestion", "Commercialisation", "Méthodologie de projet", "Informatique")


@dataclass(frozen=True)
class Staff:
    id: str
    name: str
    antenne_id: str


@dataclass(frozen=True)
class Place:
    """An antenne with its département and permanences (id, town)."""

    antenne_id: str
    name: str
    departement: str
    permanences: tuple[tuple[str, str], ...]


@dataclass
class PersonPlan:
    id: str
    first_name: str
    last_name: str
    city: str
    place: Place
    referent: Staff
    activity: ActivityTemplate
    arrival: dt.date
    permanence_id: str
    intake_on: dt.date | None = None
    decision: str = ""
    cape_start: dt.date | None = None
    salarie_start: dt.date | None = None
    end: dt.date | None = None  # exit date (None while still accompanied)
    contacts: list[dt.date] = field(default_factory=list)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def active_until(self, today: dt.date) -> dt.date:
        return min(self.end or today, today)


def make_person(
    b: DemoBuilder, place: Place, staff: list[Staff], arrival: dt.date, permanence_id: str = ""
) -> PersonPlan:
    """One person's identity row and plan; the journey is added by :func:`plan_journey`."""
    female = b.chance(55)
    first = b.pick(FEMALE_FIRST_NAMES if female else MALE_FIRST_NAMES)
    last = b.pick(LAST_NAMES)
    communes = COMMUNES[place.departement]
    city, postcode, _w = b.weighted(communes, [c[2] for c in communes])
    activity = b.pick(ACTIVITIES)
    local = [s for s in staff if s.antenne_id == place.antenne_id] or staff
    referent = b.pick(local)
    town_permanences = [pid for pid, town in place.permanences if town == city]
    permanence = permanence_id or (town_permanences or [b.pick(place.permanences)[0]])[0]
    when = b.at(arrival)
    email = b.email(first, last, EMAIL_DOMAINS) if b.chance(92) else ""
    phone = b.mobile_phone() if b.chance(85) else b.landline_phone(place.departement)
    plan = PersonPlan(
        id="",
        first_name=first,
        last_name=last,
        city=city,
        place=place,
        referent=referent,
        activity=activity,
        arrival=arrival,
        permanence_id=permanence,
    )
    row = b.add(
        Person,
        {
            **b.stamp(when, referent.name),
            "civility": "Mme" if female else "M.",
            "first_name": first,
            "last_name": last,
            "birth_date": arrival - dt.timedelta(days=b.rng.randrange(20 * 365, 62 * 365)),
            "email": email,
            "phone": phone,
            "address": b.address(STREETS),
            "postcode": postcode,
            "city": city,
            "antenne_id": place.antenne_id,
            "referent_id": referent.id,
            "situation_code": _option(b, "situation", SITUATION_WEIGHTS),
            "prescriber_code": _option(b, "prescriber", PRESCRIBER_WEIGHTS),
            "sector_code": activity.sector,
            "activity_name": activity.name,
            "analytic_code": "",
            "notes": b.pick(texts.PERSON_NOTES),
            "search_key": search_key(first, last, email, phone, city, activity.name),
            "last_contact_on": arrival,
            "anonymised_at": None,
            "merged_into_id": None,
        },
    )
    plan.id = row["id"]
    return plan


def search_key(first: str, last: str, email: str, phone: str, city: str, activity: str) -> str:
    """Same folding as the ``Person`` before-insert event, which bulk inserts skip."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    return fold(" ".join(p for p in (last, first, email, digits, city, activity) if p))


def _option(b: DemoBuilder, kind: str, weights: tuple[int, ...]) -> str:
    codes = [code for code, _label in OPTION_LISTS[kind]]
    return b.weighted(codes, weights[: len(codes)])


def plan_journey(b: DemoBuilder, plan: PersonPlan, *, intake_on: dt.date | None = None) -> None:
    """Decide the dates of the journey; nothing after today is recorded as done."""
    today = b.today
    plan.intake_on = intake_on or b.working_day(plan.arrival + dt.timedelta(b.rng.randrange(3, 30)))
    if plan.intake_on >= today:  # not held yet at the start of the day
        return
    recent = (today - plan.intake_on).days < 10
    plan.decision = "" if recent and b.chance(30) else b.weighted(DECISIONS, DECISION_WEIGHTS)
    if plan.decision != "admis":
        if plan.decision in ("oriente", "non_retenu"):
            plan.end = plan.intake_on
        return
    plan.cape_start = b.working_day(plan.intake_on + dt.timedelta(b.rng.randrange(10, 45)))
    if b.chance(68):
        months = b.weighted((3, 6, 9, 12, 18, 24, 30), (10, 25, 20, 20, 12, 8, 5))
        plan.salarie_start = b.working_day(add_months(plan.cape_start, months))
        plan.end = add_months(plan.salarie_start, b.rng.randrange(6, 60))
    else:
        plan.end = add_months(plan.cape_start, b.rng.randrange(2, 30))
    if plan.salarie_start is not None and plan.salarie_start > today:
        plan.salarie_start = None
        plan.end = None
    if plan.end is not None and plan.end > today:
        plan.end = None
    if plan.cape_start > today:
        plan.cape_start = None


def write_journey(b: DemoBuilder, plan: PersonPlan) -> None:
    """Stages and the intake interview of ``plan``."""
    intake = plan.intake_on
    stage_end = intake if intake is not None and intake < b.today and plan.decision else None
    _stage(b, plan, "accueil", plan.arrival, stage_end)
    if intake is None or intake >= b.today:
        return
    _intake(b, plan, intake)
    if plan.cape_start is None:
        if plan.decision == "admis":
            _stage(b, plan, "diagnostic", intake, None)
        return
    _stage(b, plan, "diagnostic", intake, plan.cape_start)
    cape_end = plan.salarie_start or plan.end
    months = _months_between(plan.cape_start, cape_end or b.today)
    renewals = min(2, max(0, (months - 1) // 12))  # a CAPE lasts 12 months, renewable twice
    _stage(b, plan, "cape", plan.cape_start, cape_end, renewals=renewals)
    outcome = ""
    if plan.salarie_start is not None:
        contract = "CESA" if b.chance(40) else "CDI"
        associe_on = None
        if plan.end is None and b.chance(45 if contract == "CESA" else 20):
            associe_on = add_months(plan.salarie_start, b.rng.randrange(6, 30))
            associe_on = associe_on if associe_on <= b.today else None
        _stage(b, plan, "salarie", plan.salarie_start, plan.end, contract=contract)
        if associe_on is not None:
            _stage(b, plan, "associe", associe_on, None)
        outcome = b.weighted(("creation_entreprise", "retour_situation", "autre"), (50, 40, 10))
    else:
        outcome = b.weighted(("retour_situation", "abandon", "demenagement"), (45, 45, 10))
    if plan.end is not None:
        _stage(b, plan, "sortie", plan.end, None, outcome=outcome)


def _stage(
    b: DemoBuilder,
    plan: PersonPlan,
    kind: str,
    start: dt.date,
    end: dt.date | None,
    *,
    renewals: int = 0,
    contract: str = "",
    outcome: str = "",
) -> None:
    b.add(
        ParcoursStage,
        {
            **b.stamp(b.at(start), plan.referent.name),
            "person_id": plan.id,
            "kind": kind,
            "start_date": start,
            "end_date": end,
            "renewals": renewals,
            "contract_type": contract,
            "outcome": outcome,
            "exit_reason_code": outcome if outcome in _EXIT_CODES else "",
            "notes": "",
        },
    )


def _months_between(start: dt.date, end: dt.date) -> int:
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - (1 if end.day < start.day else 0)


_EXIT_CODES = {code for code, _label in OPTION_LISTS["exit_reason"]}


def _intake(b: DemoBuilder, plan: PersonPlan, held_on: dt.date) -> None:
    activity = plan.activity
    decision = plan.decision
    plan.contacts.append(held_on)
    b.add(
        IntakeInterview,
        {
            **b.stamp(b.at(held_on, 9, 17), plan.referent.name),
            "person_id": plan.id,
            "held_on": held_on,
            "permanence_id": plan.permanence_id,
            "accompagnateur_id": plan.referent.id,
            "project_what": activity.what,
            "project_how": activity.how,
            "project_to_whom": activity.to_whom,
            "project_territory": f"Depuis {plan.city} : {activity.territory}",
            "experience": b.pick(texts.EXPERIENCE).format(years=b.rng.randrange(2, 25)),
            "motivation": b.pick(texts.MOTIVATION),
            "needs": " ".join(sorted({b.pick(texts.NEEDS), b.pick(texts.NEEDS)})),
            "decision": decision,
            "decision_reason": texts.DECISION_REASONS.get(decision, ""),
            "next_step": texts.NEXT_STEPS.get(decision, "Décision à prendre."),
            "is_draft": decision == "",
        },
    )


def write_followups(b: DemoBuilder, plan: PersonPlan, count: int) -> None:
    """``count`` follow-up interviews spread over the accompaniment, with their reports."""
    if plan.cape_start is None or count <= 0:
        return
    last = plan.active_until(b.today)
    days = _spread(b, plan.cape_start, last, count)
    if plan.salarie_start is not None and plan.end is None and b.chance(92):
        # Salariés are seen at least twice a year (docs/architecture.md §2); a few are left behind so
        # the "fewer than two follow-ups" alert has something to show.
        since = max(plan.cape_start, b.today - dt.timedelta(days=330))
        while sum(1 for d in days if d > b.today - dt.timedelta(days=365)) < 2:
            days.append(b.working_day(b.day_between(since, b.today - dt.timedelta(days=3))))
        days.sort()
    for index, held_on in enumerate(d for d in days if d <= b.today):
        salarie = plan.salarie_start is not None and held_on >= plan.salarie_start
        points = _sentences(b, texts.SALARIE_POINTS if salarie else texts.CAPE_POINTS, 2, held_on)
        actions = _sentences(b, texts.ACTION_ITEMS, 3, held_on, bullet="- ")
        is_last = index == len(days) - 1
        next_at = None
        if is_last and plan.end is None:
            next_day = b.working_day(b.today + dt.timedelta(b.rng.randrange(1, 40)))
            next_at = dt.datetime.combine(next_day, dt.time(b.pick((9, 10, 11, 14, 15, 16))))
        plan.contacts.append(held_on)
        b.add(
            FollowupInterview,
            {
                **b.stamp(b.at(held_on, 9, 17), plan.referent.name),
                "person_id": plan.id,
                "held_on": held_on,
                "duration_minutes": b.pick((45, 60, 60, 90)),
                "mode": b.weighted(("presentiel", "telephone", "visio"), (70, 20, 10)),
                "permanence_id": plan.permanence_id,
                "accompagnateur_id": plan.referent.id,
                "points_discussed": points,
                "action_plan": actions,
                "next_appointment": next_at,
            },
        )
        if next_at is not None:
            add_appointment(b, plan, next_at, "suivi", held_on)


def followups_needed(plan: PersonPlan, today: dt.date) -> int:
    """One follow-up per half-year of accompaniment at least."""
    if plan.cape_start is None:
        return 0
    span = (plan.active_until(today) - plan.cape_start).days
    return max(1, -(-span // FOLLOWUP_SPACING_DAYS))


def _spread(b: DemoBuilder, start: dt.date, end: dt.date, count: int) -> list[dt.date]:
    """``count`` working days, one in each equal part of [start, end]: regular follow-up."""
    span = max(1, (end - start).days)
    days = []
    for part in range(count):
        low = start + dt.timedelta(days=span * part // count)
        high = start + dt.timedelta(days=span * (part + 1) // count)
        days.append(min(b.working_day(b.day_between(low, high)), max(end, start)))
    return sorted(days)


def _sentences(
    b: DemoBuilder, pool: tuple[str, ...], count: int, day: dt.date, bullet: str = ""
) -> str:
    chosen = b.rng.sample(pool, count)
    deadline = day + dt.timedelta(days=b.rng.randrange(7, 30))
    values = {
        "n": b.rng.randrange(2, 9),
        "k": b.rng.randrange(1, 3),
        "amount": f"{b.rng.randrange(15, 180) * 100:,}".replace(",", "\u202f"),
        "theme": b.pick(THEMES),
        "date": deadline.strftime("%d/%m/%Y"),
    }
    return "\n".join(bullet + s.format(**values) for s in chosen)


def add_appointment(
    b: DemoBuilder,
    plan: PersonPlan,
    starts_at: dt.datetime,
    kind: str,
    booked_on: dt.date,
    permanence_id: str = "",
    staff: Staff | None = None,
) -> None:
    who = staff or plan.referent
    b.add(
        Appointment,
        {
            **b.stamp(b.at(booked_on), who.name),
            "person_id": plan.id,
            "permanence_id": permanence_id or plan.permanence_id,
            "accompagnateur_id": who.id,
            "starts_at": starts_at,
            "kind": kind,
            "note": "Premier entretien d'accueil" if kind == "accueil" else "",
        },
    )


def finish_person_rows(b: DemoBuilder, plans: list[PersonPlan]) -> None:
    """Set ``last_contact_on`` and analytic codes once every contact is known."""
    by_id = {plan.id: plan for plan in plans}
    for row in b.rows.get(Person, []):
        plan = by_id.get(row["id"])
        if plan is None:
            continue
        past = [d for d in plan.contacts if d <= b.today]
        row["last_contact_on"] = max(past, default=plan.arrival)
        if plan.salarie_start is not None:
            row["analytic_code"] = f"ES{plan.salarie_start:%y}{b.rng.randrange(1000):03d}"

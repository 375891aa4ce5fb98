"""Ateliers collectifs (two half-day slots, registrations, attendance per slot, funders),
réunions coopératives and manifestations."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from app.demo.builder import DemoBuilder
from app.demo.people import PersonPlan, Place, Staff
from app.demo.vocabulary import PERMANENCE_PLACES
from app.ids import deterministic_id
from app.models import Activity, ActivityFunder, ActivitySlot, Attendance, Registration
from app.seed import FUNDERS, THEMES
from app.text import fold
from app.workshops.workshop_values import AFTERNOON, MORNING

SUBTITLES = {
    "Gestion": ("Fixer ses prix", "Lire son compte de résultat", "Suivre sa trésorerie"),
    "Commercialisation": (
        "Trouver ses premiers clients",
        "Réussir un salon ou un marché",
        "Vendre avec les réseaux sociaux",
    ),
    "Méthodologie de projet": ("Construire son plan d'action", "Bâtir son prévisionnel"),
    "Informatique": ("Créer sa page professionnelle", "Bien utiliser le tableur"),
    "Juridique": ("Le statut d'entrepreneur salarié", "Contrats et conditions générales"),
    "Assurance": ("Assurer son activité",),
}
THEME_WEIGHTS = (30, 30, 15, 10, 10, 5)
MEETING_TITLES = (
    "Réunion coopérative : vie de la coopérative et résultats de l'année",
    "Réunion coopérative : accueil des nouveaux entrepreneurs",
    "Réunion coopérative : préparation de l'assemblée générale",
    "Réunion coopérative : échanges de pratiques entre entrepreneurs",
)
# (title, months it is held, town if it only takes place there)
FAIRS: tuple[tuple[str, tuple[int, ...], str], ...] = (
    ("Salon de l'entrepreneuriat", (3, 4, 10, 11), ""),
    ("Foire de Châlons : stand de la coopérative", (9,), "Châlons-en-Champagne"),
    ("Marché de Noël des créateurs", (12,), ""),
    ("Forum de l'emploi et de la création d'activité", (2, 3, 9, 10), ""),
    ("Journée portes ouvertes de la coopérative", (6,), ""),
    ("Salon des artisans et des métiers d'art", (4, 5, 10), ""),
)
FUNDER_SHARES = (50, 60, 25)  # FSE+, Région, France Travail
ATTENDANCE_STATES = ("present", "absent", "excuse")
ATTENDANCE_WEIGHTS = (84, 7, 9)


class ActivePersons:
    """Persons in accompaniment, bucketed by (antenne, month) for fast picking."""

    def __init__(self, plans: Sequence[PersonPlan], today: dt.date) -> None:
        self.buckets: dict[tuple[str, int], list[PersonPlan]] = defaultdict(list)
        self.salaries: dict[tuple[str, int], list[PersonPlan]] = defaultdict(list)
        for plan in plans:
            if plan.cape_start is None:
                continue
            end = plan.end or (today + dt.timedelta(days=90))
            for month in range(_month(plan.cape_start), _month(end) + 1):
                self.buckets[(plan.place.antenne_id, month)].append(plan)
                if plan.salarie_start is not None and month >= _month(plan.salarie_start):
                    self.salaries[(plan.place.antenne_id, month)].append(plan)

    def at(self, antenne_id: str, day: dt.date, salaries_only: bool = False) -> list[PersonPlan]:
        source = self.salaries if salaries_only else self.buckets
        return source.get((antenne_id, _month(day)), [])


def _month(day: dt.date) -> int:
    return day.year * 12 + day.month


def write_workshops(
    b: DemoBuilder,
    sessions: int,
    start: dt.date,
    places: Sequence[Place],
    place_weights: Sequence[float],
    staff: Sequence[Staff],
    plans: Sequence[PersonPlan],
) -> None:
    active = ActivePersons(plans, b.today)
    horizon = b.today + dt.timedelta(days=45)
    theme_names = [name for name, _minutes, _desc in THEMES]
    for _ in range(sessions):
        place = b.weighted(places, place_weights)
        day = b.working_day(b.day_between(start, horizon))
        theme = b.weighted(theme_names, THEME_WEIGHTS)
        permanence_id, town = _main_permanence(b, place)
        animateur = b.pick([s for s in staff if s.antenne_id == place.antenne_id] or staff)
        activity = _activity(
            b, "atelier", f"{theme} : {b.pick(SUBTITLES[theme])}", day, permanence_id, town,
            animateur, theme_id=deterministic_id("theme", theme), capacity=12,
        )  # fmt: skip
        _funders(b, activity)
        slots = [_slot(b, activity, day, MORNING), _slot(b, activity, day, AFTERNOON)]
        people = active.at(place.antenne_id, day)
        count = min(len(people), b.rng.randrange(4, 13))
        _register(b, activity, slots, b.rng.sample(people, count), day)


def write_cooperative_life(
    b: DemoBuilder,
    years: int,
    places: Sequence[Place],
    staff: Sequence[Staff],
    plans: Sequence[PersonPlan],
) -> None:
    """Réunions coopératives (four a year, at the siège) and manifestations (ten a year)."""
    active = ActivePersons(plans, b.today)
    head = places[0]
    for year in range(b.today.year - years + 1, b.today.year + 1):
        for month in (2, 5, 9, 11):
            day = b.working_day(dt.date(year, month, b.rng.randrange(5, 25)))
            if day > b.today + dt.timedelta(days=60):
                continue
            permanence_id, town = _main_permanence(b, head)
            activity = _activity(
                b, "reunion", b.pick(MEETING_TITLES), day, permanence_id, town, staff[0]
            )
            slot = _slot(b, activity, day, (dt.time(18, 0), dt.time(20, 0)))
            people = [p for place in places for p in active.at(place.antenne_id, day, True)]
            _register(b, activity, [slot], b.rng.sample(people, min(len(people), 25)), day)
        for _ in range(10):
            title, months, only_in = b.pick(FAIRS)
            day = dt.date(year, b.pick(months), b.rng.randrange(1, 21))
            day -= dt.timedelta(days=1) if day.weekday() == 6 else dt.timedelta(0)  # Saturday
            if day > b.today + dt.timedelta(days=60):
                continue
            place = b.pick(places)
            permanence_id, town = _main_permanence(b, place)
            if only_in:
                place = next(p for p in places if any(t == only_in for _i, t in p.permanences))
                permanence_id = next(i for i, t in place.permanences if t == only_in)
                town = only_in
            activity = _activity(b, "manifestation", f"{title} — {town}", day, permanence_id,
                                 town, staff[0])  # fmt: skip
            slot = _slot(b, activity, day, (dt.time(10, 0), dt.time(18, 0)))
            people = active.at(place.antenne_id, day, True)
            _register(b, activity, [slot], b.rng.sample(people, min(len(people), 6)), day)


def _main_permanence(b: DemoBuilder, place: Place) -> tuple[str, str]:
    """Mostly the antenne's own town, sometimes another permanence of the antenne."""
    own = [p for p in place.permanences if p[1] == place.name]
    return own[0] if own and b.chance(70) else b.pick(place.permanences)


def _activity(
    b: DemoBuilder,
    kind: str,
    title: str,
    day: dt.date,
    permanence_id: str,
    town: str,
    animateur: Staff,
    *,
    theme_id: str | None = None,
    capacity: int | None = None,
) -> dict[str, object]:
    premises, street = PERMANENCE_PLACES.get(town, ("Mairie", "place de la Mairie"))
    created = b.at(day - dt.timedelta(days=b.rng.randrange(20, 60)))
    return b.add(
        Activity,
        {
            **b.stamp(created, animateur.name),
            "kind": kind,
            "title": title,
            "title_key": fold(title),  # bulk insert: the model's listener does not run
            "theme_id": theme_id,
            "held_on": day,
            "permanence_id": permanence_id,
            "place_address": f"{premises}, {street}, {town}",
            "animateurs": animateur.name,
            "capacity": capacity,
            "description": "",
        },
    )


def _funders(b: DemoBuilder, activity: dict[str, object]) -> None:
    chosen = [code for (code, _n, _s), share in zip(FUNDERS, FUNDER_SHARES, strict=True)
              if b.chance(share)] or ["REGION"]  # fmt: skip
    for code in chosen:
        funder_id = deterministic_id("funder", code)
        row = b.stamp(activity["created_at"], str(activity["created_by"]))  # type: ignore[arg-type]
        row["id"] = deterministic_id("activity_funder", str(activity["id"]), funder_id)
        b.add(ActivityFunder, {**row, "activity_id": activity["id"], "funder_id": funder_id})


def _slot(
    b: DemoBuilder, activity: dict[str, object], day: dt.date, span: tuple[dt.time, dt.time]
) -> dict[str, object]:
    return b.add(
        ActivitySlot,
        {
            **b.stamp(activity["created_at"], str(activity["created_by"])),  # type: ignore[arg-type]
            "activity_id": activity["id"],
            "starts_at": dt.datetime.combine(day, span[0]),
            "ends_at": dt.datetime.combine(day, span[1]),
        },
    )


def _register(
    b: DemoBuilder,
    activity: dict[str, object],
    slots: Sequence[dict[str, object]],
    people: Sequence[PersonPlan],
    day: dt.date,
) -> None:
    actor = str(activity["created_by"])
    held = day < b.today
    for plan in people:
        status = b.weighted(("inscrit", "annule"), (93, 7))
        registered = b.at(day - dt.timedelta(days=b.rng.randrange(2, 30)))
        row = b.stamp(registered, actor)
        row["id"] = deterministic_id("registration", str(activity["id"]), plan.id)
        b.add(
            Registration,
            {
                **row,
                "activity_id": activity["id"],
                "person_id": plan.id,
                "status": status,
                "registered_at": registered,
            },
        )
        if status != "inscrit":
            continue
        state = b.weighted(ATTENDANCE_STATES, ATTENDANCE_WEIGHTS) if held else "attendu"
        if held:
            plan.contacts.append(day)
        for slot in slots:
            if held and state == "present" and b.chance(4):
                state = "absent"  # left at lunchtime
            marked = b.stamp(dt.datetime.combine(day, dt.time(18, 0)), actor)
            marked["id"] = deterministic_id("attendance", str(slot["id"]), plan.id)
            b.add(
                Attendance,
                {**marked, "slot_id": slot["id"], "person_id": plan.id, "state": state},
            )

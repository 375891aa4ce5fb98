"""Demo and scale profiles: realistic French data, deterministic for a seed.

``demo``: a permanence's worth, for trying the app. ``decade``: about ten years of a
regional CAE, for benchmarks. The profile is created like a user would (first-run
service), then filled with bulk inserts (see :mod:`app.demo.builder` for why).

The rows are a region's data, not one laptop's edits: they wait in no outbox, and most
belong to other antennes and other devices' series. To try sync with the demo, the siège
loads the profile first (``python -m siege import-profile``) and enrols the laptop for
the four antennes with ``--series STD``; otherwise enrolment is refused with those steps
(docs/authority.md, "Invoices issued before enrolment").
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from app.clock import today as clock_today
from app.demo.attachments import write_attachments
from app.demo.builder import DemoBuilder
from app.demo.invoices import SeriesInfo, write_invoices
from app.demo.people import (
    Place,
    Staff,
    add_appointment,
    finish_person_rows,
    followups_needed,
    make_person,
    plan_journey,
    write_followups,
    write_journey,
)
from app.demo.vocabulary import COMMUNES, PERMANENCE_PLACES
from app.demo.workshops import write_cooperative_life, write_workshops
from app.invoicing.cae_identity import read_identity
from app.invoicing.printable import seller_from_identity
from app.models import (
    Accompagnateur,
    Activity,
    ActivityFunder,
    ActivitySlot,
    Antenne,
    Appointment,
    Attendance,
    CaeIdentity,
    Client,
    DeviceIdentity,
    FollowupInterview,
    IntakeInterview,
    Invoice,
    InvoiceLine,
    InvoiceSeries,
    ParcoursStage,
    Payment,
    Permanence,
    Person,
    PersonAttachment,
    Registration,
    synced_tables,
)
from app.reference.setup import SetupRequest, initialize_profile
from app.seed import ANTENNES


@dataclass(frozen=True)
class Size:
    persons: int
    years: int
    interviews: int
    sessions: int
    invoices: int
    home_share: int  # percent of persons followed by the antenne of the permanence of the day
    coop_years: int  # years of réunions coopératives and manifestations


SIZES = {
    "demo": Size(60, 3, 150, 20, 150, 85, 1),
    "decade": Size(5000, 10, 20000, 2000, 50000, 15, 10),
}
DEMO_PERMANENCE = "Langres"
ANTENNE_WEIGHTS = {"Reims": 45, "Charleville-Mézières": 20, "Troyes": 20, "Saint-Dizier": 15}
SERIES_PREFIXES = {"Reims": "REI", "Charleville-Mézières": "CHM", "Troyes": "TRO",
                   "Saint-Dizier": "STD"}  # fmt: skip
# The profile's own accompagnateur first, then the four colleagues (5 permanent staff).
STAFF = (
    ("Sophie", "Lambert", "Saint-Dizier"),
    ("Marc", "Delaunay", "Reims"),
    ("Nadia", "Benhamou", "Reims"),
    ("Julien", "Collignon", "Charleville-Mézières"),
    ("Anne", "Thévenin", "Troyes"),
)
STAFF_DOMAIN = "example.org"
NEW_CONTACTS_TODAY = 2
FOLLOWUPS_TODAY = 4
WRITE_ORDER = (Person, PersonAttachment, ParcoursStage, IntakeInterview, FollowupInterview, Appointment,
               Activity, ActivityFunder, ActivitySlot, Registration, Attendance,
               Client, InvoiceSeries, Invoice, InvoiceLine, Payment)  # fmt: skip


def generate(
    root: Path, size: str = "demo", seed: int = 1, *, today: dt.date | None = None
) -> None:
    """Create the profile at ``root`` and fill it; the same seed (and day) gives the same data."""
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r}; expected one of {sorted(SIZES)}")
    spec = SIZES[size]
    b = DemoBuilder(seed, today or clock_today())
    first, last, _antenne = STAFF[0]
    profile = initialize_profile(
        root,
        SetupRequest(
            display_name="Démonstration",
            first_name=first,
            last_name=last,
            email=f"{first}.{last}@{STAFF_DOMAIN}".lower(),
            permanence_town=DEMO_PERMANENCE,
            encrypt=False,
        ),
    )
    try:
        with profile.uow() as uow:
            session = uow.session
            start = dt.date(b.today.year - spec.years, b.today.month, 1)
            owner_id = _normalise_setup(b, session, start, profile.settings.accompagnateur_id)
            places = _places(session)
            staff = _staff(b, session, owner_id, places, start)
            _cae_identity(b, session)
            _permanence_schedule(b, session, places)
            _fill(b, session, spec, start, places, staff)
            uow.commit()
        profile.save_settings(profile.settings.with_changes(accompagnateur_id=owner_id))
    finally:
        profile.close()


def _fill(
    b: DemoBuilder,
    session: Session,
    spec: Size,
    start: dt.date,
    places: list[Place],
    staff: list[Staff],
) -> None:
    home = next(p for p in places if any(t == DEMO_PERMANENCE for _i, t in p.permanences))
    day_permanence = next(i for i, t in home.permanences if t == DEMO_PERMANENCE)
    weights = [ANTENNE_WEIGHTS[p.name] for p in places]
    arrivals = sorted(
        b.day_between(start, b.today - dt.timedelta(days=3))
        for _ in range(spec.persons - NEW_CONTACTS_TODAY)
    )
    plans = []
    for arrival in arrivals:
        place = home if b.chance(spec.home_share) else b.weighted(places, weights)
        plan = make_person(b, place, staff, arrival)
        plan_journey(b, plan)
        plans.append(plan)
    newcomers = []
    for _ in range(NEW_CONTACTS_TODAY):
        arrival = b.today - dt.timedelta(days=b.rng.randrange(2, 8))
        plan = make_person(b, home, staff, arrival, day_permanence)
        plan_journey(b, plan, intake_on=b.today)
        newcomers.append(plan)
    plans += newcomers
    for plan in plans:
        write_journey(b, plan)
    intakes = sum(1 for p in plans if p.intake_on is not None and p.intake_on < b.today)
    admitted = [p for p in plans if p.cape_start is not None]
    base = [followups_needed(p, b.today) for p in admitted]
    spans = [(p.active_until(b.today) - p.cape_start).days + 1 for p in admitted]  # type: ignore[operator]
    extra_count = max(0, spec.interviews - intakes - sum(base))
    extra = Counter(b.rng.choices(range(len(admitted)), weights=spans, k=extra_count)) if admitted else Counter()  # fmt: skip
    for index, plan in enumerate(admitted):
        write_followups(b, plan, base[index] + extra[index])
    _todays_agenda(b, plans, newcomers, staff[0], day_permanence, home)
    home_weights = [100 if p is home else w * (100 - spec.home_share) / 100 for p, w in
                    zip(places, weights, strict=True)] if spec.home_share else weights  # fmt: skip
    write_workshops(b, spec.sessions, start, places, home_weights, staff, plans)
    write_cooperative_life(b, spec.coop_years, places, staff, plans)
    device_id = session.scalar(select(DeviceIdentity.device_id)) or ""
    series = {
        p.antenne_id: SeriesInfo(
            SERIES_PREFIXES[p.name], device_id if p is home else b.new_id(b.now)
        )
        for p in places
    }
    identity = read_identity(session)
    seller_parts = seller_from_identity(identity)
    write_invoices(b, spec.invoices, plans, series, seller_parts, identity.payment_terms_days)
    finish_person_rows(b, plans)
    write_attachments(b, plans, places, staff)
    b.flush(session, WRITE_ORDER)


def _todays_agenda(
    b: DemoBuilder,
    plans: list[Any],
    newcomers: list[Any],
    owner: Staff,
    permanence_id: str,
    home: Place,
) -> None:
    """Who is expected today at the permanence of the day: intakes and follow-ups."""
    followed = [p for p in plans if p.place is home and p.cape_start is not None and p.end is None]
    chosen = b.rng.sample(followed, min(FOLLOWUPS_TODAY, len(followed))) + newcomers
    hours = [dt.time(9, 0), dt.time(10, 0), dt.time(11, 0), dt.time(14, 0), dt.time(15, 0),
             dt.time(16, 0), dt.time(16, 45)]  # fmt: skip
    for plan, hour in zip(chosen, hours, strict=False):
        kind = "accueil" if plan in newcomers else "suivi"
        booked = plan.arrival if kind == "accueil" else b.today - dt.timedelta(days=14)
        starts = dt.datetime.combine(b.today, hour)
        add_appointment(b, plan, starts, kind, booked, permanence_id, owner)
        plan.contacts.append(b.today)


def _normalise_setup(b: DemoBuilder, session: Session, start: dt.date, owner: str | None) -> str:
    """Give the rows the first-run service made deterministic ids and dates, so two runs
    with one seed produce identical databases. Returns the accompagnateur's new id."""
    since = dt.datetime.combine(start, dt.time(9, 0))
    for name in synced_tables():
        session.execute(text(f'UPDATE "{name}" SET created_at = :t, updated_at = :t'), {"t": since})
    new_owner = b.new_id(since)
    session.execute(
        update(Accompagnateur.__table__).where(Accompagnateur.__table__.c.id == owner)  # type: ignore[arg-type]
        .values(id=new_owner, updated_at=since)
    )  # fmt: skip
    # If sync captured the first-run insert, its outbox entry must name the new id too.
    for table in ("sync_outbox", "sync_field_clock"):
        session.execute(
            text(f"UPDATE {table} SET row_id = :new WHERE row_id = :old"),
            {"new": new_owner, "old": owner},
        )
    session.execute(
        text("UPDATE sync_outbox SET fields_json = replace(fields_json, :old, :new)"),
        {"new": new_owner, "old": owner},
    )
    prefix = SERIES_PREFIXES[next(a for a, _d, _h, t in ANTENNES if DEMO_PERMANENCE in t)]
    session.execute(
        update(DeviceIdentity.__table__).values(  # type: ignore[arg-type]
            device_id=b.new_id(since), name="Portable de démonstration", series_prefix=prefix
        )
    )
    return new_owner


def _places(session: Session) -> list[Place]:
    order = [name for name, _d, _h, _t in ANTENNES]
    antennes = sorted(session.scalars(select(Antenne)), key=lambda a: order.index(a.name))
    permanences = list(session.execute(select(Permanence.antenne_id, Permanence.id,
                                              Permanence.town)))  # fmt: skip
    return [
        Place(
            a.id,
            a.name,
            a.departement,
            tuple((pid, town) for aid, pid, town in permanences if aid == a.id),
        )
        for a in antennes
    ]


def _staff(
    b: DemoBuilder, session: Session, owner_id: str, places: list[Place], start: dt.date
) -> list[Staff]:
    by_name = {p.name: p.antenne_id for p in places}
    staff = [Staff(owner_id, f"{STAFF[0][0]} {STAFF[0][1]}", by_name[STAFF[0][2]])]
    session.execute(
        update(Accompagnateur.__table__).where(Accompagnateur.__table__.c.id == owner_id)  # type: ignore[arg-type]
        .values(antenne_id=staff[0].antenne_id, updated_at=b.now)
    )  # fmt: skip
    rows = []
    for first, last, antenne in STAFF[1:]:
        stamp = b.stamp(dt.datetime.combine(start, dt.time(9, 30)), staff[0].name)
        rows.append({**stamp, "first_name": first, "last_name": last, "active": True,
                     "email": f"{first}.{last}@{STAFF_DOMAIN}".lower().replace("é", "e"),
                     "antenne_id": by_name[antenne]})  # fmt: skip
        staff.append(Staff(stamp["id"], f"{first} {last}", by_name[antenne]))
    b.rows[Accompagnateur] = rows
    b.flush(session, [Accompagnateur])
    return staff


def _cae_identity(b: DemoBuilder, session: Session) -> None:
    """A complete, checksum-valid identity (invented SIREN, SIRET, VAT number and IBAN)."""
    siren = b.siren()
    values: dict[str, Any] = {
        "name": "Coopérative d'activités Champagne-Ardenne (démonstration)",
        # The PDF prints "<legal form> <capital wording>": neither repeats the other.
        "legal_form": "Société coopérative et participative (SCOP) SA",
        "capital_wording": "à capital variable",
        "address": "12 rue de Vesle",
        "postcode": "51100",
        "city": "Reims",
        "siren": siren,
        "siret": b.siret(siren),
        "rcs_city": "Reims",
        "naf": "7022Z",
        "vat_number": b.vat_number(siren),
        "iban": b.iban(bank="42559"),  # the bank code of the BIC below
        "bic": "CCOPFRPPXXX",
        "email": f"contact@{STAFF_DOMAIN}",
        "phone": b.landline_phone("Marne"),
        "payment_terms_days": 30,
        "updated_at": b.now,
    }
    session.execute(update(CaeIdentity.__table__).values(**values))  # type: ignore[arg-type]


def _permanence_schedule(b: DemoBuilder, session: Session, places: list[Place]) -> None:
    """Premises, weekday and hours of each permanence; Langres is held on the demo's day."""
    postcodes = {town: pc for towns in COMMUNES.values() for town, pc, _w in towns}
    weekday = 0
    for place in places:
        for permanence_id, town in place.permanences:
            premises, street = PERMANENCE_PLACES.get(town, ("Mairie", "place de la Mairie"))
            values = {
                "place": premises,
                "address": street,
                "postcode": postcodes.get(town, ""),
                "weekday": min(b.today.weekday(), 4) if town == DEMO_PERMANENCE else weekday % 5,
                "starts_at": dt.time(9, 0),
                "ends_at": dt.time(17, 0),
                "updated_at": b.now,
            }
            weekday += 1
            session.execute(
                update(Permanence.__table__).where(Permanence.__table__.c.id == permanence_id)  # type: ignore[arg-type]
                .values(**values)
            )  # fmt: skip

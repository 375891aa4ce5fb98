"""Person records: create, read, update, tombstone, with validation and duplicate detection.

Only what the accompaniment needs (docs/architecture.md §9): no social security number (NIR),
no health data. Free text that contains a valid NIR is refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session
from stdnum.fr import nir as std_nir

from app.clock import today, utcnow
from app.errors import Collector, ConflictError, NotFoundError, ValidationError
from app.models import Accompagnateur, Antenne, Invoice, OptionItem, Person
from app.people.attachment import record_attachment
from app.people.parcours_rules import add_months
from app.states import InvoiceStatus
from app.text import fold
from app.uow import UnitOfWorkFactory
from app.validation import is_postcode, normalize_email, normalize_phone

CIVILITIES = ("", "Mme", "M.")
OPTION_FIELDS = {
    "situation_code": "situation",
    "prescriber_code": "prescriber",
    "sector_code": "sector",
}
# Column widths of the person table; checked here so the form says "too long" by the field.
MAX_LENGTHS = {
    "first_name": 100,
    "last_name": 100,
    "email": 200,
    "address": 300,
    "postcode": 10,
    "city": 120,
    "activity_name": 200,
    "analytic_code": 40,
}
OLDEST_BIRTH_DATE = dt.date(1900, 1, 1)
MIN_AGE_YEARS = 15


@dataclass(frozen=True)
class PersonInput:
    civility: str = ""
    first_name: str = ""
    last_name: str = ""
    birth_date: dt.date | None = None
    email: str = ""
    phone: str = ""
    address: str = ""
    postcode: str = ""
    city: str = ""
    antenne_id: str | None = None
    referent_id: str | None = None
    situation_code: str = ""
    prescriber_code: str = ""
    sector_code: str = ""
    activity_name: str = ""
    analytic_code: str = ""
    notes: str = ""


@dataclass(frozen=True)
class PersonDetail(PersonInput):
    id: str = ""
    antenne_name: str = ""
    referent_name: str = ""
    situation_label: str = ""
    prescriber_label: str = ""
    sector_label: str = ""
    last_contact_on: dt.date | None = None
    anonymised_at: dt.datetime | None = None
    created_at: dt.datetime | None = None
    created_by: str = ""
    updated_at: dt.datetime | None = None
    updated_by: str = ""

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.civility, self.first_name, self.last_name.upper()) if p)

    def to_input(self) -> PersonInput:
        names = {f.name for f in fields(PersonInput)}
        return PersonInput(**{k: v for k, v in asdict(self).items() if k in names})


@dataclass(frozen=True)
class DuplicateCandidate:
    id: str
    first_name: str
    last_name: str
    birth_date: dt.date | None
    city: str
    email: str
    phone: str
    reasons: tuple[str, ...]  # name_birth | name | email | phone


class PossibleDuplicateError(ConflictError):
    """Creating this person may duplicate existing records; ``candidates`` says which."""

    code = "possible_duplicate"

    def __init__(self, candidates: list[DuplicateCandidate]) -> None:
        self.candidates = candidates
        super().__init__(self.code, count=len(candidates))


def contains_nir(text: str) -> bool:
    """True when free text holds a valid French social security number (13 or 15 digits)."""
    digits = ""
    for ch in text + "\n":
        if ch.isdigit() or (ch in "AaBb" and len(digits) == 5):  # Corsica: 2A / 2B
            digits += ch
        elif ch in " .-" and digits:
            continue
        else:
            if len(digits) in (13, 15) and std_nir.is_valid(digits):
                return True
            digits = ""
    return False


def check_free_text(errors: Collector, field_name: str, value: str) -> None:
    if contains_nir(value):
        errors.add(field_name, "nir_forbidden")


def normalized(data: PersonInput, session: Session) -> PersonInput:
    """Validate every field at once; return the input with email/phone/names normalised."""
    errors = Collector()
    values = asdict(data)
    for name in ("first_name", "last_name", "city", "address", "activity_name", "analytic_code"):
        values[name] = " ".join(str(values[name] or "").split())
    errors.check(bool(values["first_name"]), "first_name", "required")
    errors.check(bool(values["last_name"]), "last_name", "required")
    errors.check(data.civility in CIVILITIES, "civility", "invalid_choice")
    for name, limit in MAX_LENGTHS.items():
        if len(str(values[name] or "")) > limit:
            errors.add(name, "too_long", max=limit)
    if data.email.strip():
        try:
            values["email"] = normalize_email(data.email)
        except ValueError:
            errors.add("email", "invalid_email")
    else:
        values["email"] = ""
    if data.phone.strip():
        try:
            values["phone"] = normalize_phone(data.phone)
        except ValueError:
            errors.add("phone", "invalid_phone")
    else:
        values["phone"] = ""
    values["postcode"] = data.postcode.strip()
    if values["postcode"] and not is_postcode(values["postcode"]):
        errors.add("postcode", "invalid_postcode")
    if data.birth_date is not None:
        day = today()
        # Month arithmetic: on 29 February, "15 years ago" is 28 February of a common year.
        latest = add_months(day, -12 * MIN_AGE_YEARS)
        if data.birth_date > day:
            errors.add("birth_date", "date_in_future")
        elif data.birth_date < OLDEST_BIRTH_DATE or data.birth_date > latest:
            errors.add("birth_date", "implausible_birth_date", min_age=MIN_AGE_YEARS)
    for name, kind in OPTION_FIELDS.items():
        code = values[name]
        if code and not _option_exists(session, kind, code):
            errors.add(name, "unknown_option")
    if data.antenne_id and session.get(Antenne, data.antenne_id) is None:
        errors.add("antenne_id", "unknown_option")
    if data.referent_id and session.get(Accompagnateur, data.referent_id) is None:
        errors.add("referent_id", "unknown_option")
    check_free_text(errors, "notes", data.notes)
    errors.raise_if_any()
    return PersonInput(**values)


def _option_exists(session: Session, kind: str, code: str) -> bool:
    query = select(OptionItem.id).where(
        OptionItem.kind == kind, OptionItem.code == code, OptionItem.deleted_at.is_(None)
    )
    return session.scalar(query) is not None


def option_label(session: Session, kind: str, code: str) -> str:
    """The label of a code (even a deactivated option); the code itself if unknown."""
    if not code:
        return ""
    label = session.scalar(
        select(OptionItem.label).where(OptionItem.kind == kind, OptionItem.code == code)
    )
    return label or code


def _duplicates(
    session: Session, data: PersonInput, exclude_id: str | None
) -> list[DuplicateCandidate]:
    name_key = f"{fold(data.last_name)} {fold(data.first_name)}"
    conditions: list[ColumnElement[bool]] = []
    if data.first_name.strip() and data.last_name.strip():
        escaped = name_key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        conditions.append(Person.search_key.like(f"{escaped}%", escape="\\"))
    if data.email:
        conditions.append(func.lower(Person.email) == data.email.lower())
    if data.phone:
        conditions.append(Person.phone == data.phone)
    if not conditions:
        return []
    query = select(Person).where(
        Person.deleted_at.is_(None), Person.merged_into_id.is_(None), or_(*conditions)
    )
    if exclude_id:
        query = query.where(Person.id != exclude_id)
    found: list[DuplicateCandidate] = []
    for person in session.scalars(query.limit(50)):
        reasons: list[str] = []
        same_name = fold(person.last_name) == fold(data.last_name) and fold(
            person.first_name
        ) == fold(data.first_name)
        if same_name and data.birth_date and person.birth_date == data.birth_date:
            reasons.append("name_birth")
        elif same_name and (data.birth_date is None or person.birth_date is None):
            reasons.append("name")
        if data.email and person.email.lower() == data.email.lower():
            reasons.append("email")
        if data.phone and person.phone == data.phone:
            reasons.append("phone")
        if reasons:
            found.append(
                DuplicateCandidate(
                    person.id,
                    person.first_name,
                    person.last_name,
                    person.birth_date,
                    person.city,
                    person.email,
                    person.phone,
                    tuple(reasons),
                )
            )
    return found


def find_duplicates(
    uow_factory: UnitOfWorkFactory, data: PersonInput, exclude_id: str | None = None
) -> list[DuplicateCandidate]:
    """Existing persons with the same name and birth date, or the same email or phone."""
    with uow_factory() as uow:
        try:
            clean = normalized(data, uow.session)
        except ValidationError:
            # A half-filled form still deserves a look-up on what is already valid.
            clean = PersonInput(
                first_name=data.first_name.strip(),
                last_name=data.last_name.strip(),
                birth_date=data.birth_date,
                email=_or_empty(normalize_email, data.email),
                phone=_or_empty(normalize_phone, data.phone),
            )
        return _duplicates(uow.session, clean, exclude_id)


def _or_empty(normalize: Callable[[str], str], value: str) -> str:
    try:
        return normalize(value) if value.strip() else ""
    except ValueError:
        return ""


def create_person(
    uow_factory: UnitOfWorkFactory, data: PersonInput, *, allow_duplicate: bool = False
) -> PersonDetail:
    """Save a new person. Raises ``PossibleDuplicateError`` unless ``allow_duplicate``."""
    with uow_factory() as uow:
        clean = normalized(data, uow.session)
        if not allow_duplicate:
            candidates = _duplicates(uow.session, clean, None)
            if candidates:
                raise PossibleDuplicateError(candidates)
        person = Person(**asdict(clean), last_contact_on=today())
        uow.session.add(person)
        # The person's first attachment (docs/indicators.md, "Antenne filter").
        record_attachment(uow.session, person)
        uow.commit()
        return _detail(uow.session, person)


def update_person(
    uow_factory: UnitOfWorkFactory, person_id: str, data: PersonInput
) -> PersonDetail:
    with uow_factory() as uow:
        person = live_person(uow.session, person_id)
        if person.anonymised_at is not None:
            raise ConflictError("person_anonymised")
        clean = normalized(data, uow.session)
        for key, value in asdict(clean).items():
            if getattr(person, key) != value:
                setattr(person, key, value)
        # A move to another antenne or referent is dated today in the history.
        record_attachment(uow.session, person)
        uow.commit()
        return _detail(uow.session, person)


def delete_person(uow_factory: UnitOfWorkFactory, person_id: str) -> None:
    """Tombstone: the row stays so the delete syncs like any change.

    Refused (``person_has_invoices``) for an entrepreneur with issued invoices: invoices
    are kept ten years and count in the turnover whatever happens to their entrepreneur
    (docs/indicators.md); such a person can only be anonymised when the law allows."""
    with uow_factory() as uow:
        person = live_person(uow.session, person_id)
        issued = uow.session.scalar(
            select(func.count(Invoice.id)).where(
                Invoice.entrepreneur_id == person.id,
                Invoice.deleted_at.is_(None),
                Invoice.status != InvoiceStatus.DRAFT,
            )
        )
        if issued:
            raise ConflictError("person_has_invoices", invoices=int(issued))
        person.deleted_at = utcnow()
        uow.commit()


def get_person(uow_factory: UnitOfWorkFactory, person_id: str) -> PersonDetail:
    with uow_factory() as uow:
        return _detail(uow.session, live_person(uow.session, person_id))


def live_person(session: Session, person_id: str) -> Person:
    """The person, following a merge to the surviving record; NotFoundError if deleted."""
    person = session.get(Person, person_id)
    seen: set[str] = set()
    while person is not None and person.merged_into_id and person.id not in seen:
        seen.add(person.id)
        person = session.get(Person, person.merged_into_id)
    if person is None or person.deleted_at is not None:
        raise NotFoundError("person_not_found", id=person_id)
    return person


def touch_contact(session: Session, person: Person, on: dt.date) -> None:
    """Remember the latest contact (drives the 2-year retention of non-admitted applicants)."""
    if person.last_contact_on is None or on > person.last_contact_on:
        person.last_contact_on = on


def person_detail(session: Session, person: Person) -> PersonDetail:
    return _detail(session, person)


def _detail(session: Session, person: Person) -> PersonDetail:
    antenne = session.get(Antenne, person.antenne_id) if person.antenne_id else None
    referent = session.get(Accompagnateur, person.referent_id) if person.referent_id else None
    base = {f.name: getattr(person, f.name) for f in fields(PersonInput)}
    return PersonDetail(
        **base,
        id=person.id,
        antenne_name=antenne.name if antenne else "",
        referent_name=f"{referent.first_name} {referent.last_name}" if referent else "",
        situation_label=option_label(session, "situation", person.situation_code),
        prescriber_label=option_label(session, "prescriber", person.prescriber_code),
        sector_label=option_label(session, "sector", person.sector_code),
        last_contact_on=person.last_contact_on,
        anonymised_at=person.anonymised_at,
        created_at=person.created_at,
        created_by=person.created_by or "",
        updated_at=person.updated_at,
        updated_by=person.updated_by or "",
    )

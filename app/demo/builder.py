"""Shared state of one generation run: the seeded random source, deterministic ids and
timestamps, plausible identifiers (phones, SIREN, IBAN), and the row buffers written in
bulk.

Rows are written with Core-style bulk ``insert(Model)`` executemany statements in big
batches: tens of thousands of ORM objects would take minutes. Bulk inserts bypass ORM
events (the person search key, the audit stamp, any sync outbox capture), so this module
fills ``search_key``, ``created_by``/``updated_by`` and timestamps itself; generated data is
not a local edit waiting to be pushed, so it rightly stays out of any outbox.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

import phonenumbers
from sqlalchemy import insert
from sqlalchemy.orm import Session
from stdnum import iban as std_iban
from stdnum import luhn
from stdnum.fr import siren as std_siren

from app.text import fold

T = TypeVar("T")
BATCH = 5000

MOBILE_PREFIXES = ("6", "7")
# Geographic numbers of the Grand Est start with 03; 0326 = Marne, 0324 = Ardennes,
# 0325 = Aube and Haute-Marne.
LANDLINE_PREFIXES = {"Marne": "326", "Ardennes": "324", "Aube": "325", "Haute-Marne": "325"}


class DemoBuilder:
    """One generation run. Everything random comes from ``rng`` so a seed gives one result."""

    def __init__(self, seed: int, today: dt.date) -> None:
        self.rng = random.Random(seed)
        self.today = today
        # "Now" is pinned to the morning of ``today``: two runs the same day are identical.
        self.now = dt.datetime.combine(today, dt.time(7, 30))
        self.rows: dict[type, list[dict[str, Any]]] = {}
        self.counts: dict[str, int] = {}

    # Randomness ----------------------------------------------------------------
    def chance(self, percent: float) -> bool:
        return self.rng.random() * 100 < percent

    def pick(self, items: Sequence[T]) -> T:
        return items[self.rng.randrange(len(items))]

    def weighted(self, items: Sequence[T], weights: Sequence[float]) -> T:
        return self.rng.choices(items, weights=weights, k=1)[0]

    def day_between(self, start: dt.date, end: dt.date) -> dt.date:
        if end <= start:
            return start
        return start + dt.timedelta(days=self.rng.randrange((end - start).days + 1))

    def working_day(self, day: dt.date) -> dt.date:
        """The same day, or the next Monday when it falls on a weekend."""
        while day.weekday() >= 5:
            day += dt.timedelta(days=1)
        return day

    def at(self, day: dt.date, earliest: int = 8, latest: int = 18) -> dt.datetime:
        """A plausible office-hours moment of ``day``, never after "now"."""
        minutes = self.rng.randrange(earliest * 60, latest * 60)
        moment = dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60))
        return min(moment, self.now)

    # Ids and bookkeeping columns ----------------------------------------------------
    def new_id(self, when: dt.datetime) -> str:
        """A UUIDv7 (time-ordered like the app's own ids) whose random bits come from
        the seeded generator, so ids repeat from one run to the next."""
        millis = int(when.replace(tzinfo=dt.UTC).timestamp() * 1000) & ((1 << 48) - 1)
        rand_a = self.rng.getrandbits(12)
        rand_b = self.rng.getrandbits(62)
        value = (millis << 80) | (0x7 << 76) | (rand_a << 64) | (0b10 << 62) | rand_b
        return str(uuid.UUID(int=value))

    def stamp(self, when: dt.datetime, actor: str = "") -> dict[str, Any]:
        """The ``Synced`` columns of a row created at ``when`` by ``actor``."""
        when = min(when, self.now)
        return {
            "id": self.new_id(when),
            "created_at": when,
            "updated_at": when,
            "deleted_at": None,
            "created_by": actor or None,
            "updated_by": actor or None,
        }

    def add(self, model: type, row: dict[str, Any]) -> dict[str, Any]:
        self.rows.setdefault(model, []).append(row)
        return row

    def flush(self, session: Session, models: Iterable[type]) -> None:
        """Write the buffered rows of ``models`` in order (parents first)."""
        for model in models:
            rows = self.rows.pop(model, [])
            name = model.__tablename__  # type: ignore[attr-defined]
            self.counts[name] = self.counts.get(name, 0) + len(rows)
            for start in range(0, len(rows), BATCH):
                session.execute(insert(model), rows[start : start + BATCH])

    # Plausible French identifiers ---------------------------------------------------
    def mobile_phone(self) -> str:
        return self._valid_phone(lambda: self.pick(MOBILE_PREFIXES) + self._digits(8))

    def landline_phone(self, departement: str) -> str:
        prefix = LANDLINE_PREFIXES.get(departement, "326")
        return self._valid_phone(lambda: prefix + self._digits(6))

    def _valid_phone(self, make: Any) -> str:
        while True:
            parsed = phonenumbers.parse("0" + make(), "FR")
            if phonenumbers.is_valid_number(parsed):
                return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)

    def _digits(self, count: int) -> str:
        return "".join(str(self.rng.randrange(10)) for _ in range(count))

    def siren(self) -> str:
        # Real SIRENs start with 3 to 9 for companies; the last digit is a Luhn key.
        body = str(self.rng.randrange(3, 10)) + self._digits(7)
        return body + luhn.calc_check_digit(body)

    def siret(self, siren: str) -> str:
        """An establishment number of ``siren``: NIC 0001x with a valid Luhn key."""
        body = siren + "0001"
        return body + luhn.calc_check_digit(body)

    @staticmethod
    def vat_number(siren: str) -> str:
        """Intra-EU VAT number as app.validation stores it: "FR" + key + SIREN."""
        return "FR" + str(std_siren.to_tva(siren))

    def iban(self, bank: str = "") -> str:
        """A French IBAN: bank 5 + branch 5 + account 11 digits + RIB key, then mod-97."""
        bank = bank or self._digits(5)
        branch, account = self._digits(5), self._digits(11)
        rib_key = 97 - (89 * int(bank) + 15 * int(branch) + 3 * int(account)) % 97
        bban = f"{bank}{branch}{account}{rib_key:02d}"
        check = std_iban.calc_check_digits("FR00" + bban)
        return f"FR{check}{bban}"

    def email(self, first: str, last: str, domains: Sequence[str]) -> str:
        local = fold(f"{first}.{last}").replace(" ", "-").replace("'", "")
        if self.chance(35):
            local += str(self.rng.randrange(1, 99))
        return f"{local}@{self.pick(domains)}"

    def address(self, streets: Sequence[str]) -> str:
        number = self.rng.randrange(1, 120)
        suffix = " bis" if self.chance(4) else ""
        return f"{number}{suffix} {self.pick(streets)}"

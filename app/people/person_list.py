"""The person list's reads, in plain SQL on a DB-API connection (issue 14: launch to a
usable person list).

The Personnes page is the first thing a user sees: its first page must not wait for
SQLAlchemy, the models and the mappers (about a second on these laptops). So the search,
its pages and its count are written here as SQL text run by any DB-API connection:

* :mod:`app.people.person_directory` runs them on a unit of work's connection (the
  profile's engine, its read-only transactions);
* :class:`EarlyReader` runs them on a bare ``sqlite3`` (or ``sqlcipher3``) connection
  opened at launch, before the profile is opened behind the window, so the list is
  filled while SQLAlchemy loads. It never writes (``PRAGMA query_only``), opens no
  missing file and is closed once the profile is open.

Nothing here imports SQLAlchemy or the models: only fixed fragments go into the text,
every typed value is bound.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from app.clock import today
from app.people.parcours_rules import StageInfo, derive_status
from app.text import search_patterns

# Runs one statement with named parameters and returns its rows (sqlite3's
# ``Connection.execute``, SQLAlchemy's ``Connection.exec_driver_sql``).
Execute = Callable[[str, dict[str, Any]], Iterable[Sequence[Any]]]


@dataclass(frozen=True)
class PersonRow:
    id: str
    last_name: str
    first_name: str
    city: str
    email: str
    phone: str
    antenne: str
    last_contact_on: dt.date | None
    # Derived from the parcours stages (app.people.parcours_rules), never stored.
    status: str = ""

    @property
    def full_name(self) -> str:
        return f"{self.last_name.upper()} {self.first_name}"


@dataclass(frozen=True)
class PersonPage:
    rows: list[PersonRow]
    total: int


@dataclass(frozen=True)
class _Sql:
    count: str
    page: str
    stages: str
    decisions: str


def _tokens(text: str) -> list[str]:
    """The typed words as LIKE patterns (app/text.py search_patterns)."""
    return search_patterns(text)


def _params(text: str, antenne_id: str | None, **extra: object) -> tuple[int, dict[str, Any]]:
    patterns = _tokens(text)
    params: dict[str, Any] = {f"w{i}": pattern for i, pattern in enumerate(patterns)}
    if antenne_id:
        params["antenne_id"] = antenne_id
    return len(patterns), {**params, **extra}


def _conditions(words: int, by_antenne: bool, table: str = "") -> str:
    """Live persons matching ``words`` bound patterns (``:w0``, ``:w1``…) and, if
    ``by_antenne``, the bound ``:antenne_id``."""
    conditions = [f"{table}deleted_at IS NULL", f"{table}merged_into_id IS NULL"]
    if by_antenne:
        conditions.append(f"{table}antenne_id = :antenne_id")
    conditions += [f"{table}search_key LIKE :w{i} ESCAPE '\\'" for i in range(words)]
    return " AND ".join(conditions)


@cache
def _sql(words: int, by_antenne: bool) -> _Sql:
    """The search's statements for a number of typed words, built once. The page is read
    in ``search_key`` index order (the folded last and first names: accent-blind French
    order, which SQLite's binary collation alone gets wrong) and stops after ``limit``
    rows; the stages and intake decisions of the page's persons select the page again as
    a subquery rather than binding a list of ids. The count needs ``INDEXED BY``: the
    planner would scan the wide person rows, while the search_key index tests LIKE on the
    narrow key and reads a row only for a match (twice as fast on decade)."""
    order = "ORDER BY person.search_key, person.id LIMIT :limit OFFSET :offset"
    page_ids = (
        f"SELECT person.id FROM person WHERE {_conditions(words, by_antenne, 'person.')} {order}"
    )
    return _Sql(
        count=(
            "SELECT count(*) FROM person INDEXED BY ix_person_search_key WHERE "
            + _conditions(words, by_antenne)
        ),
        page=(
            "SELECT person.id, person.last_name, person.first_name, person.city, "
            "person.email, person.phone, antenne.name, person.last_contact_on "
            "FROM person LEFT OUTER JOIN antenne ON antenne.id = person.antenne_id "
            f"WHERE {_conditions(words, by_antenne, 'person.')} {order}"
        ),
        stages=(
            "SELECT id, person_id, kind, start_date, end_date, outcome, exit_reason_code "
            f"FROM parcours_stage WHERE person_id IN ({page_ids}) AND deleted_at IS NULL"
        ),
        # Ordered by date: the latest intake wins.
        decisions=(
            "SELECT person_id, decision FROM intake_interview "
            f"WHERE person_id IN ({page_ids}) AND deleted_at IS NULL AND is_draft = 0 "
            "ORDER BY held_on, created_at"
        ),
    )


def _date(value: object) -> dt.date | None:
    """A stored date (SQLAlchemy keeps ``Date`` as ISO text in SQLite)."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _read_page(execute: Execute, sql: _Sql, params: dict[str, Any]) -> list[PersonRow]:
    """One page of persons with their derived status: three statements for the page."""
    rows = list(execute(sql.page, params))
    if not rows:
        return []
    stages: dict[str, list[StageInfo]] = defaultdict(list)
    for stage_id, person_id, kind, start, end, outcome, exit_reason in execute(sql.stages, params):
        start_date = _date(start)
        assert start_date is not None
        stages[person_id].append(
            StageInfo(
                id=stage_id,
                person_id=person_id,
                kind=kind,
                start_date=start_date,
                end_date=_date(end),
                outcome=outcome,
                exit_reason_code=exit_reason,
            )
        )
    decisions: dict[str, str] = {person_id: decision for person_id, decision in execute(
        sql.decisions, params
    )}  # fmt: skip
    day = today()
    return [
        PersonRow(
            id=r[0],
            last_name=r[1],
            first_name=r[2],
            city=r[3],
            email=r[4],
            phone=r[5],
            antenne=r[6] or "",
            last_contact_on=_date(r[7]),
            status=derive_status(stages.get(r[0], []), day, decisions.get(r[0], "")).code,
        )
        for r in rows
    ]


def read_count(execute: Execute, text: str = "", antenne_id: str | None = None) -> int:
    words, params = _params(text, antenne_id)
    for (count,) in execute(_sql(words, bool(antenne_id)).count, params):
        return int(count or 0)
    return 0


def read_first_page(
    execute: Execute, text: str = "", *, antenne_id: str | None = None, limit: int = 200
) -> PersonPage:
    """First page of a search and the number of matches. A separate count (not
    ``count(*) OVER ()``, which makes SQLite materialise and sort every match) runs only
    when the page is full: after a few letters a search has fewer matches than a page,
    and the page's length is the count."""
    words, params = _params(text, antenne_id, offset=0, limit=limit)
    sql = _sql(words, bool(antenne_id))
    rows = _read_page(execute, sql, params)
    if len(rows) < limit:
        return PersonPage(rows, len(rows))
    total = 0
    for (count,) in execute(sql.count, params):
        total = int(count or 0)
    return PersonPage(rows, total)


def read_page(
    execute: Execute,
    text: str = "",
    *,
    antenne_id: str | None = None,
    offset: int = 0,
    limit: int = 200,
) -> list[PersonRow]:
    words, params = _params(text, antenne_id, offset=offset, limit=limit)
    return _read_page(execute, _sql(words, bool(antenne_id)), params)


# What the list shows, written without Babel and phonenumbers (about 150 ms of imports
# before the first page could be drawn); tests/unit/test_person_list.py holds them equal
# to app.formatting and app.validation, which they defer to outside the common cases.
NARROW_NBSP = "\u202f"  # Babel's French group separator
# French numbers whose national form is "0X XX XX XX XX" (not 08…, written "0 8XX…").
_PAIRED = frozenset("1234567" + "9")


def list_phone(e164: str) -> str:
    """ "+33612345678" -> "06 12 34 56 78", as app.validation.display_phone writes it."""
    if not e164:
        return ""
    if len(e164) == 12 and e164[:3] == "+33" and e164[3:].isdigit() and e164[3] in _PAIRED:
        national = "0" + e164[3:]
        return " ".join(national[i : i + 2] for i in range(0, 10, 2))
    from app.validation import display_phone

    return display_phone(e164)


def list_date(value: dt.date | None) -> str:
    """26/11/2026, as app.formatting.date writes it (short style)."""
    if value is None:
        return ""
    if value.year < 1000:
        from app import formatting

        return formatting.date(value)
    return f"{value.day:02d}/{value.month:02d}/{value.year}"


def list_count(total: int) -> str:
    """12345 -> "12 345" (narrow no-break space), as app.formatting.number(total, 0)."""
    return f"{total:,}".replace(",", NARROW_NBSP)


class EarlyReader:
    """The person list read from the database file itself, before the profile is open.

    Opened on the database worker at launch; then used from the GUI thread only (the
    list's keystrokes and pages), until the profile is open and the list reads through
    its units of work. Each read is its own snapshot (autocommit: no transaction is
    left open to hold back the WAL)."""

    def __init__(self, connection: Any) -> None:
        self._conn = connection

    @classmethod
    def open(cls, database: Path, passphrase: str | None = None) -> EarlyReader:
        """Raises ``FileNotFoundError`` for a missing file and the driver's errors for a
        file that cannot be read (the profile's opening then says why)."""
        if not database.is_file():
            raise FileNotFoundError(database)
        uri = f"{database.resolve().as_uri()}?mode=rw"
        if passphrase:
            import sqlcipher3  # type: ignore[import-untyped]

            conn = sqlcipher3.connect(uri, uri=True, check_same_thread=False)
            escaped = passphrase.replace("'", "''")
            conn.execute(f"PRAGMA key = '{escaped}'")
        else:
            import sqlite3

            conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
        try:
            conn.isolation_level = None
            conn.execute("PRAGMA query_only = ON")
            conn.execute("PRAGMA busy_timeout = 5000")
        except BaseException:
            conn.close()
            raise
        return cls(conn)

    def _execute(self, sql: str, params: dict[str, Any]) -> Iterable[Sequence[Any]]:
        if self._conn is None:
            raise RuntimeError("the early reader is closed")
        return self._conn.execute(sql, params).fetchall()  # type: ignore[no-any-return]

    def schema_revision(self) -> str | None:
        """The migration stamped in the file (the profile's opening migrates a file whose
        stamp is older: the list is then read again)."""
        rows = list(self._execute("SELECT version_num FROM alembic_version", {}))
        return str(rows[0][0]) if rows else None

    def first_page(self, text: str = "", *, limit: int = 200) -> PersonPage:
        return read_first_page(self._execute, text, limit=limit)

    def page(self, text: str = "", *, offset: int = 0, limit: int = 200) -> list[PersonRow]:
        return read_page(self._execute, text, offset=offset, limit=limit)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

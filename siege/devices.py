"""Enrolled laptops: one-time codes, bearer tokens (kept only as hashes), revocation,
the towns each device serves (its read and write scope, docs/authority.md) and token
rotation and expiry (docs/sync.md, "Tokens")."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, func, insert, select, update

from app.clock import utcnow
from app.models.base import Base
from app.text import fold
from siege.local_series import Declared, LocalSeriesRefused, adopt
from siege.tables import device

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud on the phone
CODE_VALIDITY = dt.timedelta(days=7)
# A token not used for this long stops working (a laptop left in a drawer, or stolen
# and kept offline): the administrator enrols it again.
TOKEN_IDLE_LIMIT = dt.timedelta(days=90)
NAME_PATTERN = re.compile(r"^[\w .'-]{1,120}$")
ACCOMPAGNATEUR = "accompagnateur"
SIEGE = "siege"
ROLES = (ACCOMPAGNATEUR, SIEGE)


class DeviceAdminError(Exception):
    """Admin command refused; ``reason`` is a code the CLI turns into a French message,
    ``details`` fill it in."""

    def __init__(self, reason: str, **details: str) -> None:
        self.reason = reason
        self.details = details
        super().__init__(reason)


@dataclass(frozen=True)
class DeviceRecord:
    id: int
    name: str
    antenne: str
    series_prefix: str
    device_id: str | None
    last_op: int
    enrolled_at: dt.datetime | None
    revoked_at: dt.datetime | None
    last_seen_at: dt.datetime | None
    role: str = ACCOMPAGNATEUR
    scope: tuple[str, ...] = ()

    @property
    def towns(self) -> tuple[str, ...]:
        """The towns whose antennes this device serves, its own ``antenne`` first."""
        return self.scope or (self.antenne,)

    @property
    def token_expires_at(self) -> dt.datetime | None:
        since = self.last_seen_at or self.enrolled_at
        if since is None or self.revoked_at is not None:
            return None
        return since + TOKEN_IDLE_LIMIT


def hash_secret(secret: str) -> str:
    # Codes and tokens are long random strings, so a plain SHA-256 is enough (no
    # password stretching needed); the comparison below is constant-time anyway.
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _record(row: object) -> DeviceRecord:
    m = row._mapping  # type: ignore[attr-defined]
    return DeviceRecord(
        m["id"],
        m["name"],
        m["antenne"],
        m["series_prefix"],
        m["device_id"],
        int(m["last_op"]),
        m["enrolled_at"],
        m["revoked_at"],
        m["last_seen_at"],
        m["role"],
        tuple(json.loads(m["scope"])) if m["scope"] else (),
    )


def _new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return "-".join(raw[i : i + 4] for i in range(0, 12, 4))


def normalise_code(code: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", code.upper())


def _prefix_base(antenne: str) -> str:
    letters = re.sub(r"[^A-Z]", "", fold(antenne).upper())
    return (letters[:3] or "DEV").ljust(3, "X")


def known_towns(conn: Connection) -> list[str]:
    """The towns a device can belong to: the CAE's antennes and permanences (seeded at
    migration, then kept up to date by sync), in their own spelling."""
    antenne = Base.metadata.tables["antenne"]
    permanence = Base.metadata.tables["permanence"]
    names = conn.execute(select(antenne.c.name).where(antenne.c.deleted_at.is_(None))).scalars()
    towns = conn.execute(
        select(permanence.c.town).where(permanence.c.deleted_at.is_(None))
    ).scalars()
    return sorted({*names, *towns}, key=fold)


def resolve_town(conn: Connection, town: str) -> str:
    """``town`` in the CAE's spelling ("epernay" gives "Épernay"); an unknown town is
    refused: it would give the device's invoices a meaningless series prefix."""
    known = known_towns(conn)
    wanted = fold(town).strip()
    for candidate in known:
        if fold(candidate) == wanted:
            return candidate
    raise DeviceAdminError("unknown_town", town=town.strip(), known=", ".join(known))


def enroll(
    engine: Engine,
    name: str,
    antenne: str | Sequence[str],
    role: str = ACCOMPAGNATEUR,
    series: str | None = None,
) -> tuple[str, str]:
    """Create (or re-issue a code for) a device; returns (one-time code, series prefix).

    The prefix is bound to the device for good (docs/authority.md): only this device
    may create or write invoice series with it. A re-issued code keeps the device's
    name, antenne, role, prefix and device id (a reinstalled laptop continues its
    series).

    ``series`` hands the invoice series already on the siège under that prefix (imported
    from the laptop's profile, siege/importer.py) to the new device: it enrols with the
    series' device id, so that laptop goes on numbering in it. Only the administrator
    decides this; a laptop never chooses its id.

    ``antenne`` may name several towns: the device serves all their antennes; the first
    names its series prefix."""
    towns = [antenne] if isinstance(antenne, str) else list(antenne)
    if not towns:
        raise DeviceAdminError("unknown_town", town="", known="")
    name = name.strip()
    if not NAME_PATTERN.match(name):
        raise DeviceAdminError("invalid_device_name")
    if role not in ROLES:
        raise DeviceAdminError("invalid_role", role=role, roles=", ".join(ROLES))
    code = _new_code()
    now = utcnow()
    with engine.begin() as conn:
        existing = conn.execute(select(device).where(device.c.name == name)).first()
        values = {
            "code_hash": hash_secret(normalise_code(code)),
            "code_expires_at": now + CODE_VALIDITY,
        }
        if existing is not None:
            if existing._mapping["revoked_at"] is not None:
                raise DeviceAdminError("device_revoked", name=name)
            conn.execute(
                update(device).where(device.c.id == existing._mapping["id"]).values(**values)
            )
            return code, str(existing._mapping["series_prefix"])
        resolved = _resolve_towns(conn, towns)
        antenne = resolved[0]
        device_id = None
        if series is not None:
            prefix, device_id = _series_to_adopt(conn, series)
        else:
            base = _prefix_base(antenne)
            taken = conn.execute(
                select(func.count())
                .select_from(device)
                .where(device.c.series_prefix.like(base + "%"))
            ).scalar_one()
            prefix = _free_prefix(conn, base, int(taken) + 1)
        conn.execute(
            insert(device).values(
                name=name,
                antenne=antenne,
                scope=json.dumps(resolved, ensure_ascii=False) if len(resolved) > 1 else None,
                role=role,
                series_prefix=prefix,
                device_id=device_id,
                created_at=now,
                last_op=0,
                **values,
            )
        )
    return code, prefix


def _resolve_towns(conn: Connection, towns: Sequence[str]) -> list[str]:
    resolved: list[str] = []
    for town in towns:
        spelled = resolve_town(conn, town)
        if spelled not in resolved:
            resolved.append(spelled)
    return resolved


def set_scope(engine: Engine, name: str, towns: Sequence[str]) -> tuple[DeviceRecord, int]:
    """Give an enrolled device a new set of towns (its ``antenne`` stays first when still
    served: it names the series prefix). Rows that enter its scope are sent again at its
    next sync (siege/scope.py); returns the device and how many rows that is. Rows leaving
    the scope are evicted from the laptop at its next sync (docs/sync.md, "Leaving a
    scope")."""
    from siege import scope as read_scope

    if not towns:
        raise DeviceAdminError("unknown_town", town="", known="")
    with engine.begin() as conn:
        row = conn.execute(
            select(device).where(device.c.name == name, device.c.revoked_at.is_(None))
        ).first()
        if row is None:
            raise DeviceAdminError("no_active_device", name=name)
        before = _record(row)
        resolved = _resolve_towns(conn, towns)
        if before.antenne in resolved:
            resolved.remove(before.antenne)
            resolved.insert(0, before.antenne)
        stored = None if resolved == [before.antenne] else json.dumps(resolved, ensure_ascii=False)
        conn.execute(update(device).where(device.c.id == before.id).values(scope=stored))
        after = _record(conn.execute(select(device).where(device.c.id == before.id)).one())
        sent = read_scope.publish_growth(conn, before, after)
        if after.device_id is not None and set(before.towns) - set(after.towns):
            # A town removed: the laptop evicts what left its scope (docs/sync.md).
            read_scope.note_scope_change(conn, after.device_id, "device.scope")
    return after, sent


def _series_to_adopt(conn: Connection, prefix: str) -> tuple[str, str]:
    """(prefix, device id) of the series held under ``prefix``, if no device has it."""
    series = Base.metadata.tables["invoice_series"]
    owners = set(
        conn.execute(select(series.c.device_id).where(series.c.prefix == prefix)).scalars()
    )
    if len(owners) != 1:
        raise DeviceAdminError("unknown_series", prefix=prefix)
    owner = owners.pop()
    taken = conn.execute(
        select(device.c.name).where(
            (device.c.device_id == owner) | (device.c.series_prefix == prefix)
        )
    ).first()
    if taken is not None:
        raise DeviceAdminError("series_taken", prefix=prefix, name=str(taken[0]))
    return prefix, str(owner)


def _free_prefix(conn: Connection, base: str, number: int) -> str:
    """The first ``<base><n>`` no device and no series on the siège uses: a prefix is
    never shared, not even with a series imported from a profile (siege/importer.py)."""
    series = Base.metadata.tables["invoice_series"]
    taken = set(
        conn.execute(select(series.c.prefix).where(series.c.prefix.like(base + "%"))).scalars()
    )
    taken |= set(
        conn.execute(
            select(device.c.series_prefix).where(device.c.series_prefix.like(base + "%"))
        ).scalars()
    )
    while f"{base}{number}" in taken:
        number += 1
    return f"{base}{number}"


def complete_enrolment(
    engine: Engine, code: str, local_series: Sequence[Declared] = ()
) -> tuple[DeviceRecord, str]:
    """Trade a one-time code for a token and the device id the siège chose (a new UUID
    at first enrolment, the device's own one when a code was re-issued); raises
    DeviceAdminError('invalid_code'). Whatever id the laptop had is not asked for:
    an id claimed by the client could take over another device's series. The series
    the laptop issued invoices in before enrolment are checked and adopted first
    (siege/local_series.py); a refusal leaves the code unspent."""
    code_hash = hash_secret(normalise_code(code))
    token = secrets.token_urlsafe(32)
    now = utcnow()
    with engine.begin() as conn:
        row = conn.execute(
            select(device).where(device.c.code_hash == code_hash).with_for_update()
        ).first()
        if row is None or row._mapping["revoked_at"] is not None:
            raise DeviceAdminError("invalid_code")
        m = row._mapping
        if m["code_expires_at"] is None or m["code_expires_at"] < now:
            raise DeviceAdminError("invalid_code")
        # Random (uuid4), not time-ordered: it says nothing about when it was made.
        device_id = m["device_id"] or str(uuid.uuid4())
        try:
            adopt(conn, int(m["id"]), device_id, local_series)
        except LocalSeriesRefused as exc:
            raise DeviceAdminError(exc.reason, prefix=exc.prefix) from None
        conn.execute(
            update(device)
            .where(device.c.id == m["id"])
            .values(
                device_id=device_id,
                token_hash=hash_secret(token),
                next_token_hash=None,
                code_hash=None,
                code_expires_at=None,
                enrolled_at=now,
            )
        )
        fresh = conn.execute(select(device).where(device.c.id == m["id"])).one()
    return _record(fresh), token


def authenticate(engine: Engine, token: str) -> DeviceRecord | None:
    """The device holding ``token``: its current token, or the one handed out by the last
    rotation (:func:`rotate_token`). Using the new one retires the old one; a token idle
    for TOKEN_IDLE_LIMIT, or of a revoked device, is refused."""
    if not token or len(token) > 200:
        return None
    wanted = hash_secret(token)
    with engine.connect() as conn:
        row = conn.execute(
            select(device).where(
                (device.c.token_hash == wanted) | (device.c.next_token_hash == wanted)
            )
        ).first()
    if row is None:
        return None
    record = _record(row)
    if record.revoked_at is not None or record.device_id is None:
        return None
    m = row._mapping
    is_next = m["next_token_hash"] is not None and hmac.compare_digest(
        str(m["next_token_hash"]), wanted
    )
    if not is_next and not hmac.compare_digest(str(m["token_hash"]), wanted):
        return None
    expires = record.token_expires_at
    if expires is not None and expires < utcnow():
        return None
    if is_next:
        # The laptop holds the new token: the old one stops working now.
        with engine.begin() as conn:
            conn.execute(
                update(device)
                .where(device.c.id == record.id, device.c.next_token_hash == wanted)
                .values(token_hash=wanted, next_token_hash=None)
            )
    return record


def refusal(engine: Engine, token: str) -> str:
    """Why ``token`` was refused, for the laptop's message (docs/sync.md, "Tokens"):
    ``expired`` (idle too long: enrol again), ``revoked``, or ``unknown_token``: no device
    holds it — a forged token, or a laptop whose token was rotated after the backup this
    siège was restored from (it enrols again and keeps its series and its outbox)."""
    if not token or len(token) > 200:
        return "unknown_token"
    wanted = hash_secret(token)
    with engine.connect() as conn:
        row = conn.execute(
            select(device).where(
                (device.c.token_hash == wanted) | (device.c.next_token_hash == wanted)
            )
        ).first()
    if row is None:
        return "unknown_token"
    return "revoked" if row._mapping["revoked_at"] is not None else "expired"


def rotate_token(engine: Engine, dev: DeviceRecord) -> str:
    """A fresh token for a device that has just synced (handed out in ``/hello``). Its
    current token keeps working until the new one is used once, so an answer lost on
    the way never locks a laptop out; a later rotation replaces an unused one."""
    token = secrets.token_urlsafe(32)
    with engine.begin() as conn:
        conn.execute(
            update(device)
            .where(device.c.id == dev.id, device.c.revoked_at.is_(None))
            .values(next_token_hash=hash_secret(token), last_seen_at=utcnow())
        )
    return token


def list_devices(engine: Engine) -> list[DeviceRecord]:
    with engine.connect() as conn:
        return [_record(r) for r in conn.execute(select(device).order_by(device.c.name))]


def revoke(engine: Engine, name: str) -> None:
    with engine.begin() as conn:
        result = conn.execute(
            update(device)
            .where(device.c.name == name, device.c.revoked_at.is_(None))
            .values(revoked_at=utcnow(), token_hash=None, next_token_hash=None, code_hash=None)
        )
        if result.rowcount == 0:
            raise DeviceAdminError("no_active_device", name=name)

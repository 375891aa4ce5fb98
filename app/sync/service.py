"""Sync use cases for the UI and the command line: enrol, run a sync, read the status,
the history and the conflicts to review. Returns frozen values, never ORM objects."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, func, insert, select, update

from app.clock import utcnow
from app.errors import ValidationError
from app.jobs import Cancelled, JobControl
from app.models import DeviceIdentity, OutboxEntry, SyncConflict, SyncRun
from app.profile import Profile
from app.states import SyncOutcome
from app.sync import evict, local_series
from app.sync import role as device_role
from app.sync.client import SyncClient, SyncError, SyncReport, request
from app.sync.codec import table_of
from app.sync.limits import UUID_PATTERN as ROW_ID
from app.sync.token_store import TokenStore
from app.sync.transport import allowed_url

if TYPE_CHECKING:
    # httpx (200 ms of imports) is loaded when a sync runs, not when the app starts.
    import httpx

log = logging.getLogger(__name__)

HttpFactory = Callable[[str, str | None], "httpx.Client"]
TIMEOUT_SECONDS, CONNECT_TIMEOUT_SECONDS = 30.0, 5.0


def default_http(server_url: str, token: str | None) -> httpx.Client:
    import httpx

    headers = {"Authorization": f"Bearer {token}"} if token else {}
    timeout = httpx.Timeout(TIMEOUT_SECONDS, connect=CONNECT_TIMEOUT_SECONDS)
    return httpx.Client(base_url=server_url.rstrip("/"), headers=headers, timeout=timeout)


@dataclass(frozen=True)
class SyncStatus:
    enrolled: bool
    device_name: str
    series_prefix: str
    server_url: str
    pending: int
    last_success: dt.datetime | None
    last_outcome: str
    conflicts_open: int
    # What the siège says this device is (None: not enrolled, or not told yet).
    role: device_role.DeviceRole | None = None


@dataclass(frozen=True)
class SyncRunView:
    id: int
    started_at: dt.datetime
    finished_at: dt.datetime | None
    outcome: str
    pushed: int
    pulled: int
    detail: str


@dataclass(frozen=True)
class ConflictView:
    id: int
    kind: str
    table_name: str
    row_id: str
    field: str
    kept_value: str
    lost_value: str
    device_name: str
    detected_at: dt.datetime
    detail: str


def _token_store(profile: Profile, device_id: str) -> TokenStore:
    return TokenStore(profile.paths.root, device_id, profile.engine)


def _device(profile: Profile) -> DeviceIdentity:
    with profile.session_factory() as session:
        device = session.scalars(select(DeviceIdentity).limit(1)).first()
        if device is None:
            raise SyncError("not_enrolled")
        session.expunge(device)
        return device


def enrol(
    profile: Profile, server_url: str, code: str, http_factory: HttpFactory = default_http
) -> SyncStatus:
    """Trade a one-time code for a device token, keep it safe, remember the siège."""
    server_url = server_url.strip().rstrip("/")
    if not server_url.startswith(("https://", "http://")):
        raise ValidationError.single("server_url", "invalid_url")
    if not allowed_url(server_url):
        raise ValidationError.single("server_url", "insecure_url")
    if not code.strip():
        raise ValidationError.single("code", "required")
    device = _device(profile)
    body: dict[str, Any] = {"code": code.strip()}
    declared: list[dict[str, Any]] = []
    if device.enrolled_at is None:
        # Invoices issued before enrolment: adopted by the siège, or enrolment refused
        # with the prefix (docs/authority.md, "Invoices issued before enrolment").
        with profile.engine.connect() as conn:
            declared = local_series.declared(conn, device.device_id)
        if declared:
            body["local_series"] = declared
    with http_factory(server_url, None) as http:
        response = request(http, "POST", "/enroll", json=body)
    if response.status_code in (403, 422):
        refused = _refusal(response)
        words = {"prefix": str(refused.get("prefix", "")), "folder": str(profile.paths.root)}
        if refused.get("code") == "local_series_taken":
            raise SyncError("local_series_taken", **words)
        if refused.get("code") == "local_series_unknown":
            with profile.engine.connect() as conn:
                words["antennes"] = local_series.antenne_options(conn)
            raise SyncError("local_series_unknown", **words)
        raise SyncError("enrol_refused")
    if response.status_code != 200:
        raise SyncError("bad_response", status=response.status_code)
    answer = response.json()
    # The siège chooses the device id (docs/authority.md); this laptop adopts it, and
    # its clock's node with it (the capture reloads the clock from device_identity).
    device_id = answer.get("device_id")
    if not isinstance(device_id, str) or not ROW_ID.match(device_id):
        raise SyncError("bad_response", status=response.status_code)
    _token_store(profile, device_id).save(str(answer["token"]))
    with profile.engine.begin() as conn:
        conn.execute(
            update(table_of(DeviceIdentity)).values(
                device_id=device_id,
                server_url=server_url,
                series_prefix=str(answer["series_prefix"]),
                name=str(answer.get("name", device.name)),
                enrolled_at=utcnow(),
            )
        )
        device_role.remember(conn, answer)
        pending = [str(s["id"]) for s in declared if s["pending"]]
        local_series.follow_new_id(conn, device.device_id, device_id, pending)
        # The profile may hold persons of antennes this laptop is not enrolled for: the
        # next sync pushes its edits, then evicts what lies outside its scope.
        evict.note_enrolment(conn)
    if profile.sync_capture is not None:
        profile.sync_capture.clock = None
    return status(profile)


def _refusal(response: httpx.Response) -> dict[str, Any]:
    """The siège's reason for refusing an enrolment ({} when unreadable)."""
    try:
        found = response.json()
    except ValueError:
        return {}
    detail = found.get("detail", found) if isinstance(found, dict) else {}
    return detail if isinstance(detail, dict) else {}


def run_sync(
    profile: Profile,
    job: JobControl | None = None,
    http_factory: HttpFactory = default_http,
    **client_options: Any,
) -> SyncReport:
    """Push then pull, recording the attempt in the history (SyncRun)."""
    device = _device(profile)
    if not device.server_url or device.enrolled_at is None:
        raise SyncError("not_enrolled")
    if not allowed_url(device.server_url):
        raise SyncError("insecure_url")
    token = _token_store(profile, device.device_id).load()
    if not token:
        raise SyncError("not_enrolled")
    runs = table_of(SyncRun)
    with profile.engine.begin() as conn:
        _close_interrupted(conn, profile)
        inserted = conn.execute(insert(runs).values(started_at=utcnow())).inserted_primary_key
        assert inserted is not None
        run_id = inserted[0]
    _RUNNING.add((id(profile), run_id))
    # A SyncOutcome, or the code of the SyncError that stopped the run.
    outcome: str = SyncOutcome.ERROR
    detail, report = "", None
    try:
        store = _token_store(profile, device.device_id)
        client_options.setdefault("journal_days", profile.settings.sync_journal_days)
        with http_factory(device.server_url, token) as http:
            client = SyncClient(
                profile.engine,
                http,
                profile.sync_capture,
                on_new_token=store.save,
                **client_options,
            )
            report = evict.after_enrolment(client, client.sync(job))
        if report.pulled:
            # A person anonymised elsewhere: this laptop's copies go too (app/people/anonymise.py).
            from app.people.anonymise import erase_pulled_anonymisations

            erase_pulled_anonymisations(profile.engine, profile.paths.documents)
        outcome = SyncOutcome.REFUSED if report.refused or report.pull_refused else SyncOutcome.OK
        if outcome == SyncOutcome.REFUSED:
            detail = json.dumps(
                {"refused": len(report.refused), "pull_refused": len(report.pull_refused)}
            )
        return report
    except Cancelled:
        outcome = SyncOutcome.CANCELLED
        raise
    except SyncError as exc:
        outcome, detail = exc.code, json.dumps(exc.details, default=str)[:500]
        raise
    finally:
        _RUNNING.discard((id(profile), run_id))
        with profile.engine.begin() as conn:
            conn.execute(
                update(runs)
                .where(runs.c.id == run_id)
                .values(
                    finished_at=utcnow(),
                    outcome=outcome,
                    pushed=report.pushed if report else 0,
                    pulled=report.pulled if report else 0,
                    detail=detail,
                )
            )


# Runs of this process still going: any other row left "running" was cut short.
_RUNNING: set[tuple[int, int]] = set()
SUCCESS = (SyncOutcome.OK, SyncOutcome.REFUSED)


def close_interrupted_runs(profile: Profile) -> int:
    """Mark history rows left "running" by a crash or a kill as interrupted (a read first:
    the Synchronisation page calls this on every refresh, and writes only when needed)."""
    runs = table_of(SyncRun)
    mine = {run_id for key, run_id in _RUNNING if key == id(profile)}
    with profile.engine.connect() as conn:
        open_runs = set(
            conn.execute(
                select(runs.c.id).where(
                    runs.c.finished_at.is_(None), runs.c.outcome == SyncOutcome.RUNNING
                )
            ).scalars()
        )
    if not open_runs - mine:
        return 0
    with profile.engine.begin() as conn:
        return _close_interrupted(conn, profile)


def _close_interrupted(conn: Connection, profile: Profile) -> int:
    runs = table_of(SyncRun)
    mine = [run_id for key, run_id in _RUNNING if key == id(profile)]
    closed = conn.execute(
        update(runs)
        .where(
            runs.c.finished_at.is_(None),
            runs.c.outcome == SyncOutcome.RUNNING,
            runs.c.id.not_in(mine),
        )
        .values(outcome=SyncOutcome.INTERRUPTED)
    ).rowcount
    if closed:
        log.warning("%d sync run(s) left running by an earlier start marked interrupted", closed)
    return int(closed)


def status(profile: Profile) -> SyncStatus:
    with profile.session_factory() as session:
        device = session.scalars(select(DeviceIdentity).limit(1)).first()
        pending = session.scalar(select(func.count()).select_from(OutboxEntry)) or 0
        last_ok = session.scalar(
            select(func.max(SyncRun.finished_at)).where(SyncRun.outcome.in_(SUCCESS))
        )
        last = session.scalars(select(SyncRun).order_by(SyncRun.id.desc()).limit(1)).first()
        open_conflicts = (
            session.scalar(
                select(func.count())
                .select_from(SyncConflict)
                .where(SyncConflict.resolved_at.is_(None))
            )
            or 0
        )
        return SyncStatus(
            enrolled=device is not None and device.enrolled_at is not None,
            device_name=device.name if device else "",
            series_prefix=device.series_prefix if device else "",
            server_url=device.server_url if device else "",
            pending=int(pending),
            last_success=last_ok,
            last_outcome=last.outcome if last else "",
            conflicts_open=int(open_conflicts),
            role=device_role.stored(session.connection()),
        )


def history(profile: Profile, limit: int = 50) -> list[SyncRunView]:
    close_interrupted_runs(profile)
    with profile.session_factory() as session:
        runs = session.scalars(select(SyncRun).order_by(SyncRun.id.desc()).limit(limit)).all()
        return [
            SyncRunView(r.id, r.started_at, r.finished_at, r.outcome, r.pushed, r.pulled, r.detail)
            for r in runs
        ]


def open_conflicts(profile: Profile) -> list[ConflictView]:
    with profile.session_factory() as session:
        found = session.scalars(
            select(SyncConflict)
            .where(SyncConflict.resolved_at.is_(None))
            .order_by(SyncConflict.id.desc())
        ).all()
        return [
            ConflictView(
                c.id,
                c.kind,
                c.table_name,
                c.row_id,
                c.field,
                c.kept_value,
                c.lost_value,
                c.device_name,
                c.detected_at,
                c.detail,
            )
            for c in found
        ]


def resolve_conflict(profile: Profile, conflict_id: int) -> None:
    """Mark a conflict as reviewed (the person copied what mattered, or nothing did)."""
    with profile.uow() as uow:
        conflict = uow.session.get(SyncConflict, conflict_id)
        if conflict is None:
            from app.errors import NotFoundError

            raise NotFoundError("conflict_not_found", id=conflict_id)
        conflict.resolved_at = utcnow()
        uow.commit()

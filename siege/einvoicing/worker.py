"""The e-invoicing worker: queue what is new, send what is due with back-off, read the
statuses back. Restartable at any point (docs/einvoicing.md, "Exactly once"):

1. ``attempts`` is committed before each upload;
2. a flow with ``attempts > 0`` is first looked for at the PA by its tracking id
   (``POST /v1/flows/search``) and adopted if found, instead of being sent again;
3. the PA itself is idempotent on the sha256 (XP Z12-013 ``AlreadyExistingFlow``).

Before it is uploaded, an invoice's Factur-X has passed the official rule files
(siege/einvoicing/official_rules.py), checked when it entered the outbox, or here when
these bytes were not seen to pass: a failed rule holds it for good (a refusal, listed
and shown on the laptops), a check that cannot run is retried later (docs/einvoicing.md,
"What the siège checks before sending").

Run one worker per siège database."""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from app import clock
from siege.einvoicing import cdar, directory, ereporting, official_rules, outbox
from siege.einvoicing.adapter import PaAdapter, PermanentError, TransientError
from siege.einvoicing.publish import publish, publish_statuses
from siege.tables import pa_flow, pa_state, pa_status

log = logging.getLogger(__name__)
BACKOFF_ENV = "PERMANENCE_PA_BACKOFF_SECONDS"
DEFAULT_BACKOFF = 30.0
MAX_BACKOFF = dt.timedelta(hours=1)
CURSOR_KEY = "status_cursor"


def backoff(attempts: int, base_seconds: float | None = None) -> dt.timedelta:
    """Exponential: base, 2×base, 4×base… capped at an hour."""
    base = (
        base_seconds
        if base_seconds is not None
        else float(os.environ.get(BACKOFF_ENV, DEFAULT_BACKOFF))
    )
    return min(dt.timedelta(seconds=base * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


@dataclass
class SendReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    held: int = 0  # refused by the official rules before sending


def send_due(
    engine: Engine, adapter: PaAdapter, limit: int = 200, base_seconds: float | None = None
) -> SendReport:
    report = SendReport()
    for item in outbox.due(engine, limit):
        # Checked when it entered the outbox: only bytes this process has not seen pass
        # (changed since, or queued by an earlier process) are checked here.
        rules = official_rules.shared()
        if item.kind == outbox.INVOICE and not rules.passed(item.flow.payload):
            try:
                failed = rules.check_pdf(item.flow.payload)
            except official_rules.CheckFault as exc:
                log.warning("facture %s : %s ; nouvel essai plus tard", item.flow.file_name, exc)
                outbox.mark_retry(engine, item.id, str(exc), backoff(1, base_seconds))
                report.retried += 1
                continue
            if failed:
                log.warning(
                    "facture %s bloquée avant envoi : %s",
                    item.flow.file_name,
                    ", ".join(rule.rule_id for rule in failed),
                )
                outbox.hold(engine, item.id, failed)
                report.held += 1
                continue
        try:
            pa_id = adapter.find(item.flow.tracking_id) if item.attempts > 0 else None
            outbox.mark_attempt(engine, item.id)
            if pa_id is None:
                pa_id = adapter.submit(item.flow)
        except TransientError as exc:
            outbox.mark_retry(engine, item.id, str(exc), backoff(item.attempts + 1, base_seconds))
            report.retried += 1
            continue
        except PermanentError as exc:
            outbox.mark_failed(engine, item.id, str(exc))
            report.failed += 1
            continue
        outbox.mark_sent(engine, item.id, pa_id)
        report.sent += 1
    return report


def poll_statuses(engine: Engine, adapter: PaAdapter) -> int:
    """Read the life-cycle statuses since the stored cursor; the statuses, their copies
    in the synced ``invoice_pa_status`` (siege/einvoicing/publish.py) and the new cursor
    are committed together, so a status is recorded and published once."""
    recorded = 0
    while True:
        with engine.connect() as conn:
            cursor = conn.execute(
                select(pa_state.c.value).where(pa_state.c.key == CURSOR_KEY)
            ).scalar_one_or_none()
        events, next_cursor = adapter.statuses_since(cursor or "")
        if not events or next_cursor == (cursor or ""):
            return recorded  # nothing new, or a page that does not move the cursor
        with engine.begin() as conn:
            for event in events:
                flow = conn.execute(
                    select(pa_flow.c.id, pa_flow.c.invoice_id).where(
                        pa_flow.c.kind == outbox.INVOICE,
                        pa_flow.c.invoice_number == event.invoice_number,
                    )
                ).first()
                if flow is None:
                    continue  # not one of the invoices this siège sent
                exists = conn.execute(
                    select(pa_status.c.id).where(
                        pa_status.c.flow_id == event.flow_id,
                        pa_status.c.code == event.code,
                        pa_status.c.status_at == event.status_at,
                    )
                ).first()
                if exists is None:
                    conn.execute(
                        insert(pa_status).values(
                            flow_id=event.flow_id,
                            invoice_id=flow.invoice_id,
                            code=event.code,
                            label=cdar.label(event.code),
                            reason=event.reason,
                            status_at=event.status_at,
                            fetched_at=clock.utcnow(),
                        )
                    )
                    recorded += 1
                conn.execute(
                    update(pa_flow).where(pa_flow.c.id == flow.id).values(last_status=event.code)
                )
            publish_statuses(conn)
            _store_cursor(conn, next_cursor)


def _store_cursor(conn: Connection, value: str) -> None:
    changed = conn.execute(
        update(pa_state).where(pa_state.c.key == CURSOR_KEY).values(value=value)
    ).rowcount
    if not changed:
        try:
            with conn.begin_nested():
                conn.execute(insert(pa_state).values(key=CURSOR_KEY, value=value))
        except IntegrityError:
            conn.execute(update(pa_state).where(pa_state.c.key == CURSOR_KEY).values(value=value))


@dataclass
class CycleReport:
    queued: int
    send: SendReport
    statuses: int


def cycle(engine: Engine, adapter: PaAdapter) -> CycleReport:
    """One pass: look the new clients up in the directory, queue new e-invoices and the
    e-reporting of complete days, send what is due, queue the 212 of new payments, read
    statuses."""
    directory.refresh(engine, adapter)
    entered = outbox.enqueue_issued(engine)
    queued = entered.queued + ereporting.enqueue_reports(engine).queued
    report = send_due(engine, adapter)
    report.held += entered.held
    queued += outbox.enqueue_payments(engine)
    if queued:
        more = send_due(engine, adapter)
        report.sent += more.sent
        report.retried += more.retried
        report.failed += more.failed
        report.held += more.held
    try:
        statuses = poll_statuses(engine, adapter)
    except (TransientError, PermanentError) as exc:
        log.warning("statuts non lus (%s) : nouvel essai au prochain passage", exc)
        statuses = 0  # the next cycle reads them from the same cursor
    # Statuses recorded before the synced table existed (or by an older worker).
    publish(engine)
    return CycleReport(queued, report, statuses)


def run_forever(
    engine: Engine, adapter: PaAdapter, interval: float, stop: threading.Event | None = None
) -> None:
    halt = stop or threading.Event()
    while not halt.is_set():
        try:
            report = cycle(engine, adapter)
        except Exception:  # a worker outlives a bad pass (database restart...): logged
            log.exception("passage de transmission interrompu")
        else:
            send = report.send
            if report.queued or send.sent or send.failed or send.held or report.statuses:
                log.info(
                    "mises en file %d, transmises %d, à réessayer %d, en échec %d, "
                    "bloquées avant envoi %d, statuts %d",
                    report.queued,
                    send.sent,
                    send.retried,
                    send.failed,
                    send.held,
                    report.statuses,
                )
        halt.wait(interval)

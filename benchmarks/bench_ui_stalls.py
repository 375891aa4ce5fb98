"""Nothing frozen (issue 14, item 6): the longest GUI event-loop stall while the window
works, on the decade profile, each beside the same heartbeat on an idle event loop.

A heartbeat ``QTimer`` fires every 5 ms on the GUI thread; the longest gap between two
beats is the longest time the window could not repaint or take a key. Each figure is the
longest gap of one run (median and p95 over the runs); the floor is the longest gap of an
idle event loop watched as long. Measured while:

- validating an invoice from its window (« Valider et émettre… »: number, PDF, Factur-X,
  then the window shows the issued invoice), and, for comparison, the same service called
  on the GUI thread as the window did before;
- « Tous présents » on a 30-person session (2 half-days), and the same before;
- generating the filled signature sheet of that session;
- a first sync of a new laptop running in the background against a real siège (``python
  -m siege serve`` on loopback, holding the decade dataset), with the Personnes and
  Factures pages open and a read every 100 ms on the GUI thread (a person browsing); the
  window's reads are timed too, beside the same reads made the old way (a transaction
  that takes the write lock) from another thread.

The note under the table says how long the garbage collector ran during the sync's longest
stall (a pass made by a worker thread holds the interpreter, so it stops the GUI thread too).

Target: no stall above 50 ms. Run: ``QT_QPA_PLATFORM=offscreen python -m
benchmarks.bench_ui_stalls`` (or ``python -m benchmarks.run_all ui_stalls``).
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("PERMANENCE_NO_KEYRING", "1")

from benchmarks import harness

HEARTBEAT_MS = 5
RUNS = 10
PARTICIPANTS = 30
HELD = dt.date(2026, 3, 12)
AFTER = dt.datetime(2026, 3, 12, 18, 0)
# How long the first sync is watched: its pages repeat the same work, and the decade's
# whole first sync takes minutes on a loaded machine (bench_sync measures all of it).
SYNC_WATCH_S = float(os.environ.get("PERMANENCE_BENCH_SYNC_WATCH_S", "45"))
TARGET = "≤ 50 ms"
# One part only while working on it: invoices, attendance or sync (default: all).
ONLY = os.environ.get("PERMANENCE_BENCH_STALLS_ONLY", "")


# The heartbeat --------------------------------------------------------------------------
# Where the last measured longest gap began and ended (perf_counter seconds): to say what
# happened meanwhile (a garbage-collector pass, see _GcPauses.during).
last_gap: list[float] = [0.0, 0.0]


def longest_stall(
    action: Callable[[], object], done: Callable[[], bool], *, timeout_s: float = 120
) -> float:
    """Start ``action`` from the event loop, run the loop until ``done()``; the longest gap
    (ms) between two heartbeats meanwhile (the action's own time on the GUI thread
    included)."""
    from PySide6.QtCore import QEventLoop, Qt, QTimer

    loop = QEventLoop()
    gaps: list[float] = []
    longest = [0.0, 0.0, 0.0]  # gap (ms), its start, its end
    last = [time.perf_counter()]
    started = [False]
    deadline = time.perf_counter() + timeout_s

    def beat() -> None:
        now = time.perf_counter()
        gap = (now - last[0]) * 1000
        gaps.append(gap)
        if gap > longest[0]:
            longest[:] = [gap, last[0], now]
        last[0] = now
        if (started[0] and done()) or now > deadline:
            loop.quit()

    def go() -> None:
        started[0] = True
        action()

    heart = QTimer()
    heart.setTimerType(Qt.TimerType.PreciseTimer)
    heart.setInterval(HEARTBEAT_MS)
    heart.timeout.connect(beat)
    heart.start()
    QTimer.singleShot(2 * HEARTBEAT_MS, go)
    loop.exec()
    heart.stop()
    if time.perf_counter() > deadline:
        raise RuntimeError("the operation did not finish in time")
    last_gap[:] = longest[1:]
    return max(gaps)


class _GcPauses:
    """The garbage collector's pauses meanwhile: a collection holds the interpreter, so
    one made by a worker thread stops the GUI thread too."""

    def __init__(self) -> None:
        import gc

        self.pauses: dict[int, list[float]] = {0: [], 1: [], 2: []}
        self.spans: list[tuple[int, float, float]] = []  # generation, start, end
        self._start = 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        else:
            end = time.perf_counter()
            self.pauses[info["generation"]].append((end - self._start) * 1000)
            self.spans.append((info["generation"], self._start, end))

    def stop(self) -> None:
        import gc

        gc.callbacks.remove(self._callback)

    def during(self, start: float, end: float) -> str:
        """The passes that overlapped ``start``–``end`` (the longest stall), in ms."""
        inside = [
            (g, (min(e, end) - max(s, start)) * 1000)
            for g, s, e in self.spans
            if s < end and e > start
        ]
        if not inside:
            return "aucun passage du ramasse-miettes pendant la plus longue pause"
        total = sum(ms for _g, ms in inside)
        gens = ", ".join(sorted({str(g) for g, _ms in inside}))
        return (
            f"pendant la plus longue pause, {total:.0f} ms de ramasse-miettes (génération {gens})"
        )

    def summary(self) -> str:
        return ", ".join(
            f"génération {g} : {len(p)} passage(s), le plus long {max(p, default=0):.0f} ms"
            for g, p in self.pauses.items()
        )


def idle_floor(duration_ms: float) -> float:
    """The same heartbeat on an idle event loop, watched ``duration_ms``."""
    end = [0.0]

    def start() -> None:
        end[0] = time.perf_counter() + duration_ms / 1000

    return longest_stall(start, lambda: time.perf_counter() >= end[0])


def _timed(
    action: Callable[[], object], done: Callable[[], bool], *, timeout_s: float = 120
) -> tuple[float, float]:
    """The longest stall, and how long the whole operation took (ms)."""
    start = time.perf_counter()
    stall = longest_stall(action, done, timeout_s=timeout_s)
    return stall, (time.perf_counter() - start) * 1000


def _floors(durations: list[float]) -> list[float]:
    return [idle_floor(d) for d in durations]


# Invoices -------------------------------------------------------------------------------
def invoices(ctx: Any) -> list[harness.Row]:
    from app.invoicing.validation import validate_invoice
    from benchmarks.bench_invoicing import _ready
    from tests.invoicing_fixtures import add_draft
    from ui.dialogs import invoice_dialog
    from ui.dialogs.invoice_dialog import InvoiceDialog

    invoice_dialog.ask = lambda *_a: True  # type: ignore[assignment]  # « Émettre ? » Oui
    person, client = _ready(ctx.profile)
    drafts = [add_draft(ctx.uow, person, client) for _ in range(2 * RUNS + 2)]
    folder = ctx.profile.paths.documents
    stalls, durations, before = [], [], []
    for run in range(RUNS + 1):
        dialog = InvoiceDialog(ctx, drafts.pop())
        dialog.show()

        def issued(dialog: InvoiceDialog = dialog) -> bool:
            return (
                ctx.tasks.pending == 0 and dialog.detail is not None and not dialog.detail.is_draft
            )

        stall, took = _timed(dialog.validate, issued)
        dialog.close()
        dialog.deleteLater()
        if run:  # the first one warms the PDF fonts and the numbering
            stalls.append(stall)
            durations.append(took)
        draft = drafts.pop()

        def on_gui_thread(draft: str = draft) -> None:
            validate_invoice(ctx.uow, folder, draft)

        stall, _took = _timed(on_gui_thread, lambda: True)
        if run:
            before.append(stall)
    floors = _floors(durations)
    return [
        harness.Row("valider une facture depuis sa fenêtre", stalls, floors, TARGET,
                    floor_label="boucle au repos"),
        harness.Row("(avant : la même validation sur le fil graphique)", before, floors,
                    "—", floor_label="boucle au repos"),
    ]  # fmt: skip


# Attendance -----------------------------------------------------------------------------
def _session(ctx: Any) -> str:
    from app.ids import deterministic_id
    from app.people import person_directory
    from app.workshops import registrations, workshops
    from app.workshops.workshop_values import SessionInput, default_slots

    uow = ctx.uow
    people = [row.id for row in person_directory.search_persons(uow, "", limit=PARTICIPANTS)]
    activity_id = workshops.create_session(
        uow,
        SessionInput(
            title="Atelier gestion : fixer ses prix",
            slots=default_slots(HELD),
            theme_id=deterministic_id("theme", "Gestion"),
            permanence_id=deterministic_id("permanence", "Langres"),
            animateurs="Claire Testeuse",
            capacity=None,
            funder_ids=[deterministic_id("funder", "FSE+")],
        ),
    )
    for person_id in people:
        registrations.register_person(uow, activity_id, person_id)
    return str(activity_id)


def attendance_rows(ctx: Any, root: Path) -> list[harness.Row]:
    from app.workshops import attendance
    from ui.pages.workshop_session_panel import SessionPanel

    activity_id = _session(ctx)
    conn = harness.bare_connection(root)
    conn.isolation_level = None

    def reset() -> None:
        conn.execute(
            "UPDATE attendance SET state = 'attendu' WHERE slot_id IN "
            "(SELECT id FROM activity_slot WHERE activity_id = ?)",
            (activity_id,),
        )

    panel = SessionPanel(ctx)
    panel.clock = lambda: AFTER
    panel.open_file = lambda _path: None
    panel.resize(1100, 700)
    panel.show()
    panel.load(activity_id)

    def idle() -> bool:
        return bool(ctx.tasks.pending == 0)

    def mark_on_gui_thread() -> None:
        attendance.mark_all_present(ctx.uow, activity_id, now=AFTER)

    stalls, durations, before, sheets, sheet_durations = [], [], [], [], []
    for run in range(RUNS + 1):
        reset()
        panel.load(activity_id)
        stall, took = _timed(panel.all_present, idle)
        if run:
            stalls.append(stall)
            durations.append(took)
        reset()
        stall, _took = _timed(mark_on_gui_thread, lambda: True)
        if run:
            before.append(stall)
        paths = len(panel.last_paths)
        stall, took = _timed(lambda: panel.print_sheet(filled=True), idle)
        assert panel.last_paths and paths <= len(panel.last_paths)
        if run:
            sheets.append(stall)
            sheet_durations.append(took)
    conn.close()
    panel.close()
    floors = _floors(durations)
    sheet_floors = _floors(sheet_durations)
    return [
        harness.Row(f"« tous présents » ({PARTICIPANTS} × 2 créneaux) depuis la grille", stalls,
                    floors, TARGET, floor_label="boucle au repos"),
        harness.Row("(avant : le même service sur le fil graphique)", before, floors, "—",
                    floor_label="boucle au repos"),
        harness.Row(f"feuille d'émargement remplie ({PARTICIPANTS} participants)", sheets,
                    sheet_floors, TARGET, floor_label="boucle au repos"),
    ]  # fmt: skip


# A first sync in the background -----------------------------------------------------------
def first_sync(ctx: Any, folder: Path) -> tuple[list[harness.Row], str]:
    from PySide6.QtCore import QTimer
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    from app.config import ProfileSettings
    from app.people import person_directory
    from app.profile import create_profile
    from app.sync import service
    from siege import db, devices
    from siege.importer import import_profile
    from tests.sync_support.processes import SiegeProcess
    from ui.context import AppContext, ChangeHub
    from ui.opening import freeze_startup_heap
    from ui.pages.invoices_page import InvoicesPage
    from ui.pages.persons_page import PersonsPage
    from ui.sync_worker import SyncWorker
    from ui.tasks import TaskManager

    url = f"sqlite:///{folder}/siege.sqlite3"
    engine = db.make_engine(url)
    db.migrate(engine)
    import_profile(engine, ctx.profile.paths.root)
    code, _prefix = devices.enroll(engine, "nouveau", "Reims")
    engine.dispose()
    siege = SiegeProcess(url, folder / "siege.log")
    siege.start()
    laptop = create_profile(folder / "nouveau", ProfileSettings(display_name="Nouveau"))
    try:
        service.enrol(laptop, siege.url, code)
        lctx = AppContext(profile=laptop, tasks=TaskManager(), hub=ChangeHub())
        pages = [PersonsPage(lctx), InvoicesPage(lctx)]
        for page in pages:
            page.resize(1100, 700)
            page.show()
        worker = SyncWorker(lctx)
        freeze_startup_heap()  # as the window does once ready (ui/opening.py)
        outcome: list[str] = []
        worker.finished.connect(lambda report: outcome.append(f"{report.pulled} lignes reçues"))
        worker.failed.connect(lambda code, message: outcome.append(f"échec {code} : {message}"))
        worker.cancelled.connect(lambda: outcome.append("arrêtée après la fenêtre d'observation"))
        gui_reads: list[float] = []
        locked_reads: list[float] = []
        stop = threading.Event()

        def browse() -> None:  # the window reads, as a person browsing the list would
            start = time.perf_counter()
            person_directory.search_page(laptop.uow.reading(), "ma", limit=50)
            gui_reads.append((time.perf_counter() - start) * 1000)

        def locked() -> None:  # the same read the old way: BEGIN IMMEDIATE (another thread)
            while not stop.wait(0.1):
                start = time.perf_counter()
                try:
                    with laptop.uow() as uow:
                        uow.session.execute(text("SELECT count(*) FROM person")).scalar()
                except OperationalError:  # "database is locked" after the busy timeout
                    pass
                locked_reads.append((time.perf_counter() - start) * 1000)

        reader = QTimer()
        reader.setInterval(100)
        reader.timeout.connect(browse)
        thread = threading.Thread(target=locked, daemon=True)
        watch_end = [0.0]

        def start_sync() -> None:
            watch_end[0] = time.perf_counter() + SYNC_WATCH_S
            reader.start()
            thread.start()
            worker.start()

        def finished() -> bool:
            if worker.running and time.perf_counter() >= watch_end[0]:
                worker.cancel()
            return not worker.running and lctx.tasks.pending == 0

        pauses = _GcPauses()
        stall, took = _timed(start_sync, finished, timeout_s=1800)
        pauses.stop()
        in_stall = pauses.during(*last_gap)
        reader.stop()
        stop.set()
        thread.join(30)
        for page in pages:
            page.close()
        lctx.tasks.wait_idle()
        floor = _floors([took])
    finally:
        laptop.close()
        siege.kill()
    note = (
        f"première synchro (siège decade, `python -m siege serve` en boucle locale) observée "
        f"{took / 1000:.0f} s : {outcome[0] if outcome else '?'} ; ramasse-miettes : "
        f"{pauses.summary()} ; {in_stall}"
    )
    return [
        harness.Row("première synchro en arrière-plan (pages Personnes et Factures ouvertes)",
                    [stall], floor, TARGET, floor_label="boucle au repos"),
        harness.Row("lecture de la fenêtre pendant la synchro (unité en lecture seule)",
                    gui_reads, None, TARGET),
        harness.Row("(avant : la même lecture prenant le verrou d'écriture)", locked_reads,
                    None, "—"),
    ], note  # fmt: skip


def main() -> None:
    import logging
    import warnings

    # A library's deprecation notice would land in docs/benchmarks.md with the tables.
    warnings.simplefilter("ignore", DeprecationWarning)

    from PySide6.QtWidgets import QApplication

    # A background failure (ui/tasks.py logs it with its traceback) shows in the output;
    # the libraries' INFO lines (factur-x, alembic) do not.
    shown = logging.StreamHandler()
    shown.setLevel(logging.WARNING)
    logging.getLogger().addHandler(shown)

    from app.profile import open_profile
    from ui.context import AppContext, ChangeHub
    from ui.launcher import make_application
    from ui.tasks import TaskManager

    make_application(["bench"])
    with tempfile.TemporaryDirectory(prefix="bench-ui-stalls-") as tmp:
        root = harness.scratch_copy("decade", Path(tmp) / "decade")
        profile = open_profile(root)
        try:
            ctx = AppContext(profile=profile, tasks=TaskManager(), hub=ChangeHub())
            rows = []
            if ONLY in ("", "invoices"):
                rows += invoices(ctx)
            if ONLY in ("", "attendance"):
                rows += attendance_rows(ctx, root)
            ctx.tasks.wait_idle()
            QApplication.processEvents()
            note = ""
            if ONLY in ("", "sync"):
                (Path(tmp) / "sync").mkdir()
                sync_rows, note = first_sync(ctx, Path(tmp) / "sync")
                rows += sync_rows
        finally:
            profile.close()
    harness.print_table(
        f"Fil graphique : plus longue pause de la boucle (battement {HEARTBEAT_MS} ms, decade)",
        rows,
    )
    print(note)


if __name__ == "__main__":
    main()

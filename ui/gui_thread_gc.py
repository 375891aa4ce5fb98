"""Python's cyclic garbage collection, run on the GUI thread only.

CPython starts a collection in whichever thread allocates when a generation's count
passes its threshold: often a worker (a sync page, a database read). If the cycle it
frees holds a Qt object (a signal connection's closure, a widget's Python wrapper), the
C++ object is destroyed on that worker while the GUI thread uses it: a segmentation
fault, seen in a test that read the Synchronisation page on the database worker
(tests/ui/test_sync_page.py; Qt's documentation, "Threads and QObjects": an object is
deleted in the thread it lives in). So the automatic collection stays off in the GUI
process and this timer, on the GUI thread, runs the collection CPython would have run,
by the same thresholds (the pattern of calibre's and pyqtgraph's ``GarbageCollector``;
no library ships it on its own). Reference counting still frees everything without
cycles at once; only cycles wait, at most one tick.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

# How often the counts are looked at. A pass walks the young objects made since the
# last one: looked at every 500 ms, a first sync's decoding left enough for a 22 ms pass
# on the GUI thread, every 100 ms 10-18 ms, every 25 ms 2-9 ms; lengthening the tick
# whenever no collection was due, 27-29 ms (benchmarks/bench_ui_stalls.py). So the tick
# stays short while Python objects are being made, and doubles up to 200 ms only while
# none is: five looks a second on an idle laptop rather than forty.
FAST_TICK_MS = 25
IDLE_TICK_MS = 200


def next_tick_ms(current: int, *, busy: bool) -> int:
    """The next look: soon while objects are being made, later and later while not."""
    return FAST_TICK_MS if busy else min(2 * current, IDLE_TICK_MS)


class GuiThreadCollector(QObject):
    """While it runs, ``gc`` is disabled and collections happen in :meth:`collect_due`,
    on the thread the collector lives in (the GUI thread)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        self._young = 0  # generation 0's count at the last look
        self._timer = QTimer(self)
        self._timer.setInterval(FAST_TICK_MS)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        gc.disable()
        self._timer.start()

    def stop(self) -> None:
        """Stop the timer and give the collection back to CPython."""
        self._timer.stop()
        gc.enable()

    def _tick(self) -> None:
        collected = self.collect_due() >= 0
        young = gc.get_count()[0]
        busy = collected or young != self._young
        self._timer.setInterval(next_tick_ms(self._timer.interval(), busy=busy))
        self._young = young

    def collect_due(self) -> int:
        """Collect the oldest generation whose count passed its threshold, as CPython
        would (Python docs, ``gc.set_threshold``); returns the generation, or -1."""
        counts = gc.get_count()
        generation = -1
        for level in range(3):
            if counts[level] <= self._thresholds[level]:
                break
            generation = level
        if generation >= 0:
            gc.collect(generation)
        return generation

"""Cyclic garbage made by a worker is collected on the GUI thread (ui/gui_thread_gc.py):
a collection a worker starts could destroy a Qt object there (a segmentation fault)."""

from __future__ import annotations

import gc
import threading

from ui.gui_thread_gc import GuiThreadCollector


class _Cycle:
    """Part of a reference cycle; notes which thread finally frees it."""

    freed_on: list[str] = []

    def __init__(self) -> None:
        self.me = self

    def __del__(self) -> None:
        _Cycle.freed_on.append(threading.current_thread().name)


def _make_garbage() -> None:
    # Enough container allocations to pass generation 0's threshold many times over:
    # with the automatic collection on, this thread would collect the cycles itself.
    for _ in range(20 * gc.get_threshold()[0]):
        _Cycle()


def _worker_garbage() -> None:
    worker = threading.Thread(target=_make_garbage, name="travail")
    worker.start()
    worker.join()


def test_cycles_made_by_a_worker_are_freed_on_the_gui_thread(qapp, qtbot) -> None:
    gc.collect()
    _Cycle.freed_on = []
    collector = qapp.findChild(GuiThreadCollector)
    assert collector is not None and not gc.isenabled()  # tests/ui/conftest.py started it
    _worker_garbage()
    assert _Cycle.freed_on == []  # nothing collected on the worker
    qtbot.waitUntil(lambda: len(_Cycle.freed_on) > 0, timeout=10_000)
    assert set(_Cycle.freed_on) == {threading.main_thread().name}


def test_without_it_the_worker_collects_them_itself(qapp) -> None:
    """The danger it removes: CPython collects in the thread that allocates."""
    collector = qapp.findChild(GuiThreadCollector)
    assert collector is not None
    collector.stop()
    gc.collect()
    _Cycle.freed_on = []
    _worker_garbage()
    assert "travail" in _Cycle.freed_on
    collector.start()


def test_collects_the_generation_cpython_would(qapp) -> None:
    collector = GuiThreadCollector(qapp)
    gc.collect()
    assert collector.collect_due() == -1  # nothing due right after a full collection
    keep: list[list[int]] = [[] for _ in range(2 * gc.get_threshold()[0])]
    assert collector.collect_due() == 0
    del keep
    collector.deleteLater()


def test_looks_often_while_objects_are_made_and_seldom_when_idle() -> None:
    from ui.gui_thread_gc import FAST_TICK_MS, IDLE_TICK_MS, next_tick_ms

    waits = [FAST_TICK_MS]
    for _ in range(5):
        waits.append(next_tick_ms(waits[-1], busy=False))
    assert waits == [25, 50, 100, 200, 200, 200] and IDLE_TICK_MS == 200
    assert next_tick_ms(IDLE_TICK_MS, busy=True) == FAST_TICK_MS

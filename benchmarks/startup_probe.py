"""Child process of the start-up and memory benchmarks (run offscreen by bench_foundation).

``floor``: an empty PySide6 window. ``app PROFILE``: the real entry point
(``app.__main__.main(["--profile", PROFILE])``). Both print ``shown <rss_mb>`` once the
window has been shown and the event loop has run.

``app`` then prints ``usable <rss_mb>`` once the person list is usable, checked here
rather than taken from the window's word: the Personnes list is the window's current page,
it holds rows of the decade profile and the count of all persons, and the search field
has the keyboard focus (what is typed goes to the search; ui/opening.py reads it from the
file until the profile is open). Then ``ready <rss_mb>`` once the profile itself is open
(navigation, status bar, records), then ``stall <ms>``: the longest gap of a 5 ms heartbeat
on the GUI thread between ``shown`` and ``ready`` (how long the window could not repaint or
take a key while the profile opened); then with ``--pages`` visits every page and prints
``pages <rss_mb>``, and quits. ``floor`` prints ``stall <ms>`` too: the same heartbeat on
the idle empty window, watched 500 ms.
"""

from __future__ import annotations

import sys
from typing import Any


class Heartbeat:
    """A 5 ms timer on the GUI thread; ``longest()`` is the longest gap seen (ms)."""

    def __init__(self) -> None:
        import time

        from PySide6.QtCore import Qt, QTimer

        self._clock = time.perf_counter
        self._last = self._clock()
        self._longest = 0.0
        self._timer = QTimer()
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(5)
        self._timer.timeout.connect(self._beat)
        self._timer.start()

    def _beat(self) -> None:
        now = self._clock()
        self._longest = max(self._longest, (now - self._last) * 1000)
        self._last = now

    def longest(self) -> float:
        self._beat()
        self._timer.stop()
        return self._longest


def rss_mb() -> float:
    import psutil

    return float(psutil.Process().memory_info().rss) / 2**20


def floor() -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QWidget

    app = QApplication(sys.argv[:1])
    window = QWidget()
    window.resize(1200, 780)
    window.show()

    def report() -> None:
        window.repaint()  # painted, as the app's window is before it reports
        print(f"shown {rss_mb():.1f}", flush=True)
        heart = Heartbeat()
        QTimer.singleShot(
            500, lambda: (print(f"stall {heart.longest():.1f}", flush=True), app.quit())
        )

    QTimer.singleShot(0, report)
    return int(app.exec())


def check_usable(window: Any) -> None:
    """The list on screen is the Personnes list, filled, and the search has the focus."""
    from ui.pages.persons_page import PersonsPage

    page = window.stack.currentWidget()
    page = getattr(page, "list_page", page)  # the area once the profile is open
    problems = []
    if not isinstance(page, PersonsPage) or not page.isVisible():
        problems.append(f"current page {page!r}")
    elif page.model.rowCount() < 30 or page.model.total < 1000:
        problems.append(f"{page.model.rowCount()} rows of {page.model.total}")
    elif window.focusWidget() is not page.search:  # where the window's keys go
        problems.append(f"focus on {window.focusWidget()!r}")
    if problems:
        raise SystemExit(f"person list not usable: {problems}")


def real_app(profile: str, visit_pages: bool) -> int:
    from ui.launcher import skip_pyside_source_scans

    # The launcher does this before it imports the window's modules; the probe imports
    # them first (to watch MainWindow.show), so it does it first too.
    skip_pyside_source_scans()
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    import ui.main_window as main_window
    from app.__main__ import main

    original_show = main_window.MainWindow.show

    def show(window: Any) -> None:
        original_show(window)
        QTimer.singleShot(0, lambda: after_show(window))

    heart: list[Heartbeat] = []

    def after_show(window: Any) -> None:
        window.repaint()  # the first frame (the list's rows when already read) is drawn
        print(f"shown {rss_mb():.1f}", flush=True)
        heart.append(Heartbeat())
        if window.preview is not None or window.attached is not None:
            after_usable(window)
        else:
            window.usable.connect(lambda: QTimer.singleShot(0, lambda: after_usable(window)))

    def after_usable(window: Any) -> None:
        check_usable(window)
        window.repaint()  # the rows are drawn
        print(f"usable {rss_mb():.1f}", flush=True)
        if window.attached is not None:
            after_ready(window)
        else:
            window.ready.connect(lambda: QTimer.singleShot(0, lambda: after_ready(window)))

    def after_ready(window: Any) -> None:
        print(f"ready {rss_mb():.1f}", flush=True)
        print(f"stall {heart[0].longest():.1f}", flush=True)
        if visit_pages:
            for key in list(window.pages):
                window.show_page(key)
                QApplication.processEvents()
            window.ctx.tasks.wait_idle()
            QApplication.processEvents()
            print(f"pages {rss_mb():.1f}", flush=True)
        QApplication.quit()

    main_window.MainWindow.show = show  # type: ignore[method-assign]
    return main(["--profile", profile])


if __name__ == "__main__":
    # A profile that cannot be opened shows a modal message box, which offscreen nobody
    # closes: give up after a while instead of hanging the benchmark.
    import os
    import threading

    watchdog = threading.Timer(180, lambda: os._exit(3))
    watchdog.daemon = True
    watchdog.start()
    if sys.argv[1] == "floor":
        sys.exit(floor())
    sys.exit(real_app(sys.argv[2], "--pages" in sys.argv))

"""Child process of the kill test: ``python -m app ... sync`` unchanged, except that it can
stop dead at the N-th passage of one of the sync client's named fault points
(``SyncClient(fault=...)`` in ``app/sync/client.py``: ``push_answered`` after the siège
answered a push and before the outbox is cleared, ``page_applied`` inside the
transaction of a pulled page, before its cursor is saved). There it prints
``paused at POINT N`` and waits for the test to SIGKILL it: a kill at a known point of
the sync lands whatever the speed of the machine, where a kill after a random sleep
misses when the sync is quicker than the sleep.

Usage: ``python -m tests.integration.sync_kill_child POINT N <arguments of python -m app>``;
POINT ``none`` runs the sync without stopping. If the test goes away without killing it,
its stdin closes and the child exits with status 70, never passing for a finished sync.
It lives outside ``tests/sync_support``, whose package imports the siège and FastAPI:
the child starts with what ``python -m app`` loads, and no more.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from app.__main__ import main
from app.sync import service

PAUSED = "paused at"
ORPHANED = 70


def stop_at(point: str, nth: int) -> None:
    """Make every sync of this process stop at the ``nth`` passage of ``point``."""
    seen = 0
    real_run_sync = service.run_sync

    def fault(name: str) -> None:
        nonlocal seen
        if name != point:
            return
        seen += 1
        if seen == nth:
            print(f"{PAUSED} {name} {seen}", flush=True)
            sys.stdin.read()  # returns only when the test's end of the pipe closes
            os._exit(ORPHANED)

    def run_sync(profile: Any, *args: Any, **options: Any) -> Any:
        return real_run_sync(profile, *args, fault=fault, **options)

    service.run_sync = run_sync


if __name__ == "__main__":
    point, nth, *app_args = sys.argv[1:]
    if point != "none":
        stop_at(point, int(nth))
    sys.exit(main(app_args))

"""Pins the clock of the processes the tests start (siège servers, killed laptops), so
they agree with the test process's pinned clock whatever the real date.

Loaded by Python at start-up because the tests put this folder on ``PYTHONPATH``
(:func:`tests.clock_support.child_env`). The product has no such hook: only a test
can move its clock.
"""

import datetime as _dt
import os as _os

_at = _os.environ.get("PERMANENCE_TEST_CLOCK_AT")
if _at:
    from app import clock as _clock

    _clock.use(_clock.PinnedClock(_dt.datetime.fromisoformat(_at)))

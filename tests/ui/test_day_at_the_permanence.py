"""A whole day at the permanence on a 1366×768 laptop, with the keyboard only (issue 14,
"Done when"): find a person, run an intake to the end, take a workshop's attendance and
print its sheet, draft, validate and print an invoice, record a payment, make a credit
note, sync against a real siège on loopback.

Every step is a key pressed on the widget that has the focus (Tab, Enter, Escape,
shortcuts), never a click or a slot called; each one is checked by what the person sees.
The screen must be a real 1366×768 one (1366×728 left by a taskbar), which Qt's offscreen
platform takes from a file chosen before the QApplication exists: the test runs itself
in a child pytest on such a screen (as tests/ui/test_screen_fit.py does with the tour).
Set ``PERMANENCE_DAY_SHOTS=<folder>`` to keep a PNG of every step for reviewers.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHILD = "PERMANENCE_DAY_CHILD"
SCREEN = (1366, 768 - 40)  # a 40 px taskbar


def _run_on_a_laptop_screen(tmp_path: Path, test: str) -> None:
    """Run ``test`` of this file in a child pytest whose only screen is 1366×728."""
    config = tmp_path / "screen.json"
    screen = {"name": "Laptop", "x": 0, "y": 0, "width": SCREEN[0], "height": SCREEN[1]}
    config.write_text(json.dumps({"screens": [{**screen, "logicalDpi": 96, "dpr": 1}]}))
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = f"offscreen:configfile={config}"
    env[CHILD] = "1"
    command = [sys.executable, "-m", "pytest", f"{__file__}::{test}", "-q"]
    command += ["-p", "no:cacheprovider"]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    said = "\n".join(line for line in done.stdout.splitlines() if not line.startswith("INFO"))
    assert done.returncode == 0, said[-10000:] + done.stderr[-3000:]
    assert "1 passed" in done.stdout


def test_a_day_at_the_permanence_on_a_1366x768_laptop_with_the_keyboard(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    if not os.environ.get(CHILD):
        _run_on_a_laptop_screen(tmp_path, request.node.name)
        return
    from tests.ui.day_walk import walk_the_day

    shots = os.environ.get("PERMANENCE_DAY_SHOTS")
    qtbot: Any = request.getfixturevalue("qtbot")
    walk_the_day(qtbot, tmp_path, SCREEN, Path(shots) if shots else None)

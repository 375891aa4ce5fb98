"""Where the bundled resources (fonts, translations, style sheets) are."""

from __future__ import annotations

import sys
from pathlib import Path


def resources_dir() -> Path:
    # In a PyInstaller bundle, data files live under sys._MEIPASS.
    base = getattr(sys, "_MEIPASS", None)
    if base:
        return Path(base) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"

"""Regenerate migration 0001 from the models.

Only while nothing has been released: once a profile exists in the field,
schema changes are new revisions (``alembic revision --autogenerate``), never
edits of 0001.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from alembic import command  # noqa: E402

from app.migrate import MIGRATIONS_DIR, alembic_config  # noqa: E402


def main() -> None:
    for old in (MIGRATIONS_DIR / "versions").glob("0001_*.py"):
        old.unlink()
    with tempfile.TemporaryDirectory() as tmp:
        cfg = alembic_config(url=f"sqlite:///{tmp}/empty.sqlite3")
        command.revision(cfg, message="initial schema", autogenerate=True, rev_id="0001")
    subprocess_ruff()


def subprocess_ruff() -> None:
    import subprocess

    target = str(MIGRATIONS_DIR / "versions")
    subprocess.run([sys.executable, "-m", "ruff", "format", "-q", target], check=False)
    subprocess.run([sys.executable, "-m", "ruff", "check", "-q", "--fix", target], check=False)


if __name__ == "__main__":
    main()

"""Schema migrations (Alembic) and SQLite backups.

``upgrade`` runs at start-up; :mod:`app.profile` backs the database up first
and restores the backup if the migration fails.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import OperationalError

from app.clock import PARIS, localnow

if TYPE_CHECKING:
    from alembic.config import Config

# Backups are named after the local time they were taken at (people read the names).
BACKUP_STAMP = "%Y%m%d-%H%M%S-%f"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

# The newest revision in migrations/versions. Kept as a constant so that a normal
# start-up (schema already current) never imports Alembic (~100 ms); a test checks it
# against Alembic's own answer, so it cannot go stale unnoticed.
SCHEMA_HEAD = "0010"


def alembic_config(connection: Connection | None = None, url: str | None = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:
        cfg.set_main_option("sqlalchemy.url", url)
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    return SCHEMA_HEAD


def alembic_head() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    return {rev.revision for rev in script.walk_revisions()}


def current_revision(engine: Engine) -> str | None:
    """The schema revision stamped in the database (None for an empty database)."""
    with engine.connect() as conn:
        try:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except OperationalError:  # no alembic_version table yet
            return None


def upgrade(engine: Engine, target: str = "head") -> None:
    from alembic import command

    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), target)


def backup_database(
    engine: Engine,
    backups_dir: Path,
    keep: int,
    *,
    passphrase: str | None = None,
    label: str = "auto",
) -> Path:
    """Copy a live database with SQLite's online backup API (safe while in use, WAL included).

    An encrypted profile is backed up through SQLCipher with the same key, so
    the backup is encrypted too.
    """
    backups_dir.mkdir(parents=True, exist_ok=True)
    stamp = localnow().strftime(BACKUP_STAMP)
    target = backups_dir / f"permanence-{stamp}-{label}.sqlite3"
    dest = open_raw(target, passphrase)
    raw = engine.raw_connection()
    try:
        raw.driver_connection.backup(dest)  # type: ignore[union-attr]
    finally:
        raw.close()
        dest.close()
    prune_backups(backups_dir, keep)
    return target


def open_raw(path: Path, passphrase: str | None = None) -> Any:
    """A bare DB-API connection (sqlite3, or sqlcipher3 keyed with ``passphrase``)."""
    if not passphrase:
        return sqlite3.connect(str(path))
    import sqlcipher3  # type: ignore[import-untyped]

    conn = sqlcipher3.connect(str(path))
    escaped = passphrase.replace("'", "''")
    conn.execute(f"PRAGMA key = '{escaped}'")
    return conn


def restore_backup(backup: Path, database: Path, passphrase: str | None = None) -> None:
    """Put ``backup`` back in place of ``database`` (the profile must be closed)."""
    for suffix in ("-wal", "-shm"):
        Path(str(database) + suffix).unlink(missing_ok=True)
    src = open_raw(backup, passphrase)
    dest = open_raw(database, passphrase)
    try:
        src.backup(dest)
    finally:
        src.close()
        dest.close()


def prune_backups(backups_dir: Path, keep: int) -> None:
    backups = sorted(backups_dir.glob("permanence-*.sqlite3"))
    for old in backups[:-keep] if keep > 0 else backups:
        old.unlink(missing_ok=True)


def latest_backup(backups_dir: Path) -> Path | None:
    backups = sorted(backups_dir.glob("permanence-*.sqlite3"))
    return backups[-1] if backups else None


def backup_taken_at(backup: Path) -> dt.datetime | None:
    """When a backup was taken, from its name (written with the app's clock, in French
    local time), as an aware instant; None for a file not named by :func:`backup`."""
    parts = backup.name.split("-")
    if len(parts) < 4:
        return None
    try:
        taken = dt.datetime.strptime("-".join(parts[1:4]), BACKUP_STAMP)
    except ValueError:
        return None
    return taken.replace(tzinfo=PARIS)

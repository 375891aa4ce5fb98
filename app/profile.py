"""Open or create a profile: the one place that wires engine, migrations and units of work.

Opening checks, in order: another running instance (lock file), a file that is
not a database (or a wrong passphrase), a schema newer than this program. Then
it backs up and migrates; a failed migration puts the backup back.
"""

from __future__ import annotations

import datetime as dt
import logging
import logging.handlers
import os
import shutil
import stat
from dataclasses import dataclass, field
from pathlib import Path

from filelock import FileLock, Timeout
from sqlalchemy import Engine, event, text
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session, sessionmaker

from app import audit, migrate
from app.clock import file_time, now
from app.config import BACKUPS_KEPT, ProfilePaths, ProfileSettings, load_settings, save_settings
from app.db import make_engine, make_session_factory
from app.errors import ProfileError
from app.ids import new_id
from app.indicators import derived_repair
from app.invoicing.numbering import local_prefix
from app.models import DeviceIdentity
from app.seed import seed_reference_data
from app.sync.capture import ChangeCapture
from app.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)

SQLITE_HEADER = b"SQLite format 3\x00"
DAILY_BACKUP_AGE = dt.timedelta(days=1)
# Draft invoice previews, under documents/: deleted when their dialog closes, and at
# every start in case the program stopped before.
PREVIEWS_FOLDER = "apercus"


@dataclass
class Profile:
    """An open profile. Close it to release the lock and the database."""

    paths: ProfilePaths
    settings: ProfileSettings
    engine: Engine
    session_factory: sessionmaker[Session]
    uow: UnitOfWorkFactory
    passphrase: str | None = None
    sync_capture: ChangeCapture | None = None
    _lock: FileLock | None = field(default=None, repr=False)

    def save_settings(self, settings: ProfileSettings) -> None:
        save_settings(self.paths, settings)
        self.settings = settings

    def backup(self, label: str = "manuel") -> Path:
        return migrate.backup_database(
            self.engine, self.paths.backups, BACKUPS_KEPT, passphrase=self.passphrase, label=label
        )

    def integrity_ok(self) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"

    def close(self) -> None:
        self.engine.dispose()
        _stop_logging(self.paths)
        if self._lock is not None:
            self._lock.release()
            self._lock = None


def create_profile(
    root: Path,
    settings: ProfileSettings,
    passphrase: str | None = None,
    *,
    series_prefix: str | None = None,
) -> Profile:
    """Make a new profile folder and database; refuse to overwrite an existing one. Its
    invoices are numbered in a prefix of its own until enrolment
    (app/invoicing/numbering.py ``local_prefix``), or in ``series_prefix``."""
    paths = ProfilePaths(root)
    if paths.database.exists():
        raise ProfileError("already_exists", path=str(paths.database))
    _private_umask()
    if settings.encrypted and not passphrase:
        raise ProfileError("passphrase_required")
    paths.ensure()
    save_settings(paths, settings.with_changes(encrypted=bool(passphrase)))
    profile = open_profile(root, passphrase)
    with profile.uow() as uow:
        # Seeded rows have deterministic ids and equal values everywhere: not sync changes.
        uow.session.info["sync_capture"] = False
        seed_reference_data(uow.session)
        device_id = new_id()
        uow.session.add(
            DeviceIdentity(
                device_id=device_id,
                name=settings.display_name,
                series_prefix=series_prefix or local_prefix(device_id),
            )
        )
        uow.commit()
    return profile


def open_profile(root: Path, passphrase: str | None = None) -> Profile:
    paths = ProfilePaths(root)
    if not paths.settings.exists():
        raise ProfileError("missing", path=str(root))
    keep_private(paths.root)
    paths.ensure()
    settings = load_settings(paths)
    if settings.encrypted and not passphrase:
        raise ProfileError("passphrase_required")
    # Not thread-local: the desktop app opens the profile on a worker thread (the window
    # is already on screen) and closes it on the GUI thread.
    lock = FileLock(str(paths.lock), thread_local=False)
    try:
        lock.acquire(timeout=0.2)
    except Timeout as exc:
        raise ProfileError("locked", path=str(paths.database)) from exc
    shutil.rmtree(paths.documents / PREVIEWS_FOLDER, ignore_errors=True)
    try:
        _setup_logging(paths)
        engine = _open_engine(paths, settings, passphrase)
        _migrate_with_backup(engine, paths, passphrase)
        derived_repair.repair(engine)  # triggers a later migration dropped (docs/indicators.md)
    except BaseException:
        lock.release()
        raise
    session_factory = make_session_factory(engine)
    event.listen(session_factory, "before_flush", audit.stamp_actor)
    capture = ChangeCapture()
    capture.install(session_factory)
    return Profile(
        paths=paths,
        settings=settings,
        engine=engine,
        session_factory=session_factory,
        uow=UnitOfWorkFactory(session_factory, actor=_actor_name(engine, settings)),
        passphrase=passphrase,
        sync_capture=capture,
        _lock=lock,
    )


def _private_umask() -> None:
    if os.name == "posix":
        # Every file this process creates from now on (database, journals, PDFs,
        # exports, logs, backups) is 0600 and every folder 0700 (README, "A stolen
        # laptop"); Windows keeps the profile under the user's own folder instead.
        os.umask(0o077)


def keep_private(root: Path) -> None:
    """User-only modes on the profile folder and everything in it (POSIX): files an
    older version created 0644 are narrowed at every start."""
    _private_umask()
    if os.name != "posix" or not root.exists():
        return
    for folder, dirs, files in os.walk(root):
        _narrow(Path(folder), 0o700)
        for name in files:
            _narrow(Path(folder) / name, 0o600)
        dirs[:] = [d for d in dirs if not (Path(folder) / d).is_symlink()]


def _narrow(path: Path, mode: int) -> None:
    try:
        found = path.lstat().st_mode
        if not stat.S_ISLNK(found) and stat.S_IMODE(found) & 0o077:
            path.chmod(mode)
    except OSError:
        log.warning("could not restrict the permissions of %s", path.name)


def _actor_name(engine: Engine, settings: ProfileSettings) -> str | None:
    """The accompagnateur using this laptop, recorded as author of every change."""
    if not settings.accompagnateur_id:
        return None
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT first_name, last_name FROM accompagnateur WHERE id = :id"),
            {"id": settings.accompagnateur_id},
        ).first()
    return f"{row[0]} {row[1]}" if row else None


def _open_engine(paths: ProfilePaths, settings: ProfileSettings, passphrase: str | None) -> Engine:
    db = paths.database
    if db.exists() and db.stat().st_size > 0 and not settings.encrypted:
        with db.open("rb") as fh:
            if fh.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
                raise ProfileError("not_a_database", path=str(db))
    engine = make_engine(db, passphrase if settings.encrypted else None)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT count(*) FROM sqlite_master")).scalar_one()
    except DatabaseError as exc:
        engine.dispose()
        code = "bad_passphrase" if settings.encrypted else "not_a_database"
        if "locked" in str(exc).lower():
            code = "locked"
        raise ProfileError(code, path=str(db)) from exc
    return engine


def _migrate_with_backup(engine: Engine, paths: ProfilePaths, passphrase: str | None) -> None:
    current = migrate.current_revision(engine)
    if current == migrate.head_revision():
        if _backup_is_stale(paths):
            migrate.backup_database(engine, paths.backups, BACKUPS_KEPT, passphrase=passphrase)
        return
    if current is not None and current not in migrate.known_revisions():
        engine.dispose()
        raise ProfileError("too_new", path=str(paths.database), revision=current)
    backup = None
    if current is not None:
        backup = migrate.backup_database(
            engine, paths.backups, BACKUPS_KEPT, passphrase=passphrase, label="avant-migration"
        )
    try:
        migrate.upgrade(engine)
    except Exception as exc:
        log.exception("migration failed; restoring %s", backup)
        engine.dispose()
        if backup is not None:
            migrate.restore_backup(backup, paths.database, passphrase)
        raise ProfileError("migration_failed", path=str(paths.database)) from exc


def _backup_is_stale(paths: ProfilePaths) -> bool:
    latest = migrate.latest_backup(paths.backups)
    if latest is None:
        return True
    taken = migrate.backup_taken_at(latest) or file_time(latest.stat().st_mtime)
    return now() - taken > DAILY_BACKUP_AGE


def _stop_logging(paths: ProfilePaths) -> None:
    """Detach the profile's log file (several profiles open and close in one process in
    the tests and the benchmarks; a handler left behind writes into a deleted folder)."""
    target = os.path.abspath(paths.logs / "permanence.log")
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "baseFilename", None) == target]:
        root.removeHandler(handler)
        handler.close()


def _setup_logging(paths: ProfilePaths) -> None:
    root = logging.getLogger()
    target = str(paths.logs / "permanence.log")
    if any(getattr(h, "baseFilename", None) == target for h in root.handlers):
        return
    handler = logging.handlers.RotatingFileHandler(
        target, maxBytes=2_000_000, backupCount=3, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)

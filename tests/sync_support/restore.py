"""A siège that can be backed up and restored the way its administrator does it
(README "Backup and restore", docs/sync.md "A restored siège gets back what it
acknowledged"), on either backend:

- SQLite: the online backup API (what ``sqlite3 siege.sqlite3 ".backup copy"`` does);
- PostgreSQL: ``pg_dump --format=custom`` (the machine's client tools, which come with
  the server), then the database dropped, created again and filled by ``pg_restore``.

The tests run ``python -m siege restored`` themselves when their scenario does."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from siege import scope_model
from tests.sync_support import PG_ADMIN_URL, Siege, postgres_database

# Each backend a restore test runs on; PostgreSQL is the production database.
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


class RestorableSiege:
    """The siège's database, its backups and the way each is put back."""

    def __init__(self, url: str, folder: Path) -> None:
        self.url = url
        self.folder = folder
        self._taken = 0

    def open(self) -> Siege:
        """The siège over its (already migrated) database."""
        return Siege.open(self.url)

    def backup(self) -> Path:
        """A backup of the siège's database as it is now, for ``restore``."""
        raise NotImplementedError

    def restore(self, server: Siege, backup: Path) -> Siege:
        """The siège stopped, ``backup`` put back over its database, the siège started
        again on it (``restored`` is the scenario's next step when it runs it)."""
        raise NotImplementedError

    def _started_again(self) -> Siege:
        """The siège's process started again on the restored database (README: stop the
        siège, put the backup back, run ``restored``, start it): the tests' process stays,
        so what a new process would not hold goes — the read scopes cached by the
        siège's sequence number, which the restored siège reaches again with other rows."""
        with scope_model.cached._lock:
            scope_model.cached._items.clear()
        return self.open()

    def _target(self, suffix: str) -> Path:
        self._taken += 1
        return self.folder / f"backup-{self._taken}{suffix}"


class SqliteSiege(RestorableSiege):
    def __init__(self, database: Path) -> None:
        super().__init__(f"sqlite:///{database}", database.parent)
        self.database = database

    def backup(self) -> Path:
        target = self._target(".sqlite3")
        _copy_sqlite(self.database, target)
        return target

    def restore(self, server: Siege, backup: Path) -> Siege:
        server.close()
        _copy_sqlite(backup, self.database)
        return self._started_again()


def _copy_sqlite(source: Path, target: Path) -> None:
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


class PostgresSiege(RestorableSiege):
    def __init__(self, url: str, folder: Path) -> None:
        super().__init__(url, folder)
        self.name = url.rsplit("/", 1)[1]
        # pg_dump and pg_restore take libpq's URL, without SQLAlchemy's driver name.
        self.libpq_url = url.replace("postgresql+psycopg://", "postgresql://")

    def backup(self) -> Path:
        target = self._target(".dump")
        _run("pg_dump", "--format=custom", f"--file={target}", self.libpq_url)
        return target

    def restore(self, server: Siege, backup: Path) -> Siege:
        server.close()
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = :n AND pid <> pg_backend_pid()"
                    ),
                    {"n": self.name},
                )
                conn.execute(text(f'DROP DATABASE "{self.name}"'))
                conn.execute(text(f'CREATE DATABASE "{self.name}"'))
        finally:
            admin.dispose()
        _run("pg_restore", "--exit-on-error", "--single-transaction", "--no-owner",
             f"--dbname={self.libpq_url}", str(backup))  # fmt: skip
        return self._started_again()


def _run(*command: str) -> None:
    found = shutil.which(command[0])
    assert found, f"{command[0]} not found: install PostgreSQL's client tools"
    done = subprocess.run([found, *command[1:]], capture_output=True, text=True, check=False)
    assert done.returncode == 0, (command[0], done.stderr)


@contextmanager
def restorable_siege(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[RestorableSiege]:
    """A migrated siège on the backend ``request.param`` names, copied from the session's
    template (migrating takes a while); a PostgreSQL database is dropped after the test."""
    if request.param == "sqlite":
        database = tmp_path / "siege.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_siege_template"), database)
        yield SqliteSiege(database)
        return
    template = request.getfixturevalue("pg_siege_url").rsplit("/", 1)[1]
    with postgres_database(template) as url:
        yield PostgresSiege(url, tmp_path)

"""First-sync snapshots (docs/sync.md, "First sync from a snapshot"): the siège writes a
device's scope, as it stands at one cursor, into a SQLite file with the laptop's table
layout; the laptop downloads it in resumable byte ranges, checks it and copies it table
by table, then pulls the change feed from that cursor.

A snapshot at cursor ``C`` is every row of the device's scope whose version is at or
before ``C``, with its values now: a row whose version is at or before ``C`` has not
changed since (any change moves its version past ``C``), so these are its values at
``C``; a row changed later is left out and comes with the pull from ``C``. The rows are
exactly those the scope rules give: each table's query says its read rule with the
scope's ids (bound into it, or read from TEMP tables); where it can only say a superset
(a scope too large to bind), :func:`siege.scope.keep` decides row by row, as the change
feed does, and likewise for the conflicts.

Besides the synced tables (only the columns a laptop receives), the file holds
``_clock`` (the stamps of the fields a laptop keeps clocks for, ``tracked``),
``_conflict`` (the conflicts to review the feed would send) and ``_meta`` (format,
cursor, newest stamp: the laptop's clock observes it).

The file is built in one read transaction of the siège (siege/snapshot_build.py: on a
SQLite siège, copied inside SQLite, a narrowed scope's ids in TEMP tables; on PostgreSQL
rows are streamed in batches, so memory stays flat) and kept in a cache folder, one per
scope and cursor, so a cut download resumes on the same bytes and the next laptop of the
same scope at the same cursor gets it without a rebuild. Files older than
:data:`KEEP_SECONDS` go when another is built.

For a laptop whose profile is encrypted (SQLCipher), the file is a SQLCipher database
under a random 256-bit raw key of its own (``<name>.key`` beside it in the cache folder,
0600), sent only in the ``/snapshot`` answer to a device of the file's scope: the bytes
a laptop downloads are never personal data in plain. A plain profile gets a plain file
(its SQLite driver cannot read SQLCipher files).
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from app.clock import wall_ms
from siege import epoch as siege_epoch
from siege import scope as read_scope
from siege import snapshot_build
from siege.devices import DeviceRecord
from siege.snapshot_query import FORMAT
from siege.tables import counter

FOLDER_ENV = "PERMANENCE_SNAPSHOT_DIR"
# A restored siège reaches the same cursor again with other rows: files do not live long.
KEEP_SECONDS = 3600
NAME = re.compile(
    r"^(all|[0-9a-f-]{36})-s([0-9a-f]{0,32})-e(\d{1,19})-c(\d{1,19})\.(sqlite|sqlcipher)\Z"
)
KEY_SUFFIX = ".key"


class SnapshotError(ValueError):
    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class Prepared:
    name: str
    path: Path
    cursor: int
    epoch: int
    size: int
    sha256: str
    built: bool  # False: served from the cache
    key: str = ""  # the SQLCipher file's raw key (64 hex digits); "" for a plain file

    def plan(self) -> dict[str, Any]:
        return {
            **({"key": self.key} if self.key else {}),
            "format": "sqlite",
            "version": FORMAT,
            "name": self.name,
            "cursor": self.cursor,
            "scope_epoch": self.epoch,
            "size": self.size,
            "sha256": self.sha256,
        }


def folder(engine: Engine) -> Path:
    """Where this siège database's prepared snapshots live (private to its user): one
    folder per database, so two sièges on one machine never share a file."""
    base = Path(os.environ.get(FOLDER_ENV) or Path(tempfile.gettempdir()) / "permanence-snapshots")
    which = engine.url.render_as_string(hide_password=True).encode()
    path = base / hashlib.sha256(which).hexdigest()[:16]
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def owner(dev: DeviceRecord, scope: read_scope.Scope) -> str:
    """Whose file: every siège-staff device shares one (same scope), others their own."""
    return "all" if scope.everything else str(dev.device_id)


def prepare(
    engine: Engine, dev: DeviceRecord, where: Path | None = None, *, encrypted: bool = False
) -> Prepared:
    """The device's snapshot at the siège's current cursor: from the cache, else built;
    ``encrypted``: a SQLCipher file under its own key (for an encrypted profile)."""
    where = where or folder(engine)
    with engine.connect() as conn:
        epoch = read_scope.epoch(conn, dev)
        top = int(conn.execute(select(counter.c.value).where(counter.c.id == 1)).scalar_one())
        scope = read_scope.cached.get(conn, dev, top)
        history = conn.execute(select(siege_epoch.epoch.c.epoch)).scalar() or ""
    # The scope's epoch is in the name: a scope changed at the same cursor is another
    # file. So is the siège's (siege/epoch.py): a siège restored from a backup, and told
    # so by `python -m siege restored`, climbs back to cursors it had served with other
    # rows; a file built before the restore must never be served after it.
    kind = "sqlcipher" if encrypted else "sqlite"
    name = f"{owner(dev, scope)}-s{history}-e{0 if scope.everything else epoch}-c{top}.{kind}"
    path = where / name
    key_path = path.with_name(path.name + KEY_SUFFIX)
    built = not path.exists() or (encrypted and not key_path.exists())
    if built:
        _forget_old(where)
        # The key is written (0600) before the file appears under its name.
        key = _key_for(path) if encrypted else ""
        # Read in a transaction of its own, after this one: the version filter keeps the
        # file at ``top`` whatever was written since (see above).
        snapshot_build.build(engine, scope, top, path, key)
    key = read_key(path) if encrypted else ""
    size = path.stat().st_size
    return Prepared(name, path, top, epoch, size, _sha256(path), built, key)


def read_key(path: Path) -> str:
    """The raw key of the SQLCipher file at ``path`` (kept beside it)."""
    return path.with_name(path.name + KEY_SUFFIX).read_text().strip()


def _key_for(path: Path) -> str:
    """A new random key for the file to build at ``path``, or the one another worker
    building the same file already chose (linked into place without overwriting), so
    whichever build is renamed last opens with the key beside it."""
    key = secrets.token_hex(32)
    partial = path.with_name(f".{uuid.uuid4().hex}.key.part")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(key)
    try:
        os.link(partial, path.with_name(path.name + KEY_SUFFIX))
    except FileExistsError:
        key = read_key(path)
    finally:
        partial.unlink()
    return key


def opened(dev: DeviceRecord, engine: Engine, name: str, where: Path | None = None) -> Path:
    """The prepared file ``name`` if it is this device's (SnapshotError otherwise)."""
    match = NAME.match(name)
    if match is None:
        raise SnapshotError("bad_name")
    with engine.connect() as conn:
        top = int(conn.execute(select(counter.c.value).where(counter.c.id == 1)).scalar_one())
        mine = owner(dev, read_scope.cached.get(conn, dev, top))
    if match.group(1) != mine:
        raise SnapshotError("not_yours")
    path = (where or folder(engine)) / name
    if not path.is_file():
        raise SnapshotError("gone")
    return path


def read_range(path: Path, start: int, end: int, block: int = 1 << 20) -> Iterator[bytes]:
    """Bytes ``start..end`` (inclusive) of the file, a block at a time (flat memory)."""
    with path.open("rb") as f:
        f.seek(start)
        left = end - start + 1
        while left > 0:
            data = f.read(min(block, left))
            if not data:
                return
            left -= len(data)
            yield data


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while data := f.read(1 << 20):
            digest.update(data)
    return digest.hexdigest()


def _forget_old(where: Path) -> None:
    # File times are the machine's: compared with its real clock, never a pinned one.
    limit = wall_ms() / 1000 - KEEP_SECONDS
    for old in [*where.glob("*.sqlite"), *where.glob("*.sqlcipher")]:
        try:
            if old.stat().st_mtime < limit:
                old.unlink()
                old.with_name(old.name + KEY_SUFFIX).unlink(missing_ok=True)
        except OSError:
            continue  # another worker removed it
    for key in where.glob("*" + KEY_SUFFIX):
        try:
            # A key left by a build that never finished.
            lone = not key.with_name(key.name.removesuffix(KEY_SUFFIX)).exists()
            if lone and key.stat().st_mtime < limit:
                key.unlink()
        except OSError:
            continue

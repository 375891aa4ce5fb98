"""A new laptop's first sync from a snapshot of its scope (docs/sync.md, "First sync from
a snapshot"; the siège's side is siege/snapshot.py).

``GET /snapshot`` names a SQLite file the siège prepared for this device's scope at one
cursor, with its size and SHA-256. The laptop downloads it under the profile folder
(0600) in byte ranges (``Range: bytes=N-``): a cut transfer resumes at the bytes it
has. The whole file's SHA-256 (computed as the bytes arrive) is checked, then its
structure (tables, columns, nothing that runs: what the copy reads to name them;
app/sync/snapshot_check.py); it is copied table by table in one transaction with the
pull cursor (app/sync/snapshot_copy.py) while its values are checked beside it, in a
thread on a connection of their own; the copy commits only once they passed (a refusal
rolls it back: nothing of the file is kept), and the file is deleted. The change feed
goes on from the snapshot's cursor.

On an encrypted (SQLCipher) profile the laptop asks for an encrypted file
(``?encrypted=1``): the siège's answer carries the file's own raw key, kept only in the
profile's sync state (encrypted with it) until the file is copied, so a cut download
left on the disk is unreadable without the profile's passphrase.

A file whose checksum does not match is deleted and the sync fails (``bad_response``):
the next one downloads it again. A file whose content breaks a rule is deleted and the
first sync reads pages of changes instead, which refuse bad rows one by one.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Engine, delete

from app.models import SyncState
from app.sync import snapshot_check, snapshot_copy
from app.sync.apply import get_state, set_state
from app.sync.codec import table_of
from app.sync.protocol import API_PREFIX, PROTOCOL_HEADER, PROTOCOL_VERSION, SCHEMA_HEADER
from app.sync.transport import SyncError, json_body, request, schema_version

if TYPE_CHECKING:
    from app.jobs import JobControl
    from app.sync.client import SyncClient

log = logging.getLogger(__name__)

POSITION_KEY = "snapshot_position"
FILE_NAME = "snapshot-download.sqlite"
# A decade of a whole region is a few hundred MB; a siège announcing far more is refused.
MAX_SIZE = 8 * 1024**3
BLOCK = 1 << 20
Result = TypeVar("Result")


@dataclass(frozen=True)
class Position:
    name: str
    cursor: int
    epoch: int
    size: int
    sha256: str
    key: str = ""  # the SQLCipher file's raw key (64 hex digits); "" for a plain file


class _Gone(Exception):
    """The siège no longer has the file (its cache was cleared): plan again."""


def download_path(engine: Engine) -> Path:
    """Where the file is downloaded: the profile folder, beside the database."""
    database = engine.url.database
    assert database, "a profile's engine names its database file"
    return Path(database).resolve().parent / FILE_NAME


def run(client: SyncClient, job: JobControl | None = None) -> tuple[int, int] | None:
    """Fetch, check and copy the snapshot (or finish one cut short); returns (rows,
    conflicts), or None when there is none to use (an older siège, or a file refused:
    pages of changes then)."""
    target = download_path(client.engine)
    with client.engine.connect() as conn:
        saved = _load(get_state(conn, POSITION_KEY, ""))
    position = saved or _start(client, target)
    if position is None:
        return None
    try:
        digest = _download(client, position, target, job)
    except _Gone:
        position = _start(client, target)
        if position is None:
            return None
        digest = _download(client, position, target, job)
    client.fault("snapshot_downloaded")
    if digest != position.sha256:
        _forget(client, target)
        raise SyncError("bad_response", reason="snapshot checksum mismatch")
    try:
        client.fault("snapshot_verified")
        newest = _reading(target, position.key, snapshot_check.check_structure)(
            position.cursor, client.server_ms
        )
        client.fault("snapshot_checked")
        done = _copy_checked(client, target, position)
    except snapshot_check.FileRefused as exc:
        log.warning("snapshot refused (%s): pages of changes instead", exc.reason)
        _forget(client, target)
        return None
    target.unlink(missing_ok=True)
    client.fault("snapshot_copied")
    if client.capture is not None and client.capture.clock is not None and newest:
        client.capture.clock.observe(newest)
    return done


def encrypted(client: SyncClient) -> bool:
    """Whether the profile is a SQLCipher database (then so is the file it asks for)."""
    return client.engine.dialect.driver == "pysqlcipher"


def _start(client: SyncClient, target: Path) -> Position | None:
    locked = encrypted(client)
    params = {"encrypted": "1"} if locked else {}
    response = request(client.http, "GET", "/snapshot", params=params)
    if response.status_code == 404:
        return None
    body = json_body(response)
    if response.status_code != 200:
        raise SyncError("bad_response", status=response.status_code)
    position = _plan(body)
    if position is None or (position.key and not locked):
        raise SyncError("bad_response", reason="snapshot plan")
    if locked and not position.key:
        # A siège that only builds plain files: never personal data in plain on the
        # disk of an encrypted profile, pages of changes instead.
        log.info("no encrypted snapshot from this siège: pages of changes instead")
        return None
    # A file left by another plan is not this one.
    target.unlink(missing_ok=True)
    with client.engine.begin() as conn:
        set_state(conn, POSITION_KEY, json.dumps(asdict(position)))
    return position


def _plan(body: dict[str, Any]) -> Position | None:
    def number(key: str, top: int) -> int | None:
        value = body.get(key)
        ok = isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= top
        return value if ok else None  # type: ignore[return-value]

    name, sha, key = body.get("name"), body.get("sha256"), body.get("key", "")
    cursor, epoch, size = (
        number("cursor", 2**62),
        number("scope_epoch", 2**62),
        number("size", MAX_SIZE),
    )
    if (
        body.get("format") != "sqlite"
        or body.get("version") != snapshot_check.FORMAT
        or not isinstance(name, str)
        or not name.replace("-", "").replace(".", "").isalnum()
        or len(name) > 100
        or not isinstance(sha, str)
        or len(sha) != 64
        or cursor is None
        or epoch is None
        or size is None
        or not isinstance(key, str)
        or (key != "" and not _is_raw_key(key))
    ):
        return None
    return Position(name, cursor, epoch, size, sha.lower(), key.lower())


def _is_raw_key(key: str) -> bool:
    return len(key) == 64 and all(c in "0123456789abcdefABCDEF" for c in key)


def _load(saved: str) -> Position | None:
    if not saved:
        return None
    try:
        raw = json.loads(saved)
        return _plan(
            {
                **raw,
                "format": "sqlite",
                "version": snapshot_check.FORMAT,
                "scope_epoch": raw["epoch"],
            }
        )
    except (ValueError, KeyError, TypeError):
        return None


def _download(client: SyncClient, at: Position, target: Path, job: JobControl | None) -> str:
    """Append the bytes still missing to ``target``; what arrived before a cut stays.
    Returns the whole file's SHA-256, computed as the bytes arrive (those kept from a
    cut transfer read once first): no second pass over the file once it is whole."""
    import httpx

    have = target.stat().st_size if target.exists() else 0
    if have > at.size:
        target.unlink()
        have = 0
    digest = _sha256(target) if have else hashlib.sha256()
    if have == at.size:
        return digest.hexdigest()
    headers = {
        PROTOCOL_HEADER: str(PROTOCOL_VERSION),
        SCHEMA_HEADER: schema_version(),
        "Range": f"bytes={have}-",
    }
    # Created 0600 (the rows are the profile's personal data until copied and deleted).
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "ab") as out:
        try:
            with client.http.stream(
                "GET", f"{API_PREFIX}/snapshot/file/{at.name}", headers=headers
            ) as response:
                _answer(response, have)
                for block in response.iter_bytes():
                    have += len(block)
                    if have > at.size:
                        raise SyncError("bad_response", reason="snapshot longer than announced")
                    out.write(block)
                    digest.update(block)
                    client.fault("snapshot_block")
                    if job is not None:
                        job.progress(have // BLOCK, at.size // BLOCK + 1, "snapshot")
        except httpx.HTTPError as exc:
            raise SyncError("offline", reason=type(exc).__name__) from None
    if have != at.size:
        raise SyncError("offline", reason="snapshot cut short")
    return digest.hexdigest()


def _answer(response: Any, have: int) -> None:
    status = response.status_code
    if status == 404:
        raise _Gone
    if status == 401:
        raise SyncError("unauthorized")
    if status >= 500:
        raise SyncError("server_error", status=status)
    announced = response.headers.get("content-range", "")
    if status != 206 or not announced.startswith(f"bytes {have}-"):
        raise SyncError("bad_response", status=status, reason="snapshot range")


def _sha256(path: Path) -> hashlib._Hash:
    """The running SHA-256 of the bytes at ``path`` (a transfer cut short: more follow)."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while data := f.read(BLOCK):
            digest.update(data)
    return digest


def _reading(
    target: Path, key: str, check: Callable[[sqlite3.Connection, int, int], Result]
) -> Callable[[int, int], Result]:
    """``check`` on its own read-only connection to the file (opened with the file's raw
    key when it is a SQLCipher one), closed after; a file SQLite cannot read is refused."""

    def run(cursor: int, server_ms: int) -> Result:
        if key:
            import sqlcipher3

            db: sqlite3.Connection = sqlcipher3.connect(f"{target.as_uri()}?mode=ro", uri=True)
        else:
            db = sqlite3.connect(f"{target.as_uri()}?mode=ro", uri=True)
        try:
            if key:
                db.execute(f"PRAGMA key = \"x'{key}'\"")
            return check(db, cursor, server_ms)
        # The connection's own class: sqlcipher3's errors are not sqlite3's.
        except db.DatabaseError as exc:
            raise snapshot_check.FileRefused(f"not a readable SQLite file: {exc}") from None
        finally:
            db.close()

    return run


class _ValueChecks:
    """The file's value checks (snapshot_check.check_values: every row, clocks,
    conflicts, the file's integrity) in a thread of their own while the copy runs on the
    profile's connection: the copy spends its time in SQLite's C code (the sqlite3
    module lets go of the GIL), so both use a core. The copy commits only once they
    passed (``passed``, its ``before_commit``)."""

    def __init__(self, target: Path, at: Position, server_ms: int) -> None:
        self._error: BaseException | None = None
        self._run = _reading(target, at.key, snapshot_check.check_values)
        self._thread = threading.Thread(
            target=self._checks, args=(at.cursor, server_ms), name="snapshot-checks", daemon=True
        )
        self._thread.start()

    def _checks(self, cursor: int, server_ms: int) -> None:
        try:
            self._run(cursor, server_ms)
        except BaseException as exc:  # handed to the sync's thread by passed()
            self._error = exc

    def passed(self) -> None:
        """Wait for the checks; raise what refused the file (FileRefused), if anything."""
        self._thread.join()
        if self._error is not None:
            raise self._error


def _copy_checked(client: SyncClient, target: Path, at: Position) -> tuple[int, int]:
    """Copy the file while its values are checked; the copy's transaction commits only
    if they pass, else it rolls back and the file is refused."""
    checks = _ValueChecks(target, at, client.server_ms)
    try:
        return snapshot_copy.copy(
            client, target, at.cursor, at.epoch, POSITION_KEY, at.key, before_commit=checks.passed
        )
    except Exception:
        # The copy read values not checked yet (a value that breaks a rule may also
        # break the copy): a refusal of the file is the answer, as if the checks had run
        # first, and the copy's own error only for a file that passes them.
        checks.passed()
        raise


def _forget(client: SyncClient, target: Path) -> None:
    target.unlink(missing_ok=True)
    with client.engine.begin() as conn:
        st = table_of(SyncState)
        conn.execute(delete(st).where(st.c.key == POSITION_KEY))

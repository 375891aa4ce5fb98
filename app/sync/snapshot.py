"""A new laptop's first sync from a snapshot of its scope (docs/sync.md, "First sync from
a snapshot"; the siège's side is siege/snapshot.py).

``GET /snapshot`` names a SQLite file the siège prepared for this device's scope at one
cursor, with its size and SHA-256. The laptop downloads it under the profile folder
(0600) in byte ranges (``Range: bytes=N-``): a cut transfer resumes at the bytes it
has. Then, before anything of it is used, the whole file's SHA-256 is checked and its
content validated (app/sync/snapshot_check.py); it is copied table by table in one
transaction with the pull cursor (app/sync/snapshot_copy.py) and deleted. The change
feed goes on from the snapshot's cursor.

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
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
        _download(client, position, target, job)
    except _Gone:
        position = _start(client, target)
        if position is None:
            return None
        _download(client, position, target, job)
    client.fault("snapshot_downloaded")
    if _sha256(target) != position.sha256:
        _forget(client, target)
        raise SyncError("bad_response", reason="snapshot checksum mismatch")
    try:
        client.fault("snapshot_verified")
        newest = _check(client, target, position)
        client.fault("snapshot_checked")
        done = snapshot_copy.copy(
            client, target, position.cursor, position.epoch, POSITION_KEY, position.key
        )
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


def _download(client: SyncClient, at: Position, target: Path, job: JobControl | None) -> None:
    """Append the bytes still missing to ``target``; what arrived before a cut stays."""
    import httpx

    have = target.stat().st_size if target.exists() else 0
    if have > at.size:
        target.unlink()
        have = 0
    if have == at.size:
        return
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
                    client.fault("snapshot_block")
                    if job is not None:
                        job.progress(have // BLOCK, at.size // BLOCK + 1, "snapshot")
        except httpx.HTTPError as exc:
            raise SyncError("offline", reason=type(exc).__name__) from None
    if have != at.size:
        raise SyncError("offline", reason="snapshot cut short")


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


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while data := f.read(BLOCK):
            digest.update(data)
    return digest.hexdigest()


def _check(client: SyncClient, target: Path, at: Position) -> str:
    import sqlite3

    if at.key:
        import sqlcipher3

        db: sqlite3.Connection = sqlcipher3.connect(f"{target.as_uri()}?mode=ro", uri=True)
        db.execute(f"PRAGMA key = \"x'{at.key}'\"")
    else:
        db = sqlite3.connect(f"{target.as_uri()}?mode=ro", uri=True)
    try:
        return snapshot_check.check(db, at.cursor, client.server_ms)
    except sqlite3.DatabaseError as exc:
        raise snapshot_check.FileRefused(f"not a readable SQLite file: {exc}") from None
    finally:
        db.close()


def _forget(client: SyncClient, target: Path) -> None:
    target.unlink(missing_ok=True)
    with client.engine.begin() as conn:
        st = table_of(SyncState)
        conn.execute(delete(st).where(st.c.key == POSITION_KEY))

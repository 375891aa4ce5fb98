"""Where a laptop keeps its device token: the OS keyring when a usable one exists
(Windows Credential Locker, macOS Keychain, Secret Service), else inside the profile's
own database (table ``sync_state``), so it is encrypted at rest with everything else
when the profile uses SQLCipher: a copy of the profile folder without the passphrase
yields no usable token (README, "A stolen laptop").

Older versions kept the token in a plain ``sync-token`` file next to the database; it
is moved into the database (or the keyring) the first time it is read, then deleted.

The token is never logged; errors mention only where it was looked for.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from sqlalchemy import Engine, delete

from app.models.sync import SyncState
from app.sync.apply import get_state, set_state
from app.sync.codec import table_of

log = logging.getLogger(__name__)

SERVICE = "permanence-sync"
TOKEN_FILE = "sync-token"  # older versions only: migrated, then deleted
STATE_KEY = "device_token"


def _keyring_usable() -> bool:
    try:
        import keyring
        from keyring.backends import fail
    except ImportError:  # pragma: no cover - keyring is a dependency
        return False
    if os.environ.get("PERMANENCE_NO_KEYRING"):
        return False
    backend = keyring.get_keyring()
    return not isinstance(backend, fail.Keyring) and getattr(backend, "priority", 0) > 0


class TokenStore:
    def __init__(self, profile_root: Path, account: str, engine: Engine) -> None:
        self.file = profile_root / TOKEN_FILE
        self.account = account
        self.engine = engine

    def save(self, token: str) -> str:
        """Store the token; returns where ("keyring" or "database")."""
        if _keyring_usable():
            import keyring

            try:
                keyring.set_password(SERVICE, self.account, token)
                self._forget_local()
                return "keyring"
            except Exception:  # any backend failure falls back to the database
                log.warning("keyring refused the device token; using the profile database")
        with self.engine.begin() as conn:
            set_state(conn, STATE_KEY, token)
        self._remove_file()
        return "database"

    def load(self) -> str | None:
        if self.file.exists():
            legacy = self.file.read_text(encoding="utf-8").strip()
            if legacy:
                self.save(legacy)
            self._remove_file()
        with self.engine.connect() as conn:
            stored = get_state(conn, STATE_KEY)
        if stored:
            return stored
        if _keyring_usable():
            import keyring

            try:
                return keyring.get_password(SERVICE, self.account)
            except Exception:
                log.warning("keyring unavailable while reading the device token")
        return None

    def clear(self) -> None:
        self._forget_local()
        if _keyring_usable():
            import keyring

            try:
                keyring.delete_password(SERVICE, self.account)
            except Exception:
                log.info("no device token in the keyring to delete")

    def _forget_local(self) -> None:
        self._remove_file()
        with self.engine.begin() as conn:
            state = table_of(SyncState)
            conn.execute(delete(state).where(state.c.key == STATE_KEY))

    def _remove_file(self) -> None:
        # Overwritten before unlinking: the plain token should not linger in free
        # blocks of a simple file system (journaling and SSDs may still keep a copy).
        if self.file.exists():
            try:
                size = self.file.stat().st_size
                with self.file.open("r+b") as fh:
                    fh.write(b"\0" * size)
                    fh.flush()
                    os.fsync(fh.fileno())
            except OSError:
                log.warning("could not overwrite the old token file before deleting it")
            self.file.unlink(missing_ok=True)

"""Where a laptop keeps its device token: the OS keyring when a usable one exists
(Windows Credential Locker, macOS Keychain, Secret Service), else a file readable
only by the user inside the profile (a headless machine has no keyring).

The token is never logged; errors mention only where it was looked for.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)

SERVICE = "permanence-sync"
TOKEN_FILE = "sync-token"


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
    def __init__(self, profile_root: Path, account: str) -> None:
        self.file = profile_root / TOKEN_FILE
        self.account = account

    def save(self, token: str) -> str:
        """Store the token; returns where ("keyring" or "file")."""
        if _keyring_usable():
            import keyring

            try:
                keyring.set_password(SERVICE, self.account, token)
                self.file.unlink(missing_ok=True)
                return "keyring"
            except Exception:  # any backend failure falls back to the file
                log.warning("keyring refused the device token; using the profile file")
        self.file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(token)
        os.chmod(self.file, 0o600)
        return "file"

    def load(self) -> str | None:
        if self.file.exists():
            return self.file.read_text(encoding="utf-8").strip() or None
        if _keyring_usable():
            import keyring

            try:
                return keyring.get_password(SERVICE, self.account)
            except Exception:
                log.warning("keyring unavailable while reading the device token")
        return None

    def clear(self) -> None:
        self.file.unlink(missing_ok=True)
        if _keyring_usable():
            import keyring

            try:
                keyring.delete_password(SERVICE, self.account)
            except Exception:
                log.info("no device token in the keyring to delete")

"""Where a profile lives and the settings it carries.

A profile is a folder: ``permanence.sqlite3`` plus ``documents/`` (generated
PDFs), ``backups/`` and ``logs/``. By default it sits in the platform's user
data dir (platformdirs, the maintained successor of appdirs);
``PERMANENCE_HOME`` overrides it (tests, portable installs, several profiles).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import platformdirs

APP_NAME = "Permanence"
APP_AUTHOR = "Permanence"
HOME_ENV = "PERMANENCE_HOME"
DATABASE_FILE = "permanence.sqlite3"
SETTINGS_FILE = "profile.json"
BACKUPS_KEPT = 5


def default_home() -> Path:
    override = os.environ.get(HOME_ENV)
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR, roaming=True)) / "profil"


def demo_home() -> Path:
    override = os.environ.get(HOME_ENV)
    if override:
        return Path(override).expanduser() / "demo"
    return Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR, roaming=True)) / "demo"


@dataclass(frozen=True)
class ProfileSettings:
    """Per-profile settings kept beside the database (not secret, not synced)."""

    display_name: str = "Mon profil"
    encrypted: bool = False
    antenne_id: str | None = None
    permanence_id: str | None = None
    accompagnateur_id: str | None = None
    sync_interval_minutes: int = 5
    # Days an acknowledged change is kept to be sent again to a siège restored from an
    # older backup (app/sync/journal.py): longer than the oldest backup one would restore.
    sync_journal_days: int = 30
    extra: dict[str, str] = field(default_factory=dict)

    def with_changes(self, **changes: object) -> ProfileSettings:
        return replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True)
class ProfilePaths:
    root: Path

    @property
    def database(self) -> Path:
        return self.root / DATABASE_FILE

    @property
    def settings(self) -> Path:
        return self.root / SETTINGS_FILE

    @property
    def documents(self) -> Path:
        return self.root / "documents"

    @property
    def backups(self) -> Path:
        return self.root / "backups"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def lock(self) -> Path:
        return self.root / "permanence.lock"

    def ensure(self) -> None:
        for folder in (self.root, self.documents, self.backups, self.logs):
            folder.mkdir(parents=True, exist_ok=True)

    def exists(self) -> bool:
        return self.database.exists() and self.settings.exists()


def load_settings(paths: ProfilePaths) -> ProfileSettings:
    if not paths.settings.exists():
        return ProfileSettings()
    raw = json.loads(paths.settings.read_text(encoding="utf-8"))
    known = {k: v for k, v in raw.items() if k in ProfileSettings.__dataclass_fields__}
    return ProfileSettings(**known)


def save_settings(paths: ProfilePaths, settings: ProfileSettings) -> None:
    tmp = paths.settings.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(settings), indent=2, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, paths.settings)

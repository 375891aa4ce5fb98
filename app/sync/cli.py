"""``python -m app sync``: synchronise the profile with the siège without the interface
(scripts, scheduled tasks, tests). Exit code 0 when done, 1 when the siège could not be
reached or refused, 2 when the profile is not enrolled or cannot be opened, 3 when the
sync went through but some change was refused (one French line each on stderr: what,
which record, why; the user's values wait under "Conflits à vérifier")."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import Any

from app.config import default_home
from app.errors import ProfileError, ValidationError
from app.profile import Profile, open_profile
from app.sync import service, wording
from app.sync.client import SyncError

# Tests shrink batches and pages so a kill lands in the middle of a sync.
BATCH_ENV = "PERMANENCE_SYNC_BATCH_SIZE"
PAGE_ENV = "PERMANENCE_SYNC_PAGE_SIZE"
REFUSED = 3


def main(args: argparse.Namespace) -> int:
    console = logging.StreamHandler()
    console.setLevel(logging.WARNING)  # the profile's log file keeps the details
    console.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logging.getLogger().addHandler(console)
    root = Path(args.profile) if getattr(args, "profile", None) else default_home()
    try:
        profile = open_profile(root, os.environ.get("PERMANENCE_PASSPHRASE") or None)
    except ProfileError as exc:
        print(f"profil impossible à ouvrir ({exc.code})", file=sys.stderr)
        return 2
    if getattr(args, "enrol", None):
        return _enrol(profile, *args.enrol)
    options: dict[str, Any] = {}
    if os.environ.get(BATCH_ENV):
        options["batch_size"] = int(os.environ[BATCH_ENV])
    if os.environ.get(PAGE_ENV):
        options["page_size"] = int(os.environ[PAGE_ENV])
    try:
        report = service.run_sync(profile, **options)
    except SyncError as exc:
        print(f"synchronisation impossible ({exc.code})", file=sys.stderr)
        if exc.code in wording.ERRORS:
            print(wording.ERRORS[exc.code], file=sys.stderr)
        return 2 if exc.code == "not_enrolled" else 1
    finally:
        profile.close()
    print(
        f"synchronisation réussie : {report.pushed} envoyée(s), {report.pulled} reçue(s), "
        f"{report.rejected} refusée(s), {report.conflicts} conflit(s)"
    )
    if report.clock_warning:
        seconds = report.clock_offset_ms // 1000
        print(f"attention : l'horloge de cet ordinateur est décalée de {seconds} s")
    for change in report.refused:
        line = wording.refused_change_line(change.table, change.row_id, change.reason, change.fields)
        print(line, file=sys.stderr)
    for row in report.pull_refused:
        print(wording.pulled_refusal_line(row.table, row.row_id, row.reason), file=sys.stderr)
    return REFUSED if report.refused or report.pull_refused else 0


def _enrol(profile: Profile, server_url: str, code: str) -> int:
    try:
        status = service.enrol(profile, server_url, code)
    except (SyncError, ValidationError) as exc:
        print(f"inscription impossible ({exc.code})", file=sys.stderr)
        codes = [e.code for e in exc.errors] if isinstance(exc, ValidationError) else [exc.code]
        for code in codes:
            text = wording.ERRORS.get(code) or wording.FIELD_ERRORS.get(code)
            if text:
                print(text, file=sys.stderr)
        return 1
    finally:
        profile.close()
    print(f"poste inscrit : {status.device_name}, série de factures {status.series_prefix}")
    return 0

"""``python -m app sync``: synchronise the profile with the siège without the interface
(scripts, scheduled tasks, tests). Exit code 0 when done, 1 when the siège could not be
reached or refused, 2 when the profile is not enrolled or cannot be opened, 3 when the
sync went through but some change was refused (one French line each on stderr: what,
which record, why; the user's values wait under "Conflits à vérifier"). ``--json`` prints
the summary as one JSON object on stdout for scripts (same exit codes).

``--enrol`` (or ``--enroll``, the siège's word) on a folder without a profile creates it
first (app/sync/cli_profile.py); if the enrolment then fails, the new folder is removed,
so nothing half-made is left and the same command can be run again."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

from app.config import default_home
from app.errors import ProfileError, ValidationError
from app.profile import Profile, open_profile
from app.sync import cli_profile, service, wording
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
    root = Path(args.profile).expanduser() if getattr(args, "profile", None) else default_home()
    enrol = getattr(args, "enrol", None)
    if getattr(args, "command", None) == "init" or (enrol and cli_profile.is_new_folder(root)):
        folder_existed = root.exists()
        created = _create(root, args)
        if created is None:
            return 2
        if not enrol:
            created.close()
            return 0
        server_url, code = enrol
        return _enrol(created, server_url, code, new_folder=(root, folder_existed))
    try:
        profile = open_profile(root, os.environ.get(cli_profile.PASSPHRASE_ENV) or None)
    except ProfileError as exc:
        print(cli_profile.profile_error_line(exc), file=sys.stderr)
        return 2
    if enrol:
        return _enrol(profile, *enrol)
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
        if getattr(args, "json", False):
            print(json.dumps({"ok": False, "error": exc.code}))
        return 2 if exc.code == "not_enrolled" else 1
    finally:
        profile.close()
    exit_code = REFUSED if report.refused or report.pull_refused else 0
    if getattr(args, "json", False):
        print(json.dumps(_summary(report, exit_code), ensure_ascii=False))
        return exit_code
    print(
        f"synchronisation réussie : {report.pushed} envoyée(s), {report.pulled} reçue(s), "
        f"{report.rejected} refusée(s), {report.conflicts} conflit(s)"
    )
    if report.clock_warning:
        seconds = report.clock_offset_ms // 1000
        print(f"attention : l'horloge de cet ordinateur est décalée de {seconds} s")
    for change in report.refused:
        line = wording.refused_change_line(
            change.table, change.row_id, change.reason, change.fields
        )
        print(line, file=sys.stderr)
    for row in report.pull_refused:
        print(wording.pulled_refusal_line(row.table, row.row_id, row.reason), file=sys.stderr)
    return exit_code


def _summary(report: Any, exit_code: int) -> dict[str, Any]:
    """The machine-readable summary (``--json``): counts and codes, no prose."""
    return {
        "ok": exit_code == 0,
        "pushed": report.pushed,
        "pulled": report.pulled,
        "rejected": report.rejected,
        "conflicts": report.conflicts,
        "clock_offset_ms": report.clock_offset_ms if report.clock_warning else 0,
        "refused": [
            {"table": c.table, "row_id": c.row_id, "reason": c.reason} for c in report.refused
        ],
        "pull_refused": [
            {"table": r.table, "row_id": r.row_id, "reason": r.reason} for r in report.pull_refused
        ],
    }


def _create(root: Path, args: argparse.Namespace) -> Profile | None:
    try:
        profile = cli_profile.create_from_arguments(root, args)
    except cli_profile.CreationRefused as exc:
        print("profil non créé :", file=sys.stderr)
        for line in exc.lines:
            print(f"  {line}", file=sys.stderr)
        return None
    except (EOFError, KeyboardInterrupt):
        print("\nprofil non créé : saisie interrompue", file=sys.stderr)
        return None
    print(f"profil créé : {profile.settings.display_name} ({root})")
    return profile


def _filled(text: str, exc: Exception) -> str:
    """``text`` with the error's details in its ``{placeholders}`` (a prefix, a folder)."""
    details = exc.details if isinstance(exc, SyncError) else {}
    try:
        return text.format(**details) if details else text
    except (KeyError, IndexError, ValueError):
        return text


def _enrol(
    profile: Profile, server_url: str, code: str, new_folder: tuple[Path, bool] | None = None
) -> int:
    try:
        status = service.enrol(profile, server_url, code)
    except (SyncError, ValidationError) as exc:
        print(f"inscription impossible ({exc.code})", file=sys.stderr)
        codes = [e.code for e in exc.errors] if isinstance(exc, ValidationError) else [exc.code]
        for code in codes:
            text = wording.ERRORS.get(code) or wording.FIELD_ERRORS.get(code)
            if text:
                print(_filled(text, exc), file=sys.stderr)
        if new_folder is not None:
            profile.close()
            cli_profile.remove_new_profile(*new_folder)
            print(
                "le poste n'est pas inscrit et le profil qui venait d'être créé a été retiré ; "
                "relancez la même commande avec une adresse et un code valides",
                file=sys.stderr,
            )
        return 1
    finally:
        profile.close()
    print(f"poste inscrit : {status.device_name}, série de factures {status.series_prefix}")
    return 0

"""``python -m app export-network --year 2025 FICHIER``: the network file of a year
(app/exports/network.py) written without the window, in French on the terminal."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from app.config import default_home
from app.errors import ValidationError
from app.exports.network import export_network
from app.exports.service import FORMATS
from app.profile import ProfileError, open_profile
from app.sync import cli_profile


def main(args: argparse.Namespace) -> int:
    """0 written; 1 the file could not be written (format, folder); 2 no profile."""
    target = Path(args.file).expanduser()
    if target.suffix.lower() not in FORMATS:
        print(
            f"Format non pris en charge ({target.suffix or 'sans extension'}) : "
            "choisissez un fichier .xlsx ou .csv.",
            file=sys.stderr,
        )
        return 1
    if not target.parent.is_dir():
        print(f"Dossier introuvable : {target.parent}", file=sys.stderr)
        return 1
    root = Path(args.profile).expanduser() if getattr(args, "profile", None) else default_home()
    try:
        profile = open_profile(root, os.environ.get(cli_profile.PASSPHRASE_ENV) or None)
    except ProfileError as exc:
        print(cli_profile.profile_error_line(exc), file=sys.stderr)
        return 2
    try:
        export_network(profile.uow, args.year, target)
    except ValidationError as exc:  # defensive: the format was checked above
        print(f"Export impossible : {exc}", file=sys.stderr)
        return 1
    finally:
        profile.close()
    print(f"Export réseau {args.year} enregistré : {target}")
    return 0

"""``python -m app export-fse DOSSIER [--operation N°]``: the FSE+ participant file of each
operation (app/workshops/fse_export.py), with its completeness gauge, in French on the
terminal."""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

from app.config import default_home
from app.profile import ProfileError, open_profile
from app.sync import cli_profile
from app.workshops.fse_export import LIMIT_SHARE, FseFile, Level, export_fse, operations


def file_name(reference: str) -> str:
    return f"participants-fse-{re.sub(r'[^0-9A-Za-z_-]+', '-', reference).strip('-')}.xlsx"


def gauge_lines(data: FseFile) -> list[str]:
    gauge = data.completeness
    percent = round(gauge.share * 100)
    lines = [
        f"Opération {data.operation.reference} : {gauge.total} participant(s), "
        f"{gauge.incomplete} dossier(s) incomplet(s) ({percent} %)."
    ]
    if gauge.level is Level.OVER:
        lines.append(
            f"ATTENTION : plus de {round(LIMIT_SHARE * 100)} % de dossiers incomplets, "
            "seuil de correction financière. Complétez-les avant l'envoi."
        )
    elif gauge.level is Level.WARNING:
        lines.append(
            f"Attention : le seuil de {round(LIMIT_SHARE * 100)} % de dossiers incomplets "
            "approche. Complétez-les avant l'envoi."
        )
    lines += [f"  - {name} : {', '.join(words)}" for name, words in data.missing_by_person()]
    return lines


def main(args: argparse.Namespace) -> int:
    folder = Path(args.folder).expanduser()
    if not folder.is_dir():
        print(f"Dossier introuvable : {folder}", file=sys.stderr)
        return 1
    root = Path(args.profile).expanduser() if getattr(args, "profile", None) else default_home()
    try:
        profile = open_profile(root, os.environ.get(cli_profile.PASSPHRASE_ENV) or None)
    except ProfileError as exc:
        print(cli_profile.profile_error_line(exc), file=sys.stderr)
        return 2
    try:
        found = [
            o
            for o in operations(profile.uow)
            if not args.operation or o.reference == args.operation
        ]
        if not found:
            print("Aucune opération FSE+ : saisissez son numéro sur les sessions concernées.")
            return 1
        for operation in found:
            target = folder / file_name(operation.reference)
            data = export_fse(profile.uow, operation, target)
            print(f"Fichier enregistré : {target}")
            print("\n".join(gauge_lines(data)))
    finally:
        profile.close()
    return 0

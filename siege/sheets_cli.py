"""``python -m siege sheets seal|pack|verify`` — the signed attendance sheets on the siège
(issue 16; French output for the siège's administrators; docs/signing.md)."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

from sqlalchemy import Engine, select

from app.models.base import Base
from app.workshops.audit_pack import SealedSheet, build_pack, verify_pack
from app.workshops.signing_seal import report_lines
from siege import sealing
from siege.sealer import Sealer, SealNotConfigured, load_config
from siege.tables import sheet_seal_store


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sheets = sub.add_parser("sheets", help="feuilles d'émargement signées : sceller, dossiers")
    actions = sheets.add_subparsers(dest="action", required=True, metavar="ACTION")
    seal = actions.add_parser("seal", help="sceller les demi-journées contresignées")
    seal.add_argument("--worker", action="store_true", help="en continu jusqu'à l'arrêt")
    seal.add_argument("--interval", type=float, default=60.0, help="secondes entre deux passages")
    pack = actions.add_parser("pack", help="dossier de preuve d'une session (ZIP)")
    pack.add_argument("session", metavar="SESSION", help="identifiant de la session")
    pack.add_argument("target", metavar="FICHIER", help="le ZIP à écrire")
    pack.add_argument("--certificat", action="append", default=[], metavar="PEM")
    verify = actions.add_parser("verify", help="vérifier une feuille (PDF) ou un dossier (ZIP)")
    verify.add_argument("file", metavar="FICHIER")
    verify.add_argument("--certificat", action="append", default=[], metavar="PEM")


def run(engine: Engine, args: argparse.Namespace) -> int:
    if args.action == "verify":
        return verify_file(Path(args.file), [Path(c) for c in args.certificat])
    if args.action == "pack":
        return _pack(engine, args.session, Path(args.target), [Path(c) for c in args.certificat])
    try:
        sealer = Sealer.from_config(load_config())
    except SealNotConfigured as missing:
        print(
            f"erreur : aucun sceau configuré (manque : {missing}). Voir README, "
            "« Émargement électronique ».",
            file=sys.stderr,
        )
        return 2
    while True:
        report = sealing.cycle(engine, sealer)
        print(
            f"mises en file : {report.queued} ; scellées : {report.sealed} ; "
            f"en échec (réessayées plus tard) : {report.failed}",
            flush=True,
        )
        for error in report.errors:
            print(f"  {error}", flush=True)
        if not args.worker:
            return 0 if not report.failed else 1
        logging.basicConfig(level=logging.INFO)
        time.sleep(args.interval)


def _pack(engine: Engine, session_id: str, target: Path, trusted: list[Path]) -> int:
    slot = Base.metadata.tables["activity_slot"]
    activity = Base.metadata.tables["activity"]
    with engine.connect() as conn:
        title = conn.execute(select(activity.c.title).where(activity.c.id == session_id)).scalar()
        rows = conn.execute(
            select(slot.c.starts_at, sheet_seal_store.c.pdf)
            .join(sheet_seal_store, sheet_seal_store.c.slot_id == slot.c.id)
            .where(slot.c.activity_id == session_id, sheet_seal_store.c.state == sealing.SEALED)
            .order_by(slot.c.starts_at)
        ).all()
    if title is None:
        print(f"erreur : session inconnue : {session_id}", file=sys.stderr)
        return 2
    if not rows:
        print("erreur : aucune feuille scellée pour cette session", file=sys.stderr)
        return 1
    sheets = [
        SealedSheet(
            f"emargement-{starts.date().isoformat()}-{'matin' if starts.hour < 13 else 'apres-midi'}.pdf",
            bytes(pdf),
        )
        for starts, pdf in rows
    ]
    target.write_bytes(build_pack(str(title), sheets, trusted))
    print(f"dossier de preuve écrit : {target} ({len(sheets)} feuille(s))")
    return 0


def verify_file(path: Path, trusted: list[Path]) -> int:
    """French report on stdout; 0 when every sheet is intact, 1 otherwise, 2 not found."""
    if not path.is_file():
        print(f"Fichier introuvable : {path}")
        return 2
    data = path.read_bytes()
    if data[:2] == b"PK":
        results = verify_pack(data, trusted)
    else:
        from app.workshops.signing_seal import verify_sheet

        results = [(path.name, verify_sheet(data, trusted))]
    for name, report in results:
        print("\n".join(report_lines(report, name)))
    return 0 if results and all(r.ok for _n, r in results) else 1

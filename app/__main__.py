"""``python -m app``: the desktop app; ``python -m app sync``: headless sync;
``python -m app export-network --year 2025 FICHIER``: the network file of a year.

The GUI lives in ``ui`` and the core must not import it (import-linter
contract), so the launcher is loaded by name: this module is an entry point,
not part of the core's dependency graph.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from app import cli_french

PROFILE_HELP = "dossier du profil (sinon PERMANENCE_HOME, sinon le dossier habituel)"


def add_identity_options(parser: argparse.ArgumentParser) -> None:
    """Who uses a laptop whose profile the command line creates (app/sync/cli_profile.py).
    Nothing of the data layer is imported here: the window's start does not wait on it."""
    group = parser.add_argument_group(
        "création du profil (dossier sans profil)",
        "Ce qui manque est demandé au terminal ; la phrase de passe est lue dans "
        "PERMANENCE_PASSPHRASE ou demandée deux fois.",
    )
    group.add_argument("--first-name", metavar="PRÉNOM", help="prénom de l'accompagnateur")
    group.add_argument("--last-name", metavar="NOM", help="nom de l'accompagnateur")
    group.add_argument(
        "--email", default="", metavar="E-MAIL", help="e-mail de l'accompagnateur (facultatif)"
    )
    group.add_argument(
        "--permanence",
        metavar="VILLE",
        default="",
        help="ville de sa permanence habituelle (ex. Langres)",
    )
    group.add_argument("--name", metavar="NOM", help="nom du profil (par défaut : la permanence)")
    group.add_argument("--no-encrypt", action="store_true", help="base non chiffrée (déconseillé)")


def build_parser() -> argparse.ArgumentParser:
    """The command line, in French (app/cli_french.py); build it inside
    ``cli_french.french()`` so argparse's own words are French too."""
    parser = argparse.ArgumentParser(
        prog="python -m app",
        description="Permanence : l'application des accompagnateurs de la CAE.",
        epilog="Sans commande : ouvre la fenêtre de l'application.",
    )
    parser.add_argument("--demo", action="store_true", help="ouvrir le profil de démonstration")
    parser.add_argument("--self-test", action="store_true", help="auto-test hors écran")
    parser.add_argument("--profile", metavar="DOSSIER", help=PROFILE_HELP)
    # The options of a command may also follow it (python -m app sync --profile DIR):
    # SUPPRESS keeps a value given before the command when none is given after it.
    after = argparse.ArgumentParser(add_help=False)
    after.add_argument("--profile", metavar="DOSSIER", default=argparse.SUPPRESS, help=PROFILE_HELP)
    sub = parser.add_subparsers(dest="command", title="commandes", metavar="COMMANDE")
    sync = sub.add_parser(
        "sync",
        parents=[after],
        help="synchroniser avec le siège sans interface",
        description=(
            "Synchronise le profil avec le siège. Codes de sortie : 0 fait, 1 siège "
            "injoignable ou refus, 2 profil non inscrit ou impossible à ouvrir, "
            "3 synchronisé mais une modification refusée."
        ),
    )
    sync.add_argument(
        "--enrol",
        "--enroll",
        dest="enrol",
        nargs=2,
        metavar=("ADRESSE", "CODE"),
        help=(
            "inscrire ce poste auprès du siège avec le code d'enrôlement ; sur un dossier "
            "sans profil, le crée d'abord"
        ),
    )
    sync.add_argument(
        "--json", action="store_true", help="résumé en JSON sur la sortie standard (scripts)"
    )
    add_identity_options(sync)
    init = sub.add_parser(
        "init",
        parents=[after],
        help="créer un profil sans la fenêtre",
        description="Crée le profil dans le dossier donné par --profile, sans l'inscrire.",
    )
    add_identity_options(init)
    demo = sub.add_parser(
        "generate",
        parents=[after],
        help="générer un profil de démonstration ou de charge",
        description="Génère un profil rempli de données fictives.",
    )
    demo.add_argument(
        "--size",
        choices=["demo", "decade"],
        default="demo",
        help="demo : quelques mois ; decade : dix ans de données (mesures)",
    )
    demo.add_argument(
        "--seed", type=int, default=1, metavar="GRAINE", help="graine du hasard (défaut : 1)"
    )
    demo.add_argument("target", metavar="DOSSIER", help="dossier du profil à créer")
    verify = sub.add_parser(
        "verify-sheet",
        parents=[after],
        help="vérifier le sceau et l'intégrité d'une feuille d'émargement signée",
        description=(
            "Vérifie le sceau d'une feuille signée (sur un poste ou scellée au siège, avec "
            "son horodatage) ou chaque feuille d'un dossier de preuve (ZIP), et les empreintes "
            "des signatures. Codes de sortie : 0 intacte, 1 non conforme, 2 fichier introuvable."
        ),
    )
    verify.add_argument("file", metavar="FICHIER", help="la feuille (PDF) à vérifier")
    verify.add_argument(
        "--certificat",
        action="append",
        default=[],
        metavar="PEM",
        help="certificat racine reconnu (celui de la CAE qui scelle au siège ; répétable)",
    )
    network = sub.add_parser(
        "export-network",
        parents=[after],
        help="écrire le fichier réseau d'une année (.xlsx ou .csv)",
        description=(
            "Écrit les chiffres de l'année dans les termes du réseau (une ligne par "
            "indicateur, code stable, SIREN de la CAE ; docs/indicators.md). Codes de "
            "sortie : 0 écrit, 1 fichier impossible à écrire, 2 profil impossible à ouvrir."
        ),
    )
    network.add_argument(
        "--year", type=int, required=True, metavar="ANNÉE", help="l'année civile (ex. 2025)"
    )
    network.add_argument("file", metavar="FICHIER", help="le fichier à écrire (.xlsx ou .csv)")
    fse = sub.add_parser(
        "export-fse",
        parents=[after],
        help="écrire le fichier des participants FSE+ de chaque opération (.xlsx)",
        description=(
            "Écrit, pour chaque opération FSE+ (n° d'opération saisi sur les sessions), le "
            "fichier des participants et sa jauge de complétude (docs/signing.md). Codes de "
            "sortie : 0 écrit, 1 rien à écrire ou dossier introuvable, 2 profil impossible à "
            "ouvrir."
        ),
    )
    fse.add_argument("folder", metavar="DOSSIER", help="dossier où écrire les fichiers")
    fse.add_argument("--operation", metavar="N°", help="une seule opération")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = cli_french.parse(build_parser, argv)
    if args.command == "generate":
        from pathlib import Path

        from app.demo import build_demo_profile

        build_demo_profile(Path(args.target), size=args.size, seed=args.seed)
        return 0
    if args.command == "verify-sheet":
        return _verify_sheet(args)
    if args.command == "export-network":
        network_cli = importlib.import_module("app.exports.network_cli")
        return int(network_cli.main(args))
    if args.command == "export-fse":
        return int(importlib.import_module("app.workshops.fse_cli").main(args))
    if args.command in ("sync", "init"):
        cli = importlib.import_module("app.sync.cli")
        return int(cli.main(args))
    launcher = importlib.import_module("ui.launcher")
    return int(launcher.main(args))


def _verify_sheet(args: argparse.Namespace) -> int:
    """French report on stdout; 0 when the sheet is intact, 1 otherwise."""
    from pathlib import Path

    from app.config import default_home
    from app.workshops.signing_seal import (
        CERT_FILE,
        SEAL_FOLDER,
        report_lines,
        verify_sheet,
    )

    path = Path(args.file)
    if not path.is_file():
        print(f"Fichier introuvable : {path}")
        return 2
    root = Path(args.profile) if args.profile else default_home()
    trusted = [root / SEAL_FOLDER / CERT_FILE, *(Path(c) for c in args.certificat)]
    data = path.read_bytes()
    if data[:2] == b"PK":  # an audit pack (app/workshops/audit_pack.py): every sheet in it
        from app.workshops.audit_pack import verify_pack

        results = verify_pack(data, trusted)
    else:
        results = [(path.name, verify_sheet(data, trusted))]
    for name, report in results:
        print("\n".join(report_lines(report, name)))
    return 0 if results and all(r.ok for _n, r in results) else 1


if __name__ == "__main__":
    sys.exit(main())

"""``python -m app``: the desktop app; ``python -m app sync``: headless sync.

The GUI lives in ``ui`` and the core must not import it (import-linter
contract), so the launcher is loaded by name: this module is an entry point,
not part of the core's dependency graph.
"""

from __future__ import annotations

import argparse
import importlib
import sys


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="permanence", description="Permanence (CAE)")
    parser.add_argument("--demo", action="store_true", help="ouvrir le profil de démonstration")
    parser.add_argument("--self-test", action="store_true", help="auto-test hors écran")
    parser.add_argument("--profile", help="dossier du profil (sinon PERMANENCE_HOME ou défaut)")
    sub = parser.add_subparsers(dest="command")
    sync = sub.add_parser("sync", help="synchroniser avec le siège sans interface")
    sync.add_argument(
        "--enrol", nargs=2, metavar=("ADRESSE", "CODE"), help="inscrire ce poste auprès du siège"
    )
    demo = sub.add_parser("generate", help="générer un profil de démonstration ou de charge")
    demo.add_argument("--size", choices=["demo", "decade"], default="demo")
    demo.add_argument("--seed", type=int, default=1)
    demo.add_argument("target", help="dossier du profil à créer")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "generate":
        from pathlib import Path

        from app.demo import build_demo_profile

        build_demo_profile(Path(args.target), size=args.size, seed=args.seed)
        return 0
    if args.command == "sync":
        cli = importlib.import_module("app.sync.cli")
        return int(cli.main(args))
    launcher = importlib.import_module("ui.launcher")
    return int(launcher.main(args))


if __name__ == "__main__":
    sys.exit(main())

"""``python -m siege``: run the siège server and administer enrolled laptops.

    python -m siege migrate
    python -m siege restored                             # last step of restoring a backup
    python -m siege import-profile /path/to/profile      # start from existing data
    python -m siege serve --host 0.0.0.0 --port 8443 --ssl-certfile c.pem --ssl-keyfile k.pem
    python -m siege device enroll "Portable Épernay 1" --antenne Épernay
    python -m siege device enroll "Portable itinérant" --antenne Sedan --antenne Vouziers
    python -m siege device scope "Portable itinérant" --antenne Sedan --antenne Reims
    python -m siege device enroll "Poste du siège" --antenne Reims --role siege
    python -m siege device enroll "Portable Reims" --antenne Reims --series REI  # imported
    python -m siege device list
    python -m siege device revoke "Portable Épernay 1"
    python -m siege audit --device "Portable Épernay 1" --since 2026-12-01 --limit 50
    python -m siege einvoicing send|status|list|worker      # the plateforme agréée
    python -m siege person find "Dupré"
    python -m siege person anonymise PERSON_ID [--yes]     # on request (RGPD art. 17)

The database comes from ``--database-url`` or ``PERMANENCE_SIEGE_DATABASE_URL``
(default: ``sqlite:///siege.sqlite3`` in the current folder); PostgreSQL URLs look
like ``postgresql+psycopg://user@host/dbname``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys

from sqlalchemy import Engine

from app import cli_french, formatting
from app.clock import utcnow
from siege import db, devices


def build_parser() -> argparse.ArgumentParser:
    """The administrator's command line, in French (app/cli_french.py: build and parse it
    inside ``cli_french.french()``)."""
    parser = argparse.ArgumentParser(
        prog="python -m siege", description="Permanence : le serveur du siège et ses appareils."
    )
    parser.add_argument(
        "--database-url",
        metavar="URL",
        help="base SQLAlchemy (sinon PERMANENCE_SIEGE_DATABASE_URL, sinon siege.sqlite3 ici)",
    )
    sub = parser.add_subparsers(
        dest="command", required=True, title="commandes", metavar="COMMANDE"
    )
    serve = sub.add_parser("serve", help="servir l'API HTTP aux portables")
    serve.add_argument(
        "--host", default="127.0.0.1", help="adresse d'écoute (défaut : %(default)s)"
    )
    serve.add_argument("--port", type=int, default=8765, help="port (défaut : %(default)s)")
    serve.add_argument("--database-url", dest="serve_database_url", metavar="URL", help="base")
    serve.add_argument("--ssl-certfile", metavar="FICHIER", help="certificat TLS (PEM)")
    serve.add_argument("--ssl-keyfile", metavar="FICHIER", help="clé privée TLS (PEM)")
    serve.add_argument(
        "--no-migrate", action="store_true", help="ne pas mettre la base à jour au démarrage"
    )
    sub.add_parser("migrate", help="créer ou mettre à jour le schéma de la base")
    sub.add_parser(
        "restored",
        help="dernière étape d'une restauration : les portables renvoient ce que le siège a perdu",
    )
    imp = sub.add_parser("import-profile", help="charger les données d'un profil de portable")
    imp.add_argument("profile", metavar="DOSSIER", help="dossier du profil (permanence.sqlite3)")
    dev = sub.add_parser("device", help="appareils inscrits")
    dev_sub = dev.add_subparsers(dest="action", required=True, title="actions", metavar="ACTION")
    enroll = dev_sub.add_parser(
        "enroll", help="créer un appareil et afficher son code à usage unique"
    )
    enroll.add_argument("name", metavar="NOM", help="nom de l'appareil")
    enroll.add_argument(
        "--antenne",
        required=True,
        action="append",
        metavar="VILLE",
        help="ville d'une antenne qu'il sert (à répéter ; la première nomme sa série)",
    )
    enroll.add_argument(
        "--role",
        choices=devices.ROLES,
        default=devices.ACCOMPAGNATEUR,
        help="accompagnateur (portable d'une antenne) ou siege (personnel du siège)",
    )
    enroll.add_argument(
        "--series",
        metavar="PRÉFIXE",
        help="lui confier la série de factures importée sous PRÉFIXE (import-profile)",
    )
    enroll.add_argument("--json", action="store_true", help="résultat en JSON (scripts)")
    scope = dev_sub.add_parser("scope", help="changer les antennes que sert un appareil")
    scope.add_argument("name", metavar="NOM", help="nom de l'appareil")
    scope.add_argument(
        "--antenne", required=True, action="append", metavar="VILLE", help="ville (à répéter)"
    )
    listing = dev_sub.add_parser(
        "list", help="lister les appareils (dernière synchronisation, validité du jeton)"
    )
    listing.add_argument("--json", action="store_true", help="liste en JSON (scripts)")
    revoke = dev_sub.add_parser("revoke", help="révoquer un appareil (volé ou retiré)")
    revoke.add_argument("name", metavar="NOM", help="nom de l'appareil")
    aud = sub.add_parser("audit", help="quel appareil a appliqué quelle modification")
    aud.add_argument("--device", metavar="APPAREIL", help="nom ou identifiant de l'appareil")
    aud.add_argument("--table", help="table (person, invoice…)")
    aud.add_argument("--row", metavar="ID", help="identifiant de la ligne")
    aud.add_argument("--since", type=_date, metavar="DATE", help="date locale, AAAA-MM-JJ")
    aud.add_argument(
        "--limit", type=int, default=100, help="nombre de lignes au plus (défaut : %(default)s)"
    )
    from siege.einvoicing import cli as einvoicing_cli

    einvoicing_cli.add_parser(sub)
    from siege import sheets_cli

    sheets_cli.add_parser(sub)
    from siege import person_cli

    person_cli.add_parser(sub)
    return parser


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"date attendue (AAAA-MM-JJ) : {text!r}") from None


# The siège's administrators read French, like every other user.
ADMIN_MESSAGES = {
    "invalid_device_name": (
        "nom d'appareil invalide : de 1 à 120 caractères, lettres, chiffres, espaces, "
        "tirets, points ou apostrophes."
    ),
    "device_revoked": "l'appareil « {name} » est révoqué ; enrôlez-le sous un nouveau nom.",
    "no_active_device": "aucun appareil actif ne s'appelle « {name} ».",
    "unknown_series": "aucune série de factures (d'un seul appareil) n'a le préfixe « {prefix} ».",
    "series_taken": "la série « {prefix} » appartient déjà à l'appareil « {name} ».",
    "invalid_role": "rôle inconnu « {role} » ; rôles possibles : {roles}.",
    "unknown_town": (
        "« {town} » n'est ni une antenne ni une permanence de la CAE. Villes connues : {known}."
    ),
}


def admin_message(exc: devices.DeviceAdminError) -> str:
    template = ADMIN_MESSAGES.get(exc.reason)
    return template.format(**exc.details) if template else exc.reason


def main(argv: list[str] | None = None) -> int:
    args = cli_french.parse(build_parser, argv)
    url = db.database_url(getattr(args, "serve_database_url", None) or args.database_url)
    engine = db.make_engine(url)
    try:
        if args.command == "migrate":
            db.migrate(engine)
            print("base à jour")
            return 0
        if args.command == "restored":
            return _restored(engine)
        if args.command == "serve":
            return _serve(engine, args)
        if args.command == "import-profile":
            from pathlib import Path

            from siege.importer import import_profile

            db.migrate(engine)
            print(f"lignes importées : {import_profile(engine, Path(args.profile))}")
            return 0
        if args.command == "audit":
            return _audit(engine, args)
        if args.command == "einvoicing":
            from siege.einvoicing import cli as einvoicing_cli

            db.migrate(engine)
            return einvoicing_cli.run(engine, args)
        if args.command == "sheets":
            from siege import sheets_cli

            db.migrate(engine)
            return sheets_cli.run(engine, args)
        if args.command == "person":
            from siege import person_cli

            db.migrate(engine)
            return person_cli.run(engine, args)
        return _device(engine, args)
    except devices.DeviceAdminError as exc:
        print(f"erreur : {admin_message(exc)}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()


def _restored(engine: Engine) -> int:
    """After a backup is put back (docs/sync.md, "A restored siège gets back what it
    acknowledged"): a new epoch, so every laptop reads the siège again and sends again
    the changes it keeps that the backup lacks."""
    from siege import epoch

    db.migrate(engine)
    fresh = epoch.draw(engine)
    print(f"nouvelle époque du siège : {fresh}")
    print(
        "à leur prochaine synchronisation, les portables relisent le siège depuis le début "
        "et renvoient les modifications qu'il a perdues (gardées dans leur journal)."
    )
    return 0


def _serve(engine: object, args: argparse.Namespace) -> int:
    import uvicorn

    from siege.api import create_app

    if not args.no_migrate:
        db.migrate(engine)  # type: ignore[arg-type]
    app = create_app(engine)  # type: ignore[arg-type]
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        ssl_certfile=args.ssl_certfile,
        ssl_keyfile=args.ssl_keyfile,
        log_level="info",
    )
    return 0


ROLES_FR = {devices.ACCOMPAGNATEUR: "accompagnateur", devices.SIEGE: "siège"}


def _audit(engine: object, args: argparse.Namespace) -> int:
    from siege import audit

    entries = audit.query(
        engine,  # type: ignore[arg-type]
        device=args.device,
        table=args.table,
        row_id=args.row,
        since=args.since,
        limit=args.limit,
    )
    if not entries:
        print("aucune modification enregistrée pour ces critères")
        return 0
    print(
        f"{len(entries)} modification(s), de la plus récente à la plus ancienne (heure de Paris) :"
    )
    for entry in entries:
        print(audit.describe(entry))
    return 0


def _device(engine: object, args: argparse.Namespace) -> int:
    if args.action == "enroll":
        code, prefix = devices.enroll(
            engine,  # type: ignore[arg-type]
            args.name,
            args.antenne,
            args.role,
            args.series,
        )
        if args.json:
            result = {"name": args.name, "role": args.role, "code": code, "series_prefix": prefix}
            print(json.dumps(result, ensure_ascii=False))
            return 0
        print(f"appareil :             {args.name}")
        print(f"rôle :                 {ROLES_FR[args.role]}")
        print(f"code d'enrôlement :    {code}   (valable 7 jours, une seule fois)")
        print(f"préfixe de facturation : {prefix}")
        return 0
    if args.action == "list":
        if args.json:
            rows = [
                {
                    "name": d.name,
                    "antenne": d.antenne,
                    "antennes": list(d.towns),
                    "series_prefix": d.series_prefix,
                    "role": d.role,
                    "enrolled_at": d.enrolled_at.isoformat() if d.enrolled_at else None,
                    "revoked_at": d.revoked_at.isoformat() if d.revoked_at else None,
                    "last_seen_at": d.last_seen_at.isoformat() if d.last_seen_at else None,
                    "token_expires_at": (
                        d.token_expires_at.isoformat() if d.token_expires_at else None
                    ),
                }
                for d in devices.list_devices(engine)  # type: ignore[arg-type]
            ]
            print(json.dumps(rows, ensure_ascii=False))
            return 0
        now = utcnow()
        for d in devices.list_devices(engine):  # type: ignore[arg-type]
            state = "révoqué" if d.revoked_at else ("enrôlé" if d.enrolled_at else "en attente")
            seen = formatting.timestamp(d.last_seen_at) if d.last_seen_at else "jamais"
            expires = d.token_expires_at
            if expires is None:
                until = "—"
            elif expires < now:
                until = "expiré (réenrôler)"
            else:
                until = formatting.timestamp(expires)
            print(
                f"{d.name:30} {', '.join(d.towns):30} {d.series_prefix:8} "
                f"{ROLES_FR[d.role]:15} {state:10} dernière synchro : {seen:16}  "
                f"jeton valable jusqu'au : {until}"
            )
        return 0
    if args.action == "scope":
        record, sent = devices.set_scope(engine, args.name, args.antenne)  # type: ignore[arg-type]
        print(f"appareil :  {record.name}")
        print(f"antennes :  {', '.join(record.towns)}")
        print(f"lignes envoyées à sa prochaine synchronisation : {sent}")
        print("(les fiches qui sortent de son périmètre restent sur le portable pour l'instant)")
        return 0
    devices.revoke(engine, args.name)  # type: ignore[arg-type]
    print(f"révoqué : {args.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``python -m siege einvoicing send|status|list|worker`` (French output for the siège's
administrators)."""

from __future__ import annotations

import argparse
import logging
import sys

from sqlalchemy import Engine, select

from app import clock
from siege.einvoicing import cdar, config, outbox, worker
from siege.einvoicing.afnor import AfnorFlowAdapter
from siege.einvoicing.routing import ROUTE_FR
from siege.tables import pa_flow, pa_status

STATE_FR = {
    "queued": "en attente",
    "sent": "transmise",
    "failed": "en échec",
    outbox.HELD: "bloquée avant envoi (règles officielles non respectées)",
}
HELD_ADVICE = (
    "    non transmise : à annuler par un avoir, puis à remplacer par une nouvelle facture corrigée"
)


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    einv = sub.add_parser("einvoicing", help="transmettre les factures à la plateforme agréée")
    actions = einv.add_subparsers(dest="action", required=True)
    actions.add_parser("send", help="un passage : mettre en file, envoyer, lire les statuts")
    status = actions.add_parser("status", help="statuts de cycle de vie reçus")
    status.add_argument("number", nargs="?", help="numéro de facture")
    listing = actions.add_parser("list", help="la file de transmission")
    listing.add_argument("--limit", type=int, default=50)
    work = actions.add_parser("worker", help="transmettre en continu jusqu’à l’arrêt")
    work.add_argument("--interval", type=float, default=30.0, help="secondes entre deux passages")


def run(engine: Engine, args: argparse.Namespace) -> int:
    if args.action == "list":
        return _list(engine, args.limit)
    if args.action == "status":
        return _status(engine, args.number)
    try:
        adapter = AfnorFlowAdapter(config.load())
    except config.PaNotConfigured as exc:
        print(
            f"erreur : aucune plateforme agréée configurée (manque : {exc}). "
            "Voir docs/einvoicing.md.",
            file=sys.stderr,
        )
        return 2
    try:
        if args.action == "worker":
            logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
            print(f"transmission en continu, un passage toutes les {args.interval:g} s", flush=True)
            worker.run_forever(engine, adapter, args.interval)
            return 0
        report = worker.cycle(engine, adapter)
    finally:
        adapter.close()
    print(f"mises en file : {report.queued}")
    print(f"transmises : {report.send.sent}")
    print(f"à réessayer : {report.send.retried}")
    print(f"en échec : {report.send.failed}")
    print(f"bloquées avant envoi : {report.send.held}")
    print(f"statuts reçus : {report.statuses}")
    return 1 if report.send.failed or report.send.held else 0


def _list(engine: Engine, limit: int) -> int:
    with engine.connect() as conn:
        rows = conn.execute(select(pa_flow).order_by(pa_flow.c.id.desc()).limit(limit)).all()
    for number, route in outbox.held_back(engine, limit):
        print(f"{number} : {ROUTE_FR[route]}")
    if not rows:
        print("aucune facture en file de transmission")
        return 0
    for row in rows:
        what = {"invoice": "facture", "cdar": "message 212", "report": "e-reporting"}.get(
            row.kind, row.kind
        )
        held = row.state == outbox.HELD
        status = (
            f" ; statut : {row.last_status} {cdar.label(row.last_status)}"
            if row.last_status and not held
            else ""
        )
        error = f" ; erreur : {row.last_error}" if row.last_error and not held else ""
        print(
            f"{row.invoice_number} ({what}, {ROUTE_FR.get(row.route, row.route)}) : "
            f"{STATE_FR.get(row.state, row.state)}, {row.attempts} tentative(s){status}{error}"
        )
        if held:  # one failed rule a line: id and the official file's text
            for rule in row.last_error.splitlines():
                print(f"    règle non respectée : {rule}")
            print(HELD_ADVICE)
    return 0


def _status(engine: Engine, number: str | None) -> int:
    query = (
        select(pa_flow.c.invoice_number, pa_status)
        .join(
            pa_flow,
            (pa_flow.c.invoice_id == pa_status.c.invoice_id) & (pa_flow.c.kind == "invoice"),
        )
        .order_by(pa_status.c.status_at, pa_status.c.id)
    )
    if number:
        query = query.where(pa_flow.c.invoice_number == number)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    if not rows:
        print("aucun statut reçu" + (f" pour la facture {number}" if number else ""))
        return 0
    for row in rows:
        when = clock.to_local(row.status_at).strftime("%d/%m/%Y %H:%M")
        reason = f" — {row.reason}" if row.reason else ""
        print(f"{row.invoice_number} : {row.code} {row.label} le {when}{reason}")
    return 0

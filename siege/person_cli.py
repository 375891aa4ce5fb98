"""``python -m siege person find|anonymise`` — the siège's data-protection contact finds a
person and anonymises them on request (RGPD art. 17; docs/personal-data.md), when the
laptop of the person's antenne is away. French output, for the siège's administrators.

    python -m siege person find "Dupré"
    python -m siege person anonymise 0193… [--yes]
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass

from sqlalchemy import Engine, select

from app.errors import PermanenceError
from app.models.base import Base
from app.people.anonymise_wording import ANONYMISE_REFUSALS
from app.sync.derived import PERSON_SOURCES, recompute
from app.text import fold
from siege import anonymise as siege_anonymise

# The laptop's words for the same refusals (one place for both: the siège never imports ui/).
REFUSALS = ANONYMISE_REFUSALS
TEXTS_FR = {
    "intake_interview": "entretien(s) d'accueil",
    "followup_interview": "entretien(s) de suivi",
    "parcours_stage": "étape(s) de parcours",
    "appointment": "rendez-vous",
}
CONFIRM_WORD = "oui"
FIND_LIMIT = 50


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    person = sub.add_parser("person", help="personnes : retrouver, anonymiser sur demande (RGPD)")
    actions = person.add_subparsers(dest="action", required=True, metavar="ACTION")
    find = actions.add_parser("find", help="retrouver l'identifiant d'une personne par son nom")
    find.add_argument("text", metavar="TEXTE", help="nom, prénom, e-mail ou ville (sans accents)")
    anon = actions.add_parser(
        "anonymise",
        help="anonymiser une personne sur le siège ; ses portables effacent leurs copies",
    )
    anon.add_argument("person_id", metavar="ID", help="identifiant (voir « person find »)")
    anon.add_argument(
        "--yes", action="store_true", help="ne pas demander de confirmation (scripts)"
    )


def run(engine: Engine, args: argparse.Namespace) -> int:
    if args.action == "find":
        return find_command(engine, args.text)
    return anonymise_command(engine, args.person_id, yes=args.yes)


def refusal_text(error: PermanenceError) -> str:
    template = REFUSALS.get(error.code)
    return template.format(**error.details) if template else error.code


@dataclass(frozen=True)
class Found:
    person_id: str
    first_name: str
    last_name: str
    antenne: str
    state: str  # "", "anonymisée", "supprimée", "fusionnée"


def find(engine: Engine, text: str, limit: int = FIND_LIMIT) -> list[Found]:
    """Persons whose name, e-mail, phone, city or activity holds every word of ``text``,
    accents and case aside: the laptop's search key (app/models/people.py), computed
    here from the row, since a key is only what the laptop that wrote the row sent."""
    person = Base.metadata.tables["person"]
    antenne = Base.metadata.tables["antenne"]
    words = fold(text).split()
    if not words:
        return []
    query = (
        select(person, antenne.c.name.label("antenne_name"))
        .outerjoin(antenne, antenne.c.id == person.c.antenne_id)
        .order_by(person.c.last_name, person.c.first_name, person.c.id)
    )
    found: list[Found] = []
    with engine.connect() as conn:
        for r in conn.execute(query).mappings():
            row = dict(r)
            key = recompute("person", {**row, "search_key": ""}, set(PERSON_SOURCES))
            if not all(w in key.get("search_key", "") for w in words):
                continue
            found.append(Found(str(r["id"]), r["first_name"], r["last_name"],
                               str(r["antenne_name"] or ""), _state(row)))  # fmt: skip
            if len(found) == limit:
                break
    return found


def _state(row: dict[str, object]) -> str:
    if row["merged_into_id"]:
        return "fusionnée"
    if row["deleted_at"]:
        return "supprimée"
    return "anonymisée" if row["anonymised_at"] else ""


def find_command(engine: Engine, text: str) -> int:
    found = find(engine, text)
    if not found:
        print(f"aucune personne ne correspond à « {text} »")
        return 1
    for f in found:
        name = f"{f.first_name} {f.last_name}".strip()
        state = f"  ({f.state})" if f.state else ""
        print(f"{f.person_id}  {name:40}  antenne : {f.antenne or '—'}{state}")
    if len(found) == FIND_LIMIT:
        print(f"(les {FIND_LIMIT} premières ; précisez la recherche)")
    return 0


def anonymise_command(engine: Engine, person_id: str, *, yes: bool = False) -> int:
    """0 anonymised; 1 refused (legal hold) or not confirmed; 2 unknown or already done."""
    try:
        plan = siege_anonymise.preview(engine, person_id)
    except PermanenceError as exc:
        print(f"erreur : {refusal_text(exc)}", file=sys.stderr)
        return 2
    if not yes:
        print("\n".join(describe(plan)))
    if plan.refusals:
        if yes:  # otherwise just listed under « blocages légaux »
            for refusal in plan.refusals:
                print(f"refusé : {refusal_text(refusal)}", file=sys.stderr)
        print("anonymisation impossible : rien n'a été modifié", file=sys.stderr)
        return 1
    if not yes and not _confirmed():
        print("abandon : rien n'a été modifié")
        return 1
    try:
        outcome = siege_anonymise.anonymise(engine, plan.person_id)
    except PermanenceError as exc:  # a push changed the record since the preview
        print(f"refusé : {refusal_text(exc)}", file=sys.stderr)
        print("rien n'a été modifié", file=sys.stderr)
        return 1
    print(f"personne anonymisée : {outcome.person_id}")
    print(f"lignes modifiées : {outcome.rows} ; conflits vidés au siège : {outcome.conflicts}")
    print(
        "chaque portable qui la détient efface ses copies (documents, modifications en "
        "attente, conflits, sauvegardes) à sa prochaine synchronisation"
    )
    return 0


def describe(plan: siege_anonymise.Preview) -> list[str]:
    """What the administrator reads before confirming (the name, to check it is them)."""
    name = f"{plan.first_name} {plan.last_name}".strip()
    lines = [
        f"personne : {name} (antenne : {plan.antenne or '—'}) — {plan.person_id}",
        "sera effacé au siège, puis sur chaque portable à sa prochaine synchronisation :",
        "  - la fiche : civilité, prénom, nom (« Anonyme »), date de naissance, e-mail, "
        "téléphone, adresse, notes, nom d'activité",
    ]
    texts = [f"{n} {TEXTS_FR[t]}" for t, n in plan.texts.items() if n]
    if texts:
        lines.append(f"  - le texte libre de : {', '.join(texts)}")
    if plan.merged:
        lines.append(f"  - {plan.merged} fiche(s) fusionnée(s) dans celle-ci")
    if plan.drafts:
        lines.append(f"  - le nom dans la recherche de {plan.drafts} brouillon(s) de facture")
    if plan.conflicts:
        lines.append(f"  - les valeurs de {plan.conflicts} conflit(s) conservé(s) au siège")
    lines += [
        "  - sur les portables : documents générés, modifications en attente, conflits, "
        "sauvegardes",
        "restent : dates, étapes, décisions et codes (statistiques).",
    ]
    if plan.refusals:
        lines.append("blocages légaux :")
        lines += [f"  - {refusal_text(r)}" for r in plan.refusals]
    else:
        lines.append("blocages légaux : aucun")
    return lines


def _confirmed() -> bool:
    print(
        f"Anonymisation irréversible. Tapez « {CONFIRM_WORD} » pour confirmer : ",
        end="",
        flush=True,
    )
    try:
        answer = sys.stdin.readline()
    except (OSError, ValueError):
        return False
    return answer.strip().lower() == CONFIRM_WORD

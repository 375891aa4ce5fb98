"""Written definition of every indicator: the one text shown as a tooltip on the
dashboard, printed in the annual report's appendix and rendered into
``docs/indicators.md``.

These are document contents read by users and funders (like the text of a
PDF), hence French; the code that computes each figure cites its key.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Definition:
    key: str
    label: str
    text: str
    computed_by: str  # dotted path of the function, for the docs


_DEFS = [
    Definition(
        "accompanied",
        "Personnes accompagnées",
        "Personnes ayant au moins une étape de parcours CAPE, entrepreneur salarié ou "
        "associé en cours pendant la période (une étape dure de sa date de début jusqu'à "
        "sa date de fin ou jusqu'au début de l'étape suivante). Réparties selon leur "
        "statut en fin de période, leur antenne, la permanence de leur dernier entretien "
        "d'accueil et leur accompagnateur référent. Le filtre antenne porte sur l'antenne "
        "de la personne.",
        "app.indicators.persons.accompanied",
    ),
    Definition(
        "intakes",
        "Entretiens d'accueil",
        "Entretiens d'accueil tenus pendant la période (date de l'entretien), répartis "
        "selon la décision : admis, orienté vers un partenaire, en réflexion, non retenu, "
        "ou décision en attente.",
        "app.indicators.flows.entries",
    ),
    Definition(
        "admissions",
        "Admissions",
        "Entretiens d'accueil de la période dont la décision est « admis ».",
        "app.indicators.flows.entries",
    ),
    Definition(
        "capes_started",
        "CAPE signés",
        "Étapes de parcours CAPE commençant pendant la période (hors renouvellements).",
        "app.indicators.flows.entries",
    ),
    Definition(
        "exits",
        "Sorties",
        "Étapes « sortie » dont la date est dans la période, par issue : création de sa "
        "propre entreprise, retour à la situation initiale, reste comme associé (les trois "
        "issues des textes fondateurs) ou autre motif de sortie de la liste « motifs de "
        "sortie ».",
        "app.indicators.flows.exits",
    ),
    Definition(
        "followups",
        "Entretiens de suivi",
        "Entretiens individuels de suivi tenus pendant la période, par entrepreneur "
        "salarié ou associé accompagné pendant la période.",
        "app.indicators.persons.followups",
    ),
    Definition(
        "followups_below_minimum",
        "Moins de deux suivis par an",
        "Entrepreneurs salariés ou associés en cours en fin de période ayant eu moins de "
        "deux entretiens de suivi dans les douze mois qui se terminent à la fin de la "
        "période (minimum attendu : deux par an).",
        "app.indicators.persons.followups",
    ),
    Definition(
        "workshops_held",
        "Actions collectives tenues",
        "Ateliers, réunions coopératives et manifestations dont la date est dans la "
        "période, hors actions supprimées. Le filtre antenne porte sur l'antenne de la "
        "permanence où l'action a lieu.",
        "app.indicators.workshops.workshops",
    ),
    Definition(
        "workshop_participants",
        "Participants aux actions",
        "Personnes distinctes marquées présentes à au moins un créneau d'une action de la période.",
        "app.indicators.workshops.workshops",
    ),
    Definition(
        "attendance_hours",
        "Heures de présence",
        "Somme, sur toutes les présences de la période, de la durée du créneau "
        "(heure de fin moins heure de début). Les absences et absences excusées ne "
        "comptent pas.",
        "app.indicators.workshops.workshops",
    ),
    Definition(
        "turnover_invoiced",
        "Chiffre d'affaires facturé (HT)",
        "Total hors taxes des factures émises (validées) dont la date d'émission est dans "
        "la période, moins les avoirs émis dans la période ; les brouillons ne comptent "
        "pas. Par entrepreneur, par antenne de l'entrepreneur et par mois.",
        "app.indicators.turnover.turnover",
    ),
    Definition(
        "turnover_cashed",
        "Encaissements (TTC)",
        "Somme des paiements reçus pendant la période (date du paiement) sur les factures "
        "émises, remboursements d'avoirs déduits.",
        "app.indicators.turnover.turnover",
    ),
    Definition(
        "salaries",
        "Entrepreneurs salariés",
        "Personnes dont le statut en fin de période est « entrepreneur salarié » "
        "(dernière étape de parcours commencée au plus tard ce jour-là).",
        "app.indicators.persons.headcount",
    ),
    Definition(
        "associes",
        "Entrepreneurs associés",
        "Personnes dont le statut en fin de période est « associé ».",
        "app.indicators.persons.headcount",
    ),
    Definition(
        "deadline_cape",
        "Fins de CAPE à venir",
        "Personnes en CAPE dont la fin (date de fin saisie, sinon début + 12 mois par "
        "période renouvelée) tombe dans l'horizon choisi, ou est déjà passée sans nouvelle "
        "étape.",
        "app.indicators.deadlines.deadlines",
    ),
    Definition(
        "deadline_associe",
        "Échéances d'association (CESA)",
        "Entrepreneurs salariés en CESA, pas encore associés : échéance = début du CESA "
        "+ 3 ans − durée du ou des CAPE qui l'ont précédé. Listées si elle tombe dans "
        "l'horizon choisi ou est dépassée.",
        "app.indicators.deadlines.deadlines",
    ),
]

DEFINITIONS: dict[str, Definition] = {d.key: d for d in _DEFS}

STATUS_LABELS: dict[str, str] = {
    "accueil": "Accueil",
    "diagnostic": "Diagnostic",
    "cape": "En CAPE",
    "salarie": "Entrepreneur salarié",
    "associe": "Associé",
    "sortie": "Sorti pendant la période",
    "": "Étape terminée, sans suite saisie",
}

DECISION_LABELS: dict[str, str] = {
    "admis": "Admis",
    "oriente": "Orienté vers un partenaire",
    "reflexion": "En réflexion",
    "non_retenu": "Non retenu",
    "": "Décision en attente",
}

# The three outcomes of the seed documents, always shown even at zero.
MAIN_OUTCOMES: dict[str, str] = {
    "creation_entreprise": "Création de sa propre entreprise",
    "retour_situation": "Retour à la situation initiale",
    "associe": "Reste comme associé",
}

ACTIVITY_KIND_LABELS: dict[str, str] = {
    "atelier": "Ateliers",
    "reunion": "Réunions coopératives",
    "reunion_cooperative": "Réunions coopératives",
    "manifestation": "Manifestations",
}

NONE_LABEL = "Non renseigné"


def definition(key: str) -> Definition:
    return DEFINITIONS[key]


def markdown() -> str:
    """``docs/indicators.md``, generated from the definitions above."""
    lines = [
        "# Indicators (tableau de bord)",
        "",
        "Generated by `python -m app.indicators.definitions` from",
        "`app/indicators/definitions.py`: the same text is the dashboard tooltip and",
        "the annual report's appendix (in French, as users and funders read it).",
        "Every figure is computed in the database (SQL aggregates), never by loading",
        "all rows into Python.",
        "",
        "Common rules: deleted rows (tombstones) and persons merged into another are",
        "never counted; a period is inclusive of both dates; an end before the start is",
        "refused (`end_before_start`). On a laptop the figures cover the data the",
        'laptop holds ("laptop copy"); on the siège\'s copy, holding everything synced,',
        'they are consolidated ("consolidated (siège)"); reports and exports say which.',
        "",
        "Exports (`app/exports`): XLSX through openpyxl (numbers, amounts and dates kept",
        'typed, an "À propos" sheet with the period, antenne and scope) and CSV that',
        "French Excel opens as is: UTF-8 with a BOM, `;` separator, decimal comma, dates",
        "dd/mm/yyyy, amounts without thousands separator. The dashboard CSV is one figure",
        "per line (table; line; column; value). The funder export has one row per",
        "participant: persons accompanied during the period, received in an intake",
        "interview during it, or present at a collective action during it.",
        "",
    ]
    for d in _DEFS:
        lines += [
            f"## {d.label} (`{d.key}`)",
            "",
            d.text,
            "",
            f"Computed by `{d.computed_by}`.",
            "",
        ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown(), end="")

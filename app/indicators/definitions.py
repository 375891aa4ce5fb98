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


# Shared wording (one place, quoted by several definitions).
_STAGE_SPAN = (
    "Une étape de parcours dure de sa date de début jusqu'à sa date de fin incluse, ou "
    "jusqu'à la veille du début de l'étape suivante de la personne si celle-ci commence "
    "avant ; le jour où une nouvelle étape commence n'appartient qu'à elle (deux étapes "
    "le même jour : seule la plus avancée du parcours compte ce jour-là)."
)
_STATUS_AT_END = (
    "Statut en fin de période : l'étape en cours le dernier jour de la période (la "
    "dernière commencée au plus tard ce jour-là, si sa date de fin n'est pas dépassée ; "
    "sinon « étape terminée, sans suite saisie »)."
)
_ATTACHMENT = (
    "(historique des rattachements : déménager ou confier la personne à une autre antenne "
    "ne modifie pas une période passée ; avant son premier rattachement enregistré, le "
    "premier compte)"
)
# Stock figures (who is there at the end of the period).
_PERSON_ANTENNE = (
    "Le filtre antenne porte sur l'antenne à laquelle la personne était rattachée le "
    "dernier jour de la période " + _ATTACHMENT + "."
)
# Flows: each fact by the attachment on its own date.
_STAGE_START_ANTENNE = (
    "Le filtre antenne porte sur l'antenne à laquelle la personne était rattachée le jour "
    "où l'étape commence " + _ATTACHMENT + "."
)
_EXIT_ANTENNE = (
    "Le filtre antenne porte sur l'antenne à laquelle la personne était rattachée le jour "
    "de la sortie " + _ATTACHMENT + "."
)
_FIRST_START_ANTENNE = (
    "Le filtre antenne porte sur l'antenne à laquelle la personne était rattachée le jour "
    "de la première de ces étapes commencée dans la période " + _ATTACHMENT + " : une "
    "personne compte pour une seule antenne."
)
_PLACE_ANTENNE = (
    "Le filtre antenne porte sur l'antenne de la permanence où l'action a lieu (« sans "
    "antenne » : action sans permanence)."
)

_DEFS = [
    Definition(
        "accompanied",
        "Personnes accompagnées",
        "Personnes ayant au moins une étape CAPE, entrepreneur salarié ou associé en cours "
        "au moins un jour de la période (bornes incluses). "
        + _STAGE_SPAN
        + " Réparties selon leur statut en fin de période, leur antenne et leur "
        "accompagnateur référent de rattachement le dernier jour de la période, et la "
        "permanence de leur dernier entretien d'accueil tenu au plus tard en fin de période. "
        + _STATUS_AT_END
        + " "
        + _PERSON_ANTENNE,
        "app.indicators.persons.accompanied",
    ),
    Definition(
        "intakes",
        "Entretiens d'accueil",
        "Entretiens d'accueil dont la date est dans la période (bornes incluses), compte "
        "rendu terminé ou non, répartis selon la décision : admis, orienté vers un "
        "partenaire, en réflexion, non retenu, ou décision en attente. Un entretien compte "
        "pour l'antenne de la permanence où il a eu lieu (« sans antenne » : permanence non "
        "saisie), quelle que soit l'antenne actuelle de la personne.",
        "app.indicators.flows.entries",
    ),
    Definition(
        "admissions",
        "Admissions",
        "Entretiens d'accueil de la période dont la décision est « admis » (même règle "
        "d'antenne que les entretiens d'accueil).",
        "app.indicators.flows.entries",
    ),
    Definition(
        "capes_started",
        "CAPE signés",
        "Étapes CAPE dont la date de début est dans la période (un renouvellement prolonge "
        "l'étape et ne compte pas). " + _STAGE_START_ANTENNE,
        "app.indicators.flows.entries",
    ),
    Definition(
        "exits",
        "Sorties",
        "Étapes « sortie » dont la date est dans la période, par issue : création de sa "
        "propre entreprise, retour à la situation initiale, reste comme associé (les trois "
        "issues des textes fondateurs) ; à défaut, le motif de la liste « motifs de "
        "sortie » ; à défaut « autre ». " + _EXIT_ANTENNE,
        "app.indicators.flows.exits",
    ),
    Definition(
        "followups",
        "Entretiens de suivi",
        "Entretiens individuels de suivi dont la date est dans la période, des personnes "
        "ayant une étape entrepreneur salarié ou associé en cours au moins un jour de la "
        "période (ces personnes sont comptées même sans entretien). " + _PERSON_ANTENNE,
        "app.indicators.persons.followups",
    ),
    Definition(
        "followups_below_minimum",
        "Moins de deux suivis par an",
        "Parmi ces personnes, celles dont le statut en fin de période est entrepreneur "
        "salarié ou associé et qui ont eu moins de deux entretiens de suivi dans les douze "
        "mois qui finissent le dernier jour de la période (du lendemain de la même date un "
        "an plus tôt jusqu'à ce jour inclus ; minimum attendu : deux par an).",
        "app.indicators.persons.followups",
    ),
    Definition(
        "workshops_held",
        "Actions collectives tenues",
        "Ateliers, réunions coopératives et manifestations dont la date (premier jour) est "
        "dans la période, hors actions supprimées. " + _PLACE_ANTENNE,
        "app.indicators.workshops.workshops",
    ),
    Definition(
        "workshop_participants",
        "Participants aux actions",
        "Personnes distinctes marquées présentes à au moins un créneau (demi-journée) dont "
        "le jour est dans la période. " + _PLACE_ANTENNE,
        "app.indicators.workshops.workshops",
    ),
    Definition(
        "attendance_hours",
        "Heures de présence",
        "Somme, sur les présences marquées à des créneaux dont le jour est dans la période, "
        "de la durée du créneau (heure de fin moins heure de début, à la minute). Chaque "
        "demi-journée compte pour son propre jour : une action du 30/12 au 02/01 répartit "
        "ses heures entre les deux années. Les absences et absences excusées ne comptent "
        "pas. " + _PLACE_ANTENNE,
        "app.indicators.workshops.workshops",
    ),
    Definition(
        "attendance_rate",
        "Taux de présence",
        "Pour une action : présences marquées des inscrits sur les créneaux déjà commencés, "
        "divisées par le nombre de présences attendues (inscrits × créneaux commencés), "
        "arrondi au centième de pour cent le plus proche ; non calculé avant le premier "
        "créneau ou sans inscrit. C'est la seule formule de taux de présence de Permanence.",
        "app.workshops.workshop_list.attendance_rate",
    ),
    Definition(
        "turnover_invoiced",
        "Chiffre d'affaires facturé (HT)",
        "Total hors taxes des factures émises (validées) dont la date d'émission est dans la "
        "période, moins les avoirs émis dans la période : un avoir compte à sa propre date "
        "d'émission, même s'il annule une facture d'une autre période. Les brouillons ne "
        "comptent pas ; une facture émise compte toujours, même si la fiche de "
        "l'entrepreneur a été fusionnée ou supprimée. Par entrepreneur, par mois et par "
        "antenne de l'entrepreneur le jour de l'émission, enregistrée avec la facture à sa "
        "validation (déménager ensuite la personne ne change pas les périodes passées ; "
        "facture émise sans antenne enregistrée : « sans antenne », l'entrepreneur n'en "
        "avait pas ce jour-là).",
        "app.indicators.turnover.turnover",
    ),
    Definition(
        "invoicing_entrepreneurs",
        "Entrepreneurs facturant",
        "Entrepreneurs distincts ayant au moins une facture (pas seulement un avoir) émise "
        "dans la période ; ni un paiement reçu ni un avoir seul ne suffisent. Même règle "
        "d'antenne que le chiffre d'affaires facturé.",
        "app.indicators.turnover.turnover",
    ),
    Definition(
        "turnover_by_invoice_period",
        "Option « avoirs imputés à la période de leur facture »",
        "Option du chiffre d'affaires facturé : un avoir compte à la date d'émission de la "
        "facture qu'il annule (si cette facture est émise et non supprimée ; sinon à sa "
        "propre date), et non à sa propre date d'émission. Un avoir émis en 2026 sur une "
        "facture de 2025 diminue alors le chiffre d'affaires de 2025 : le chiffre d'une "
        "période close peut donc baisser quand un avoir est émis plus tard. L'antenne reste "
        "celle enregistrée sur l'avoir. Sans l'option (par défaut), chaque avoir compte à sa "
        "propre date.",
        "app.indicators.turnover.turnover",
    ),
    Definition(
        "unpaid",
        "Impayés en fin de période (TTC)",
        "Pour chaque facture émise (pas un avoir) dont la date d'émission est au plus tard le "
        "dernier jour de la période : montant TTC, moins les avoirs émis sur elle au plus "
        "tard ce jour-là, moins les paiements datés au plus tard ce jour-là ; somme des "
        "soldes positifs (un trop-perçu ne réduit pas les impayés d'une autre facture). "
        "Même règle d'antenne que le chiffre d'affaires facturé.",
        "app.indicators.receivables.receivables",
    ),
    Definition(
        "turnover_cashed",
        "Encaissements (TTC)",
        "Somme des paiements dont la date est dans la période, sur les factures émises "
        "(quelle que soit leur date d'émission) ; un remboursement enregistré sur un avoir "
        "est déduit. Antenne : celle enregistrée sur la facture payée (même règle que le "
        "chiffre d'affaires facturé).",
        "app.indicators.turnover.turnover",
    ),
    Definition(
        "salaries",
        "Entrepreneurs salariés",
        "Personnes dont le statut en fin de période est « entrepreneur salarié ». "
        + _STATUS_AT_END
        + " "
        + _PERSON_ANTENNE,
        "app.indicators.persons.headcount",
    ),
    Definition(
        "associes",
        "Entrepreneurs associés",
        "Personnes dont le statut en fin de période est « associé » (même règle que les "
        "entrepreneurs salariés).",
        "app.indicators.persons.headcount",
    ),
    Definition(
        "persons_received",
        "Personnes reçues",
        "Personnes distinctes ayant eu au moins un entretien d'accueil dans la période (une "
        "personne reçue deux fois compte une fois ; même règle d'antenne que les entretiens "
        "d'accueil).",
        "app.indicators.network.network",
    ),
    Definition(
        "cape_entrants",
        "Personnes entrées en CAPE",
        "Personnes distinctes ayant une étape CAPE dont la date de début est dans la "
        "période. " + _FIRST_START_ANTENNE,
        "app.indicators.network.network",
    ),
    Definition(
        "salaries_started",
        "Personnes devenues entrepreneurs salariés",
        "Personnes distinctes ayant une étape entrepreneur salarié dont la date de début "
        "est dans la période ; « dont en CESA » : celles dont cette étape est un contrat "
        "CESA. " + _FIRST_START_ANTENNE,
        "app.indicators.network.network",
    ),
    Definition(
        "cesa_started",
        "Nouveaux contrats CESA",
        "Personnes distinctes ayant une étape entrepreneur salarié sous contrat CESA dont la "
        "date de début est dans la période (le même nombre que « dont en CESA » des "
        "personnes devenues entrepreneurs salariés). " + _FIRST_START_ANTENNE,
        "app.indicators.network.network",
    ),
    Definition(
        "hours_by_theme",
        "Heures de présence par thème",
        "Les heures de présence (même définition, même règle d'antenne) réparties selon le "
        "thème d'atelier de l'action ; « Sans thème » : actions sans thème saisi. La somme "
        "des thèmes est égale aux heures de présence.",
        "app.indicators.workshops.workshops",
    ),
    Definition(
        "followed_entrepreneurs",
        "Entrepreneurs suivis",
        "Personnes ayant une étape entrepreneur salarié ou associé en cours au moins un jour "
        "de la période et au moins un entretien de suivi daté dans la période (celles sans "
        "entretien ne sont pas comptées ici). " + _PERSON_ANTENNE,
        "app.indicators.persons.followups",
    ),
    Definition(
        "deadline_cape",
        "Fins de CAPE à venir",
        "Personnes en CAPE aujourd'hui dont la fin (date de fin saisie, sinon début + 12 "
        "mois par période renouvelée) tombe dans l'horizon choisi, ou est déjà passée sans "
        "nouvelle étape. Ne dépend pas de la période choisie.",
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
NO_THEME_LABEL = "Sans thème"


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
        "Common rules (every function below follows them; the property tests",
        "`tests/unit/test_indicators_properties.py`, `..._properties_more.py` and",
        "`..._attachment_properties.py` (the antenne of each fact) check them against a",
        "plain-Python reading of this page on random histories):",
        "",
        "- A period is inclusive of both dates; an end before the start is refused",
        "  (`end_before_start`). A fact counts in a period when *its own date* is in it:",
        "  an intake, a follow-up, an exit or a stage start by its date, an invoice or a",
        "  credit note by its issue date, a payment by its payment date, an attendance by",
        "  the day of its slot (half-day), an action held by its first day. One option",
        "  departs from it: `turnover_by_invoice_period` counts a credit note on its",
        "  invoice's issue date (`Filters.credit_notes_by_invoice`, off by default).",
        "  Unpaid amounts are a balance on the period's last day, not a flow.",
        "- Stages: a stage runs from its start date to its end date *inclusive*, or to the",
        "  day before the person's next stage starts if that comes first. On the day a new",
        "  stage starts only the new stage runs; two stages starting the same day are",
        "  ordered by the parcours (accueil, diagnostic, CAPE, salarié, associé, sortie) and",
        "  only the furthest runs that day. The status at the end of a period is the stage",
        "  running on its last day; a stage whose end date has passed with nothing after it",
        '  gives "étape terminée, sans suite saisie".',
        "- Deleted rows (tombstones) and persons deleted or merged into another are never",
        "  counted, *except invoices and payments*: an issued invoice counts whatever",
        "  happens to its entrepreneur, and a person with issued invoices cannot be deleted",
        "  (`person_has_invoices`; anonymisation keeps the figures).",
        "- Antenne filter: persons, stages, follow-ups and exits by the person's",
        "  *attachment* (`person_attachment`, app/people/attachment.py): the antenne and",
        "  referent the person belonged to, recorded in the same transaction each time the",
        "  people service changes them, valid from that day (today) until the next change.",
        "  A fact counts for the attachment valid *on its own date* (a CAPE signed, an exit",
        "  by the stage's start; persons entered CAPE, became salariés, new CESA by the",
        "  first such start of the period, so a person counts for one antenne); a stock",
        "  figure (accompanied and its antenne/referent breakdowns, salariés, associés,",
        "  follow-ups, the funder export's persons and antenne column, the turnover table's",
        "  antenne of each entrepreneur) for the attachment valid on the period's *last",
        "  day*. The attachment valid on a day is the person's latest one valid from that",
        "  day or earlier (same day: the one written last); before their first one, the",
        "  first (migration 0005 gave every person one, from their record of that day, valid",
        "  from their creation day or earlier first intake or stage); a person with none",
        "  (rows written around the service), their record as it is. Moving a person",
        "  therefore never changes a past period. Intakes by the antenne of the permanence",
        "  where they were held;",
        "  actions, participants and hours by the antenne of the action's permanence;",
        "  invoices, credit notes and their payments by `invoice.antenne_id`, the",
        "  entrepreneur's antenne frozen at validation (migration 0002 filled issued",
        "  invoices with their entrepreneur's antenne of that day). An issued invoice",
        '  without one is "sans antenne": its entrepreneur had none that day (it is not',
        "  looked up again: the entrepreneur's record today is not a fact of that day).",
        '  `NO_ANTENNE` ("sans antenne") selects what has none: the antennes plus "sans',
        '  antenne" add up exactly to the all-antennes figure, for every figure.',
        "- Attendance rate: one formula (`attendance_rate` below, `app/indicators/rates.py`),",
        "  rounded half up to the basis point, never truncated.",
        '- On a laptop the figures cover the data the laptop holds ("laptop copy"); on',
        "  the siège's copy, holding everything synced, they are consolidated",
        '  ("consolidated (siège)"); reports and exports say which.',
        "",
        "Exports (`app/exports`): XLSX through openpyxl (numbers, amounts and dates kept",
        'typed, an "À propos" sheet with the period, antenne, scope, antenne rule and',
        "reproducibility) and CSV that French Excel opens as is: UTF-8 with a BOM, `;`",
        "separator, decimal comma, dates dd/mm/yyyy, amounts without thousands separator.",
        "The dashboard CSV is one figure per line (table; line; column; value).",
        "",
        "The funder export has one row per participant: persons accompanied during the",
        "period, received in an intake interview during it, or present at a slot during",
        "it. Per antenne it holds the persons attached to that antenne on the period's",
        "last day, with *all*",
        "their presences and interviews of the period wherever they took place; the",
        'per-antenne files plus the "sans antenne" file add up exactly to the',
        "all-antennes file (same rows, same hours).",
        "",
        "Reproducibility: every dated column of the funder export and every dashboard",
        "figure reads only facts dated on or before the period's end (first intake and",
        "latest decision by then, stages started by then, a CAPE end date only once",
        "reached, the last exit by then). Regenerating the export of a closed period",
        "gives the same figures unless a fact dated within the period is entered or",
        "corrected, or a record is deleted (right to erasure). Not dated, hence read as",
        "they are on the day of the export: name, birth date, town, situation,",
        "prescriber, and the CAPE renewal counter (the antenne is the attachment on the",
        "period's last day, so moving a person later changes nothing). The dashboard",
        "export's deadlines",
        "sheet is as of the day of the export (it does not depend on the period).",
        "",
        "Network export (`app/exports/network.py`): one file per calendar year, one figure",
        "per line (SIREN, CAE, year, stable code, wording, count or amount), so a",
        "federation can stack every CAE's file and sum by code: persons received,",
        "accompanied, entered CAPE, became entrepreneurs salariés (new CESA among them),",
        "exits by the three outcomes and other reasons, turnover invoiced excl. VAT,",
        "salariés and associés on 31 December. It follows the definitions below.",
        "Produced from the dashboard (« Export réseau (année) ») or by",
        "`python -m app export-network --year 2025 FILE` (.xlsx or .csv).",
        "",
        "The funder export's XLSX also has a « Chiffres de la période » sheet: persons",
        "received, new CESA contracts, entrepreneurs invoicing, turnover (with the",
        "credit-note option chosen on the dashboard), unpaid amounts at the period's end",
        "and hours of attendance per theme, under the dashboard's antenne rules.",
        "",
        "Derived tables (migration 0008, `app/indicators/derived.py`), on SQLite only:",
        "`stage_span` (each live stage with the start of the person's next stage: the",
        "spans above), `invoice_open` (each issued invoice with `settled_on`, the first",
        "day from which its balance stays at zero or below, its last dated change and its",
        "balance since: the unpaid amounts sum payments and credit notes only for the",
        "invoices not settled by the period's end and changed after it) and",
        "`payment_fact` (each payment of an issued invoice or credit note with the",
        "invoice's entrepreneur, antenne and signed amount: the cashed turnover). SQLite",
        "triggers on `parcours_stage`, `invoice` and `payment` rewrite a person's spans,",
        "an invoice's row or a payment's row at each write, whoever writes (services,",
        "sync, snapshot copy, anonymisation); each table equals its view `<name>_calc`,",
        "the recomputation from the synced rows (`tests/unit/test_indicators_derived.py`",
        "checks it after random writes, and the figures with and without the tables).",
        "They are never synced nor copied: each copy rebuilds them from its own rows",
        "(`derived.rebuild`, after a snapshot copy: `stage_span` its view copied whole;",
        "`payment_fact` its view's query reading each payment's invoice from the covering",
        "index `ix_invoice_id_figures`; `invoice_open` computed in one pass over the",
        "invoices and their dated changes, its credit notes read from `ix_invoice_credits`;",
        "the same rows as their views — the same test checks it — or the views copied when",
        "an index is missing or a value is not of the type that pass expects).",
        "Without them (PostgreSQL at the siège, a schema made by `create_all`, or their",
        "triggers missing) the same figures are computed from the synced tables. A later",
        "migration that rebuilds `parcours_stage`, `invoice` or `payment` (Alembic's batch",
        "mode copies the table; with the `_calc` views reading it, SQLite's rename then",
        "needs `PRAGMA legacy_alter_table = ON` or the views made again) drops their",
        "triggers: at the next opening of the profile they are made again from migration",
        "0008's definitions and the tables rebuilt, in one transaction, with a warning in",
        "the log (`app/indicators/derived_repair.py`,",
        "`tests/integration/test_indicator_derived_repair.py`).",
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

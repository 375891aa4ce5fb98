"""What a right-of-access export must tell the person besides their data (RGPD art. 15):
who the controller is, why the data is held, who receives it, how long it is kept and
where to complain. The wording is written once here; the PDF lays it out and the JSON
copy carries it too (docs/personal-data.md).

The controller is the CAE itself, read from its identity (app/invoicing/cae_identity.py);
retention periods follow DESIGN §6 and §7 and the law cited beside each of them.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.invoicing.cae_identity import CaeIdentityData
from app.validation import display_phone

RETENTION_MONTHS_NOT_ADMITTED = 24
INVOICE_RETENTION_YEARS = 10
EU_COFINANCED_RETENTION_YEARS = 10

PURPOSES = (
    "Accueillir la personne et étudier son projet d'activité (entretiens d'accueil et "
    "de diagnostic).",
    "Accompagner l'entrepreneur dans son parcours au sein de la coopérative (convention "
    "d'accompagnement, contrat d'entrepreneur salarié, sociétariat) : entretiens de suivi, "
    "rendez-vous, ateliers collectifs.",
    "Établir et conserver les factures de l'activité de l'entrepreneur, émises au nom de "
    "la coopérative, et les transmettre par la plateforme de facturation électronique.",
    "Justifier auprès des financeurs de l'accompagnement (Fonds social européen plus, "
    "Région, France Travail) les actions menées : feuilles d'émargement, attestations, "
    "données des participants.",
    "Produire des statistiques anonymes pour la coopérative et son réseau.",
)
LEGAL_BASES = (
    "Exécution de la convention ou du contrat qui lie la personne à la coopérative ; "
    "obligations légales (comptabilité et facturation, code de commerce et code général "
    "des impôts) ; obligations envers les financeurs des actions cofinancées."
)
RECIPIENTS = (
    "Les accompagnateurs et le personnel de la coopérative qui suivent la personne (antenne "
    "qui la suit, siège de la coopérative).",
    "Pour un entrepreneur : ses clients (la facture porte ce que la loi exige), l'expert-"
    "comptable et le commissaire aux comptes de la coopérative, la plateforme de "
    "facturation électronique agréée et l'administration fiscale.",
    "Pour une action cofinancée : le financeur et ses contrôleurs (pour le Fonds social "
    "européen plus, la plateforme « Ma démarche FSE+ »).",
    "Le réseau des coopératives ne reçoit que des chiffres agrégés, sans nom.",
)
RETENTION = (
    (
        "Candidats non admis",
        f"{RETENTION_MONTHS_NOT_ADMITTED // 12} ans après le dernier contact, puis anonymisation.",
    ),
    (
        "Dossier d'accompagnement",
        "La durée de l'accompagnement, puis la durée de contrôle exigée par le financeur de "
        f"l'action ; {EU_COFINANCED_RETENTION_YEARS} ans pour les actions cofinancées par "
        "l'Union européenne (feuilles d'émargement, attestations, données des participants).",
    ),
    (
        "Factures",
        f"{INVOICE_RETENTION_YEARS} ans à compter de la clôture de l'exercice (code de "
        "commerce, art. L123-22) ; une facture émise ne peut être ni modifiée ni anonymisée "
        "pendant cette durée.",
    ),
)
RIGHTS = (
    "Vous pouvez demander l'accès à vos données, leur rectification, leur effacement "
    "(anonymisation) quand la loi le permet, la limitation de leur traitement, vous "
    "opposer à leur traitement et recevoir vos données dans un format lisible par "
    "machine (le fichier JSON joint). Adressez-vous à la coopérative (coordonnées "
    "ci-dessus)."
)
CNIL = (
    "Si vous estimez que vos droits ne sont pas respectés, vous pouvez adresser une "
    "réclamation à la Commission nationale de l'informatique et des libertés (CNIL) : "
    "en ligne sur www.cnil.fr/plaintes, ou par courrier à CNIL, 3 place de Fontenoy, "
    "TSA 80715, 75334 Paris Cedex 07."
)
UNKNOWN_CONTROLLER = "Coopérative d'activités et d'emploi (identité non renseignée)"


@dataclass(frozen=True)
class Notice:
    """Everything the person is told besides their data, in French."""

    controller: tuple[tuple[str, str], ...]
    purposes: tuple[str, ...]
    legal_bases: str
    recipients: tuple[str, ...]
    retention: tuple[tuple[str, str], ...]
    rights: str
    complaint: str

    def as_json(self) -> dict[str, object]:
        return {
            "responsable_du_traitement": dict(self.controller),
            "finalites": list(self.purposes),
            "bases_legales": self.legal_bases,
            "destinataires": list(self.recipients),
            "durees_de_conservation": dict(self.retention),
            "vos_droits": self.rights,
            "reclamation_cnil": self.complaint,
        }


def controller_facts(cae: CaeIdentityData) -> tuple[tuple[str, str], ...]:
    """The CAE's identity as the export states it; only the fields that are filled in."""
    name = " ".join(p for p in (cae.name, cae.legal_form) if p.strip()) or UNKNOWN_CONTROLLER
    town = " ".join(p for p in (cae.postcode, cae.city) if p.strip())
    address = ", ".join(p for p in (cae.address, town) if p.strip())
    facts = [
        ("Responsable du traitement", name),
        ("Adresse", address),
        ("SIREN", cae.siren),
        ("E-mail", cae.email),
        ("Téléphone", display_phone(cae.phone) if cae.phone else ""),
    ]
    return tuple((k, v) for k, v in facts if v.strip())


def notice(cae: CaeIdentityData) -> Notice:
    return Notice(
        controller=controller_facts(cae),
        purposes=PURPOSES,
        legal_bases=LEGAL_BASES,
        recipients=RECIPIENTS,
        retention=RETENTION,
        rights=RIGHTS,
        complaint=CNIL,
    )

"""Reference data every new profile starts with: the CAE's antennes and permanences,
default option lists (editable later), funders and workshop themes."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.ids import deterministic_id
from app.models import (
    Antenne,
    CaeIdentity,
    Funder,
    OptionItem,
    Permanence,
    WorkshopTheme,
)

# (antenne, département, head office?, [permanence towns]) — docs/architecture.md §1.
ANTENNES: list[tuple[str, str, bool, list[str]]] = [
    (
        "Reims",
        "Marne",
        True,
        ["Reims", "Épernay", "Châlons-en-Champagne", "Vitry-le-François", "Sainte-Menehould"],
    ),
    (
        "Charleville-Mézières",
        "Ardennes",
        False,
        ["Charleville-Mézières", "Sedan", "Vouziers", "Rethel"],
    ),
    ("Troyes", "Aube", False, ["Troyes", "Romilly-sur-Seine"]),
    ("Saint-Dizier", "Haute-Marne", False, ["Saint-Dizier", "Chaumont", "Langres"]),
]

OPTION_LISTS: dict[str, list[tuple[str, str]]] = {
    "situation": [
        ("demandeur_emploi", "Demandeur d'emploi"),
        ("rsa", "Bénéficiaire du RSA"),
        ("salarie", "Salarié"),
        ("fonctionnaire", "Fonctionnaire"),
        ("etudiant", "Étudiant"),
        ("autre", "Autre"),
    ],
    "prescriber": [
        ("france_travail", "France Travail"),
        ("mission_locale", "Mission locale"),
        ("cap_emploi", "Cap emploi"),
        ("chambre_consulaire", "Chambre consulaire"),
        ("bouche_a_oreille", "Bouche-à-oreille"),
        ("reseaux_sociaux", "Internet / réseaux sociaux"),
        ("autre", "Autre"),
    ],
    "sector": [
        ("artisanat", "Artisanat"),
        ("commerce", "Commerce"),
        ("services_entreprises", "Services aux entreprises"),
        ("services_personnes", "Services aux personnes"),
        ("formation", "Formation, conseil"),
        ("culture", "Culture, arts, communication"),
        ("batiment", "Bâtiment"),
        ("numerique", "Numérique"),
        ("bien_etre", "Bien-être"),
        ("agriculture", "Agriculture, alimentation"),
    ],
    "exit_reason": [
        ("creation_entreprise", "Création de sa propre entreprise"),
        ("retour_situation", "Retour à la situation initiale (emploi, recherche d'emploi...)"),
        ("associe", "Reste dans la CAE comme associé"),
        ("abandon", "Abandon du projet"),
        ("demenagement", "Déménagement"),
        ("autre", "Autre motif"),
    ],
}

FUNDERS: list[tuple[str, str, str]] = [
    (
        "FSE+",
        "Fonds social européen plus",
        "Cette action est cofinancée par l'Union européenne dans le cadre du programme FSE+.",
    ),
    ("REGION", "Région Grand Est", "Action financée avec le soutien de la Région Grand Est."),
    ("FRANCE_TRAVAIL", "France Travail", "Action financée par France Travail."),
]

THEMES: list[tuple[str, int, str]] = [
    ("Gestion", 210, "Tenir ses comptes, fixer ses prix, lire son compte de résultat."),
    ("Commercialisation", 210, "Trouver ses clients, prospecter, négocier."),
    ("Méthodologie de projet", 210, "Structurer son projet et son plan d'action."),
    ("Informatique", 210, "Outils numériques pour l'activité."),
    ("Juridique", 210, "Statut d'entrepreneur salarié, contrats, obligations."),
    ("Assurance", 210, "Responsabilité civile professionnelle et assurances."),
]


def seed_reference_data(session: Session) -> None:
    """Insert what is missing; ids are deterministic so two laptops seed the same rows."""
    if session.scalar(select(Antenne.id).limit(1)) is not None:
        return
    for antenne_name, departement, head_office, towns in ANTENNES:
        antenne = Antenne(
            id=deterministic_id("antenne", antenne_name),
            name=antenne_name,
            departement=departement,
            is_head_office=head_office,
        )
        session.add(antenne)
        for town in towns:
            session.add(
                Permanence(
                    id=deterministic_id("permanence", town),
                    antenne_id=antenne.id,
                    town=town,
                    place="Antenne" if town == antenne_name else "Mairie",
                )
            )
    for kind, items in OPTION_LISTS.items():
        for position, (code, label) in enumerate(items):
            session.add(
                OptionItem(
                    id=deterministic_id("option", kind, code),
                    kind=kind,
                    code=code,
                    label=label,
                    position=position,
                )
            )
    for code, name, statement in FUNDERS:
        session.add(
            Funder(id=deterministic_id("funder", code), code=code, name=name, statement=statement)
        )
    for name, minutes, description in THEMES:
        session.add(
            WorkshopTheme(
                id=deterministic_id("theme", name),
                name=name,
                default_duration_minutes=minutes,
                description=description,
            )
        )
    session.add(
        CaeIdentity(
            id=deterministic_id("cae_identity", "main"),
            late_penalty_text=(
                "En cas de retard de paiement, pénalités au taux d'intérêt de la BCE "
                "majoré de 10 points, et indemnité forfaitaire pour frais de "
                "recouvrement de 40 € (art. L441-10 et D441-5 du Code de commerce)."
            ),
            early_payment_text="Pas d'escompte pour paiement anticipé.",
        )
    )

"""Sentences for interview reports and action plans, in objective wording (RGPD: the
person may read them): facts, figures and decisions, no judgement of the person."""

from __future__ import annotations

CAPE_POINTS = (
    "Point sur la prospection : {n} devis envoyés depuis le dernier entretien, {k} acceptés.",
    "Premiers clients trouvés par le bouche-à-oreille et le réseau personnel.",
    "Calcul du prix de revient revu ensemble : le tarif horaire actuel ne couvre pas les charges.",
    "Présence sur {n} marchés ou salons ce trimestre ; ventes jugées encourageantes.",
    "Participation à l'atelier collectif « {theme} » ; points à approfondir notés.",
    "Difficultés signalées pour dégager du temps, en parallèle d'un emploi à temps partiel.",
    "Étude des besoins en matériel ; un devis de fournisseur a été comparé à une location.",
    "Le renouvellement de la convention CAPE a été évoqué ; objectifs fixés pour la période.",
    "Supports de communication présentés (cartes de visite, page de réseau social).",
)

SALARIE_POINTS = (
    "Chiffre d'affaires du trimestre : {amount} € HT, en progression par rapport au précédent.",
    "Chiffre d'affaires du trimestre : {amount} € HT, en baisse (saisonnalité de l'activité).",
    "Trésorerie : {n} factures en attente de paiement depuis plus de 30 jours.",
    "Point sur la rémunération : le salaire suit le chiffre d'affaires encaissé.",
    "Projet d'investissement (véhicule utilitaire) ; plan de financement à construire.",
    "Questions sur le sociétariat : conditions et calendrier présentés.",
    "Charge de travail élevée ; réflexion sur la sous-traitance à un autre entrepreneur de la CAE.",
    "Suivi des frais professionnels : justificatifs à transmettre chaque mois.",
    "Nouveau client régulier (contrat annuel) signé ce trimestre.",
)

ACTION_ITEMS = (
    "Relancer les devis en attente avant le {date}.",
    "Mettre à jour la grille tarifaire et la transmettre au référent.",
    "S'inscrire à l'atelier « {theme} ».",
    "Préparer un prévisionnel sur 12 mois pour le prochain entretien.",
    "Contacter deux fournisseurs pour comparer les prix.",
    "Envoyer les justificatifs de frais du mois.",
    "Créer une fiche de présentation de l'activité pour les prospects.",
    "Prendre rendez-vous avec l'assureur pour la responsabilité civile professionnelle.",
    "Relancer les factures échues.",
    "Fixer un objectif de chiffre d'affaires pour le trimestre.",
)

EXPERIENCE = (
    "{years} ans d'expérience salariée dans le secteur.",
    "Reconversion après {years} ans dans un autre métier ; formation qualifiante suivie.",
    "Activité exercée jusqu'ici à titre bénévole ou occasionnel.",
    "Diplôme obtenu récemment ; première expérience d'activité indépendante.",
)

MOTIVATION = (
    "Souhaite tester l'activité avant de créer une entreprise.",
    "Veut bénéficier d'un statut de salarié et d'un collectif pour se lancer.",
    "Cherche un cadre pour vérifier la viabilité économique du projet.",
    "Souhaite retrouver une activité après une période sans emploi.",
)

NEEDS = (
    "Fixer ses prix et construire un prévisionnel.",
    "Trouver ses premiers clients.",
    "Gestion administrative et facturation.",
    "Assurance et cadre juridique de l'activité.",
    "Communication et présence en ligne.",
)

DECISION_REASONS = {
    "admis": "Projet cohérent, marché identifié ; entrée en CAPE proposée.",
    "oriente": "Projet nécessitant une immatriculation immédiate ; orientation vers la chambre "
    "consulaire.",
    "reflexion": "La personne souhaite prendre le temps de la réflexion avant de s'engager.",
    "non_retenu": "Activité réglementée ne pouvant pas être exercée au sein de la CAE.",
}

NEXT_STEPS = {
    "admis": "Signature de la convention CAPE et premier entretien de suivi.",
    "oriente": "Coordonnées de la chambre consulaire transmises.",
    "reflexion": "Recontacter la personne dans un mois.",
    "non_retenu": "Pas de suite.",
}

PERSON_NOTES = (
    "",
    "",
    "",
    "Préfère être contactée par e-mail.",
    "Disponible le matin uniquement.",
    "Se déplace en transports en commun.",
    "Joignable de préférence après 17 h.",
)

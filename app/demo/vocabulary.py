"""Word lists for the demo data: French names, real communes of the four départements
(with their postcodes), streets, and the activities entrepreneurs test in a CAE.

Plain data, no logic. The communes are real towns of Champagne-Ardenne around the
permanences of docs/architecture.md §1; the people and businesses are invented.
"""

from __future__ import annotations

from dataclasses import dataclass

FEMALE_FIRST_NAMES = (
    "Hélène",
    "Marie",
    "Sophie",
    "Nathalie",
    "Isabelle",
    "Céline",
    "Aurélie",
    "Émilie",
    "Julie",
    "Camille",
    "Léa",
    "Chloé",
    "Manon",
    "Sarah",
    "Laura",
    "Pauline",
    "Élodie",
    "Audrey",
    "Caroline",
    "Stéphanie",
    "Valérie",
    "Sandrine",
    "Virginie",
    "Christelle",
    "Anaïs",
    "Mélanie",
    "Charlotte",
    "Lucie",
    "Clémence",
    "Margaux",
    "Inès",
    "Fatima",
    "Amina",
    "Nadia",
    "Yasmine",
    "Agnès",
    "Brigitte",
    "Françoise",
    "Monique",
    "Martine",
    "Béatrice",
    "Gaëlle",
    "Maëlle",
    "Noémie",
    "Océane",
    "Justine",
    "Morgane",
    "Delphine",
    "Séverine",
    "Karine",
    "Magali",
    "Solène",
    "Zoé",
    "Éléonore",
    "Josiane",
    "Chantal",
)

MALE_FIRST_NAMES = (
    "Jérôme",
    "François",
    "Benoît",
    "Nicolas",
    "Julien",
    "Sébastien",
    "Thomas",
    "Pierre",
    "Laurent",
    "Stéphane",
    "Olivier",
    "Christophe",
    "Frédéric",
    "David",
    "Mathieu",
    "Guillaume",
    "Antoine",
    "Maxime",
    "Alexandre",
    "Romain",
    "Kévin",
    "Florian",
    "Hugo",
    "Lucas",
    "Théo",
    "Quentin",
    "Damien",
    "Cédric",
    "Fabrice",
    "Thierry",
    "Pascal",
    "Philippe",
    "Éric",
    "Gérard",
    "Bernard",
    "Patrick",
    "Michel",
    "Alain",
    "Hervé",
    "Yannick",
    "Karim",
    "Mehdi",
    "Youssef",
    "Samir",
    "Rachid",
    "Grégoire",
    "Rémi",
    "Anthony",
    "Loïc",
    "Gaël",
    "Joël",
    "Noël",
    "Aurélien",
    "Adrien",
    "Bastien",
    "Clément",
)

LAST_NAMES = (
    "Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois",
    "Moreau", "Laurent", "Simon", "Michel", "Lefèvre", "Leroy", "Roux", "David", "Bertrand",
    "Morel", "Fournier", "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau",
    "Vincent", "Muller", "Lefebvre", "Faure", "André", "Mercier", "Blanc", "Guérin",
    "Boyer", "Garnier", "Chevalier", "François", "Legrand", "Gauthier", "Garcia", "Perrin",
    "Robin", "Clément", "Morin", "Nicolas", "Henry", "Roussel", "Mathieu", "Gautier",
    "Masson", "Marchand", "Duval", "Denis", "Dumont", "Marie", "Lemaire", "Noël", "Meyer",
    "Dufour", "Meunier", "Brun", "Blanchard", "Giraud", "Joly", "Rivière", "Lucas",
    "Brunet", "Gaillard", "Barbier", "Arnaud", "Martinez", "Gérard", "Roche", "Renard",
    "Schmitt", "Roy", "Leroux", "Colin", "Vidal", "Caron", "Picard", "Roger", "Fabre",
    "Aubert", "Lemoine", "Renaud", "Dumas", "Lacroix", "Olivier", "Philippe", "Bourgeois",
    "Pierre", "Benoît", "Rey", "Leclerc", "Payet", "Rolland", "Leclercq", "Guillaume",
    "Lecomte", "Lopez", "Jean", "Dupuy", "Guillot", "Hubert", "Berger", "Carpentier",
    "Sánchez", "Dupuis", "Moulin", "Louis", "Deschamps", "Huet", "Vasseur", "Perez",
    "Boucher", "Fleury", "Royer", "Klein", "Jacquet", "Adam", "Paris", "Poirier", "Marty",
    "Aubry", "Guyot", "Carré", "Charles", "Renault", "Charpentier", "Ménard", "Maillard",
    "Baron", "Bertin", "Bailly", "Hervé", "Schneider", "Fernandez", "Le Gall", "Collet",
    "Léger", "Bouvier", "Julien", "Prévost", "Millet", "Perrot", "Daniel", "Le Roux",
    "Cousin", "Germain", "Breton", "Besson", "Langlois", "Rémy", "Pelletier", "Lévêque",
    "Perrier", "Leblanc", "Barré", "Lebrun", "Marchal", "Weber", "Mallet", "Hamon",
    "Boulanger", "Jacob", "Monnier", "Michaud", "Rodriguez", "Guichard", "Gillet",
    "Étienne", "Grondin", "Poulain", "Tessier", "Chevallier", "Collin", "Chauvin", "Da Silva",
    "Bouchet", "Gay", "Lemaître", "Bénard", "Maréchal", "Humbert", "Benali", "Haddad",
    "Nguyen", "Diallo", "Traoré", "Ben Salem", "Mansouri", "Kowalski", "Ferreira", "Pereira",
)  # fmt: skip

# (commune, postcode, weight) by département, real communes; the weight roughly follows
# population so big towns appear more often.
COMMUNES: dict[str, tuple[tuple[str, str, int], ...]] = {
    "Marne": (
        ("Reims", "51100", 40), ("Épernay", "51200", 10), ("Châlons-en-Champagne", "51000", 12),
        ("Vitry-le-François", "51300", 5), ("Sainte-Menehould", "51800", 2),
        ("Tinqueux", "51430", 3), ("Bétheny", "51450", 2), ("Cormontreuil", "51350", 2),
        ("Saint-Brice-Courcelles", "51370", 1), ("Aÿ-Champagne", "51160", 2),
        ("Sézanne", "51120", 2), ("Fismes", "51170", 2), ("Mourmelon-le-Grand", "51400", 2),
        ("Saint-Memmie", "51470", 2), ("Witry-lès-Reims", "51420", 1),
        ("Montmirail", "51210", 1), ("Suippes", "51600", 1), ("Avize", "51190", 1),
        ("Bazancourt", "51110", 1), ("Gueux", "51390", 1), ("Fagnières", "51510", 1),
        ("Sermaize-les-Bains", "51250", 1),
    ),
    "Ardennes": (
        ("Charleville-Mézières", "08000", 20), ("Sedan", "08200", 8), ("Rethel", "08300", 4),
        ("Vouziers", "08400", 2), ("Givet", "08600", 3), ("Revin", "08500", 3),
        ("Nouzonville", "08700", 2), ("Bogny-sur-Meuse", "08120", 2), ("Fumay", "08170", 1),
        ("Carignan", "08110", 1), ("Mouzon", "08210", 1), ("Attigny", "08130", 1),
        ("Signy-l'Abbaye", "08460", 1), ("Rocroi", "08230", 1), ("Douzy", "08140", 1),
        ("Villers-Semeuse", "08000", 1), ("Asfeld", "08190", 1),
    ),
    "Aube": (
        ("Troyes", "10000", 25), ("Romilly-sur-Seine", "10100", 6),
        ("La Chapelle-Saint-Luc", "10600", 4), ("Saint-André-les-Vergers", "10120", 3),
        ("Sainte-Savine", "10300", 3), ("Bar-sur-Aube", "10200", 2),
        ("Bar-sur-Seine", "10110", 1), ("Nogent-sur-Seine", "10400", 2),
        ("Arcis-sur-Aube", "10700", 1), ("Brienne-le-Château", "10500", 1),
        ("Saint-Julien-les-Villas", "10800", 2), ("Les Riceys", "10340", 1),
        ("Pont-Sainte-Marie", "10150", 1),
    ),
    "Haute-Marne": (
        ("Saint-Dizier", "52100", 10), ("Chaumont", "52000", 9), ("Langres", "52200", 5),
        ("Joinville", "52300", 2), ("Wassy", "52130", 1), ("Bourbonne-les-Bains", "52400", 1),
        ("Nogent", "52800", 1), ("Chalindrey", "52600", 1), ("Bologne", "52310", 1),
        ("Eurville-Bienville", "52410", 1), ("La Porte du Der", "52220", 1),
        ("Froncles", "52320", 1),
    ),
}  # fmt: skip

STREETS = (
    "rue de la République", "avenue Jean Jaurès", "rue Victor Hugo", "rue Pasteur",
    "rue du Général de Gaulle", "place de la Mairie", "rue des Écoles", "rue de l'Église",
    "chemin des Vignes", "rue Gambetta", "boulevard de la Paix", "rue Jules Ferry",
    "rue du Moulin", "allée des Tilleuls", "rue de la Gare", "impasse des Lilas",
    "rue Carnot", "avenue de Champagne", "rue des Jardins", "rue du Château",
    "rue Saint-Nicolas", "quai de la Marne", "rue de Verdun", "rue des Remparts",
)  # fmt: skip

# Premises where each permanence is held (the towns are in app.seed.ANTENNES).
PERMANENCE_PLACES: dict[str, tuple[str, str]] = {
    "Reims": ("Siège de la coopérative", "12 rue de Vesle"),
    "Épernay": ("Maison de l'emploi", "4 rue Jean Moët"),
    "Châlons-en-Champagne": ("Maison France Services", "8 rue Carnot"),
    "Vitry-le-François": ("Pépinière d'entreprises", "2 rue de la Fontaine"),
    "Sainte-Menehould": ("Mairie, salle du conseil", "1 place du Général Leclerc"),
    "Charleville-Mézières": ("Antenne des Ardennes", "15 avenue Jean Jaurès"),
    "Sedan": ("Maison France Services", "3 rue Gambetta"),
    "Vouziers": ("Communauté de communes", "5 rue des Remparts"),
    "Rethel": ("Maison de l'économie", "10 rue Carnot"),
    "Troyes": ("Antenne de l'Aube", "22 rue de la Cité"),
    "Romilly-sur-Seine": ("Maison France Services", "6 rue de la Boule d'Or"),
    "Saint-Dizier": ("Antenne de Haute-Marne", "9 rue du Docteur Mougeot"),
    "Chaumont": ("Maison de l'emploi", "14 rue Victoire de la Marne"),
    "Langres": ("Maison France Services", "7 rue Diderot"),
}

BUSINESS_KINDS = (
    "Boulangerie", "Garage", "Cabinet", "Atelier", "Librairie", "Hôtel", "Restaurant",
    "Domaine", "Champagne", "Transports", "Pharmacie", "Fromagerie", "Menuiserie",
    "Agence", "Imprimerie", "Café", "Boucherie", "Auto-école", "Fleuriste", "Épicerie",
)  # fmt: skip
BUSINESS_FORMS = ("SARL", "SAS", "EURL", "SA", "SCOP", "SASU", "")
PUBLIC_CLIENTS = (
    "Mairie de {city}", "Communauté de communes de {city}", "Association sportive de {city}",
    "Médiathèque de {city}", "Comité des fêtes de {city}", "Office de tourisme de {city}",
)  # fmt: skip


@dataclass(frozen=True)
class LineTemplate:
    description: str
    unit: str
    price_range_cents: tuple[int, int]
    quantity_choices_e4: tuple[int, ...]
    vat_rate_bp: int


@dataclass(frozen=True)
class ActivityTemplate:
    """One business an entrepreneur may test, with the lines it invoices."""

    sector: str
    name: str
    what: str
    how: str
    to_whom: str
    territory: str
    nature: str  # services | biens | mixte
    business_share: int  # percent of clients that are businesses
    lines: tuple[LineTemplate, ...]
    vat_exemption_text: str = ""


def _l(desc: str, unit: str, lo: int, hi: int, qty: tuple[int, ...], vat: int) -> LineTemplate:
    return LineTemplate(desc, unit, (lo, hi), qty, vat)


ONE = (10000,)
HOURS = (10000, 15000, 20000, 30000, 40000, 70000)
DAYS = (5000, 10000, 20000, 30000)
UNITS = (10000, 20000, 30000, 50000, 100000, 120000)
TRAINING_EXEMPTION = "Exonération de TVA, article 261-4-4° a du CGI (formation professionnelle)."

ACTIVITIES: tuple[ActivityTemplate, ...] = (
    ActivityTemplate(
        "artisanat", "Ébénisterie et restauration de meubles",
        "Restauration de meubles anciens et fabrication de petit mobilier sur mesure",
        "Atelier partagé, devis après visite, réalisation en 2 à 6 semaines",
        "Particuliers, antiquaires, gîtes et chambres d'hôtes", "Département et alentours",
        "mixte", 30,
        (_l("Restauration d'une commode", "forfait", 28000, 95000, ONE, 2000),
         _l("Heure d'atelier (réparation)", "h", 4000, 5500, HOURS, 2000),
         _l("Fourniture : bois massif et quincaillerie", "lot", 3000, 25000, ONE, 2000)),
    ),
    ActivityTemplate(
        "artisanat", "Création de bijoux en argent recyclé",
        "Bijoux faits main en argent recyclé et pierres fines",
        "Vente sur les marchés de créateurs, en boutiques partenaires et en ligne",
        "Particuliers, boutiques de créateurs", "Grand Est et vente en ligne",
        "biens", 20,
        (_l("Bague argent martelé", "unité", 4500, 12000, UNITS[:3], 2000),
         _l("Boucles d'oreilles", "paire", 2500, 6500, UNITS[:3], 2000),
         _l("Collier sur mesure", "unité", 8000, 22000, ONE, 2000)),
    ),
    ActivityTemplate(
        "commerce", "Épicerie fine itinérante",
        "Vente de produits locaux (miel, biscuits, terrines, jus de pomme)",
        "Tournées en camionnette dans les villages et stands sur les marchés",
        "Particuliers des communes rurales, comités d'entreprise", "Communes rurales du département",
        "biens", 15,
        (_l("Colis gourmand", "colis", 2500, 6000, UNITS, 550),
         _l("Miel de pays 500 g", "pot", 700, 1100, UNITS, 550),
         _l("Livraison", "forfait", 500, 1500, ONE, 2000)),
    ),
    ActivityTemplate(
        "commerce", "Savonnerie artisanale",
        "Savons et cosmétiques solides saponifiés à froid",
        "Fabrication en atelier, vente directe et dépôt-vente",
        "Particuliers, boutiques de produits naturels", "Marne et départements voisins",
        "biens", 25,
        (_l("Savon surgras 100 g", "unité", 550, 900, UNITS, 2000),
         _l("Coffret découverte", "coffret", 1800, 3500, UNITS[:4], 2000)),
    ),
    ActivityTemplate(
        "services_entreprises", "Secrétariat et assistance administrative",
        "Secrétariat à distance, saisie, relances et classement pour artisans et TPE",
        "Forfaits mensuels ou à l'heure, interventions sur site ou à distance",
        "Artisans, TPE, professions libérales", "Département",
        "services", 95,
        (_l("Assistance administrative", "h", 2800, 4200, HOURS, 2000),
         _l("Forfait mensuel secrétariat", "mois", 25000, 60000, ONE, 2000)),
    ),
    ActivityTemplate(
        "services_entreprises", "Traduction anglais-français",
        "Traduction technique et commerciale, relecture",
        "Devis au mot, travail à distance",
        "Entreprises exportatrices, maisons de champagne, agences", "France entière",
        "services", 90,
        (_l("Traduction (par mot)", "mot", 9, 14, (5_000_000, 12_000_000, 30_000_000), 2000),
         _l("Relecture", "h", 3500, 5000, HOURS, 2000)),
    ),
    ActivityTemplate(
        "services_personnes", "Soutien scolaire à domicile",
        "Cours de mathématiques et de français du collège au lycée",
        "Séances d'une heure et demie au domicile des élèves",
        "Familles", "Agglomération",
        "services", 0,
        (_l("Cours particulier", "h", 2500, 3500, (15000, 30000, 60000, 90000), 1000),),
    ),
    ActivityTemplate(
        "services_personnes", "Entretien de jardins",
        "Tonte, taille de haies, petits travaux de jardinage",
        "Interventions ponctuelles ou contrats à l'année",
        "Particuliers, résidences", "Communes proches",
        "services", 10,
        (_l("Entretien de jardin", "h", 2800, 3800, HOURS, 1000),
         _l("Évacuation des déchets verts", "forfait", 3000, 6000, ONE, 1000)),
    ),
    ActivityTemplate(
        "formation", "Formation bureautique et numérique",
        "Formations Word, Excel et outils collaboratifs pour salariés et demandeurs d'emploi",
        "Sessions en intra-entreprise ou en organisme, supports fournis",
        "Entreprises, organismes de formation, collectivités", "Champagne-Ardenne",
        "services", 100,
        (_l("Journée de formation", "jour", 45000, 90000, DAYS, 0),
         _l("Support de cours", "unité", 1000, 2500, UNITS, 0)),
        TRAINING_EXEMPTION,
    ),
    ActivityTemplate(
        "culture", "Photographie événementielle",
        "Reportages de mariages, portraits et photographies d'entreprise",
        "Prestations à la demi-journée ou à la journée, livraison numérique",
        "Particuliers, entreprises, collectivités", "Région Grand Est",
        "services", 45,
        (_l("Reportage photo (demi-journée)", "forfait", 25000, 45000, ONE, 2000),
         _l("Tirages d'art", "unité", 1500, 6000, UNITS, 2000)),
    ),
    ActivityTemplate(
        "culture", "Édition d'une revue locale",
        "Revue trimestrielle d'histoire locale et de patrimoine",
        "Vente au numéro en librairie et par abonnement",
        "Lecteurs, librairies, offices de tourisme", "Département",
        "biens", 40,
        (_l("Revue (numéro)", "exemplaire", 800, 1200, (100000, 200000, 500000), 210),
         _l("Abonnement annuel", "abonnement", 3200, 4000, UNITS[:3], 210)),
    ),
    ActivityTemplate(
        "batiment", "Plomberie et rénovation de salles de bains",
        "Dépannage, remplacement de sanitaires, rénovation complète de salles de bains",
        "Devis gratuit, chantiers de 1 à 10 jours",
        "Particuliers, syndics, commerces", "30 km autour de la commune",
        "mixte", 25,
        (_l("Main-d'œuvre plomberie", "h", 4000, 5500, HOURS, 1000),
         _l("Fourniture de sanitaires", "lot", 15000, 120000, ONE, 1000),
         _l("Isolation des combles (rénovation énergétique)", "m²", 2500, 4500, (300000, 600000), 550)),
    ),
    ActivityTemplate(
        "numerique", "Création de sites internet",
        "Sites vitrines et boutiques en ligne pour commerçants et artisans",
        "Forfait de création puis maintenance mensuelle",
        "Commerçants, artisans, associations", "France entière, à distance",
        "services", 90,
        (_l("Création de site vitrine", "forfait", 90000, 250000, ONE, 2000),
         _l("Maintenance mensuelle", "mois", 3000, 9000, (10000, 30000, 60000, 120000), 2000),
         _l("Journée de développement", "jour", 35000, 50000, DAYS, 2000)),
    ),
    ActivityTemplate(
        "bien_etre", "Sophrologie",
        "Séances individuelles et collectives de sophrologie",
        "En cabinet partagé et en entreprise",
        "Particuliers, entreprises (prévention du stress)", "Agglomération",
        "services", 30,
        (_l("Séance individuelle", "séance", 5000, 7000, UNITS[:3], 2000),
         _l("Atelier collectif en entreprise", "forfait", 20000, 45000, ONE, 2000)),
    ),
    ActivityTemplate(
        "agriculture", "Maraîchage biologique et paniers",
        "Légumes de saison en agriculture biologique",
        "Paniers hebdomadaires, vente à la ferme et aux restaurateurs",
        "Particuliers, restaurants, cantines", "20 km autour de l'exploitation",
        "biens", 30,
        (_l("Panier de légumes", "panier", 1500, 2500, (40000, 80000, 120000), 550),
         _l("Légumes (vente au kilo)", "kg", 250, 600, (100000, 250000, 400000), 550)),
    ),
    ActivityTemplate(
        "agriculture", "Traiteur et plats cuisinés",
        "Buffets, plats du jour et cocktails à partir de produits locaux",
        "Cuisine dans un laboratoire partagé, livraison",
        "Entreprises, associations, particuliers", "Agglomération",
        "mixte", 60,
        (_l("Buffet (par personne)", "couvert", 1200, 2800, (200000, 400000, 800000), 1000),
         _l("Plat à emporter", "unité", 900, 1400, UNITS, 550)),
    ),
)  # fmt: skip

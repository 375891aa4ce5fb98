"""Words of the application around its areas: first run, the encrypted profile's passphrase,
the Aide menu, the message shown on an unexpected error, the main window (navigation, menus,
status bar) and the launcher.

See docs/architecture.md §3, "Where wording lives".
"""

from __future__ import annotations

from typing import Final

# Encrypted profile (ui/dialogs/passphrase_dialog.py)
ENCRYPTED_PROFILE_TITLE: Final[str] = "Profil chiffré"
ENTER_PASSPHRASE: Final[str] = "Saisissez la phrase de passe du profil « {profile} »."

# Unexpected errors (ui/error_hook.py)
UNEXPECTED_TITLE: Final[str] = "Permanence — erreur inattendue"
UNEXPECTED_TEXT: Final[str] = (
    "Une erreur inattendue s'est produite. Ce que vous faisiez n'a peut-être pas abouti :"
    " vérifiez-le avant de continuer.\n"
    "\n"
    "Le détail est enregistré dans le journal du profil ; « Copier le détail » le met "
    "dans le presse-papiers pour le transmettre au support."
)
COPY_DETAIL: Final[str] = "Copier le détail"
DETAIL_COPIED: Final[str] = "Le détail a été copié dans le presse-papiers."

# Aide menu (ui/help_menu.py)
SHORTCUT_GO_TO_KEYS: Final[str] = "Ctrl+1 … Ctrl+7"
SHORTCUT_GO_TO: Final[str] = "Aller à une rubrique (Personnes, Entretiens, Ateliers…)"
SHORTCUT_SEARCH: Final[str] = "Rechercher (dans la liste affichée, sinon dans les personnes)"
SHORTCUT_NEW: Final[str] = "Nouvelle fiche dans la liste affichée (personne, atelier, facture)"
SHORTCUT_OPEN_KEYS: Final[str] = "Entrée ou double-clic"
SHORTCUT_OPEN: Final[str] = "Ouvrir la ligne choisie"
SHORTCUT_BACK_KEYS: Final[str] = "Échap ou Alt+Gauche"
SHORTCUT_BACK: Final[str] = "Revenir de la fiche d'une personne à la liste"
SHORTCUT_NEXT_TAB_KEYS: Final[str] = "Ctrl+Tab, Ctrl+Pg suiv."
SHORTCUT_NEXT_TAB: Final[str] = "Onglet suivant de la fiche (Maj ou Ctrl+Pg préc. : précédent)"
SHORTCUT_NEXT_FIELD_KEYS: Final[str] = "Tab / Maj+Tab"
SHORTCUT_NEXT_FIELD: Final[str] = "Champ suivant / précédent"
SHORTCUT_FINALISE_KEYS: Final[str] = "Ctrl+Entrée"
SHORTCUT_FINALISE: Final[str] = "Finaliser l'entretien d'accueil"
SHORTCUT_HELP: Final[str] = "Cette liste"
SHORTCUT_QUIT: Final[str] = "Quitter"
HELP_MENU: Final[str] = "Ai&de"
KEYBOARD_SHORTCUTS: Final[str] = "Raccourcis clavier"
USER_GUIDE: Final[str] = "Guide d'utilisation"
OPEN_PROFILE_FOLDER: Final[str] = "Ouvrir le dossier du profil"
ABOUT: Final[str] = "À propos de Permanence"
UNKNOWN_VERSION: Final[str] = "inconnue"
PROFILE_BEING_OPENED: Final[str] = "(profil en cours d'ouverture)"
GUIDE_NOT_INSTALLED: Final[str] = "Le guide d'utilisation n'est pas installé."
ABOUT_TEXT: Final[str] = (
    "<b>Permanence</b> — version {version}<br><br>Accompagnement, ateliers et factures de"
    " la CAE, hors connexion, synchronisés avec le siège.<br><br>Données du profil : "
    "{where}"
)

# First run (ui/dialogs/first_run_dialog.py)
WELCOME_TITLE: Final[str] = "Bienvenue dans Permanence"
WELCOME_TEXT: Final[str] = (
    "Créons votre profil. Il rassemble la base de données de ce portable, les documents "
    "produits et les sauvegardes.\n"
    "L'identité de la coopérative pourra être complétée plus tard."
)
PROFILE_NAME_PLACEHOLDER: Final[str] = "ex. Portable de Claire"
ENCRYPT_DATABASE: Final[str] = "Chiffrer la base de données (recommandé)"
ENCRYPT_WHY: Final[str] = (
    "Un portable peut être perdu ou volé : chiffrée, la base est illisible sans la phrase de passe."
)
REMEMBER_PASSPHRASE: Final[str] = (
    "Retenez bien cette phrase de passe : sans elle, les données de ce portable ne "
    "peuvent pas être récupérées."
)
PROFILE_NAME: Final[str] = "Nom du profil"
YOUR_FIRST_NAME: Final[str] = "Votre prénom"
YOUR_LAST_NAME: Final[str] = "Votre nom"
YOUR_EMAIL: Final[str] = "Votre e-mail"
USUAL_PERMANENCE: Final[str] = "Permanence habituelle"
PASSPHRASE: Final[str] = "Phrase de passe"
PASSPHRASE_CONFIRMATION: Final[str] = "Confirmation"
CREATE_PROFILE: Final[str] = "Créer le profil"
PERMANENCE_OF_ANTENNE: Final[str] = "{town} (antenne de {antenne})"

# Main window (ui/main_window.py): the areas, in the navigation and the « Aller à » menu
AREA_PERSONS: Final[str] = "Personnes"
AREA_INTERVIEWS: Final[str] = "Entretiens"
AREA_WORKSHOPS: Final[str] = "Ateliers"
AREA_INVOICES: Final[str] = "Factures"
AREA_SYNC: Final[str] = "Synchronisation"
AREA_DASHBOARD: Final[str] = "Tableau de bord"
AREA_OPTIONS: Final[str] = "Listes de choix"
# The areas' tabs on a person record
PERSON_TAB_WORKSHOPS: Final[str] = "Ateliers"
PERSON_TAB_INVOICING: Final[str] = "Facturation"

# Main window: title, menus and status bar
WINDOW_TITLE: Final[str] = "Permanence — {profile}"
OPENING_PROFILE: Final[str] = "Ouverture du profil…"
FILE_MENU: Final[str] = "&Fichier"
BACKUP_NOW: Final[str] = "Sauvegarder la base maintenant"
QUIT_ACTION: Final[str] = "&Quitter"
GO_TO_MENU: Final[str] = "&Aller à"
PROFILE_LABEL: Final[str] = "Profil : {profile}"
PERMANENCE_OF_THE_DAY: Final[str] = "Permanence du jour"
NO_PERMANENCE_OF_THE_DAY: Final[str] = "Permanence du jour : aucune"
BACKUP_SAVED: Final[str] = "Sauvegarde enregistrée : {path}"

# Launcher (ui/launcher.py): the demo profile, and the self-test's throwaway profile
# (its name is shown in the window's title while the self-test runs)
CREATING_DEMO_PROFILE: Final[str] = "Création du profil de démonstration dans {root}…"
SELF_TEST_PROFILE: Final[str] = "Auto-test"
SELF_TEST_FIRST_NAME: Final[str] = "Test"
SELF_TEST_LAST_NAME: Final[str] = "Auto"
SELF_TEST_TOWN: Final[str] = "Langres"
# The font used when the machine has none at all: a family name, not a word, kept here
# because the catalogue scan (tests/test_text_catalogue.py) would read it as one.
FALLBACK_FONT_FAMILY: Final[str] = "DejaVu Sans"

"""The « Aide » menu: the keyboard shortcuts, the version, where the profile's data lives,
and the user guide (README.md, next to the sources or the bundle)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMessageBox

from ui.widgets.documents import open_document, open_folder

SHORTCUTS: tuple[tuple[str, str], ...] = (
    ("Ctrl+1 … Ctrl+7", "Aller à une rubrique (Personnes, Entretiens, Ateliers…)"),
    ("Ctrl+F", "Rechercher (dans la liste affichée, sinon dans les personnes)"),
    ("Ctrl+N", "Nouvelle fiche dans la liste affichée (personne, atelier, facture)"),
    ("Entrée ou double-clic", "Ouvrir la ligne choisie"),
    ("Échap ou Alt+Gauche", "Revenir de la fiche d'une personne à la liste"),
    ("Ctrl+Tab, Ctrl+Pg suiv.", "Onglet suivant de la fiche (Maj ou Ctrl+Pg préc. : précédent)"),
    ("Tab / Maj+Tab", "Champ suivant / précédent"),
    ("Ctrl+Entrée", "Finaliser l'entretien d'accueil"),
    ("F1", "Cette liste"),
    ("Ctrl+Q", "Quitter"),
)


def version() -> str:
    from importlib import metadata  # ~0.1 s to import: only when the version is asked for

    try:
        return metadata.version("permanence")
    except metadata.PackageNotFoundError:
        return "inconnue"


def user_guide() -> Path | None:
    """README.md beside the sources (or inside the bundle), if it is there."""
    bundle = getattr(sys, "_MEIPASS", None)
    for folder in ([Path(bundle)] if bundle else []) + [Path(__file__).resolve().parents[1]]:
        if (folder / "README.md").is_file():
            return folder / "README.md"
    return None


def shortcuts_text() -> str:
    rows = "".join(f"<tr><td><b>{keys}</b></td><td>{what}</td></tr>" for keys, what in SHORTCUTS)
    return f"<table cellspacing='6'>{rows}</table>"


def build_help_menu(window: QMainWindow, profile_root: Callable[[], Path | None]) -> None:
    menu = window.menuBar().addMenu("Ai&de")
    keys = QAction("Raccourcis clavier", window)
    keys.setShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents))
    keys.triggered.connect(
        lambda: QMessageBox.information(window, "Raccourcis clavier", shortcuts_text())
    )
    menu.addAction(keys)
    guide = QAction("Guide d'utilisation", window)
    guide.triggered.connect(lambda: _open_guide(window))
    menu.addAction(guide)
    folder = QAction("Ouvrir le dossier du profil", window)
    folder.triggered.connect(lambda: _open_profile_folder(window, profile_root()))
    menu.addAction(folder)
    menu.addSeparator()
    about = QAction("À propos de Permanence", window)
    about.triggered.connect(lambda: QMessageBox.about(window, "Permanence", about_text(profile_root())))
    menu.addAction(about)


def about_text(root: Path | None) -> str:
    where = str(root) if root is not None else "(profil en cours d'ouverture)"
    return (
        f"<b>Permanence</b> — version {version()}<br><br>"
        "Accompagnement, ateliers et factures de la CAE, hors connexion, synchronisés avec "
        f"le siège.<br><br>Données du profil : {where}"
    )


def _open_guide(window: QMainWindow) -> None:
    guide = user_guide()
    if guide is None:
        QMessageBox.information(window, "Permanence", "Le guide d'utilisation n'est pas installé.")
    else:
        open_document(window, guide)


def _open_profile_folder(window: QMainWindow, root: Path | None) -> None:
    if root is not None:
        open_folder(window, root)

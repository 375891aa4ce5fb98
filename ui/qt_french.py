"""Qt's own dialogs in French (issue 14, item 9): file, print, page set-up and message
boxes, buttons and context menus.

Qt's French catalogue (``qtbase_fr.qm``, in PySide6's ``translations`` folder; the
bundle keeps it, see ``build.spec``) is loaded for the French locale. A few labels of
Qt 6's own dialogs are missing from it — their English changed (an accelerator was
added) and the catalogue was not updated: the file dialog said "Look in:" and "Files of
type:". :class:`MissingQtFrench` answers those few, and is installed after the
catalogue so Qt asks it first; every other text goes to the catalogue.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtWidgets import QApplication

from ui.resources import resources_dir

NBSP = "\u00a0"  # before ':' in French, as qtbase_fr writes it

# (context, English source) -> French, for the texts qtbase_fr lacks (Qt 6.x).
MISSING: dict[tuple[str, str], str] = {
    ("QFileDialog", "&Look in:"): f"&Voir dans{NBSP}:",
    ("QFileDialog", "Files of &type:"): f"Fichiers de &type{NBSP}:",
    ("QPrintSettingsOutput", "Page &Set:"): f"&Jeu de pages{NBSP}:",
    ("QPageSetupWidget", "Page &order:"): f"&Ordre des pages{NBSP}:",
    ("QPageSetupWidget", "Pages &per sheet:"): f"&Pages par feuille{NBSP}:",
}


class MissingQtFrench(QTranslator):
    def translate(
        self, context: str, source: str, disambiguation: str | None = None, n: int = -1
    ) -> str | None:
        # None (a null QString) means "not mine": Qt then asks the next translator
        # (qtbase_fr). An empty string would be taken as the translation.
        return MISSING.get((context, source))

    def isEmpty(self) -> bool:
        return False


def qt_translations_folder() -> Path:
    return Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))


def install(app: QApplication) -> bool:
    """Install Qt's French catalogue (Qt's folder, else the copy the bundle ships in
    ``resources/translations``) and the missing texts. True when the catalogue loaded."""
    catalogue = QTranslator(app)
    loaded = catalogue.load(QLocale(), "qtbase", "_", str(qt_translations_folder()))
    if not loaded:
        loaded = catalogue.load("qtbase_fr", str(resources_dir() / "translations"))
    if loaded:
        app.installTranslator(catalogue)
    # Installed last, asked first.
    app.installTranslator(MissingQtFrench(app))
    return loaded

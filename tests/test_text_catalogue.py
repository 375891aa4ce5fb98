"""The screens' French words live in the text catalogue, not in the widget files
(issue 14, item 11; docs/architecture.md, "Where wording lives").

Every string literal of ``ui/`` outside the catalogue is read with ``ast``: one that looks
like French a person reads (an accented letter, a French word between spaces, or a
capitalised word such as « Note ») fails here, unless it is one of the known non-words
below (key sequences, width samples, stored codes) or its whole file is allow-listed.
Error messages keyed by code stay in ``ui/messages*.py`` and the areas' ``register`` calls.
"""

from __future__ import annotations

import ast
import re
import string
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
UI = ROOT / "ui"

# The catalogues themselves: screen words, error messages, and Qt's own strings in French.
CATALOGUES = {
    "ui/messages.py",
    "ui/messages_people.py",
    "ui/messages_invoicing.py",
    "ui/pages/workshops_texts.py",  # the Ateliers area's error registrations
    "ui/qt_french.py",  # French for Qt's dialogs, keyed by Qt's English source strings
}

# Literals that look like words but are not wording, with why.
NOT_WORDING = {
    # Qt key sequences (QKeySequence's portable text, not shown as such)
    "Escape": "key",
    "Alt+Left": "key",
    "Ctrl+Tab": "key",
    "Ctrl+PgDown": "key",
    "Ctrl+Shift+Tab": "key",
    "Ctrl+PgUp": "key",
    "Ctrl+Return": "key",
    "Ctrl+Enter": "key",
    "Ctrl+F": "key",
    "Ctrl+N": "key",
    "Ctrl+Q": "key",
    "Ctrl+S": "key",
    "Row": "a TypeVar's name",
    "Qt: ": "prefix of Qt's own messages copied to stderr (ui/error_hook.py)",
    # Samples measured to size columns (ui/widgets/columns.py, persons_page), never shown
    "Nom Prénom Nom": "width sample",
    "Marie-Hélène": "width sample",
    "Saint-Dizier": "width sample",
    "Orienté vers un partenaire": "width sample",
    # Stored civility codes, shown as they are stored
    "Mme": "stored code",
    # The title app/indicators gives a table, matched to attach its definition's tooltip
    "Heures par thème": "title matched from app/indicators",
}

# Calls whose string arguments are not screen words: error messages keyed by code
# (ui/messages.py), Qt object names, style sheets, type variables, and log lines.
NOT_WORDING_CALLS = {"register", "setObjectName", "setStyleSheet", "setProperty", "TypeVar"}
LOGGERS = {"log", "logger", "logging"}

_FRENCH_WORD = re.compile(
    r"(?i)(^|[\s'’(])(le|la|les|de|des|du|un|une|et|à|au|aux|pour|par|sur|dans|avec|ce|"
    r"cette|ces|est|sont|pas|ne|vous|votre|vos|aucun|aucune|en|ou|sans|son|sa|ses|qui|que|"
    r"l|d|n|qu|s)([\s'’,.:;!?)]|$)"
)


def looks_french(text: str) -> bool:
    """A literal a person would read in French (an approximation, tuned on ui/)."""
    stripped = text.strip()
    if not re.search(r"[A-Za-zÀ-ÿ]{2,}", stripped):
        return False
    if re.search(r"[À-ÿœŒ]", stripped):
        return True
    if re.match(r"[A-Z][a-z]|[A-Z]-[a-z]", stripped) and not re.fullmatch(
        r"[A-Za-z]+[_.][\w.]*", stripped
    ):
        return True
    return " " in stripped and bool(_FRENCH_WORD.search(stripped))


@dataclass(frozen=True)
class Literal:
    where: str
    text: str


def _call_name(call: ast.Call) -> tuple[str, str]:
    """(name of the called function, name of the object it is called on)."""
    func = call.func
    if isinstance(func, ast.Name):
        return func.id, ""
    if isinstance(func, ast.Attribute):
        owner = func.value
        return func.attr, owner.id if isinstance(owner, ast.Name) else ""
    return "", ""


def inline_words(source: str, where: str) -> list[Literal]:
    tree = ast.parse(source)
    skipped: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
        ):
            skipped.add(id(body[0].value))  # docstring
        if isinstance(node, ast.Call):
            name, owner = _call_name(node)
            if name in NOT_WORDING_CALLS or owner in LOGGERS:
                for inner in ast.walk(node):
                    skipped.add(id(inner))
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in skipped
            and node.value not in NOT_WORDING
            and looks_french(node.value)
        ):
            found.append(Literal(f"{where}:{node.lineno}", node.value))
    return found


def _widget_files() -> list[Path]:
    return [
        path
        for path in sorted(UI.rglob("*.py"))
        if "texts" not in path.relative_to(UI).parts[:1]
        and str(path.relative_to(ROOT)) not in CATALOGUES
    ]


def test_widget_files_hold_no_french_words_outside_the_catalogue() -> None:
    inline = [
        literal
        for path in _widget_files()
        for literal in inline_words(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    ]
    assert not inline, "French words to move into ui/texts/:\n" + "\n".join(
        f"  {lit.where}: {lit.text!r}" for lit in inline
    )


def test_allow_list_names_only_existing_files() -> None:
    """A moved or renamed file leaves the list, so the list only ever shrinks."""
    missing = sorted(f for f in CATALOGUES if not (ROOT / f).exists())
    assert not missing


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('QLabel("Aucune personne ne correspond.", self)', ["Aucune personne ne correspond."]),
        ('button.setText("Enregistrer")', ["Enregistrer"]),
        ('self.setWindowTitle(f"Entretien de suivi — {name}")', ["Entretien de suivi — "]),
        ('box.addRow("Note", edit)', ["Note"]),
        ("QLabel(texts.NOTE, self)", []),
        ('log.error("erreur inattendue")', []),
        ('self.setObjectName("duplicatePanel")', []),
        ('widget.setStyleSheet("font-size: 11px;")', []),
        ('register({"code": "Choix invalide."})', []),
        ('QShortcut(QKeySequence("Ctrl+Tab"), self)', []),
        ('"""Une docstring en français."""', []),
    ],
)
def test_the_scan_finds_words_and_leaves_code(source: str, expected: list[str]) -> None:
    assert [lit.text for lit in inline_words(source, "example.py")] == expected


def _catalogue_constants() -> list[tuple[str, str, str]]:
    found = []
    for path in sorted((UI / "texts").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                value = node.value
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    found.append((path.name, node.target.id, value.value))
    return found


def test_catalogue_templates_name_their_fields() -> None:
    """« {name} » says what goes where; a bare « {} » breaks when a translator reorders."""
    unnamed = [
        f"{module}: {name}"
        for module, name, text in _catalogue_constants()
        for _literal, field, _spec, _conversion in string.Formatter().parse(text)
        if field is not None and (field == "" or field.isdigit())
    ]
    assert not unnamed
    assert len(_catalogue_constants()) > 300  # the catalogue is read, not an empty glob

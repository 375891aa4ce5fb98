"""argparse in French, for ``python -m app`` and ``python -m siege`` (issue 14, item 9).

argparse words its help and errors through ``gettext`` (``argparse._`` and
``argparse.ngettext``, looked up when each text is written) precisely so they can be
translated; Python ships no French catalogue, and a ``.mo`` file would follow the
machine's ``LANG`` while these commands speak French everywhere. So :func:`parsing`
puts this small catalogue in place while a parser is built and reads its arguments,
and takes it away after: nothing else in the process sees it.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

# Python 3.11's argparse texts (Lib/argparse.py), in French.
FRENCH: dict[str, str] = {
    "usage: ": "utilisation : ",
    "positional arguments": "arguments",
    "options": "options",
    "subcommands": "commandes",
    "show this help message and exit": "afficher cette aide et quitter",
    "%(prog)s: error: %(message)s\n": "%(prog)s : erreur : %(message)s\n",
    "argument %(argument_name)s: %(message)s": "argument %(argument_name)s : %(message)s",
    "unrecognized arguments: %s": "arguments non reconnus : %s",
    "the following arguments are required: %s": "arguments obligatoires manquants : %s",
    "one of the arguments %s is required": "l'un des arguments %s est obligatoire",
    "not allowed with argument %s": "interdit avec l'argument %s",
    "ignored explicit argument %r": "argument explicite ignoré : %r",
    "expected one argument": "une valeur attendue",
    "expected at most one argument": "une valeur au plus attendue",
    "expected at least one argument": "au moins une valeur attendue",
    "ambiguous option: %(option)s could match %(matches)s": (
        "option ambiguë : %(option)s peut désigner %(matches)s"
    ),
    "invalid %(type)s value: %(value)r": "valeur invalide (%(type)s attendu) : %(value)r",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "choix invalide : %(value)r (choix possibles : %(choices)s)"
    ),
    "unknown parser %(parser_name)r (choices: %(choices)s)": (
        "commande inconnue %(parser_name)r (commandes possibles : %(choices)s)"
    ),
    "can't open '%(filename)s': %(error)s": "impossible d'ouvrir '%(filename)s' : %(error)s",
    "unexpected option string: %s": "option inattendue : %s",
}
FRENCH_PLURALS: dict[str, tuple[str, str]] = {
    "expected %s argument": ("%s valeur attendue", "%s valeurs attendues"),
}


def _gettext(text: Any) -> Any:
    # argparse also passes None (a subparsers group without a description).
    return FRENCH.get(text, text) if isinstance(text, str) else text


def _ngettext(singular: str, plural: str, n: int) -> str:
    if singular in FRENCH_PLURALS:
        one, many = FRENCH_PLURALS[singular]
        return one if n < 2 else many  # French: 0 and 1 are singular
    return singular if n == 1 else plural


@contextmanager
def french() -> Iterator[None]:
    """argparse speaks French inside this block (building a parser and parsing)."""
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._, argparse.ngettext = _gettext, _ngettext  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]


def parse(build: Any, argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Build the parser with ``build()`` and read ``argv``, both in French (``--help``
    and errors exit from here, as argparse does)."""
    with french():
        parser: argparse.ArgumentParser = build()
        return parser.parse_args(argv)

"""Every error code the core raises has its French words (issue 14, item 11).

The core raises typed errors carrying a code (app/errors.py); ui/messages.py and the
areas' registrations turn codes into French. A code without words reaches the user as
« Valeur invalide. » or « Cette action n'est pas possible dans l'état actuel. », which
says nothing. The codes are read from the source with ``ast``, so a new ``raise`` with
a new code fails here until its message is written.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# The core's own error classes: what subclasses these (found below) raises codes a
# person may read. ValueError, KeyError… are programming errors, never shown as such.
BASES = {"PermanenceError", "NotFoundError", "ConflictError", "ProfileError"}


@dataclass(frozen=True)
class Raised:
    code: str
    where: str  # path:line, for the failure message
    field: bool  # a FieldError code (ValidationError), else an error code


def _str(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _trees() -> list[tuple[str, ast.Module]]:
    return [
        (str(path.relative_to(ROOT)), ast.parse(path.read_text(encoding="utf-8")))
        for path in sorted((ROOT / "app").rglob("*.py"))
    ]


def _error_classes(trees: list[tuple[str, ast.Module]]) -> dict[str, str]:
    """Every class of the core that is (transitively) a PermanenceError -> its default code."""
    classes: dict[str, tuple[list[str], str | None]] = {}
    for _where, tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                default = None
                for item in node.body:
                    if isinstance(item, ast.Assign | ast.AnnAssign):
                        targets = item.targets if isinstance(item, ast.Assign) else [item.target]
                        if any(_name(t) == "code" for t in targets):
                            default = _str(item.value)
                classes[node.name] = ([_name(b) for b in node.bases], default)
    found = {name: classes[name][1] or "" for name in BASES if name in classes}
    grew = True
    while grew:
        grew = False
        for name, (bases, default) in classes.items():
            if name not in found and any(b in found for b in bases):
                found[name] = default or found[next(b for b in bases if b in found)]
                grew = True
    return found


def raised_codes() -> tuple[list[Raised], list[str]]:
    """The literal codes raised in app/, and where a code is not a literal (unchecked)."""
    trees = _trees()
    classes = _error_classes(trees)
    raised: list[Raised] = []
    dynamic: list[str] = []
    for where, tree in trees:
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            at = f"{where}:{node.lineno}"
            callee = _name(node.func)
            args = node.args
            if callee in classes and callee != "ValidationError":
                keyword = next((k.value for k in node.keywords if k.arg == "code"), None)
                code_node = args[0] if args else keyword
                # No code given: the class's own (``NotFoundError()`` is "not_found").
                code = classes[callee] if code_node is None else _str(code_node)
                if code is None:
                    dynamic.append(at)
                else:
                    raised.append(Raised(code, at, False))
            elif callee in ("single", "FieldError", "add") and len(args) >= 2:
                # ValidationError.single(field, code) / FieldError(field, code) /
                # Collector.add(field, code): two literal strings (session.add(obj) has one).
                if _str(args[0]) is not None or callee != "add":
                    code = _str(args[1])
                    if code is None:
                        dynamic.append(at)
                    else:
                        raised.append(Raised(code, at, True))
            elif callee == "check" and len(args) >= 3 and _str(args[1]) is not None:
                code = _str(args[2])  # Collector.check(condition, field, code)
                if code is None:
                    dynamic.append(at)
                else:
                    raised.append(Raised(code, at, True))
    return raised, dynamic


def _messages() -> tuple[dict[str, str], dict[str, str]]:
    """The message tables once every area has registered its words: the ui modules
    register theirs on import (ui/messages.py ``register``)."""
    import ui

    for module in pkgutil.walk_packages(ui.__path__, "ui."):
        importlib.import_module(module.name)
    from ui.messages import ERROR_MESSAGES, FIELD_MESSAGES

    return FIELD_MESSAGES, ERROR_MESSAGES


def test_the_scan_finds_the_codes_it_is_meant_to_find() -> None:
    raised, _dynamic = raised_codes()
    codes = {(r.code, r.field) for r in raised}
    # One of each shape: a class default, raise X("code"), .single(…, "code"), .add(…, "code").
    assert ("not_found", False) in codes
    assert ("person_has_invoices", False) in codes
    assert ("choose_entrepreneur_first", True) not in codes  # raised in ui/, not app/
    assert ("required", True) in codes
    assert len(raised) > 100


@pytest.mark.parametrize("field", [True, False], ids=["field codes", "error codes"])
def test_every_code_raised_in_app_has_a_french_message(field: bool) -> None:
    field_messages, error_messages = _messages()
    table = field_messages if field else error_messages
    raised, _dynamic = raised_codes()
    missing = sorted(
        {f"{r.code} ({r.where})" for r in raised if r.field == field and r.code not in table}
    )
    assert not missing, "codes sans message en français :\n" + "\n".join(missing)


def test_every_message_is_french_text() -> None:
    field_messages, error_messages = _messages()
    for code, text in {**field_messages, **error_messages}.items():
        assert text.strip() and text != code, code


def test_codes_built_at_run_time_have_their_messages_too() -> None:
    """The few codes the scan cannot read as literals: taken from their tables."""
    from app.invoicing.cae_identity import MANDATORY_FOR_INVOICES
    from app.invoicing.french_rules import FIELDS

    field_messages, _errors = _messages()
    built = {code for _rule, _field, code in FIELDS}
    built |= {f"missing_cae_{name}" for name in MANDATORY_FOR_INVOICES}
    # app/invoicing/einvoicing.py address_problem's answers.
    built |= {
        "invalid_einvoicing_address",
        "einvoicing_address_too_long",
        "einvoicing_address_not_of_siren",
    }
    assert sorted(built - field_messages.keys()) == []
    _raised, dynamic = raised_codes()
    # Each non-literal code is one of the sites above, or passes a code already checked
    # (a sub-form's errors re-filed, PossibleDuplicateError, the profile's three codes).
    assert len(dynamic) <= 10, dynamic

"""Typed errors raised by the core.

The core never writes text for the user: each error carries a machine code and
the data needed to explain it. ``ui/messages.py`` turns codes into French.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass


class PermanenceError(Exception):
    """Base of every error the core raises on purpose."""

    code: str = "error"

    def __init__(self, code: str | None = None, **details: object) -> None:
        self.code = code or type(self).code
        self.details = details
        super().__init__(self.code, details)


@dataclass(frozen=True)
class FieldError:
    """One invalid field: ``field`` is the attribute name, ``code`` the reason."""

    field: str
    code: str
    params: dict[str, object] = dataclasses.field(default_factory=dict)


class ValidationError(PermanenceError):
    """Input refused; ``errors`` lists every invalid field so forms can show them all."""

    code = "validation"

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        super().__init__(self.code, fields=[e.field for e in errors])

    @classmethod
    def single(cls, field_name: str, code: str, **params: object) -> ValidationError:
        return cls([FieldError(field_name, code, dict(params))])


class NotFoundError(PermanenceError):
    code = "not_found"


class ConflictError(PermanenceError):
    """The action contradicts the current state (e.g. editing an issued invoice)."""

    code = "conflict"


class ProfileError(PermanenceError):
    """The profile cannot be opened; ``code`` says why (not_a_database, too_new, locked, ...)."""

    code = "profile"


class Collector:
    """Gathers field errors so a form reports all of them at once."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def add(self, field_name: str, code: str, **params: object) -> None:
        self.errors.append(FieldError(field_name, code, dict(params)))

    def check(self, condition: bool, field_name: str, code: str, **params: object) -> None:
        if not condition:
            self.add(field_name, code, **params)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)

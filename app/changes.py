"""What a user action (or a sync run) changed, as one typed value.

Like Anki's ``OpChanges`` (ankitects/anki: ``qt/aqt/operations/__init__.py``): the screen
that ran an operation broadcasts one ``Changes`` through the UI's hub, and every open view
reads the flags it shows to decide whether to refresh. A typo in a flag is a type error,
not a notice nobody hears (the string "areas" it replaces had "all", listened to and never
sent). Qt-free, so services and tests can build and compare them.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace


@dataclass(frozen=True, slots=True)
class Changes:
    persons: bool = False  # a person's identity, situation, follow-up fields or alerts
    interviews: bool = False  # intake and follow-up interviews
    parcours: bool = False  # stages (CAPE, CESA…) of a person's path
    agenda: bool = False  # appointments
    workshops: bool = False  # sessions, their registrations, the catalogue
    attendance: bool = False  # presence marks of a session (rates, hours)
    invoices: bool = False  # invoices and credit notes (drafts, issues)
    payments: bool = False  # payments recorded or cancelled (balances, « reste dû »)
    clients: bool = False  # invoicing clients
    options: bool = False  # the option lists (listes de choix)
    cae_identity: bool = False  # the CAE's legal identity
    permanence_of_the_day: bool = False  # which permanence the laptop holds today
    remote: bool = False  # rows written by another device arrived (a sync run)

    @classmethod
    def everything(cls, *, remote: bool = False) -> Changes:
        """Every flag set: what a sync run that brought rows may have touched."""
        return cls(**{f.name: True for f in fields(cls) if f.name != "remote"}, remote=remote)

    def __or__(self, other: Changes) -> Changes:
        return Changes(
            **{f.name: getattr(self, f.name) or getattr(other, f.name) for f in fields(self)}
        )

    def __bool__(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))

    def touches(self, other: Changes) -> bool:
        """Whether any flag set in ``other`` (what a view shows) is set here."""
        return any(getattr(self, f.name) and getattr(other, f.name) for f in fields(self))

    def without(self, other: Changes) -> Changes:
        """These changes less the flags set in ``other``."""
        return replace(self, **{f.name: False for f in fields(self) if getattr(other, f.name)})

    def names(self) -> frozenset[str]:
        """The set flags' names (for logs and test messages)."""
        return frozenset(f.name for f in fields(self) if getattr(self, f.name))

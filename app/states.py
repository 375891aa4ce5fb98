"""The domain's closed sets of states, typed (docs/architecture.md, "Typed states").

Each member *is* its stored string (``StrEnum``): the database keeps the values it
always had ("emise", "cape"…), no migration is needed, and a comparison with a value
read back from the database works as before. Code names the member, never the
literal, so a typo is a type error and every use is found by name.
"""

from __future__ import annotations

from enum import StrEnum


class InvoiceStatus(StrEnum):
    DRAFT = "brouillon"
    ISSUED = "emise"


class InvoiceKind(StrEnum):
    INVOICE = "facture"
    CREDIT_NOTE = "avoir"


class ClientKind(StrEnum):
    BUSINESS = "entreprise"
    PRIVATE = "particulier"


class StageKind(StrEnum):
    """Parcours stages (docs/glossary.md): intake, diagnostic, CAPE, entrepreneur
    salarié, associé, exit."""

    ACCUEIL = "accueil"
    DIAGNOSTIC = "diagnostic"
    CAPE = "cape"
    SALARIE = "salarie"
    ASSOCIE = "associe"
    SORTIE = "sortie"


# Stages during which a person is accompanied by the CAE, and those of a salaried one.
ACCOMPANIED_STAGES = (StageKind.CAPE, StageKind.SALARIE, StageKind.ASSOCIE)
SALARIED_STAGES = (StageKind.SALARIE, StageKind.ASSOCIE)


class IntakeDecision(StrEnum):
    ADMITTED = "admis"
    REDIRECTED = "oriente"
    THINKING = "reflexion"
    NOT_RETAINED = "non_retenu"


class AttendanceMark(StrEnum):
    EXPECTED = "attendu"
    PRESENT = "present"
    ABSENT = "absent"
    EXCUSED = "excuse"


class RegistrationStatus(StrEnum):
    REGISTERED = "inscrit"
    WAITING_LIST = "liste_attente"
    CANCELLED = "annule"


class SyncOutcome(StrEnum):
    """How a recorded sync run ended (``sync_run.outcome``); other values are the
    code of the error that stopped it (``SyncError.code``)."""

    RUNNING = "running"
    OK = "ok"
    REFUSED = "refused"
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"
    ERROR = "error"

"""Who may edit what on this laptop (issue 14, item 10), in the words shown to the user.

The CAE's legal identity and the option lists belong to the siège's staff
(docs/authority.md: written by siège devices only). The laptop knows its role from the
siège (app/sync/role.py); an accompagnateur's laptop shows those screens read-only and
says why, rather than letting the user type changes the siège would refuse. A laptop
not enrolled yet edits them: it is alone and must set itself up.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from app.sync.role import DeviceRole, laptop_role
from ui.context import AppContext
from ui.texts import cae_options


class Subject(StrEnum):
    CAE_IDENTITY = "cae_identity"
    OPTION_LISTS = "option_lists"


# (accompagnateur, role not known yet, laptop alone) for each subject.
NOTES: dict[Subject, tuple[str, str, str]] = {
    Subject.CAE_IDENTITY: (
        cae_options.IDENTITY_READ_ONLY_ACCOMPAGNATEUR,
        cae_options.IDENTITY_READ_ONLY_NO_ROLE,
        cae_options.IDENTITY_NOT_ENROLLED,
    ),
    Subject.OPTION_LISTS: (
        cae_options.OPTIONS_READ_ONLY_ACCOMPAGNATEUR,
        cae_options.OPTIONS_READ_ONLY_NO_ROLE,
        cae_options.OPTIONS_NOT_ENROLLED,
    ),
}


@dataclass(frozen=True)
class Rights:
    editable: bool
    note: str


def reference_rights(ctx: AppContext, subject: Subject) -> Rights:
    """May the user edit ``subject`` here, and the sentence that says why or why not."""
    state = laptop_role(ctx.profile)
    accompagnateur, unknown, alone = NOTES[subject]
    if not state.enrolled:
        return Rights(True, alone)
    if state.role is DeviceRole.SIEGE:
        return Rights(True, cae_options.SIEGE_EDITS_SENT)
    return Rights(False, unknown if state.role is None else accompagnateur)

"""French wording of the workshops area's codes, in one place (issue 14, item 11): the
Ateliers screens (ui/pages/workshops_texts.py) and the sheets and attestations
(app/pdf/workshop_blocks.py) read them here.

Keyed by the typed states of app/states.py where the domain has one.
"""

from __future__ import annotations

from app.states import AttendanceMark, RegistrationStatus

# Activity kinds (app/workshops/workshop_values.py KINDS).
KIND_LABELS: dict[str, str] = {
    "atelier": "Atelier collectif",
    "reunion": "Réunion coopérative",
    "manifestation": "Manifestation",
}
# A cell of the attendance grid on screen: short, the column says who.
STATE_LABELS: dict[str, str] = {
    AttendanceMark.EXPECTED: "Attendu",
    AttendanceMark.PRESENT: "Présent",
    AttendanceMark.ABSENT: "Absent",
    AttendanceMark.EXCUSED: "Excusé",
}
# The same states on a filled sheet or an attestation, where an auditor reads them.
SHEET_STATE_LABELS: dict[str, str] = {
    AttendanceMark.EXPECTED: "Non renseignée",
    AttendanceMark.PRESENT: "Présent(e)",
    AttendanceMark.ABSENT: "Absent(e)",
    AttendanceMark.EXCUSED: "Excusé(e)",
}
# Agreed with the person's civility where it is known; "(e)" only when it is not.
GENDERED_STATE_LABELS: dict[str, dict[str, str]] = {
    "Mme": {
        AttendanceMark.PRESENT: "Présente",
        AttendanceMark.ABSENT: "Absente",
        AttendanceMark.EXCUSED: "Excusée",
    },
    "M.": {
        AttendanceMark.PRESENT: "Présent",
        AttendanceMark.ABSENT: "Absent",
        AttendanceMark.EXCUSED: "Excusé",
    },
}
REGISTRATION_LABELS: dict[str, str] = {
    RegistrationStatus.REGISTERED: "Inscrit(e)",
    RegistrationStatus.WAITING_LIST: "Liste d'attente",
    RegistrationStatus.CANCELLED: "Annulée",
}
NO_THEME = "Sans thème"

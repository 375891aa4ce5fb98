"""Words shared by several areas: buttons, the field names every area uses, the date and time
fields, record stamps, exports.

A word lives here only when it means the same thing everywhere it is shown; a screen's own
words are in its area's module. See docs/architecture.md §3, "Where wording lives".
"""

from __future__ import annotations

from typing import Final

# Buttons
SAVE: Final[str] = "Enregistrer"
CANCEL: Final[str] = "Annuler"
CLOSE: Final[str] = "Fermer"
OPEN: Final[str] = "Ouvrir"

# Field names and column headers
DATE: Final[str] = "Date"
PERMANENCE: Final[str] = "Permanence"
ANTENNE: Final[str] = "Antenne"
ACCOMPAGNATEUR: Final[str] = "Accompagnateur"
TOWN: Final[str] = "Commune"
TYPE: Final[str] = "Type"
NAME: Final[str] = "Nom"
FIRST_NAME: Final[str] = "Prénom"
ADDRESS: Final[str] = "Adresse"
POSTCODE: Final[str] = "Code postal"
PHONE: Final[str] = "Téléphone"
PERSON: Final[str] = "Personne"
NOTE: Final[str] = "Note"
NOTES: Final[str] = "Notes"
LABEL: Final[str] = "Intitulé"
AMOUNT: Final[str] = "Montant"
NUMBER: Final[str] = "Numéro"
DESCRIPTION: Final[str] = "Description"
STATE: Final[str] = "État"
EMAIL: Final[str] = "E-mail"
ENTREPRENEUR: Final[str] = "Entrepreneur"
VAT_NUMBER: Final[str] = "N° TVA intracommunautaire"

# Window titles: the application's name heads every message box
APP_NAME: Final[str] = "Permanence"

# Suffix of an option or place no longer offered for new records
DISABLED_SUFFIX: Final[str] = " (désactivé)"

# Date and time fields (ui/widgets/date_time_fields.py)
DATE_HINT: Final[str] = "jj/mm/aaaa, par ex. 12/03/1985 ou 12031985"
TIME_HINT: Final[str] = "par ex. 9h30 ou 09:30"
END_BEFORE_START: Final[str] = "La fin ({end}) est avant le début ({start})."
FIELD_REQUIRED: Final[str] = "Ce champ est obligatoire."
DATE_NOT_UNDERSTOOD: Final[str] = f"Date non reconnue : tapez {DATE_HINT}."
NO_SUCH_DATE: Final[str] = "Cette date n'existe pas : {day:02d}/{month:02d}/{year}."
TIME_NOT_UNDERSTOOD: Final[str] = f"Heure non reconnue : tapez {TIME_HINT}."
NO_SUCH_TIME: Final[str] = "Cette heure n'existe pas : {hour:02d}:{minute:02d}."
DATE_TOOLTIP: Final[str] = f"Tapez {DATE_HINT}."
TIME_TOOLTIP: Final[str] = f"Tapez l'heure, {TIME_HINT}."
PICK_IN_CALENDAR: Final[str] = "Choisir dans le calendrier"

# Charts
NO_DATA_FOR_PERIOD: Final[str] = "Aucune donnée pour cette période."
CHART_MAXIMUM: Final[str] = "max. {value}"

# Who changed a record last ({stamp}: name and local time, ui/messages_people.py stamp)
LAST_CHANGED_BY: Final[str] = "Dernière modification par {stamp}"
CHANGED_BY: Final[str] = "Modifié par {stamp}"

# File dialogs and exports
PNG_IMAGES: Final[str] = "Images PNG (*.png)"
SPREADSHEET_FILTER_XLSX_ONLY: Final[str] = "Classeur Excel (*.xlsx)"
SPREADSHEET_FILTER_XLSX_FIRST: Final[str] = "Classeur Excel (*.xlsx);;CSV pour Excel (*.csv)"
SPREADSHEET_FILTER_CSV_FIRST: Final[str] = "CSV pour Excel (*.csv);;Classeur Excel (*.xlsx)"
EXPORT_RUNNING: Final[str] = "Export en cours…"

# A generated document (ui/widgets/documents.py): where it is, open, open its folder, print
DOCUMENT_SAVED: Final[str] = "Document enregistré"
DOCUMENT_SAVED_WHERE: Final[str] = "<b>{name}</b><br>est enregistré dans :<br>{folder}"
OPEN_FOLDER: Final[str] = "Ouvrir le dossier"
PRINT: Final[str] = "Imprimer"
NO_VIEWER: Final[str] = (
    "Aucun programme n'a pu ouvrir « {name} ».\n\n"
    "Installez un lecteur de PDF (par exemple celui de votre navigateur) ; le document est "
    "enregistré ici :\n{path}"
)
NO_FOLDER: Final[str] = (
    "Le dossier n'a pas pu être ouvert. Le document est enregistré ici :\n{path}"
)
NO_PRINTER: Final[str] = (
    "L'impression directe n'est pas possible sur cet ordinateur (aucun service d'impression "
    "trouvé). Ouvrez le document puis imprimez-le depuis le lecteur de PDF."
)
PRINT_SENT: Final[str] = "« {name} » a été envoyé à l'imprimante par défaut."

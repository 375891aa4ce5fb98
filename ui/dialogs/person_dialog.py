"""Fiche personne: create or edit a person; possible duplicates are shown in the dialog with
a button to open the existing record instead."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app import formatting
from app.changes import Changes
from app.people import persons
from app.people.persons import DuplicateCandidate, PersonDetail, PersonInput
from app.reference import reference
from app.validation import display_phone
from ui.context import AppContext
from ui.dialogs.form_writes import save_button, write_form
from ui.dialogs.people_widgets import (
    OptionalDateEdit,
    fill_combo,
    option_items,
    staff_items,
    text_area,
)
from ui.messages_people import DUPLICATE_REASONS, stamp
from ui.operations import QueryOp
from ui.style import ON_PASTEL, muted_css
from ui.texts import accueil, common
from ui.widgets.date_time_fields import refuse_bad_input
from ui.widgets.forms import FormErrors, dialog_frame, show_failure


class DuplicatePanel(QFrame):
    """Shown when the person may already exist: pick a record to open, or go on creating."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("duplicatePanel")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        # A light panel whatever the theme, so its text is dark too (ui/style.py).
        self.setStyleSheet(
            "#duplicatePanel { background: #fff4e5; }"
            f" #duplicatePanel QLabel {{ color: {ON_PASTEL.name()}; }}"
        )
        self.title = QLabel(accueil.DUPLICATE_MAY_EXIST, self)
        self.list = QListWidget(self)
        self.list.setMaximumHeight(90)
        self.list.setWordWrap(True)
        self.open_button = QPushButton(accueil.OPEN_EXISTING_RECORD, self)
        self.create_button = QPushButton(accueil.NOT_THE_SAME_PERSON_CREATE, self)
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.create_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.list)
        layout.addLayout(buttons)
        self.hide()

    def show_candidates(self, candidates: list[DuplicateCandidate]) -> None:
        self.list.clear()
        for c in candidates:
            facts = [formatting.date(c.birth_date), c.city, c.email, display_phone(c.phone)]
            reasons = ", ".join(DUPLICATE_REASONS.get(r, r) for r in c.reasons)
            text = f"{c.last_name.upper()} {c.first_name} — {' · '.join(f for f in facts if f)}"
            item = QListWidgetItem(f"{text} ({reasons})", self.list)
            item.setData(Qt.ItemDataRole.UserRole, c.id)
        self.list.setCurrentRow(0)
        self.setVisible(bool(candidates))

    def selected_id(self) -> str | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None


class PersonDialog(QDialog):
    """After ``exec()``: ``saved`` is the record written, or ``open_existing_id`` the
    duplicate the user chose to open instead."""

    def __init__(
        self, ctx: AppContext, person: PersonDetail | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.person = person
        self.saved: PersonDetail | None = None
        self.open_existing_id: str | None = None
        self._duplicates_confirmed = False
        self.setWindowTitle(accueil.EDIT_RECORD_TITLE if person else accueil.NEW_PERSON_TITLE)
        self.setMinimumWidth(620)
        self.errors = FormErrors()
        self._build()
        if person is not None:
            self._load(person)
        else:
            fill_combo(self.antenne, self._antennes(), ctx.profile.settings.antenne_id)
            fill_combo(
                self.referent,
                staff_items(ctx.uow.reading()),
                ctx.profile.settings.accompagnateur_id,
            )

    # Layout --------------------------------------------------------------------
    def _build(self) -> None:
        uow = self.ctx.uow.reading()  # opening never waits behind a sync being applied
        self.civility = QComboBox(self)
        fill_combo(self.civility, [("", "—"), ("Mme", "Mme"), ("M.", "M.")])
        self.first_name = QLineEdit(self)
        self.last_name = QLineEdit(self)
        self.birth_date = OptionalDateEdit(self)
        self.email = QLineEdit(self)
        self.phone = QLineEdit(self)
        self.phone.setPlaceholderText("06 12 34 56 78")
        self.address = QLineEdit(self)
        self.postcode = QLineEdit(self)
        self.postcode.setMaxLength(5)
        self.city = QLineEdit(self)
        self.antenne = QComboBox(self)
        fill_combo(self.antenne, self._antennes())
        self.referent = QComboBox(self)
        fill_combo(self.referent, staff_items(uow))
        self.situation = QComboBox(self)
        fill_combo(self.situation, option_items(uow, "situation"))
        self.prescriber = QComboBox(self)
        fill_combo(self.prescriber, option_items(uow, "prescriber"))
        self.sector = QComboBox(self)
        fill_combo(self.sector, option_items(uow, "sector"))
        self.activity_name = QLineEdit(self)
        self.analytic_code = QLineEdit(self)
        self.notes = text_area(self)
        self.notes.setPlaceholderText(accueil.PERSON_NOTES_PLACEHOLDER)
        form = QFormLayout()
        rows: list[tuple[str, str, QWidget]] = [
            (accueil.CIVILITY, "civility", self.civility),
            (accueil.FIRST_NAME_REQUIRED, "first_name", self.first_name),
            (accueil.LAST_NAME_REQUIRED, "last_name", self.last_name),
            (accueil.BIRTH_DATE, "birth_date", self.birth_date),
            (common.EMAIL, "email", self.email),
            (common.PHONE, "phone", self.phone),
            (common.ADDRESS, "address", self.address),
            (common.POSTCODE, "postcode", self.postcode),
            (common.TOWN, "city", self.city),
            (common.ANTENNE, "antenne_id", self.antenne),
            (accueil.REFERENT, "referent_id", self.referent),
            (accueil.ENTRY_SITUATION, "situation_code", self.situation),
            (accueil.PRESCRIBER, "prescriber_code", self.prescriber),
            (accueil.SECTOR, "sector_code", self.sector),
            (accueil.ACTIVITY_NAME, "activity_name", self.activity_name),
            (accueil.ANALYTIC_CODE, "analytic_code", self.analytic_code),
            (common.NOTES, "notes", self.notes),
        ]
        for label, name, widget in rows:
            self.errors.add_row(form, label, name, widget)
        self.duplicates = DuplicatePanel(self)
        self.duplicates.open_button.clicked.connect(self._open_existing)
        self.duplicates.create_button.clicked.connect(self._create_anyway)
        self.stamp_label = QLabel(self)
        self.stamp_label.setStyleSheet(muted_css())
        frame = dialog_frame(self, [self.duplicates, form, self.stamp_label], self.save)
        self.general_error = frame.general_error
        self.buttons = frame.buttons
        self.save_button = save_button(frame.buttons)
        if self.person is None:
            # Look for duplicates as soon as the identifying fields are typed, not only at save.
            for edit in (self.last_name, self.first_name, self.email, self.phone):
                edit.editingFinished.connect(self.check_duplicates)
            self.birth_date.editingFinished.connect(self.check_duplicates)

    def _antennes(self) -> list[tuple[str | None, str]]:
        return [(None, "—")] + [
            (a.id, a.name) for a in reference.list_antennes(self.ctx.uow.reading())
        ]

    def _load(self, p: PersonDetail) -> None:
        fill_combo(self.civility, [("", "—"), ("Mme", "Mme"), ("M.", "M.")], p.civility)
        self.first_name.setText(p.first_name)
        self.last_name.setText(p.last_name)
        self.birth_date.set_value(p.birth_date)
        self.email.setText(p.email)
        self.phone.setText(display_phone(p.phone))
        self.address.setText(p.address)
        self.postcode.setText(p.postcode)
        self.city.setText(p.city)
        fill_combo(self.antenne, self._antennes(), p.antenne_id)
        reads = self.ctx.uow.reading()
        fill_combo(self.referent, staff_items(reads), p.referent_id)
        for combo, kind, value in (
            (self.situation, "situation", p.situation_code),
            (self.prescriber, "prescriber", p.prescriber_code),
            (self.sector, "sector", p.sector_code),
        ):
            fill_combo(combo, option_items(reads, kind), value)
        self.activity_name.setText(p.activity_name)
        self.analytic_code.setText(p.analytic_code)
        self.notes.setPlainText(p.notes)
        self.stamp_label.setText(
            accueil.PERSON_STAMP.format(
                created=stamp(p.created_by, p.created_at),
                updated=stamp(p.updated_by, p.updated_at),
            )
        )

    # Actions -------------------------------------------------------------------
    def value(self) -> PersonInput:
        return PersonInput(
            civility=self.civility.currentData() or "",
            first_name=self.first_name.text(),
            last_name=self.last_name.text(),
            birth_date=self.birth_date.value(),
            email=self.email.text(),
            phone=self.phone.text(),
            address=self.address.text(),
            postcode=self.postcode.text(),
            city=self.city.text(),
            antenne_id=self.antenne.currentData(),
            referent_id=self.referent.currentData(),
            situation_code=self.situation.currentData() or "",
            prescriber_code=self.prescriber.currentData() or "",
            sector_code=self.sector.currentData() or "",
            activity_name=self.activity_name.text(),
            analytic_code=self.analytic_code.text(),
            notes=self.notes.toPlainText(),
        )

    def check_duplicates(self) -> None:
        if self._duplicates_confirmed:
            return
        data = self.value()
        if not (data.last_name.strip() and data.first_name.strip()) and not (
            data.email.strip() or data.phone.strip()
        ):
            return
        reads = self.ctx.uow.reading()
        QueryOp(
            self.ctx,
            parent=self,
            op=lambda: persons.find_duplicates(reads, data),
            success=self._maybe_duplicates,
        ).run_in_background()

    def _maybe_duplicates(self, candidates: list[DuplicateCandidate]) -> None:
        if not self._duplicates_confirmed:
            self.duplicates.show_candidates(candidates)

    def save(self) -> None:
        """Create or update the record off the GUI thread; the dialog closes once saved."""
        if not self.save_button.isEnabled():
            return  # already saving
        self.errors.clear()
        self.general_error.hide()
        if refuse_bad_input(self):  # a date not understood: said under it, nothing saved
            return
        uow, data, person = self.ctx.uow, self.value(), self.person
        confirmed = self._duplicates_confirmed

        def write() -> PersonDetail:
            if person is None:
                return persons.create_person(uow, data, allow_duplicate=confirmed)
            return persons.update_person(uow, person.id, data)

        write_form(
            self.ctx,
            self,
            op=write,
            changes=Changes(persons=True),
            success=self._saved,
            errors=self.errors,
            general_error=self.general_error,
            busy=self.save_button,
        ).failure(self._refused).run_in_background()

    def _saved(self, detail: PersonDetail) -> None:
        self.saved = detail
        self.accept()

    def _refused(self, error: BaseException) -> None:
        if isinstance(error, persons.PossibleDuplicateError):
            self.duplicates.show_candidates(error.candidates)
            self.duplicates.open_button.setFocus()
            return
        show_failure(self.errors, self.general_error, error)

    def _open_existing(self) -> None:
        self.open_existing_id = self.duplicates.selected_id()
        if self.open_existing_id:
            self.accept()

    def _create_anyway(self) -> None:
        answer = QMessageBox.question(
            self,
            accueil.CREATE_NEW_RECORD,
            accueil.CREATE_DESPITE_DUPLICATE,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.confirm_not_duplicate()

    def confirm_not_duplicate(self) -> None:
        self._duplicates_confirmed = True
        self.duplicates.hide()
        self.save()

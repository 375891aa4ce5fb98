"""Session editor: kind, exact title, theme, half-day slots, place, animateurs, capacity, funders."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.changes import Changes
from app.clock import today
from app.reference import reference
from app.workshops import workshop_catalogue, workshops
from app.workshops.workshop_values import AFTERNOON, MORNING, SessionDetail, SessionInput, SlotInput
from ui.context import AppContext
from ui.dialogs.form_writes import save_button, write_form
from ui.messages import register
from ui.pages.workshops_texts import KIND_LABELS, NO_THEME
from ui.texts import ateliers, common
from ui.widgets.date_time_fields import DateField, TimeField, not_before, refuse_bad_input
from ui.widgets.forms import FormErrors, dialog_frame, tab_in_layout_order
from ui.widgets.screen import fit_to_screen

register(field_messages={"invalid_operation_ref": ateliers.INVALID_OPERATION_REF})

HALF_DAY_MINUTES = 210


def _next_working_day(day: dt.date) -> dt.date:
    day += dt.timedelta(days=1)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


class SlotRow(QWidget):
    def __init__(self, slot: SlotInput, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.slot_id = slot.id
        self.day = DateField(self, slot.starts_at.date())
        self.start = TimeField(self, slot.starts_at.time())
        self.end = TimeField(self, slot.ends_at.time())
        not_before(self.end, self.start, common.END_BEFORE_START)
        self.remove = QPushButton(ateliers.REMOVE_SLOT, self)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.day)
        layout.addWidget(QLabel("de", self))
        layout.addWidget(self.start)
        layout.addWidget(QLabel("à", self))
        layout.addWidget(self.end)
        layout.addWidget(self.remove)
        layout.setAlignment(Qt.AlignmentFlag.AlignTop)  # a field's reason opens beneath it

    def value(self) -> SlotInput:
        # Fields not understood (refused at saving, see refuse_bad_input) read as the
        # usual morning, so that "+ Matin" can still find the next free half-day.
        day = self.day.value() or today()
        start = self.start.value() or MORNING[0]
        end = self.end.value() or MORNING[1]
        return SlotInput(
            dt.datetime.combine(day, start), dt.datetime.combine(day, end), self.slot_id
        )


class SlotsEditor(QWidget):
    """The half-day slots; "+ Matin" / "+ Après-midi" add the usual hours after the last day."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[SlotRow] = []
        self.rows_layout = QVBoxLayout()
        self.rows_layout.setContentsMargins(0, 0, 0, 0)
        self.add_morning = QPushButton(ateliers.ADD_MORNING, self)
        self.add_afternoon = QPushButton(ateliers.ADD_AFTERNOON, self)
        self.add_morning.clicked.connect(lambda: self.add_default(MORNING))
        self.add_afternoon.clicked.connect(lambda: self.add_default(AFTERNOON))
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_morning)
        buttons.addWidget(self.add_afternoon)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.rows_layout)
        layout.addLayout(buttons)
        self.default_day = today()

    def add(self, slot: SlotInput) -> SlotRow:
        row = SlotRow(slot, self)
        row.remove.clicked.connect(lambda: self.remove(row))
        self.rows.append(row)
        self.rows_layout.addWidget(row)
        tab_in_layout_order(self.window())  # the new row's fields follow the rows above
        return row

    def add_default(self, span: tuple[dt.time, dt.time]) -> SlotRow:
        """The usual hours on the last day, or on the next working day if already taken."""
        day = self.rows[-1].value().starts_at.date() if self.rows else self.default_day
        taken = {(r.value().starts_at.date(), r.value().starts_at.time()) for r in self.rows}
        while (day, span[0]) in taken:
            day = _next_working_day(day)
        return self.add(
            SlotInput(dt.datetime.combine(day, span[0]), dt.datetime.combine(day, span[1]))
        )

    def plan(self, minutes: int) -> None:
        """Replace the slots by enough half-days for ``minutes`` (a theme's usual length)."""
        for row in list(self.rows):
            self.remove(row)
        half_days = max(1, -(-minutes // HALF_DAY_MINUTES))
        for index in range(half_days):
            self.add_default(MORNING if index % 2 == 0 else AFTERNOON)

    def remove(self, row: SlotRow) -> None:
        self.rows.remove(row)
        row.setParent(None)
        row.deleteLater()

    def values(self) -> list[SlotInput]:
        return [row.value() for row in self.rows]


class WorkshopSessionDialog(QDialog):
    def __init__(
        self,
        ctx: AppContext,
        detail: SessionDetail | None = None,
        *,
        kind: str = "atelier",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.detail = detail
        self.saved_id: str | None = None
        self.setWindowTitle(ateliers.EDIT_SESSION_TITLE if detail else ateliers.NEW_SESSION_TITLE)
        fit_to_screen(self, 640, 640)
        self.errors = FormErrors()
        form = QFormLayout()
        self.kind = QComboBox(self)
        for code, label in KIND_LABELS.items():
            self.kind.addItem(label, code)
        self.title_edit = QLineEdit(self)
        self.title_edit.setPlaceholderText(ateliers.SESSION_TITLE_PLACEHOLDER)
        self.theme = QComboBox(self)
        self.theme.addItem(NO_THEME, None)
        self.themes = workshop_catalogue.list_themes(ctx.uow.reading())
        for theme in self.themes:
            self.theme.addItem(theme.name, theme.id)
        self.slots = SlotsEditor(self)
        self.place = self._place_widget()
        self.animateurs = QLineEdit(self)
        self.animateurs.setPlaceholderText(ateliers.ANIMATEURS_PLACEHOLDER)
        self.capacity = QSpinBox(self)
        self.capacity.setRange(0, 500)
        self.capacity.setSpecialValueText(ateliers.NO_LIMIT)
        self.waiting_list = QCheckBox(ateliers.WAITING_LIST, self)
        self.funders = self._funders_widget()
        self.description = QPlainTextEdit(self)
        self.description.setMinimumHeight(60)  # takes the room left in the dialog
        self.errors.add_row(form, common.TYPE, "kind", self.kind)
        self.errors.add_row(form, common.LABEL, "title", self.title_edit)
        self.errors.add_row(form, ateliers.THEME, "theme_id", self.theme)
        self.errors.add_row(form, ateliers.SLOTS, "slots", self.slots)
        self.errors.add_row(form, ateliers.PLACE, "place", self.place)
        self.errors.add_row(form, ateliers.ANIMATEURS, "animateurs", self.animateurs)
        self.errors.add_row(form, ateliers.CAPACITY, "capacity", self.capacity)
        form.addRow("", self.waiting_list)
        self.errors.add_row(form, ateliers.FUNDERS, "funders", self.funders)
        self.errors.add_row(form, common.DESCRIPTION, "description", self.description)
        frame = dialog_frame(self, [form], self.save)
        self.general_error = frame.general_error
        self.save_button = save_button(frame.buttons)
        self.theme.currentIndexChanged.connect(self._theme_changed)
        self._fill(detail, kind)
        tab_in_layout_order(self)

    # Building ------------------------------------------------------------------
    def _place_widget(self) -> QWidget:
        box = QWidget(self)
        self.at_permanence = QRadioButton(ateliers.AT_PERMANENCE, box)
        self.at_address = QRadioButton(ateliers.OTHER_ADDRESS, box)
        group = QButtonGroup(box)
        group.addButton(self.at_permanence)
        group.addButton(self.at_address)
        self.permanence = QComboBox(box)
        for permanence in reference.list_permanences(self.ctx.uow.reading()):
            self.permanence.addItem(permanence.label, permanence.id)
        self.address = QLineEdit(box)
        self.address.setPlaceholderText(ateliers.ADDRESS_PLACEHOLDER)
        self.at_permanence.toggled.connect(self._place_mode_changed)
        grid = QFormLayout(box)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addRow(self.at_permanence, self.permanence)
        grid.addRow(self.at_address, self.address)
        return box

    def _funders_widget(self) -> QWidget:
        box = QWidget(self)
        layout = QHBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        self.funder_boxes: dict[str, QCheckBox] = {}
        self.funder_refs: dict[str, QLineEdit] = {}
        for funder in workshop_catalogue.list_funders(self.ctx.uow.reading()):
            check = QCheckBox(funder.name, box)
            check.setToolTip(funder.statement or funder.name)
            self.funder_boxes[funder.id] = check
            layout.addWidget(check)
            # The funder's operation number (FSE+), printed on the sheet (issue 16).
            reference = QLineEdit(box)
            reference.setObjectName(f"operation_ref_{funder.code}")
            reference.setPlaceholderText(ateliers.OPERATION_REF_PLACEHOLDER)
            reference.setToolTip(ateliers.OPERATION_REF_TOOLTIP)
            reference.setMaxLength(workshops.OPERATION_REF_MAX)
            reference.setEnabled(False)
            check.toggled.connect(reference.setEnabled)
            self.funder_refs[funder.id] = reference
            layout.addWidget(reference)
        layout.addStretch(1)
        return box

    def _fill(self, detail: SessionDetail | None, kind: str) -> None:
        settings = self.ctx.profile.settings
        if detail is None:
            self.kind.setCurrentIndex(max(self.kind.findData(kind), 0))
            self.at_permanence.setChecked(True)
            index = self.permanence.findData(settings.permanence_id)
            self.permanence.setCurrentIndex(max(index, 0))
            self.animateurs.setText(self._current_accompagnateur())
            self.waiting_list.setChecked(True)
            self.slots.add_default(MORNING)
            self.slots.add_default(AFTERNOON)
            return
        self.kind.setCurrentIndex(max(self.kind.findData(detail.kind), 0))
        self.title_edit.setText(detail.title)
        self.theme.setCurrentIndex(max(self.theme.findData(detail.theme_id), 0))
        for slot in detail.slots:
            self.slots.add(SlotInput(slot.starts_at, slot.ends_at, slot.id))
        if detail.place_address:
            self.at_address.setChecked(True)
            self.address.setText(detail.place_address)
        else:
            self.at_permanence.setChecked(True)
            self.permanence.setCurrentIndex(max(self.permanence.findData(detail.permanence_id), 0))
        self.animateurs.setText(detail.animateurs)
        self.capacity.setValue(detail.capacity or 0)
        self.waiting_list.setChecked(detail.has_waiting_list)
        for funder in detail.funders:
            if funder.id in self.funder_boxes:
                self.funder_boxes[funder.id].setChecked(True)
                self.funder_refs[funder.id].setText(funder.operation_ref)
        self.description.setPlainText(detail.description)

    def _current_accompagnateur(self) -> str:
        wanted = self.ctx.profile.settings.accompagnateur_id
        for person in reference.list_accompagnateurs(self.ctx.uow.reading()):
            if person.id == wanted:
                return person.full_name
        return ""

    def _place_mode_changed(self, at_permanence: bool) -> None:
        self.permanence.setEnabled(at_permanence)
        self.address.setEnabled(not at_permanence)

    def _theme_changed(self, _index: int) -> None:
        theme = next((t for t in self.themes if t.id == self.theme.currentData()), None)
        if theme is None:
            return
        if not self.title_edit.text().strip():
            self.title_edit.setText(ateliers.DEFAULT_SESSION_TITLE.format(theme=theme.name.lower()))
        if self.detail is None:  # a new session follows the theme's usual length
            self.slots.plan(theme.default_duration_minutes)

    # Saving --------------------------------------------------------------------
    def value(self) -> SessionInput:
        capacity = self.capacity.value() or None
        at_permanence = self.at_permanence.isChecked()
        return SessionInput(
            title=self.title_edit.text(),
            slots=self.slots.values(),
            kind=str(self.kind.currentData()),
            theme_id=self.theme.currentData(),
            permanence_id=self.permanence.currentData() if at_permanence else None,
            place_address="" if at_permanence else self.address.text(),
            animateurs=self.animateurs.text(),
            capacity=capacity,
            has_waiting_list=self.waiting_list.isChecked(),
            funder_ids=[fid for fid, box in self.funder_boxes.items() if box.isChecked()],
            description=self.description.toPlainText(),
            operation_refs={
                fid: self.funder_refs[fid].text()
                for fid, box in self.funder_boxes.items()
                if box.isChecked()
            },
        )

    def save(self) -> None:
        """Save off the GUI thread, « Enregistrer » greyed meanwhile; closes once saved and
        announces the change (the Ateliers list and the session's panel refresh)."""
        if not self.save_button.isEnabled():
            return  # already saving
        self.errors.clear()
        self.general_error.hide()
        if refuse_bad_input(self):  # a date or time not understood, an end before its start
            return
        uow, data, detail = self.ctx.uow, self.value(), self.detail

        def write() -> str:
            if detail is None:
                return workshops.create_session(uow, data)
            workshops.update_session(uow, detail.id, data)
            return detail.id

        write_form(
            self.ctx,
            self,
            op=write,
            changes=Changes(workshops=True),
            success=self._saved,
            errors=self.errors,
            general_error=self.general_error,
            busy=self.save_button,
        ).run_in_background()

    def _saved(self, activity_id: str) -> None:
        self.saved_id = activity_id
        self.accept()

"""A parcours stage: kind, dates, and what applies to the kind (CAPE renewals, contract
type, exit outcome). The person's status follows from the stages; it is never typed."""

from __future__ import annotations

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QSpinBox,
    QWidget,
)

from app.changes import Changes
from app.clock import today
from app.people import parcours
from app.people.parcours import StageInput
from app.people.parcours_rules import CAPE_MAX_RENEWALS, StageInfo, cape_max_end
from app.states import StageKind
from ui.context import AppContext
from ui.dialogs.form_writes import save_button, write_form
from ui.dialogs.people_widgets import (
    OptionalDateEdit,
    date_edit,
    fill_combo,
    option_items,
    text_area,
)
from ui.messages_people import CONTRACT_TYPES, OUTCOMES, STAGE_KINDS, stamp
from ui.style import muted_css
from ui.texts import accueil, common
from ui.widgets.date_time_fields import refuse_bad_input
from ui.widgets.forms import FieldWithError, FormErrors, dialog_frame


class StageDialog(QDialog):
    def __init__(
        self,
        ctx: AppContext,
        person_id: str,
        stage: StageInfo | None = None,
        kind: str = StageKind.CAPE,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.person_id = person_id
        self.stage = stage
        self.saved: StageInfo | None = None
        self.errors = FormErrors()
        self.setWindowTitle(accueil.EDIT_STAGE_TITLE if stage else accueil.NEW_STAGE_TITLE)
        self._build()
        self._load(stage, kind)

    def _build(self) -> None:
        self.kind = QComboBox(self)
        fill_combo(self.kind, list(STAGE_KINDS.items()))
        self.start = date_edit(self, today())
        self.end = OptionalDateEdit(self)
        self.renewals = QSpinBox(self)
        self.renewals.setRange(0, 9)  # the service says why more than 2 is refused
        self.contract = QComboBox(self)
        fill_combo(self.contract, [("", "—"), *CONTRACT_TYPES.items()])
        self.outcome = QComboBox(self)
        fill_combo(self.outcome, [("", "—"), *OUTCOMES.items()])
        self.exit_reason = QComboBox(self)
        fill_combo(self.exit_reason, option_items(self.ctx.uow.reading(), "exit_reason"))
        self.notes = text_area(self)
        self.form = QFormLayout()
        add = self.errors.add_row
        self.rows: dict[str, FieldWithError] = {
            "kind": add(self.form, accueil.STAGE, "kind", self.kind),
            "start_date": add(self.form, accueil.STAGE_START, "start_date", self.start),
            "end_date": add(self.form, accueil.STAGE_END, "end_date", self.end),
            "renewals": add(self.form, accueil.RENEWALS, "renewals", self.renewals),
            "contract_type": add(self.form, accueil.CONTRACT, "contract_type", self.contract),
            "outcome": add(self.form, accueil.OUTCOME, "outcome", self.outcome),
            "exit_reason_code": add(
                self.form, accueil.OTHER_EXIT_REASON, "exit_reason_code", self.exit_reason
            ),
            "notes": add(self.form, common.NOTES, "notes", self.notes),
        }
        self.hint = QLabel(self)
        self.hint.setStyleSheet(muted_css())
        self.hint.setWordWrap(True)
        frame = dialog_frame(self, [self.form, self.hint], self.save)
        self.general_error = frame.general_error
        self.save_button = save_button(frame.buttons)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.start.dateChanged.connect(self._suggest_end)
        self.renewals.valueChanged.connect(self._suggest_end)
        # An end date the person typed is theirs: never replaced by the suggestion.
        self.end_typed = False
        self.end.edit.textEdited.connect(lambda _text: setattr(self, "end_typed", True))

    def _load(self, stage: StageInfo | None, kind: str) -> None:
        if stage is None:
            fill_combo(self.kind, list(STAGE_KINDS.items()), kind)
            self._suggest_end()
        else:
            fill_combo(self.kind, list(STAGE_KINDS.items()), stage.kind)
            self.kind.setEnabled(False)
            self.start.setDate(QDate(stage.start_date))
            self.end.set_value(stage.end_date)
            self.renewals.setValue(stage.renewals)
            fill_combo(self.contract, [("", "—"), *CONTRACT_TYPES.items()], stage.contract_type)
            fill_combo(self.outcome, [("", "—"), *OUTCOMES.items()], stage.outcome)
            fill_combo(
                self.exit_reason,
                option_items(self.ctx.uow.reading(), "exit_reason"),
                stage.exit_reason_code,
            )
            self.notes.setPlainText(stage.notes)
            self.hint.setText(
                common.LAST_CHANGED_BY.format(stamp=stamp(stage.updated_by, stage.updated_at))
            )
        self._kind_changed()

    def _kind_changed(self, *_args: object) -> None:
        kind = self.kind.currentData()
        visible = {
            "end_date": kind not in ("sortie", "associe"),
            "renewals": kind == StageKind.CAPE,
            "contract_type": kind == StageKind.SALARIE,
            "outcome": kind == StageKind.SORTIE,
            "exit_reason_code": kind == StageKind.SORTIE,
        }
        for name, shown in visible.items():
            self.form.setRowVisible(self.rows[name], shown)
        if kind == StageKind.CAPE and self.stage is None:
            self.hint.setText(accueil.CAPE_DURATION_HINT.format(renewals=CAPE_MAX_RENEWALS))
        self._suggest_end()

    def _suggest_end(self, *_args: object) -> None:
        start = self.start.value()
        if self.end_typed or start is None:
            return
        if self.kind.currentData() == StageKind.CAPE and self.stage is None:
            self.end.set_value(cape_max_end(start, min(self.renewals.value(), 2)))

    def value(self) -> StageInput:
        kind = self.kind.currentData()
        return StageInput(
            person_id=self.person_id,
            kind=kind,
            start_date=self.start.date().toPython(),  # type: ignore[arg-type]
            end_date=self.end.value() if kind not in ("sortie", "associe") else None,
            renewals=self.renewals.value(),
            contract_type=self.contract.currentData() or "",
            outcome=self.outcome.currentData() or "",
            exit_reason_code=self.exit_reason.currentData() or "",
            notes=self.notes.toPlainText(),
        )

    def save(self) -> None:
        """Save off the GUI thread, « Enregistrer » greyed meanwhile; closes once saved."""
        if not self.save_button.isEnabled():
            return  # already saving
        self.errors.clear()
        self.general_error.hide()
        if refuse_bad_input(self):  # a date not understood: said under it, nothing saved
            return
        uow, data, stage = self.ctx.uow, self.value(), self.stage

        def write() -> StageInfo:
            if stage is None:
                return parcours.add_stage(uow, data)
            return parcours.update_stage(uow, stage.id, data)

        write_form(
            self.ctx,
            self,
            op=write,
            changes=Changes(persons=True, parcours=True),
            success=self._saved,
            errors=self.errors,
            general_error=self.general_error,
            busy=self.save_button,
        ).run_in_background()

    def _saved(self, stage: StageInfo) -> None:
        self.saved = stage
        self.accept()

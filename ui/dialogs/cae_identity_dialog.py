"""Settings: the CAE's legal identity printed on every invoice (checked by python-stdnum)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QWidget,
)

from app.changes import Changes
from app.invoicing.cae_identity import (
    CaeIdentityData,
    get_cae_identity,
    missing_fields,
    save_cae_identity,
)
from ui import messages_invoicing
from ui.context import AppContext
from ui.dialogs.form_writes import save_button, write_form
from ui.dialogs.people_widgets import text_area
from ui.messages import register
from ui.roles import Subject, reference_rights
from ui.style import warning_css
from ui.texts import ateliers, cae_options, common
from ui.widgets.forms import FormErrors, dialog_frame
from ui.widgets.screen import fit_to_screen

TEXT_FIELDS = (
    ("name", cae_options.COMPANY_NAME),
    ("legal_form", cae_options.LEGAL_FORM),
    ("capital_wording", cae_options.CAPITAL_WORDING),
    ("address", common.ADDRESS),
    ("postcode", common.POSTCODE),
    ("city", common.TOWN),
    ("siren", "SIREN"),
    ("siret", cae_options.HEAD_OFFICE_SIRET),
    ("nda", ateliers.NDA_LABEL),
    ("rcs_city", cae_options.RCS_CITY),
    ("naf", cae_options.NAF_CODE),
    ("vat_number", common.VAT_NUMBER),
    ("iban", "IBAN"),
    ("bic", "BIC"),
    ("email", common.EMAIL),
    ("phone", common.PHONE),
)
MAX_LOGO_BYTES = 512_000
register(field_messages={"invalid_nda": ateliers.INVALID_NDA})


class CaeIdentityDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.errors = FormErrors()
        self.setWindowTitle(cae_options.CAE_IDENTITY_TITLE)
        fit_to_screen(self, 640, 720)
        self.data = get_cae_identity(ctx.uow.reading())
        self.logo = self.data.logo_png
        form = QFormLayout()
        self.edits: dict[str, QLineEdit] = {}
        for name, label in TEXT_FIELDS:
            edit = QLineEdit(str(getattr(self.data, name)), self)
            edit.setObjectName(f"cae_{name}")
            if name == "nda":
                edit.setToolTip(ateliers.NDA_TOOLTIP)
            self.edits[name] = edit
            self.errors.add_row(form, label, name, edit)
        self.terms = QSpinBox(self)
        self.terms.setRange(0, 365)
        self.terms.setSuffix(" jours")
        self.terms.setValue(self.data.payment_terms_days)
        self.errors.add_row(form, cae_options.PAYMENT_TERMS, "payment_terms_days", self.terms)
        self.penalty: QPlainTextEdit = text_area(self, self.data.late_penalty_text)
        self.errors.add_row(form, cae_options.LATE_PENALTIES, "late_penalty_text", self.penalty)
        self.early: QPlainTextEdit = text_area(self, self.data.early_payment_text, 2)
        self.errors.add_row(form, cae_options.EARLY_PAYMENT, "early_payment_text", self.early)
        self.yearly = QCheckBox(cae_options.YEARLY_NUMBERING, self)
        self.yearly.setChecked(self.data.numbering_restarts_yearly)
        self.own_series = QCheckBox(cae_options.CREDIT_NOTES_OWN_SERIES, self)
        self.own_series.setChecked(self.data.credit_notes_own_series)
        form.addRow("", self.yearly)
        form.addRow("", self.own_series)
        self.logo_button = QPushButton(self._logo_label(), self)
        self.logo_button.clicked.connect(self._choose_logo)
        form.addRow(cae_options.LOGO, self.logo_button)
        inner = QWidget(self)
        inner.setLayout(form)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        self.missing_label = QLabel(self)
        self.missing_label.setWordWrap(True)
        self.missing_label.setStyleSheet(warning_css())
        self._show_missing(self.data)
        # Siège staff only, once enrolled (ui/roles.py); the note says which case this is.
        self.rights = reference_rights(ctx, Subject.CAE_IDENTITY)
        self.role_note = QLabel(self.rights.note, self)
        self.role_note.setObjectName("roleNote")
        self.role_note.setWordWrap(True)
        frame = dialog_frame(self, [self.role_note, self.missing_label, scroll], self.save)
        frame.layout.setStretchFactor(scroll, 1)
        self.general_error = frame.general_error
        self.buttons = frame.buttons
        if not self.rights.editable:
            self._read_only()

    def _read_only(self) -> None:
        for edit in self.edits.values():
            edit.setReadOnly(True)
        self.terms.setReadOnly(True)
        self.penalty.setReadOnly(True)
        self.early.setReadOnly(True)
        for widget in (self.yearly, self.own_series, self.logo_button):
            widget.setEnabled(False)
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        save.setVisible(False)
        close = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        close.setText(common.CLOSE)
        close.setDefault(True)

    def _logo_label(self) -> str:
        return cae_options.CHANGE_LOGO if self.logo else cae_options.CHOOSE_LOGO

    def _choose_logo(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, cae_options.LOGO, "", common.PNG_IMAGES)
        if path:
            data = Path(path).read_bytes()
            if len(data) <= MAX_LOGO_BYTES:
                self.logo = data
                self.logo_button.setText(self._logo_label())

    def _show_missing(self, data: CaeIdentityData) -> None:
        missing = missing_fields(data)
        labels = [messages_invoicing.CAE_FIELD_LABELS[name] for name in missing]
        self.missing_label.setText(
            cae_options.MISSING_FOR_INVOICING.format(fields=", ".join(labels)) if labels else ""
        )
        self.missing_label.setVisible(bool(labels))

    def value(self) -> CaeIdentityData:
        return self.data.with_changes(
            **{name: edit.text() for name, edit in self.edits.items()},
            payment_terms_days=self.terms.value(),
            late_penalty_text=self.penalty.toPlainText(),
            early_payment_text=self.early.toPlainText(),
            numbering_restarts_yearly=self.yearly.isChecked(),
            credit_notes_own_series=self.own_series.isChecked(),
            logo_png=self.logo,
        )

    def save(self) -> None:
        """Save off the GUI thread, « Enregistrer » greyed meanwhile; closes once saved."""
        save = save_button(self.buttons)
        if not self.rights.editable or not save.isEnabled():
            return  # no Save button (guards Ctrl+Enter and the like), or already saving
        uow, data = self.ctx.uow, self.value()
        write_form(
            self.ctx,
            self,
            op=lambda: save_cae_identity(uow, data),
            changes=Changes(cae_identity=True),
            success=self._saved,
            errors=self.errors,
            general_error=self.general_error,
            busy=save,
        ).run_in_background()

    def _saved(self, data: CaeIdentityData) -> None:
        self.data = data
        self.accept()

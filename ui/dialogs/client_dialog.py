"""A client of an entrepreneur: individual or business (SIREN, VAT), billing and delivery address."""

from __future__ import annotations

from babel import Locale
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QLineEdit,
    QWidget,
)

from app.changes import Changes
from app.invoicing.clients import ClientData, ClientInfo, save_client
from app.invoicing.directory import DirectoryState, Reception, directory_state
from app.invoicing.labels import CLIENT_KIND_LABELS
from app.text import fold
from ui import messages_invoicing  # noqa: F401  (registers the French messages)
from ui.context import AppContext
from ui.dialogs.form_writes import save_button, write_form
from ui.dialogs.people_widgets import fill_combo
from ui.texts import billing, common
from ui.widgets.einvoicing_reception import ReceptionLine
from ui.widgets.forms import FieldWithError, FormErrors, dialog_frame


def country_items() -> list[tuple[str, str]]:
    """Countries by their French name (Babel/CLDR); France first, the rest alphabetical."""
    names = Locale.parse("fr_FR").territories
    countries = sorted(
        ((code, name) for code, name in names.items() if len(code) == 2 and code.isalpha()),
        key=lambda item: fold(item[1]),
    )
    return [("FR", names["FR"]), *(c for c in countries if c[0] != "FR")]


KINDS = list(CLIENT_KIND_LABELS.items())


class ClientDialog(QDialog):
    def __init__(
        self,
        ctx: AppContext,
        entrepreneur_id: str,
        client: ClientInfo | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.entrepreneur_id = entrepreneur_id
        self.client = client
        self.saved: ClientInfo | None = None
        self.errors = FormErrors()
        self.setWindowTitle(billing.EDIT_CLIENT_TITLE if client else billing.NEW_CLIENT_TITLE)
        self.kind = QComboBox(self)
        fill_combo(self.kind, KINDS)
        self.edits: dict[str, QLineEdit] = {}
        form = QFormLayout()
        self.rows: dict[str, FieldWithError] = {
            "kind": self.errors.add_row(form, common.TYPE, "kind", self.kind)
        }
        for name, label in (
            ("name", billing.CLIENT_NAME),
            ("siren", "SIREN"),
            ("vat_number", common.VAT_NUMBER),
            ("email", common.EMAIL),
            ("einvoicing_address", billing.EINVOICING_ADDRESS),
            ("address", common.ADDRESS),
            ("postcode", common.POSTCODE),
            ("city", common.TOWN),
            ("delivery_address", billing.DELIVERY_ADDRESS),
            ("delivery_postcode", billing.DELIVERY_POSTCODE),
            ("delivery_city", billing.DELIVERY_TOWN),
            ("billing_address", billing.BILLING_ADDRESS),
            ("billing_postcode", billing.BILLING_POSTCODE),
            ("billing_city", billing.BILLING_TOWN),
        ):
            edit = QLineEdit(self)
            edit.setObjectName(f"client_{name}")
            self.edits[name] = edit
            self.rows[name] = self.errors.add_row(form, label, name, edit)
            if name == "city":
                self.country = QComboBox(self)
                self.country.setObjectName("client_country")
                self.country.setEditable(True)  # type the first letters of the country
                self.country.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
                self.rows["country_code"] = self.errors.add_row(
                    form, billing.COUNTRY, "country_code", self.country
                )
        self.edits["einvoicing_address"].setPlaceholderText(billing.EINVOICING_ADDRESS_PLACEHOLDER)
        self.edits["einvoicing_address"].setToolTip(billing.EINVOICING_ADDRESS_TOOLTIP)
        self.public_entity = QCheckBox(billing.PUBLIC_ENTITY, self)
        self.public_entity.setObjectName("client_public_entity")
        self.rows["public_entity"] = self.errors.add_row(
            form, "", "public_entity", self.public_entity
        )
        # What the PA directory said, read offline from the synced rows (no network).
        self.directory = ReceptionLine(self)
        form.addRow(billing.DIRECTORY, self.directory)
        self.directory.show_state(
            directory_state(ctx.uow.reading(), client.id)
            if client is not None
            else DirectoryState(Reception.NOT_CHECKED)
        )
        self.form = form
        frame = dialog_frame(self, [form], self.save)
        self.general_error = frame.general_error
        self.save_button = save_button(frame.buttons)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        data = client.data if client else ClientData(entrepreneur_id, "")
        fill_combo(self.kind, KINDS, data.kind)
        for name, edit in self.edits.items():
            edit.setText(str(getattr(data, name)))
        self.public_entity.setChecked(data.public_entity)
        fill_combo(self.country, country_items(), data.country_code or "FR")
        self._kind_changed()

    def _kind_changed(self, *_args: object) -> None:
        business = self.kind.currentData() == "entreprise"
        for name in ("siren", "vat_number", "public_entity"):
            self.form.setRowVisible(self.rows[name], business)

    def value(self) -> ClientData:
        values = {name: edit.text() for name, edit in self.edits.items()}
        return ClientData(
            entrepreneur_id=self.entrepreneur_id,
            kind=self.kind.currentData(),
            country_code=self.country.currentData() or "",
            public_entity=self.public_entity.isChecked(),
            **values,
        )

    def save(self) -> None:
        """Save off the GUI thread, « Enregistrer » greyed meanwhile; closes once saved."""
        if not self.save_button.isEnabled():
            return  # already saving
        uow, data = self.ctx.uow, self.value()
        client_id = self.client.id if self.client else None
        write_form(
            self.ctx,
            self,
            op=lambda: save_client(uow, data, client_id),
            changes=Changes(clients=True),
            success=self._saved,
            errors=self.errors,
            general_error=self.general_error,
            busy=self.save_button,
        ).run_in_background()

    def _saved(self, client: ClientInfo) -> None:
        self.saved = client
        self.accept()

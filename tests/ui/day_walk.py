"""The day at the permanence, step by step, driven with the keyboard only
(tests/ui/test_day_at_the_permanence.py runs it on a 1366×768 screen)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from sqlalchemy import select

from app.demo.generator import generate
from app.models import IntakeInterview, Person
from app.profile import Profile, open_profile
from tests.ui.keyboard_hands import Hands, Key, Mod


def _person_without_intake(profile: Profile) -> tuple[str, str]:
    with profile.uow() as uow:
        seen = select(IntakeInterview.person_id)
        person = uow.session.scalars(
            select(Person)
            .where(Person.id.not_in(seen), Person.anonymised_at.is_(None))
            .order_by(Person.last_name)
            .limit(1)
        ).one()
        return person.id, f"{person.last_name} {person.first_name}"


def walk_the_day(qtbot: Any, folder: Path, screen: tuple[int, int], shots: Path | None) -> None:
    from siege.importer import import_profile
    from tests.ui.test_sync_page import ThreadedSiege
    from ui.context import AppContext, ChangeHub
    from ui.launcher import make_application
    from ui.main_window import MainWindow
    from ui.tasks import TaskManager

    make_application([])  # French locale and Qt strings, the focus ring: as the app starts
    generate(folder / "profil", "demo")
    # As README's demo section says: the siège loads the demo's data first (its rows were
    # generated, never queued for sync), then hands its invoice series to the laptop.
    siege = ThreadedSiege(folder)
    import_profile(siege.siege.engine, folder / "profil")
    profile = open_profile(folder / "profil")
    ctx = AppContext(profile=profile, tasks=TaskManager(), hub=ChangeHub())
    if shots is not None:
        shots.mkdir(parents=True, exist_ok=True)
    hands = Hands(qtbot, screen, shots)
    try:
        window = MainWindow(ctx)
        qtbot.addWidget(window)
        window.show()
        window.activateWindow()
        hands.window(MainWindow)
        person_id = find_a_person(hands, window, profile)
        run_an_intake(hands, window, person_id)
        take_attendance_and_print_the_sheet(hands, window, profile)
        invoice = draft_validate_and_print_an_invoice(hands, window, profile)
        record_a_payment(hands, invoice)
        open_it_again_from_the_list(hands, window, invoice)
        note = make_a_credit_note(hands, invoice)
        hands.key(Key.Key_Escape)  # closes the credit note's window
        hands.closed(note)
        hands.switch_to(invoice)  # Alt+Tab, the window manager's
        hands.key(Key.Key_Escape)  # and the invoice's
        hands.closed(invoice)
        hands.switch_to(window)
        sync_with_the_siege(hands, window, profile, siege, invoice.detail.number)
    finally:
        ctx.tasks.wait_idle()
        for top in QApplication.topLevelWidgets():
            top.close()
        ctx.tasks.wait_idle()
        profile.close()
        siege.stop()


def find_a_person(hands: Hands, window: Any, profile: Profile) -> str:
    from ui.pages.people_area import PeopleArea

    person_id, name = _person_without_intake(profile)
    hands.key(Key.Key_F, Mod.ControlModifier)
    area = window.pages["persons"]
    assert isinstance(area, PeopleArea)
    assert QApplication.focusWidget() is area.search
    hands.write(name)
    hands.until(lambda: area.model.rowCount() == 1)
    hands.shot("personne_trouvee")
    hands.key(Key.Key_Return)
    hands.until(lambda: area.currentWidget() is area.detail_page)
    assert area.detail_page.person_id == person_id
    hands.shot("fiche")
    return person_id


def run_an_intake(hands: Hands, window: Any, person_id: str) -> None:
    from ui.dialogs.intake_dialog import IntakeDialog
    from ui.pages.people_area import PeopleArea
    from ui.texts import accueil

    area = window.pages["persons"]
    assert isinstance(area, PeopleArea)
    detail = area.detail_page
    assert detail.buttons[accueil.INTAKE_ELLIPSIS].text() == "Entretien d'a&ccueil…"
    hands.key(Key.Key_C, Mod.AltModifier)
    dialog = hands.window(IntakeDialog)
    assert isinstance(dialog, IntakeDialog)
    assert hands.focus() is dialog.texts["project_what"]
    hands.write("Ouvrir une épicerie ambulante dans les villages du canton.")
    hands.key(Key.Key_Tab)
    hands.write("Un camion aménagé, deux tournées par semaine.")
    hands.tab_to(dialog.decision)
    hands.write("Admis")
    assert dialog.decision.currentText() == "Admis en convention"
    hands.shot("entretien_accueil")
    hands.key(Key.Key_Return, Mod.ControlModifier)
    hands.until(lambda: dialog.is_final)
    hands.shot("entretien_finalise")
    assert "finalisé" in dialog.state_label.text().lower()
    hands.key(Key.Key_Escape)
    hands.closed(dialog)
    # The record shows the intake and the new situation without being reopened.
    hands.until(lambda: "En convention d'accompagnement" in detail.status_label.text())
    assert detail.interview_model.rowCount() == 1
    assert area.currentWidget() is detail


def _last_workshop(profile: Profile) -> tuple[str, str]:
    """The last atelier already held, with people registered: its sheet is to be done."""
    from app.clock import today
    from app.workshops import workshop_list
    from app.workshops.attendance import local_now

    rows = workshop_list.list_sessions(profile.uow.reading(), offset=0, limit=50, now=local_now())
    row = next(r for r in rows if r.kind == "atelier" and r.registered and r.held_on < today())
    return row.id, row.title


def take_attendance_and_print_the_sheet(hands: Hands, window: Any, profile: Profile) -> None:
    from ui.pages.workshops_page import RATE, WorkshopsPage
    from ui.widgets.documents import DocumentReadyDialog

    activity_id, title = _last_workshop(profile)
    hands.key(Key.Key_3, Mod.ControlModifier)
    page = window.pages["workshops"]
    assert isinstance(page, WorkshopsPage)
    hands.key(Key.Key_F, Mod.ControlModifier)
    assert hands.focus() is page.search
    hands.write(title)

    def listed() -> list[str]:
        rows = [page.model.row_at(i) for i in range(page.model.rowCount())]
        return [r.id for r in rows if r is not None and r.title == title]

    hands.until(lambda: activity_id in listed() and len(listed()) == page.model.rowCount())
    hands.tab_to(page.table)
    hands.key(Key.Key_Home, Mod.ControlModifier)
    row = listed().index(activity_id)
    hands.key(Key.Key_Down, times=row)
    if row == 0:
        hands.key(Key.Key_Space)  # the cursor was already on it: select it
    panel = page.panel
    hands.until(lambda: panel.detail is not None and panel.detail.id == activity_id)
    hands.tab_to(panel.tabs.tabBar())
    hands.key(Key.Key_Right)
    assert panel.tabs.currentWidget() is panel.grid
    grid = panel.grid
    # The sheet typed from the paper one: the first two people back to « attendu » (T),
    # then « Tous présents » for whoever is not marked, then the first one absent (A).
    hands.tab_to(grid.view)
    hands.key(Key.Key_Home, Mod.ControlModifier)
    hands.key(Key.Key_Right)
    hands.write("tt")
    hands.until(lambda: "2 à pointer" in grid.summary.text())
    hands.tab_to(grid.all_present_button, back=True)
    hands.key(Key.Key_Space)
    hands.until(lambda: "0 à pointer" in grid.summary.text())
    hands.tab_to(grid.view)
    hands.key(Key.Key_Home, Mod.ControlModifier)
    hands.key(Key.Key_Right)
    absences = grid.summary.text().split(", ")[1]
    hands.write("a")
    hands.until(lambda: grid.summary.text().split(", ")[1] != absences)
    # The list's rate follows the sheet (nothing stale): as the panel's header says.
    shown = page.model.row_at(page.table.currentIndex().row())
    hands.until(lambda: page.model.row_at(page.table.currentIndex().row()) != shown)
    rate = page.model.data(page.model.index(page.table.currentIndex().row(), RATE))
    assert f"Taux de présence : {rate}" in panel.header.text()
    hands.shot("emargement")
    hands.tab_to(panel.print_button, back=True)
    hands.key(Key.Key_Space)
    menu = hands.popup()
    hands.choose(menu, panel.filled_action)
    ready = hands.window(DocumentReadyDialog)
    assert isinstance(ready, DocumentReadyDialog)
    assert ready.path.exists() and ready.path.suffix == ".pdf"
    hands.shot("feuille_enregistree")
    # Enter opens it (« Ouvrir », the default); this computer has no PDF viewer (Qt's
    # offscreen platform opens nothing): said, with where the file is — never silent.
    said = hands.when_modal(QMessageBox, lambda _box: hands.key(Key.Key_Return))
    hands.key(Key.Key_Return)
    hands.until(lambda: len(said) == 2)
    assert "Aucun programme n'a pu ouvrir" in said[1] and str(ready.path) in said[1]
    hands.until(lambda: QApplication.activeWindow() is ready)
    hands.key(Key.Key_Escape)
    hands.closed(ready)


def _entrepreneur_with_a_client(profile: Profile) -> tuple[str, str, str]:
    from app.models import Client

    with profile.uow() as uow:
        client = uow.session.scalars(select(Client).order_by(Client.name).limit(1)).one()
        person = uow.session.get(Person, client.entrepreneur_id)
        assert person is not None
        return person.id, f"{person.first_name} {person.last_name}", client.name


def draft_validate_and_print_an_invoice(hands: Hands, window: Any, profile: Profile) -> Any:
    from ui.dialogs.invoice_dialog import InvoiceDialog
    from ui.pages.invoices_page import InvoicesPage
    from ui.texts import invoicing as texts
    from ui.widgets.documents import DocumentReadyDialog

    person_id, name, client = _entrepreneur_with_a_client(profile)
    hands.key(Key.Key_4, Mod.ControlModifier)
    page = window.pages["invoices"]
    assert isinstance(page, InvoicesPage)
    hands.key(Key.Key_N, Mod.ControlModifier)
    dialog = hands.window(InvoiceDialog)
    assert isinstance(dialog, InvoiceDialog)
    hands.tab_to(dialog.person_search)
    hands.write(name)
    hands.until(lambda: dialog.entrepreneur.findData(person_id) >= 0)
    hands.tab_to(dialog.entrepreneur)
    # The only person found is not chosen for the user: the arrow takes it.
    hands.key(Key.Key_Down)
    hands.until(lambda: dialog.entrepreneur.currentData() == person_id)
    hands.tab_to(dialog.client)
    hands.write(client.split()[0])  # a combo box finds an item by its first letters
    hands.until(lambda: dialog.client.currentText().startswith(client))
    table = dialog.lines.table
    hands.tab_to(lambda w: w is table or table.isAncestorOf(w))  # the first cell, typing
    hands.write("Retouche d'un manteau")
    hands.key(Key.Key_Tab)
    hands.write("2")  # quantity
    hands.key(Key.Key_Tab)
    hands.write("h")  # unit
    hands.key(Key.Key_Tab)
    hands.write("45")  # unit price
    hands.key(Key.Key_Tab, times=3)  # discount, VAT rate, then out of the lines
    hands.until(lambda: "90,00" in dialog.lines.totals_label.text())
    hands.shot("facture_brouillon")
    # « Valider et émettre… », then « Oui » to the question (Enter: its default button).
    questions = hands.when_modal(QMessageBox, lambda _box: hands.key(Key.Key_Return))
    hands.tab_to(dialog.buttons["validate"])
    hands.key(Key.Key_Space)
    hands.until(lambda: dialog.detail is not None and bool(dialog.detail.number))
    assert dialog.detail is not None
    number = dialog.detail.number
    assert questions[0] == texts.ISSUE_TITLE
    hands.until(lambda: number in dialog.windowTitle() and number in dialog.status_label.text())
    hands.shot("facture_emise")
    # Its PDF: where it was written, with Ouvrir / Ouvrir le dossier / Imprimer.
    hands.tab_to(dialog.buttons["pdf"])
    hands.key(Key.Key_Space)
    ready = hands.window(DocumentReadyDialog)
    assert isinstance(ready, DocumentReadyDialog)
    assert ready.path.exists() and ready.path.suffix == ".pdf"
    hands.shot("facture_pdf")
    hands.key(Key.Key_Escape)
    hands.closed(ready)
    assert QApplication.activeWindow() is dialog
    # The invoices list shows it, numbered, behind the window (nothing stale).
    hands.until(
        lambda: any(
            number in str(page.model.data(page.model.index(r, 0)))
            for r in range(page.model.rowCount())
        )
    )
    return dialog


def record_a_payment(hands: Hands, dialog: Any) -> None:
    from ui.dialogs.payment_dialog import PaymentDialog

    def pay(box: QWidget) -> None:
        assert isinstance(box, PaymentDialog)
        hands.tab_to(box.amount)
        hands.key(Key.Key_A, Mod.ControlModifier)
        hands.write("50")
        hands.key(Key.Key_Return)

    seen = hands.when_modal(PaymentDialog, pay)
    hands.tab_to(dialog.buttons["payment"])
    hands.key(Key.Key_Space)
    assert seen, "no payment window"
    hands.until(lambda: dialog.payments.list.count() == 1)
    assert "50,00" in dialog.payments.list.item(0).text()
    hands.until(lambda: "58,00" in dialog.status_label.text())  # 108,00 € - 50,00 €
    hands.shot("paiement")


def open_it_again_from_the_list(hands: Hands, window: Any, invoice: Any) -> None:
    """Back in the main window, the invoice found in the list and opened with Enter brings
    its open window forward: one window per invoice, never a second one."""
    from ui.dialogs.invoice_dialog import InvoiceDialog
    from ui.pages.invoices_page import InvoicesPage

    def shown() -> list[QWidget]:
        return [w for w in QApplication.topLevelWidgets()
                if isinstance(w, InvoiceDialog) and w.isVisible()]  # fmt: skip

    hands.switch_to(window)  # Alt+Tab
    page = window.pages["invoices"]
    assert isinstance(page, InvoicesPage)
    hands.key(Key.Key_F, Mod.ControlModifier)
    assert hands.focus() is page.search
    hands.write(invoice.detail.number)
    hands.until(lambda: page.model.rowCount() == 1)
    hands.tab_to(page.table)
    hands.key(Key.Key_Return)
    hands.until(lambda: QApplication.activeWindow() is invoice)
    assert shown() == [invoice]


def make_a_credit_note(hands: Hands, dialog: Any) -> Any:
    from ui.dialogs.invoice_dialog import InvoiceDialog
    from ui.texts import invoicing as texts

    before = set(QApplication.topLevelWidgets())
    questions = hands.when_modal(QMessageBox, lambda _box: hands.key(Key.Key_Return))
    hands.tab_to(dialog.buttons["cancel"])
    hands.key(Key.Key_Space)

    def credit_notes() -> list[InvoiceDialog]:
        return [
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, InvoiceDialog) and w not in before and w.isVisible()
        ]

    hands.until(lambda: len(credit_notes()) == 1)
    assert questions[0] == texts.CREDIT_NOTE_TITLE
    note = credit_notes()[0]
    hands.fits(note)
    assert note.detail is not None and note.detail.number
    assert dialog.detail.number in note.status_label.text()
    hands.shot("avoir")
    # The invoice's window, still open, no longer asks for what the credit note cancelled.
    hands.until(lambda: "58,00" not in dialog.status_label.text())
    return note


def sync_with_the_siege(
    hands: Hands, window: Any, profile: Profile, siege: Any, issued_today: str
) -> None:
    """Enrol the laptop on a real siège (HTTP on loopback) and synchronise, twice."""
    from app.models import Antenne, Invoice
    from siege import devices
    from ui.pages.sync_page import SyncPage

    with profile.uow() as uow:
        antennes = [a.name for a in uow.session.scalars(select(Antenne))]
    # The demo holds a region: the laptop serves its four antennes and goes on numbering
    # in the demo's series STD, which the siège imported.
    code = devices.enroll(siege.siege.engine, "Portable de la permanence", antennes, series="STD")[
        0
    ]
    hands.key(Key.Key_5, Mod.ControlModifier)
    page = window.pages["sync"]
    assert isinstance(page, SyncPage)
    hands.shot("synchronisation")
    hands.tab_to(page.server_edit)
    hands.write(siege.url)
    hands.tab_to(page.code_edit)
    hands.write(code)
    hands.tab_to(page.enrol_button)
    hands.key(Key.Key_Space)
    hands.until(lambda: "Synchronisation réussie" in page.message.text(), timeout=120000)

    def last_result() -> str:
        item = page.history.item(0, 2)
        return item.text() if item is not None else ""

    hands.until(lambda: page.history.rowCount() >= 1)
    # Everything the day wrote is accepted: no refusal, nothing to review.
    assert last_result() == "Réussie", page.message.text()
    assert "conflit" not in window.sync_status.text()
    with siege.siege.engine.connect() as db:
        numbers = set(db.scalars(select(Invoice.number)))
    assert issued_today in numbers
    hands.shot("inscrit_et_synchronise")
    # A second synchronisation, from the button, once the page offers it.
    rows = page.history.rowCount()
    hands.until(lambda: page.sync_button.isEnabled())
    hands.tab_to(page.sync_button)
    hands.key(Key.Key_Space)
    # The history shows the run « En cours » as soon as it starts, then its result.
    hands.until(
        lambda: page.history.rowCount() > rows and last_result() != "En cours", timeout=120000
    )
    assert last_result() == "Réussie", (last_result(), page.message.text())
    hands.shot("synchronise")

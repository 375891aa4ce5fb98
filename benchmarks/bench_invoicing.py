"""Invoicing figures on the decade profile (~50,000 invoices), each beside a floor
measured in the same run.

- validating an invoice: number + frozen snapshots + PDF + Factur-X + stored file +
  commit, vs a bare reportlab page;
- opening the Factures list (count + first page, and the real Qt page), vs the same
  SQL on plain sqlite3 / an empty widget;
- filtering as you type (count + first page per keystroke), vs the bare LIKE query;
- the "à payer" status filter, vs the bare SQL;
- 500 invoice PDFs regenerated for an export (progress job), vs 500 bare reportlab pages.

Run: ``QT_QPA_PLATFORM=offscreen python -m benchmarks.bench_invoicing``.
"""

from __future__ import annotations

import datetime as dt
import io
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from benchmarks import harness
from ui.pages.invoices_page import PAGE_SIZE


def bare_page() -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4)
    page.drawString(72, 720, "Facture LOC-2026-00001 — Total TTC 95,74 €")
    page.showPage()
    page.save()


def _ready(profile: Any) -> tuple[str, str]:
    """A complete CAE identity, and an entrepreneur salarié with a business client."""
    from sqlalchemy import select

    from app.invoicing.clients import ClientData, save_client
    from app.models import ParcoursStage
    from tests.invoicing_fixtures import complete_identity

    complete_identity(profile.uow)
    with profile.uow() as uow:
        person = uow.session.scalars(
            select(ParcoursStage.person_id).where(ParcoursStage.kind == "salarie").limit(1)
        ).one()
    client = save_client(
        profile.uow,
        ClientData(
            person,
            "Boulangerie Dupré",
            siren="552100554",
            address="3 place Ducale",
            postcode="08000",
            city="Charleville-Mézières",
        ),
    ).id
    return person, client


def validation(root: Path) -> harness.Row:
    from app.invoicing.validation import validate_invoice
    from app.profile import open_profile
    from tests.invoicing_fixtures import add_draft

    profile = open_profile(root)
    try:
        person, client = _ready(profile)
        drafts = [add_draft(profile.uow, person, client) for _ in range(25)]
        when = dt.date.today()
        samples = harness.measure(
            lambda: validate_invoice(profile.uow, profile.paths.documents, drafts.pop(), when),
            repeat=20,
            warmup=3,
        )
    finally:
        profile.close()
    return harness.Row(
        "valider une facture (numéro + PDF + Factur-X)",
        samples,
        harness.measure(bare_page),
        "≤ 150 ms",
        floor_label="page reportlab nue",
    )


BARE_LIST = (
    "SELECT i.id, i.kind, i.status, i.number, i.issue_date, i.due_date, c.name, p.last_name, "
    "p.first_name, i.total_incl_cents FROM invoice i JOIN client c ON c.id = i.client_id "
    "JOIN person p ON p.id = i.entrepreneur_id WHERE i.deleted_at IS NULL {where} "
    "ORDER BY CASE WHEN i.status = 'brouillon' THEN 0 ELSE 1 END, i.issue_date DESC, "
    "i.number DESC, i.id DESC LIMIT {limit}"
)


def _bare(conn: sqlite3.Connection, where: str = "", params: tuple[str, ...] = ()) -> None:
    conn.execute(
        f"SELECT count(id) FROM invoice i WHERE deleted_at IS NULL {where}", params
    ).fetchone()
    # The floor reads as many rows as the page's first page.
    conn.execute(BARE_LIST.format(where=where, limit=PAGE_SIZE), params).fetchall()


def listing(profile: Any, root: Path) -> list[harness.Row]:
    from app.invoicing import queries

    conn = harness.bare_connection(root)
    uow = profile.uow

    def open_list(text: str = "", status: str = "tous") -> None:
        queries.count_invoices(uow, text, status)
        queries.search_invoices(uow, text, status, limit=PAGE_SIZE)

    names = [
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT c.name FROM invoice i JOIN client c ON c.id = i.client_id LIMIT 6"
        )
    ]
    from app.text import fold

    typed = [fold(n)[:k] for n in names for k in range(2, 7)]
    keys = iter(typed * 10)
    bare_keys = iter(typed * 10)
    rows = [
        harness.Row(
            "ouvrir la liste (compte + 1re page)",
            harness.measure(open_list),
            harness.measure(lambda: _bare(conn)),
            "≤ 200 ms",
            floor_label="SQL nu",
        ),
        harness.Row(
            "filtrer à la frappe (par touche)",
            harness.measure(lambda: open_list(next(keys)), repeat=len(typed)),
            harness.measure(
                lambda: _bare(conn, "AND i.search_key LIKE ?", (f"%{next(bare_keys)}%",)),
                repeat=len(typed),
            ),
            "≤ 50 ms",
            floor_label="LIKE nu (sans sous-requêtes de statut)",
        ),
        harness.Row(
            "filtre « à payer »",
            harness.measure(lambda: open_list("", "a_payer")),
            harness.measure(lambda: _bare(conn, "AND i.status = 'emise'")),
            floor_label="SQL nu émises",
        ),
    ]
    conn.close()
    return rows


def qt_page(profile: Any) -> harness.Row:
    from PySide6.QtWidgets import QApplication, QWidget

    from ui.context import AppContext, ChangeHub
    from ui.pages.invoices_page import InvoicesPage
    from ui.tasks import TaskManager

    app = QApplication.instance() or QApplication([])
    ctx = AppContext(profile=profile, tasks=TaskManager(), hub=ChangeHub())

    def page() -> None:
        widget = InvoicesPage(ctx)
        widget.show()
        app.processEvents()
        widget.deleteLater()

    def empty() -> None:
        widget = QWidget()
        widget.show()
        app.processEvents()
        widget.deleteLater()

    return harness.Row(
        "page Factures ouverte (Qt, 50 000 lignes paresseuses)",
        harness.measure(page, repeat=10),
        harness.measure(empty, repeat=10),
        "≤ 200 ms",
        floor_label="QWidget vide",
    )


def export(root: Path) -> harness.Row:
    from app.invoicing import documents
    from app.jobs import JobControl
    from app.profile import open_profile

    profile = open_profile(root)
    try:
        ids = documents.issued_ids(profile.uow)[-500:]
        with tempfile.TemporaryDirectory() as tmp:
            done: list[int] = []
            samples = harness.measure(
                lambda: documents.export_pdfs(
                    profile.uow,
                    profile.paths.documents,
                    ids,
                    Path(tmp) / f"x{len(done)}",
                    JobControl(on_progress=lambda d, _t, _l: done.append(d)),
                ),
                repeat=1,
                warmup=0,
            )
    finally:
        profile.close()

    def bare_pages() -> None:
        for _ in range(500):
            bare_page()

    floor = harness.measure(bare_pages, repeat=1, warmup=0)
    return harness.Row(
        "500 PDF de factures régénérés (export)",
        [s / 1000 for s in samples],
        [f / 1000 for f in floor],
        "≤ 30 s",
        unit="s",
        floor_label="500 pages reportlab nues",
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = harness.scratch_copy("decade", Path(tmp) / "decade")
        rows = [validation(root)]
        from app.profile import open_profile

        profile = open_profile(root)
        try:
            rows += listing(profile, root)
            rows.append(qt_page(profile))
        finally:
            profile.close()
        rows.append(export(root))
    harness.print_table("Facturation (decade, ~50 000 factures)", rows)


if __name__ == "__main__":
    main()

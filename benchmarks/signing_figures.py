"""Émargement électronique figures (issue 16), run by bench_workshops.py, each beside a
floor measured in the same run:

- the next name ready after the pen lifts: the signing screen's « Valider » (signature
  checked, stored with its chain link and presence mark in one transaction, list and
  canvas updated), vs a bare sqlite3 INSERT of the same strokes and a COMMIT on the same
  database (what durability alone costs);
- the signed sheets of 30 participants × 2 half-days (layout, 60 signatures drawn as
  vector paths), vs bare reportlab pages drawing the same 60 paths and names;
- sealing a sheet on the siège (layout, record embedded, PAdES signature with the
  CAE's key, RFC 3161 timestamp from a TSA over HTTP on loopback), vs a bare pyHanko
  signature of a one-page PDF with the same key and no timestamp.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import time
from pathlib import Path
from typing import Any

from benchmarks import harness

PARTICIPANTS = 30


def scribble(seed: int) -> list[tuple[Any, ...]]:
    from app.workshops.signing import Point

    return [
        tuple(
            Point(
                40 + i * 8 + part * 250,
                100 + 40 * math.sin(i / (2 + seed % 7) + seed / 3),
                i * 15 + part * 900,
            )
            for i in range(40)
        )
        for part in range(2)
    ]


def _session_now(profile: Any) -> str:
    """A 30-participant session whose half-day is open now (signing is refused outside)."""
    from app import clock
    from app.ids import deterministic_id
    from app.people import person_directory
    from app.workshops import registrations, workshops
    from app.workshops.workshop_values import SessionInput, SlotInput

    now = clock.localnow().replace(tzinfo=None, microsecond=0)
    people = [
        row.id for row in person_directory.search_persons(profile.uow, "", limit=PARTICIPANTS)
    ]
    activity_id = workshops.create_session(
        profile.uow,
        SessionInput(
            title="Atelier signé sur le poste",
            slots=[SlotInput(now - dt.timedelta(minutes=20), now + dt.timedelta(hours=2))],
            theme_id=deterministic_id("theme", "Gestion"),
            permanence_id=deterministic_id("permanence", "Langres"),
            capacity=None,
        ),
    )
    for person_id in people:
        registrations.register_person(profile.uow, activity_id, person_id)
    return activity_id


def next_name(profile: Any, root: Path) -> harness.Row:
    from PySide6.QtCore import QPointF
    from PySide6.QtWidgets import QApplication

    from app.workshops import workshops
    from ui.context import AppContext, ChangeHub
    from ui.dialogs.signing_dialog import SigningDialog
    from ui.tasks import TaskManager

    _app = QApplication.instance() or QApplication([])  # kept alive while the dialog runs
    activity_id = _session_now(profile)
    detail = workshops.get_session(profile.uow, activity_id)
    ctx = AppContext(profile=profile, tasks=TaskManager(), hub=ChangeHub())
    dialog = SigningDialog(ctx, detail, detail.slots[0].id)
    dialog.resize(1200, 800)
    samples: list[float] = []
    for seed in range(PARTICIPANTS - 1):
        for stroke in scribble(seed):  # drawn as the pen would: down, moves, up
            dialog.canvas.pen_down(QPointF(stroke[0].x, stroke[0].y))
            for point in stroke[1:-1]:
                dialog.canvas.pen_move(QPointF(point.x, point.y))
            dialog.canvas.pen_up(QPointF(stroke[-1].x, stroke[-1].y))
        start = time.perf_counter()
        dialog.validate()  # the pen lifted, « Valider »: written on the database worker,
        assert ctx.tasks.settle()  # the next name is ready once it is delivered
        samples.append((time.perf_counter() - start) * 1000)
        assert dialog.names.count() == PARTICIPANTS - 1 - seed, dialog.message.text()
    dialog.close()
    ctx.tasks.wait_idle()
    conn = harness.bare_connection(root)  # the scratch copy: a real table, real commits
    conn.execute("CREATE TABLE IF NOT EXISTS bare_signature (id TEXT, strokes TEXT)")
    data = json.dumps([[[p.x, p.y, p.t_ms] for p in s] for s in scribble(1)])

    def bare() -> None:
        conn.execute("INSERT INTO bare_signature VALUES (?, ?)", ("x", data))
        conn.commit()

    floor = harness.measure(bare, repeat=PARTICIPANTS)
    conn.close()
    return harness.Row(
        "nom suivant prêt après « Valider » (signature vérifiée, stockée, chaînée)",
        samples,
        floor,
        "≤ 100 ms",
        floor_label="INSERT + COMMIT nus",
    )


def _records(detail: Any) -> list[dict[str, Any]]:
    from app.workshops.signing import RECORD_FORMAT, Signature, SignerRole, record_digest

    records = []
    for half, slot in enumerate(detail.slots):
        signatures = [
            Signature(
                p.person_id,
                p.full_name,
                SignerRole.PARTICIPANT,
                tuple(scribble(i + half)),
                slot.starts_at,
                (600.0, 200.0),
            ).as_record()
            for i, p in enumerate(detail.participants)
        ]
        records.append(
            {
                "format": RECORD_FORMAT,
                "activity": {"id": detail.id, "title": detail.title},
                "slot": {"id": slot.id},
                "not_signed": [],
                "signatures": signatures,
                "sha256": record_digest(signatures),
            }
        )
    return records


def _bare_paths(target: Any, record: dict[str, Any]) -> None:
    from reportlab.pdfgen.canvas import Canvas

    from app.pdf.common import FONT, register_fonts

    register_fonts()
    canvas = Canvas(target)
    canvas.setFont(FONT, 9)
    for index, entry in enumerate(record["signatures"]):
        top = 800 - (index % 15) * 52
        if index and index % 15 == 0:
            canvas.showPage()
            canvas.setFont(FONT, 9)
        canvas.drawString(40, top - 20, entry["name"])
        path = canvas.beginPath()
        for stroke in entry["strokes"]:
            for n, (x, y, _t) in enumerate(stroke):
                point = (220 + x * 0.2, top - y * 0.2)
                path.moveTo(*point) if n == 0 else path.lineTo(*point)
        canvas.drawPath(path)
    canvas.showPage()
    canvas.save()


def signed_sheets(profile: Any, activity_id: str) -> harness.Row:
    from app.pdf.signed_sheet import render_signed_sheet
    from app.pdf.workshop_blocks import Organisation
    from app.workshops import workshops

    detail = workshops.get_session(profile.uow, activity_id)
    records = _records(detail)
    organisation = Organisation("Coopérative Champagne Entreprendre", "Reims", "Reims")

    def ours() -> None:
        for slot, record in zip(detail.slots, records, strict=True):
            render_signed_sheet(io.BytesIO(), detail, slot, record, organisation)

    def bare() -> None:
        for record in records:
            _bare_paths(io.BytesIO(), record)

    return harness.Row(
        f"feuilles signées ({PARTICIPANTS} participants × 2 demi-journées)",
        harness.measure(ours, repeat=10),
        harness.measure(bare, repeat=10),
        "≤ 300 ms",
        floor_label="pages reportlab nues, mêmes tracés",
    )


def sealing(profile: Any, activity_id: str, tmp: Path) -> harness.Row:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    from app.pdf.signed_sheet import render_signed_sheet
    from app.pdf.workshop_blocks import Organisation
    from app.workshops import workshops
    from siege.sealer import SealConfig, Sealer
    from tests.seal_support import build_pki, local_tsa

    detail = workshops.get_session(profile.uow, activity_id)
    record = _records(detail)[0]
    organisation = Organisation("Coopérative Champagne Entreprendre", "Reims", "Reims")
    pki = build_pki(tmp / "pki")
    one_page = io.BytesIO()
    _bare_paths(one_page, {"signatures": []})
    with local_tsa(pki) as url:
        sealer = Sealer.from_config(
            SealConfig(str(pki.seal_key), str(pki.seal_cert), url, (str(pki.root_cert),))
        )

        def ours() -> None:  # what siege/sealing.py does for one half-day, less the reads
            layout = io.BytesIO()
            render_signed_sheet(layout, detail, detail.slots[0], record, organisation)
            sealer.seal(layout.getvalue(), record, location="Reims")
            assert sealer.timestamper.last_time is not None

        def bare() -> None:
            writer = IncrementalPdfFileWriter(io.BytesIO(one_page.getvalue()))
            meta = signers.PdfSignatureMetadata(field_name="Sceau")
            signers.PdfSigner(meta, signer=sealer.signer).sign_pdf(writer, output=io.BytesIO())

        samples = harness.measure(ours, repeat=10)
        floor = harness.measure(bare, repeat=10)
    return harness.Row(
        "scellement d'une feuille au siège (PAdES + horodatage RFC 3161 en HTTP local)",
        samples,
        floor,
        "≤ 500 ms",
        floor_label="signature pyHanko nue d'une page",
    )


def rows(profile: Any, root: Path, tmp: Path) -> list[harness.Row]:
    activity_id = _session_now(profile)
    return [
        next_name(profile, root),
        signed_sheets(profile, activity_id),
        sealing(profile, activity_id, tmp),
    ]

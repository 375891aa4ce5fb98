"""scripts/screenshots (issue 14, proof): one PNG per page and dialog the tour opens, at
the 1366×768 laptop's free area, and a French summary; run as reviewers run it."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parents[2]


def test_screenshots_writes_a_png_of_every_page_and_dialog(tmp_path: Path) -> None:
    out = tmp_path / "captures"
    done = subprocess.run(
        [str(ROOT / "scripts" / "screenshots"), str(out)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    tour = json.loads((out / "tour.json").read_text(encoding="utf-8").strip().splitlines()[-1])
    images = sorted(out.glob("*.png"))
    assert len(images) == len(tour["checked"]) >= 30
    assert f"{len(images)} images (1366x728) dans {out}" in done.stdout
    names = {image.stem.split("-", 1)[1] for image in images}
    assert {"page_persons", "page_invoices", "invoice_issued", "cae_identity"} <= names
    for image in images:
        picture = QImage(str(image))
        assert not picture.isNull(), image.name
        assert picture.width() <= 1366 and picture.height() <= 728, image.name
    # The day at the permanence, done with the keyboard, one PNG per step.
    day = sorted((out / "journee").glob("*.png"))
    assert f"{len(day)} images de la journée au clavier dans {out / 'journee'}" in done.stdout
    steps = {image.stem.split("-", 1)[1] for image in day}
    assert {"fiche", "entretien_finalise", "feuille_enregistree", "facture_emise"} <= steps
    assert {"paiement", "avoir", "synchronise"} <= steps
    for image in day:
        picture = QImage(str(image))
        assert not picture.isNull(), image.name
        assert picture.width() <= 1366 and picture.height() <= 728, image.name

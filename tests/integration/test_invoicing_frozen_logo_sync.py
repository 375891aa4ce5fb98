"""A copy of an invoice issued on another laptop prints the logo frozen at its issue
(issue 15, item 6), across real syncs: the siège's staff device sets the CAE logo, a
laptop issues an invoice, the CAE changes its logo, a second laptop of the antenne syncs
and renders its copy — with the first logo, received by content (``cae_logo``)."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image
from pypdf import PdfReader

from app.invoicing.cae_identity import get_cae_identity, save_cae_identity
from app.invoicing.documents import invoice_pdf
from app.invoicing.validation import validate_invoice
from app.models import Person
from app.sync import service
from siege import devices
from tests.invoicing_fixtures import add_client, add_draft, complete_identity
from tests.sync_support import BASE_URL, Siege, new_laptop
from tests.sync_support.authority import REIMS


def _png(colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 20), colour).save(out, format="PNG")
    return out.getvalue()


def _colours(pdf: bytes) -> list[object]:
    """The top-left pixel's colour of each image the PDF shows (the logo)."""
    out: list[object] = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for image in page.images:
            assert image.image is not None
            out.append(image.image.convert("RGB").getpixel((0, 0)))
    return out


def test_a_copy_made_on_another_laptop_prints_the_logo_of_the_issue(
    tmp_path: Path, siege: Siege
) -> None:
    staff = new_laptop(tmp_path, "Poste du siège")
    issuer = new_laptop(tmp_path, "Portable Reims")
    other = new_laptop(tmp_path, "Portable Reims 2")
    try:
        sync = lambda p: service.run_sync(p, http_factory=siege.http_factory)  # noqa: E731
        code, _prefix = devices.enroll(siege.engine, "Poste du siège", "Reims", role=devices.SIEGE)
        service.enrol(staff, BASE_URL, code, http_factory=siege.http_factory)
        complete_identity(staff.uow)
        save_cae_identity(
            staff.uow, get_cae_identity(staff.uow).with_changes(logo_png=_png("navy"))
        )
        sync(staff)
        siege.enrol(issuer, "Portable Reims", "Reims")
        siege.enrol(other, "Portable Reims 2", "Reims")
        sync(issuer)
        with issuer.uow() as uow:
            person = Person(first_name="Céline", last_name="Martin", antenne_id=REIMS)
            uow.session.add(person)
            uow.commit()
            person_id = person.id
        draft = add_draft(issuer.uow, person_id, add_client(issuer.uow, person_id))
        invoice = validate_invoice(issuer.uow, issuer.paths.documents, draft).invoice_id
        sync(issuer)
        # The CAE changes its logo at the siège; the other laptop receives both.
        save_cae_identity(staff.uow, get_cae_identity(staff.uow).with_changes(logo_png=_png("red")))
        sync(staff)
        sync(other)
        assert get_cae_identity(other.uow).logo_png == _png("red")
        copy = invoice_pdf(other.uow, other.paths.documents, invoice).read_bytes()
        assert _colours(copy) == [(0, 0, 128)]  # navy, as issued
    finally:
        for profile in (staff, issuer, other):
            profile.close()

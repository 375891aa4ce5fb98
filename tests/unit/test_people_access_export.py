"""The right-of-access export (issue 13, item 5; docs/personal-data.md), read back from the
files it writes: the person's own data only — an entrepreneur's business clients by name
and number, a private client reduced to « particulier » — in words (labels, French dates
and amounts, no code, no identifier, no raw JSON), with the controller (the CAE's
identity), purposes, recipients, retention periods and the right to complain to the
CNIL; the JSON copy carries the same minimised data and notice."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.invoicing.payments import PaymentData, record_payment
from app.invoicing.validation import validate_invoice
from app.models import Appointment, FollowupInterview, ParcoursStage, Person
from app.people import personal_data
from app.uow import UnitOfWorkFactory
from tests.invoicing_fixtures import CLIENT_SIREN, add_client, add_draft, complete_identity

DAY = dt.date(2026, 11, 20)
PRIVATE = ("Jeanne", "Petit", "jeanne.petit@example.org", "Ducale")
OTHER = "Zébulon"


@pytest.fixture
def entrepreneur(uow: UnitOfWorkFactory, tmp_path: Path) -> str:
    complete_identity(uow)
    with uow() as unit:
        person = Person(
            first_name="Inès",
            last_name="Vannier",
            email="ines.vannier@example.fr",
            phone="+33325873806",
            activity_name="Vannerie",
            situation_code="rsa",
        )
        other = Person(first_name=OTHER, last_name="Tiers", notes="ne doit pas paraître")
        unit.session.add_all([person, other])
        unit.session.flush()
        unit.session.add(ParcoursStage(person_id=person.id, kind="cape", start_date=DAY))
        unit.session.add(
            FollowupInterview(
                person_id=person.id, held_on=DAY, mode="telephone", points_discussed="Tarifs"
            )
        )
        unit.session.add(
            Appointment(person_id=person.id, starts_at=dt.datetime(2026, 12, 3, 10), kind="suivi")
        )
        unit.commit()
        pid = person.id
    business = add_client(uow, pid)
    private = add_client(uow, pid, business=False)
    issued = validate_invoice(uow, tmp_path / "documents", add_draft(uow, pid, private), DAY)
    record_payment(
        uow, issued.invoice_id, PaymentData(DAY, 5000, "cheque", "chèque de Jeanne Petit")
    )
    add_draft(uow, pid, business)
    return pid


def _read(paths: tuple[Path, Path]) -> tuple[dict[str, object], str, str]:
    json_path, pdf_path = paths
    raw_json = json_path.read_text(encoding="utf-8")
    text = "\n".join(page.extract_text() for page in PdfReader(pdf_path).pages)
    return json.loads(raw_json), raw_json, text


def test_export_holds_the_persons_data_in_words_with_the_controller_and_the_cnil(
    uow: UnitOfWorkFactory, entrepreneur: str, tmp_path: Path
) -> None:
    _data, _raw, text = _read(personal_data.write_export(uow, entrepreneur, tmp_path))
    flat = " ".join(text.split())
    # The controller, purposes, recipients, retention and the CNIL.
    for expected in (
        "Responsable du traitement",
        "Coopérative Champagne Entreprendre",
        "Finalités",
        "Destinataires",
        "Durées de conservation",
        "Factures",
        "10 ans",
        "2 ans après le dernier contact",
        "cofinancées par l'Union européenne",
        "www.cnil.fr/plaintes",
        "3 place de Fontenoy",
    ):
        assert expected in flat, expected
    # The person's data, in words.
    for expected in (
        "Inès",
        "Vannier",
        "03 25 87 38 06",
        "Bénéficiaire du RSA",
        "Convention d'accompagnement (CAPE)",
        "Téléphone",
        "Entretien de suivi",
        "20/11/2026",
        "03/12/2026 10:00",  # an appointment's wall-clock time, not shifted as UTC
        "Émise",
        "Chèque",
        "50,00",
        "Boulangerie Dupré",
        CLIENT_SIREN,
        "Client particulier",
    ):
        assert expected in flat, expected
    # No code, identifier or raw JSON.
    for code in ("cape", "emise", "telephone", "cheque", "entreprise", "rsa"):
        assert not re.search(rf"\b{code}\b", text), code
    assert "{" not in text and '":' not in text
    assert entrepreneur not in text and "_id" not in text and "2026-11-20" not in text


def test_export_leaves_out_private_clients_and_other_persons(
    uow: UnitOfWorkFactory, entrepreneur: str, tmp_path: Path
) -> None:
    data, raw_json, text = _read(personal_data.write_export(uow, entrepreneur, tmp_path))
    for word in (*PRIVATE, OTHER, "Tiers"):
        assert word not in text, word
        assert word not in raw_json, word
    clients = data["client"]
    assert isinstance(clients, list)
    assert sorted(c.get("name", "") for c in clients) == ["", "Boulangerie Dupré"]
    assert {c["kind"] for c in clients} == {"entreprise", "particulier"}
    invoices = data["invoice"]
    assert isinstance(invoices, list)
    assert all("buyer_snapshot" not in i and "pdf_path" not in i for i in invoices)
    assert all("reference" not in p for p in data["payment"])  # type: ignore[attr-defined]
    info = data["information"]
    assert isinstance(info, dict)
    controller = info["responsable_du_traitement"]
    assert controller["Responsable du traitement"].startswith("Coopérative Champagne")
    assert "CNIL" in info["reclamation_cnil"]
    assert data["format"] == "permanence-export-personne/2"


def test_export_files_are_named_by_id_not_by_name(
    uow: UnitOfWorkFactory, entrepreneur: str, tmp_path: Path
) -> None:
    json_path, pdf_path = personal_data.write_export(uow, entrepreneur, tmp_path)
    for path in (json_path, pdf_path):
        assert entrepreneur in path.name and "Vannier" not in path.name


def test_every_column_an_export_can_show_has_french_words() -> None:
    """A table or column added later (another area's) reaches the export through the
    foreign keys: it must come with its label, or the person reads a column name."""
    from app.people.access_readable import CODES, LINK_LABELS, OPTION_COLUMNS, fact_label

    unworded = [
        f"{table}.{column}"
        for table in personal_data.exported_tables()
        for column in personal_data.shown_columns(table)
        if fact_label(table, column) is None
    ]
    assert unworded == []
    assert CODES and LINK_LABELS and OPTION_COLUMNS

"""RGPD: export everything about one person, anonymise, 2-year retention list."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from pypdf import PdfReader

from app.errors import ConflictError
from app.models import Client, Invoice
from app.people import interviews, personal_data
from app.people.interviews import FollowupInput, IntakeInput
from app.people.persons import PersonInput, create_person, get_person
from app.reference import reference

TODAY = dt.date(2026, 11, 26)


@pytest.fixture
def staff_id(uow) -> str:
    return reference.add_accompagnateur(uow, "Claire", "Testeuse").id


def applicant(uow, staff_id: str, name: str, on: dt.date, decision: str) -> str:
    pid = create_person(
        uow, PersonInput(first_name=name, last_name="Test", email=f"{name.lower()}@example.fr")
    ).id
    interviews.finalize_intake(
        uow,
        IntakeInput(
            pid,
            on,
            accompagnateur_id=staff_id,
            project_what="Projet " + name,
            decision=decision,
            decision_reason="Motif",
        ),
        today=on,
    )
    with uow() as unit:  # the record was created "on" that day, not today
        from app.models import Person

        unit.session.get(Person, pid).last_contact_on = on
        unit.commit()
    return pid


def test_export_holds_person_stages_interviews_and_other_areas_rows(uow, staff_id, tmp_path):
    pid = applicant(uow, staff_id, "Inès", dt.date(2026, 5, 1), "admis")
    interviews.save_followup(
        uow, FollowupInput(pid, dt.date(2026, 6, 1), points_discussed="Tarifs"), today=TODAY
    )
    with uow() as unit:
        client = Client(entrepreneur_id=pid, name="Boulangerie Martin")
        unit.session.add(client)
        unit.session.flush()
        unit.session.add(Invoice(entrepreneur_id=pid, client_id=client.id))
        unit.commit()
    data = personal_data.export_person(uow, pid)
    assert data["person"]["first_name"] == "Inès"
    assert data["intake_interview"][0]["project_what"] == "Projet Inès"
    assert data["followup_interview"][0]["points_discussed"] == "Tarifs"
    assert data["parcours_stage"][0]["kind"] == "accueil"
    assert data["client"][0]["name"] == "Boulangerie Martin"
    assert len(data["invoice"]) == 1
    json_path, pdf_path = personal_data.write_export(uow, pid, tmp_path)
    assert json.loads(json_path.read_text(encoding="utf-8"))["person"]["id"] == pid
    text = "\n".join(page.extract_text() for page in PdfReader(pdf_path).pages)
    assert "Données personnelles détenues" in text
    assert "Projet Inès" in text and "Boulangerie Martin" in text


def test_anonymised_person_keeps_dated_facts_but_no_identity(uow, staff_id):
    pid = applicant(uow, staff_id, "Zoé", dt.date(2024, 1, 10), "non_retenu")
    personal_data.anonymise_person(uow, pid, TODAY)
    person = get_person(uow, pid)
    assert (person.first_name, person.last_name, person.email) == ("", "Anonyme", "")
    assert person.anonymised_at is not None
    data = personal_data.export_person(uow, pid)
    intake = data["intake_interview"][0]
    assert (intake["project_what"], intake["decision"], intake["held_on"]) == (
        "",
        "non_retenu",
        "2024-01-10",
    )
    with pytest.raises(ConflictError):
        personal_data.anonymise_person(uow, pid, TODAY)


def test_anonymisation_is_refused_while_invoices_must_be_kept(uow, staff_id):
    pid = applicant(uow, staff_id, "Yves", dt.date(2024, 1, 10), "admis")
    with uow() as unit:
        client = Client(entrepreneur_id=pid, name="Client")
        unit.session.add(client)
        unit.session.flush()
        unit.session.add(
            Invoice(
                entrepreneur_id=pid,
                client_id=client.id,
                status="emise",
                number="LOC-2025-0001",
                issue_date=dt.date(2025, 3, 1),
            )
        )
        unit.commit()
    with pytest.raises(ConflictError) as caught:
        personal_data.anonymise_person(uow, pid, TODAY)
    assert caught.value.code == "invoices_retention"
    assert get_person(uow, pid).first_name == "Yves"


def test_retention_list_proposes_only_old_non_admitted_applicants(uow, staff_id):
    old_refused = applicant(uow, staff_id, "Ancien", dt.date(2024, 6, 1), "non_retenu")
    applicant(uow, staff_id, "Recent", dt.date(2025, 6, 1), "non_retenu")
    applicant(uow, staff_id, "Admis", dt.date(2023, 6, 1), "admis")
    candidates = personal_data.retention_candidates(uow, TODAY)
    assert [(c.person_id, c.decision, c.last_contact_on) for c in candidates] == [
        (old_refused, "non_retenu", dt.date(2024, 6, 1))
    ]
    personal_data.anonymise_person(uow, old_refused, TODAY)
    assert personal_data.retention_candidates(uow, TODAY) == []


def test_readable_export_speaks_french_and_hides_technical_ids(uow, staff_id, tmp_path):
    pid = applicant(uow, staff_id, "Inès", dt.date(2026, 5, 1), "admis")
    with uow() as unit:
        from app.models import Person

        unit.session.get(Person, pid).phone = "+33325873806"
        unit.commit()
    plan = "- Appeler trois clients\n- Préparer le devis"
    interviews.save_followup(
        uow,
        FollowupInput(pid, dt.date(2026, 6, 1), points_discussed="Tarifs", action_plan=plan),
        today=TODAY,
    )
    _json_path, pdf_path = personal_data.write_export(uow, pid, tmp_path)
    text = "\n".join(page.extract_text() for page in PdfReader(pdf_path).pages)
    assert "\n- Préparer le devis" in text  # typed line breaks kept
    assert "Prénom" in text and "E-mail" in text and "Dernier contact" in text
    assert "01/05/2026" in text  # dates as everywhere else in the app
    assert "03 25 87 38 06" in text
    for raw in ("first_name", "last_contact_on", "2026-05-01", "_id", pid, "+33"):
        assert raw not in text, raw

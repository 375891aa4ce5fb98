"""The demo profile: deterministic for a seed, and coherent enough to try every area."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import phonenumbers
import pytest
from email_validator import validate_email
from sqlalchemy import select, text
from stdnum import iban
from stdnum.eu import vat
from stdnum.fr import siren, siret

from app.config import ProfilePaths, load_settings
from app.demo.generator import generate
from app.ids import deterministic_id
from app.invoicing.money import LineInput, compute_totals
from app.models import Activity, Person, synced_tables
from app.people import person_directory
from app.profile import Profile, open_profile

TODAY = dt.date(2026, 3, 10)  # a Tuesday
SEED = 7


def _dump(root: Path) -> dict[str, list[tuple[Any, ...]]]:
    profile = open_profile(root)
    try:
        with profile.engine.connect() as conn:
            tables = [*synced_tables(), "device_identity"]
            return {
                name: [tuple(r) for r in conn.execute(text(f'SELECT * FROM "{name}" ORDER BY 1'))]
                for name in tables
            }
    finally:
        profile.close()


@pytest.fixture(scope="module")
def demo_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("demo") / "profil"
    generate(root, "demo", SEED, today=TODAY)
    return root


@pytest.fixture
def demo(demo_root: Path) -> Iterator[Profile]:
    profile = open_profile(demo_root)
    yield profile
    profile.close()


def _rows(profile: Profile, sql: str) -> list[Any]:
    with profile.engine.connect() as conn:
        return list(conn.execute(text(sql)).mappings())


def test_same_seed_and_day_give_identical_databases(demo_root: Path, tmp_path: Path) -> None:
    generate(tmp_path / "again", "demo", SEED, today=TODAY)
    first, second = _dump(demo_root), _dump(tmp_path / "again")
    assert first["person"], "the demo profile has persons"
    assert first == second


def test_another_seed_gives_other_people(demo_root: Path, tmp_path: Path) -> None:
    generate(tmp_path / "other", "demo", SEED + 1, today=TODAY)
    names = {r[0] for r in _rows_of(demo_root, "SELECT last_name || first_name FROM person")}
    others = {
        r[0] for r in _rows_of(tmp_path / "other", "SELECT last_name || first_name FROM person")
    }
    assert names != others


def _rows_of(root: Path, sql: str) -> list[Any]:
    profile = open_profile(root)
    try:
        with profile.engine.connect() as conn:
            return list(conn.execute(text(sql)))
    finally:
        profile.close()


def test_unknown_size_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        generate(tmp_path / "x", "huge")
    assert not (tmp_path / "x").exists()


def test_demo_profile_passes_integrity_and_foreign_key_checks(demo: Profile) -> None:
    assert demo.integrity_ok()
    assert _rows(demo, "PRAGMA foreign_key_check") == []
    counts = {t: _rows(demo, f'SELECT count(*) AS n FROM "{t}"')[0]["n"] for t in synced_tables()}
    assert 55 <= counts["person"] <= 65
    assert 120 <= counts["intake_interview"] + counts["followup_interview"] <= 180
    assert 120 <= counts["invoice"] <= 200
    assert counts["activity"] >= 20 and counts["attendance"] > 100
    assert counts["accompagnateur"] == 5


def test_settings_point_to_the_demo_accompagnateur_and_permanence(demo: Profile) -> None:
    settings = load_settings(ProfilePaths(demo.paths.root))
    assert settings.display_name == "Démonstration" and not settings.encrypted
    owner = _rows(demo, f"SELECT * FROM accompagnateur WHERE id = '{settings.accompagnateur_id}'")
    assert owner and owner[0]["last_name"] == "Lambert"
    permanence = _rows(demo, f"SELECT * FROM permanence WHERE id = '{settings.permanence_id}'")
    assert permanence[0]["town"] == "Langres" and permanence[0]["weekday"] == TODAY.weekday()


def test_todays_agenda_at_the_permanence_of_the_day(demo: Profile) -> None:
    settings = demo.settings
    rows = _rows(
        demo,
        "SELECT kind, permanence_id FROM appointment "
        f"WHERE date(starts_at) = '{TODAY.isoformat()}' ORDER BY starts_at",
    )
    assert len(rows) >= 3
    assert all(r["permanence_id"] == settings.permanence_id for r in rows)
    assert {"accueil", "suivi"} <= {r["kind"] for r in rows}


def test_invoice_numbers_are_gapless_and_chronological_per_series_and_year(demo: Profile) -> None:
    issued = _rows(
        demo,
        "SELECT i.number, i.sequence, i.issue_date, s.prefix FROM invoice i "
        "JOIN invoice_series s ON s.id = i.series_id WHERE i.status = 'emise'",
    )
    by_series: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for row in issued:
        by_series[(row["prefix"], row["issue_date"][:4])].append(row)
    assert len(by_series) >= 2
    for (prefix, year), rows in by_series.items():
        rows.sort(key=lambda r: r["sequence"])
        assert [r["sequence"] for r in rows] == list(range(1, len(rows) + 1))
        assert [r["number"] for r in rows] == [f"{prefix}-{year}-{r['sequence']:05d}" for r in rows]
        dates = [r["issue_date"] for r in rows]
        assert dates == sorted(dates)
    drafts = _rows(demo, "SELECT number, issue_date FROM invoice WHERE status = 'brouillon'")
    assert drafts and all(r["number"] is None and r["issue_date"] is None for r in drafts)


def test_totals_equal_the_line_arithmetic(demo: Profile) -> None:
    lines: dict[str, list[LineInput]] = defaultdict(list)
    for r in _rows(demo, "SELECT * FROM invoice_line ORDER BY position"):
        lines[r["invoice_id"]].append(
            LineInput(r["quantity_e4"], r["unit_price_cents"], r["vat_rate_bp"], r["discount_bp"])
        )
    invoices = _rows(demo, "SELECT * FROM invoice")
    rates = {ln.vat_rate_bp for group in lines.values() for ln in group}
    assert {2000, 1000, 550} <= rates
    for inv in invoices:
        totals = compute_totals(lines[inv["id"]])
        assert lines[inv["id"]], inv["id"]
        assert (inv["total_excl_cents"], inv["total_vat_cents"], inv["total_incl_cents"]) == (
            totals.excl_cents,
            totals.vat_cents,
            totals.incl_cents,
        )


def test_credit_notes_cancel_issued_invoices_and_payments_never_exceed_the_due(
    demo: Profile,
) -> None:
    invoices = {r["id"]: r for r in _rows(demo, "SELECT * FROM invoice")}
    credited: dict[str, int] = defaultdict(int)
    for inv in invoices.values():
        if inv["kind"] == "avoir":
            original = invoices[inv["credited_invoice_id"]]
            assert original["status"] == "emise" and original["kind"] == "facture"
            assert inv["total_incl_cents"] < 0 and inv["issue_date"] >= original["issue_date"]
            assert original["number"] in inv["notes"]
            credited[original["id"]] -= inv["total_incl_cents"]
    paid: dict[str, int] = defaultdict(int)
    for p in _rows(demo, "SELECT * FROM payment"):
        paid[p["invoice_id"]] += p["amount_cents"]
        assert p["paid_on"] <= TODAY.isoformat()
    assert paid
    for invoice_id, amount in paid.items():
        inv = invoices[invoice_id]
        assert inv["status"] == "emise" and inv["kind"] == "facture"
        assert 0 < amount <= inv["total_incl_cents"] - credited[invoice_id]


def test_attendance_and_registration_ids_are_the_natural_deterministic_ids(demo: Profile) -> None:
    attendance = _rows(demo, "SELECT id, slot_id, person_id, state FROM attendance")
    assert attendance
    for r in attendance:
        assert r["id"] == deterministic_id("attendance", r["slot_id"], r["person_id"])
    assert {"present", "absent", "excuse", "attendu"} >= {r["state"] for r in attendance}
    assert "present" in {r["state"] for r in attendance}
    for r in _rows(demo, "SELECT id, activity_id, person_id FROM registration"):
        assert r["id"] == deterministic_id("registration", r["activity_id"], r["person_id"])
    slots = _rows(demo, "SELECT activity_id, count(*) AS n FROM activity_slot "
                  "JOIN activity a ON a.id = activity_id WHERE a.kind = 'atelier' GROUP BY 1")  # fmt: skip
    assert slots and all(r["n"] == 2 for r in slots)


def test_phones_emails_and_company_identifiers_are_valid(demo: Profile) -> None:
    for r in _rows(demo, "SELECT phone, email FROM person"):
        assert phonenumbers.is_valid_number(phonenumbers.parse(r["phone"], "FR")), r["phone"]
        if r["email"]:
            validate_email(r["email"], check_deliverability=False)
    companies = _rows(demo, "SELECT siren, vat_number FROM client WHERE kind = 'entreprise'")
    assert companies
    for r in companies:
        assert siren.is_valid(r["siren"]), r["siren"]
        assert not r["vat_number"] or vat.is_valid(r["vat_number"])
    cae = _rows(demo, "SELECT * FROM cae_identity")[0]
    assert siren.is_valid(cae["siren"]) and siret.is_valid(cae["siret"])
    assert cae["siret"].startswith(cae["siren"]) and vat.is_valid(cae["vat_number"])
    assert iban.is_valid(cae["iban"]) and cae["name"] and cae["rcs_city"]


def test_parcours_follows_the_journey_rules(demo: Profile) -> None:
    stages: dict[str, list[Any]] = defaultdict(list)
    for r in _rows(demo, "SELECT * FROM parcours_stage ORDER BY start_date"):
        stages[r["person_id"]].append(r)
    assert len(stages) == 60
    order = ["accueil", "diagnostic", "cape", "salarie", "associe", "sortie"]
    for person_stages in stages.values():
        kinds = [s["kind"] for s in person_stages]
        assert kinds[0] == "accueil"
        assert [order.index(k) for k in kinds] == sorted(order.index(k) for k in kinds)
        for s in person_stages:
            assert s["renewals"] <= 2
            assert s["contract_type"] in ("", "CDI", "CESA")
            assert s["end_date"] is None or s["end_date"] >= s["start_date"]
    assert {"cape", "salarie", "sortie"} <= {s["kind"] for g in stages.values() for s in g}


def test_search_keys_match_what_the_app_computes_and_search_ignores_accents(
    demo: Profile,
) -> None:
    with demo.uow() as uow:
        persons = list(uow.session.scalars(select(Person)))
        stored = {p.id: p.search_key for p in persons}
        for p in persons:
            p.notes = p.notes + " "  # any change refreshes the key through the ORM event
        uow.session.flush()
        assert {p.id: p.search_key for p in persons} == stored
        accented = next(p for p in persons if _plain(p.first_name) != p.first_name)
        query = f"{_plain(accented.first_name)} {_plain(accented.last_name)}".lower()
        accented_id = accented.id
    found = person_directory.search_persons(demo.uow, query)
    assert accented_id in {row.id for row in found}


def test_activity_title_keys_match_what_the_app_computes(demo: Profile) -> None:
    with demo.uow() as uow:
        activities = list(uow.session.scalars(select(Activity)))
        stored = {a.id: a.title_key for a in activities}
        assert all(stored.values())
        for a in activities:
            a.description = a.description + " "
        uow.session.flush()
        assert {a.id: a.title_key for a in activities} == stored


def _plain(name: str) -> str:
    """ "Hélène" -> "Helene", written out so the test does not reuse the code it checks."""
    table = str.maketrans("éèêëàâäîïôöùûüçÉÈÎÔæœÿ", "eeeeaaaiioouuucEEIOaoy")
    return name.translate(table)


def test_invoice_search_keys_and_snapshots_are_what_validation_writes(demo: Profile) -> None:
    from app.invoicing.drafts import search_key
    from app.invoicing.printable import Party
    from app.models import Client, Invoice

    with demo.uow() as uow:
        session = uow.session
        invoices = list(session.scalars(select(Invoice).where(Invoice.status == "emise")))
        assert invoices
        for invoice in invoices:
            client = session.get(Client, invoice.client_id)
            person = session.get(Person, invoice.entrepreneur_id)
            assert client is not None and person is not None
            assert invoice.search_key == search_key(invoice.number or "", client.name, person)
            buyer = Party(**json.loads(invoice.buyer_snapshot))
            assert buyer.name == client.name and buyer.siren == client.siren
            seller = json.loads(invoice.seller_snapshot)
            assert seller["party"]["siren"] and person.last_name in seller["activity"]

"""The attacks of issue 12, each tried with a real device token against a real siège
(SQLite and PostgreSQL): every one is refused with its reason and changes nothing;
the legitimate path next to it still works. Also the audit and its command."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import insert

from app.ids import new_id
from app.models.base import Base
from app.sync.hlc import HybridClock
from siege import audit, devices
from siege.__main__ import main as siege_main
from tests.sync_support import Siege
from tests.sync_support.authority import (
    HEADERS,
    REIMS,
    STAMP,
    Device,
    World,
    build_world,
    complete,
    draft_fields,
    enrol,
    fingerprint,
    issue_fields,
    op,
    reasons,
    row,
    series_fields,
)

LINE = {"description": "Prestation", "quantity_e4": 10000, "unit_price_cents": 999999,
        "vat_rate_bp": 0}  # fmt: skip


def _issue(world: World, sequence: int = 1, **fields: Any) -> None:
    lines = [op("invoice_line", new_id(), freeze=True,
                **complete("invoice_line", invoice_id=world.draft, **LINE))]  # fmt: skip
    response = world.own.push(
        op("invoice", world.draft, freeze=True, **issue_fields(world, sequence, **fields)), *lines
    )
    assert response.status_code == 200, response.text


def _refused(server: Siege, world_dev: Any, *ops: dict[str, Any]) -> list[str]:
    before = fingerprint(server)
    found = reasons(world_dev.push(*ops))
    assert fingerprint(server) == before
    return found


def test_freeze_of_another_devices_issued_invoice_naming_your_series(siege: Siege) -> None:
    world = build_world(siege)
    _issue(world)
    # A Reims colleague (same antenne, its own series) rewrites the issued invoice.
    colleague = enrol(siege, "Reims")
    own_series = new_id()
    assert colleague.push(op("invoice_series", own_series, **series_fields(colleague))).status_code == 200  # fmt: skip
    forged = issue_fields(world, 1, series_id=own_series, total_incl_cents=1,
                          buyer_snapshot="Autre acheteur")  # fmt: skip
    assert _refused(siege, colleague, op("invoice", world.draft, freeze=True, **forged)) == [
        "issued_invoice_immutable"
    ]
    stored = row(siege, "invoice", world.draft)
    assert stored is not None and stored["total_incl_cents"] == 12000
    # The other antenne's laptop cannot even fork it: the entrepreneur is not theirs.
    other_series = new_id()
    assert world.other.push(op("invoice_series", other_series, **series_fields(world.other))).status_code == 200  # fmt: skip
    fork = issue_fields(world, 1, series_id=other_series,
                        number=f"{world.other.prefix}-2026-00001")  # fmt: skip
    assert _refused(siege, world.other, op("invoice", world.draft, freeze=True, **fork)) == [
        "person_of_another_antenne"
    ]


def test_numbers_belong_to_their_series_year_and_sequence(siege: Siege) -> None:
    world = build_world(siege)
    foreign = issue_fields(world, 1, number=f"{world.other.prefix}-2026-00001")
    wrong_year = issue_fields(world, 1, number=f"{world.own.prefix}-2025-00001")
    skipped = issue_fields(world, 3)
    for fields, reason in [
        (foreign, "number_not_of_its_series"),
        (wrong_year, "number_not_of_its_series"),
        (skipped, "number_skips_ahead"),
    ]:
        assert _refused(siege, world.own, op("invoice", world.draft, freeze=True, **fields)) == [
            reason
        ]
    _issue(world, 1)
    second = new_id()
    assert world.own.push(op("invoice", second, **draft_fields(world))).status_code == 200
    again = {**issue_fields(world, 1), "notes": "restauré"}
    assert _refused(siege, world.own, op("invoice", second, freeze=True, **again)) == [
        "number_already_used"
    ]
    next_one = issue_fields(world, 2, issue_date="2026-11-21")
    assert world.own.push(op("invoice", second, freeze=True, **next_one)).status_code == 200


def test_a_series_takes_only_its_devices_prefix(siege: Siege) -> None:
    world = build_world(siege)
    theirs_prefix = {**series_fields(world.own, "avoir"), "prefix": world.other.prefix}
    theirs_device = {**series_fields(world.own, "avoir"), "device_id": world.other.device_id}
    assert _refused(siege, world.own, op("invoice_series", new_id(), **theirs_prefix)) == [
        "series_prefix_of_another_device"
    ]
    assert _refused(siege, world.own, op("invoice_series", new_id(), **theirs_device)) == [
        "series_of_another_device"
    ]
    moved: dict[str, Any] = {"device_id": world.other.device_id}
    assert _refused(siege, world.own, op("invoice_series", world.series, **moved)) == [
        "series_owner_change"
    ]


def test_nothing_is_added_to_an_issued_invoice_not_even_by_its_issuer(siege: Siege) -> None:
    world = build_world(siege)
    _issue(world)
    line = complete("invoice_line", invoice_id=world.draft, **{**LINE, "unit_price_cents": 999999})
    assert _refused(siege, world.own, op("invoice_line", new_id(), **line)) == [
        "issued_invoice_immutable"
    ]
    assert _refused(siege, world.own, op("invoice_line", new_id(), freeze=True, **line)) == [
        "freeze_out_of_issue"
    ]
    bigger = issue_fields(world, 1, total_incl_cents=1011999)
    assert _refused(siege, world.own, op("invoice", world.draft, freeze=True, **bigger)) == [
        "issued_invoice_immutable"
    ]
    # The same issue sent again (an answer lost on the way) is fine and changes nothing.
    assert world.own.push(op("invoice", world.draft, freeze=True, **issue_fields(world))).status_code == 200  # fmt: skip


def test_pdf_path_is_written_once_by_the_issuing_device_under_documents(siege: Siege) -> None:
    world = build_world(siege)
    _issue(world)
    path: dict[str, Any] = {"pdf_path": "factures/2026/X.pdf", "pdf_sha256": "a" * 64}
    colleague = enrol(siege, "Reims")
    assert _refused(siege, colleague, op("invoice", world.draft, **path)) == [
        "invoice_of_another_device"
    ]
    for bad in ["../../.ssh/id_rsa", "/etc/passwd", "factures/../../x.pdf", "C:\\x.pdf"]:
        body = op("invoice", world.draft, pdf_path=bad)
        before = fingerprint(siege)
        assert world.own.push(body).status_code == 422, bad
        assert fingerprint(siege) == before
    assert world.own.push(op("invoice", world.draft, **path)).status_code == 200
    again = op("invoice", world.draft, pdf_path="factures/2026/Y.pdf")
    assert _refused(siege, world.own, again) == ["issued_invoice_immutable"]
    stored = row(siege, "invoice", world.draft)
    assert stored is not None and stored["pdf_path"] == "factures/2026/X.pdf"


def test_reference_data_and_identity_are_the_sieges(siege: Siege) -> None:
    world = build_world(siege)
    identity = row(siege, "cae_identity", _identity_id(siege))
    assert identity is not None
    iban = op("cae_identity", identity["id"], iban="FR7630006000011234567890189", bic="AGRIFRPP")
    assert _refused(siege, world.own, iban) == ["reference_data_siege_only"]
    rename = op("antenne", REIMS, name="Reims (fermée)")
    delete = op("antenne", REIMS, deleted_at=STAMP)
    assert _refused(siege, world.other, rename) == ["reference_data_siege_only"]
    assert _refused(siege, world.own, delete) == ["reference_data_siege_only"]
    devices.enroll(siege.engine, "Portable Reims 2", "Reims")  # Reims is still there
    assert world.staff.push(op("cae_identity", identity["id"], bic="AGRIFRPP")).status_code == 200


def _identity_id(server: Siege) -> str:
    from sqlalchemy import select

    t = Base.metadata.tables["cae_identity"]
    with server.engine.connect() as conn:
        return str(conn.execute(select(t.c.id)).scalar_one())


@pytest.mark.parametrize(
    ("table", "fields"),
    [
        ("cae_identity", {"payment_terms_days": 999999999}),
        ("cae_identity", {"payment_terms_days": -1}),
        ("person", {"first_name": "Léa\ud800"}),
        ("person", {"birth_date": "0001-01-01"}),
        ("person", {"updated_at": "9999-12-31T00:00:00"}),
        ("person", {"created_by": "x" * 121}),
        ("invoice_line", {"unit_price_cents": 10**13}),
        ("invoice_line", {"vat_rate_bp": 20001}),
        ("payment", {"amount_cents": 10**17}),
    ],
)
def test_values_out_of_range_are_refused_before_anything_is_written(
    siege: Siege, table: str, fields: dict[str, Any]
) -> None:
    world = build_world(siege)
    before = fingerprint(siege)
    # Even the siège's own staff device: limits hold for everyone (app/sync/limits.py).
    for dev in (world.own, world.staff):
        response = dev.push(op(table, new_id(), **fields))
        assert response.status_code == 422, response.text
        assert response.json()["detail"]["reason"]
    assert fingerprint(siege) == before


def test_the_siege_chooses_device_ids_and_imported_series_stay_bound(siege: Siege) -> None:
    # A series imported from a laptop's profile (python -m siege import-profile).
    old_laptop, series_id = new_id(), new_id()
    series = Base.metadata.tables["invoice_series"]
    values = {**series_fields_raw("REI", old_laptop), "id": series_id}
    with siege.engine.begin() as conn:
        conn.execute(insert(series).values(**values))
    # A new laptop claims the old laptop's id at enrolment: the claim is ignored.
    code, prefix = devices.enroll(siege.engine, "Portable neuf", "Reims")
    assert prefix != "REI"
    answer = siege.http().post(
        "/api/v1/enroll", json={"code": code, "device_id": old_laptop}, headers=HEADERS
    )
    assert answer.status_code == 200
    assert answer.json()["device_id"] != old_laptop
    token = answer.json()["token"]
    thief = Device("Portable neuf", token, answer.json()["device_id"], prefix,
                   siege.http(token), HybridClock(answer.json()["device_id"]))  # fmt: skip
    assert _refused(siege, thief, op("invoice_series", series_id, last_number=7)) == [
        "series_of_another_device"
    ]
    # The administrator hands the series over to the laptop it came from.
    code, prefix = devices.enroll(siege.engine, "Portable Reims", "Reims", series="REI")
    assert prefix == "REI"
    answer = siege.http().post("/api/v1/enroll", json={"code": code}, headers=HEADERS)
    assert answer.json()["device_id"] == old_laptop
    with pytest.raises(devices.DeviceAdminError) as taken:
        devices.enroll(siege.engine, "Portable Reims bis", "Reims", series="REI")
    assert taken.value.reason == "series_taken"


def series_fields_raw(prefix: str, device_id: str) -> dict[str, Any]:
    moment = dt.datetime.fromisoformat(STAMP)
    return {"prefix": prefix, "kind": "facture", "device_id": device_id, "year": 2026,
            "last_number": 12, "created_at": moment, "updated_at": moment}  # fmt: skip


def test_audit_names_the_device_and_fields_never_values(
    siege: Siege, capsys: pytest.CaptureFixture[str]
) -> None:
    world = build_world(siege)
    person_id = new_id()
    forged = complete("person", first_name="Inès", last_name="Secret", antenne_id=REIMS,
                      created_by="La directrice", updated_by="La directrice")  # fmt: skip
    assert world.own.push(op("person", person_id, **forged)).status_code == 200
    entries = audit.query(siege.engine, row_id=person_id)
    assert [(e.device_name, e.action, e.table) for e in entries] == [
        (world.own.name, "create", "person")
    ]
    assert "last_name" in entries[0].fields and "created_by" in entries[0].fields
    assert world.other.push(op("person", new_id(), **forged)).status_code == 200
    assert {e.device_name for e in audit.query(siege.engine, device=world.other.name)} == {
        world.other.name
    }
    code = siege_main(["--database-url", siege.url, "audit", "--device", world.own.name,
                       "--table", "person", "--since", "2026-01-01", "--limit", "5"])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    assert "création" in out and "person" in out and world.own.name in out
    assert "Secret" not in out and "directrice" not in out
    assert world.other.name not in out
    # Local French time: 26/11/2026 09:30 in Paris (the tests' pinned clock) is 08:30 UTC.
    stored = entries[0].applied_at
    assert audit.describe(entries[0]).startswith(
        (stored + dt.timedelta(hours=1)).strftime("%d/%m/%Y %H:%M")
    )
    assert siege_main(["--database-url", siege.url, "audit", "--row", new_id()]) == 0
    assert "aucune modification" in capsys.readouterr().out


def test_cli_enrols_a_siege_staff_device_and_lists_its_role(
    siege: Siege, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--database-url", siege.url, "device", "enroll", "Poste du siège", "--antenne",
            "Reims", "--role", "siege"]  # fmt: skip
    assert siege_main(args) == 0
    assert "rôle :                 siège" in capsys.readouterr().out
    assert siege_main(["--database-url", siege.url, "device", "list"]) == 0
    listed = [line for line in capsys.readouterr().out.splitlines() if "Poste du siège" in line]
    assert len(listed) == 1 and "siège" in listed[0].split("Poste du siège", 1)[1]
    bad = ["--database-url", siege.url, "device", "enroll", "X", "--antenne", "Reims",
           "--series", "ZZZ"]  # fmt: skip
    assert siege_main(bad) == 2
    assert "aucune série" in capsys.readouterr().err


def test_a_credit_notes_number_follows_its_series(siege: Siege) -> None:
    """A CAE whose credit notes share the invoices' series numbers them PREFIX-YYYY-NNNNN
    (app/invoicing/numbering.py); only a series of credit notes carries the AV mark."""
    world = build_world(siege)
    marked = issue_fields(world, 1, kind="avoir", number=f"{world.own.prefix}-AV-2026-00001")
    assert _refused(siege, world.own, op("invoice", world.draft, freeze=True, **marked)) == [
        "number_not_of_its_series"
    ]
    _issue(world, 1, kind="avoir")
    stored = row(siege, "invoice", world.draft)
    assert stored is not None and stored["number"] == f"{world.own.prefix}-2026-00001"
    # In a series of their own, credit notes carry the mark, and only they do.
    notes = new_id()
    assert world.own.push(op("invoice_series", notes, **series_fields(world.own, "avoir"))).status_code == 200  # fmt: skip
    second = new_id()
    assert world.own.push(op("invoice", second, **draft_fields(world, kind="avoir"))).status_code == 200  # fmt: skip
    unmarked = issue_fields(world, 1, kind="avoir", series_id=notes)
    assert _refused(siege, world.own, op("invoice", second, freeze=True, **unmarked)) == [
        "number_not_of_its_series"
    ]
    own = {**unmarked, "number": f"{world.own.prefix}-AV-2026-00001"}
    assert world.own.push(op("invoice", second, freeze=True, **own)).status_code == 200

"""Read scopes (docs/authority.md, "Read scope"), on SQLite and PostgreSQL: through the
real HTTP API, every device receives exactly the rows of its scope — checked row by row
against the rules as written in the docs (the oracle below reads the siège's tables
directly, not siege/scope.py) — a siège-staff device receives everything, a person
moving to another antenne reaches the new antenne's laptops with their whole record, a
scope that grows brings exactly the missing rows, and conflicts follow their rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from app.ids import deterministic_id, new_id
from app.models.base import Base, synced_tables
from siege import devices
from siege.tables import audit, row_version
from tests.sync_support import Siege
from tests.sync_support.authority import (
    CHARLEVILLE,
    EPERNAY,
    HEADERS,
    ISSUE_DATE,
    REIMS,
    SEDAN,
    STAMP,
    THEME,
    Device,
    complete,
    enrol,
    op,
    series_fields,
)

TROYES = deterministic_id("antenne", "Troyes")
FUNDER = deterministic_id("funder", "REGION")
Key = tuple[str, str]


def pull(dev: Device, after: int = 0) -> tuple[set[Key], list[dict[str, Any]], int]:
    """Every row and conflict sent to ``dev`` after ``after``, and the final cursor."""
    keys: set[Key] = set()
    conflicts: list[dict[str, Any]] = []
    cursor = after
    while True:
        answer = dev.http.get(
            "/api/v1/changes", params={"after": cursor, "limit": 7}, headers=HEADERS
        )
        assert answer.status_code == 200, answer.text
        page = answer.json()
        keys |= {(r["table"], r["row_id"]) for r in page["rows"]}
        conflicts += page["conflicts"]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            return keys, conflicts, cursor


def _rows(server: Siege) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    with server.engine.connect() as conn:
        for name in synced_tables():
            t = Base.metadata.tables[name]
            out[name] = [dict(r) for r in conn.execute(select(t)).mappings()]
    return out


def oracle(server: Siege, towns: list[str], dev: Device) -> set[Key]:
    """The read scope of docs/authority.md, rule by rule, over the siège's rows."""
    rows = _rows(server)
    by_id = {name: {r["id"]: r for r in found} for name, found in rows.items()}
    antennes = {a["id"] for a in rows["antenne"] if a["name"] in towns}
    antennes |= {p["antenne_id"] for p in rows["permanence"] if p["town"] in towns}
    with server.engine.connect() as conn:
        created = set(
            conn.execute(
                select(audit.c.row_id).where(
                    audit.c.device_id == dev.device_id,
                    audit.c.table_name == "person",
                    audit.c.action == "create",
                )
            ).scalars()
        )
    followed = {
        p["id"]
        for p in rows["person"]
        if p["antenne_id"] is None or p["antenne_id"] in antennes or p["id"] in created
    }
    places = {p["id"] for p in rows["permanence"] if p["antenne_id"] in antennes}
    held_here = {
        a["id"]
        for a in rows["activity"]
        if a["permanence_id"] is None or a["permanence_id"] in places
    }
    sessions = held_here | {
        r["activity_id"] for r in rows["registration"] if r["person_id"] in followed
    }
    series = {s["id"] for s in rows["invoice_series"] if s["device_id"] == dev.device_id}

    def invoice_in(invoice_id: str) -> bool:
        inv = by_id["invoice"].get(invoice_id)
        return inv is not None and (
            inv["entrepreneur_id"] in followed or inv["series_id"] in series
        )

    archive = [i for i in rows["invoice"] if i["series_id"] in series]
    seen = followed | {
        r["person_id"] for r in rows["registration"] if r["activity_id"] in held_here
    }
    seen |= {i["entrepreneur_id"] for i in archive}
    shared = {"cae_identity", "antenne", "permanence", "option_item", "funder",
              "workshop_theme", "accompagnateur", "invoice_series"}  # fmt: skip
    out: set[Key] = set()
    for name, found in rows.items():
        for r in found:
            if name in shared:
                keep = True
            elif name == "person":
                keep = r["id"] in seen
            elif name in (
                "parcours_stage",
                "intake_interview",
                "followup_interview",
                "appointment",
            ):
                keep = r["person_id"] in followed
            elif name == "client":
                keep = r["entrepreneur_id"] in followed or r["id"] in {
                    i["client_id"] for i in archive
                }
            elif name == "activity":
                keep = r["id"] in sessions
            elif name in ("activity_slot", "activity_funder"):
                keep = r["activity_id"] in sessions
            elif name == "registration":
                keep = r["person_id"] in followed or r["activity_id"] in held_here
            elif name == "attendance":
                slot = by_id["activity_slot"][r["slot_id"]]
                keep = r["person_id"] in followed or slot["activity_id"] in held_here
            elif name in ("attendance_signature", "sheet_seal"):  # follow their session
                keep = by_id["activity_slot"][r["slot_id"]]["activity_id"] in sessions
            elif name == "invoice":
                keep = invoice_in(r["id"])
            elif name in ("invoice_line", "payment"):
                keep = invoice_in(r["invoice_id"])
            else:
                raise AssertionError(f"no read rule for {name}: add it to docs/authority.md")
            if keep:
                out.add((name, r["id"]))
    return out


def everything(server: Siege) -> set[Key]:
    with server.engine.connect() as conn:
        versioned = {
            (t, r) for t, r in conn.execute(select(row_version.c.table_name, row_version.c.row_id))
        }
    present = {(name, r["id"]) for name, found in _rows(server).items() for r in found}
    return versioned & present


@dataclass
class Region:
    server: Siege
    reims: Device  # a laptop at Épernay: the Reims antenne
    ardennes: Device  # a laptop at Sedan: the Charleville-Mézières antenne
    staff: Device
    ids: dict[str, str]


def person(antenne: str | None, name: str) -> dict[str, Any]:
    return complete("person", first_name=name, last_name="Test", antenne_id=antenne)


def child(table: str, person_id: str, **fields: Any) -> dict[str, Any]:
    return complete(table, person_id=person_id, **fields)


def build_region(server: Siege) -> Region:
    region = Region(server, enrol(server, "Épernay"), enrol(server, "Sedan"),
                    enrol(server, "Reims", devices.SIEGE), {})  # fmt: skip
    i = region.ids
    for name in ("pa", "px", "pn", "ia", "sa", "fa", "apa", "ca", "da", "la", "pya", "sr",
                 "act_e", "sl_e", "fu_e", "ra", "ata", "pb", "pv", "ib", "cb", "db", "lb",
                 "act_s", "sl_s", "rb_s", "atb_s", "rb_e", "atb_e", "act_t", "sl_t"):  # fmt: skip
        i[name] = new_id()
    ok = region.reims.push(
        op("person", i["pa"], **person(REIMS, "Amandine")),
        op("person", i["px"], **person(CHARLEVILLE, "Xavier")),  # created here, followed there
        op("person", i["pn"], **person(None, "Nina")),  # no antenne: everyone's
        op("intake_interview", i["ia"], **child("intake_interview", i["pa"], held_on="2026-11-02")),
        op("parcours_stage", i["sa"], **child("parcours_stage", i["pa"], kind="cape",
                                             start_date="2026-11-03")),
        op("followup_interview", i["fa"], **child("followup_interview", i["pa"],
                                                 held_on="2026-11-04", duration_minutes=60)),
        op("appointment", i["apa"], **child("appointment", i["pa"], starts_at=STAMP)),
        op("client", i["ca"], **complete("client", entrepreneur_id=i["pa"], name="SARL Vigne",
                                         kind="entreprise")),
        op("invoice", i["da"], **complete("invoice", kind="facture", status="brouillon",
                                          nature="services", entrepreneur_id=i["pa"],
                                          client_id=i["ca"])),
        op("invoice_line", i["la"], **complete("invoice_line", invoice_id=i["da"],
                                               description="Conseil", quantity_e4=10000,
                                               unit_price_cents=5000)),
        op("payment", i["pya"], **complete("payment", invoice_id=i["da"], amount_cents=100,
                                           paid_on="2026-11-05", mode="virement")),
        op("invoice_series", i["sr"], **series_fields(region.reims)),
        op("activity", i["act_e"], **complete("activity", kind="atelier", title="Atelier Épernay",
                                              theme_id=THEME, held_on="2026-11-20",
                                              permanence_id=EPERNAY)),
        op("activity_slot", i["sl_e"], **complete("activity_slot", activity_id=i["act_e"])),
        op("activity_funder", i["fu_e"], **complete("activity_funder", activity_id=i["act_e"],
                                                    funder_id=FUNDER)),
        op("registration", i["ra"], **complete("registration", activity_id=i["act_e"],
                                               person_id=i["pa"], status="inscrit")),
        op("attendance", i["ata"], **complete("attendance", slot_id=i["sl_e"], person_id=i["pa"],
                                              state="present")),
    )  # fmt: skip
    assert ok.status_code == 200, ok.text
    ok = region.ardennes.push(
        op("person", i["pb"], **person(CHARLEVILLE, "Bastien")),
        op("person", i["pv"], **person(TROYES, "Victor")),  # created here, followed in Troyes
        op("intake_interview", i["ib"], **child("intake_interview", i["pb"], held_on="2026-11-06")),
        op("client", i["cb"], **complete("client", entrepreneur_id=i["pb"], name="EURL Ardoise",
                                         kind="entreprise")),
        op("invoice", i["db"], **complete("invoice", kind="facture", status="brouillon",
                                          nature="services", entrepreneur_id=i["pb"],
                                          client_id=i["cb"])),
        op("invoice_line", i["lb"], **complete("invoice_line", invoice_id=i["db"],
                                               description="Étude", quantity_e4=10000,
                                               unit_price_cents=7000)),
        op("activity", i["act_s"], **complete("activity", kind="atelier", title="Atelier Sedan",
                                              theme_id=THEME, held_on="2026-11-21",
                                              permanence_id=SEDAN)),
        op("activity_slot", i["sl_s"], **complete("activity_slot", activity_id=i["act_s"])),
        op("registration", i["rb_s"], **complete("registration", activity_id=i["act_s"],
                                                 person_id=i["pb"], status="inscrit")),
        op("attendance", i["atb_s"], **complete("attendance", slot_id=i["sl_s"],
                                                person_id=i["pb"], state="present")),
        # Bastien attends a workshop held in Épernay: the Reims laptop runs it and needs
        # his name on its attendance sheet, not his record.
        op("registration", i["rb_e"], **complete("registration", activity_id=i["act_e"],
                                                 person_id=i["pb"], status="inscrit")),
        op("attendance", i["atb_e"], **complete("attendance", slot_id=i["sl_e"],
                                                person_id=i["pb"], state="present")),
    )  # fmt: skip
    assert ok.status_code == 200, ok.text
    return region


def test_each_device_receives_exactly_its_scope_and_staff_everything(siege: Siege) -> None:
    region = build_region(siege)
    i = region.ids
    for dev, towns in ((region.reims, ["Épernay"]), (region.ardennes, ["Sedan"])):
        received, _conflicts, _cursor = pull(dev)
        expected = oracle(siege, towns, dev)
        assert received - expected == set(), f"{dev.name} received rows outside its scope"
        assert expected - received == set(), f"{dev.name} missed rows of its scope"
    staff, _conflicts, _cursor = pull(region.staff)
    assert staff == everything(siege)
    # What the rules mean, spelled out for the Reims laptop.
    reims, _c, _n = pull(region.reims)
    assert {("person", i["pa"]), ("intake_interview", i["ia"]), ("invoice", i["da"]),
            ("payment", i["pya"]), ("person", i["px"]), ("person", i["pn"]),
            ("person", i["pb"]), ("registration", i["rb_e"]), ("attendance", i["atb_e"]),
            ("activity_funder", i["fu_e"])} <= reims  # fmt: skip
    assert not {("intake_interview", i["ib"]), ("client", i["cb"]), ("invoice", i["db"]),
                ("invoice_line", i["lb"]), ("activity", i["act_s"]), ("person", i["pv"]),
                ("registration", i["rb_s"])} & reims  # fmt: skip
    ardennes, _c, _n = pull(region.ardennes)
    # Bastien's workshop in Épernay is on his antenne's laptop (not its other registrants).
    assert {("activity", i["act_e"]), ("activity_slot", i["sl_e"]), ("person", i["pv"])} <= ardennes
    assert not {("person", i["pa"]), ("registration", i["ra"]), ("attendance", i["ata"])} & ardennes


def test_a_person_moving_in_arrives_whole_and_issued_invoices_stay_with_their_series(
    siege: Siege,
) -> None:
    region = build_region(siege)
    i = region.ids
    _r, _c, reims_cursor = pull(region.reims)
    colleague = enrol(siege, "Reims")
    _r, _c, colleague_cursor = pull(colleague)
    before, _c, cursor = pull(region.ardennes)
    # The Reims laptop issues an invoice for Amandine in its own series, then hands her
    # over to the Charleville antenne.
    issued, line = new_id(), new_id()
    number = f"{region.reims.prefix}-2026-00001"
    fields = complete("invoice", kind="facture", status="emise", nature="services",
                      entrepreneur_id=i["pa"], client_id=i["ca"], series_id=i["sr"], sequence=1,
                      number=number, issue_date=ISSUE_DATE, total_excl_cents=5000,
                      total_vat_cents=1000, total_incl_cents=6000, issued_at=STAMP)  # fmt: skip
    ok = region.reims.push(
        op("invoice", issued, freeze=True, **fields),
        op("invoice_line", line, freeze=True, **complete("invoice_line", invoice_id=issued,
                                                           description="Conseil",
                                                           quantity_e4=10000,
                                                           unit_price_cents=5000)),
    )  # fmt: skip
    assert ok.status_code == 200, ok.text
    moved = region.reims.push(op("person", i["pa"], antenne_id=CHARLEVILLE))
    assert moved.status_code == 200, moved.text
    arrived, _c, _cursor = pull(region.ardennes, cursor)
    expected = oracle(siege, ["Sedan"], region.ardennes)
    assert arrived <= expected, "rows outside the scope were sent"
    assert before | arrived == expected, "the person's record did not arrive whole"
    assert {("person", i["pa"]), ("intake_interview", i["ia"]), ("parcours_stage", i["sa"]),
            ("followup_interview", i["fa"]), ("appointment", i["apa"]), ("client", i["ca"]),
            ("invoice", i["da"]), ("invoice_line", i["la"]), ("payment", i["pya"]),
            ("registration", i["ra"]), ("attendance", i["ata"]), ("activity", i["act_e"]),
            ("invoice", issued), ("invoice_line", line)} <= arrived  # fmt: skip
    # The laptop that created her keeps reading her (docs/authority.md); another laptop
    # of the Reims antenne is sent nothing of her any more.
    after_move, _c, _cursor = pull(region.reims, reims_cursor)
    assert after_move <= oracle(siege, ["Épernay"], region.reims)
    assert {("invoice", issued), ("invoice_line", line)} <= after_move
    later, _c, _cursor = pull(colleague, colleague_cursor)
    assert later <= oracle(siege, ["Reims"], colleague)
    assert not {k for k in later if k[0] != "person" and k[1] in (i["pa"], i["ia"], issued)}
    assert ("intake_interview", i["ia"]) not in oracle(siege, ["Reims"], colleague)
    assert ("invoice", issued) not in oracle(siege, ["Reims"], colleague)


def test_a_scope_that_grows_brings_exactly_the_missing_rows(siege: Siege) -> None:
    region = build_region(siege)
    laptop = enrol(siege, "Sedan")
    held, _c, cursor = pull(laptop)
    old = oracle(siege, ["Sedan"], laptop)
    assert held == old
    record, sent = devices.set_scope(siege.engine, laptop.name, ["Sedan", "Épernay"])
    assert record.towns == ("Sedan", "Épernay")
    new = oracle(siege, ["Sedan", "Épernay"], laptop)
    arrived, _c, _cursor = pull(laptop, cursor)
    assert arrived == new - old and sent == len(new - old) > 0
    assert ("intake_interview", region.ids["ia"]) in arrived
    # Its writes follow: the Reims antenne's person is now its own to change.
    ok = laptop.push(op("person", region.ids["pa"], phone="0611223344"))
    assert ok.status_code == 200, ok.text
    with pytest.raises(devices.DeviceAdminError):
        devices.set_scope(siege.engine, laptop.name, ["Atlantide"])


def test_a_device_enrolled_for_several_antennes_reads_all_of_them(siege: Siege) -> None:
    region = build_region(siege)
    code, _prefix = devices.enroll(siege.engine, "Portable itinérant", ["Sedan", "Épernay"])
    response = siege.http().post("/api/v1/enroll", json={"code": code}, headers=HEADERS)
    assert response.status_code == 200, response.text
    laptop = Device("Portable itinérant", response.json()["token"], response.json()["device_id"],
                    _prefix, siege.http(response.json()["token"]), region.reims.clock)  # fmt: skip
    received, _c, _cursor = pull(laptop)
    assert received == oracle(siege, ["Sedan", "Épernay"], laptop)
    assert {
        ("intake_interview", region.ids["ia"]),
        ("intake_interview", region.ids["ib"]),
    } <= received


def test_conflicts_are_sent_only_with_their_rows(siege: Siege) -> None:
    region = build_region(siege)
    i = region.ids
    second = enrol(siege, "Reims")  # another laptop of the Reims antenne
    now = second.clock.now()
    early = f"{int(now[:12], 16) - 60_000:012x}{now[12:]}"  # a minute before: it loses
    first = region.reims.push(op("person", i["pa"], phone="0600000001"))
    assert first.status_code == 200, first.text
    # An older edit of the same field arriving late loses, and is kept as a conflict.
    late = second.push({**op("person", i["pa"], phone="0600000002"), "hlc": early})
    assert late.status_code == 200, late.text
    _r, reims_conflicts, _n = pull(region.reims)
    _r, ardennes_conflicts, _n = pull(region.ardennes)
    _r, staff_conflicts, _n = pull(region.staff)
    about_pa = [c for c in staff_conflicts if c["row_id"] == i["pa"]]
    assert about_pa, "the late edit was not kept as a conflict"
    assert [c for c in reims_conflicts if c["row_id"] == i["pa"]] == about_pa
    assert not [c for c in ardennes_conflicts if c["row_id"] == i["pa"]]
    scope = oracle(siege, ["Sedan"], region.ardennes)
    assert all((c["table"], c["row_id"]) in scope for c in ardennes_conflicts)

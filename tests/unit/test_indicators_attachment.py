"""Facts as of their date (issue 17, item 1): per-antenne figures read the person's
attachment on the fact's date, or on the period's last day for stock figures
(docs/indicators.md, "Antenne filter"). Moving a person today never changes a past year."""

from __future__ import annotations

import datetime as dt
import subprocess
from dataclasses import asdict
from pathlib import Path
from typing import Any

from app import clock
from app.exports.funder import funder_table
from app.exports.network import export_network
from app.exports.service import export_dashboard, export_funder
from app.indicators.dashboard import dashboard
from app.indicators.drilldown import FigureRef, list_persons
from app.indicators.flows import entries, exits
from app.indicators.network import network
from app.indicators.period import NO_ANTENNE, Filters, Period
from app.indicators.persons import accompanied, followups, headcount
from app.indicators.turnover import turnover
from app.pdf.annual_report import build_annual_report
from app.people.persons import PersonInput, create_person, get_person, update_person
from tests.indicators_data import Builder, D, antenne

YEAR_2025 = Period.year(2025)
DEADLINES = "Échéances;".encode()
KEYS = (None, antenne("Reims"), antenne("Troyes"), NO_ANTENNE)


def _person(uow: Any, last: str, ant: str | None, referent: str | None = None) -> str:
    data = PersonInput(
        first_name="A",
        last_name=last,
        antenne_id=antenne(ant) if ant else None,
        referent_id=referent,
    )
    return create_person(uow, data, allow_duplicate=True).id


def _move(uow: Any, pid: str, ant: str | None, referent: str | None = None) -> None:
    current = get_person(uow, pid).to_input()
    changed = PersonInput(
        **{**asdict(current), "antenne_id": antenne(ant) if ant else None, "referent_id": referent}
    )
    update_person(uow, pid, changed)


def _history(uow: Any) -> dict[str, str]:
    with Builder(uow) as b:
        anne = b.accompagnateur("Anne", "Thévenin")
        marc = b.accompagnateur("Marc", "Delaunay")
    alice = _person(uow, "Alice", "Troyes", anne)
    bruno = _person(uow, "Bruno", "Troyes", anne)
    chloe = _person(uow, "Chloe", "Reims", marc)
    with Builder(uow) as b:
        b.intake(alice, D(2025, 1, 10), "admis", town="Troyes")
        b.stage(alice, "cape", D(2025, 2, 1))
        b.stage(alice, "salarie", D(2025, 9, 1), contract_type="CESA")
        b.followup(alice, D(2025, 10, 1))
        b.invoice(alice, D(2025, 3, 1), 100000, frozen_antenne="Troyes")
        b.invoice(alice, D(2025, 11, 1), 50000)  # frozen as validation does: Troyes
        b.stage(bruno, "cape", D(2024, 5, 1))
        b.stage(bruno, "sortie", D(2025, 6, 30), outcome="creation_entreprise")
        b.stage(chloe, "cape", D(2025, 4, 1))
        workshop = b.activity(D(2025, 3, 10), "Troyes")
        b.mark(b.slot(workshop, D(2025, 3, 10), 9, 120), alice, "present")
    return {"alice": alice, "bruno": bruno, "chloe": chloe, "anne": anne, "marc": marc}


def _figures(uow: Any, period: Period) -> dict[Any, Any]:
    """Every per-antenne figure about persons, per antenne key."""
    out = {}
    for key in KEYS:
        filters = Filters(period, key)
        acc = accompanied(uow, filters)
        out[key] = (
            acc.total,
            acc.by_antenne,
            acc.by_accompagnateur,
            headcount(uow, filters),
            entries(uow, filters).capes_started,
            exits(uow, filters),
            network(uow, filters),
            [(line.person_id, line.in_period) for line in followups(uow, filters).lines],
            turnover(uow, filters).by_antenne,
            turnover(uow, filters).by_entrepreneur,
            funder_table(uow, filters).rows,
            {(p.id, p.antenne) for p in list_persons(uow, filters, FigureRef("accompanied"))},
        )
    return out


def _files(uow: Any, folder: Path) -> dict[str, bytes]:
    folder.mkdir()
    files = {}
    for index, key in enumerate(KEYS):
        filters = Filters(YEAR_2025, key)
        funder = export_funder(uow, filters, folder / f"financeur{index}.csv")
        board = export_dashboard(uow, filters, folder / f"tableau{index}.csv")
        files[funder.name] = funder.read_bytes()
        # The dashboard file's deadlines sheet is as of the day of the export, whatever
        # the period (docs/indicators.md): the rest must not move.
        lines = board.read_bytes().split(b"\r\n")
        files[board.name] = b"\r\n".join(x for x in lines if not x.startswith(DEADLINES))
    files["reseau.csv"] = export_network(uow, 2025, folder / "reseau.csv").read_bytes()
    # The annual report of an antenne, read back as text (the PDF itself carries its
    # production time).
    report = folder / "rapport.pdf"
    build_annual_report(
        uow,
        2025,
        report,
        antenne_id=antenne("Troyes"),
        antenne_label="Troyes",
        today=D(2026, 1, 15),
    )
    text = subprocess.run(
        ["pdftotext", "-layout", str(report), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Troyes" in text
    # Only the day it was produced ("Édité le …") may differ.
    kept = [line for line in text.splitlines() if not line.strip().startswith("Édité le")]
    files["rapport.txt"] = "\n".join(kept).encode()
    return files


def test_moving_a_person_today_changes_no_past_figure_nor_export(
    uow, pinned_clock, tmp_path
) -> None:
    who = _history(uow)
    before, files_before = _figures(uow, YEAR_2025), _files(uow, tmp_path / "avant")
    troyes = before[antenne("Troyes")]
    assert troyes[0] == 2  # Alice and Bruno (CAPE until his exit), in Troyes on 31/12/2025
    assert troyes[4] == 1  # her CAPE, signed in Troyes
    assert troyes[5].total == 1  # Bruno's exit, from Troyes
    assert {line.key: line.value for line in troyes[8]} == {antenne("Troyes"): 150000}
    pinned_clock.set(dt.datetime(2026, 11, 27, 10, 0, tzinfo=clock.PARIS))
    _move(uow, who["alice"], "Reims", who["marc"])
    _move(uow, who["bruno"], None)
    _move(uow, who["chloe"], "Troyes", who["anne"])
    assert _figures(uow, YEAR_2025) == before
    assert _files(uow, tmp_path / "apres") == files_before
    # The present period sees the move: Alice is followed in Reims at the end of 2026.
    now = Filters(Period(D(2026, 1, 1), D(2026, 12, 31)), antenne("Reims"))
    assert {p.id for p in list_persons(uow, now, FigureRef("accompanied"))} == {who["alice"]}


def test_a_move_during_the_year_splits_its_facts_by_their_dates(uow) -> None:
    with Builder(uow) as b:
        anne = b.accompagnateur("Anne", "Thévenin")
        marc = b.accompagnateur("Marc", "Delaunay")
        pid = b.person("Moved", ant="Reims", referent=marc)  # the record: today's values
        b.attach(pid, "Troyes", D(2024, 1, 1), anne)
        b.attach(pid, "Reims", D(2025, 7, 1), marc)
        b.stage(pid, "cape", D(2025, 2, 1))  # signed while in Troyes
        b.stage(pid, "sortie", D(2025, 9, 1), outcome="retour_situation")  # left from Reims
        b.stage(pid, "cape", D(2025, 11, 1))  # back in CAPE, from Reims
        # Validation froze the antenne of the day: the move does not touch them.
        b.invoice(pid, D(2025, 3, 1), 1000, frozen_antenne="Troyes")
        b.invoice(pid, D(2025, 8, 1), 2000, frozen_antenne="Reims")
    troyes, reims = Filters(YEAR_2025, antenne("Troyes")), Filters(YEAR_2025, antenne("Reims"))
    assert (entries(uow, troyes).capes_started, entries(uow, reims).capes_started) == (1, 1)
    assert (exits(uow, troyes).total, exits(uow, reims).total) == (0, 1)
    # Persons entered CAPE: one person, counted once, where their first CAPE of the year
    # started.
    assert (network(uow, troyes).entered_cape, network(uow, reims).entered_cape) == (1, 0)
    # Stock figures: where the person is on 31/12.
    assert (accompanied(uow, troyes).total, accompanied(uow, reims).total) == (0, 1)
    assert [
        (line.key, line.value) for line in accompanied(uow, Filters(YEAR_2025)).by_accompagnateur
    ] == [(marc, 1)]
    # The first half of the year, on its own: the person was in Troyes on 30/06.
    half = Filters(Period(D(2025, 1, 1), D(2025, 6, 30)), antenne("Troyes"))
    assert accompanied(uow, half).total == 1
    # Invoices count for the antenne frozen at their validation.
    assert turnover(uow, troyes).invoiced_cents == 1000
    assert turnover(uow, reims).invoiced_cents == 2000
    # Before the first recorded attachment, the first one counts.
    early = Filters(Period.year(2023), antenne("Troyes"))
    with Builder(uow) as b:
        b.stage(pid, "diagnostic", D(2023, 3, 1))
        b.stage(pid, "cape", D(2023, 3, 2), D(2023, 12, 31))
    assert entries(uow, early).capes_started == 1


def test_every_figure_adds_up_over_the_antennes(uow) -> None:
    _history(uow)
    with Builder(uow) as b:
        pid = b.person("Nomade", ant="Troyes")
        b.attach(pid, "Reims", D(2024, 1, 1))
        b.attach(pid, None, D(2025, 3, 1))
        b.attach(pid, "Troyes", D(2025, 10, 1))
        b.stage(pid, "cape", D(2025, 1, 15))
        b.stage(pid, "salarie", D(2025, 5, 1))
        b.stage(pid, "cape", D(2025, 11, 1))
    data = {key: dashboard(uow, Filters(YEAR_2025, key)) for key in KEYS}
    total, parts = data[None], [data[k] for k in KEYS[1:]]
    assert total.accompanied.total == sum(p.accompanied.total for p in parts)
    assert total.entries.capes_started == sum(p.entries.capes_started for p in parts)
    assert total.exits.total == sum(p.exits.total for p in parts)
    assert total.followups.entrepreneurs == sum(p.followups.entrepreneurs for p in parts)
    assert total.headcount.salaries == sum(p.headcount.salaries for p in parts)
    nets = {key: network(uow, Filters(YEAR_2025, key)) for key in KEYS}
    for name in ("accompanied", "entered_cape", "became_salaries", "new_cesa", "salaries"):
        assert getattr(nets[None], name) == sum(getattr(nets[k], name) for k in KEYS[1:])
    rows = {key: funder_table(uow, Filters(YEAR_2025, key)).rows for key in KEYS}
    assert sorted(map(str, rows[None])) == sorted(str(r) for k in KEYS[1:] for r in rows[k])

"""The siège anonymises a person on request (docs/personal-data.md, "On request, at the
siège"): ``python -m siege person anonymise`` applies the laptop's rules on the siège's
database, and every laptop of the scope erases its own copies at its next sync. Real
siège (SQLite and PostgreSQL) over HTTP, real laptop profiles.

The searches for the former name and notes are those of
tests/integration/test_anonymisation_every_copy.py."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.errors import ConflictError
from app.ids import new_id
from app.models import Person
from app.profile import Profile
from app.sync import service
from siege import audit, person_cli
from siege.__main__ import main as siege_main
from siege.tables import conflict
from tests.integration.test_anonymisation_every_copy import (
    FIRST,
    LAST,
    NOTE,
    _edit_notes,
    _leaks_in_files,
    _leaks_in_tables,
    _open_conflicts,
    _person_with_texts,
    _write_documents,
)
from tests.invoicing_fixtures import complete_identity
from tests.sync_support import Siege, new_laptop
from tests.sync_support.authority import (
    REIMS,
    STAMP,
    build_world,
    complete,
    fingerprint,
    issue_fields,
    op,
    row,
)


def _laptop(siege: Siege, root: Path, name: str) -> Profile:
    laptop = new_laptop(root, name)
    siege.enrol(laptop, name, "Reims")
    return laptop


def _sync(siege: Siege, laptop: Profile) -> None:
    report = service.run_sync(laptop, http_factory=siege.http_factory)
    assert not report.pull_refused, report.pull_refused


def _parser() -> argparse.ArgumentParser:
    """Built as siege/__main__.py builds it: the command's own sub-parser."""
    parser = argparse.ArgumentParser(prog="python -m siege")
    person_cli.add_parser(parser.add_subparsers(dest="command", required=True))
    return parser


def _command(siege: Siege, *argv: str) -> int:
    return person_cli.run(siege.engine, _parser().parse_args(list(argv)))


def _siege_main(siege: Siege, *argv: str) -> int:
    """Through ``python -m siege``'s own entry point (siege/__main__.py), as typed."""
    return siege_main(["--database-url", siege.url, *argv])


def test_the_siege_anonymises_and_each_laptop_erases_every_copy_at_its_next_sync(
    siege: Siege, tmp_path: Path
) -> None:
    a = _laptop(siege, tmp_path, "Portable A")
    b = _laptop(siege, tmp_path, "Portable B")
    complete_identity(a.uow)
    person_id = _person_with_texts(a)
    _sync(siege, a)
    _sync(siege, b)
    # Concurrent edits of the notes: the siège keeps a conflict holding the former notes.
    _edit_notes(a, person_id, f"{NOTE} vu par A")
    _edit_notes(b, person_id, f"{NOTE} vu par B")
    for laptop in (a, b, a):
        _sync(siege, laptop)
    with siege.engine.connect() as conn:
        assert any(NOTE in v for v in conn.execute(select(conflict.c.lost_value)).scalars())
    written = _write_documents(a, person_id)
    a.backup()
    # An edit not sent yet when the siège anonymises: it leaves at the next push.
    _edit_notes(a, person_id, f"{FIRST} {LAST} : {NOTE} encore")

    assert person_cli.anonymise_command(siege.engine, person_id, yes=True) == 0

    stored = row(siege, "person", person_id)
    assert stored is not None and stored["anonymised_at"] is not None
    assert _leaks_in_tables(siege.engine) == []
    entries = audit.query(siege.engine, row_id=person_id, limit=1)
    assert [(e.action, e.device_name) for e in entries] == [
        ("anonymise", "Siège (anonymisation sur demande)")
    ]
    assert {"last_name", "notes", "anonymised_at"} <= set(entries[0].fields)
    for laptop in (a, b):
        _sync(siege, laptop)
    assert not any(path.exists() for path in written)
    for laptop in (a, b):
        with laptop.uow() as uow:
            person = uow.session.get_one(Person, person_id)
            assert (person.last_name, person.first_name, person.notes) == ("Anonyme", "", "")
        assert _open_conflicts(laptop) == []
        assert _leaks_in_tables(laptop.engine) == [], laptop.settings.display_name
    # A's unsent edit went out and was erased again by the siège.
    assert _leaks_in_tables(siege.engine) == []
    for laptop in (a, b):
        laptop.close()
        assert _leaks_in_files(laptop.paths.root) == [], laptop.settings.display_name


def test_an_invoice_issued_three_years_ago_refuses_with_the_laptops_reason_and_changes_nothing(
    siege: Siege, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    world = build_world(siege)
    issued = issue_fields(world, number=f"{world.own.prefix}-2023-00001", issue_date="2023-11-20")
    response = world.own.push(op("invoice", world.draft, freeze=True, **issued))
    assert response.status_code == 200, response.text
    before = fingerprint(siege)

    assert _command(siege, "person", "anonymise", world.person, "--yes") == 1
    err = capsys.readouterr().err
    reason = person_cli.refusal_text(ConflictError("invoices_retention", count=1))
    assert f"refusé : {reason}" in err
    assert "1 facture(s) émise(s)" in reason

    # Asked without --yes: the legal hold is listed and nothing is asked nor changed.
    monkeypatch.setattr("sys.stdin", io.StringIO("oui\n"))
    assert _command(siege, "person", "anonymise", world.person) == 1
    out = capsys.readouterr().out
    assert "blocages légaux :" in out and reason in out and "Tapez" not in out
    assert fingerprint(siege) == before


def test_a_laptops_later_edit_of_the_erased_fields_is_overwritten(siege: Siege) -> None:
    world = build_world(siege)
    assert person_cli.anonymise_command(siege.engine, world.person, yes=True) == 0
    draft = row(siege, "invoice", world.draft)
    assert draft is not None and "roux" not in draft["search_key"]
    # The laptop had not heard of it: its edit, newer than the siège's, is erased again.
    late = op("person", world.person, notes="Inès Roux, rappeler", first_name="Inès")
    assert world.own.push(late).status_code == 200
    stored = row(siege, "person", world.person)
    assert stored is not None
    assert (stored["first_name"], stored["notes"], stored["last_name"]) == ("", "", "Anonyme")
    with siege.engine.connect() as conn:
        kept = conn.execute(
            select(conflict.c.kept_value, conflict.c.lost_value).where(
                conflict.c.row_id == world.person
            )
        ).all()
    assert all(k == "" and v == "" for k, v in kept)
    # A second anonymisation is refused: it is final and done.
    assert person_cli.anonymise_command(siege.engine, world.person, yes=True) == 2


def test_find_then_anonymise_after_confirmation_from_the_command_line(
    siege: Siege, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    world = build_world(siege)
    stage = op("parcours_stage", new_id(), **complete(
        "parcours_stage", person_id=world.person, kind="cape", notes="Inès prépare la foire"
    ))  # fmt: skip
    assert world.own.push(stage).status_code == 200

    assert _siege_main(siege, "person", "find", "ines ROUX") == 0
    out = capsys.readouterr().out
    assert world.person in out and "Inès Roux" in out and "antenne : Reims" in out

    monkeypatch.setattr("sys.stdin", io.StringIO("non\n"))
    before = fingerprint(siege)
    assert _command(siege, "person", "anonymise", world.person) == 1
    out = capsys.readouterr().out
    assert "personne : Inès Roux (antenne : Reims)" in out
    assert "1 étape(s) de parcours" in out and "blocages légaux : aucun" in out
    assert "abandon : rien n'a été modifié" in out
    assert fingerprint(siege) == before

    monkeypatch.setattr("sys.stdin", io.StringIO("oui\n"))
    assert _siege_main(siege, "person", "anonymise", world.person) == 0
    assert "personne anonymisée" in capsys.readouterr().out
    assert _command(siege, "person", "find", "roux") == 1
    entries = audit.query(siege.engine, row_id=world.person, limit=1)
    assert "anonymisation" in audit.describe(entries[0])
    assert "Roux" not in json.dumps([audit.describe(e) for e in audit.query(siege.engine)])


def test_the_refusals_read_as_on_the_laptop() -> None:
    """The siège prints the laptop's own sentences (ui/messages_people.py)."""
    import ui.messages_people  # noqa: F401  (registers the accueil's messages)
    from ui.messages import error_message

    errors: list[Any] = [
        ConflictError("invoices_retention", count=3),
        ConflictError("cofinanced_retention", years=10),
        ConflictError("already_anonymised"),
    ]
    for error in errors:
        assert person_cli.refusal_text(error) == error_message(error)


def test_a_record_merged_into_the_person_is_erased_with_them(siege: Siege) -> None:
    """A duplicate merged into the person (app/people/merge.py) is a tombstone still
    holding their name: asked by the tombstone's id, the siège erases the record it went
    into, and the tombstone with it, as the laptop does."""
    world = build_world(siege)
    twin = new_id()
    tombstone = complete("person", first_name="Inès", last_name="Roux-Bis", antenne_id=REIMS,
                         merged_into_id=world.person, deleted_at=STAMP)  # fmt: skip
    assert world.own.push(op("person", twin, **tombstone)).status_code == 200
    assert person_cli.anonymise_command(siege.engine, twin, yes=True) == 0
    for person_id in (world.person, twin):
        stored = row(siege, "person", person_id)
        assert stored is not None and stored["anonymised_at"] is not None
        assert (stored["first_name"], stored["last_name"]) == ("", "Anonyme")

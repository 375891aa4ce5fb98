"""Attendance sheets and attestations, read back from the generated PDFs."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from PIL import Image as PilImage
from pypdf import PdfReader

from app.ids import deterministic_id
from app.jobs import Cancelled, JobControl
from app.workshops import (
    attendance,
    registrations,
    workshop_catalogue,
    workshop_documents,
    workshops,
)
from app.workshops.workshop_values import ABSENT, EXCUSED, PRESENT, SlotInput
from tests.workshops_support import DAY, DURING, FSE, add_persons, new_session

STATEMENT = "Cette action est cofinancée par l'Union européenne dans le cadre du programme FSE+."


def _pages(path: Path) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(path).pages]


def _session_with(uow, count: int, **changes) -> tuple[str, list[str]]:
    activity_id = new_session(uow, capacity=None, **changes)
    people = add_persons(uow, count)
    for person_id in people:
        registrations.register_person(uow, activity_id, person_id)
    return activity_id, people


def _names(uow, activity_id: str) -> list[str]:
    return [p.full_name for p in workshops.get_session(uow, activity_id).participants]


def test_blank_sheet_carries_everything_funders_check(profile, uow) -> None:
    activity_id, _people = _session_with(uow, 30)
    path = workshop_documents.print_attendance_sheet(
        uow, profile.paths.documents, activity_id, filled=False
    )
    pages = _pages(path)
    text = " ".join(pages)
    assert len(pages) >= 2
    assert "Feuille d'émargement" in text
    assert "Atelier gestion : fixer ses prix" in text
    assert "jeudi 12 mars 2026" in text
    assert "9 h 00 – 12 h 30" in text and "14 h 00 – 17 h 30" in text
    assert "Mairie, Langres" in text
    assert "Claire Testeuse" in text
    assert STATEMENT in text
    for name in _names(uow, activity_id):
        assert name in text, name
    for number, page in enumerate(pages, start=1):
        # The table header (one column per half-day) is repeated on every page.
        assert "Participant (nom" in page or "Animateur (nom" in page
        assert page.count("Matin") >= 1 and page.count("Après-midi") >= 1
        assert f"Page {number} / {len(pages)}" in page
    assert "ABSENT" not in text


def test_each_participant_row_has_one_cell_per_half_day(profile, uow) -> None:
    slots = [
        SlotInput(
            dt.datetime.combine(DAY + dt.timedelta(days=d), start),
            dt.datetime.combine(DAY + dt.timedelta(days=d), end),
        )
        for d in range(3)
        for start, end in ((dt.time(9), dt.time(12, 30)), (dt.time(14), dt.time(17, 30)))
    ]
    activity_id, _people = _session_with(uow, 3, slots=slots)
    path = workshop_documents.print_attendance_sheet(
        uow, profile.paths.documents, activity_id, filled=False
    )
    text = " ".join(_pages(path))
    for day in ("jeu. 12/03/2026", "ven. 13/03/2026", "sam. 14/03/2026"):
        # Twice each half-day: participants' table and the animateur's signature row.
        assert text.count(day) == 4, day
    assert text.count("Matin") == 6 and text.count("Après-midi") == 6


def test_filled_sheet_marks_absences_and_excuses(profile, uow) -> None:
    activity_id, people = _session_with(uow, 4)
    morning, afternoon = workshops.get_session(uow, activity_id).slots
    attendance.mark_all_present(uow, activity_id, now=DURING)
    attendance.mark_attendance(uow, morning.id, people[1], ABSENT, now=DURING)
    attendance.mark_attendance(uow, afternoon.id, people[2], EXCUSED, now=DURING)
    path = workshop_documents.print_attendance_sheet(
        uow, profile.paths.documents, activity_id, filled=True
    )
    text = " ".join(_pages(path))
    assert text.count("ABSENT(E)") == 1
    assert text.count("EXCUSÉ(E)") == 1
    assert path.name == "emargement-rempli.pdf"


def test_funder_emblem_is_embedded_in_the_sheet(profile, uow) -> None:
    buffer = io.BytesIO()
    PilImage.new("RGB", (60, 40), (0, 51, 153)).save(buffer, format="PNG")
    funder = next(f for f in workshop_catalogue.list_funders(uow) if f.id == FSE)
    workshop_catalogue.update_funder(
        uow, FSE, name=funder.name, statement=funder.statement, emblem_png=buffer.getvalue()
    )
    activity_id, _people = _session_with(uow, 2)
    path = workshop_documents.print_attendance_sheet(
        uow, profile.paths.documents, activity_id, filled=False
    )
    assert len(PdfReader(path).pages[0].images) == 1


def test_attestation_states_hours_attended(profile, uow) -> None:
    activity_id, people = _session_with(uow, 2)
    morning, _afternoon = workshops.get_session(uow, activity_id).slots
    attendance.mark_all_present(uow, activity_id, now=DURING)
    attendance.mark_attendance(uow, morning.id, people[0], ABSENT, now=DURING)
    (path,) = workshop_documents.generate_attestations(
        uow, profile.paths.documents, [(activity_id, people[0])], issued_on=dt.date(2026, 3, 13)
    )
    text = " ".join(_pages(path))
    person = workshops.get_session(uow, activity_id).participants
    name = next(p for p in person if p.person_id == people[0])
    assert "Attestation de présence" in text
    assert f"{name.first_name} {name.last_name.upper()}" in text
    assert "Atelier gestion : fixer ses prix" in text
    assert "Durée totale de présence : 3 h 30 sur 7 h" in text
    assert "Absent(e)" in text and "Présent(e)" in text
    assert "13 mars 2026" in text
    assert STATEMENT in text


def test_attestations_go_only_to_people_who_attended(uow) -> None:
    activity_id, people = _session_with(uow, 3)
    for slot in workshops.get_session(uow, activity_id).slots:
        attendance.mark_attendance(uow, slot.id, people[0], PRESENT, now=DURING)
        attendance.mark_attendance(uow, slot.id, people[1], ABSENT, now=DURING)
    assert workshop_documents.attendees(uow, activity_id) == [people[0]]


def test_attestation_batch_reports_progress_and_stops_when_cancelled(profile, uow) -> None:
    activity_id, people = _session_with(uow, 5)
    attendance.mark_all_present(uow, activity_id, now=DURING)
    seen: list[tuple[int, int]] = []
    control = JobControl()

    def on_progress(done: int, total: int, _label: str) -> None:
        seen.append((done, total))
        if done == 2:
            control.cancel()

    control.on_progress = on_progress
    with pytest.raises(Cancelled):
        workshop_documents.generate_attestations(
            uow, profile.paths.documents, [(activity_id, p) for p in people], control
        )
    assert seen == [(0, 5), (1, 5), (2, 5)]
    written = list(profile.paths.documents.rglob("attestation-*.pdf"))
    assert len(written) == 2


def test_attestation_batch_writes_one_file_per_participant(profile, uow) -> None:
    activity_id, people = _session_with(uow, 4)
    attendance.mark_all_present(uow, activity_id, now=DURING)
    paths = workshop_documents.generate_attestations(
        uow, profile.paths.documents, [(activity_id, p) for p in people]
    )
    assert len(set(paths)) == 4
    assert all(
        p.exists() and p.parent.parent.parent == profile.paths.documents / "ateliers" for p in paths
    )


def _fill_colours(path: Path) -> set[str]:
    contents = PdfReader(path).pages[0].get_contents()
    assert contents is not None
    content = contents.get_data().decode("latin-1")
    return {line for line in content.splitlines() if line.endswith(" rg")}


def test_fse_action_carries_the_eu_emblem_even_without_an_image(profile, uow) -> None:
    eu_blue, eu_yellow = "0 .2 .6 rg", "1 .8 0 rg"
    fse_id, _people = _session_with(uow, 1)
    region_id = new_session(uow, funder_ids=[deterministic_id("funder", "REGION")])
    fse = workshop_documents.print_attendance_sheet(
        uow, profile.paths.documents, fse_id, filled=False
    )
    region = workshop_documents.print_attendance_sheet(
        uow, profile.paths.documents, region_id, filled=False
    )
    assert {eu_blue, eu_yellow} <= _fill_colours(fse)
    assert not {eu_blue, eu_yellow} & _fill_colours(region)


def test_typed_markup_characters_print_as_typed(profile, uow) -> None:
    activity_id, _people = _session_with(
        uow, 1, title="Prix & marges <niveau 2>", animateurs="Dupont & Fils"
    )
    path = workshop_documents.print_attendance_sheet(
        uow, profile.paths.documents, activity_id, filled=False
    )
    text = " ".join(_pages(path))
    assert "Prix & marges <niveau 2>" in text
    assert "Dupont & Fils" in text


def _with_civilities(uow, civilities: list[str]) -> tuple[str, list[str]]:
    from app.models import Person

    activity_id, people = _session_with(uow, len(civilities))
    with uow() as work:
        for person_id, civility in zip(people, civilities, strict=True):
            work.session.get(Person, person_id).civility = civility
        work.commit()
    morning, afternoon = workshops.get_session(uow, activity_id).slots
    attendance.mark_all_present(uow, activity_id, now=DURING)
    attendance.mark_attendance(uow, morning.id, people[0], ABSENT, now=DURING)
    attendance.mark_attendance(uow, afternoon.id, people[1], EXCUSED, now=DURING)
    return activity_id, people


def test_attestation_agrees_with_the_known_civility(profile, uow) -> None:
    activity_id, people = _with_civilities(uow, ["Mme", "M.", ""])
    paths = workshop_documents.generate_attestations(
        uow, profile.paths.documents, [(activity_id, p) for p in people]
    )
    madame, monsieur, unknown = (" ".join(_pages(path)) for path in paths)
    # (The signer's "représentant(e)" is not about the participant: states only here.)
    assert "Absente" in madame and "Présente" in madame and "Absent(e)" not in madame
    assert "Excusé " in monsieur and "Présent " in monsieur and "Excusé(e)" not in monsieur
    assert "Présent(e)" in unknown
    first = workshops.get_session(uow, activity_id).participants
    madame_name = next(p for p in first if p.person_id == people[0]).first_name
    # Civility and name are tied by a no-break space (never "Mme" alone at a line end);
    # text extraction turns it into a plain space, the document title keeps it.
    metadata = PdfReader(paths[0]).metadata
    assert metadata is not None and metadata.title is not None
    assert f"Mme\u00a0{madame_name}" in metadata.title


def test_filled_sheet_marks_agree_with_the_known_civility(profile, uow) -> None:
    activity_id, _people = _with_civilities(uow, ["Mme", "M."])
    path = workshop_documents.print_attendance_sheet(
        uow, profile.paths.documents, activity_id, filled=True
    )
    text = " ".join(_pages(path))
    assert "ABSENTE" in text and "EXCUSÉ" in text and "(E)" not in text


# Issue 16: the documents an auditor accepts ------------------------------------------

EU_WORDS = "Cofinancé par l'Union européenne"


def _raw_pages(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def _cae(uow) -> None:
    from tests.invoicing_fixtures import complete_identity

    complete_identity(uow)


def test_filled_sheet_tells_present_absent_excused_and_not_recorded_apart(profile, uow) -> None:
    from app.models import Person

    activity_id, people = _session_with(uow, 3)
    with uow() as work:
        for person_id in people:
            work.session.get_one(Person, person_id).civility = "Mme"
        work.commit()
    morning, _afternoon = workshops.get_session(uow, activity_id).slots
    attendance.mark_attendance(uow, morning.id, people[0], PRESENT, now=DURING)
    attendance.mark_attendance(uow, morning.id, people[1], ABSENT, now=DURING)
    attendance.mark_attendance(uow, morning.id, people[2], EXCUSED, now=DURING)
    path = workshop_documents.print_attendance_sheet(
        uow, profile.paths.documents, activity_id, filled=True
    )
    text = " ".join(_pages(path))
    assert text.count("Présente") == 1
    assert text.count("ABSENTE") == 1 and text.count("EXCUSÉE") == 1
    # The afternoon was never recorded: said in every cell, not left blank like a presence.
    assert text.count("non renseigné") == 3 + 1  # three cells and the legend


def test_footer_and_running_header_are_never_cut_mid_word(profile, uow) -> None:
    words = [f"mot{n:02d}" for n in range(40)]
    activity_id, _people = _session_with(uow, 30, title=" ".join(words))
    _cae(uow)
    path = workshop_documents.print_attendance_sheet(
        uow, profile.paths.documents, activity_id, filled=False
    )
    pages = _raw_pages(path)
    assert len(pages) >= 2
    for page in pages:
        tokens = [t.strip("…") for t in page.split() if t.startswith("mot")]
        assert tokens and all(t in words for t in tokens), tokens
    # The footer wraps: the whole title is on every page; the header is shortened with "…".
    assert all(pages[n].count("mot39") >= 1 for n in range(len(pages)))
    assert "…" in pages[1]


def test_slot_hours_never_break_inside(profile, uow) -> None:
    slots = [
        SlotInput(
            dt.datetime.combine(DAY + dt.timedelta(days=d), start),
            dt.datetime.combine(DAY + dt.timedelta(days=d), end),
        )
        for d in range(2)
        for start, end in ((dt.time(9), dt.time(12, 30)), (dt.time(13, 30), dt.time(17, 30)))
    ]
    activity_id, _people = _session_with(uow, 2, slots=slots)
    path = workshop_documents.print_attendance_sheet(
        uow, profile.paths.documents, activity_id, filled=False
    )
    raw = _raw_pages(path)[0].replace("\u00a0", " ")
    # Four half-days side by side, the narrowest columns: each span on one line.
    for span in ("9 h 00 – 12 h 30", "13 h 30 – 17 h 30"):
        assert raw.count(span) >= 4, span  # two days, participants' and animateur's tables
    for line in raw.splitlines():  # no line ends inside a time: every "–" joins two whole ones
        if "–" in line:
            rest = re.sub(r"\d{1,2} h \d\d – \d{1,2} h \d\d", "", line)
            assert "–" not in rest and not re.search(r"\d h", rest), line
    # Bound by no-break spaces: a plain space would let a wider cell break it again.
    from app.pdf.workshop_blocks import hours_span

    assert " " not in hours_span(workshops.get_session(uow, activity_id).slots[0])


def test_sheet_names_the_cae_with_its_siret(profile, uow) -> None:
    _cae(uow)
    activity_id, _people = _session_with(uow, 1)
    path = workshop_documents.print_attendance_sheet(
        uow, profile.paths.documents, activity_id, filled=False
    )
    first = _pages(path)[0]
    assert first.startswith("Coopérative Champagne Entreprendre")
    assert "SIRET 732 829 320 00074" in first
    assert "Organisme Coopérative Champagne Entreprendre" in first
    # No training declaration number is known (the CAE identity has no such field yet).
    assert "déclaration d'activité" not in first


def _font_sizes_of(path: Path, words: str) -> list[float]:
    sizes: list[float] = []

    def visit(text: str, _cm, tm, _font, size: float) -> None:
        if words.split()[0] in text:
            sizes.append(size * tm[0])

    PdfReader(path).pages[0].extract_text(visitor_text=visit)
    return sizes


def test_eu_words_stand_beside_the_emblem_at_a_readable_size(profile, uow) -> None:
    fse_id, _people = _session_with(uow, 1)
    region_id = new_session(uow, funder_ids=[deterministic_id("funder", "REGION")])
    fse = workshop_documents.print_attendance_sheet(
        uow, profile.paths.documents, fse_id, filled=False
    )
    region = workshop_documents.print_attendance_sheet(
        uow, profile.paths.documents, region_id, filled=False
    )
    assert EU_WORDS in " ".join(_pages(fse))
    assert EU_WORDS not in " ".join(_pages(region))
    sizes = _font_sizes_of(fse, EU_WORDS)
    assert sizes and min(sizes) >= 10


def test_first_of_the_month_reads_1er(profile, uow) -> None:
    from app.workshops.workshop_values import default_slots

    first = dt.date(2026, 12, 1)
    activity_id, people = _session_with(uow, 1, slots=default_slots(first))
    path = workshop_documents.print_attendance_sheet(
        uow, profile.paths.documents, activity_id, filled=False
    )
    assert "mardi 1er décembre 2026" in " ".join(_pages(path))
    morning, _afternoon = workshops.get_session(uow, activity_id).slots
    attendance.mark_attendance(
        uow, morning.id, people[0], PRESENT, now=dt.datetime(2026, 12, 1, 13)
    )
    (attestation,) = workshop_documents.generate_attestations(
        uow, profile.paths.documents, [(activity_id, people[0])], issued_on=dt.date(2027, 1, 1)
    )
    assert "le 1er janvier 2027" in " ".join(_pages(attestation))


def test_attestation_is_signed_by_one_representative_of_the_cae(profile, uow) -> None:
    _cae(uow)
    activity_id, people = _session_with(uow, 1, animateurs="Sophie Lambert, Marc Delaunay")
    morning, _afternoon = workshops.get_session(uow, activity_id).slots
    attendance.mark_attendance(uow, morning.id, people[0], PRESENT, now=DURING)
    (path,) = workshop_documents.generate_attestations(
        uow, profile.paths.documents, [(activity_id, people[0])], signer="Anne Gérante"
    )
    text = " ".join(_pages(path))
    assert (
        "Anne Gérante, représentant(e) de la Coopérative Champagne Entreprendre, atteste que"
        in text
    )
    assert "Delaunay, pour" not in text and "Delaunay, représentant" not in text
    assert "SIRET 732 829 320 00074" in text
    # Only the recorded half-day is listed: the afternoon was never recorded.
    assert "Matin" in text and "Après-midi" not in text
    assert "Durée totale de présence : 3 h 30 sur 7 h" in text


def test_attestation_signer_defaults_to_the_laptops_accompagnateur(profile, uow) -> None:
    activity_id, people = _session_with(uow, 1, animateurs="Sophie Lambert, Marc Delaunay")
    attendance.mark_all_present(uow, activity_id, now=DURING)
    (path,) = workshop_documents.generate_attestations(
        uow, profile.paths.documents, [(activity_id, people[0])]
    )
    text = " ".join(_pages(path))
    assert "Claire Testeuse, soussigné(e), atteste que" in text

"""Search-as-you-type on the person list: accents and case ignored, every word must match."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from app.clock import today
from app.models import Person
from app.people import person_directory
from app.text import fold


def _add(uow, **fields):
    with uow() as u:
        u.session.add(Person(**fields))
        u.commit()


def test_helene_finds_hélène_whatever_the_case(uow) -> None:
    _add(uow, first_name="Hélène", last_name="Dupré", city="Langres")
    _add(uow, first_name="Marc", last_name="Hélie", city="Sedan")
    _add(uow, first_name="Paul", last_name="Martin", city="Vouziers")
    names = [r.first_name for r in person_directory.search_persons(uow, "helene")]
    assert names == ["Hélène"]
    assert [r.last_name for r in person_directory.search_persons(uow, "DUPRE")] == ["Dupré"]
    assert person_directory.count_persons(uow, "hel") == 2


def test_every_word_must_match_across_fields(uow) -> None:
    _add(uow, first_name="Hélène", last_name="Dupré", city="Langres")
    _add(uow, first_name="Hélène", last_name="Martin", city="Sedan")
    rows = person_directory.search_persons(uow, "hélène sedan")
    assert [r.last_name for r in rows] == ["Martin"]


def test_phone_search_ignores_spaces(uow) -> None:
    _add(uow, first_name="Inès", last_name="Roux", phone="+33612345678")
    assert [r.first_name for r in person_directory.search_persons(uow, "612345")] == ["Inès"]


def test_wildcards_typed_by_the_user_are_literal(uow) -> None:
    _add(uow, first_name="Anne", last_name="Percent")
    assert person_directory.search_persons(uow, "%") == []
    assert person_directory.search_persons(uow, "_") == []


def test_deleted_persons_are_not_listed(uow) -> None:
    import datetime as dt

    _add(uow, first_name="Supprimée", last_name="Ancienne", deleted_at=dt.datetime(2026, 1, 1))
    assert person_directory.count_persons(uow) == 0


def test_pages_cover_the_list_without_overlap(uow) -> None:
    for i in range(25):
        _add(uow, first_name=f"P{i:02d}", last_name="Même")
    first = person_directory.search_persons(uow, "", offset=0, limit=10)
    rest = person_directory.search_persons(uow, "", offset=10, limit=100)
    ids = [r.id for r in first + rest]
    assert len(ids) == 25 == len(set(ids))


@settings(max_examples=40, deadline=None)
@given(name=st.text(alphabet="aàâäeéèêëiîïoôöuùûüçœAÉÈÇ -'", min_size=1, max_size=12))
def test_a_name_is_always_found_by_its_folded_form(tmp_path_factory, name: str) -> None:
    from app.config import ProfileSettings
    from app.profile import create_profile

    if not fold(name):
        return
    profile = create_profile(tmp_path_factory.mktemp("p") / "p", ProfileSettings())
    try:
        _add(profile.uow, first_name=name, last_name="X")
        assert person_directory.count_persons(profile.uow, fold(name)) == 1
        assert person_directory.count_persons(profile.uow, name.upper()) == 1
    finally:
        profile.close()


def test_list_is_in_accent_blind_alphabetical_order(uow) -> None:
    for last in ("Brunet", "Bénard", "Gérard", "Guyot", "Éluard", "Dupont"):
        _add(uow, first_name="X", last_name=last)
    rows = person_directory.search_persons(uow, "")
    assert [r.last_name for r in rows] == [
        "Bénard",
        "Brunet",
        "Dupont",
        "Éluard",
        "Gérard",
        "Guyot",
    ]


def test_search_page_returns_first_rows_and_total_of_matches(uow) -> None:
    for i in range(7):
        _add(uow, first_name=f"Hélène{i}", last_name="Dupré")
    _add(uow, first_name="Paul", last_name="Martin")
    page = person_directory.search_page(uow, "helene", limit=3)
    assert page.total == 7
    assert [r.first_name for r in page.rows] == ["Hélène0", "Hélène1", "Hélène2"]
    empty = person_directory.search_page(uow, "introuvable")
    assert (empty.rows, empty.total) == ([], 0)


def test_list_shows_the_status_derived_from_the_parcours(uow) -> None:
    import datetime as dt

    from app.models import ParcoursStage

    _add(uow, first_name="Sans", last_name="Étape")
    _add(uow, first_name="En", last_name="Convention")
    with uow() as u:
        from sqlalchemy import select

        person_id = u.session.scalar(select(Person.id).where(Person.last_name == "Convention"))
        day = today()
        u.session.add(
            ParcoursStage(
                person_id=person_id, kind="accueil", start_date=day - dt.timedelta(days=90)
            )
        )
        u.session.add(
            ParcoursStage(
                person_id=person_id,
                kind="cape",
                start_date=day - dt.timedelta(days=60),
                end_date=day + dt.timedelta(days=300),
            )
        )
        u.commit()
    statuses = {r.last_name: r.status for r in person_directory.search_page(uow, "").rows}
    assert statuses == {"Convention": "cape", "Étape": "nouveau"}


def test_later_pages_and_antenne_filter_keep_each_persons_own_status(uow) -> None:
    # The page's statuses are read for the page's persons only: a later page (offset) or
    # an antenne filter must not pick up another person's parcours.
    import datetime as dt

    from sqlalchemy import select

    from app.models import Antenne, ParcoursStage

    day = today()
    with uow() as u:
        reims, troyes = (
            u.session.scalar(select(Antenne.id).where(Antenne.name == name))
            for name in ("Reims", "Troyes")
        )
        for i in range(6):
            person = Person(
                first_name="Zoé",
                last_name=f"Nom{i}",
                antenne_id=reims if i % 2 else troyes,
            )
            u.session.add(person)
            u.session.flush()
            if i % 3 == 0:  # Nom0 and Nom3 are in CAPE
                u.session.add_all(
                    [
                        ParcoursStage(person_id=person.id, kind="accueil", start_date=day),
                        ParcoursStage(
                            person_id=person.id,
                            kind="cape",
                            start_date=day,
                            end_date=day + dt.timedelta(days=300),
                        ),
                    ]
                )
        u.commit()
    second_page = person_directory.search_persons(uow, "zoe", offset=2, limit=2)
    assert [(r.last_name, r.status) for r in second_page] == [
        ("Nom2", "nouveau"),
        ("Nom3", "cape"),
    ]
    in_reims = person_directory.search_page(uow, "zoe", antenne_id=reims)
    assert in_reims.total == 3
    assert [(r.last_name, r.status) for r in in_reims.rows] == [
        ("Nom1", "nouveau"),
        ("Nom3", "cape"),
        ("Nom5", "nouveau"),
    ]

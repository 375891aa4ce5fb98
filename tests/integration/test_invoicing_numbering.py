"""Number series: continuous, gapless, chronological, per device, yearly restart."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.db import make_engine, make_session_factory
from app.errors import ConflictError, ValidationError
from app.invoicing.cae_identity import get_cae_identity, save_cae_identity
from app.invoicing.numbering import NUMBER_PATTERN, format_number
from app.invoicing.validation import cancel_invoice, validate_invoice
from app.models import DeviceIdentity, Invoice
from app.profile import Profile
from app.uow import UnitOfWorkFactory
from tests.invoicing_fixtures import add_client, add_draft, add_entrepreneur, complete_identity

DAY = dt.date(2026, 3, 2)


@pytest.fixture
def ready(profile: Profile) -> tuple[Profile, str, str]:
    complete_identity(profile.uow)
    person = add_entrepreneur(profile.uow)
    return profile, person, add_client(profile.uow, person)


def _issued_numbers(uow: UnitOfWorkFactory) -> list[str]:
    with uow() as work:
        return list(
            work.session.scalars(
                select(Invoice.number).where(Invoice.status == "emise").order_by(Invoice.sequence)
            )
        )


def test_validated_invoices_get_consecutive_numbers_of_the_device_series(ready) -> None:
    profile, person, client = ready
    with profile.uow() as work:
        work.session.scalars(select(DeviceIdentity)).one().series_prefix = "VOU1"
        work.commit()
    numbers = [
        validate_invoice(
            profile.uow, profile.paths.documents, add_draft(profile.uow, person, client), DAY
        ).number
        for _ in range(3)
    ]
    assert numbers == ["VOU1-2026-00001", "VOU1-2026-00002", "VOU1-2026-00003"]


def test_a_draft_has_no_number_until_validated(ready) -> None:
    profile, person, client = ready
    draft = add_draft(profile.uow, person, client)
    with profile.uow() as work:
        assert work.session.get(Invoice, draft).number is None


def test_issue_date_earlier_than_the_last_one_is_refused_and_takes_no_number(ready) -> None:
    profile, person, client = ready
    validate_invoice(
        profile.uow, profile.paths.documents, add_draft(profile.uow, person, client), DAY
    )
    late = add_draft(profile.uow, person, client)
    with pytest.raises(ConflictError) as caught:
        validate_invoice(profile.uow, profile.paths.documents, late, DAY - dt.timedelta(days=1))
    assert caught.value.code == "issue_date_before_last"
    nxt = validate_invoice(profile.uow, profile.paths.documents, late, DAY)
    assert nxt.number.endswith("-00002")


def test_numbering_restarts_each_year_when_the_cae_chooses_it(ready) -> None:
    profile, person, client = ready
    docs = profile.paths.documents
    validate_invoice(
        profile.uow, docs, add_draft(profile.uow, person, client), dt.date(2026, 12, 31)
    )
    first = validate_invoice(
        profile.uow, docs, add_draft(profile.uow, person, client), dt.date(2027, 1, 2)
    )
    assert first.number == "LOC-2027-00001"


def test_numbering_continues_across_years_without_yearly_restart(ready) -> None:
    profile, person, client = ready
    save_cae_identity(
        profile.uow, get_cae_identity(profile.uow).with_changes(numbering_restarts_yearly=False)
    )
    docs = profile.paths.documents
    validate_invoice(
        profile.uow, docs, add_draft(profile.uow, person, client), dt.date(2026, 12, 31)
    )
    nxt = validate_invoice(
        profile.uow, docs, add_draft(profile.uow, person, client), dt.date(2027, 1, 2)
    )
    assert nxt.number == "LOC-2027-00002"


def test_credit_notes_share_the_series_or_use_their_own_as_configured(ready) -> None:
    profile, person, client = ready
    docs = profile.paths.documents
    first = validate_invoice(profile.uow, docs, add_draft(profile.uow, person, client), DAY)
    assert cancel_invoice(profile.uow, docs, first.invoice_id, DAY).number == "LOC-2026-00002"
    save_cae_identity(
        profile.uow, get_cae_identity(profile.uow).with_changes(credit_notes_own_series=True)
    )
    second = validate_invoice(profile.uow, docs, add_draft(profile.uow, person, client), DAY)
    assert second.number == "LOC-2026-00003"
    assert cancel_invoice(profile.uow, docs, second.invoice_id, DAY).number == "LOC-AV-2026-00001"


def test_numbers_are_at_most_35_characters_of_the_allowed_set() -> None:
    number = format_number("ABCDEFGHIJKL", "avoir", 2026, 123456789)
    assert len(number) <= 35 and NUMBER_PATTERN.match(number)
    with pytest.raises(ValidationError):
        format_number("ÉPERNAY", "facture", 2026, 1)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.sampled_from(["ok", "missing_siren", "delete_draft"]), min_size=1, max_size=8))
def test_failed_validations_never_leave_a_gap(tmp_path_factory, steps: list[str]) -> None:
    from app.config import ProfileSettings
    from app.invoicing.drafts import delete_draft
    from app.profile import create_profile

    profile = create_profile(
        tmp_path_factory.mktemp("p") / "profil", ProfileSettings(), series_prefix="LOC"
    )
    try:
        complete_identity(profile.uow)
        person = add_entrepreneur(profile.uow)
        good = add_client(profile.uow, person)
        bad = add_client(profile.uow, person, siren="")
        for step in steps:
            draft = add_draft(profile.uow, person, bad if step == "missing_siren" else good)
            if step == "ok":
                validate_invoice(profile.uow, profile.paths.documents, draft, DAY)
            elif step == "missing_siren":
                with pytest.raises(ValidationError):
                    validate_invoice(profile.uow, profile.paths.documents, draft, DAY)
            else:
                delete_draft(profile.uow, draft)
        expected = [f"LOC-2026-{n:05d}" for n in range(1, steps.count("ok") + 1)]
        assert _issued_numbers(profile.uow) == expected
    finally:
        profile.close()


def test_concurrent_validations_in_one_series_stay_continuous(ready, tmp_path: Path) -> None:
    """Two writers (own engines, as two processes would have) validate at once."""
    profile, person, client = ready
    drafts = [add_draft(profile.uow, person, client) for _ in range(16)]
    errors: list[BaseException] = []

    def worker(mine: list[str]) -> None:
        engine = make_engine(profile.paths.database)
        try:
            factory = UnitOfWorkFactory(make_session_factory(engine))
            for draft in mine:
                validate_invoice(factory, profile.paths.documents, draft, DAY)
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=worker, args=(drafts[i::2],)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert _issued_numbers(profile.uow) == [f"LOC-2026-{n:05d}" for n in range(1, 17)]

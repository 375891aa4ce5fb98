"""Parcours: status derived from stages, CAPE rules, impossible dates, alerts."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.errors import ConflictError, ValidationError
from app.people import parcours
from app.people.interviews import FollowupInput, save_followup
from app.people.parcours import StageInput, add_stage, list_alerts, person_status, renew_cape
from app.people.parcours_rules import StageInfo, add_months, cesa_associe_deadline, derive_status
from app.people.persons import PersonInput, create_person

TODAY = dt.date(2026, 11, 26)


@pytest.fixture
def person_id(uow) -> str:
    return create_person(uow, PersonInput(first_name="Léa", last_name="Roux")).id


def stage(
    kind: str,
    start: dt.date,
    end: dt.date | None = None,
    *,
    contract_type: str = "",
    outcome: str = "",
) -> StageInfo:
    return StageInfo(
        id=f"{kind}-{start}",
        person_id="p",
        kind=kind,
        start_date=start,
        end_date=end,
        contract_type=contract_type,
        outcome=outcome,
    )


def codes(error: ValidationError) -> dict[str, str]:
    return {e.field: e.code for e in error.errors}


def test_status_follows_the_latest_started_stage():
    stages = [
        stage("accueil", dt.date(2025, 1, 10)),
        stage("cape", dt.date(2025, 2, 1), dt.date(2026, 1, 31)),
        stage("salarie", dt.date(2026, 2, 1), contract_type="CESA"),
    ]
    assert derive_status(stages, TODAY).code == "salarie"
    assert derive_status(stages, dt.date(2025, 6, 1)).code == "cape"
    assert derive_status(stages, dt.date(2025, 1, 20)).code == "accueil"
    assert derive_status(stages, dt.date(2024, 1, 1)).code == "nouveau"


def test_ended_cape_without_contract_reads_as_convention_terminee():
    stages = [stage("cape", dt.date(2025, 1, 1), dt.date(2025, 12, 31))]
    assert derive_status(stages, TODAY).code == "cape_terminee"


def test_intake_decision_speaks_while_the_person_is_at_accueil():
    stages = [stage("accueil", dt.date(2026, 10, 1))]
    assert derive_status(stages, TODAY, "non_retenu").code == "non_retenu"
    assert derive_status(stages, TODAY, "admis").code == "admis"


def test_exit_wins_and_carries_its_outcome():
    stages = [
        stage("cape", dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
        stage("sortie", dt.date(2025, 12, 31), outcome="creation_entreprise"),
    ]
    status = derive_status(stages, TODAY)
    assert (status.code, status.outcome) == ("sorti", "creation_entreprise")


def test_status_is_derived_from_saved_stages(uow, person_id):
    add_stage(uow, StageInput(person_id, "accueil", dt.date(2026, 1, 5)), TODAY)
    add_stage(uow, StageInput(person_id, "cape", dt.date(2026, 2, 1), dt.date(2027, 1, 31)), TODAY)
    assert person_status(uow, person_id, TODAY).code == "cape"


def test_stage_ending_before_it_starts_is_refused_with_the_reason(uow, person_id):
    with pytest.raises(ValidationError) as caught:
        add_stage(
            uow,
            StageInput(person_id, "diagnostic", dt.date(2026, 3, 1), dt.date(2026, 2, 1)),
            TODAY,
        )
    assert codes(caught.value) == {"end_date": "end_before_start"}
    assert parcours.list_stages(uow, person_id) == []


def test_cape_longer_than_twelve_months_per_period_is_refused(uow, person_id):
    with pytest.raises(ValidationError) as caught:
        add_stage(
            uow, StageInput(person_id, "cape", dt.date(2026, 1, 1), dt.date(2027, 1, 1)), TODAY
        )
    assert codes(caught.value) == {"end_date": "cape_too_long"}
    assert caught.value.errors[0].params == {"max": "31/12/2026"}


def test_cape_renews_twice_then_refuses(uow, person_id):
    cape = add_stage(
        uow, StageInput(person_id, "cape", dt.date(2026, 1, 1), dt.date(2026, 12, 31)), TODAY
    )
    once = renew_cape(uow, cape.id)
    twice = renew_cape(uow, cape.id)
    assert (once.renewals, once.end_date) == (1, dt.date(2027, 12, 31))
    assert (twice.renewals, twice.end_date) == (2, dt.date(2028, 12, 31))
    with pytest.raises(ConflictError) as caught:
        renew_cape(uow, cape.id)
    assert caught.value.code == "cape_max_renewals"
    with pytest.raises(ValidationError) as typed:
        add_stage(
            uow,
            StageInput(person_id, "cape", dt.date(2030, 1, 1), dt.date(2030, 6, 1), renewals=3),
            TODAY,
        )
    assert codes(typed.value)["renewals"] == "too_many_renewals"


def test_overlapping_capes_are_refused(uow, person_id):
    add_stage(uow, StageInput(person_id, "cape", dt.date(2026, 1, 1), dt.date(2026, 12, 31)), TODAY)
    with pytest.raises(ValidationError) as caught:
        add_stage(
            uow, StageInput(person_id, "cape", dt.date(2026, 6, 1), dt.date(2027, 5, 31)), TODAY
        )
    assert codes(caught.value) == {"start_date": "cape_overlap"}


def test_exit_needs_an_outcome_and_cannot_precede_earlier_stages(uow, person_id):
    add_stage(uow, StageInput(person_id, "cape", dt.date(2026, 1, 1), dt.date(2026, 12, 31)), TODAY)
    with pytest.raises(ValidationError) as caught:
        add_stage(uow, StageInput(person_id, "sortie", dt.date(2025, 12, 1)), TODAY)
    assert codes(caught.value) == {
        "outcome": "exit_reason_required",
        "start_date": "exit_before_stage",
    }
    done = add_stage(
        uow,
        StageInput(person_id, "sortie", dt.date(2026, 6, 1), exit_reason_code="demenagement"),
        TODAY,
    )
    assert done.exit_reason_code == "demenagement"


def test_salaried_stage_needs_a_contract_type_and_associe_needs_salaried(uow, person_id):
    with pytest.raises(ValidationError) as caught:
        add_stage(uow, StageInput(person_id, "salarie", dt.date(2026, 1, 1)), TODAY)
    assert codes(caught.value) == {"contract_type": "required"}
    with pytest.raises(ValidationError) as early:
        add_stage(uow, StageInput(person_id, "associe", dt.date(2026, 1, 1)), TODAY)
    assert codes(early.value) == {"start_date": "associe_needs_salarie"}


def test_cesa_deadline_is_three_years_minus_cape_duration():
    stages = [
        stage("cape", dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
        stage("salarie", dt.date(2025, 1, 1), contract_type="CESA"),
    ]
    assert cesa_associe_deadline(stages) == dt.date(2028, 1, 1) - dt.timedelta(days=366)


def test_cesa_deadline_counts_an_open_cape_until_the_contract_starts():
    open_cape = [
        stage("cape", dt.date(2024, 1, 1)),
        stage("salarie", dt.date(2025, 1, 1), contract_type="CESA"),
    ]
    # The CAPE with no end date lasted the whole of 2024 (366 days), like a closed one.
    assert cesa_associe_deadline(open_cape) == dt.date(2028, 1, 1) - dt.timedelta(days=366)


def test_alerts_cape_ending_cesa_deadline_and_few_followups(uow):
    ending = create_person(uow, PersonInput(first_name="Anne", last_name="Fin")).id
    add_stage(uow, StageInput(ending, "cape", dt.date(2025, 12, 15), dt.date(2026, 12, 14)), TODAY)
    cesa = create_person(uow, PersonInput(first_name="Bob", last_name="Cesa")).id
    add_stage(uow, StageInput(cesa, "cape", dt.date(2023, 6, 1), dt.date(2024, 5, 31)), TODAY)
    add_stage(uow, StageInput(cesa, "salarie", dt.date(2024, 6, 1), contract_type="CESA"), TODAY)
    followed = create_person(uow, PersonInput(first_name="Chloé", last_name="Suivie")).id
    add_stage(uow, StageInput(followed, "salarie", dt.date(2025, 1, 1), contract_type="CDI"), TODAY)
    for day in (dt.date(2026, 3, 1), dt.date(2026, 9, 1)):
        save_followup(uow, FollowupInput(followed, day, points_discussed="Point"), today=TODAY)
    alerts = {(a.person_id, a.code) for a in list_alerts(uow, TODAY)}
    assert (ending, "cape_ending") in alerts
    assert (cesa, "cesa_associe_deadline") in alerts
    assert (cesa, "few_followups") in alerts
    assert not any(pid == followed for pid, _ in alerts)


def test_associe_has_no_cesa_deadline_alert(uow):
    pid = create_person(uow, PersonInput(first_name="Dan", last_name="Associe")).id
    add_stage(uow, StageInput(pid, "salarie", dt.date(2024, 1, 1), contract_type="CESA"), TODAY)
    add_stage(uow, StageInput(pid, "associe", dt.date(2025, 1, 1)), TODAY)
    assert "cesa_associe_deadline" not in {a.code for a in list_alerts(uow, TODAY)}


@given(st.dates(dt.date(2000, 1, 1), dt.date(2090, 1, 1)), st.integers(-60, 60))
def test_add_months_lands_in_the_right_month_and_never_overflows(day, months):
    result = add_months(day, months)
    assert (result.year * 12 + result.month) - (day.year * 12 + day.month) == months
    assert result.day <= day.day


def test_first_invoice_opens_the_salaried_stage_once(uow, person_id):
    with uow() as unit:
        created = parcours.ensure_salaried(unit.session, person_id, dt.date(2026, 3, 2))
        again = parcours.ensure_salaried(unit.session, person_id, dt.date(2026, 4, 1))
        unit.commit()
    assert created is not None and created.contract_type == "CESA" and again is None
    assert [s.kind for s in parcours.list_stages(uow, person_id)] == ["salarie"]
    assert person_status(uow, person_id, TODAY).code == "salarie"


kinds = st.sampled_from(["accueil", "diagnostic", "cape", "salarie", "associe"])
days = st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31))


@given(st.lists(st.tuples(kinds, days), max_size=6), days)
def test_status_ignores_future_stages_and_an_exit_after_everything_wins(pairs, exit_day):
    stages = [stage(kind, day) for kind, day in pairs]
    today = dt.date(2025, 6, 15)
    past_only = [s for s in stages if s.start_date <= today]
    assert derive_status(stages, today) == derive_status(past_only, today)
    if all(day <= exit_day for _kind, day in pairs) and exit_day <= today:
        exited = [*stages, stage("sortie", exit_day, outcome="retour_situation")]
        assert derive_status(exited, today).code == "sorti"

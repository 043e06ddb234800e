"""Outcomes (issue #13, item 1): goals on a goal-attainment scale, the T-score outcome,
the caseworker's confirmation or dispute, the supervisor's decision; only confirmed
outcomes count."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from accounts.models import Role
from core.errors import ApplicationError
from evaluation import gas
from evaluation.models import Goal, Outcome, ProviderRating, SurveyInvitation
from evaluation.selectors import outcomes as selectors
from evaluation.services import outcomes as services
from evaluation.services.ratings import update_ratings_of
from referrals import services as referral_services
from referrals.models import Referral
from tests.factories.accounts import user_with_role
from tests.factories.evaluation import in_service_referral, sent_referral
from tests.factories.providers import provider_staff_of

pytestmark = pytest.mark.django_db

S = Referral.Status
GOAL = {"description": "每周自己做三次热饭", "expected": "能独立做饭", "weight": 1}


def _case(**kwargs):
    referral = in_service_referral(**kwargs)
    staff = provider_staff_of(referral.provider)
    return referral, staff, referral.caseworker


def _completed(attainments=(0,), weights=(1,)):
    referral, staff, caseworker = _case()
    services.set_goals(
        referral=referral,
        user=staff,
        goals=[{**GOAL, "weight": weight} for weight in weights],
    )
    outcome = services.complete_with_goals(
        referral=referral,
        user=staff,
        attainments=dict(enumerate(attainments, start=1)),
    )
    return outcome, staff, caseworker


# --- the formula -----------------------------------------------------------------------------


def test_the_t_score_of_known_values():
    assert gas.t_score([(0, 1), (0, 3), (0, 2)]) == Decimal("50.00")
    assert gas.t_score([(2, 1)]) == Decimal("70.00")
    assert gas.t_score([(-2, 1)]) == Decimal("30.00")
    # Two equal goals at +1: 50 + 10·2 / √(0.7·2 + 0.3·4) = 62.40
    assert gas.t_score([(1, 1), (1, 1)]) == Decimal("62.40")


def test_a_referral_completed_with_its_goals_has_the_t_score_as_its_outcome():
    outcome, _staff, _caseworker = _completed(attainments=(2,), weights=(1,))

    assert outcome.t_score == Decimal("70.00")
    assert outcome.result == Outcome.Result.COMPLETED
    assert outcome.status == Outcome.Status.RECORDED
    assert outcome.scores == [{"number": 1, "weight": 1, "attainment": 2}]
    referral = Referral.objects.get(pk=outcome.referral_id)
    assert referral.status == S.COMPLETED
    assert referral.outcome == "achieved"
    # Every completed referral gets its one survey.
    assert SurveyInvitation.objects.filter(referral=referral).count() == 1


def test_all_goals_at_the_expected_level_give_fifty():
    outcome, _staff, _caseworker = _completed(attainments=(0, 0, 0), weights=(1, 3, 5))
    assert outcome.t_score == Decimal("50.00")


def test_a_poor_outcome_is_in_words_not_met():
    outcome, _staff, _caseworker = _completed(attainments=(-2, -1), weights=(2, 1))
    assert outcome.t_score < 40
    assert Referral.objects.get(pk=outcome.referral_id).outcome == "not_achieved"


# --- goals -----------------------------------------------------------------------------------


def test_goals_are_encrypted_at_rest():
    referral, staff, _caseworker = _case()
    services.set_goals(referral=referral, user=staff, goals=[GOAL])

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT description, expected FROM {Goal._meta.db_table}")  # noqa: S608 (a table name)
        stored = cursor.fetchall()
    assert stored and all("热饭" not in value and "做饭" not in value for value in stored[0])
    assert Goal.objects.get(referral=referral).description == GOAL["description"]


@pytest.mark.parametrize(
    "goals, field",
    [
        ([], "goal_1_description"),
        ([{"description": "", "expected": "x", "weight": 1}], "goal_1_description"),
        ([{"description": "x", "expected": "", "weight": 1}], "goal_1_expected"),
        ([{"description": "x", "expected": "y", "weight": 9}], "goal_1_weight"),
        ([GOAL] * 4, "goals"),
    ],
)
def test_goals_that_cannot_be_used_are_refused_by_field(goals, field):
    referral, staff, _caseworker = _case()

    with pytest.raises(ApplicationError) as refused:
        services.set_goals(referral=referral, user=staff, goals=goals)

    assert field in refused.value.field_errors
    assert not Goal.objects.filter(referral=referral).exists()


def test_goals_are_set_only_by_the_provider_and_only_once_accepted():
    referral = sent_referral()
    staff = provider_staff_of(referral.provider)
    with pytest.raises(ApplicationError):
        services.set_goals(referral=referral, user=staff, goals=[GOAL])

    referral_services.accept_referral(referral=referral, user=staff)
    with pytest.raises(PermissionDenied):
        services.set_goals(referral=referral, user=referral.caseworker, goals=[GOAL])
    other_provider_staff = provider_staff_of(in_service_referral().provider)
    with pytest.raises(PermissionDenied):
        services.set_goals(referral=referral, user=other_provider_staff, goals=[GOAL])

    services.set_goals(referral=referral, user=staff, goals=[GOAL, GOAL])
    assert Goal.objects.filter(referral=referral).count() == 2


def test_completion_needs_goals_and_every_goal_scored():
    referral, staff, _caseworker = _case()
    with pytest.raises(ApplicationError) as refused:
        services.complete_with_goals(referral=referral, user=staff, attainments={})
    assert refused.value.code == "no_goals"

    services.set_goals(referral=referral, user=staff, goals=[GOAL, GOAL])
    with pytest.raises(ApplicationError) as refused:
        services.complete_with_goals(referral=referral, user=staff, attainments={1: 0, 2: 5})
    assert "goal_2" in refused.value.field_errors
    assert "goal_1" not in refused.value.field_errors
    referral.refresh_from_db()
    assert referral.status == S.IN_SERVICE
    assert not Outcome.objects.filter(referral=referral).exists()
    assert Goal.objects.filter(referral=referral, attainment__isnull=False).count() == 0


# --- failures --------------------------------------------------------------------------------


def test_a_service_that_did_not_go_ahead_is_an_outcome_with_its_reason():
    referral, staff, _caseworker = _case()

    outcome = services.record_failure(
        referral=referral, user=staff, reason_code="could_not_contact"
    )

    assert outcome.result == Outcome.Result.FAILED
    assert outcome.failure_reason == "could_not_contact"
    assert outcome.t_score is None
    assert Referral.objects.get(pk=referral.pk).status == S.FAILED


def test_a_failure_needs_a_known_reason():
    referral, staff, _caseworker = _case()
    with pytest.raises(ApplicationError) as refused:
        services.record_failure(referral=referral, user=staff, reason_code="bored")
    assert "reason_code" in refused.value.field_errors
    assert not Outcome.objects.filter(referral=referral).exists()


# --- confirmation, disputes, decisions --------------------------------------------------------


def test_a_confirmed_outcome_counts_and_closes_the_referral():
    outcome, _staff, caseworker = _completed(attainments=(1,))

    services.confirm_outcome(outcome=outcome, user=caseworker)

    outcome.refresh_from_db()
    assert outcome.status == Outcome.Status.CONFIRMED
    assert outcome.confirmed_by == caseworker and outcome.confirmed_at is not None
    assert Referral.objects.get(pk=outcome.referral_id).status == S.CLOSED
    update_ratings_of(provider_id=outcome.provider_id)
    overall = ProviderRating.objects.get(provider=outcome.provider, category=None)
    assert overall.outcome_count == 1


def test_a_disputed_outcome_does_not_count_until_a_supervisor_upholds_it(
    django_capture_on_commit_callbacks, mailoutbox
):
    outcome, _staff, caseworker = _completed(attainments=(2,))
    supervisor = user_with_role(Role.SUPERVISOR, outcome.agency)

    with django_capture_on_commit_callbacks(execute=True):
        services.dispute_outcome(outcome=outcome, user=caseworker, reason="家访时老人说没有人来过")

    outcome.refresh_from_db()
    assert outcome.status == Outcome.Status.DISPUTED
    assert Referral.objects.get(pk=outcome.referral_id).status == S.CLOSED
    assert list(selectors.disputes_for(supervisor)) == [outcome]
    assert mailoutbox and mailoutbox[-1].to == [supervisor.email]
    # The reason may speak of the person: never in the mail.
    assert "家访" not in mailoutbox[-1].body
    update_ratings_of(provider_id=outcome.provider_id)
    rating = ProviderRating.objects.filter(provider=outcome.provider, category=None).first()
    assert rating is None or rating.outcome_count == 0

    services.resolve_dispute(outcome=outcome, user=supervisor, uphold=True, note="核实属实")
    outcome.refresh_from_db()
    assert outcome.status == Outcome.Status.CONFIRMED
    assert outcome.confirmed_at is not None
    assert list(selectors.disputes_for(supervisor)) == []
    update_ratings_of(provider_id=outcome.provider_id)
    assert ProviderRating.objects.get(provider=outcome.provider, category=None).outcome_count == 1


def test_a_rejected_outcome_never_counts():
    outcome, _staff, caseworker = _completed(attainments=(2,))
    supervisor = user_with_role(Role.SUPERVISOR, outcome.agency)
    services.dispute_outcome(outcome=outcome, user=caseworker, reason="服务未实际提供")

    services.resolve_dispute(outcome=outcome, user=supervisor, uphold=False, note="证据不足")

    outcome.refresh_from_db()
    assert outcome.status == Outcome.Status.REJECTED
    assert outcome.confirmed_at is None
    with pytest.raises(ApplicationError):
        services.confirm_outcome(outcome=outcome, user=caseworker)


def test_who_may_confirm_dispute_and_resolve():
    outcome, staff, caseworker = _completed()
    other_caseworker = user_with_role(Role.CASEWORKER)
    with pytest.raises(PermissionDenied):
        services.confirm_outcome(outcome=outcome, user=staff)
    with pytest.raises(PermissionDenied):
        services.confirm_outcome(outcome=outcome, user=other_caseworker)
    with pytest.raises(ApplicationError) as refused:
        services.dispute_outcome(outcome=outcome, user=caseworker, reason="  ")
    assert "reason" in refused.value.field_errors

    services.dispute_outcome(outcome=outcome, user=caseworker, reason="不符")
    with pytest.raises(PermissionDenied):
        services.resolve_dispute(outcome=outcome, user=caseworker, uphold=True, note="x")
    other_supervisor = user_with_role(Role.SUPERVISOR)
    with pytest.raises(PermissionDenied):
        services.resolve_dispute(outcome=outcome, user=other_supervisor, uphold=True, note="x")
    supervisor = user_with_role(Role.SUPERVISOR, outcome.agency)
    with pytest.raises(ApplicationError) as refused:
        services.resolve_dispute(outcome=outcome, user=supervisor, uphold=True, note="")
    assert "note" in refused.value.field_errors


def test_closing_without_a_word_on_the_outcome_is_refused():
    outcome, _staff, caseworker = _completed()
    referral = Referral.objects.get(pk=outcome.referral_id)

    with pytest.raises(ApplicationError) as refused:
        referral_services.close_referral(referral=referral, user=caseworker)

    assert refused.value.code == "outcome_awaits_caseworker"
    assert Referral.objects.get(pk=referral.pk).status == S.COMPLETED


def test_a_reopened_referral_completed_again_has_a_second_outcome_and_keeps_the_first():
    outcome, staff, caseworker = _completed(attainments=(1,))
    services.confirm_outcome(outcome=outcome, user=caseworker)
    referral = Referral.objects.get(pk=outcome.referral_id)
    referral_services.reopen_referral(referral=referral, user=caseworker, note="需求反复")
    services.set_goals(referral=referral, user=staff, goals=[GOAL])
    referral_services.start_service(referral=referral, user=staff)

    second = services.complete_with_goals(referral=referral, user=staff, attainments={1: -1})

    assert second.round == 2
    assert selectors.outcome_of(referral) == second
    first = Outcome.objects.get(pk=outcome.pk)
    assert first.status == Outcome.Status.CONFIRMED
    assert first.t_score == Decimal("60.00")
    assert second.t_score == Decimal("40.00")


def test_the_outcomes_a_person_sees():
    outcome, staff, caseworker = _completed()
    other = _completed()[0]
    supervisor = user_with_role(Role.SUPERVISOR, outcome.agency)

    assert list(selectors.outcomes_visible_to(caseworker)) == [outcome]
    assert list(selectors.outcomes_visible_to(staff)) == [outcome]
    assert list(selectors.outcomes_visible_to(supervisor)) == [outcome]
    assert other not in selectors.outcomes_visible_to(user_with_role(Role.COMMISSIONER))

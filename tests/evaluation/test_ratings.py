"""Provider ratings (issue #13 points 5 and 6): Bayesian averages shrunk toward the platform
mean, decaying evidence, an uncertainty band, only confirmed evidence, and a full rebuild
that agrees with the incremental update."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from evaluation import rating_method
from evaluation.models import Outcome, ProviderRating, RatingHistory
from evaluation.selectors import ratings as rating_selectors
from evaluation.services.ratings import recompute_ratings, update_ratings_of
from referrals import services as referral_services
from tests.factories.evaluation import (
    AssessmentFactory,
    OutcomeFactory,
    SurveyResponseFactory,
    in_service_referral,
    sent_referral,
)
from tests.factories.providers import ServiceFactory, provider_staff_of

NOW = datetime.datetime(2026, 12, 7, 10, 0, tzinfo=datetime.UTC)


def outcomes_of(service, count, *, t_score=70, status=Outcome.Status.CONFIRMED, at=None):
    made = []
    for _i in range(count):
        referral = in_service_referral(service=service)
        outcome = OutcomeFactory(referral=referral, t_score=Decimal(t_score), status=status)
        if at is not None:
            Outcome.objects.filter(pk=outcome.pk).update(confirmed_at=at, recorded_at=at)
        made.append(outcome)
    return made


def overall(provider):
    return ProviderRating.objects.filter(provider=provider, category__isnull=True).first()


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.mark.django_db
def test_a_provider_without_evidence_has_no_rating():
    service = ServiceFactory()
    recompute_ratings()

    assert overall(service.provider) is None
    assert rating_selectors.in_words(None) == "No rating yet"


@pytest.mark.django_db
def test_with_equal_results_forty_outcomes_rate_further_from_the_mean_than_two():
    many, few = ServiceFactory(free_slots=50), ServiceFactory(free_slots=5)
    outcomes_of(many, 40, t_score=70)
    outcomes_of(few, 2, t_score=70)

    recompute_ratings()

    mean = rating_method.DEFAULT_MEAN  # no earlier month: the platform mean is the default
    many_rating, few_rating = overall(many.provider), overall(few.provider)
    assert many_rating.breakdown["outcomes"]["raw"] == few_rating.breakdown["outcomes"]["raw"] == 5
    assert many_rating.score - mean > few_rating.score - mean > 0
    assert many_rating.breakdown["outcomes"]["score"] > few_rating.breakdown["outcomes"]["score"]
    # …and it is more certain: the band is narrower.
    assert many_rating.high - many_rating.low < few_rating.high - few_rating.low
    assert many_rating.outcome_count == 40 and few_rating.outcome_count == 2
    assert rating_selectors.in_words(many_rating).endswith("from 40 outcomes")


@pytest.mark.django_db
def test_older_evidence_weighs_less():
    recent_good, old_good = ServiceFactory(free_slots=5), ServiceFactory(free_slots=5)
    two_years_ago = NOW - datetime.timedelta(days=730)
    # Same two outcomes, one excellent and one poor; only their ages differ.
    outcomes_of(recent_good, 1, t_score=70)
    outcomes_of(recent_good, 1, t_score=30, at=two_years_ago)
    outcomes_of(old_good, 1, t_score=70, at=two_years_ago)
    outcomes_of(old_good, 1, t_score=30)

    recompute_ratings()

    recent = overall(recent_good.provider).breakdown["outcomes"]
    old = overall(old_good.provider).breakdown["outcomes"]
    assert recent["raw"] > 3 > old["raw"]
    # Two years at a 12-month half-life: the old outcome counts a quarter.
    assert recent["weight"] == pytest.approx(1.25, abs=0.01)
    assert recent["raw"] == pytest.approx((5 + 0.25 * 1) / 1.25, abs=0.01)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "status", [Outcome.Status.DISPUTED, Outcome.Status.RECORDED, Outcome.Status.REJECTED]
)
def test_an_outcome_that_is_not_confirmed_does_not_count(status):
    service = ServiceFactory(free_slots=5)
    outcomes_of(service, 3, t_score=70, status=status)

    recompute_ratings()

    # The provider answered the three referrals (responsiveness), but no outcome counts.
    rating = overall(service.provider)
    assert rating.outcome_count == 0
    assert rating.breakdown["outcomes"]["count"] == 0
    assert rating.breakdown["responsiveness"]["count"] == 3


@pytest.mark.django_db
def test_a_failure_counts_against_the_provider_unless_the_person_was_not_eligible():
    contacted, ineligible = ServiceFactory(free_slots=5), ServiceFactory(free_slots=5)
    for service, reason in ((contacted, "could_not_contact"), (ineligible, "not_eligible")):
        OutcomeFactory(
            referral=in_service_referral(service=service),
            result=Outcome.Result.FAILED,
            failure_reason=reason,
        )

    recompute_ratings()

    failed = overall(contacted.provider)
    assert failed.breakdown["outcomes"]["raw"] == 1
    assert failed.success_rate == 0
    assert overall(ineligible.provider).breakdown["outcomes"]["count"] == 0


@pytest.mark.django_db
def test_survey_answers_and_accepted_assessments_are_evidence():
    service = ServiceFactory(free_slots=5)
    provider = service.provider
    for _i in range(3):
        SurveyResponseFactory(
            invitation__referral=in_service_referral(service=service),
            helped=5,
            respect=5,
            timely=5,
            explained=5,
            recommend=5,
        )
    AssessmentFactory(
        provider=provider,
        status="accepted",
        accepted_at=NOW,
        overall_score=Decimal("4.00"),
    )
    AssessmentFactory(provider=provider, status="submitted", overall_score=Decimal("1.00"))

    recompute_ratings()

    rating = overall(provider)
    assert rating.survey_count == 3
    assert rating.breakdown["satisfaction"]["raw"] == 5
    assert rating.breakdown["assessments"] == {**rating.breakdown["assessments"], "count": 1}
    assert rating.breakdown["assessments"]["raw"] == 5  # 4 of 4 → 5 of 5
    # The assessment judges the whole provider: it counts in its categories too.
    category_rating = ProviderRating.objects.get(
        provider=provider, category=service.categories.get()
    )
    assert category_rating.breakdown["assessments"]["count"] == 1


@pytest.mark.django_db
def test_answers_to_referrals_make_responsiveness():
    quick, declining = ServiceFactory(free_slots=5), ServiceFactory(free_slots=5)
    for _i in range(2):
        referral = sent_referral(service=quick)
        referral_services.accept_referral(referral=referral, user=provider_staff_of(quick.provider))
        referral = sent_referral(service=declining)
        referral_services.decline_referral(
            referral=referral,
            user=provider_staff_of(declining.provider),
            reason_code="no_capacity",
        )

    recompute_ratings()

    fast, slow = overall(quick.provider), overall(declining.provider)
    assert fast.breakdown["responsiveness"]["raw"] == 5
    assert fast.acceptance_rate == 1 and fast.decline_rate == 0
    assert fast.median_accept_hours is not None and fast.median_accept_hours <= 0.5
    assert slow.breakdown["responsiveness"]["raw"] == 2
    assert slow.decline_rate == 1
    assert fast.score > slow.score


@pytest.mark.django_db
def test_the_breakdown_explains_every_component():
    service = ServiceFactory(free_slots=5)
    outcomes_of(service, 2, t_score=60)
    recompute_ratings()

    rows = rating_selectors.breakdown_rows(overall(service.provider))

    assert [row["name"] for row in rows] == [c.name for c in rating_method.COMPONENTS]
    assert sum(row["share"] for row in rows) == 100
    outcomes = rows[0]
    assert outcomes["count"] == 2 and outcomes["raw"] == 4
    # Components without evidence count at the platform mean, and say so.
    assert [row["name"] for row in rows if row["at_mean"]] == [
        "satisfaction",
        "assessments",
        "notices",
    ]


@pytest.mark.django_db
def test_incremental_update_agrees_with_a_full_rebuild():
    first, second = ServiceFactory(free_slots=20), ServiceFactory(free_slots=20)
    last_year = NOW - datetime.timedelta(days=200)
    outcomes_of(first, 3, t_score=60, at=last_year)
    outcomes_of(second, 4, t_score=40, at=last_year)
    recompute_ratings()

    # New evidence of the first provider this month, then only its incremental update.
    outcomes_of(first, 2, t_score=70)
    SurveyResponseFactory(invitation__referral=in_service_referral(service=first))
    update_ratings_of(provider_id=first.provider_id)
    incremental = {
        (r.provider_id, r.category_id): (r.score, r.low, r.high, r.evidence_count, r.breakdown)
        for r in ProviderRating.objects.all()
    }
    month_rows = set(RatingHistory.objects.values_list("provider", "category", "month", "score"))

    recompute_ratings()

    full = {
        (r.provider_id, r.category_id): (r.score, r.low, r.high, r.evidence_count, r.breakdown)
        for r in ProviderRating.objects.all()
    }
    assert incremental == full
    assert month_rows == set(
        RatingHistory.objects.values_list("provider", "category", "month", "score")
    )
    # 5 outcomes, 1 survey answer, and the provider's answers to the 6 referrals.
    assert full[(first.provider_id, None)][3] == 12


@pytest.mark.django_db
def test_history_keeps_a_row_per_month_since_the_first_evidence():
    service = ServiceFactory(free_slots=5)
    outcomes_of(service, 1, t_score=70, at=NOW - datetime.timedelta(days=100))

    recompute_ratings()

    months = [row.month for row in rating_selectors.history_of(service.provider)]
    assert months[0] == datetime.date(2026, 8, 1)
    assert months[-1] == datetime.date(2026, 12, 1)
    assert len(months) == 5
    counts = [row.evidence_count for row in rating_selectors.history_of(service.provider)]
    # The outcome from August, then in December the provider's answer to the referral.
    assert counts == [1, 1, 1, 1, 2]


@pytest.mark.django_db
def test_recompute_is_idempotent():
    service = ServiceFactory(free_slots=5)
    outcomes_of(service, 2, t_score=55)
    recompute_ratings()
    before = list(ProviderRating.objects.values_list("provider", "category", "score", "low"))

    recompute_ratings()

    assert list(ProviderRating.objects.values_list("provider", "category", "score", "low")) == (
        before
    )


@pytest.mark.django_db
def test_full_recompute_runs_a_fixed_number_of_queries(django_assert_max_num_queries):
    service = ServiceFactory(free_slots=40)
    outcomes_of(service, 1)
    with django_assert_max_num_queries(40) as few:
        recompute_ratings()
    outcomes_of(service, 4)
    outcomes_of(ServiceFactory(free_slots=5), 3)
    with django_assert_max_num_queries(len(few.captured_queries)):
        recompute_ratings()


@pytest.mark.django_db
def test_evidence_arriving_queues_the_providers_update(django_capture_on_commit_callbacks):
    service = ServiceFactory(free_slots=5)
    referral = sent_referral(service=service)
    with django_capture_on_commit_callbacks(execute=True):
        referral_services.accept_referral(
            referral=referral, user=provider_staff_of(service.provider)
        )

    # Celery runs eagerly in tests: the task ran the incremental update.
    rating = overall(service.provider)
    assert rating is not None
    assert rating.breakdown["responsiveness"]["count"] == 1
    assert timezone.now() == rating.computed_at

"""The evidence behind provider ratings, as querysets the rating service aggregates.

Every source returns rows annotated ``ev_provider``, ``ev_at`` (when the
evidence arrived), ``ev_value`` (its value on the 1–5 scale,
``evaluation.rating_method``) and, by category, ``ev_category``; some add
flags that are summed for the facts a rating shows (``ev_completed`` …).
Sources of other apps live in their selectors (``contracts.selectors.evidence``,
``referrals.selectors.responsiveness``); ``SOURCES`` names them all.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import (
    Case,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Greatest, Least

from contracts.selectors import evidence as contract_evidence
from evaluation import gas, rating_method
from evaluation.models.assessments import Assessment
from evaluation.models.outcomes import Outcome
from evaluation.models.surveys import QUESTIONS, SurveyResponse
from referrals.selectors import activity, responsiveness


def _scoped(queryset: QuerySet, field: str, provider_id: int | None) -> QuerySet:
    return queryset if provider_id is None else queryset.filter(**{field: provider_id})


def _flag(**condition):
    return Case(When(then=Value(1), **condition), default=Value(0), output_field=IntegerField())


def outcomes(*, by_category: bool, provider_id: int | None = None) -> QuerySet:
    """Confirmed outcomes; "not eligible" failures are the referrer's and do not count."""
    rows = _scoped(
        Outcome.objects.filter(status=Outcome.Status.CONFIRMED, confirmed_at__isnull=False),
        "provider_id",
        provider_id,
    ).exclude(result=Outcome.Result.FAILED, failure_reason="not_eligible")
    from_t = ExpressionWrapper(
        Value(1.0) + (F("t_score") - Value(30.0)) / Value(10.0), output_field=FloatField()
    )
    annotations = {
        "ev_provider": F("provider_id"),
        "ev_at": F("confirmed_at"),
        "ev_value": Case(
            When(result=Outcome.Result.FAILED, then=Value(1.0)),
            default=Greatest(Value(1.0), Least(Value(5.0), from_t)),
            output_field=FloatField(),
        ),
        "ev_completed": _flag(result=Outcome.Result.COMPLETED),
        "ev_success": _flag(result=Outcome.Result.COMPLETED, t_score__gte=gas.MET_FROM),
    }
    if by_category:
        annotations["ev_category"] = F("category_id")
    return rows.annotate(**annotations)


def satisfaction(*, by_category: bool, provider_id: int | None = None) -> QuerySet:
    rows = _scoped(SurveyResponse.objects.all(), "provider_id", provider_id)
    total = sum((F(name) for name, _question in QUESTIONS), Value(0))
    annotations = {
        "ev_provider": F("provider_id"),
        "ev_at": F("submitted_at"),
        "ev_value": ExpressionWrapper(
            total * Value(1.0) / Value(float(len(QUESTIONS))), output_field=FloatField()
        ),
    }
    if by_category:
        annotations["ev_category"] = F("category_id")
    return rows.annotate(**annotations)


def assessments(*, by_category: bool, provider_id: int | None = None) -> QuerySet:
    """Accepted assessments. They judge the whole provider, so by category each counts in
    every category (``ev_category`` is then left to the caller: ``None``)."""
    rows = _scoped(
        Assessment.objects.filter(
            status=Assessment.Status.ACCEPTED,
            accepted_at__isnull=False,
            overall_score__isnull=False,
        ),
        "provider_id",
        provider_id,
    )
    return rows.annotate(
        ev_provider=F("provider_id"),
        ev_at=F("accepted_at"),
        ev_value=ExpressionWrapper(
            Value(1.0) + (F("overall_score") - Value(1.0)) * Value(4.0) / Value(3.0),
            output_field=FloatField(),
        ),
    )


def notices(*, by_category: bool, provider_id: int | None = None) -> QuerySet:
    return contract_evidence.kpi_ratings(
        values=rating_method.NOTICE_VALUES, by_category=by_category, provider_id=provider_id
    )


def answers(*, by_category: bool, provider_id: int | None = None) -> QuerySet:
    return responsiveness.answers(
        values=rating_method.ANSWER_VALUES, by_category=by_category, provider_id=provider_id
    )


@dataclass(frozen=True)
class Source:
    component: str
    rows: Callable[..., QuerySet]
    flags: tuple[str, ...] = ()
    # Provider-wide evidence: by category it counts in each of the provider's categories.
    provider_wide: bool = False


SOURCES: tuple[Source, ...] = (
    Source("outcomes", outcomes, flags=("ev_completed", "ev_success")),
    Source("satisfaction", satisfaction),
    Source("assessments", assessments, provider_wide=True),
    Source("notices", notices),
    Source("responsiveness", answers, flags=("ev_accepted", "ev_declined", "ev_late")),
)


def confirmed_outcomes_for(
    *, provider_id: int, category_ids, areas, since, until, min_t_score
) -> list[str]:
    """Uuids of the confirmed, completed outcomes of a provider's referrals for these
    categories from these areas, completed (recorded) in the period with a T-score of at
    least ``min_t_score``: what an outcome-based contract milestone pays for (one query)."""
    return [
        str(uuid)
        for uuid in Outcome.objects.filter(
            activity.area_scope(areas),
            provider_id=provider_id,
            category_id__in=list(category_ids),
            status=Outcome.Status.CONFIRMED,
            result=Outcome.Result.COMPLETED,
            t_score__gte=min_t_score,
            recorded_at__gte=since,
            recorded_at__lte=until,
        )
        .order_by("recorded_at", "pk")
        .values_list("uuid", flat=True)
    ]

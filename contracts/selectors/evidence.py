"""Published contract performance as evidence for provider ratings (``evaluation``).

One row per KPI rating of a published performance notice (``other`` ratings say
nothing comparable and are left out), dated when the notice was published, with
the value the rating method gives it (``values`` passed in by the caller). By
category, a KPI rating counts for each of the contract's service categories.
"""

from django.db.models import Case, F, FloatField, QuerySet, Value, When

from contracts.models.notices import PerformanceNotice, PerformanceRating


def kpi_ratings(*, values: dict, by_category: bool, provider_id: int | None = None) -> QuerySet:
    """KPI ratings annotated ``ev_provider``, ``ev_category`` (by category), ``ev_at`` and
    ``ev_value``."""
    ratings = PerformanceRating.objects.filter(
        notice__status=PerformanceNotice.Status.PUBLISHED,
        notice__published_at__isnull=False,
        rating__in=list(values),
    )
    if provider_id is not None:
        ratings = ratings.filter(notice__contract__provider_id=provider_id)
    annotations = {
        "ev_provider": F("notice__contract__provider_id"),
        "ev_at": F("notice__published_at"),
        "ev_value": Case(
            *[When(rating=code, then=Value(value)) for code, value in values.items()],
            output_field=FloatField(),
        ),
    }
    if by_category:
        annotations["ev_category"] = F("notice__contract__categories")
    return ratings.annotate(**annotations)

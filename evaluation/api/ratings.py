"""Provider ratings in the API: public, like the directory they belong to, and read-only —
nobody writes a rating, the evidence does (``evaluation.services.ratings``).

``GET /api/v1/ratings/`` lists every verified provider's overall rating and its
rating per need category, with the breakdown, the band and the responsiveness
figures; ``?provider=<uuid>`` and ``?category=<code>`` (``overall`` for the
overall ones) narrow it. ``GET /api/v1/rating-history/`` gives the monthly
history the same way. Each list runs a fixed number of queries.
"""

import django_filters
from django.utils.translation import gettext_lazy as _
from rest_framework import permissions, serializers, viewsets

from evaluation.models.ratings import ProviderRating, RatingHistory
from evaluation.selectors import ratings as rating_selectors


class RatingFilter(django_filters.FilterSet):
    provider = django_filters.UUIDFilter(
        field_name="provider__uuid", label=_("provider (its uuid)")
    )
    category = django_filters.CharFilter(
        method="filter_category", label=_("need category code, or “overall”")
    )

    def filter_category(self, queryset, name, value):
        if value == "overall":
            return queryset.filter(category__isnull=True)
        return queryset.filter(category__code=value)


class RatingFilterSet(RatingFilter):
    class Meta:
        model = ProviderRating
        fields = ["provider", "category"]


class HistoryFilterSet(RatingFilter):
    class Meta:
        model = RatingHistory
        fields = ["provider", "category"]


class RatingSerializer(serializers.ModelSerializer):
    provider = serializers.UUIDField(source="provider.uuid", read_only=True)
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    category = serializers.CharField(source="category.code", read_only=True, allow_null=True)
    in_words = serializers.SerializerMethodField()

    class Meta:
        model = ProviderRating
        fields = [
            "provider",
            "provider_name",
            "category",
            "score",
            "low",
            "high",
            "in_words",
            "evidence_count",
            "breakdown",
            "outcome_count",
            "success_rate",
            "completion_rate",
            "survey_count",
            "median_accept_hours",
            "acceptance_rate",
            "decline_rate",
            "sla_breaches",
            "computed_at",
        ]
        read_only_fields = fields

    def get_in_words(self, rating) -> str:
        return rating_selectors.in_words(rating)


class HistorySerializer(serializers.ModelSerializer):
    provider = serializers.UUIDField(source="provider.uuid", read_only=True)
    category = serializers.CharField(source="category.code", read_only=True, allow_null=True)

    class Meta:
        model = RatingHistory
        fields = ["provider", "category", "month", "score", "low", "high", "evidence_count"]
        read_only_fields = fields


class RatingViewSet(viewsets.ReadOnlyModelViewSet):
    """Provider ratings, overall and per need category (public)."""

    serializer_class = RatingSerializer
    permission_classes = [permissions.AllowAny]  # public by design, like the directory
    filterset_class = RatingFilterSet

    def get_queryset(self):
        return rating_selectors.public_ratings()


class HistoryViewSet(viewsets.ReadOnlyModelViewSet):
    """Provider ratings month by month (public)."""

    serializer_class = HistorySerializer
    permission_classes = [permissions.AllowAny]
    filterset_class = HistoryFilterSet

    def get_queryset(self):
        return rating_selectors.public_history()


ROUTES = [
    ("ratings", RatingViewSet, "api-ratings"),
    ("rating-history", HistoryViewSet, "api-rating-history"),
]

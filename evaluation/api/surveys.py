"""Beneficiary satisfaction in the API: aggregates only, public like the directory.

``GET /api/v1/survey-summaries/`` lists the verified providers that have at least
``MIN_AGGREGATE`` survey answers, each with the number of answers, the mean of
each question and the overall mean; ``?category=<code>`` counts only the answers
about that need category. A provider with fewer answers is left out: with so few,
a provider could tell who answered what. No single answer is ever served. The
list runs a fixed number of queries whatever its length.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, serializers, viewsets

from evaluation.models.surveys import QUESTIONS
from evaluation.selectors import surveys as selectors
from providers import selectors as provider_selectors
from taxonomy import selectors as taxonomy_selectors


class SurveySummaryFilterSerializer(serializers.Serializer):
    category = serializers.CharField(required=False, allow_blank=True, max_length=64)

    def validate_category(self, code):
        if not code:
            return None
        category = taxonomy_selectors.category_by_code(code)
        if category is None:
            raise serializers.ValidationError(
                _("No need category has the code “%(code)s”.") % {"code": code}
            )
        return category


def _mean_field(question):
    return serializers.DecimalField(
        max_digits=2, decimal_places=1, read_only=True, help_text=question
    )


class SurveyMeansSerializer(serializers.Serializer):
    """The mean answer to each question, from 1 (not at all) to 5 (completely)."""

    helped = _mean_field(QUESTIONS[0][1])
    respect = _mean_field(QUESTIONS[1][1])
    timely = _mean_field(QUESTIONS[2][1])
    explained = _mean_field(QUESTIONS[3][1])
    recommend = _mean_field(QUESTIONS[4][1])


class SurveySummarySerializer(serializers.Serializer):
    provider = serializers.UUIDField(source="provider.uuid", read_only=True)
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    count = serializers.IntegerField(
        read_only=True, help_text=gettext_lazy("number of answers counted")
    )
    overall = serializers.DecimalField(
        max_digits=2,
        decimal_places=1,
        read_only=True,
        help_text=gettext_lazy("mean of the five questions"),
    )
    means = SurveyMeansSerializer(read_only=True)


class SurveySummaryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Satisfaction of verified providers, as aggregates of at least five answers (public)."""

    serializer_class = SurveySummarySerializer
    permission_classes = [permissions.AllowAny]  # public by design, like the directory
    filter_backends: list = []

    def get_queryset(self):
        return provider_selectors.public_providers().order_by("organization__name_zh", "pk")

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "category",
                str,
                description=gettext_lazy("count only the answers about this need category (code)"),
            )
        ]
    )
    def list(self, request, *args, **kwargs):
        params = SurveySummaryFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        category = params.validated_data.get("category")
        providers = self.get_queryset()
        # One aggregate over all public providers; those under the minimum are left out.
        summaries = selectors.satisfaction_summaries(
            providers.values_list("pk", flat=True),
            category_id=category.pk if category else None,
        )
        page = self.paginate_queryset(providers.filter(pk__in=list(summaries)))
        rows = [{"provider": provider, **summaries[provider.pk]} for provider in page]
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)


ROUTES = [("survey-summaries", SurveySummaryViewSet, "api-survey-summaries")]

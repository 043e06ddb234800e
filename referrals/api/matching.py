"""The API of matches: services ranked for one person and one need, with the reasons."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    extend_schema,
)
from rest_framework import permissions, serializers, viewsets
from rest_framework.response import Response

from referrals import matching
from referrals.api.common import PERSON_NOT_FOUND
from referrals.selectors import beneficiaries as beneficiary_selectors
from taxonomy import selectors as taxonomy_selectors


class MatchQuerySerializer(serializers.Serializer):
    beneficiary = serializers.UUIDField(help_text=_("A person of your agency"))
    category = serializers.CharField(
        max_length=100, help_text=_("Need category code, e.g. social-services.elderly-care")
    )
    limit = serializers.IntegerField(min_value=1, max_value=50, default=20)


class MatchReasonSerializer(serializers.Serializer):
    component = serializers.CharField(help_text=_("distance, capacity, rating, contract…"))
    text = serializers.CharField()
    points = serializers.FloatField()


class MatchedServiceSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    free_slots = serializers.IntegerField()
    waitlist_length = serializers.IntegerField()


class MatchedProviderSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    name = serializers.CharField()


class MatchedSiteSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    address = serializers.CharField()


class MatchSerializer(serializers.Serializer):
    service = MatchedServiceSerializer()
    provider = MatchedProviderSerializer()
    score = serializers.FloatField()
    eligible = serializers.BooleanField()
    has_free_place = serializers.BooleanField()
    distance_km = serializers.FloatField(allow_null=True)
    site = MatchedSiteSerializer(allow_null=True, help_text=_("The nearest site, if any"))
    reasons = MatchReasonSerializer(many=True)


class MatchListSerializer(serializers.Serializer):
    beneficiary = serializers.UUIDField()
    category = serializers.CharField()
    results = MatchSerializer(many=True)


def _match_data(match) -> dict:
    return {
        "service": match.service,
        "provider": match.provider,
        "score": match.score,
        "eligible": match.eligible,
        "has_free_place": match.has_free_place,
        "distance_km": match.distance_km,
        "site": match.nearest_site,
        # ``referrals.matching`` explains each score as (component, text, points).
        "reasons": [
            {"component": component, "text": str(text), "points": points}
            for component, text, points in match.reasons
        ],
    }


class MatchViewSet(viewsets.ViewSet):
    """Services ranked for one person and one need, each with the reasons for its place.

    ``?beneficiary=<uuid>&category=<code>``: eligible services first, then the
    ineligible ones with why they do not fit. When nothing eligible has room,
    record an unmet need (``/api/v1/unmet-needs/``).
    """

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=[MatchQuerySerializer], responses=MatchListSerializer)
    def list(self, request):
        query = MatchQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        beneficiary = (
            beneficiary_selectors.beneficiaries_visible_to(request.user)
            .filter(uuid=query.validated_data["beneficiary"])
            .first()
        )
        # A group's code is a fair question too: its services and its categories' services.
        category = (
            taxonomy_selectors.active_categories()
            .filter(code=query.validated_data["category"])
            .first()
        )
        errors = {}
        if beneficiary is None:
            errors["beneficiary"] = [PERSON_NOT_FOUND]
        if category is None:
            errors["category"] = [_("No need category has this code.")]
        if errors:
            raise serializers.ValidationError(errors)

        matches = matching.matches_for(
            beneficiary=beneficiary,
            category=category,
            limit=query.validated_data["limit"],
            now=timezone.now(),
        )
        data = {
            "beneficiary": beneficiary.uuid,
            "category": category.code,
            "results": [_match_data(match) for match in matches],
        }
        return Response(MatchListSerializer(data).data)

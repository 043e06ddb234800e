"""The API of unmet needs: recorded by the agency, with no personal data.

They feed the next commissioning round and the public statistics.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.response import Response

from places import selectors as place_selectors
from referrals import filters
from referrals.api.common import (
    NEED_NOT_FOUND,
    CodeField,
    UUIDLookupMixin,
    caseworker_agency,
    need_categories,
)
from referrals.models.unmet_needs import UnmetNeed
from referrals.selectors import assessments as assessment_selectors
from referrals.selectors import unmet_needs as selectors
from referrals.services import unmet_needs as services


class UnmetNeedSerializer(serializers.ModelSerializer):
    need = serializers.SlugRelatedField(slug_field="uuid", read_only=True, allow_null=True)
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    area = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = UnmetNeed
        fields = ["uuid", "need", "category", "area", "reason", "note", "created_at", "resolved_at"]
        read_only_fields = fields


class UnmetNeedInputSerializer(serializers.Serializer):
    need = serializers.UUIDField(
        required=False, allow_null=True, help_text=_("The need, when it was assessed")
    )
    agency = serializers.UUIDField(
        required=False,
        help_text=_("Needed only without a need, by caseworkers of several agencies"),
    )
    category = CodeField(queryset=need_categories(), required=False, allow_null=True)
    area = CodeField(
        queryset=place_selectors.areas(),
        required=False,
        allow_null=True,
        help_text=_("12-digit GB/T 2260 code; by default the person's district"),
    )
    reason = serializers.ChoiceField(UnmetNeed.Reason.choices)
    note = serializers.CharField(
        max_length=300,
        required=False,
        allow_blank=True,
        help_text=_("What would have helped. Do not write names or ID numbers here."),
    )

    def validate(self, attrs):
        if not attrs.get("need") and not attrs.get("category"):
            raise serializers.ValidationError(
                {"category": [_("Choose the need category, or name the need.")]}
            )
        return attrs


@extend_schema_view(
    create=extend_schema(request=UnmetNeedInputSerializer, responses={201: UnmetNeedSerializer})
)
class UnmetNeedViewSet(
    UUIDLookupMixin, mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Needs nobody eligible could meet, recorded by your agency (no personal data).

    They feed the next commissioning round and the public statistics.
    Filter with ``?category=…``, ``?reason=no_capacity`` and ``?resolved=false``.
    """

    serializer_class = UnmetNeedSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_class = filters.UnmetNeedFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return UnmetNeed.objects.none()
        return (
            selectors.unmet_needs_visible_to(self.request.user)
            .select_related("need")
            .order_by("-created_at", "-pk")
        )

    def create(self, request, *args, **kwargs):
        serializer = UnmetNeedInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        agency_uuid = data.pop("agency", None)
        need_uuid = data.pop("need", None)
        need = agency = None
        if need_uuid:
            need = assessment_selectors.need_for(request.user, need_uuid)
            if need is None:
                raise serializers.ValidationError({"need": [NEED_NOT_FOUND]})
        else:
            agency = caseworker_agency(request.user, agency_uuid)
        unmet = services.record_unmet_need(
            user=request.user,
            agency=agency,
            need=need,
            category=data.get("category"),
            area=data.get("area"),
            reason=data["reason"],
            note=data.get("note", ""),
        )
        fresh = self.get_queryset().get(pk=unmet.pk)
        return Response(UnmetNeedSerializer(fresh).data, status=status.HTTP_201_CREATED)

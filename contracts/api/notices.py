"""Performance notices: ``/contracts/{uuid}/notices/`` and ``/performance-notices/{uuid}/``.

At least once every 12 months of a contract in force, and once at its end, a
commissioner of the lead agency rates the provider against each KPI and publishes the
notice. A draft is opened on the contract (POST ``/contracts/{uuid}/notices/``), with
every KPI's target and actual filled in; the commissioner rates (PATCH) and publishes.
"""

import django_filters
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from contracts.api.common import (
    MAX_NUMBER,
    UUID_PATTERN,
    ContractReferenceSerializer,
    ContractScopedFilter,
    PersonReferenceSerializer,
    PersonsForPartiesMixin,
)
from contracts.models.notices import PerformanceNotice, PerformanceRating
from contracts.selectors import records
from contracts.services import notices as notice_services


class PerformanceRatingSerializer(serializers.ModelSerializer):
    kpi = serializers.IntegerField(source="kpi.number", read_only=True, help_text=_("KPI number"))
    name_zh = serializers.CharField(source="kpi.name_zh", read_only=True)
    name_en = serializers.CharField(source="kpi.name_en", read_only=True)
    unit = serializers.CharField(source="kpi.unit", read_only=True)
    rating = serializers.ChoiceField(
        choices=PerformanceRating.Rating.choices,
        allow_blank=True,
        read_only=True,
        help_text=_("Empty while the draft is not rated yet"),
    )

    class Meta:
        model = PerformanceRating
        fields = ["kpi", "name_zh", "name_en", "unit", "target", "actual", "rating", "explanation"]
        read_only_fields = fields


class PerformanceNoticeSerializer(PersonsForPartiesMixin, serializers.ModelSerializer):
    """A notice with one rating per KPI; who published it is named to the parties only."""

    contract = ContractReferenceSerializer(read_only=True)
    ratings = PerformanceRatingSerializer(many=True, read_only=True)
    published_by = PersonReferenceSerializer(read_only=True, required=False, allow_null=True)

    person_fields = ("published_by",)

    class Meta:
        model = PerformanceNotice
        fields = [
            "uuid",
            "contract",
            "kind",
            "period_start",
            "period_end",
            "summary_zh",
            "summary_en",
            "status",
            "status_changed_at",
            "created_at",
            "published_at",
            "published_by",
            "ratings",
        ]
        read_only_fields = fields


class DraftNoticeInputSerializer(serializers.Serializer):
    final = serializers.BooleanField(
        default=False,
        help_text=_(
            "True for the assessment at the end (once the contract has ended); "
            "false for the yearly assessment"
        ),
    )


class RatingInputSerializer(serializers.Serializer):
    kpi = serializers.IntegerField(min_value=1, max_value=MAX_NUMBER, help_text=_("KPI number"))
    rating = serializers.ChoiceField(choices=PerformanceRating.Rating.choices)
    explanation = serializers.CharField(
        required=False, allow_blank=True, help_text=_("Needed for the rating “other”")
    )


class NoticeInputSerializer(serializers.Serializer):
    """Summary and ratings; fields left out keep what was saved before."""

    summary_zh = serializers.CharField(required=False, allow_blank=True)
    summary_en = serializers.CharField(required=False, allow_blank=True)
    ratings = RatingInputSerializer(many=True, required=False)


def _changes(notice: PerformanceNotice, data) -> dict:
    """The service's arguments: what was sent, and what was saved for what was not."""
    return {
        "summary_zh": data.get("summary_zh", notice.summary_zh),
        "summary_en": data.get("summary_en", notice.summary_en),
        "ratings": {
            row["kpi"]: (row["rating"], row.get("explanation", ""))
            for row in data.get("ratings", [])
        },
    }


class ContractNoticeActions:
    """``/contracts/{uuid}/notices/``: the contract's notices; a commissioner opens a draft."""

    @extend_schema(
        methods=["get"],
        responses=PerformanceNoticeSerializer(many=True),
        operation_id="contract_notices",
    )
    @extend_schema(
        methods=["post"],
        request=DraftNoticeInputSerializer,
        responses={201: PerformanceNoticeSerializer},
        operation_id="contract_draft_notice",
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[], pagination_class=None)
    def notices(self, request, *args, **kwargs):
        """The contract's performance notices, drafts included.

        POST opens a draft for the period since the last notice, each KPI's figures filled in.
        """
        contract = self.get_object()
        context = {"request": request}
        if request.method == "POST":
            serializer = DraftNoticeInputSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            kind = (
                PerformanceNotice.Kind.FINAL
                if serializer.validated_data["final"]
                else PerformanceNotice.Kind.PERIODIC
            )
            notice = notice_services.draft_notice(contract=contract, actor=request.user, kind=kind)
            notice = records.notice_for(request.user, notice.uuid)
            return Response(
                PerformanceNoticeSerializer(notice, context=context).data,
                status=status.HTTP_201_CREATED,
            )
        notices = records.notices_visible_to(request.user).filter(contract=contract)
        return Response(PerformanceNoticeSerializer(notices, many=True, context=context).data)


class NoticeFilter(ContractScopedFilter):
    status = django_filters.MultipleChoiceFilter(choices=PerformanceNotice.Status.choices)

    class Meta:
        model = PerformanceNotice
        fields = ["contract", "status"]


@extend_schema_view(
    partial_update=extend_schema(
        request=NoticeInputSerializer, responses=PerformanceNoticeSerializer
    )
)
class PerformanceNoticeViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Performance notices of the contracts you may see; ``?contract=<uuid>``,
    ``?status=published``.

    A commissioner of the lead agency rates a draft (PATCH) and publishes it: every
    KPI rated, a summary in Chinese at least. A published notice is final and public.
    """

    serializer_class = PerformanceNoticeSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_class = NoticeFilter
    lookup_field = "uuid"
    lookup_value_regex = UUID_PATTERN
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return PerformanceNotice.objects.none()
        return records.notices_visible_to(self.request.user)

    def get_object(self):
        notice = records.notice_for(self.request.user, self.kwargs["uuid"])
        if notice is None:
            raise Http404
        return notice

    def _output(self, notice: PerformanceNotice) -> Response:
        fresh = records.notice_for(self.request.user, notice.uuid)
        return Response(
            PerformanceNoticeSerializer(fresh, context=self.get_serializer_context()).data
        )

    def partial_update(self, request, *args, **kwargs):
        notice = self.get_object()
        serializer = NoticeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        notice_services.rate_notice(
            notice=notice, actor=request.user, **_changes(notice, serializer.validated_data)
        )
        return self._output(notice)

    @extend_schema(request=NoticeInputSerializer, responses=PerformanceNoticeSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, *args, **kwargs):
        """Publish the notice (with any last ratings sent): from now on it is public."""
        notice = self.get_object()
        serializer = NoticeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        notice_services.publish_notice(
            notice=notice, actor=request.user, **_changes(notice, serializer.validated_data)
        )
        return self._output(notice)


ROUTES = [("performance-notices", PerformanceNoticeViewSet, "api-performance-notices")]

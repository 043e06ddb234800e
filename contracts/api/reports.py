"""Progress reports: ``/progress-reports/`` and ``/progress-reports/{uuid}/``.

A report may mention the people served, so it is read by the lead agency's staff and
the provider's people only (``selectors.records.reports_visible_to``): a funder's
finance officer, like anybody else outside, gets 404. The provider's administrator
writes (PATCH) and submits a report; a commissioner of the lead agency accepts it or
returns it with comments. Attachments are listed by name and size; they are added and
read on the report's page.
"""

import django_filters
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from contracts.api.common import (
    MAX_NUMBER,
    UUID_PATTERN,
    ContractReferenceSerializer,
    ContractScopedFilter,
    PersonReferenceSerializer,
)
from contracts.models.reports import KPIActual, ProgressReport, ReportAttachment
from contracts.selectors import records
from contracts.services import reports as report_services


class KPIActualSerializer(serializers.ModelSerializer):
    kpi = serializers.IntegerField(source="kpi.number", read_only=True, help_text=_("KPI number"))
    name_zh = serializers.CharField(source="kpi.name_zh", read_only=True)
    name_en = serializers.CharField(source="kpi.name_en", read_only=True)
    unit = serializers.CharField(source="kpi.unit", read_only=True)
    target = serializers.DecimalField(
        source="kpi.target", max_digits=12, decimal_places=2, read_only=True
    )

    class Meta:
        model = KPIActual
        fields = ["kpi", "name_zh", "name_en", "unit", "target", "value", "from_platform"]
        read_only_fields = fields


class ReportAttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReportAttachment
        fields = ["name", "size"]
        read_only_fields = fields


class ProgressReportSerializer(serializers.ModelSerializer):
    """A report with its KPI figures: from platform data, or as the provider reported them."""

    contract = ContractReferenceSerializer(read_only=True)
    is_late = serializers.SerializerMethodField(
        help_text=_("True when it is past its due date and still not submitted")
    )
    actuals = KPIActualSerializer(many=True, read_only=True)
    attachments = ReportAttachmentSerializer(many=True, read_only=True)
    submitted_by = PersonReferenceSerializer(read_only=True, allow_null=True)
    reviewed_by = PersonReferenceSerializer(read_only=True, allow_null=True)

    class Meta:
        model = ProgressReport
        fields = [
            "uuid",
            "contract",
            "number",
            "period_start",
            "period_end",
            "due_date",
            "status",
            "status_changed_at",
            "is_late",
            "outputs",
            "narrative",
            "actuals",
            "attachments",
            "submitted_by",
            "submitted_at",
            "reviewed_by",
            "reviewed_at",
            "review_comments",
        ]
        read_only_fields = fields

    def get_is_late(self, report) -> bool:
        return report.is_late()


class ActualInputSerializer(serializers.Serializer):
    kpi = serializers.IntegerField(min_value=1, max_value=MAX_NUMBER, help_text=_("KPI number"))
    value = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, allow_null=True)


class ReportInputSerializer(serializers.Serializer):
    """What the provider writes; fields left out keep what was saved before."""

    outputs = serializers.CharField(required=False, allow_blank=True)
    narrative = serializers.CharField(required=False, allow_blank=True)
    actuals = ActualInputSerializer(
        many=True,
        required=False,
        help_text=_("Figures of the KPIs measured by report (platform figures are filled in)"),
    )


class ReviewInputSerializer(serializers.Serializer):
    comments = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=_("The provider reads them with the report; needed to return it"),
    )


class ReportFilter(ContractScopedFilter):
    status = django_filters.MultipleChoiceFilter(choices=ProgressReport.Status.choices)

    class Meta:
        model = ProgressReport
        fields = ["contract", "status"]


def _written(report: ProgressReport, data) -> dict:
    """The service's arguments: what was sent, and what was saved for what was not."""
    return {
        "outputs": data.get("outputs", report.outputs),
        "narrative": data.get("narrative", report.narrative),
        "actuals": {row["kpi"]: row["value"] for row in data.get("actuals", [])},
    }


@extend_schema_view(
    partial_update=extend_schema(request=ReportInputSerializer, responses=ProgressReportSerializer)
)
class ProgressReportViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Progress reports of the contracts your agency leads or your provider holds, by
    contract and number; ``?contract=<uuid>``, ``?status=submitted``.

    The provider's administrator keeps a draft (PATCH) and submits once the period is
    over; a commissioner of the lead agency accepts or returns it with comments.
    """

    serializer_class = ProgressReportSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_class = ReportFilter
    lookup_field = "uuid"
    lookup_value_regex = UUID_PATTERN
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return ProgressReport.objects.none()
        return records.reports_visible_to(self.request.user)

    def get_object(self):
        report = records.report_for(self.request.user, self.kwargs["uuid"])
        if report is None:
            raise Http404
        return report

    def _output(self, report: ProgressReport) -> Response:
        fresh = records.report_for(self.request.user, report.uuid)
        return Response(ProgressReportSerializer(fresh, context=self.get_serializer_context()).data)

    def partial_update(self, request, *args, **kwargs):
        report = self.get_object()
        serializer = ReportInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report_services.save_report(
            report=report, actor=request.user, **_written(report, serializer.validated_data)
        )
        return self._output(report)

    @extend_schema(request=ReportInputSerializer, responses=ProgressReportSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, *args, **kwargs):
        """Send the report to the agency (its period is over and every figure is given)."""
        report = self.get_object()
        serializer = ReportInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report_services.submit_report(
            report=report, actor=request.user, **_written(report, serializer.validated_data)
        )
        return self._output(report)

    @extend_schema(request=ReviewInputSerializer, responses=ProgressReportSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, *args, **kwargs):
        """A commissioner of the lead agency accepts a submitted report."""
        report = self.get_object()
        serializer = ReviewInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report_services.accept_report(
            report=report,
            actor=request.user,
            comments=serializer.validated_data.get("comments", ""),
        )
        return self._output(report)

    @extend_schema(request=ReviewInputSerializer, responses=ProgressReportSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_report(self, request, *args, **kwargs):
        """A commissioner of the lead agency sends the report back, saying what must change."""
        report = self.get_object()
        serializer = ReviewInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report_services.return_report(
            report=report,
            actor=request.user,
            comments=serializer.validated_data.get("comments", ""),
        )
        return self._output(report)


ROUTES = [("progress-reports", ProgressReportViewSet, "api-progress-reports")]

"""``/alerts/``: the signed-in person's tender alerts, unread first, and marking them read.

Everyone reads only their own alerts; another person's alert answers 404.
"""

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from marketplace.api.common import UUID_PATTERN, TenderReferenceSerializer
from marketplace.models.alerts import Alert
from marketplace.selectors import alerts as alert_selectors
from marketplace.services import alerts as alert_services


class AlertSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    message = serializers.CharField(
        read_only=True, help_text=_("In the language of the request (Accept-Language)")
    )
    tender = TenderReferenceSerializer(read_only=True, allow_null=True)
    link = serializers.CharField(source="url", read_only=True)

    class Meta:
        model = Alert
        fields = [
            "uuid",
            "kind",
            "kind_label",
            "message",
            "message_zh",
            "message_en",
            "tender",
            "link",
            "created_at",
            "read_at",
        ]
        read_only_fields = fields


class AlertFilter(filters.FilterSet):
    unread = filters.BooleanFilter(
        field_name="read_at", lookup_expr="isnull", label=_("Only alerts not read yet")
    )

    class Meta:
        model = Alert
        fields = ["unread", "kind"]


MARKED = inline_serializer("AlertsMarked", {"marked": serializers.IntegerField()})


class AlertViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Your alerts: new tenders matching your services, answers, bids to reconfirm, award
    notices, questions waiting for your answer. Reading one here does not mark it read."""

    serializer_class = AlertSerializer
    filterset_class = AlertFilter
    permission_classes = [permissions.IsAuthenticated]  # everyone signed in: their own only
    lookup_field = "uuid"
    lookup_value_regex = UUID_PATTERN

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Alert.objects.none()
        return alert_selectors.alerts_for(self.request.user)

    @extend_schema(request=None, responses=AlertSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, *args, **kwargs):
        """Mark the alert read (it keeps the moment it was first read)."""
        alert = self.get_object()
        alert_services.mark_alerts_read(user=request.user, alert_ids=[alert.pk])
        alert.refresh_from_db(fields=["read_at"])
        return Response(AlertSerializer(alert).data)

    @extend_schema(request=None, responses=MARKED)
    @action(detail=False, methods=["post"], url_path="read-all", filter_backends=[])
    def read_all(self, request, *args, **kwargs):
        """Mark every unread alert read; says how many were."""
        return Response({"marked": alert_services.mark_alerts_read(user=request.user)})

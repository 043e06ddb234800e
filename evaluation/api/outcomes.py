"""Outcomes: ``/outcomes/``, what came of each referral, as each side may see it.

Seen by the caseworkers and supervisors of the agency that made the referral and
by the staff of the provider it went to (``selectors.outcomes``); anybody else
gets 404. An outcome carries its T-score, the goals' weights and scores (never the
goals' words, nor the dispute's reasons: they may speak of the person), its
result and status. Filter with ``?status=disputed``.

The caseworker confirms (``confirm/``) or disputes with a ``reason``
(``dispute/``); a supervisor resolves a dispute (``resolve/`` with ``uphold`` and
``note``). The provider sets goals and completes a referral through the
referrals API (``/referrals/<uuid>/goals/``, ``complete/``, ``fail/``).
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from evaluation.models.outcomes import Outcome
from evaluation.selectors import outcomes as selectors
from evaluation.services import outcomes as services


class OutcomeGoalScoreSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    weight = serializers.IntegerField()
    attainment = serializers.IntegerField()


class OutcomeSerializer(serializers.ModelSerializer):
    referral = serializers.UUIDField(source="referral.uuid", read_only=True)
    provider = serializers.CharField(source="provider.name", read_only=True)
    provider_id = serializers.UUIDField(source="provider.uuid", read_only=True)
    agency = serializers.CharField(source="agency.name", read_only=True)
    category = serializers.CharField(source="category.code", read_only=True)
    district = serializers.CharField(source="district.code", read_only=True, allow_null=True)
    scores = OutcomeGoalScoreSerializer(many=True, read_only=True)

    class Meta:
        model = Outcome
        fields = [
            "uuid",
            "referral",
            "round",
            "provider",
            "provider_id",
            "agency",
            "category",
            "district",
            "result",
            "t_score",
            "failure_reason",
            "scores",
            "status",
            "recorded_at",
            "confirmed_at",
            "status_changed_at",
        ]
        read_only_fields = fields


class OutcomeNoteInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class OutcomeDisputeInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text=_("Why the caseworker disputes it"))


class OutcomeResolveInputSerializer(serializers.Serializer):
    uphold = serializers.BooleanField(help_text=_("True: the provider's outcome counts"))
    note = serializers.CharField(max_length=2000, help_text=_("The reason for the decision"))


@extend_schema(
    parameters=[
        OpenApiParameter(
            "status", str, enum=Outcome.Status.values, description=_("Only outcomes in this status")
        )
    ]
)
class OutcomeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Outcomes of the referrals of your agency, or of your provider."""

    serializer_class = OutcomeSerializer
    permission_classes = [permissions.IsAuthenticated]
    lookup_field = "uuid"
    lookup_value_regex = "[0-9a-fA-F-]{36}"

    def get_queryset(self):
        outcomes = selectors.outcomes_visible_to(self.request.user)
        status_filter = self.request.query_params.get("status")
        if status_filter in Outcome.Status.values:
            outcomes = outcomes.filter(status=status_filter)
        return outcomes

    def _answer(self, outcome):
        fresh = selectors.outcome_for(self.request.user, outcome.uuid)
        return Response(OutcomeSerializer(fresh).data)

    @extend_schema(request=OutcomeNoteInputSerializer, responses=OutcomeSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, *args, **kwargs):
        """The caseworker confirms the outcome: it counts, and the referral closes."""
        serializer = OutcomeNoteInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        outcome = services.confirm_outcome(
            outcome=self.get_object(), user=request.user, **serializer.validated_data
        )
        return self._answer(outcome)

    @extend_schema(request=OutcomeDisputeInputSerializer, responses=OutcomeSerializer)
    @action(detail=True, methods=["post"])
    def dispute(self, request, *args, **kwargs):
        """The caseworker disputes the outcome with a reason; a supervisor decides."""
        serializer = OutcomeDisputeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        outcome = services.dispute_outcome(
            outcome=self.get_object(), user=request.user, **serializer.validated_data
        )
        return self._answer(outcome)

    @extend_schema(request=OutcomeResolveInputSerializer, responses=OutcomeSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, *args, **kwargs):
        """A supervisor of the agency upholds or rejects a disputed outcome."""
        serializer = OutcomeResolveInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        outcome = services.resolve_dispute(
            outcome=self.get_object(), user=request.user, **serializer.validated_data
        )
        return self._answer(outcome)


ROUTES = [("outcomes", OutcomeViewSet, "api-outcomes")]

"""Third-party assessments: ``/frameworks/`` and ``/third-party-assessments/``.

Frameworks are public: each with its weighted dimensions, their crosswalk to the
civil-affairs evaluation dimensions, and their indicators. An assessment is seen
by the commissioning agency's commissioners, supervisors and finance officers and
by the assigned assessor organization's assessors (``selectors.assessments``); to
anybody else it answers 404. (``/assessments/`` is the referrals app's needs
assessments, hence the longer name.)

A commissioner commissions one (POST); the assessor saves scores (``scores/``) and
submits; a commissioner of the agency accepts, returns or cancels. Field errors
come back by the service's names: ``score_<indicator code>``, ``summary_zh``,
``assessor`` (a conflict of interest), ``awarded_grade``, ``reason``.
"""

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import Organization
from evaluation.models.assessments import (
    Assessment,
    AssessmentAttachment,
    Dimension,
    Indicator,
    IndicatorScore,
    StandardsFramework,
)
from evaluation.selectors import assessments as selectors
from evaluation.services import assessments as services

UUID_PATTERN = "[0-9a-fA-F-]{36}"


# --- frameworks -------------------------------------------------------------------------------


class IndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = ["code", "text_zh", "text_en", "guidance_zh", "guidance_en", "weight", "order"]
        read_only_fields = fields


class DimensionSerializer(serializers.ModelSerializer):
    indicators = IndicatorSerializer(many=True, read_only=True)

    class Meta:
        model = Dimension
        fields = ["code", "name_zh", "name_en", "weight", "civil_affairs", "order", "indicators"]
        read_only_fields = fields


class FrameworkSerializer(serializers.ModelSerializer):
    dimensions = DimensionSerializer(many=True, read_only=True)

    class Meta:
        model = StandardsFramework
        fields = [
            "code",
            "name_zh",
            "name_en",
            "version",
            "description_zh",
            "description_en",
            "dimensions",
        ]
        read_only_fields = fields


class FrameworkViewSet(viewsets.ReadOnlyModelViewSet):
    """The standards frameworks in use, each with its dimensions and indicators (public)."""

    serializer_class = FrameworkSerializer
    permission_classes = [permissions.AllowAny]  # public by design: the published standards
    lookup_field = "code"

    def get_queryset(self):
        return selectors.frameworks()


# --- assessments ------------------------------------------------------------------------------


class AssessmentPartySerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["uuid", "kind", "name_zh", "name_en"]
        read_only_fields = fields


class IndicatorScoreSerializer(serializers.ModelSerializer):
    indicator = serializers.CharField(source="indicator.code", read_only=True)

    class Meta:
        model = IndicatorScore
        fields = ["indicator", "score", "evidence", "scored_at"]
        read_only_fields = fields


class AttachmentSerializer(serializers.ModelSerializer):
    indicator = serializers.CharField(source="indicator.code", read_only=True, allow_null=True)

    class Meta:
        model = AssessmentAttachment
        fields = ["uuid", "name", "content_type", "indicator", "uploaded_at"]
        read_only_fields = fields


class DimensionScoreSerializer(serializers.Serializer):
    dimension = serializers.CharField(source="dimension.code")
    weight = serializers.IntegerField(source="dimension.weight")
    score = serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True)
    scored = serializers.IntegerField(help_text=_("Indicators scored"))
    total = serializers.IntegerField(help_text=_("Indicators in the dimension"))


class ThirdPartyAssessmentSerializer(serializers.ModelSerializer):
    """An assessment with its scores; the dimension scores are computed from them."""

    framework = serializers.SlugRelatedField(slug_field="code", read_only=True)
    provider = AssessmentPartySerializer(source="provider.organization", read_only=True)
    contract = serializers.SlugRelatedField(slug_field="reference", read_only=True, allow_null=True)
    agency = AssessmentPartySerializer(read_only=True)
    assessor = AssessmentPartySerializer(read_only=True)
    scores = IndicatorScoreSerializer(many=True, read_only=True)
    dimensions = serializers.SerializerMethodField()
    attachments = AttachmentSerializer(many=True, read_only=True)
    report = serializers.SerializerMethodField(help_text=_("The public report PDF, once ready"))

    class Meta:
        model = Assessment
        fields = [
            "uuid",
            "reference",
            "status",
            "status_changed_at",
            "framework",
            "provider",
            "contract",
            "agency",
            "assessor",
            "scope",
            "due_date",
            "may_award_grade",
            "commissioned_at",
            "scores",
            "dimensions",
            "attachments",
            "summary_zh",
            "summary_en",
            "recommended_grade",
            "overall_score",
            "submitted_at",
            "return_reason",
            "accepted_at",
            "awarded_grade",
            "report",
        ]
        read_only_fields = fields

    @extend_schema_field(DimensionScoreSerializer(many=True))
    def get_dimensions(self, assessment):
        return DimensionScoreSerializer(selectors.results_of(assessment), many=True).data

    def get_report(self, assessment) -> str | None:
        if assessment.status != Assessment.Status.ACCEPTED or not assessment.report:
            return None
        path = reverse("evaluation:assessment_report", args=[assessment.uuid])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class CommissionInputSerializer(serializers.Serializer):
    agency = serializers.UUIDField(
        required=False, help_text=_("Needed when you commission for several agencies")
    )
    provider = serializers.UUIDField(help_text=_("A verified provider"))
    contract = serializers.UUIDField(
        required=False, allow_null=True, help_text=_("One of its contracts your agency leads")
    )
    assessor = serializers.UUIDField(help_text=_("An assessor organization"))
    framework = serializers.CharField(help_text=_("A framework's code"))
    due_date = serializers.DateField()
    scope = serializers.CharField(required=False, allow_blank=True)
    may_award_grade = serializers.BooleanField(required=False, default=False)


class ScoreInputSerializer(serializers.Serializer):
    indicator = serializers.CharField(help_text=_("The indicator's code"))
    score = serializers.IntegerField(
        required=False, allow_null=True, help_text=_("1–4; null removes the score")
    )
    evidence = serializers.CharField(required=False, allow_blank=True)


class ScoringInputSerializer(serializers.Serializer):
    """What the assessor writes; what is left out keeps what was saved before."""

    scores = ScoreInputSerializer(many=True, required=False)
    summary_zh = serializers.CharField(required=False, allow_blank=True)
    summary_en = serializers.CharField(required=False, allow_blank=True)
    recommended_grade = serializers.IntegerField(required=False, help_text=_("1–5 (1A–5A)"))

    def writes(self) -> dict:
        data = self.validated_data
        return {
            "scores": {
                row["indicator"]: {k: v for k, v in row.items() if k != "indicator"}
                for row in data.get("scores", [])
            },
            "summary_zh": data.get("summary_zh"),
            "summary_en": data.get("summary_en"),
            "recommended_grade": data.get("recommended_grade"),
        }


class AcceptInputSerializer(serializers.Serializer):
    awarded_grade = serializers.IntegerField(
        required=False, allow_null=True, help_text=_("1–5, when the assessment may award a grade")
    )


class ReturnInputSerializer(serializers.Serializer):
    reason = serializers.CharField(
        allow_blank=True, help_text=_("What must change; the assessor reads it")
    )


def _found(queryset, field: str, **lookup):
    found = queryset.filter(**lookup).first()
    if found is None:
        raise serializers.ValidationError({field: [_("No such %(field)s.") % {"field": field}]})
    return found


class AssessmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Assessments your agency commissioned or your assessor organization was assigned,
    newest first; ``?status=submitted``.
    """

    serializer_class = ThirdPartyAssessmentSerializer
    permission_classes = [permissions.IsAuthenticated]
    lookup_field = "uuid"
    lookup_value_regex = UUID_PATTERN

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Assessment.objects.none()
        assessments = selectors.assessments_visible_to(self.request.user).prefetch_related(
            "framework__dimensions__indicators",
            "scores__indicator",
            "attachments__indicator",
        )
        wanted = self.request.query_params.getlist("status")
        if wanted:
            assessments = assessments.filter(status__in=wanted)
        return assessments

    def get_object(self):
        assessment = selectors.assessment_for(self.request.user, self.kwargs["uuid"])
        if assessment is None:
            raise Http404
        return assessment

    def _output(self, assessment: Assessment, *, code=status.HTTP_200_OK) -> Response:
        fresh = selectors.assessment_for(self.request.user, assessment.uuid)
        return Response(
            ThirdPartyAssessmentSerializer(fresh, context=self.get_serializer_context()).data,
            status=code,
        )

    @extend_schema(
        request=CommissionInputSerializer, responses={201: ThirdPartyAssessmentSerializer}
    )
    def create(self, request, *args, **kwargs):
        """Commission an assessment and assign the assessor organization (no conflict of
        interest with the provider: a field error on ``assessor`` names it)."""
        serializer = CommissionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = request.user
        agencies = selectors.commissioning_agencies(user)
        if "agency" in data:
            agency = _found(agencies, "agency", uuid=data["agency"])
        else:
            # None when the person commissions for no agency: the service refuses it.
            agency = agencies.first() if len(agencies) < 2 else None
            if agency is None and agencies:
                raise serializers.ValidationError({"agency": [_("Choose the agency.")]})
        contract = None
        if data.get("contract"):
            contract = _found(
                selectors.assessable_contracts(user), "contract", uuid=data["contract"]
            )
        assessment = services.commission_assessment(
            agency=agency,
            actor=user,
            provider=selectors.assessable_providers().filter(uuid=data["provider"]).first(),
            assessor=selectors.assessor_organizations().filter(uuid=data["assessor"]).first(),
            framework=selectors.frameworks().filter(code=data["framework"]).first(),
            due_date=data["due_date"],
            contract=contract,
            scope=data.get("scope", ""),
            may_award_grade=data.get("may_award_grade", False),
        )
        return self._output(assessment, code=status.HTTP_201_CREATED)

    @extend_schema(request=ScoringInputSerializer, responses=ThirdPartyAssessmentSerializer)
    @action(detail=True, methods=["post"])
    def scores(self, request, *args, **kwargs):
        """Save the assessor's draft (the first save starts the work)."""
        assessment = self.get_object()
        serializer = ScoringInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.save_assessment(assessment=assessment, actor=request.user, **serializer.writes())
        return self._output(assessment)

    @extend_schema(request=ScoringInputSerializer, responses=ThirdPartyAssessmentSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, *args, **kwargs):
        """Submit to the agency: every indicator scored and the Chinese summary written."""
        assessment = self.get_object()
        serializer = ScoringInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.submit_assessment(assessment=assessment, actor=request.user, **serializer.writes())
        return self._output(assessment)

    @extend_schema(request=AcceptInputSerializer, responses=ThirdPartyAssessmentSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, *args, **kwargs):
        """A commissioner of the agency accepts it (and confirms the grade, if it awards one)."""
        assessment = self.get_object()
        serializer = AcceptInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.accept_assessment(
            assessment=assessment,
            actor=request.user,
            awarded_grade=serializer.validated_data.get("awarded_grade"),
        )
        return self._output(assessment)

    @extend_schema(request=ReturnInputSerializer, responses=ThirdPartyAssessmentSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_assessment(self, request, *args, **kwargs):
        """A commissioner of the agency returns it to the assessor, saying what must change."""
        assessment = self.get_object()
        serializer = ReturnInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.return_assessment(
            assessment=assessment, actor=request.user, reason=serializer.validated_data["reason"]
        )
        return self._output(assessment)

    @extend_schema(request=None, responses=ThirdPartyAssessmentSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, *args, **kwargs):
        """A commissioner of the agency cancels one not yet submitted."""
        assessment = self.get_object()
        services.cancel_assessment(assessment=assessment, actor=request.user)
        return self._output(assessment)


ROUTES = [
    ("frameworks", FrameworkViewSet, "api-frameworks"),
    ("third-party-assessments", AssessmentViewSet, "api-third-party-assessments"),
]

"""The API of needs assessments: each with its needs, recorded by a caseworker."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.response import Response

from referrals import filters
from referrals.api.common import (
    PERSON_NOT_FOUND,
    AuditsCaseNotes,
    CodeField,
    UUIDLookupMixin,
    need_categories,
)
from referrals.models.assessments import Need, NeedAssessment, Priority
from referrals.selectors import assessments as selectors
from referrals.selectors import beneficiaries as beneficiary_selectors
from referrals.services import assessments as services
from taxonomy import selectors as taxonomy_selectors


class NeedSerializer(serializers.ModelSerializer):
    category = CodeField(read_only=True)
    tier = CodeField(read_only=True, allow_null=True)

    class Meta:
        model = Need
        fields = ["uuid", "category", "tier", "severity", "notes"]
        read_only_fields = fields


class AssessmentSerializer(serializers.ModelSerializer):
    beneficiary = serializers.UUIDField(source="beneficiary.uuid", read_only=True)
    needs = NeedSerializer(many=True, read_only=True)

    class Meta:
        model = NeedAssessment
        fields = ["uuid", "beneficiary", "assessed_on", "priority", "notes", "needs", "created_at"]
        read_only_fields = fields


class NeedInputSerializer(serializers.Serializer):
    category = CodeField(
        queryset=need_categories(), help_text=_("Need category code, e.g. basic-living.dibao")
    )
    tier = CodeField(queryset=taxonomy_selectors.service_tiers(), required=False, allow_null=True)
    severity = serializers.ChoiceField(Need.Severity.choices, required=False)
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class AssessmentInputSerializer(serializers.Serializer):
    beneficiary = serializers.UUIDField()
    assessed_on = serializers.DateField(required=False)
    priority = serializers.ChoiceField(Priority.choices, required=False)
    notes = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    needs = NeedInputSerializer(many=True, allow_empty=False)


@extend_schema_view(
    create=extend_schema(request=AssessmentInputSerializer, responses={201: AssessmentSerializer})
)
class AssessmentViewSet(
    AuditsCaseNotes,
    UUIDLookupMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Needs assessments of your agency's people, each with its needs; ``?beneficiary=<uuid>``."""

    serializer_class = AssessmentSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_class = filters.AssessmentFilter
    case_notes_purpose = _("API: assessments of the agency's people")

    def case_notes(self, assessment):
        return assessment.beneficiary, {
            "assessment_notes": assessment.notes,
            "need_notes": any(need.notes for need in assessment.needs.all()),
        }

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return NeedAssessment.objects.none()
        return selectors.assessments_visible_to(self.request.user).order_by(
            "-assessed_on", "-created_at", "-pk"
        )

    def create(self, request, *args, **kwargs):
        serializer = AssessmentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        beneficiary = (
            beneficiary_selectors.beneficiaries_visible_to(request.user)
            .filter(uuid=data.pop("beneficiary"))
            .first()
        )
        if beneficiary is None:
            raise serializers.ValidationError({"beneficiary": [PERSON_NOT_FOUND]})
        data["needs"] = [dict(need) for need in data["needs"]]
        assessment = services.record_assessment(beneficiary=beneficiary, user=request.user, **data)
        fresh = self.get_queryset().get(pk=assessment.pk)
        return Response(AssessmentSerializer(fresh).data, status=status.HTTP_201_CREATED)

"""The API of beneficiaries: record, correct, find by ID number, read personal data.

Lists never carry personal data. A beneficiary's name, ID number, phone,
address and household members come only from
``POST /beneficiaries/{uuid}/personal-data/`` with a purpose, which
``services.beneficiaries.read_personal_data`` records in the audit log. An ID
number travels in a request body, never in a URL, where logs would keep it.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.blind_index import blind_index
from referrals import filters
from referrals.api.common import HouseholdMemberSerializer, UUIDLookupMixin, caseworker_agency
from referrals.models.beneficiaries import AssistanceStatus, Beneficiary, Gender
from referrals.selectors import beneficiaries as selectors
from referrals.services import beneficiaries as services
from referrals.validators import validate_id_number


class KnownElsewhereSerializer(serializers.Serializer):
    """Another agency knows the person: its name and the help active there, nothing else."""

    agency_name = serializers.CharField()
    active_help = serializers.ListField(child=serializers.ChoiceField(AssistanceStatus.choices))
    active_help_labels = serializers.ListField(child=serializers.CharField())


class BeneficiarySummarySerializer(serializers.ModelSerializer):
    """A person in a list: no name, number, contact or address — told apart by these only."""

    birth_year = serializers.IntegerField(source="birth_date.year", read_only=True)
    age_band = serializers.SerializerMethodField()
    area = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    assistance_statuses = serializers.ListField(
        child=serializers.ChoiceField(AssistanceStatus.choices), read_only=True
    )

    class Meta:
        model = Beneficiary
        fields = [
            "uuid",
            "gender",
            "birth_year",
            "age_band",
            "area",
            "assistance_statuses",
            "household_size",
            "created_at",
        ]
        read_only_fields = fields

    def get_age_band(self, beneficiary) -> str:
        return selectors.age_band(beneficiary.birth_date)


class BeneficiarySerializer(BeneficiarySummarySerializer):
    """One person's record without the encrypted fields (those need a purpose: personal-data)."""

    agency = serializers.UUIDField(source="agency.uuid", read_only=True)
    personal_fields = serializers.SerializerMethodField(
        help_text=_("Fields readable through POST …/personal-data/ with a purpose (audited)")
    )

    class Meta(BeneficiarySummarySerializer.Meta):
        fields = [
            "uuid",
            "agency",
            "gender",
            "birth_date",
            "birth_year",
            "age_band",
            "area",
            "geocode_precision",
            "assistance_statuses",
            "disability_grade",
            "local_household_registration",
            "household_size",
            "personal_fields",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_personal_fields(self, beneficiary) -> list[str]:
        return list(selectors.PERSONAL_FIELDS)


class RecordResultSerializer(serializers.Serializer):
    """The saved record and what the caseworker should be told about it."""

    beneficiary = BeneficiarySerializer()
    known_elsewhere = KnownElsewhereSerializer(many=True)
    location_message = serializers.CharField(
        help_text=_("Why the address could not be placed on the map; empty when it was")
    )


class BeneficiaryChangeSerializer(serializers.Serializer):
    """A person's details; on PATCH, only the fields sent change (checked as when recorded)."""

    name = serializers.CharField(max_length=100)
    id_number = serializers.CharField(
        max_length=40, help_text=_("18-character ID number (GB 11643); 15-digit ones are refused")
    )
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)
    household_members = HouseholdMemberSerializer(many=True, required=False)
    household_size = serializers.IntegerField(min_value=1, max_value=50, required=False)
    assistance_statuses = serializers.ListField(
        child=serializers.ChoiceField(AssistanceStatus.choices), required=False
    )
    disability_grade = serializers.IntegerField(
        min_value=1, max_value=4, required=False, allow_null=True
    )
    local_household_registration = serializers.BooleanField(required=False)
    gender = serializers.ChoiceField(
        Gender.choices, required=False, help_text=_("Checked against the ID number")
    )
    birth_date = serializers.DateField(required=False, help_text=_("Checked against the ID number"))

    def validate_household_members(self, members):
        return [dict(member) for member in members]


class BeneficiaryInputSerializer(BeneficiaryChangeSerializer):
    agency = serializers.UUIDField(
        required=False, help_text=_("Needed only by caseworkers of several agencies")
    )


class FindByIdNumberSerializer(serializers.Serializer):
    id_number = serializers.CharField(
        max_length=40,
        validators=[validate_id_number],
        help_text=_("18-character ID number (GB 11643) of the person to find"),
    )


class FoundBeneficiariesSerializer(serializers.Serializer):
    results = BeneficiarySummarySerializer(many=True)


class PersonalDataRequestSerializer(serializers.Serializer):
    purpose = serializers.CharField(
        max_length=200, help_text=_("Why you need the data; recorded in the audit log")
    )
    fields = serializers.ListField(
        child=serializers.ChoiceField(selectors.PERSONAL_FIELDS), allow_empty=False
    )

    def validate_purpose(self, value):
        if not value.strip():
            raise serializers.ValidationError(_("Say why you need this person's personal data."))
        return value


class PersonalDataSerializer(serializers.Serializer):
    """The fields asked for, decrypted; the others are absent."""

    name = serializers.CharField(required=False)
    id_number = serializers.CharField(required=False)
    phone = serializers.CharField(required=False)
    address = serializers.CharField(required=False)
    household_members = HouseholdMemberSerializer(many=True, required=False)


class PersonalDataResponseSerializer(serializers.Serializer):
    beneficiary = serializers.UUIDField()
    purpose = serializers.CharField()
    data = PersonalDataSerializer()


@extend_schema_view(
    create=extend_schema(
        request=BeneficiaryInputSerializer, responses={201: RecordResultSerializer}
    ),
    partial_update=extend_schema(
        request=BeneficiaryChangeSerializer, responses=RecordResultSerializer
    ),
)
class BeneficiaryViewSet(
    UUIDLookupMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """People recorded by your agency. Find one by ID number with ``POST …/find/``: an ID
    number is sent in a request body, never in a URL, where logs would keep it.

    Caseworkers record (POST) and correct (PATCH); supervisors read. The list
    and the record never show personal data; ask for it with a purpose through
    ``personal-data``.
    """

    permission_classes = [permissions.IsAuthenticated]
    filterset_class = filters.BeneficiaryFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Beneficiary.objects.none()
        queryset = selectors.beneficiaries_visible_to(self.request.user).order_by(
            "-created_at", "-pk"
        )
        if self.action in ("list", "retrieve", "find"):
            # Nothing encrypted is even fetched, let alone decrypted.
            queryset = queryset.defer(*selectors.PERSONAL_FIELDS)
        return queryset

    def get_serializer_class(self):
        return BeneficiarySummarySerializer if self.action == "list" else BeneficiarySerializer

    def list(self, request, *args, **kwargs):
        if "id_number" in request.query_params:
            # Refused rather than ignored: the full list instead of one person would
            # mislead, and the number must not travel in URLs (access logs keep them).
            raise serializers.ValidationError(
                {
                    "id_number": [
                        _(
                            "Send the ID number in the body of POST /api/v1/beneficiaries/find/, "
                            "never in a web address."
                        )
                    ]
                }
            )
        return super().list(request, *args, **kwargs)

    @extend_schema(request=FindByIdNumberSerializer, responses=FoundBeneficiariesSerializer)
    @action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)
    def find(self, request, *args, **kwargs):
        """The people of your agencies with this ID number, matched through its blind index
        (none, or one per agency you work for)."""
        serializer = FindByIdNumberSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        found = self.get_queryset().filter(
            id_number_index=blind_index(serializer.validated_data["id_number"])
        )
        return Response({"results": BeneficiarySummarySerializer(found, many=True).data})

    def create(self, request, *args, **kwargs):
        serializer = BeneficiaryInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        agency = caseworker_agency(request.user, data.pop("agency", None))
        result = services.record_beneficiary(agency=agency, user=request.user, **data)
        return Response(RecordResultSerializer(result).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        beneficiary = self.get_object()
        serializer = BeneficiaryChangeSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        result = services.update_beneficiary(
            beneficiary=beneficiary, user=request.user, **serializer.validated_data
        )
        return Response(RecordResultSerializer(result).data)

    @extend_schema(request=PersonalDataRequestSerializer, responses=PersonalDataResponseSerializer)
    @action(detail=True, methods=["post"], url_path="personal-data", url_name="personal-data")
    def personal_data(self, request, *args, **kwargs):
        """Read the person's personal data for a stated purpose; the read is audited."""
        beneficiary = self.get_object()
        serializer = PersonalDataRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        purpose = serializer.validated_data["purpose"].strip()
        data = services.read_personal_data(
            user=request.user,
            beneficiary=beneficiary,
            purpose=purpose,
            fields=serializer.validated_data["fields"],
        )
        return Response(
            PersonalDataResponseSerializer(
                {"beneficiary": beneficiary.uuid, "purpose": purpose, "data": data}
            ).data
        )

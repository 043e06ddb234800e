"""JSON API of beneficiaries, assessments, consents, referrals, matches and unmet needs.

Everything here answers to the same scope as the pages (SPEC §4):

- An agency's caseworkers and supervisors see that agency's beneficiaries,
  assessments, consents, referrals and unmet needs; anything else answers 404,
  whatever the user's role elsewhere. Objects are addressed by UUID only.
- Lists never carry personal data. A beneficiary's name, ID number, phone,
  address and household members come only from
  ``POST /beneficiaries/{uuid}/personal-data/`` with a purpose, which
  ``services.read_personal_data`` records in the audit log.
- A provider sees the referrals sent to it. While a referral is pending, its
  representation is built field by field (``InboxReferralSerializer``): the
  need category, district, urgency, the person's age band, status and answer
  deadline, nothing more. Once the provider has accepted, opening the
  referral adds ``shared``: exactly the fields the consent in force allows,
  read (and audited) through ``services.read_shared_fields``; a revoked
  consent empties it again. The inbox list never includes ``shared``.

Every write calls one function of ``referrals.services``; their
``ApplicationError`` becomes a 400 with field errors in
``core.api.exception_handler``. A write that the service refuses on an object
the user can see answers 403 (a supervisor trying to edit, a provider trying
to send); an object the user cannot see answers 404 before any service runs.
"""

from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import Organization, Role
from accounts.rules import organizations_where
from core.blind_index import blind_index
from places import selectors as place_selectors
from providers import selectors as provider_selectors
from referrals import filters, selectors, services
from referrals.models import (
    ACCEPTED_STATUSES,
    AssistanceStatus,
    Beneficiary,
    Consent,
    Gender,
    Need,
    NeedAssessment,
    Priority,
    Referral,
    ReferralEvent,
    ShareableField,
    UnmetNeed,
)
from referrals.validators import validate_id_number
from taxonomy import selectors as taxonomy_selectors

# Objects are addressed by UUID; anything else is not a route at all (404).
UUID_PATTERN = "[0-9a-fA-F-]{36}"

# Another agency's object and a mistyped identifier get the same answer.
PERSON_NOT_FOUND = _("No person with this identifier is recorded by your agency.")
NEED_NOT_FOUND = _("No need with this identifier is in your agency's assessments.")
REFERRAL_NOT_FOUND = _("No referral with this identifier was made by your agency.")


def _agency_ids(user) -> set[int]:
    """The agencies where the user is a caseworker or supervisor (cached on the user)."""
    return organizations_where(user, Role.CASEWORKER, Role.SUPERVISOR)


def caseworker_agency(user, agency_uuid=None) -> Organization:
    """The agency a caseworker records for: the one named, or their only one.

    Someone who is nobody's caseworker is refused (403): there is no object to
    hide, only an action they may not take.
    """
    candidates = Organization.objects.filter(
        pk__in=organizations_where(user, Role.CASEWORKER), kind=Organization.Kind.AGENCY
    )
    agencies = list(candidates[:2])
    if not agencies:
        raise exceptions.PermissionDenied(
            _("Only a caseworker of an agency can record people and needs.")
        )
    if agency_uuid is not None:
        agency = candidates.filter(uuid=agency_uuid).first()
        if agency is None:
            raise serializers.ValidationError(
                {"agency": [_("You are not a caseworker of this agency.")]}
            )
        return agency
    if len(agencies) > 1:
        raise serializers.ValidationError(
            {"agency": [_("You work for several agencies: say which one this is for.")]}
        )
    return agencies[0]


class UUIDLookupMixin:
    lookup_field = "uuid"
    lookup_value_regex = UUID_PATTERN

    def filter_queryset(self, queryset):
        # Query-string filters narrow lists; one object is found by its UUID alone.
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)


class AuditsCaseNotes:
    """Each answer that shows case notes leaves a read in the audit log, one entry per
    person (``services.record_case_notes_read``): lists in one query, after paging.

    Each viewset using it defines ``case_notes(obj)``, giving ``(beneficiary,
    {field: shown?})`` for one object (``(None, {})`` when it shows no notes).
    """

    case_notes_purpose = ""

    def audit_case_notes(self, objects) -> None:
        shown: dict = {}
        for obj in objects:
            beneficiary, fields = self.case_notes(obj)
            if beneficiary is None:
                continue
            shown.setdefault(beneficiary, []).extend(
                name for name, there in fields.items() if there
            )
        services.record_case_notes_read(
            user=self.request.user, shown=shown, purpose=str(self.case_notes_purpose)
        )

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self.audit_case_notes(page if page is not None else queryset)
        return page

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        self.audit_case_notes([instance])
        return Response(self.get_serializer(instance).data)


# --- beneficiaries ---------------------------------------------------------------


class KnownElsewhereSerializer(serializers.Serializer):
    """Another agency knows the person: its name and the help active there, nothing else."""

    agency_name = serializers.CharField()
    active_help = serializers.ListField(child=serializers.ChoiceField(AssistanceStatus.choices))
    active_help_labels = serializers.ListField(child=serializers.CharField())


class BeneficiarySummarySerializer(serializers.ModelSerializer):
    """A person in a list: no name, number, contact or address — told apart by these only."""

    birth_year = serializers.IntegerField(source="birth_date.year", read_only=True)
    age_band = serializers.SerializerMethodField()
    area = serializers.SlugRelatedField(slug_field="code", read_only=True)
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
            "local_hukou",
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


class HouseholdMemberSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    relation = serializers.CharField(max_length=50, required=False, allow_blank=True)


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
    local_hukou = serializers.BooleanField(required=False)
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


# --- assessments ---------------------------------------------------------------


@extend_schema_field(OpenApiTypes.STR)
class CodeField(serializers.SlugRelatedField):
    """A related object named by its code."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", **kwargs)


class NeedSerializer(serializers.ModelSerializer):
    category = CodeField(read_only=True)
    tier = CodeField(read_only=True)

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


def _need_categories():
    # Needs name categories, not whole groups (a group has categories of its own).
    return taxonomy_selectors.active_categories().filter(
        Q(parent__isnull=False) | Q(children__isnull=True)
    )


class NeedInputSerializer(serializers.Serializer):
    category = CodeField(
        queryset=_need_categories(), help_text=_("Need category code, e.g. basic-living.dibao")
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
            selectors.beneficiaries_visible_to(request.user)
            .filter(uuid=data.pop("beneficiary"))
            .first()
        )
        if beneficiary is None:
            raise serializers.ValidationError({"beneficiary": [PERSON_NOT_FOUND]})
        data["needs"] = [dict(need) for need in data["needs"]]
        assessment = services.record_assessment(beneficiary=beneficiary, user=request.user, **data)
        fresh = self.get_queryset().get(pk=assessment.pk)
        return Response(AssessmentSerializer(fresh).data, status=status.HTTP_201_CREATED)


# --- consents ----------------------------------------------------------------------


class ConsentSerializer(serializers.ModelSerializer):
    referral = serializers.UUIDField(source="referral.uuid", read_only=True)
    provider = serializers.UUIDField(source="provider.uuid", read_only=True)
    fields = serializers.ListField(
        child=serializers.ChoiceField(ShareableField.choices), read_only=True
    )
    in_force = serializers.SerializerMethodField(help_text=_("Neither revoked nor expired"))

    class Meta:
        model = Consent
        fields = [
            "uuid",
            "referral",
            "provider",
            "fields",
            "purpose",
            "method",
            "given_at",
            "expires_at",
            "override_reason",
            "revoked_at",
            "revocation_note",
            "in_force",
        ]
        read_only_fields = fields

    def get_in_force(self, consent) -> bool:
        return consent.is_valid()


class ConsentInputSerializer(serializers.Serializer):
    referral = serializers.UUIDField()
    fields = serializers.ListField(
        child=serializers.ChoiceField(ShareableField.choices),
        help_text=_("What the provider may see once it has accepted"),
    )
    purpose = serializers.CharField(max_length=300)
    method = serializers.ChoiceField(
        [choice for choice in Consent.Method.choices if choice[0] != "override"]
    )
    given_at = serializers.DateTimeField(required=False)
    expires_at = serializers.DateTimeField(required=False, allow_null=True)


class OverrideConsentInputSerializer(serializers.Serializer):
    fields = serializers.ListField(child=serializers.ChoiceField(ShareableField.choices))
    purpose = serializers.CharField(max_length=300)
    reason = serializers.CharField(
        help_text=_("Why the referral must go without the person's consent (audited)")
    )


class NoteInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


@extend_schema_view(
    create=extend_schema(request=ConsentInputSerializer, responses={201: ConsentSerializer})
)
class ConsentViewSet(
    AuditsCaseNotes,
    UUIDLookupMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Consents recorded for your agency's referrals; ``?referral=<uuid>``. Revoke with POST."""

    serializer_class = ConsentSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_class = filters.ConsentFilter
    case_notes_purpose = _("API: consents for the agency's referrals")

    def case_notes(self, consent):
        return consent.referral.beneficiary, {
            "override_reason": consent.override_reason,
            "revocation_note": consent.revocation_note,
        }

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Consent.objects.none()
        return (
            selectors.consents_visible_to(self.request.user)
            # The person is named in the audit entry; nothing of theirs is decrypted.
            .select_related("referral__beneficiary")
            .defer(*(f"referral__beneficiary__{name}" for name in selectors.PERSONAL_FIELDS))
            .order_by("-given_at", "-pk")
        )

    def create(self, request, *args, **kwargs):
        serializer = ConsentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        referral = (
            selectors.referrals_visible_to(request.user).filter(uuid=data.pop("referral")).first()
        )
        if referral is None:
            raise serializers.ValidationError({"referral": [REFERRAL_NOT_FOUND]})
        consent = services.record_consent(referral=referral, user=request.user, **data)
        fresh = self.get_queryset().get(pk=consent.pk)
        return Response(ConsentSerializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=NoteInputSerializer, responses=ConsentSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, *args, **kwargs):
        """The person withdraws consent: the provider stops seeing the fields at once."""
        consent = self.get_object()
        serializer = NoteInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.revoke_consent(
            consent=consent, user=request.user, note=serializer.validated_data.get("note", "")
        )
        fresh = self.get_queryset().get(pk=consent.pk)
        return Response(ConsentSerializer(fresh).data)


# --- referrals -----------------------------------------------------------------


class InboxReferralSerializer(serializers.ModelSerializer):
    """A referral as its provider sees it while pending: nothing that identifies the person.

    Built field by field on purpose (SPEC §4): the need category, district,
    urgency and the person's age band, with the provider's own service, the
    status, the answer deadline and any waiting-list position.
    """

    service = serializers.UUIDField(source="service.uuid", read_only=True)
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    district = serializers.SlugRelatedField(slug_field="code", read_only=True)
    age_band = serializers.SerializerMethodField()

    class Meta:
        model = Referral
        fields = [
            "uuid",
            "service",
            "status",
            "category",
            "district",
            "urgency",
            "age_band",
            "due_at",
            "waitlist_position",
        ]
        read_only_fields = fields

    def get_age_band(self, referral) -> str:
        return selectors.age_band(referral.beneficiary.birth_date)


class SituationSerializer(serializers.Serializer):
    reason = serializers.CharField()
    assessment_notes = serializers.CharField()
    need_notes = serializers.CharField()


class SharedFieldsSerializer(serializers.Serializer):
    """The consented fields only; a field not consented to is absent."""

    name = serializers.CharField(required=False)
    phone = serializers.CharField(required=False)
    address = serializers.CharField(required=False)
    id_number = serializers.CharField(required=False)
    household_members = HouseholdMemberSerializer(many=True, required=False)
    situation = SituationSerializer(required=False)


class AcceptedInboxReferralSerializer(InboxReferralSerializer):
    """An accepted referral as its provider sees it: adds the consented personal data."""

    shared = serializers.SerializerMethodField(
        help_text=_("Exactly the fields the consent in force shares; empty once it is revoked")
    )

    class Meta(InboxReferralSerializer.Meta):
        fields = [*InboxReferralSerializer.Meta.fields, "outcome", "failure_reason", "shared"]
        read_only_fields = fields

    @extend_schema_field(SharedFieldsSerializer)
    def get_shared(self, referral):
        return self.context["shared"]


class ReferralEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReferralEvent
        fields = ["from_status", "to_status", "at", "reason_code", "note"]
        read_only_fields = fields


class ReferralSerializer(serializers.ModelSerializer):
    """A referral as the agency that made it sees it."""

    beneficiary = serializers.UUIDField(source="beneficiary.uuid", read_only=True)
    need = serializers.UUIDField(source="need.uuid", read_only=True)
    service = serializers.UUIDField(source="service.uuid", read_only=True)
    provider = serializers.UUIDField(source="provider.uuid", read_only=True)
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    district = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Referral
        fields = [
            "uuid",
            "beneficiary",
            "need",
            "service",
            "provider",
            "provider_name",
            "category",
            "district",
            "urgency",
            "reason",
            "status",
            "status_changed_at",
            "sent_at",
            "due_at",
            "expires_at",
            "waitlist_position",
            "decline_reason",
            "failure_reason",
            "outcome",
            "outcome_note",
            "return_code",
            "returned_reason",
            "closed_at",
            "created_at",
        ]
        read_only_fields = fields


class ReferralDetailSerializer(ReferralSerializer):
    """One referral of the agency, with the consent in force and its history."""

    consent = serializers.SerializerMethodField(help_text=_("The consent in force, if any"))
    events = ReferralEventSerializer(many=True, read_only=True)

    class Meta(ReferralSerializer.Meta):
        fields = [*ReferralSerializer.Meta.fields, "consent", "events"]
        read_only_fields = fields

    @extend_schema_field(ConsentSerializer(allow_null=True))
    def get_consent(self, referral):
        consent = services.current_consent(referral)
        return ConsentSerializer(consent).data if consent else None


class ReferralInputSerializer(serializers.Serializer):
    need = serializers.UUIDField(help_text=_("A need of one of your agency's assessments"))
    service = serializers.UUIDField(help_text=_("A service of the directory taking referrals"))
    urgency = serializers.ChoiceField(Referral.Urgency.choices, required=False)
    reason = serializers.CharField(max_length=4000, required=False, allow_blank=True)


class DeclineInputSerializer(NoteInputSerializer):
    reason_code = serializers.ChoiceField(Referral.DeclineReason.choices)


class FailInputSerializer(NoteInputSerializer):
    reason_code = serializers.ChoiceField(Referral.FailureReason.choices)


class CompleteInputSerializer(NoteInputSerializer):
    outcome = serializers.ChoiceField(Referral.Outcome.choices)


class ReopenInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, help_text=_("Why the referral is reopened"))


REFERRAL_LIST = PolymorphicProxySerializer(
    component_name="ReferralListItem",
    serializers=[ReferralSerializer, InboxReferralSerializer],
    resource_type_field_name=None,
    many=True,
)
REFERRAL_DETAIL = PolymorphicProxySerializer(
    component_name="ReferralForViewer",
    serializers=[
        ReferralDetailSerializer,
        InboxReferralSerializer,
        AcceptedInboxReferralSerializer,
    ],
    resource_type_field_name=None,
)


def _transition(name: str, service_function, input_serializer=None, url_path: str = ""):
    """A POST action ``name`` that moves a referral by calling one service function."""

    def handler(self, request, *args, **kwargs):
        referral = self.get_object()
        values = {}
        if input_serializer is not None:
            serializer = input_serializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            values = serializer.validated_data
        service_function(referral=referral, user=request.user, **values)
        return self.respond(referral.uuid)

    # DRF routes an action to the view method of the function's name.
    handler.__name__ = handler.__qualname__ = name
    handler.__doc__ = service_function.__doc__
    route = action(
        detail=True, methods=["post"], url_path=url_path or name, url_name=url_path or name
    )
    return extend_schema(request=input_serializer, responses=REFERRAL_DETAIL)(route(handler))


@extend_schema_view(
    list=extend_schema(responses=REFERRAL_LIST),
    retrieve=extend_schema(responses=REFERRAL_DETAIL),
    create=extend_schema(
        request=ReferralInputSerializer, responses={201: ReferralDetailSerializer}
    ),
)
class ReferralViewSet(
    AuditsCaseNotes,
    UUIDLookupMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Referrals: your agency's (caseworkers, supervisors) or your provider's inbox (staff).

    Filter with ``?status=sent``, ``?category=social-services`` and
    ``?urgency=urgent``. Each step of the lifecycle is a POST action; a step
    the lifecycle does not allow answers 400 with the reason.
    """

    permission_classes = [permissions.IsAuthenticated]
    filterset_class = filters.ReferralFilter
    case_notes_purpose = _("API: referrals of the agency")

    def agency_side(self) -> bool:
        return bool(_agency_ids(self.request.user))

    def case_notes(self, referral, *, detail: bool = False):
        """The agency sees the reason and outcome note (and, in detail, event notes and
        consent reasons); the provider's inbox list shows none."""
        if referral.agency_id not in _agency_ids(self.request.user):
            return None, {}
        shown = {"reason": referral.reason, "outcome_note": referral.outcome_note}
        if detail:
            consent = services.current_consent(referral)
            shown["event_notes"] = any(event.note for event in referral.events.all())
            shown["override_reason"] = bool(consent and consent.override_reason)
            shown["revocation_note"] = bool(consent and consent.revocation_note)
        return referral.beneficiary, shown

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Referral.objects.none()
        user = self.request.user
        if self.agency_side():
            return selectors.referrals_visible_to(user).select_related("need")
        # The inbox list never decrypts anything about the person.
        personal = [f"beneficiary__{name}" for name in selectors.PERSONAL_FIELDS]
        return selectors.inbox_for(user).defer("reason", "outcome_note", *personal)

    def get_serializer_class(self):
        return ReferralSerializer if self.agency_side() else InboxReferralSerializer

    def get_object(self):
        referral = selectors.referral_for(self.request.user, self.kwargs[self.lookup_field])
        if referral is None:
            raise Http404
        self.check_object_permissions(self.request, referral)
        return referral

    def represent(self, referral: Referral) -> dict:
        """The referral as this user may see it: the agency's view or the provider's."""
        user = self.request.user
        if referral.agency_id in _agency_ids(user):
            data = ReferralDetailSerializer(referral).data
            beneficiary, shown = self.case_notes(referral, detail=True)
            services.record_case_notes_read(
                user=user,
                shown={beneficiary: [name for name, there in shown.items() if there]},
                purpose=str(self.case_notes_purpose),
            )
            return data
        if referral.status in ACCEPTED_STATUSES:
            shared = services.read_shared_fields(user=user, referral=referral, purpose="")
            return AcceptedInboxReferralSerializer(referral, context={"shared": shared}).data
        return InboxReferralSerializer(referral).data

    def respond(self, uuid, status_code=status.HTTP_200_OK) -> Response:
        # Read again after a change, with everything the representation shows.
        referral = selectors.referral_for(self.request.user, uuid)
        if referral is None:
            raise Http404
        return Response(self.represent(referral), status=status_code)

    def retrieve(self, request, *args, **kwargs):
        return Response(self.represent(self.get_object()))

    def create(self, request, *args, **kwargs):
        serializer = ReferralInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        need = selectors.need_for(request.user, data.pop("need"))
        if need is None:
            raise serializers.ValidationError({"need": [NEED_NOT_FOUND]})
        service = (
            provider_selectors.public_services()
            .select_related("provider__organization")
            .filter(uuid=data.pop("service"))
            .first()
        )
        if service is None:
            raise serializers.ValidationError(
                {"service": [_("No service of the directory has this identifier.")]}
            )
        referral = services.create_referral(need=need, service=service, user=request.user, **data)
        return self.respond(referral.uuid, status.HTTP_201_CREATED)

    send = _transition("send", services.send_referral)
    mark_viewed = _transition("mark_viewed", services.mark_viewed, url_path="view")
    accept = _transition("accept", services.accept_referral, NoteInputSerializer)
    decline = _transition("decline", services.decline_referral, DeclineInputSerializer)
    waitlist = _transition("waitlist", services.waitlist_referral, NoteInputSerializer)
    start = _transition("start", services.start_service, NoteInputSerializer)
    complete = _transition("complete", services.complete_referral, CompleteInputSerializer)
    fail = _transition("fail", services.fail_referral, FailInputSerializer)
    recall = _transition("recall", services.recall_referral, NoteInputSerializer)
    close = _transition("close", services.close_referral, NoteInputSerializer)
    reopen = _transition("reopen", services.reopen_referral, ReopenInputSerializer)

    @extend_schema(request=OverrideConsentInputSerializer, responses={201: ConsentSerializer})
    @action(detail=True, methods=["post"], url_path="override-consent", url_name="override-consent")
    def override_consent(self, request, *args, **kwargs):
        """A supervisor lets the referral go without the person's consent, with a reason."""
        referral = self.get_object()
        serializer = OverrideConsentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        consent = services.override_consent(
            referral=referral, user=request.user, **serializer.validated_data
        )
        fresh = selectors.consents_visible_to(request.user).get(pk=consent.pk)
        return Response(ConsentSerializer(fresh).data, status=status.HTTP_201_CREATED)


# --- matches -------------------------------------------------------------------


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
            selectors.beneficiaries_visible_to(request.user)
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

        from referrals import matching  # written alongside; loaded when first asked

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


# --- unmet needs ---------------------------------------------------------------


class UnmetNeedSerializer(serializers.ModelSerializer):
    need = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    area = serializers.SlugRelatedField(slug_field="code", read_only=True)

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
    category = CodeField(queryset=_need_categories(), required=False, allow_null=True)
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
            need = selectors.need_for(request.user, need_uuid)
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

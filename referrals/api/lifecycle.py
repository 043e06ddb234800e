"""The API of referrals: the agency's referrals and the provider's inbox, with a POST
action per move of the lifecycle.

A provider sees the referrals sent to it. While a referral is pending, its
representation is built field by field (``InboxReferralSerializer``): the need
category, district, urgency, the person's age band, status and answer
deadline, nothing more. Once the provider has accepted, opening the referral
adds ``shared``: exactly the fields the consent in force allows, read (and
audited) through ``services.consent.read_shared_fields``; a revoked consent
empties it again. The inbox list never includes ``shared``.

Each move calls one service; a move the lifecycle does not allow answers 400
with the reason, one the service refuses to this user on a referral they can
see answers 403, and a referral they cannot see answers 404 before any
service runs.
"""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.schema import OverlappingViewsSerializer
from evaluation.services import outcomes as outcome_services
from providers import selectors as provider_selectors
from referrals import filters
from referrals.api.common import (
    NEED_NOT_FOUND,
    AuditsCaseNotes,
    HouseholdMemberSerializer,
    NoteInputSerializer,
    UUIDLookupMixin,
    agency_ids,
)
from referrals.api.consent import ConsentSerializer, OverrideConsentInputSerializer
from referrals.models.lifecycle import ACCEPTED_STATUSES, Referral, ReferralEvent
from referrals.selectors import assessments as assessment_selectors
from referrals.selectors import beneficiaries as beneficiary_selectors
from referrals.selectors import consent as consent_selectors
from referrals.selectors import lifecycle as selectors
from referrals.services import beneficiaries as beneficiary_services
from referrals.services import consent as consent_services
from referrals.services import lifecycle as services

# Choices a referral leaves blank ("") until it gets there. DRF drops ``allow_blank``
# from read-only fields; the serializers below give it back so that the schema's
# enums admit the "" the API answers.
BLANK_UNTIL_CLOSED = ("outcome", "failure_reason")


class InboxReferralSerializer(serializers.ModelSerializer):
    """A referral as its provider sees it while pending: nothing that identifies the person.

    Built field by field on purpose (SPEC §4): the need category, district,
    urgency and the person's age band, with the provider's own service, the
    status, the answer deadline and any waiting-list position.
    """

    service = serializers.UUIDField(source="service.uuid", read_only=True)
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    district = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
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
        return beneficiary_selectors.age_band(referral.beneficiary.birth_date)


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
        extra_kwargs = {name: {"allow_blank": True} for name in BLANK_UNTIL_CLOSED}

    @extend_schema_field(SharedFieldsSerializer)
    def get_shared(self, referral):
        return self.context["shared"]


class ReferralEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReferralEvent
        fields = ["from_status", "to_status", "at", "reason_code", "note"]
        read_only_fields = fields
        # "" for the event that created the referral: it came from no status.
        extra_kwargs = {"from_status": {"allow_blank": True}}


class ReferralSerializer(serializers.ModelSerializer):
    """A referral as the agency that made it sees it."""

    beneficiary = serializers.UUIDField(source="beneficiary.uuid", read_only=True)
    need = serializers.UUIDField(source="need.uuid", read_only=True)
    service = serializers.UUIDField(source="service.uuid", read_only=True)
    provider = serializers.UUIDField(source="provider.uuid", read_only=True)
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    district = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

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
        extra_kwargs = {
            name: {"allow_blank": True}
            for name in (*BLANK_UNTIL_CLOSED, "decline_reason", "return_code")
        }


class ReferralDetailSerializer(ReferralSerializer):
    """One referral of the agency, with the consent in force and its history."""

    consent = serializers.SerializerMethodField(help_text=_("The consent in force, if any"))
    events = ReferralEventSerializer(many=True, read_only=True)

    class Meta(ReferralSerializer.Meta):
        fields = [*ReferralSerializer.Meta.fields, "consent", "events"]
        read_only_fields = fields

    @extend_schema_field(ConsentSerializer(allow_null=True))
    def get_consent(self, referral):
        consent = consent_selectors.current_consent(referral)
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


class GoalScoreInputSerializer(serializers.Serializer):
    goal = serializers.IntegerField(min_value=1, help_text=_("The goal's number"))
    attainment = serializers.IntegerField(
        min_value=-2, max_value=2, help_text=_("From −2 (much less than expected) to +2")
    )


class CompleteInputSerializer(NoteInputSerializer):
    attainments = GoalScoreInputSerializer(many=True)


class GoalInputSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=500)
    expected = serializers.CharField(max_length=500, help_text=_("The expected level (score 0)"))
    weight = serializers.IntegerField(min_value=1, max_value=5, default=1)


class GoalsInputSerializer(serializers.Serializer):
    goals = GoalInputSerializer(many=True)


def _complete_with_goals(*, referral, user, attainments, note=""):
    """The provider scores every agreed goal and completes the referral: its outcome is the
    Goal Attainment Scaling T-score (evaluation), and the survey invitation is made."""
    return outcome_services.complete_with_goals(
        referral=referral,
        user=user,
        attainments={row["goal"]: row["attainment"] for row in attainments},
        note=note,
    )


def _set_goals(*, referral, user, goals):
    """The provider agrees one to three goals with the caseworker (replacing earlier ones)."""
    return outcome_services.set_goals(referral=referral, user=user, goals=goals)


class ReopenInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, help_text=_("Why the referral is reopened"))


REFERRAL_LIST = PolymorphicProxySerializer(
    component_name="ReferralListItem",
    serializers=[ReferralSerializer, InboxReferralSerializer],
    resource_type_field_name=None,
    many=True,
)
# The agency's view, or the provider's: pending, or accepted (the pending view and more).
REFERRAL_DETAIL = OverlappingViewsSerializer(
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
        return bool(agency_ids(self.request.user))

    def case_notes(self, referral, *, detail: bool = False):
        """The agency sees the reason and outcome note (and, in detail, event notes and
        consent reasons); the provider's inbox list shows none."""
        if referral.agency_id not in agency_ids(self.request.user):
            return None, {}
        shown = {"reason": referral.reason, "outcome_note": referral.outcome_note}
        if detail:
            consent = consent_selectors.current_consent(referral)
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
        personal = [f"beneficiary__{name}" for name in beneficiary_selectors.PERSONAL_FIELDS]
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
        if referral.agency_id in agency_ids(user):
            data = ReferralDetailSerializer(referral).data
            beneficiary, shown = self.case_notes(referral, detail=True)
            beneficiary_services.record_case_notes_read(
                user=user,
                shown={beneficiary: [name for name, there in shown.items() if there]},
                purpose=str(self.case_notes_purpose),
            )
            return data
        if referral.status in ACCEPTED_STATUSES:
            shared = consent_services.read_shared_fields(user=user, referral=referral, purpose="")
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
        need = assessment_selectors.need_for(request.user, data.pop("need"))
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
    goals = _transition("goals", _set_goals, GoalsInputSerializer)
    complete = _transition("complete", _complete_with_goals, CompleteInputSerializer)
    fail = _transition("fail", outcome_services.record_failure, FailInputSerializer)
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
        consent = consent_services.override_consent(
            referral=referral, user=request.user, **serializer.validated_data
        )
        fresh = consent_selectors.consents_visible_to(request.user).get(pk=consent.pk)
        return Response(ConsentSerializer(fresh).data, status=status.HTTP_201_CREATED)

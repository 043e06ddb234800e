"""The API of consents: recorded and revoked by the agency, which keeps them.

A provider never reads a consent record: it learns what it may see through
the referral itself, once it has accepted.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from referrals import filters
from referrals.api.common import (
    REFERRAL_NOT_FOUND,
    AuditsCaseNotes,
    NoteInputSerializer,
    UUIDLookupMixin,
)
from referrals.models.consent import Consent, ShareableField
from referrals.selectors import beneficiaries as beneficiary_selectors
from referrals.selectors import consent as selectors
from referrals.selectors import lifecycle as referral_selectors
from referrals.services import consent as services


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
            .defer(
                *(
                    f"referral__beneficiary__{name}"
                    for name in beneficiary_selectors.PERSONAL_FIELDS
                )
            )
            .order_by("-given_at", "-pk")
        )

    def create(self, request, *args, **kwargs):
        serializer = ConsentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        referral = (
            referral_selectors.referrals_visible_to(request.user)
            .filter(uuid=data.pop("referral"))
            .first()
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

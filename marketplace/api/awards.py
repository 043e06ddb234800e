"""Awards and complaints: ``/tenders/{id}/awards/``, ``/awards/{uuid}/``, ``/complaints/{uuid}/``.

Award notices are public once approved; recommended and cancelled awards are
for the lead agency's commissioners and supervisors and the panel chair
(``selectors.awards_visible_to``). Four eyes: whoever recommended an award or
chaired the panel does not approve it. A complaint is seen by the commissioners
and the complaining provider only.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from marketplace.api.common import (
    MAX_NUMBER,
    TENDER_ID_PARAMETER,
    UUID_PATTERN,
    LotReferenceSerializer,
    OrganizationReferenceSerializer,
    ReasonInputSerializer,
    lot_by_number,
)
from marketplace.models.awards import Award
from marketplace.models.complaints import RESOLUTIONS, Complaint
from marketplace.selectors import awards as award_selectors
from marketplace.selectors import bids as bid_selectors
from marketplace.selectors import complaints as complaint_selectors
from marketplace.services import awards as award_services
from marketplace.services import complaints as complaint_services
from providers import selectors as provider_selectors


class AwardSerializer(serializers.ModelSerializer):
    tender = serializers.CharField(source="tender.reference", read_only=True)
    lot = LotReferenceSerializer(read_only=True)
    bid = serializers.UUIDField(source="bid.uuid", read_only=True)
    supplier = OrganizationReferenceSerializer(source="bid.provider.organization", read_only=True)

    class Meta:
        model = Award
        fields = [
            "uuid",
            "tender",
            "lot",
            "bid",
            "supplier",
            "value",
            "status",
            "recommended_at",
            "approved_at",
            "standstill_ends_at",
            "notice_published_at",
            "confirmed_at",
            "cancelled_at",
            "cancellation_reason",
        ]
        read_only_fields = fields


class RecommendationInputSerializer(serializers.Serializer):
    lot = serializers.IntegerField(
        min_value=1, max_value=MAX_NUMBER, default=1, help_text=_("Lot number")
    )
    bid = serializers.UUIDField(
        required=False, help_text=_("Leave out to recommend the first-ranked bid")
    )
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=_("Required when passing over the first-ranked bid"),
    )


class ComplaintSerializer(serializers.ModelSerializer):
    award = serializers.UUIDField(source="award.uuid", read_only=True)
    lot = serializers.IntegerField(source="award.lot.number", read_only=True)
    provider = OrganizationReferenceSerializer(source="provider.organization", read_only=True)

    class Meta:
        model = Complaint
        fields = [
            "uuid",
            "award",
            "lot",
            "provider",
            "text",
            "status",
            "lodged_at",
            "response",
            "resolved_at",
        ]
        read_only_fields = fields


class ComplaintInputSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True)


# How a commissioner may resolve a complaint.
COMPLAINT_OUTCOMES = [(outcome.value, outcome.label) for outcome in RESOLUTIONS]


class ResolutionInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=COMPLAINT_OUTCOMES)
    response = serializers.CharField(allow_blank=True)


class TenderAwardActions:
    """``/tenders/{id}/awards/``: award notices; the chair or a commissioner recommends."""

    @extend_schema(
        methods=["get"],
        responses=AwardSerializer(many=True),
        parameters=[TENDER_ID_PARAMETER],
        operation_id="tender_awards",
    )
    @extend_schema(
        methods=["post"],
        request=RecommendationInputSerializer,
        responses={201: AwardSerializer},
        parameters=[TENDER_ID_PARAMETER],
        operation_id="tender_recommend_award",
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[], pagination_class=None)
    def awards(self, request, *args, **kwargs):
        """Award notices for everyone; every award for the lead agency's commissioners and
        supervisors and the panel chair.

        POST recommends the award of a lot (the first-ranked bid unless a reason says otherwise).
        """
        tender = self.get_object()
        if request.method == "POST":
            serializer = RecommendationInputSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
            bid = None
            if data.get("bid"):
                bid = bid_selectors.bid_for(request.user, data["bid"])
                if bid is None or bid.tender_id != tender.pk:
                    raise serializers.ValidationError({"bid": [_("No such bid on this tender.")]})
            award = award_services.recommend_award(
                lot=lot_by_number(tender, data["lot"]),
                actor=request.user,
                bid=bid,
                reason=data.get("reason", ""),
            )
            award = award_selectors.award_for(request.user, award.uuid)
            return Response(AwardSerializer(award).data, status=status.HTTP_201_CREATED)
        awards = award_selectors.awards_visible_to(request.user, tender)
        return Response(AwardSerializer(awards, many=True).data)


class AwardViewSet(viewsets.GenericViewSet):
    """One award as you may see it: the notice for everyone once published; recommended and
    cancelled awards only for the lead agency's commissioners and supervisors and the panel
    chair."""

    serializer_class = AwardSerializer
    # Public by design for reads (award notices); approving, cancelling and complaining
    # are checked by the services.
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    lookup_field = "uuid"
    lookup_value_regex = UUID_PATTERN

    def get_queryset(self):
        return Award.objects.none()  # every read goes through selectors.award_for

    def get_object(self):
        award = award_selectors.award_for(self.request.user, self.kwargs["uuid"])
        if award is None:
            raise Http404
        return award

    def _output(self, award: Award) -> Response:
        return Response(
            AwardSerializer(award_selectors.award_for(self.request.user, award.uuid)).data
        )

    def retrieve(self, request, *args, **kwargs):
        return Response(AwardSerializer(self.get_object()).data)

    @extend_schema(request=None, responses=AwardSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, *args, **kwargs):
        """Approve the award: funds are committed, the notice published, the standstill starts.

        By another commissioner or a supervisor of the lead agency: whoever recommended the
        award or chaired the panel gets 403, with who may approve instead.
        """
        try:
            award = award_services.approve_award(award=self.get_object(), actor=request.user)
        except DjangoPermissionDenied as refusal:
            raise exceptions.PermissionDenied(str(refusal)) from refusal
        return self._output(award)

    @extend_schema(request=ReasonInputSerializer, responses=AwardSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, *args, **kwargs):
        """Cancel the award with a reason; committed money goes back to the budget."""
        award = self.get_object()
        serializer = ReasonInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        award_services.cancel_award(
            award=award, reason=serializer.validated_data["reason"], actor=request.user
        )
        return self._output(award)

    @extend_schema(
        methods=["get"], responses=ComplaintSerializer(many=True), operation_id="award_complaints"
    )
    @extend_schema(
        methods=["post"],
        request=ComplaintInputSerializer,
        responses={201: ComplaintSerializer},
        operation_id="award_lodge_complaint",
    )
    # The complaints of one award are few: a plain list, not pages.
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def complaints(self, request, *args, **kwargs):
        """Complaints about the award: all for its commissioners, its own for a bidder.

        POST lodges your organization's complaint during the standstill.
        """
        award = self.get_object()
        if request.method == "POST":
            provider = provider_selectors.provider_of(request.user)
            bid = bid_selectors.bid_on(provider, award.lot)
            if bid is None:
                raise exceptions.PermissionDenied(
                    _("Only a provider that bid on this lot can complain about its award.")
                )
            serializer = ComplaintInputSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            complaint = complaint_services.lodge_complaint(
                award=award, bid=bid, user=request.user, text=serializer.validated_data["text"]
            )
            complaint = complaint_selectors.complaint_for(request.user, complaint.uuid)
            return Response(ComplaintSerializer(complaint).data, status=status.HTTP_201_CREATED)
        complaints = complaint_selectors.complaints_visible_to(request.user, award.tender).filter(
            award=award
        )
        return Response(ComplaintSerializer(complaints, many=True).data)


class ComplaintViewSet(viewsets.GenericViewSet):
    """One complaint: for the lead agency's commissioners and the complaining provider."""

    serializer_class = ComplaintSerializer
    permission_classes = [permissions.IsAuthenticated]
    lookup_field = "uuid"
    lookup_value_regex = UUID_PATTERN

    def get_queryset(self):
        return Complaint.objects.none()  # every read goes through selectors.complaint_for

    def get_object(self):
        complaint = complaint_selectors.complaint_for(self.request.user, self.kwargs["uuid"])
        if complaint is None:
            raise Http404
        return complaint

    def _output(self, complaint: Complaint) -> Response:
        fresh = complaint_selectors.complaint_for(self.request.user, complaint.uuid)
        return Response(ComplaintSerializer(fresh).data)

    def retrieve(self, request, *args, **kwargs):
        return Response(ComplaintSerializer(self.get_object()).data)

    @extend_schema(request=ResolutionInputSerializer, responses=ComplaintSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, *args, **kwargs):
        """Uphold (the award is cancelled, the lot evaluated again) or dismiss, with an answer."""
        complaint = self.get_object()
        serializer = ResolutionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        complaint_services.resolve_complaint(
            complaint=complaint, actor=request.user, **serializer.validated_data
        )
        return self._output(complaint)

    @extend_schema(request=None, responses=ComplaintSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, *args, **kwargs):
        """The complaining provider withdraws its open complaint."""
        complaint = complaint_services.withdraw_complaint(
            complaint=self.get_object(), user=request.user
        )
        return self._output(complaint)

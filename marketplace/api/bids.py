"""Bids, read only through the sealing selectors: ``/tenders/{id}/bids/`` and ``/bids/``."""

from django.http import FileResponse, Http404, HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from marketplace import rules as marketplace_rules
from marketplace.api.common import (
    MAX_NUMBER,
    TENDER_ID_PARAMETER,
    UUID_PATTERN,
    LotReferenceSerializer,
    OrganizationReferenceSerializer,
    TenderReferenceSerializer,
    criterion_by_number,
    lot_by_number,
)
from marketplace.models.bids import Bid
from marketplace.models.tenders import Tender
from marketplace.pdf import assessment_summary_filename, render_assessment_summary_pdf
from marketplace.selectors import bids as bid_selectors
from marketplace.services import bids as bid_services
from providers import selectors as provider_selectors


class BidResponseOutputSerializer(serializers.Serializer):
    criterion = serializers.IntegerField(source="criterion.order", help_text=_("Criterion number"))
    criterion_name_zh = serializers.CharField(source="criterion.name_zh")
    criterion_name_en = serializers.CharField(source="criterion.name_en")
    text = serializers.CharField()


class BidAttachmentSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    title = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    uploaded_at = serializers.DateTimeField()


class EligibilityProblemSerializer(serializers.Serializer):
    code = serializers.CharField()
    message_zh = serializers.CharField()
    message_en = serializers.CharField()


class BidResultSerializer(serializers.Serializer):
    """Weighted points per kind of criterion (out of their weights), total out of 100, rank."""

    quality_score = serializers.DecimalField(max_digits=6, decimal_places=2)
    price_score = serializers.DecimalField(max_digits=6, decimal_places=2)
    past_performance_score = serializers.DecimalField(max_digits=6, decimal_places=2)
    social_value_score = serializers.DecimalField(max_digits=6, decimal_places=2)
    total = serializers.DecimalField(max_digits=6, decimal_places=2)
    rank = serializers.IntegerField()


class BidSerializer(serializers.Serializer):
    """A bid as the requesting person may see it (``selectors.visible_bid``).

    What the sealed-bid rule hides is absent, not null: ``price`` until the
    price envelope is open to you (always for your own bid), ``responses``
    and ``attachments`` until the bid's content is open to you, ``result``
    with the price, ``eligibility_report`` to anyone but the bidder.
    """

    uuid = serializers.UUIDField()
    tender = TenderReferenceSerializer()
    lot = LotReferenceSerializer()
    provider = OrganizationReferenceSerializer(source="provider.organization")
    status = serializers.ChoiceField(choices=Bid.Status.choices)
    submitted_at = serializers.DateTimeField(allow_null=True)
    reconfirmed_at = serializers.DateTimeField(allow_null=True)
    withdrawn_at = serializers.DateTimeField(allow_null=True)
    is_own = serializers.BooleanField(help_text=_("True when your organization made this bid"))
    sealed = serializers.BooleanField(
        help_text=_("True until the deadline for bids: only the bidder sees the content")
    )
    price = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)
    responses = BidResponseOutputSerializer(many=True, required=False)
    attachments = BidAttachmentSerializer(many=True, required=False)
    eligibility_report = EligibilityProblemSerializer(many=True, required=False)
    result = BidResultSerializer(required=False)

    def to_representation(self, visible):
        data = super().to_representation(visible)
        # Absent, not null-with-a-hint: nothing in the answer says what is behind the seal.
        if not visible.price_visible:
            data.pop("price", None)
        if not visible.content_visible:
            data.pop("responses", None)
            data.pop("attachments", None)
        if not visible.is_own:
            data.pop("eligibility_report", None)
        if visible.result is None:
            data.pop("result", None)
        return data


class OwnBidSerializer(serializers.ModelSerializer):
    """One of your organization's bids in a list; open it for its content."""

    tender = TenderReferenceSerializer(read_only=True)
    lot = LotReferenceSerializer(read_only=True)

    class Meta:
        model = Bid
        fields = ["uuid", "tender", "lot", "status", "submitted_at", "updated_at"]
        read_only_fields = fields


class BidResponseInputSerializer(serializers.Serializer):
    criterion = serializers.IntegerField(
        min_value=0, max_value=MAX_NUMBER, help_text=_("Criterion number (see the tender)")
    )
    text = serializers.CharField(
        allow_blank=True, help_text=_("Your proposal; empty removes the response")
    )


class BidInputSerializer(serializers.Serializer):
    lot = serializers.IntegerField(
        min_value=1, max_value=MAX_NUMBER, default=1, help_text=_("Lot number; default 1")
    )
    price = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        required=False,
        allow_null=True,
        help_text=_("Price in yuan; sealed until the deadline"),
    )
    responses = BidResponseInputSerializer(many=True, required=False)


class BidChangesSerializer(serializers.Serializer):
    price = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True
    )
    responses = BidResponseInputSerializer(many=True, required=False)


class AttachmentInputSerializer(serializers.Serializer):
    title = serializers.CharField(allow_blank=True)
    file = serializers.FileField(help_text=_("PDF, PNG or JPEG"))


def _responses(tender: Tender, rows) -> dict:
    return {
        criterion_by_number(tender, row["criterion"], field="responses"): row["text"]
        for row in rows or ()
    }


ATTACHMENT_PARAMETER = OpenApiParameter(
    "attachment", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The attachment's UUID."
)


class TenderBidActions:
    """``/tenders/{id}/bids/``: the bids of a tender you may see; providers bid."""

    @extend_schema(
        methods=["get"],
        responses=BidSerializer(many=True),
        parameters=[TENDER_ID_PARAMETER],
        operation_id="tender_bids",
    )
    @extend_schema(
        methods=["post"],
        request=BidInputSerializer,
        responses={201: BidSerializer},
        parameters=[TENDER_ID_PARAMETER],
        operation_id="tender_save_bid",
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[], pagination_class=None)
    def bids(self, request, *args, **kwargs):
        """The tender's bids you may see: your own always; once the deadline has passed,
        the submitted bids if you evaluate them (prices only once moderation is locked).

        POST starts (or changes) your organization's draft bid on a lot.
        """
        tender = self.get_object()
        if request.method == "GET":
            visible = bid_selectors.visible_bids(request.user, tender)
            return Response(BidSerializer(visible, many=True).data)
        provider = provider_selectors.provider_of(request.user)
        if provider is None:
            raise exceptions.PermissionDenied(_("Only people of a registered provider can bid."))
        serializer = BidInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        lot = lot_by_number(tender, data["lot"])
        bid = bid_services.save_bid_draft(
            lot=lot,
            provider=provider,
            user=request.user,
            price=data.get("price"),
            responses=_responses(tender, data.get("responses")),
        )
        return Response(_bid_output(request.user, bid), status=status.HTTP_201_CREATED)


def _bid_output(user, bid: Bid) -> dict:
    visible = bid_selectors.visible_bid(user, bid)
    if visible is None:
        raise Http404
    return BidSerializer(visible).data


class BidViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Bids, always read through the sealing selectors.

    ``GET /bids/`` lists your organization's bids; ``/bids/{uuid}/`` shows one
    bid as you may see it (404 when you may not see it at all — before the
    deadline, every bid but your own). The bidder edits a draft (PATCH), adds
    attachments, submits, reopens, withdraws and reconfirms.
    """

    serializer_class = OwnBidSerializer
    permission_classes = [permissions.IsAuthenticated]
    lookup_field = "uuid"
    lookup_value_regex = UUID_PATTERN
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Bid.objects.none()
        return bid_selectors.bids_of(self.request.user)

    def get_object(self):
        bid = bid_selectors.bid_for(self.request.user, self.kwargs["uuid"])
        if bid is None:
            raise Http404
        return bid

    def _output(self, bid: Bid) -> Response:
        return Response(_bid_output(self.request.user, bid))

    @extend_schema(responses=BidSerializer)
    def retrieve(self, request, *args, **kwargs):
        return self._output(self.get_object())

    @extend_schema(request=BidChangesSerializer, responses=BidSerializer)
    def partial_update(self, request, *args, **kwargs):
        bid = self.get_object()
        serializer = BidChangesSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        # Left out: unchanged, the bidder's own price read through the sealing selector.
        price = (
            data["price"] if "price" in data else bid_selectors.visible_bid(request.user, bid).price
        )
        bid = bid_services.save_bid_draft(
            lot=bid.lot,
            provider=bid.provider,
            user=request.user,
            price=price,
            responses=_responses(bid.tender, data.get("responses")),
        )
        return self._output(bid)

    @extend_schema(request=None, responses=BidSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, *args, **kwargs):
        """Submit the bid, by server time before the deadline; eligibility is checked now."""
        return self._output(bid_services.submit_bid(bid=self.get_object(), user=request.user))

    @extend_schema(request=None, responses=BidSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, *args, **kwargs):
        """Take a submitted bid back to draft to change it; submit it again in time."""
        return self._output(bid_services.reopen_bid(bid=self.get_object(), user=request.user))

    @extend_schema(request=None, responses=BidSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, *args, **kwargs):
        """Withdraw the bid before the deadline."""
        return self._output(bid_services.withdraw_bid(bid=self.get_object(), user=request.user))

    @extend_schema(request=None, responses=BidSerializer)
    @action(detail=True, methods=["post"])
    def reconfirm(self, request, *args, **kwargs):
        """Confirm the bid as it stands after a material amendment."""
        return self._output(bid_services.reconfirm_bid(bid=self.get_object(), user=request.user))

    @extend_schema(
        request={"multipart/form-data": AttachmentInputSerializer},
        responses={201: BidSerializer},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def attachments(self, request, *args, **kwargs):
        """Attach a PDF or image to your draft bid (sealed with it)."""
        bid = self.get_object()
        serializer = AttachmentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        bid_services.add_bid_attachment(
            bid=bid,
            user=request.user,
            title=serializer.validated_data["title"],
            uploaded_file=serializer.validated_data["file"],
        )
        return Response(_bid_output(request.user, bid), status=status.HTTP_201_CREATED)

    def _attachment(self, bid: Bid, attachment_uuid: str):
        """The attachment if the bid's content is open to the user (the selector decides)."""
        visible = bid_selectors.visible_bid(self.request.user, bid)
        for attachment in visible.attachments if visible else ():
            if str(attachment.uuid) == attachment_uuid.lower():
                return attachment
        raise Http404

    @extend_schema(
        methods=["get"],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
        parameters=[ATTACHMENT_PARAMETER],
        operation_id="bid_attachment_download",
    )
    @extend_schema(
        methods=["delete"],
        responses={204: None},
        parameters=[ATTACHMENT_PARAMETER],
        operation_id="bid_attachment_remove",
    )
    @action(
        detail=True,
        methods=["get", "delete"],
        url_path=rf"attachments/(?P<attachment>{UUID_PATTERN})",
    )
    def attachment(self, request, *args, attachment=None, **kwargs):
        """Download an attachment (when the bid's content is open to you) or remove it (bidder)."""
        bid = self.get_object()
        found = self._attachment(bid, attachment)
        if request.method == "DELETE":
            bid_services.remove_bid_attachment(attachment=found, user=request.user)
            return Response(status=status.HTTP_204_NO_CONTENT)
        return FileResponse(
            found.file.open("rb"),
            as_attachment=True,
            filename=f"{found.uuid}.{found.file.name.rsplit('.', 1)[-1]}",
            content_type=found.content_type,
        )

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path="assessment-summary")
    def assessment_summary(self, request, *args, **kwargs):
        """Your assessment summary (your scores and the winner's) as PDF, once awarded."""
        bid = self.get_object()
        if not marketplace_rules.is_bidder(request.user, bid):
            raise Http404
        content = render_assessment_summary_pdf(bid)
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = (
            f'attachment; filename="{assessment_summary_filename(bid)}"'
        )
        return response

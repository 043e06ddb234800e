"""The evaluation panel of a tender: conflicts, scores, moderation, results."""

from dataclasses import replace

import rules
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import User
from marketplace import rules as marketplace_rules
from marketplace.api.bids import BidResultSerializer
from marketplace.api.common import (
    MAX_NUMBER,
    TENDER_ID_PARAMETER,
    OrganizationReferenceSerializer,
    PersonSerializer,
    criterion_by_number,
)
from marketplace.models.tenders import Tender
from marketplace.selectors import bids as bid_selectors
from marketplace.selectors import panels as panel_selectors
from marketplace.services import panels as panel_services


class PanelMemberSerializer(serializers.Serializer):
    user = PersonSerializer(source="member.user")
    declared = serializers.BooleanField()
    has_conflict = serializers.BooleanField()
    submitted = serializers.BooleanField(help_text=_("Has submitted their scores"))


class PanelSerializer(serializers.Serializer):
    chair = PersonSerializer()
    quality_locked_at = serializers.DateTimeField(
        allow_null=True, help_text=_("Prices are revealed to the panel only after this")
    )
    members = PanelMemberSerializer(many=True)


class PanelInputSerializer(serializers.Serializer):
    chair = serializers.SlugRelatedField(
        slug_field="uuid",
        queryset=User.objects.filter(is_active=True),
        help_text=_("UUID of the chair (also a member)"),
    )
    members = serializers.SlugRelatedField(
        slug_field="uuid",
        many=True,
        queryset=User.objects.filter(is_active=True),
        help_text=_("UUIDs of the members, agency users"),
    )


class ConflictInputSerializer(serializers.Serializer):
    has_conflict = serializers.BooleanField()
    note = serializers.CharField(
        required=False, allow_blank=True, help_text=_("Required when you have a conflict")
    )


class ScoreSerializer(serializers.Serializer):
    bid = serializers.UUIDField(source="bid.uuid")
    criterion = serializers.IntegerField(source="criterion.order")
    member = PersonSerializer(source="member.user")
    score = serializers.DecimalField(max_digits=4, decimal_places=2)
    comment = serializers.CharField()
    submitted_at = serializers.DateTimeField(allow_null=True)


class ScoreLineInputSerializer(serializers.Serializer):
    criterion = serializers.IntegerField(
        min_value=0, max_value=MAX_NUMBER, help_text=_("Criterion number (quality or social value)")
    )
    score = serializers.DecimalField(max_digits=4, decimal_places=2, help_text=_("0 to 10"))
    comment = serializers.CharField(required=False, allow_blank=True)


class ScoresInputSerializer(serializers.Serializer):
    bid = serializers.UUIDField()
    scores = ScoreLineInputSerializer(many=True)


class SubmittedScoresSerializer(serializers.Serializer):
    submitted = serializers.IntegerField(help_text=_("How many scores were submitted"))


class MemberScoreSerializer(serializers.Serializer):
    member = PersonSerializer(source="member.user")
    score = serializers.DecimalField(max_digits=4, decimal_places=2)


class ModeratedScoreSerializer(serializers.Serializer):
    score = serializers.DecimalField(max_digits=4, decimal_places=2)
    note = serializers.CharField()
    moderated_at = serializers.DateTimeField()


class ModerationLineSerializer(serializers.Serializer):
    bid = serializers.UUIDField(source="bid.uuid")
    lot = serializers.IntegerField(source="bid.lot.number")
    provider = OrganizationReferenceSerializer(source="bid.provider.organization")
    criterion = serializers.IntegerField(source="criterion.order")
    scores = MemberScoreSerializer(many=True)
    mean = serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True)
    spread = serializers.DecimalField(max_digits=4, decimal_places=2)
    flagged = serializers.BooleanField(help_text=_("Members disagreed widely"))
    moderated = ModeratedScoreSerializer(allow_null=True)


class ModerationInputSerializer(serializers.Serializer):
    bid = serializers.UUIDField()
    criterion = serializers.IntegerField()
    score = serializers.DecimalField(max_digits=4, decimal_places=2)
    note = serializers.CharField(required=False, allow_blank=True)


class ResultSerializer(BidResultSerializer):
    bid = serializers.UUIDField(source="bid.uuid")
    lot = serializers.IntegerField(source="bid.lot.number")
    provider = OrganizationReferenceSerializer(source="bid.provider.organization")


class TenderPanelActions:
    """``/tenders/{id}/panel/``, ``scores/``, ``moderation/``, ``results/``."""

    def _panel(self, tender: Tender):
        """The tender's panel if the user sits on it or manages the tender; else 404."""
        panel = panel_selectors.panel_of(tender)
        if panel is None or not rules.has_perm("marketplace.view_panel", self.request.user, tender):
            raise Http404
        return panel

    def _member(self, tender: Tender):
        member = marketplace_rules.panel_member_of(self.request.user, tender)
        if member is None:
            raise Http404
        return member

    def _panel_output(self, tender: Tender) -> Response:
        panel = panel_selectors.panel_of(tender)
        return Response(
            PanelSerializer(
                {
                    "chair": panel.chair,
                    "quality_locked_at": panel.quality_locked_at,
                    "members": panel_selectors.scoring_progress(tender),
                }
            ).data
        )

    @extend_schema(
        methods=["get"],
        responses=PanelSerializer,
        parameters=[TENDER_ID_PARAMETER],
        operation_id="tender_panel",
    )
    @extend_schema(
        methods=["put"],
        request=PanelInputSerializer,
        responses=PanelSerializer,
        parameters=[TENDER_ID_PARAMETER],
        operation_id="tender_set_panel",
    )
    @action(detail=True, methods=["get", "put"])
    def panel(self, request, *args, **kwargs):
        """The evaluation panel: who sits on it, who has declared and who has submitted scores.

        For its members and the lead agency's commissioners; a commissioner
        names it (PUT) while the tender is open or under evaluation.
        """
        tender = self.get_object()
        if request.method == "GET":
            self._panel(tender)
            return self._panel_output(tender)
        serializer = PanelInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        panel_services.set_panel(
            tender=tender,
            chair=serializer.validated_data["chair"],
            members=serializer.validated_data["members"],
            actor=request.user,
        )
        return self._panel_output(tender)

    @extend_schema(
        request=ConflictInputSerializer,
        responses=PanelSerializer,
        parameters=[TENDER_ID_PARAMETER],
    )
    @action(detail=True, methods=["post"], url_path="panel/conflict")
    def declare_conflict(self, request, *args, **kwargs):
        """A member declares, before seeing any bid, whether they have a conflict of interest."""
        tender = self.get_object()
        member = self._member(tender)
        serializer = ConflictInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        panel_services.declare_conflict(
            member=member,
            has_conflict=serializer.validated_data["has_conflict"],
            note=serializer.validated_data.get("note", ""),
            user=request.user,
        )
        return self._panel_output(tender)

    @extend_schema(
        methods=["get"],
        responses=ScoreSerializer(many=True),
        parameters=[TENDER_ID_PARAMETER],
        operation_id="tender_scores",
    )
    @extend_schema(
        methods=["post"],
        request=ScoresInputSerializer,
        responses=ScoreSerializer(many=True),
        parameters=[TENDER_ID_PARAMETER],
        operation_id="tender_save_scores",
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[], pagination_class=None)
    def scores(self, request, *args, **kwargs):
        """Panel scores you may read: your own, and the others' once you have submitted yours.

        POST saves your scores (0–10) of one bid, as a draft, until you submit them.
        """
        tender = self.get_object()
        self._panel(tender)
        if request.method == "POST":
            member = self._member(tender)
            serializer = ScoresInputSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
            bid = bid_selectors.bid_for(request.user, data["bid"])
            if bid is None or bid.tender_id != tender.pk:
                raise serializers.ValidationError({"bid": [_("No such bid on this tender.")]})
            lines = {
                criterion_by_number(tender, line["criterion"], field="scores"): line
                for line in data["scores"]
            }
            panel_services.save_scores(
                member=member,
                bid=bid,
                scores={criterion: line["score"] for criterion, line in lines.items()},
                comments={criterion: line.get("comment", "") for criterion, line in lines.items()},
                user=request.user,
            )
        scores = panel_selectors.scores_visible_to(request.user, tender)
        return Response(ScoreSerializer(scores, many=True).data)

    @extend_schema(
        request=None, responses=SubmittedScoresSerializer, parameters=[TENDER_ID_PARAMETER]
    )
    @action(detail=True, methods=["post"], url_path="scores/submit")
    def submit_scores(self, request, *args, **kwargs):
        """Submit all your scores at once; then you see the others' submitted scores."""
        tender = self.get_object()
        count = panel_services.submit_scores(member=self._member(tender), user=request.user)
        return Response({"submitted": count})

    def _chair_panel(self, tender: Tender):
        panel = self._panel(tender)
        if not marketplace_rules.is_panel_chair(self.request.user, tender):
            raise exceptions.PermissionDenied(_("Only the chair of the panel moderates."))
        return panel

    def _moderation_output(self, tender: Tender, panel) -> Response:
        lines = panel_selectors.moderation_lines(tender)
        if not panel_selectors.all_scores_submitted(panel):
            # Members' scores are shown to the chair once every member has submitted.
            lines = [replace(line, scores=[]) for line in lines]
        return Response(ModerationLineSerializer(lines, many=True).data)

    @extend_schema(
        methods=["get"],
        responses=ModerationLineSerializer(many=True),
        parameters=[TENDER_ID_PARAMETER],
        operation_id="tender_moderation",
    )
    @extend_schema(
        methods=["post"],
        request=ModerationInputSerializer,
        responses=ModerationLineSerializer(many=True),
        parameters=[TENDER_ID_PARAMETER],
        operation_id="tender_moderate",
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[], pagination_class=None)
    def moderation(self, request, *args, **kwargs):
        """The chair's moderation: every submitted bid × criterion with the members' scores
        (once all have submitted), disagreements flagged; POST sets an agreed score."""
        tender = self.get_object()
        panel = self._chair_panel(tender)
        if request.method == "POST":
            serializer = ModerationInputSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
            bid = bid_selectors.bid_for(request.user, data["bid"])
            if bid is None or bid.tender_id != tender.pk:
                raise serializers.ValidationError({"bid": [_("No such bid on this tender.")]})
            panel_services.moderate(
                panel=panel,
                bid=bid,
                criterion=criterion_by_number(tender, data["criterion"], field="criterion"),
                score=data["score"],
                note=data.get("note", ""),
                chair=request.user,
            )
        return self._moderation_output(tender, panel)

    @extend_schema(request=None, responses=PanelSerializer, parameters=[TENDER_ID_PARAMETER])
    @action(detail=True, methods=["post"], url_path="moderation/lock")
    def lock_moderation(self, request, *args, **kwargs):
        """Lock the quality scores: prices are revealed and results computed."""
        tender = self.get_object()
        panel_services.lock_moderation(panel=self._chair_panel(tender), chair=request.user)
        return self._panel_output(tender)

    @extend_schema(responses=ResultSerializer(many=True), parameters=[TENDER_ID_PARAMETER])
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def results(self, request, *args, **kwargs):
        """Points and ranks per lot, for the evaluators once prices are revealed."""
        tender = self.get_object()
        results = panel_selectors.results_for(request.user, tender)
        return Response(ResultSerializer(results, many=True).data)

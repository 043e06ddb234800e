"""Questions about a tender and their published answers; the asker stays hidden."""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from marketplace.api.common import (
    TENDER_ID_PARAMETER,
    UUID_PATTERN,
    OrganizationReferenceSerializer,
)
from marketplace.models.clarifications import Clarification
from marketplace.models.tenders import Tender
from marketplace.selectors import clarifications as clarification_selectors
from marketplace.selectors import tenders as tender_selectors
from marketplace.services import clarifications as clarification_services


class ClarificationSerializer(serializers.Serializer):
    """A question and its published answer.

    ``asked_by_organization`` is present only for the asking provider and the
    lead agency: naming the asker would tell other bidders who is bidding.
    """

    uuid = serializers.UUIDField()
    question = serializers.CharField()
    asked_at = serializers.DateTimeField()
    answer = serializers.CharField(help_text=_("Empty until the answer is published"))
    answered_at = serializers.DateTimeField(allow_null=True)
    published = serializers.BooleanField()
    asked_by_us = serializers.BooleanField(
        help_text=_("True when your organization asked this question")
    )
    asked_by_organization = OrganizationReferenceSerializer(
        required=False,
        help_text=_("Only for the asking provider and the lead agency; absent for everyone else"),
    )

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if instance.asked_by_organization is None:
            # Absent, not null: nothing in the answer hints at who asked.
            data.pop("asked_by_organization", None)
        return data


class QuestionInputSerializer(serializers.Serializer):
    question = serializers.CharField(allow_blank=True)


class AnswerInputSerializer(serializers.Serializer):
    answer = serializers.CharField(allow_blank=True)


def _visible_clarification(user, tender: Tender, clarification_uuid):
    """The clarification as ``user`` may see it, or 404 (the selector decides what shows)."""
    for clarification in clarification_selectors.clarifications_for(user, tender):
        if clarification.uuid == clarification_uuid:
            return clarification
    raise Http404


class TenderClarificationActions:
    """``/tenders/{id}/clarifications/``: the questions of a tender; providers ask."""

    @extend_schema(
        methods=["get"],
        responses=ClarificationSerializer(many=True),
        parameters=[TENDER_ID_PARAMETER],
        operation_id="tender_clarifications",
    )
    @extend_schema(
        methods=["post"],
        request=QuestionInputSerializer,
        responses={201: ClarificationSerializer},
        parameters=[TENDER_ID_PARAMETER],
        operation_id="tender_ask_question",
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[], pagination_class=None)
    def clarifications(self, request, *args, **kwargs):
        """Questions and published answers; the asker is named only to itself and the agency.

        A provider's people ask with POST while the question period is open.
        """
        tender = self.get_object()
        if request.method == "POST":
            serializer = QuestionInputSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            asked = clarification_services.ask_question(
                tender=tender, question=serializer.validated_data["question"], actor=request.user
            )
            visible = _visible_clarification(request.user, tender, asked.uuid)
            return Response(ClarificationSerializer(visible).data, status=status.HTTP_201_CREATED)
        visible = clarification_selectors.clarifications_for(request.user, tender)
        return Response(ClarificationSerializer(visible, many=True).data)


class ClarificationViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """One question about a tender, as the user may see it; the lead agency answers it."""

    serializer_class = ClarificationSerializer
    # Public by design for reads (published answers, without the asker); answering
    # is checked by the service against the lead agency's commissioners.
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    lookup_field = "uuid"
    lookup_value_regex = UUID_PATTERN

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Clarification.objects.none()
        return Clarification.objects.filter(
            tender__in=tender_selectors.tenders_visible_to(self.request.user)
        ).select_related("tender")

    def get_object(self):
        clarification = super().get_object()
        # Present in the queryset is not enough: an unpublished question of another
        # provider answers 404 like one that never existed.
        _visible_clarification(self.request.user, clarification.tender, clarification.uuid)
        return clarification

    def retrieve(self, request, *args, **kwargs):
        clarification = self.get_object()
        visible = _visible_clarification(request.user, clarification.tender, clarification.uuid)
        return Response(ClarificationSerializer(visible).data)

    @extend_schema(request=AnswerInputSerializer, responses=ClarificationSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, *args, **kwargs):
        """Answer the question; the answer is published at once and interested providers alerted."""
        clarification = self.get_object()
        serializer = AnswerInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        clarification_services.answer_question(
            clarification=clarification,
            answer=serializer.validated_data["answer"],
            actor=request.user,
        )
        visible = _visible_clarification(request.user, clarification.tender, clarification.uuid)
        return Response(ClarificationSerializer(visible).data)

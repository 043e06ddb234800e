"""Contracts: ``/contracts/`` and ``/contracts/{uuid}/``, with the contract-scoped routes of
the modules beside this one (versions, milestones, notices).

A contract is seen by the lead agency's commissioners, finance officers and
supervisors, the provider's people and the finance officers of each funder whose
money backs it (``selectors.contracts``); to anybody else it answers 404. A
commissioner of the lead agency sends a draft for signature, suspends, resumes,
terminates and completes it. Signing is not offered over the API: it needs the
signatory to enter their password again on the contract's page.
"""

import django_filters
from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from contracts.api.common import (
    UUID_PATTERN,
    ContractNoteInputSerializer,
    ContractReasonInputSerializer,
    PartySerializer,
)
from contracts.api.documents import ContractVersionActions
from contracts.api.notices import ContractNoticeActions
from contracts.api.payments import (
    ClaimableMilestoneSerializer,
    ContractMilestoneActions,
    MilestoneSerializer,
    claim_states,
)
from contracts.models.contracts import Contract
from contracts.models.funding import FundingShare
from contracts.models.kpis import KPI, OutcomeTarget
from contracts.selectors.contracts import contract_for, contracts_visible_to
from contracts.services import contracts as contract_services


class KPISerializer(serializers.ModelSerializer):
    class Meta:
        model = KPI
        fields = [
            "number",
            "name_zh",
            "name_en",
            "unit",
            "baseline",
            "target",
            "measured_by",
            "measure",
        ]
        read_only_fields = fields
        # "" for a KPI the platform does not count (DRF drops ``allow_blank`` from
        # read-only fields; the schema's enum must admit it).
        extra_kwargs = {"measure": {"allow_blank": True}}


class OutcomeTargetSerializer(serializers.ModelSerializer):
    class Meta:
        model = OutcomeTarget
        fields = ["number", "description_zh", "description_en", "outcome_kind", "target", "unit"]
        read_only_fields = fields
        extra_kwargs = {"outcome_kind": {"allow_blank": True}}


class FundingShareSerializer(serializers.ModelSerializer):
    """One funder's share of the contract's value, to the fen."""

    funder = PartySerializer(read_only=True)

    class Meta:
        model = FundingShare
        fields = ["funder", "amount"]
        read_only_fields = fields


class ContractSerializer(serializers.ModelSerializer):
    """A contract: parties, value, period, what it buys and promises, how it is paid.

    In the list, milestones leave out whether each can be claimed now: open the
    contract (or its ``milestones/``) for that.
    """

    lead_agency = PartySerializer(read_only=True)
    provider = PartySerializer(source="provider.organization", read_only=True)
    tender = serializers.CharField(
        source="award.tender.reference", read_only=True, help_text=_("The tender's reference")
    )
    lot = serializers.IntegerField(source="lot.number", read_only=True, help_text=_("Lot number"))
    award = serializers.UUIDField(source="award.uuid", read_only=True)
    categories = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True, help_text=_("Need category codes")
    )
    areas = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True, help_text=_("12-digit GB/T 2260 area codes")
    )
    funding = FundingShareSerializer(source="funding_shares", many=True, read_only=True)
    kpis = KPISerializer(many=True, read_only=True)
    outcome_targets = OutcomeTargetSerializer(many=True, read_only=True)
    milestones = MilestoneSerializer(many=True, read_only=True)

    class Meta:
        model = Contract
        fields = [
            "uuid",
            "reference",
            "title_zh",
            "title_en",
            "scope_zh",
            "scope_en",
            "status",
            "status_changed_at",
            "status_reason",
            "activated_at",
            "lead_agency",
            "provider",
            "tender",
            "lot",
            "award",
            "value",
            "start_date",
            "end_date",
            "report_every_months",
            "price_adjustment_cap",
            "price_adjustment_index",
            "categories",
            "areas",
            "funding",
            "kpis",
            "outcome_targets",
            "milestones",
            "created_at",
        ]
        read_only_fields = fields


class ContractDetailSerializer(ContractSerializer):
    """One contract opened: each milestone also says whether it can be claimed now
    (``claim_states`` of the contract in the context)."""

    milestones = ClaimableMilestoneSerializer(many=True, read_only=True)


class ContractFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Contract.Status.choices)

    class Meta:
        model = Contract
        fields = ["status"]


def _contracts(user):
    """The contracts ``user`` may see, with what a row of the list shows, in fixed queries."""
    return contracts_visible_to(user).prefetch_related(
        "kpis",
        "outcome_targets",
        "milestones",
        Prefetch("funding_shares", queryset=FundingShare.objects.select_related("funder")),
    )


@extend_schema_view(retrieve=extend_schema(responses=ContractDetailSerializer))
class ContractViewSet(
    ContractVersionActions,
    ContractMilestoneActions,
    ContractNoticeActions,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Contracts your agency leads, your provider holds or your money backs, newest first;
    ``?status=active``.

    A commissioner of the lead agency sends a complete draft for signature, suspends
    and resumes it, terminates it with a reason, and completes it once every milestone
    is settled. Signing is not offered over the API: each party's signatory signs on
    the contract's page, after entering their password again.
    """

    serializer_class = ContractSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_class = ContractFilter
    lookup_field = "uuid"
    lookup_value_regex = UUID_PATTERN

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Contract.objects.none()
        return _contracts(self.request.user)

    def get_object(self):
        contract = contract_for(self.request.user, self.kwargs["uuid"])
        if contract is None:
            raise Http404
        return contract

    def _output(self, contract: Contract) -> Response:
        fresh = contract_for(self.request.user, contract.uuid)
        context = {
            **self.get_serializer_context(),
            "claim_states": claim_states(fresh, fresh.milestones.all()),
        }
        return Response(ContractDetailSerializer(fresh, context=context).data)

    def retrieve(self, request, *args, **kwargs):
        return self._output(self.get_object())

    @extend_schema(request=ContractNoteInputSerializer, responses=ContractDetailSerializer)
    @action(detail=True, methods=["post"])
    def send(self, request, *args, **kwargs):
        """Send a complete draft to both parties' signatories (the terms are fixed from now on).

        Refused with what is missing, per field, until the draft is complete.
        """
        contract = self.get_object()
        serializer = ContractNoteInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        contract_services.send_for_signature(
            contract=contract, actor=request.user, note=serializer.validated_data.get("note", "")
        )
        return self._output(contract)

    @extend_schema(request=ContractReasonInputSerializer, responses=ContractDetailSerializer)
    @action(detail=True, methods=["post"])
    def suspend(self, request, *args, **kwargs):
        """Pause an active contract, with a reason both parties read; payments wait."""
        contract = self.get_object()
        serializer = ContractReasonInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        contract_services.suspend_contract(
            contract=contract, actor=request.user, reason=serializer.validated_data["reason"]
        )
        return self._output(contract)

    @extend_schema(request=ContractNoteInputSerializer, responses=ContractDetailSerializer)
    @action(detail=True, methods=["post"])
    def resume(self, request, *args, **kwargs):
        """Put a suspended contract back in force."""
        contract = self.get_object()
        serializer = ContractNoteInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        contract_services.resume_contract(
            contract=contract, actor=request.user, note=serializer.validated_data.get("note", "")
        )
        return self._output(contract)

    @extend_schema(request=ContractReasonInputSerializer, responses=ContractDetailSerializer)
    @action(detail=True, methods=["post"])
    def terminate(self, request, *args, **kwargs):
        """End the contract early, with a reason; what was not paid goes back to the budget."""
        contract = self.get_object()
        serializer = ContractReasonInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        contract_services.terminate_contract(
            contract=contract, actor=request.user, reason=serializer.validated_data["reason"]
        )
        return self._output(contract)

    @extend_schema(request=ContractNoteInputSerializer, responses=ContractDetailSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, *args, **kwargs):
        """Close an active contract once every milestone is paid or waived."""
        contract = self.get_object()
        serializer = ContractNoteInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        contract_services.complete_contract(
            contract=contract, actor=request.user, note=serializer.validated_data.get("note", "")
        )
        return self._output(contract)


ROUTES = [("contracts", ContractViewSet, "api-contracts")]

"""Milestones, payment claims and payments: ``/contracts/{uuid}/milestones/``, ``/claims/``
and ``/payments/``.

The provider's administrator claims a milestone whose condition is met (POST ``/claims/``
with the contract and the milestone's number); a commissioner of the lead agency confirms
the evidence or returns the claim; a finance officer of the lead agency who did not confirm
it approves, and the payment is drawn from the pooled budget, split across the funders.
Whether a milestone can be claimed now is ``services.payments.claim_terms``, read once per
contract (output milestones count the platform's referrals).
"""

from dataclasses import dataclass

import django_filters
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from contracts.api.common import (
    MAX_NUMBER,
    UUID_PATTERN,
    ContractNoteInputSerializer,
    ContractReasonInputSerializer,
    ContractReferenceSerializer,
    ContractScopedFilter,
    MilestoneReferenceSerializer,
    PartySerializer,
    PersonReferenceSerializer,
    PersonsForPartiesMixin,
    contract_from_input,
    uuid_or_none,
)
from contracts.models.contracts import Contract
from contracts.models.milestones import Milestone
from contracts.models.payments import OPEN_CLAIM_STATES, Claim, Payment, PaymentShare
from contracts.selectors import records
from contracts.selectors.measures import measures_for_contract_period
from contracts.services import payments as payment_services


@dataclass(frozen=True)
class ClaimState:
    """Whether a milestone can be claimed now, why not, and what a claim would pay."""

    claimable: bool
    reason: str
    amount: object
    count: int | None


def claim_states(contract: Contract, milestones) -> dict[int, ClaimState]:
    """Each pending milestone's claim state, by milestone id, in a fixed few queries.

    The referral data behind output milestones is read once for the contract, and
    only when one of them could be claimed (the contract is in force).
    """
    milestones = list(milestones)
    pending = [m for m in milestones if m.status == Milestone.Status.PENDING]
    if not pending:
        return {}
    measures = None
    if contract.status == Contract.Status.ACTIVE and any(
        m.kind == Milestone.Kind.OUTPUT for m in pending
    ):
        measures = measures_for_contract_period(contract)
    claimed = set(
        contract.claims.filter(status__in=OPEN_CLAIM_STATES).values_list("milestone_id", flat=True)
    )
    refusal = ""
    if contract.status == Contract.Status.SUSPENDED:
        refusal = str(payment_services.SUSPENDED)
    elif contract.status != Contract.Status.ACTIVE:
        refusal = str(payment_services.NOT_IN_FORCE)
    states = {}
    for milestone in pending:
        milestone.contract = contract
        terms = payment_services.claim_terms(milestone, measures=measures)
        reason = terms.reason
        if terms.claimable and milestone.pk in claimed:
            reason = str(payment_services.ALREADY_CLAIMED)
        elif terms.claimable and refusal:
            reason = refusal
        states[milestone.pk] = ClaimState(
            claimable=terms.claimable and not reason,
            reason=reason,
            amount=terms.amount,
            count=terms.count,
        )
    return states


class MilestoneSerializer(serializers.ModelSerializer):
    """A milestone of a contract, as the list of contracts shows it."""

    output_measure = serializers.CharField(
        read_only=True,
        help_text=_(
            "For an output milestone: what is counted (the values of a KPI's measure, e.g. "
            "referrals_completed)"
        ),
    )

    class Meta:
        model = Milestone
        fields = [
            "number",
            "kind",
            "title_zh",
            "title_en",
            "due_date",
            "amount",
            "output_measure",
            "output_target",
            "outcome_kind",
            "outcome_price",
            "status",
            "status_changed_at",
            "waived_reason",
        ]
        read_only_fields = fields
        # "" unless an outcome milestone (DRF drops ``allow_blank`` from read-only fields).
        extra_kwargs = {"outcome_kind": {"allow_blank": True}}


class ClaimableMilestoneSerializer(MilestoneSerializer):
    """A milestone opened on its contract (its page or its ``milestones/``), with whether
    it can be claimed now: needs ``claim_states`` of the contract in the context."""

    claimable = serializers.SerializerMethodField(
        help_text=_("True when the provider's administrator can claim it now")
    )
    not_claimable_because = serializers.SerializerMethodField(
        help_text=_("Why it cannot be claimed now; empty when it can")
    )
    claim_amount = serializers.SerializerMethodField(
        help_text=_("What a claim made now would pay (CNY)")
    )
    counted = serializers.SerializerMethodField(
        help_text=_("For an output milestone: the count so far in the contract period")
    )

    class Meta(MilestoneSerializer.Meta):
        fields = [
            *MilestoneSerializer.Meta.fields,
            "claimable",
            "not_claimable_because",
            "claim_amount",
            "counted",
        ]
        read_only_fields = fields

    def _state(self, milestone) -> ClaimState | None:
        """The claim state of a pending milestone; None once it is paid or waived."""
        return self.context["claim_states"].get(milestone.pk)

    def get_claimable(self, milestone) -> bool:
        state = self._state(milestone)
        return bool(state and state.claimable)

    def get_not_claimable_because(self, milestone) -> str:
        state = self._state(milestone)
        return state.reason if state else str(payment_services.NOT_PENDING)

    @extend_schema_field(serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True))
    def get_claim_amount(self, milestone):
        state = self._state(milestone)
        return None if state is None else f"{state.amount:.2f}"

    def get_counted(self, milestone) -> int | None:
        state = self._state(milestone)
        return None if state is None else state.count


class ContractMilestoneActions:
    """``/contracts/{uuid}/milestones/``: the milestones, and whether each is claimable now."""

    @extend_schema(
        responses=ClaimableMilestoneSerializer(many=True), operation_id="contract_milestones"
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def milestones(self, request, *args, **kwargs):
        """The contract's milestones, with whether each can be claimed now and why not."""
        contract = self.get_object()
        milestones = list(records.milestones_visible_to(request.user).filter(contract=contract))
        context = {"request": request, "claim_states": claim_states(contract, milestones)}
        return Response(ClaimableMilestoneSerializer(milestones, many=True, context=context).data)


class ClaimSerializer(PersonsForPartiesMixin, serializers.ModelSerializer):
    """A payment claim. The people who acted are named to the parties only."""

    contract = ContractReferenceSerializer(read_only=True)
    milestone = MilestoneReferenceSerializer(read_only=True)
    payment = serializers.SerializerMethodField(help_text=_("UUID of the payment, once approved"))
    claimed_by = PersonReferenceSerializer(read_only=True, required=False, allow_null=True)
    confirmed_by = PersonReferenceSerializer(read_only=True, required=False, allow_null=True)
    approved_by = PersonReferenceSerializer(read_only=True, required=False, allow_null=True)
    returned_by = PersonReferenceSerializer(read_only=True, required=False, allow_null=True)

    person_fields = ("claimed_by", "confirmed_by", "approved_by", "returned_by")

    class Meta:
        model = Claim
        fields = [
            "uuid",
            "contract",
            "milestone",
            "amount",
            "evidence",
            "note",
            "status",
            "status_changed_at",
            "claimed_at",
            "confirmed_at",
            "approved_at",
            "returned_reason",
            "payment",
            "claimed_by",
            "confirmed_by",
            "approved_by",
            "returned_by",
        ]
        read_only_fields = fields

    def get_payment(self, claim) -> str | None:
        payment = getattr(claim, "payment", None) if claim.status == Claim.Status.APPROVED else None
        return str(payment.uuid) if payment else None


class ClaimInputSerializer(serializers.Serializer):
    contract = serializers.UUIDField(help_text=_("UUID of the contract"))
    milestone = serializers.IntegerField(
        min_value=1, max_value=MAX_NUMBER, help_text=_("The milestone's number within the contract")
    )
    note = serializers.CharField(required=False, allow_blank=True)


class ClaimFilter(ContractScopedFilter):
    status = django_filters.MultipleChoiceFilter(choices=Claim.Status.choices)

    class Meta:
        model = Claim
        fields = ["contract", "status"]


def _claims(user):
    return records.claims_visible_to(user).select_related("payment")


@extend_schema_view(
    create=extend_schema(request=ClaimInputSerializer, responses={201: ClaimSerializer}),
)
class ClaimViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Payment claims of the contracts you may see, newest first; ``?contract=<uuid>``,
    ``?status=submitted``.

    The provider's administrator claims (POST, with the contract's UUID and the
    milestone's number); a commissioner of the lead agency confirms or returns;
    a finance officer of the lead agency approves (not the one who confirmed).
    """

    serializer_class = ClaimSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_class = ClaimFilter
    lookup_field = "uuid"
    lookup_value_regex = UUID_PATTERN

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Claim.objects.none()
        return _claims(self.request.user)

    def get_object(self):
        claim = records.claim_for(self.request.user, self.kwargs["uuid"])
        if claim is None:
            raise Http404
        return claim

    def _output(self, claim: Claim, status_code=status.HTTP_200_OK) -> Response:
        fresh = _claims(self.request.user).get(pk=claim.pk)
        return Response(
            ClaimSerializer(fresh, context=self.get_serializer_context()).data, status=status_code
        )

    def create(self, request, *args, **kwargs):
        serializer = ClaimInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        contract = contract_from_input(request.user, data["contract"])
        milestone = (
            records.milestones_visible_to(request.user)
            .filter(contract=contract, number=data["milestone"])
            .first()
        )
        if milestone is None:
            raise serializers.ValidationError(
                {
                    "milestone": [
                        _("The contract has no milestone number %(number)s.")
                        % {"number": data["milestone"]}
                    ]
                }
            )
        claim = payment_services.claim_milestone(
            milestone=milestone, actor=request.user, note=data.get("note", "")
        )
        return self._output(claim, status.HTTP_201_CREATED)

    @extend_schema(request=ContractNoteInputSerializer, responses=ClaimSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, *args, **kwargs):
        """A commissioner of the lead agency has checked the evidence: finance approves next."""
        claim = self.get_object()
        serializer = ContractNoteInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        payment_services.confirm_claim(
            claim=claim, actor=request.user, note=serializer.validated_data.get("note", "")
        )
        return self._output(claim)

    @extend_schema(request=ContractReasonInputSerializer, responses=ClaimSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_claim(self, request, *args, **kwargs):
        """Send the claim back with the reason; the provider may claim again."""
        claim = self.get_object()
        serializer = ContractReasonInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        payment_services.return_claim(
            claim=claim, actor=request.user, reason=serializer.validated_data["reason"]
        )
        return self._output(claim)

    @extend_schema(request=None, responses=ClaimSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, *args, **kwargs):
        """A finance officer of the lead agency who did not confirm the claim pays it."""
        claim = self.get_object()
        payment_services.approve_claim(claim=claim, actor=request.user)
        return self._output(claim)


class PaymentShareSerializer(serializers.ModelSerializer):
    funder = PartySerializer(read_only=True)

    class Meta:
        model = PaymentShare
        fields = ["funder", "amount"]
        read_only_fields = fields


class PaymentSerializer(PersonsForPartiesMixin, serializers.ModelSerializer):
    """A payment and each funder's part of it, to the fen."""

    contract = ContractReferenceSerializer(read_only=True)
    milestone = MilestoneReferenceSerializer(read_only=True)
    claim = serializers.UUIDField(source="claim.uuid", read_only=True)
    shares = PaymentShareSerializer(many=True, read_only=True)
    approved_by = PersonReferenceSerializer(read_only=True, required=False, allow_null=True)

    person_fields = ("approved_by",)

    class Meta:
        model = Payment
        fields = [
            "uuid",
            "contract",
            "milestone",
            "claim",
            "amount",
            "paid_at",
            "shares",
            "approved_by",
        ]
        read_only_fields = fields


class PaymentFilter(ContractScopedFilter):
    class Meta:
        model = Payment
        fields = ["contract"]


def _payments(user):
    return records.payments_visible_to(user).select_related("claim", "contract__provider")


class PaymentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Payments of the contracts you may see, newest first, each split across its funders;
    ``?contract=<uuid>``. Payments are made by approving a claim."""

    serializer_class = PaymentSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_class = PaymentFilter
    lookup_field = "uuid"
    lookup_value_regex = UUID_PATTERN

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Payment.objects.none()
        return _payments(self.request.user)

    def get_object(self):
        uuid = uuid_or_none(self.kwargs["uuid"])
        payment = _payments(self.request.user).filter(uuid=uuid).first() if uuid else None
        if payment is None:
            raise Http404
        return payment


ROUTES = [
    ("claims", ClaimViewSet, "api-contract-claims"),
    ("payments", PaymentViewSet, "api-contract-payments"),
]

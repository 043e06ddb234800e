"""Pooled budgets and contributions: ``/api/v1/budgets/`` and ``/api/v1/contributions/``."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import Organization
from marketplace.api.common import (
    UUID_PATTERN,
    CodeField,
    OrganizationReferenceSerializer,
    categories_field,
    commissioner_agency,
)
from marketplace.models.budgets import Contribution, PooledBudget
from marketplace.selectors import budgets as budget_selectors
from marketplace.services import budgets as budget_services


class ContributionSerializer(serializers.ModelSerializer):
    budget = serializers.UUIDField(source="budget.uuid", read_only=True)
    funder = OrganizationReferenceSerializer(read_only=True)
    earmarked_categories = CodeField(many=True, read_only=True)

    class Meta:
        model = Contribution
        fields = [
            "uuid",
            "budget",
            "funder",
            "amount",
            "year",
            "source",
            "earmarked_categories",
            "status",
            "note",
            "approved_at",
            "withdrawn_at",
            "created_at",
        ]
        read_only_fields = fields


# A sum of many contributions can exceed what one amount may hold (14 digits).
SUM_DIGITS = 20


class LedgerLineSerializer(serializers.Serializer):
    """One funder's share: approved, still pending approval, committed, spent, available."""

    funder = OrganizationReferenceSerializer()
    contributed = serializers.DecimalField(max_digits=SUM_DIGITS, decimal_places=2)
    pending = serializers.DecimalField(max_digits=SUM_DIGITS, decimal_places=2)
    committed = serializers.DecimalField(max_digits=SUM_DIGITS, decimal_places=2)
    spent = serializers.DecimalField(max_digits=SUM_DIGITS, decimal_places=2)
    available = serializers.DecimalField(max_digits=SUM_DIGITS, decimal_places=2)


class LedgerSerializer(serializers.Serializer):
    """Totals of the budget and one line per funder."""

    contributed = serializers.DecimalField(max_digits=SUM_DIGITS, decimal_places=2)
    pending = serializers.DecimalField(max_digits=SUM_DIGITS, decimal_places=2)
    committed = serializers.DecimalField(max_digits=SUM_DIGITS, decimal_places=2)
    spent = serializers.DecimalField(max_digits=SUM_DIGITS, decimal_places=2)
    available = serializers.DecimalField(max_digits=SUM_DIGITS, decimal_places=2)
    funders = LedgerLineSerializer(many=True, source="lines")


class BudgetSerializer(serializers.ModelSerializer):
    lead_agency = OrganizationReferenceSerializer(read_only=True)

    class Meta:
        model = PooledBudget
        fields = [
            "uuid",
            "lead_agency",
            "name_zh",
            "name_en",
            "description",
            "first_year",
            "last_year",
            "created_at",
        ]
        read_only_fields = fields


class BudgetDetailSerializer(BudgetSerializer):
    """A budget with its ledger per funder and every contribution."""

    ledger = serializers.SerializerMethodField()
    contributions = serializers.SerializerMethodField()

    class Meta(BudgetSerializer.Meta):
        fields = [*BudgetSerializer.Meta.fields, "ledger", "contributions"]
        read_only_fields = fields

    @extend_schema_field(LedgerSerializer)
    def get_ledger(self, budget):
        return LedgerSerializer(budget_selectors.budget_ledger(budget)).data

    @extend_schema_field(ContributionSerializer(many=True))
    def get_contributions(self, budget):
        return ContributionSerializer(budget_selectors.contributions_of(budget), many=True).data


class BudgetInputSerializer(serializers.Serializer):
    lead_agency = serializers.SlugRelatedField(
        slug_field="uuid",
        queryset=Organization.objects.filter(kind=Organization.Kind.AGENCY),
        required=False,
        help_text=_("UUID of the agency leading the budget; default: your only agency"),
    )
    name_zh = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=250, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    first_year = serializers.IntegerField(min_value=2000, max_value=2100)
    last_year = serializers.IntegerField(min_value=2000, max_value=2100)


class ContributionInputSerializer(serializers.Serializer):
    funder = serializers.SlugRelatedField(
        slug_field="uuid",
        queryset=Organization.objects.filter(kind=Organization.Kind.AGENCY, is_active=True),
        help_text=_("UUID of the agency or fund contributing"),
    )
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    source = serializers.ChoiceField(choices=Contribution.Source.choices)
    earmarked_categories = categories_field(required=False)
    note = serializers.CharField(required=False, allow_blank=True)


@extend_schema_view(
    retrieve=extend_schema(responses=BudgetDetailSerializer),
    create=extend_schema(request=BudgetInputSerializer, responses={201: BudgetDetailSerializer}),
)
class BudgetViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Pooled budgets the user's agency leads or funds; a budget's page has its ledger.

    A commissioner creates a budget (POST) and records contributions
    (POST ``contributions/``); the funder's finance officer approves them
    (``/contributions/{uuid}/approve/``).
    """

    serializer_class = BudgetSerializer
    permission_classes = [permissions.IsAuthenticated]
    lookup_field = "uuid"
    lookup_value_regex = UUID_PATTERN

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return PooledBudget.objects.none()
        return budget_selectors.budgets_visible_to(self.request.user)

    def get_serializer_class(self):
        return BudgetDetailSerializer if self.action == "retrieve" else BudgetSerializer

    def _output(self, budget: PooledBudget, status_code=status.HTTP_200_OK) -> Response:
        fresh = budget_selectors.budgets_visible_to(self.request.user).get(pk=budget.pk)
        return Response(BudgetDetailSerializer(fresh).data, status=status_code)

    def create(self, request, *args, **kwargs):
        serializer = BudgetInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        lead_agency = commissioner_agency(request.user, data.pop("lead_agency", None))
        budget = budget_services.create_budget(lead_agency=lead_agency, actor=request.user, **data)
        return self._output(budget, status.HTTP_201_CREATED)

    @extend_schema(
        methods=["get"],
        responses=ContributionSerializer(many=True),
        operation_id="budget_contributions",
    )
    @extend_schema(
        methods=["post"],
        request=ContributionInputSerializer,
        responses={201: ContributionSerializer},
        operation_id="budget_add_contribution",
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[], pagination_class=None)
    def contributions(self, request, *args, **kwargs):
        """The budget's contributions; POST records a funder's pledge (counted once approved)."""
        budget = self.get_object()
        if request.method == "GET":
            return Response(
                ContributionSerializer(budget_selectors.contributions_of(budget), many=True).data
            )
        serializer = ContributionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        contribution = budget_services.add_contribution(
            budget=budget, actor=request.user, **serializer.validated_data
        )
        return Response(
            ContributionSerializer(
                budget_selectors.contributions_of(budget).get(pk=contribution.pk)
            ).data,
            status=status.HTTP_201_CREATED,
        )


class ContributionViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """One contribution of a budget the user may see; its funder's finance officer approves it."""

    serializer_class = ContributionSerializer
    permission_classes = [permissions.IsAuthenticated]
    lookup_field = "uuid"
    lookup_value_regex = UUID_PATTERN

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Contribution.objects.none()
        return (
            Contribution.objects.filter(
                budget__in=budget_selectors.budgets_visible_to(self.request.user)
            )
            .select_related("budget", "funder")
            .prefetch_related("earmarked_categories")
        )

    def _output(self, contribution: Contribution) -> Response:
        return Response(ContributionSerializer(self.get_queryset().get(pk=contribution.pk)).data)

    @extend_schema(request=None, responses=ContributionSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, *args, **kwargs):
        """The funder's finance officer approves its contribution; from now on it counts."""
        contribution = budget_services.approve_contribution(
            contribution=self.get_object(), actor=request.user
        )
        return self._output(contribution)

    @extend_schema(request=None, responses=ContributionSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, *args, **kwargs):
        """Take a contribution back, as long as none of it is committed to an award."""
        contribution = budget_services.withdraw_contribution(
            contribution=self.get_object(), actor=request.user
        )
        return self._output(contribution)

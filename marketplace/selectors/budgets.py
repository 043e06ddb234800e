"""Pooled budgets, their contributions and the ledger.

Budgets are seen by the lead agency's and the funders' commissioners,
finance officers and supervisors (platform administrators read all); a
budget outside that scope is simply not in the queryset, so views answer 404.
The ledger sums contributions and commitments with a fixed number of
aggregate queries however long it grows.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from accounts.models import Organization, Role
from accounts.rules import is_platform_admin, organizations_where
from marketplace.models.budgets import Commitment, Contribution, PooledBudget
from marketplace.rules import BUDGET_VIEWER_ROLES
from taxonomy.models import NeedCategory

ZERO = Decimal("0.00")


def budgets_visible_to(user) -> QuerySet[PooledBudget]:
    """Budgets the user's agency leads or funds; every budget for platform administrators."""
    budgets = PooledBudget.objects.select_related("lead_agency", "created_by")
    if is_platform_admin(user):
        return budgets
    agencies = organizations_where(user, *BUDGET_VIEWER_ROLES)
    if not agencies:
        return budgets.none()
    funded = Contribution.objects.filter(funder_id__in=agencies).values("budget_id")
    return budgets.filter(Q(lead_agency_id__in=agencies) | Q(pk__in=funded))


def contributions_of(budget: PooledBudget) -> QuerySet[Contribution]:
    """A budget's contributions with funder, people and earmarks, for its pages."""
    return (
        Contribution.objects.filter(budget=budget)
        .select_related("funder", "approved_by", "created_by")
        .prefetch_related("earmarked_categories")
        .order_by("year", "funder__name_zh", "pk")
    )


def contributions_to_approve(user) -> QuerySet[Contribution]:
    """Pledges of the agencies where the user is a finance officer, still awaiting approval."""
    return (
        Contribution.objects.filter(
            funder_id__in=organizations_where(user, Role.FINANCE),
            status=Contribution.Status.PENDING,
        )
        .select_related("budget__lead_agency", "funder", "created_by")
        .prefetch_related("earmarked_categories")
        .order_by("created_at", "pk")
    )


@dataclass(frozen=True)
class LedgerLine:
    """One funder's share of a budget: "where my share went"."""

    funder: Organization
    contributed: Decimal  # approved contributions
    pending: Decimal  # recorded but not yet approved by the funder: not counted
    committed: Decimal  # reserved for awards, net of releases
    spent: Decimal  # paid out of committed money
    available: Decimal  # contributed − committed


@dataclass(frozen=True)
class BudgetLedger:
    budget: PooledBudget
    lines: list[LedgerLine] = field(default_factory=list)

    def _total(self, name) -> Decimal:
        return sum((getattr(line, name) for line in self.lines), ZERO)

    @property
    def contributed(self) -> Decimal:
        return self._total("contributed")

    @property
    def pending(self) -> Decimal:
        return self._total("pending")

    @property
    def committed(self) -> Decimal:
        return self._total("committed")

    @property
    def spent(self) -> Decimal:
        return self._total("spent")

    @property
    def available(self) -> Decimal:
        return self._total("available")


def _sum(kind_field: str, value, amount: str = "amount") -> Sum:
    return Sum(amount, filter=Q(**{kind_field: value}), default=ZERO)


def budget_ledger(budget: PooledBudget) -> BudgetLedger:
    """Contributed, committed, spent and available per funder, in three queries.

    Only approved contributions count; a withdrawn one keeps whatever was
    committed from it before (withdrawing is refused once money is committed).
    """
    contributions = (
        Contribution.objects.filter(budget=budget)
        .values("funder_id")
        .annotate(
            contributed=_sum("status", Contribution.Status.APPROVED),
            pending=_sum("status", Contribution.Status.PENDING),
        )
        .order_by()
    )
    movements = (
        Commitment.objects.filter(budget=budget)
        .values("contribution__funder_id")
        .annotate(
            committed=_sum("kind", Commitment.Kind.COMMITTED),
            released=_sum("kind", Commitment.Kind.RELEASED),
            spent=_sum("kind", Commitment.Kind.SPENT),
        )
        .order_by()
    )
    by_funder = {row["funder_id"]: row for row in contributions}
    moved = {row["contribution__funder_id"]: row for row in movements}
    funders = Organization.objects.in_bulk(set(by_funder) | set(moved))
    lines = []
    for funder_id, funder in funders.items():
        row = by_funder.get(funder_id, {})
        movement = moved.get(funder_id, {})
        contributed = row.get("contributed", ZERO)
        committed = movement.get("committed", ZERO) - movement.get("released", ZERO)
        lines.append(
            LedgerLine(
                funder=funder,
                contributed=contributed,
                pending=row.get("pending", ZERO),
                committed=committed,
                spent=movement.get("spent", ZERO),
                available=contributed - committed,
            )
        )
    lines.sort(key=lambda line: (-line.contributed, line.funder.name_zh, line.funder.pk))
    return BudgetLedger(budget=budget, lines=lines)


def committed_by_contribution(contribution_ids: Iterable[int]) -> dict[int, Decimal]:
    """Money still committed from each contribution (committed − released), in one query."""
    rows = (
        Commitment.objects.filter(contribution_id__in=list(contribution_ids))
        .values("contribution_id")
        .annotate(
            committed=_sum("kind", Commitment.Kind.COMMITTED),
            released=_sum("kind", Commitment.Kind.RELEASED),
        )
        .order_by()
    )
    return {row["contribution_id"]: row["committed"] - row["released"] for row in rows}


def category_scope(categories: Iterable[NeedCategory]) -> set[int]:
    """Ids of the categories and of their groups: what an earmark may name to cover them.

    Money earmarked for a group (专项救助) pays for any category in it; money
    earmarked for one category does not pay for a tender about the whole group.
    """
    scope = set()
    for category in categories:
        scope.add(category.pk)
        if category.parent_id:
            scope.add(category.parent_id)
    return scope


def earmark_allows(contribution: Contribution, scope: set[int] | None) -> bool:
    """Whether the contribution may pay for a tender whose ``category_scope`` is ``scope``.

    ``scope`` None asks about the budget as a whole (every contribution counts).
    Reads ``earmarked_categories`` through the prefetch cache when there is one.
    """
    if scope is None:
        return True
    earmarks = {category.pk for category in contribution.earmarked_categories.all()}
    return not earmarks or bool(earmarks & scope)


def remaining_by_contribution(
    contributions: Iterable[Contribution], categories: Iterable[NeedCategory] | None = None
) -> list[tuple[Contribution, Decimal]]:
    """Each approved contribution that may pay for ``categories``, with what is left of it.

    ``contributions`` must have ``earmarked_categories`` prefetched; services
    pass rows they have locked, so the figures hold until their transaction ends.
    """
    scope = category_scope(categories) if categories is not None else None
    eligible = [
        contribution
        for contribution in contributions
        if contribution.status == Contribution.Status.APPROVED
        and earmark_allows(contribution, scope)
    ]
    committed = committed_by_contribution(contribution.pk for contribution in eligible)
    return [
        (contribution, contribution.amount - committed.get(contribution.pk, ZERO))
        for contribution in eligible
    ]


def available_funds(
    budget: PooledBudget, categories: Iterable[NeedCategory] | None = None
) -> Decimal:
    """Approved money not yet committed; with ``categories``, only what earmarks allow for them."""
    contributions = Contribution.objects.filter(
        budget=budget, status=Contribution.Status.APPROVED
    ).prefetch_related("earmarked_categories")
    remaining = remaining_by_contribution(
        contributions, list(categories) if categories is not None else None
    )
    return sum((left for _contribution, left in remaining), ZERO)


@dataclass(frozen=True)
class AwardCommitment:
    """What one contribution has committed to an award: the award's money, per funder."""

    contribution: Contribution
    committed: Decimal  # committed − released
    spent: Decimal

    @property
    def funder(self) -> Organization:
        return self.contribution.funder


def commitment_by_contribution(award) -> list[AwardCommitment]:
    """Each contribution's share of the money committed to ``award``, in two queries.

    For the contract made from the award: its funding split per contributor
    is these lines, to the fen. Contributions whose share was wholly released
    are left out; the order is stable (by contribution).
    """
    rows = (
        Commitment.objects.filter(award=award)
        .values("contribution_id")
        .annotate(
            committed=_sum("kind", Commitment.Kind.COMMITTED),
            released=_sum("kind", Commitment.Kind.RELEASED),
            spent=_sum("kind", Commitment.Kind.SPENT),
        )
        .order_by("contribution_id")
    )
    totals = {row["contribution_id"]: row for row in rows}
    contributions = Contribution.objects.select_related("funder").in_bulk(list(totals))
    lines = []
    for contribution_id, row in totals.items():
        committed = row["committed"] - row["released"]
        if committed > 0:
            lines.append(
                AwardCommitment(
                    contribution=contributions[contribution_id],
                    committed=committed,
                    spent=row["spent"],
                )
            )
    return lines

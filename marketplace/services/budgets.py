"""Pooled budgets: creating them, the funders' contributions (pledged, approved by the
funder's own finance officer, withdrawn) and the ledger of money committed, released and
spent.

Money drawn on a pooled budget is written to the ``Commitment`` ledger under a
row lock on the budget, so two awards racing for the last of the money cannot
both succeed. The ledger functions (``commit_funds``, ``release_funds``,
``spend_funds``) are called by the award services for a person, or by the
system (``actor`` None) when a tender closes.
"""

from collections.abc import Iterable, Mapping
from decimal import ROUND_DOWN, Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization, Role, User
from accounts.rules import organizations_where
from core.audit import record_change
from core.errors import ApplicationError
from core.formatting import bilingual, yuan
from core.lifecycle import move
from marketplace import rules
from marketplace.models.awards import Award
from marketplace.models.budgets import (
    CONTRIBUTION_LIFECYCLE,
    Commitment,
    Contribution,
    PooledBudget,
)
from marketplace.models.tenders import Lot, Tender
from marketplace.selectors.budgets import committed_by_contribution, remaining_by_contribution
from marketplace.services.common import CENT, ZERO, cents, full_clean_errors, raise_if


@transaction.atomic
def create_budget(
    *,
    lead_agency: Organization,
    name_zh: str,
    first_year: int,
    last_year: int,
    actor: User,
    name_en: str = "",
    description: str = "",
) -> PooledBudget:
    """A commissioner of the lead agency opens a pooled budget for one or more fiscal years."""
    if lead_agency.pk not in organizations_where(actor, Role.COMMISSIONER):
        raise PermissionDenied(_("Only a commissioner of the lead agency can create its budgets."))
    budget = PooledBudget(
        lead_agency=lead_agency,
        name_zh=name_zh,
        name_en=name_en,
        description=description,
        first_year=first_year,
        last_year=last_year,
        created_by=actor,
    )
    errors = full_clean_errors(budget)
    if lead_agency.kind != Organization.Kind.AGENCY:
        errors.setdefault("lead_agency", []).append(_("A pooled budget is led by an agency."))
    if (
        "first_year" not in errors
        and "last_year" not in errors
        and budget.last_year < budget.first_year
    ):
        errors["last_year"] = [_("The last fiscal year cannot be before the first.")]
    raise_if(errors)
    budget.save()
    record_change(
        action="budget.created",
        actor=actor,
        organization=lead_agency,
        target=budget,
        details={"first_year": budget.first_year, "last_year": budget.last_year},
        label=budget.name_zh,
    )
    return budget


@transaction.atomic
def add_contribution(
    *,
    budget: PooledBudget,
    funder: Organization,
    amount,
    year: int,
    source: str,
    actor: User,
    earmarked_categories: Iterable = (),
    note: str = "",
) -> Contribution:
    """Record a funder's pledge to a budget; it counts once the funder's finance officer approves.

    The lead agency's commissioners record pledges they have been promised; a
    partner agency's commissioners or finance officers record their own.
    """
    if not (
        rules.is_budget_commissioner(actor, budget)
        or funder.pk in organizations_where(actor, *rules.FUNDER_ROLES)
    ):
        raise PermissionDenied(
            _(
                "A contribution is recorded by a commissioner of the lead agency, or by a "
                "commissioner or finance officer of the funder."
            )
        )
    errors: dict[str, list[str]] = {}
    if funder.kind != Organization.Kind.AGENCY or not funder.is_active:
        errors["funder"] = [_("Choose an active agency or fund as the funder.")]
    amount = cents(amount, field="amount")
    if amount <= 0:
        errors["amount"] = [_("A contribution must be more than zero.")]
    contribution = Contribution(
        budget=budget,
        funder=funder,
        amount=amount,
        year=year,
        source=source,
        note=note,
        created_by=actor,
    )
    for name, messages in full_clean_errors(contribution, exclude=["funder", "amount"]).items():
        errors.setdefault(name, []).extend(messages)
    raise_if(errors)
    contribution.save()
    contribution.earmarked_categories.set(list(earmarked_categories))
    record_change(
        action="budget.contribution_recorded",
        actor=actor,
        organization=budget.lead_agency,
        target=contribution,
        details={
            "budget": str(budget.uuid),
            "funder": funder.pk,
            "amount": str(amount),
            "year": contribution.year,
            "source": source,
            "earmarked": sorted(c.code for c in contribution.earmarked_categories.all()),
        },
    )
    return contribution


@transaction.atomic
def approve_contribution(*, contribution: Contribution, actor: User) -> Contribution:
    """The funder's finance officer approves its own contribution; from now on it counts."""
    contribution = (
        Contribution.objects.select_for_update().select_related("budget").get(pk=contribution.pk)
    )
    if not rules.is_contribution_funder_finance(actor, contribution):
        raise PermissionDenied(
            _("Only a finance officer of the funder can approve its contribution.")
        )
    now = timezone.now()
    move(
        contribution,
        Contribution.Status.APPROVED,
        lifecycle=CONTRIBUTION_LIFECYCLE,
        actor=actor,
        now=now,
        values={"approved_by": actor, "approved_at": now},
        action="budget.contribution_approved",
        details={"budget": str(contribution.budget.uuid), "amount": str(contribution.amount)},
    )
    return contribution


@transaction.atomic
def withdraw_contribution(*, contribution: Contribution, actor: User) -> Contribution:
    """Take a contribution back, as long as none of its money is committed to an award."""
    # The budget row first, as commit_funds locks it: a withdrawal and a
    # commitment of the same money cannot interleave.
    PooledBudget.objects.select_for_update().get(pk=contribution.budget_id)
    contribution = (
        Contribution.objects.select_for_update().select_related("budget").get(pk=contribution.pk)
    )
    if not (
        rules.is_contribution_funder_staff(actor, contribution)
        or rules.is_budget_commissioner(actor, contribution.budget)
    ):
        raise PermissionDenied(
            _(
                "A contribution is withdrawn by the funder's commissioners or finance officers, "
                "or by a commissioner of the lead agency."
            )
        )
    committed = committed_by_contribution([contribution.pk]).get(contribution.pk, ZERO)
    if committed > 0:
        raise ApplicationError(
            _(
                "%(amount)s of this contribution is already committed to awards, so it can no "
                "longer be withdrawn."
            )
            % {"amount": yuan(committed)},
            code="committed",
        )
    move(
        contribution,
        Contribution.Status.WITHDRAWN,
        lifecycle=CONTRIBUTION_LIFECYCLE,
        actor=actor,
        values={"withdrawn_at": timezone.now()},
        action="budget.contribution_withdrawn",
        details={"budget": str(contribution.budget.uuid), "amount": str(contribution.amount)},
    )
    return contribution


def _split_in_proportion(
    amount: Decimal, remaining: list[tuple[Contribution, Decimal]]
) -> list[tuple[Contribution, Decimal]]:
    """Split ``amount`` across contributions in proportion to what is left of each, to the fen.

    Each share is rounded down; the few fen left over go to the largest share
    (spilling to the next largest only if that one has no room left), so the
    shares add up to exactly ``amount`` and none exceeds its contribution.
    """
    total = sum((left for _contribution, left in remaining), ZERO)
    shares = [(amount * left / total).quantize(CENT, rounding=ROUND_DOWN) for _c, left in remaining]
    leftover = amount - sum(shares, ZERO)
    by_size = sorted(range(len(shares)), key=lambda i: (-shares[i], remaining[i][0].pk))
    for index in by_size:
        if leftover <= 0:
            break
        room = remaining[index][1] - shares[index]
        extra = min(room, leftover)
        shares[index] += extra
        leftover -= extra
    return [
        (contribution, share)
        for (contribution, _left), share in zip(remaining, shares, strict=True)
        if share > 0
    ]


def _lock_budget(budget: PooledBudget) -> list[Contribution]:
    """Lock the budget row, then its approved contributions, always in that order.

    Every change of a budget's money takes the budget row lock first, so
    concurrent commitments, releases and withdrawals queue behind each other
    and each sees the ledger as the previous one left it.
    """
    PooledBudget.objects.select_for_update().get(pk=budget.pk)
    return list(
        Contribution.objects.select_for_update()
        .filter(budget_id=budget.pk, status=Contribution.Status.APPROVED)
        .order_by("pk")
        .prefetch_related("earmarked_categories")
    )


@transaction.atomic
def commit_funds(
    *,
    budget: PooledBudget,
    amount,
    categories: Iterable,
    tender: Tender | None = None,
    lot: Lot | None = None,
    award: Award | None = None,
    actor: User | None = None,
) -> list[Commitment]:
    """Reserve ``amount`` of the budget for an award, split across the contributions paying it.

    Only approved contributions count, and an earmarked one only when its
    earmark covers one of ``categories`` (the tender's). Each contribution
    pays in proportion to what is left of it. Refused, with the amount still
    available, when the money is not there — also when two awards race for
    it: the budget row stays locked until this transaction ends.
    """
    # A recommended award's money is committed by whoever may approve it, a
    # supervisor of the lead agency included (four eyes: ``rules.can_approve_award``).
    approves = actor is not None and (
        award is not None
        and award.status == Award.Status.RECOMMENDED
        and rules.can_approve_award(actor, award)
    )
    if actor is not None and not (approves or rules.is_budget_commissioner(actor, budget)):
        raise PermissionDenied(
            _("Only a commissioner of the lead agency can commit the budget's money.")
        )
    amount = cents(amount, field="amount")
    if amount <= 0:
        raise ApplicationError(
            _("The amount to commit must be more than zero."),
            field_errors={"amount": [_("Enter an amount above zero.")]},
        )
    contributions = _lock_budget(budget)
    remaining = [
        (contribution, left)
        for contribution, left in remaining_by_contribution(contributions, list(categories))
        if left > 0
    ]
    available = sum((left for _contribution, left in remaining), ZERO)
    if amount > available:
        raise ApplicationError(
            bilingual(
                lambda: (
                    _(
                        "The pooled budget has only %(available)s available for these services, "
                        "so %(amount)s cannot be committed."
                    )
                    % {"available": yuan(available), "amount": yuan(amount)}
                )
            ),
            field_errors={"amount": [_("At most %(available)s.") % {"available": yuan(available)}]},
            code="overdraw",
        )
    shares = _split_in_proportion(amount, remaining)
    rows = Commitment.objects.bulk_create(
        [
            Commitment(
                budget_id=budget.pk,
                contribution=contribution,
                tender=tender,
                lot=lot,
                award=award,
                amount=share,
                kind=Commitment.Kind.COMMITTED,
                created_by=actor,
            )
            for contribution, share in shares
        ]
    )
    record_change(
        action="budget.funds_committed",
        actor=actor,
        organization=budget.lead_agency,
        target=budget,
        details={
            "amount": str(amount),
            "tender": tender.reference if tender else None,
            "award": str(award.uuid) if award else None,
            "shares": {str(contribution.uuid): str(share) for contribution, share in shares},
        },
    )
    return rows


def _ledger_movements(**filters) -> dict[int, dict[str, Decimal]]:
    """Ledger totals per contribution and kind for the matching rows, in one query."""
    totals: dict[int, dict[str, Decimal]] = {}
    rows = (
        Commitment.objects.filter(**filters)
        .values("contribution_id", "kind")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for row in rows:
        totals.setdefault(row["contribution_id"], {})[row["kind"]] = row["total"]
    return totals


@transaction.atomic
def release_funds(
    *,
    budget: PooledBudget,
    actor: User | None = None,
    award: Award | None = None,
    tender: Tender | None = None,
    lot: Lot | None = None,
    amount=None,
    shares: Mapping[int, Decimal] | None = None,
) -> list[Commitment]:
    """Give back what is still committed (and not spent) for an award, a lot or a tender.

    For cancelled awards and tenders, ended contracts. Running it again releases
    nothing more. With ``amount`` (a contract amended to a lower value), only that
    much goes back, split across the contributions in proportion to what each
    still has committed. With ``shares`` ({contribution id: amount}: a raise
    withdrawn before it was signed), exactly those amounts go back to those
    contributions, so each funder's share is what it was before. Either is
    refused when less than that is still committed.
    """
    filters = {
        name: value
        for name, value in (("award", award), ("tender", tender), ("lot", lot))
        if value is not None
    }
    if not filters:
        raise TypeError("release_funds needs an award, a lot or a tender")
    if actor is not None and not rules.is_budget_commissioner(actor, budget):
        raise PermissionDenied(
            _("Only a commissioner of the lead agency can release the budget's money.")
        )
    _lock_budget(budget)
    movements = _ledger_movements(budget_id=budget.pk, **filters)
    contributions = Contribution.objects.in_bulk(list(movements))
    releases = []
    for contribution_id, per_kind in sorted(movements.items()):
        still_committed = (
            per_kind.get(Commitment.Kind.COMMITTED, ZERO)
            - per_kind.get(Commitment.Kind.RELEASED, ZERO)
            - per_kind.get(Commitment.Kind.SPENT, ZERO)
        )
        if still_committed > 0:
            releases.append((contributions[contribution_id], still_committed))
    if shares is not None:
        open_by_id = {contribution.pk: (contribution, left) for contribution, left in releases}
        wanted = {pk: cents(value, field="amount") for pk, value in shares.items()}
        open_total = sum((open_by_id.get(pk, (None, ZERO))[1] for pk in wanted), ZERO)
        amount = sum(wanted.values(), ZERO)
        if any(
            value <= 0 or value > open_by_id.get(pk, (None, ZERO))[1]
            for pk, value in wanted.items()
        ):
            raise ApplicationError(
                bilingual(
                    lambda: (
                        _(
                            "Only %(open)s is still committed and unpaid, so %(amount)s "
                            "cannot go back."
                        )
                        % {"open": yuan(open_total), "amount": yuan(amount)}
                    )
                ),
                code="overdraw",
            )
        releases = [(open_by_id[pk][0], value) for pk, value in sorted(wanted.items())]
    elif amount is not None:
        amount = cents(amount, field="amount")
        open_total = sum((left for _contribution, left in releases), ZERO)
        if amount <= 0 or amount > open_total:
            raise ApplicationError(
                bilingual(
                    lambda: (
                        _(
                            "Only %(open)s is still committed and unpaid, so %(amount)s "
                            "cannot go back."
                        )
                        % {"open": yuan(open_total), "amount": yuan(amount)}
                    )
                ),
                code="overdraw",
            )
        releases = _split_in_proportion(amount, releases)
    rows = Commitment.objects.bulk_create(
        [
            Commitment(
                budget_id=budget.pk,
                contribution=contribution,
                tender=tender or (award.tender if award else None),
                lot=lot or (award.lot if award else None),
                award=award,
                amount=share,
                kind=Commitment.Kind.RELEASED,
                created_by=actor,
            )
            for contribution, share in releases
        ]
    )
    if rows:
        record_change(
            action="budget.funds_released",
            actor=actor,
            organization=budget.lead_agency,
            target=budget,
            details={
                "amount": str(sum((row.amount for row in rows), ZERO)),
                "award": str(award.uuid) if award else None,
                "tender": rows[0].tender.reference if rows[0].tender else None,
            },
        )
    return rows


@transaction.atomic
def spend_funds(*, award: Award, amount, actor: User | None = None) -> list[Commitment]:
    """Record a payment out of money committed for an award, split like the commitment.

    Each contribution pays its share of the payment in proportion to what it
    still has committed to the award (SPEC §5: payments are drawn from the
    pooled budget in proportion to contributions).
    """
    budget = award.tender.budget
    if actor is not None and not rules.can_record_payment(actor, budget):
        raise PermissionDenied(
            _(
                "Only a commissioner or finance officer of the lead agency can record a "
                "payment from the budget."
            )
        )
    amount = cents(amount, field="amount")
    if amount <= 0:
        raise ApplicationError(
            _("A payment must be more than zero."),
            field_errors={"amount": [_("Enter an amount above zero.")]},
        )
    _lock_budget(budget)
    movements = _ledger_movements(budget_id=budget.pk, award=award)
    contributions = Contribution.objects.in_bulk(list(movements))
    open_amounts = []
    for contribution_id, per_kind in sorted(movements.items()):
        left = (
            per_kind.get(Commitment.Kind.COMMITTED, ZERO)
            - per_kind.get(Commitment.Kind.RELEASED, ZERO)
            - per_kind.get(Commitment.Kind.SPENT, ZERO)
        )
        if left > 0:
            open_amounts.append((contributions[contribution_id], left))
    unpaid = sum((left for _contribution, left in open_amounts), ZERO)
    if amount > unpaid:
        raise ApplicationError(
            bilingual(
                lambda: (
                    _(
                        "Only %(unpaid)s committed to this award is still unpaid, so %(amount)s "
                        "cannot be paid from the pooled budget."
                    )
                    % {"unpaid": yuan(unpaid), "amount": yuan(amount)}
                )
            ),
            code="overdraw",
        )
    rows = Commitment.objects.bulk_create(
        [
            Commitment(
                budget_id=budget.pk,
                contribution=contribution,
                tender=award.tender,
                lot=award.lot,
                award=award,
                amount=share,
                kind=Commitment.Kind.SPENT,
                created_by=actor,
            )
            for contribution, share in _split_in_proportion(amount, open_amounts)
        ]
    )
    record_change(
        action="budget.funds_spent",
        actor=actor,
        organization=budget.lead_agency,
        target=budget,
        details={"amount": str(amount), "award": str(award.uuid)},
    )
    return rows

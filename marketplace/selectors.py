"""Reads of the marketplace, scoped to what the user may see.

Budgets are seen by the lead agency's and the funders' commissioners,
finance officers and supervisors (platform administrators read all); a
budget outside that scope is simply not in the queryset, so views answer 404.
The ledger sums contributions and commitments with a fixed number of
aggregate queries however long it grows.

Clarifications never reveal who asked to anyone but the asking provider and
the lead agency (``clarifications_for``).

Bids are read only through the sealed-bid section below (``bids_visible_to``,
``bid_for``, ``visible_bids``, ``opened_bids``): before the submission
deadline a bid belongs to its provider alone, whatever the reader's role.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Membership, Organization, Role, User
from accounts.rules import is_platform_admin, organizations_where
from core.i18n import in_active_language
from marketplace import rules
from marketplace.models import (
    PUBLIC_STATES,
    Alert,
    Award,
    Bid,
    BidAttachment,
    BidResponse,
    BidResult,
    Clarification,
    Commitment,
    Complaint,
    Contribution,
    Criterion,
    Lot,
    ModeratedScore,
    Panel,
    PanelMember,
    PooledBudget,
    Score,
    Tender,
)
from marketplace.rules import BUDGET_VIEWER_ROLES
from places import codes
from places.models import Area
from taxonomy.models import NeedCategory

ZERO = Decimal("0.00")
PROVIDER_ROLES = (Role.PROVIDER_ADMIN, Role.PROVIDER_STAFF)


# --- budgets ----------------------------------------------------------------


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


# --- tenders ----------------------------------------------------------------


def public_tenders() -> QuerySet[Tender]:
    """Tenders the public may read: published once, whatever became of them since."""
    return (
        Tender.objects.filter(status__in=PUBLIC_STATES)
        .select_related("lead_agency", "budget")
        .prefetch_related("categories", "areas", "lots")
    )


def tenders_visible_to(user) -> QuerySet[Tender]:
    """Public tenders, plus the drafts of the agencies where the user manages tenders.

    A draft of another agency is not in the queryset, so its page answers 404.
    """
    agencies = organizations_where(user, *BUDGET_VIEWER_ROLES)
    return (
        Tender.objects.filter(Q(status__in=PUBLIC_STATES) | Q(lead_agency_id__in=agencies))
        .select_related("lead_agency", "budget")
        .prefetch_related("categories", "areas", "lots")
    )


def tenders_closing_soon(limit: int = 5, now=None) -> list[Tender]:
    """The public tenders still taking bids whose deadline comes first (the home page's list)."""
    now = now or timezone.now()
    return list(
        Tender.objects.filter(
            status__in=(Tender.Status.PUBLISHED, Tender.Status.TENDERING),
            submission_deadline__gt=now,
        )
        .select_related("lead_agency")
        .order_by("submission_deadline", "reference")[:limit]
    )


def alerts_for(user) -> QuerySet[Alert]:
    """The user's in-app alerts, unread first, newest first."""
    if not user.is_authenticated:
        return Alert.objects.none()
    return (
        Alert.objects.filter(recipient=user)
        .select_related("tender")
        .order_by(F("read_at").desc(nulls_first=True), "-created_at", "-pk")
    )


def unread_alert_count(user) -> int:
    """How many of the user's alerts are not read yet (one query)."""
    if not user.is_authenticated:
        return 0
    return Alert.objects.filter(recipient=user, read_at=None).count()


def tenders_managed_by(user) -> QuerySet[Tender]:
    """Tenders of the agencies where the user is a commissioner, finance officer or supervisor."""
    agencies = organizations_where(user, *BUDGET_VIEWER_ROLES)
    return (
        Tender.objects.filter(lead_agency_id__in=agencies)
        .select_related("lead_agency", "budget")
        .prefetch_related("categories", "areas", "lots")
    )


def tenders_due(now=None) -> QuerySet[Tender]:
    """Tenders with a timed step due: scheduled publication, enquiry or submission
    deadline, end of the standstill.

    Published tenders held open by unanswered questions, and awarded tenders
    held by an open complaint, stay in this list until that is settled; every
    other tender leaves it once it has moved on.
    """
    now = now or timezone.now()
    return Tender.objects.filter(
        Q(status=Tender.Status.DRAFT, publish_scheduled=True, publish_at__lte=now)
        | Q(status=Tender.Status.PUBLISHED, enquiry_deadline__lte=now)
        | Q(status=Tender.Status.TENDERING, submission_deadline__lte=now)
        | Q(status=Tender.Status.AWARDED, standstill_ends_at__lte=now)
    ).order_by("pk")


def unanswered_questions(tender: Tender) -> QuerySet[Clarification]:
    return Clarification.objects.filter(tender=tender, answered_at__isnull=True)


def agency_users(organization_id: int, *roles: str) -> QuerySet[User]:
    """Active users holding one of ``roles`` in the organization."""
    return User.objects.filter(
        is_active=True,
        memberships__organization_id=organization_id,
        memberships__role__in=roles,
        memberships__is_active=True,
    ).distinct()


def provider_users(organization_ids: Iterable[int]) -> list[tuple[int, User]]:
    """(organization id, user) for every active administrator and staff member, in one query."""
    memberships = (
        Membership.objects.filter(
            organization_id__in=list(organization_ids),
            role__in=PROVIDER_ROLES,
            is_active=True,
            user__is_active=True,
        )
        .select_related("user")
        .order_by("organization_id", "user_id")
    )
    seen, pairs = set(), []
    for membership in memberships:
        key = (membership.organization_id, membership.user_id)
        if key not in seen:
            seen.add(key)
            pairs.append((membership.organization_id, membership.user))
    return pairs


def interested_organizations(tender: Tender) -> set[int]:
    """Provider organizations that bid on the tender or asked a question about it."""
    askers = Clarification.objects.filter(tender=tender).values_list(
        "asked_by_organization_id", flat=True
    )
    bidders = Bid.objects.filter(tender=tender).values_list("provider__organization_id", flat=True)
    return set(askers) | set(bidders)


# --- clarifications ---------------------------------------------------------


@dataclass(frozen=True)
class VisibleClarification:
    """A clarification as one user may see it.

    ``asked_by_organization`` and ``asked_by`` are None unless the user is the
    asking provider or at the lead agency: naming the asker would tell other
    bidders who their competitors are.
    """

    uuid: object
    question: str
    asked_at: object
    answer: str
    answered_at: object
    published: bool
    asked_by_us: bool
    asked_by_organization: Organization | None
    asked_by: object | None

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None


def clarifications_for(user, tender: Tender) -> list[VisibleClarification]:
    """The clarifications of a tender the user may read, in the order they were asked.

    The lead agency sees every question with its asker; a provider sees the
    published answers and its own questions (answered or not), with itself
    named as asker only on its own; everyone else sees published answers
    without any asker.
    """
    agency_view = tender.lead_agency_id in organizations_where(user, *BUDGET_VIEWER_ROLES)
    own_organizations = organizations_where(user, *PROVIDER_ROLES)
    clarifications = Clarification.objects.filter(tender=tender).order_by("asked_at", "pk")
    if not agency_view:
        clarifications = clarifications.filter(
            Q(published=True) | Q(asked_by_organization_id__in=own_organizations)
        )
    clarifications = clarifications.select_related("asked_by_organization", "asked_by")
    visible = []
    for clarification in clarifications:
        ours = clarification.asked_by_organization_id in own_organizations
        show_asker = agency_view or ours
        visible.append(
            VisibleClarification(
                uuid=clarification.uuid,
                question=clarification.question,
                asked_at=clarification.asked_at,
                answer=clarification.answer if clarification.published else "",
                answered_at=clarification.answered_at if clarification.published else None,
                published=clarification.published,
                asked_by_us=ours,
                asked_by_organization=(clarification.asked_by_organization if show_asker else None),
                asked_by=clarification.asked_by if show_asker else None,
            )
        )
    return visible


# --- tender alerts ----------------------------------------------------------


def _matching_category_ids(tender: Tender) -> set[int]:
    """The tender's categories, their groups, and the categories of any group it names.

    The taxonomy is a two-level tree whose codes nest (``social-services`` →
    ``social-services.elderly-care``): a service filed under the group or
    under any of the group's categories is relevant to a tender about it.
    """
    categories = list(tender.categories.all())
    ids = category_scope(categories)
    groups = [category for category in categories if category.parent_id is None]
    if groups:
        children = Q()
        for group in groups:
            children |= Q(code__startswith=f"{group.code}.")
        ids |= set(NeedCategory.objects.filter(children).values_list("pk", flat=True))
    return ids


def _matching_area_ids(tender: Tender) -> tuple[set[int], set[int]]:
    """(areas in or under the tender's areas, areas above them).

    A service covering the whole city serves a tender for one of its
    districts; a site counts only when it is in or under a tender area.
    """
    return _areas_within_and_above(list(tender.areas.all()))


def _areas_within_and_above(areas: list[Area]) -> tuple[set[int], set[int]]:
    """(ids of areas in or under ``areas``, ids of the areas above them)."""
    if not areas:
        return set(), set()
    within = Q()
    above_codes = set()
    for area in areas:
        within |= Q(code__startswith=codes.significant_prefix(area.code))
        above_codes.update(codes.parent_candidates(area.code))
    inside = set(Area.objects.filter(within).values_list("pk", flat=True))
    above = set(Area.objects.filter(code__in=above_codes).values_list("pk", flat=True))
    return inside, above


def providers_to_alert(tender: Tender, now=None):
    """Verified providers with a listed service matching the tender's categories and areas.

    Matching: a service (as the public directory lists it) in one of the
    tender's categories (see ``_matching_category_ids``) whose areas covered
    are in, under or above a tender area, or one of whose sites is in or
    under a tender area.
    """
    from providers.models import Provider
    from providers.selectors import public_services

    category_ids = _matching_category_ids(tender)
    inside, above = _matching_area_ids(tender)
    if not category_ids or not inside:
        return Provider.objects.none()
    services = public_services(now).filter(categories__in=category_ids)
    services = services.filter(
        Q(areas_covered__in=inside | above)
        | Q(sites__area__in=inside)
        | Q(sites__district__in=inside)
    )
    return (
        Provider.objects.filter(pk__in=services.values("provider_id"))
        .select_related("organization")
        .order_by("pk")
    )


def bidders_with_bids_in(tender: Tender, statuses: Iterable[str]) -> set[int]:
    """Organizations of the providers holding a bid in one of ``statuses`` on the tender."""
    return set(
        Bid.objects.filter(tender=tender, status__in=list(statuses)).values_list(
            "provider__organization_id", flat=True
        )
    )


# --- bids: the sealed-bid rule ----------------------------------------------
#
# Every read of a bid goes through this section. Until the tender's
# submission deadline has passed a bid — its price, its responses, its
# attachments, even that it exists — is visible to its own provider only: not
# to the lead agency, panel members, platform administrators or superusers
# (no function here looks at ``is_superuser`` or the platform-admin role).
# After the deadline, submitted bids open to the evaluators (the lead
# agency's commissioners, and panel members who declared no conflict) in two
# envelopes: first the responses, then — only when the chair has locked the
# moderated quality scores — the prices. Opened prices are public
# (``opened_bids``, the OCDS bids release); responses never are.
#
# How many bids a tender has is not price or content, but before the deadline
# even a count signals (a lone bidder could raise its price): nobody is told
# the count until the deadline — ``submitted_bid_count`` answers None, and
# pages show "sealed" instead. After the deadline the count is public.

can_view_bid_content = rules.can_view_bid_content
can_view_bid_price = rules.can_view_bid_price
prices_revealed = rules.prices_revealed


def _bids() -> QuerySet[Bid]:
    # ``tender__panel`` rides along so the price rule needs no query per bid.
    return Bid.objects.select_related(
        "tender",
        "tender__lead_agency",
        "tender__panel",
        "lot",
        "provider",
        "provider__organization",
    )


def _visible_bids_filter(user, now) -> Q:
    """Bids the user may see at all: their provider's, and opened ones they evaluate.

    The deadline is part of the evaluators' condition itself, so no role
    reaches a bid of a tender whose deadline has not passed.
    """
    own = organizations_where(user, *rules.PROVIDER_ROLES)
    visible = Q(provider__organization_id__in=own) if own else Q(pk__in=[])
    if not getattr(user, "is_authenticated", False):
        return visible
    cleared_panels = PanelMember.objects.filter(
        user_id=user.pk, conflict_declared_at__isnull=False, has_conflict=False
    ).values("panel__tender_id")
    evaluates = Q(tender__lead_agency_id__in=organizations_where(user, Role.COMMISSIONER)) | Q(
        tender_id__in=cleared_panels
    )
    opened = Q(status=Bid.Status.SUBMITTED, tender__submission_deadline__lte=now)
    return visible | (opened & evaluates)


def bids_visible_to(user, tender: Tender, now=None) -> QuerySet[Bid]:
    """The tender's bids whose existence and responses the user may see.

    - provider people: their own provider's bids, in any status, at any time;
    - after the submission deadline only: the lead agency's commissioners and
      panel members who declared no conflict see the submitted bids;
    - everyone else (finance, supervisors, platform administrators,
      superusers, other bidders, the public): none.

    Seeing a bid is not seeing its price: ask ``can_view_bid_price`` (or use
    ``visible_bids``, which masks it).
    """
    now = now or timezone.now()
    return (
        _bids()
        .filter(tender=tender)
        .filter(_visible_bids_filter(user, now))
        .order_by("lot__number", "submitted_at", "pk")
    )


def bid_for(user, uuid, now=None) -> Bid | None:
    """The bid with this uuid if the user may see it (see ``bids_visible_to``); None → 404."""
    now = now or timezone.now()
    try:
        return _bids().filter(_visible_bids_filter(user, now)).filter(uuid=uuid).first()
    except (ValueError, TypeError, ValidationError):  # not a uuid at all
        return None


def bids_of(user) -> QuerySet[Bid]:
    """Every bid of the provider(s) the user works for, newest tender first ("my bids")."""
    own = organizations_where(user, *rules.PROVIDER_ROLES)
    return (
        _bids()
        .filter(provider__organization_id__in=own)
        .order_by("-tender__submission_deadline", "lot__number", "pk")
    )


def bid_on(provider, lot: Lot) -> Bid | None:
    """The provider's own bid on a lot, if it has started one (for the bidder's pages)."""
    if provider is None:
        return None
    return _bids().filter(provider=provider, lot=lot).first()


def submitted_bid_count(tender: Tender, now=None) -> int | None:
    """How many bids were submitted; None while the bids are sealed (show "sealed")."""
    if tender.bids_are_sealed(now):
        return None
    return Bid.objects.filter(tender=tender, status=Bid.Status.SUBMITTED).count()


def bid_counts(tender: Tender, now=None) -> dict[int, int] | None:
    """Submitted bids per lot number (0 for a lot without bids); None while sealed."""
    if tender.bids_are_sealed(now):
        return None
    counts = dict(
        Lot.objects.filter(tender=tender)
        .annotate(
            submitted=Count("bids", filter=Q(bids__status=Bid.Status.SUBMITTED), distinct=True)
        )
        .values_list("number", "submitted")
    )
    return counts


def opened_bids(tender: Tender, now=None) -> QuerySet[Bid]:
    """Submitted bids whose price envelope is open: what may be published (OCDS bids).

    Empty until the deadline has passed AND the panel has locked moderation.
    Publish the tenderer, lot, price, status and submission time of these;
    never their responses or attachments.
    """
    if tender.bids_are_sealed(now):
        return Bid.objects.none()
    return (
        _bids()
        .filter(
            tender=tender,
            status=Bid.Status.SUBMITTED,
            tender__submission_deadline__lte=now or timezone.now(),
            tender__panel__quality_locked_at__isnull=False,
        )
        .order_by("lot__number", "submitted_at", "pk")
    )


def _prices_revealed(tender: Tender) -> bool:
    """Read from the database, not from a tender object that may predate the lock."""
    return Panel.objects.filter(tender_id=tender.pk, quality_locked_at__isnull=False).exists()


@dataclass(frozen=True)
class VisibleResponse:
    criterion: Criterion
    text: str


@dataclass(frozen=True)
class VisibleBid:
    """A bid as one person may see it; what they may not see is None or empty.

    Pages and serializers show these instead of ``Bid`` rows, so a template
    cannot reach a price the rule hides: ``price`` is None unless
    ``price_visible``; ``responses`` and ``attachments`` are empty unless
    ``content_visible``; ``eligibility_report`` is the bidder's alone;
    ``result`` (points and rank) shows with the price.
    """

    uuid: object
    tender: Tender
    lot: Lot
    provider: object
    status: str
    status_label: str
    submitted_at: object
    reconfirmed_at: object
    withdrawn_at: object
    updated_at: object
    is_own: bool
    sealed: bool
    content_visible: bool
    price_visible: bool
    price: Decimal | None
    responses: list[VisibleResponse]
    attachments: list[BidAttachment]
    eligibility_report: list[dict]
    result: BidResult | None


def _visible(user, bid: Bid, now) -> VisibleBid:
    own = rules.is_bidder(user, bid)
    content = rules.can_view_bid_content(user, bid, now=now)
    price = rules.can_view_bid_price(user, bid, now=now)
    result = None
    if content and price and not own:
        result = getattr(bid, "result", None)
    return VisibleBid(
        uuid=bid.uuid,
        tender=bid.tender,
        lot=bid.lot,
        provider=bid.provider,
        status=bid.status,
        status_label=Bid.Status(bid.status).label,
        submitted_at=bid.submitted_at,
        reconfirmed_at=bid.reconfirmed_at,
        withdrawn_at=bid.withdrawn_at,
        updated_at=bid.updated_at,
        is_own=own,
        sealed=bid.tender.bids_are_sealed(now),
        content_visible=content,
        price_visible=price,
        price=bid.price if price else None,
        responses=(
            [VisibleResponse(r.criterion, r.text) for r in bid.responses.all()] if content else []
        ),
        attachments=list(bid.attachments.all()) if content else [],
        eligibility_report=list(bid.eligibility_report) if own else [],
        result=result,
    )


def _with_content(bids: QuerySet[Bid]) -> QuerySet[Bid]:
    return bids.select_related("result").prefetch_related(
        Prefetch(
            "responses",
            queryset=BidResponse.objects.select_related("criterion").order_by(
                "criterion__order", "pk"
            ),
        ),
        Prefetch("attachments", queryset=BidAttachment.objects.order_by("uploaded_at", "pk")),
    )


def visible_bids(user, tender: Tender, now=None) -> list[VisibleBid]:
    """``bids_visible_to`` as ``VisibleBid``\\s, masked for the user; a fixed number of queries."""
    now = now or timezone.now()
    # Each bid's tender comes with its panel (``_bids``): no query per bid.
    return [_visible(user, bid, now) for bid in _with_content(bids_visible_to(user, tender, now))]


def visible_bid(user, bid: Bid, now=None) -> VisibleBid | None:
    """One bid masked for the user, or None when the user may not see it at all (→ 404)."""
    now = now or timezone.now()
    bid = _with_content(_bids().filter(pk=bid.pk).filter(_visible_bids_filter(user, now))).first()
    return _visible(user, bid, now) if bid is not None else None


def award_notices(tender: Tender) -> QuerySet[Award]:
    """The published award notices of a tender: lot, winning provider, value (public)."""
    return (
        Award.objects.filter(
            tender=tender,
            notice_published_at__isnull=False,
            status__in=(Award.Status.APPROVED, Award.Status.CONFIRMED),
        )
        .select_related("lot", "bid__provider__organization")
        .order_by("lot__number", "pk")
    )


# --- eligibility --------------------------------------------------------------


def _both_languages(render) -> tuple[str, str]:
    texts = []
    for language in ("zh-hans", "en"):
        with translation.override(language):
            texts.append(str(render()))
    return texts[0], texts[1]


def _problem(code: str, render) -> dict:
    message_zh, message_en = _both_languages(render)
    return {"code": code, "message_zh": message_zh, "message_en": message_en}


def eligibility_report(bid: Bid, now=None) -> list[dict]:
    """Every reason the bid cannot be submitted now, each once; empty when it can.

    Each reason is ``{"code", "message_zh", "message_en"}`` (stored on the bid
    by ``services.submit_bid`` and shown to the bidder only). Checked: the
    provider's status (verified when the tender asks; never debarred or
    suspended), minimum evaluation grade, presence in the lot's or tender's
    areas (a site in one, or an offered service covering one), certified
    social workers, no expired documents, a price within the lot's maximum
    value, and a response to every criterion the panel scores. No price or
    response text goes into a message.
    """
    from providers.models import Provider
    from providers.selectors import services_of, sites_of

    now = now or timezone.now()
    tender, lot, provider = bid.tender, bid.lot, bid.provider
    problems = []
    if provider.status == Provider.Status.DEBARRED:
        problems.append(
            _problem(
                "debarred", lambda: _("Your organization is debarred from taking part in tenders.")
            )
        )
    elif provider.status == Provider.Status.SUSPENDED:
        problems.append(
            _problem(
                "suspended",
                lambda: _("Your organization is suspended; it may bid again once reinstated."),
            )
        )
    elif tender.require_verified and provider.status != Provider.Status.VERIFIED:
        problems.append(
            _problem(
                "not_verified",
                lambda: (
                    _(
                        "Only verified providers may bid on this tender; your registration is "
                        "“%(status)s”."
                    )
                    % {"status": Provider.Status(provider.status).label}
                ),
            )
        )
    if tender.min_grade and provider.grade < tender.min_grade:
        problems.append(
            _problem(
                "grade",
                lambda: (
                    _(
                        "This tender asks for an evaluation grade of at least %(required)s; yours "
                        "is “%(grade)s”."
                    )
                    % {
                        "required": Provider.Grade(tender.min_grade).label,
                        "grade": Provider.Grade(provider.grade).label,
                    }
                ),
            )
        )
    if tender.require_area_presence:
        areas = list(lot.areas.all()) or list(tender.areas.all())
        inside, above = _areas_within_and_above(areas)
        present = (
            sites_of(provider).filter(Q(area_id__in=inside) | Q(district_id__in=inside)).exists()
            or services_of(provider)
            .filter(is_active=True, areas_covered__in=inside | above)
            .exists()
        )
        if not present:
            names = "、".join(area.name_zh for area in areas)
            problems.append(
                _problem(
                    "area",
                    lambda: (
                        _(
                            "This tender asks for a presence in its area (%(areas)s): record "
                            "a site there, or an offered service covering it."
                        )
                        % {"areas": names}
                    ),
                )
            )
    if provider.certified_social_workers < tender.min_certified_social_workers:
        problems.append(
            _problem(
                "social_workers",
                lambda: (
                    _(
                        "This tender asks for at least %(required)d certified social workers; your "
                        "profile lists %(count)d."
                    )
                    % {
                        "required": tender.min_certified_social_workers,
                        "count": provider.certified_social_workers,
                    }
                ),
            )
        )
    if tender.require_valid_documents:
        expired = list(
            provider.documents.filter(expires_on__lt=timezone.localdate(now))
            .order_by("expires_on", "pk")
            .values_list("title", flat=True)
        )
        if expired:
            problems.append(
                _problem(
                    "documents_expired",
                    lambda: (
                        _(
                            "These documents of your organization have expired: %(titles)s. Upload "
                            "current ones in your profile."
                        )
                        % {"titles": "、".join(expired)}
                    ),
                )
            )
    if bid.price is None:
        problems.append(_problem("price_missing", lambda: _("Enter your price.")))
    elif bid.price > lot.max_value:
        problems.append(
            _problem(
                "price_above_maximum",
                lambda: (
                    _("Your price is above the lot's maximum value of ¥%(max)s.")
                    % {"max": f"{lot.max_value:,.2f}"}
                ),
            )
        )
    answered = {response.criterion_id for response in bid.responses.all() if response.text.strip()}
    missing = [
        criterion
        for criterion in tender.criteria.all()
        if criterion.is_scored_by_panel and criterion.pk not in answered
    ]
    if missing:
        problems.append(
            _problem(
                "response_missing",
                lambda: (
                    _("Write a response to every criterion the panel scores. Missing: %(names)s.")
                    % {"names": ", ".join(criterion.name for criterion in missing)}
                ),
            )
        )
    return problems


def eligibility_messages(report: Iterable[dict]) -> list[str]:
    """The reasons of an ``eligibility_report`` in the reader's language."""
    return [in_active_language(item["message_zh"], item["message_en"]) for item in report]


# --- evaluation ---------------------------------------------------------------

panel_member_of = rules.panel_member_of


def panel_of(tender: Tender) -> Panel | None:
    """The tender's panel with its chair and members (names only: no scores, no bids)."""
    return (
        Panel.objects.select_related("chair", "tender")
        .prefetch_related(
            Prefetch("members", queryset=PanelMember.objects.select_related("user").order_by("pk"))
        )
        .filter(tender=tender)
        .first()
    )


def panel_memberships_of(user) -> QuerySet[PanelMember]:
    """The user's seats on panels of published tenders, latest deadline first (no bids)."""
    if not getattr(user, "is_authenticated", False):
        return PanelMember.objects.none()
    return (
        PanelMember.objects.filter(user_id=user.pk)
        .exclude(panel__tender__status=Tender.Status.DRAFT)
        .select_related("panel__tender__lead_agency")
        .order_by("-panel__tender__submission_deadline", "pk")
    )


def has_submitted_scores(member: PanelMember) -> bool:
    return Score.objects.filter(member=member, submitted_at__isnull=False).exists()


@dataclass(frozen=True)
class MemberProgress:
    member: PanelMember
    declared: bool
    has_conflict: bool
    submitted: bool


def scoring_progress(tender: Tender) -> list[MemberProgress]:
    """Who has declared, who has a conflict, who has submitted scores (no scores shown)."""
    panel = panel_of(tender)
    if panel is None:
        return []
    submitted = set(
        Score.objects.filter(member__panel=panel, submitted_at__isnull=False)
        .values_list("member_id", flat=True)
        .distinct()
    )
    return [
        MemberProgress(
            member=member,
            declared=member.conflict_declared_at is not None,
            has_conflict=member.has_conflict,
            submitted=member.pk in submitted,
        )
        for member in panel.members.all()
    ]


def all_scores_submitted(panel: Panel) -> bool:
    """Every member has declared, and every member free of conflicts has submitted."""
    members = list(panel.members.all())
    if any(member.conflict_declared_at is None for member in members):
        return False
    scoring = [member.pk for member in members if member.may_score]
    submitted = set(
        Score.objects.filter(member_id__in=scoring, submitted_at__isnull=False)
        .values_list("member_id", flat=True)
        .distinct()
    )
    return bool(scoring) and submitted == set(scoring)


def scores_visible_to(user, tender: Tender, now=None) -> QuerySet[Score]:
    """The panel scores of a tender the user may read.

    A member free of conflicts sees their own scores, and the other members'
    submitted scores only once they have submitted their own (independent
    scoring). A commissioner of the lead agency who is not on the panel sees
    the submitted scores once moderation is locked. Nobody sees any while the
    bids are sealed — there are none to see.
    """
    scores = Score.objects.filter(bid__tender=tender).select_related(
        "criterion", "member__user", "bid__provider__organization", "bid__lot"
    )
    if tender.bids_are_sealed(now):
        return scores.none()
    member = rules.panel_member_of(user, tender)
    if member is not None and member.may_score:
        if has_submitted_scores(member):
            return scores.filter(Q(member=member) | Q(submitted_at__isnull=False))
        return scores.filter(member=member)
    if rules.is_tender_commissioner(user, tender) and _prices_revealed(tender):
        return scores.filter(submitted_at__isnull=False)
    return scores.none()


@dataclass(frozen=True)
class ModerationLine:
    """One bid on one criterion, as the chair moderates it."""

    bid: Bid
    criterion: Criterion
    scores: list[Score]
    mean: Decimal | None
    spread: Decimal
    flagged: bool
    moderated: ModeratedScore | None

    @property
    def agreed(self) -> Decimal | None:
        """What counts: the moderated score, else the mean."""
        return self.moderated.score if self.moderated else self.mean


def moderation_lines(tender: Tender) -> list[ModerationLine]:
    """Every submitted bid × criterion the panel scores, with the members' submitted scores.

    For the chair's moderation page and for ``services.compute_results``; no
    prices. Callers check who may see it (``rules.can_moderate``; the
    members' scores are shown only once all have submitted).
    """
    from marketplace import evaluation

    bids = list(
        Bid.objects.filter(tender=tender, status=Bid.Status.SUBMITTED)
        .select_related("lot", "provider__organization")
        .order_by("lot__number", "submitted_at", "pk")
    )
    criteria = [c for c in tender.criteria.order_by("order", "pk") if c.is_scored_by_panel]
    submitted: dict[tuple[int, int], list[Score]] = {}
    for score in (
        # A member who declared a conflict late keeps their scores on record; they do not count.
        Score.objects.filter(
            bid__tender=tender, submitted_at__isnull=False, member__has_conflict=False
        )
        .select_related("member__user")
        .order_by("member_id", "pk")
    ):
        submitted.setdefault((score.bid_id, score.criterion_id), []).append(score)
    moderated = {
        (m.bid_id, m.criterion_id): m for m in ModeratedScore.objects.filter(bid__tender=tender)
    }
    lines = []
    for bid in bids:
        for criterion in criteria:
            scores = submitted.get((bid.pk, criterion.pk), [])
            values = [score.score for score in scores]
            lines.append(
                ModerationLine(
                    bid=bid,
                    criterion=criterion,
                    scores=scores,
                    mean=evaluation.mean_score(values),
                    spread=evaluation.spread(values),
                    flagged=evaluation.is_disagreement(values),
                    moderated=moderated.get((bid.pk, criterion.pk)),
                )
            )
    return lines


def results_for(user, tender: Tender, now=None) -> QuerySet[BidResult]:
    """Points and ranks per lot: for the evaluators, once prices are revealed."""
    results = BidResult.objects.filter(bid__tender=tender).select_related(
        "bid__lot", "bid__provider__organization"
    )
    if tender.bids_are_sealed(now) or not _prices_revealed(tender):
        return results.none()
    if not rules.is_cleared_evaluator(user, tender):
        return results.none()
    return results.order_by("bid__lot__number", "rank", "pk")


# --- awards and complaints ----------------------------------------------------


def awards_visible_to(user, tender: Tender) -> QuerySet[Award]:
    """Published award notices for everyone; every award, recommended or cancelled,
    for the lead agency's commissioners and the panel chair."""
    awards = Award.objects.filter(tender=tender).select_related(
        "tender", "lot", "bid__provider__organization", "recommended_by", "approved_by"
    )
    if rules.is_tender_commissioner(user, tender) or rules.is_panel_chair(user, tender):
        return awards.order_by("lot__number", "-recommended_at", "pk")
    return awards.filter(pk__in=award_notices(tender).values("pk")).order_by("lot__number", "pk")


def award_for(user, uuid) -> Award | None:
    try:
        award = Award.objects.select_related("tender", "lot").filter(uuid=uuid).first()
    except (ValueError, TypeError, ValidationError):
        return None
    if award is None:
        return None
    return awards_visible_to(user, award.tender).filter(pk=award.pk).first()


def complaints_visible_to(user, tender: Tender) -> QuerySet[Complaint]:
    """All complaints about the tender's awards for its commissioners; a provider its own."""
    complaints = Complaint.objects.filter(award__tender=tender).select_related(
        "award__lot", "provider__organization", "lodged_by", "resolved_by"
    )
    if rules.is_tender_commissioner(user, tender):
        return complaints.order_by("lodged_at", "pk")
    own = organizations_where(user, *rules.PROVIDER_ROLES)
    return complaints.filter(provider__organization_id__in=own).order_by("lodged_at", "pk")


def complaint_for(user, uuid) -> Complaint | None:
    try:
        complaint = Complaint.objects.select_related("award__tender").filter(uuid=uuid).first()
    except (ValueError, TypeError, ValidationError):
        return None
    if complaint is None:
        return None
    return complaints_visible_to(user, complaint.award.tender).filter(pk=complaint.pk).first()


def open_complaints(tender: Tender) -> QuerySet[Complaint]:
    """Open complaints against the tender's approved awards: they block completion."""
    return Complaint.objects.filter(
        award__tender=tender,
        award__status=Award.Status.APPROVED,
        status=Complaint.Status.OPEN,
    )


# --- assessment summary -------------------------------------------------------


@dataclass(frozen=True)
class CriterionLine:
    criterion: Criterion
    score: Decimal | None  # 0–10 for panel-scored criteria; None for price and past performance
    points: Decimal


@dataclass(frozen=True)
class Assessment:
    provider: object
    is_winner: bool
    price: Decimal
    result: BidResult
    lines: list[CriterionLine]


@dataclass(frozen=True)
class AssessmentSummary:
    """What a bidder is told after the award: its own assessment and the winner's.

    Nothing about the other losing bids beyond how many there were.
    """

    tender: Tender
    lot: Lot
    award: Award
    own: Assessment
    winner: Assessment
    bids_on_lot: int
    standstill_ends_at: object


def _assessment(bid: Bid, result: BidResult, criteria, agreed, *, is_winner) -> Assessment:
    from marketplace import evaluation

    lowest = (
        Bid.objects.filter(lot_id=bid.lot_id, status=Bid.Status.SUBMITTED)
        .order_by("price")
        .values_list("price", flat=True)
        .first()
    )
    lines = []
    for criterion in criteria:
        if criterion.kind == Criterion.Kind.PRICE:
            points = evaluation.price_points(
                price=bid.price, lowest=lowest, weight=criterion.weight
            )
            lines.append(CriterionLine(criterion, None, points))
        elif criterion.kind == Criterion.Kind.PAST_PERFORMANCE:
            points = evaluation.past_performance_score(bid.provider, criterion)
            lines.append(CriterionLine(criterion, None, points))
        else:
            score = agreed.get((bid.pk, criterion.pk))
            points = (
                evaluation.panel_points(score=score, weight=criterion.weight)
                if score is not None
                else ZERO
            )
            lines.append(CriterionLine(criterion, score, points))
    return Assessment(
        provider=bid.provider,
        is_winner=is_winner,
        price=bid.price,
        result=result,
        lines=lines,
    )


def assessment_summary(bid: Bid) -> AssessmentSummary | None:
    """The bidder's assessment summary, once an award of its lot is approved; else None.

    Serve it to the bidder only (``rules.is_bidder``); ``marketplace.pdf``
    renders it as a PDF.
    """
    award = (
        Award.objects.filter(
            lot_id=bid.lot_id, status__in=(Award.Status.APPROVED, Award.Status.CONFIRMED)
        )
        .select_related("tender", "lot", "bid__provider__organization", "bid__result")
        .first()
    )
    if award is None or bid.status != Bid.Status.SUBMITTED:
        return None
    own_result = BidResult.objects.filter(bid=bid).first()
    winner_result = getattr(award.bid, "result", None)
    if own_result is None or winner_result is None:
        return None
    tender = award.tender
    criteria = list(tender.criteria.order_by("order", "pk"))
    agreed = {
        (line.bid.pk, line.criterion.pk): line.agreed
        for line in moderation_lines(tender)
        if line.bid.pk in (bid.pk, award.bid_id)
    }
    return AssessmentSummary(
        tender=tender,
        lot=award.lot,
        award=award,
        own=_assessment(bid, own_result, criteria, agreed, is_winner=bid.pk == award.bid_id),
        winner=_assessment(award.bid, winner_result, criteria, agreed, is_winner=True),
        bids_on_lot=Bid.objects.filter(lot_id=bid.lot_id, status=Bid.Status.SUBMITTED).count(),
        standstill_ends_at=award.standstill_ends_at,
    )

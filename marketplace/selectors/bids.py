"""Bids, read only through the sealed-bid rule (``bids_visible_to``, ``bid_for``,
``visible_bids``, ``opened_bids``): before the submission deadline a bid belongs to its
provider alone, whatever the reader's role."""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.models import Role
from accounts.rules import organizations_where
from marketplace import rules
from marketplace.models.bids import Bid, BidAttachment, BidResponse
from marketplace.models.panels import BidResult, PanelMember
from marketplace.models.tenders import Criterion, Lot, Tender

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

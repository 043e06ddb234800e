"""Awards as each person may see them, who may approve one (four eyes), and the assessment
summary a bidder is told."""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.models import Role, User
from marketplace import rules, scoring
from marketplace.models.awards import AWARDED_STATES, Award
from marketplace.models.bids import Bid
from marketplace.models.panels import BidResult, Panel
from marketplace.models.tenders import Criterion, Lot, Tender
from marketplace.selectors.common import agency_users
from marketplace.selectors.panels import moderation_lines

ZERO = Decimal("0.00")
# Who approves an award of their agency (never the recommender or the panel chair).
AWARD_APPROVER_ROLES = (Role.COMMISSIONER, Role.SUPERVISOR)


def award_notices(tender: Tender) -> QuerySet[Award]:
    """The published award notices of a tender: lot, winning provider, value (public)."""
    return (
        Award.objects.filter(
            tender=tender,
            notice_published_at__isnull=False,
            status__in=AWARDED_STATES,
        )
        .select_related("lot", "bid__provider__organization")
        .order_by("lot__number", "pk")
    )


def awards_visible_to(user, tender: Tender) -> QuerySet[Award]:
    """Published award notices for everyone; every award, recommended or cancelled,
    for the lead agency's commissioners and supervisors (who approve them) and the
    panel chair."""
    awards = Award.objects.filter(tender=tender).select_related(
        "tender", "lot", "bid__provider__organization", "recommended_by", "approved_by"
    )
    if (
        rules.is_tender_commissioner(user, tender)
        or rules.is_tender_supervisor(user, tender)
        or rules.is_panel_chair(user, tender)
    ):
        return awards.order_by("lot__number", "-recommended_at", "pk")
    return awards.filter(pk__in=award_notices(tender).values("pk")).order_by("lot__number", "pk")


def award_approvers(award: Award) -> list[User]:
    """Who may approve the award (``rules.can_approve_award``), by name: the lead agency's
    active commissioners and supervisors, except whoever recommended it and the panel chair.
    """
    chair = Panel.objects.filter(tender_id=award.tender_id).values_list("chair_id", flat=True)
    return list(
        agency_users(award.tender.lead_agency_id, *AWARD_APPROVER_ROLES)
        .exclude(pk__in=[pk for pk in (award.recommended_by_id, *chair) if pk is not None])
        .order_by("display_name", "username")
    )


def approval_refusal(user, award: Award) -> str:
    """Why ``user`` may not approve the award, and who may instead (the four-eyes rule).

    Names the people who may approve only to the lead agency's own staff; anyone
    else reads the roles.
    """
    agency = award.tender.lead_agency.name
    if rules.recommended_award(user, award):
        reason = _(
            "You recommended this award, so you do not approve it: another commissioner or a "
            "supervisor of %(agency)s does."
        )
    elif rules.chaired_award_panel(user, award):
        reason = _(
            "You chaired the evaluation panel, so you do not approve its award: another "
            "commissioner or a supervisor of %(agency)s does."
        )
    else:
        reason = _(
            "A commissioner or a supervisor of %(agency)s who neither recommended the award nor "
            "chaired the evaluation panel approves it."
        )
    reason %= {"agency": agency}
    if not rules.is_tender_agency_staff(user, award.tender):
        return reason
    names = [str(person) for person in award_approvers(award)]
    if names:
        return reason + " " + _("Who may approve it: %(names)s.") % {"names": ", ".join(names)}
    return (
        reason
        + " "
        + _(
            "Nobody at %(agency)s may approve it yet: a platform administrator gives another "
            "colleague the commissioner or supervisor role."
        )
        % {"agency": agency}
    )


def award_for(user, uuid) -> Award | None:
    try:
        award = Award.objects.select_related("tender", "lot").filter(uuid=uuid).first()
    except (ValueError, TypeError, ValidationError):
        return None
    if award is None:
        return None
    return awards_visible_to(user, award.tender).filter(pk=award.pk).first()


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
    lowest = (
        Bid.objects.filter(lot_id=bid.lot_id, status=Bid.Status.SUBMITTED)
        .order_by("price")
        .values_list("price", flat=True)
        .first()
    )
    lines = []
    for criterion in criteria:
        if criterion.kind == Criterion.Kind.PRICE:
            points = scoring.price_points(price=bid.price, lowest=lowest, weight=criterion.weight)
            lines.append(CriterionLine(criterion, None, points))
        elif criterion.kind == Criterion.Kind.PAST_PERFORMANCE:
            # The points the panel's results froze: ratings move on, a result does not.
            points = result.past_performance_score if result is not None else ZERO
            lines.append(CriterionLine(criterion, None, points))
        else:
            score = agreed.get((bid.pk, criterion.pk))
            points = (
                scoring.panel_points(score=score, weight=criterion.weight)
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
        Award.objects.filter(lot_id=bid.lot_id, status__in=AWARDED_STATES)
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


def standstill_has_ended(award: Award, *, now=None) -> bool:
    """The award stands: confirmed, or approved with its standstill over.

    A contract may be made from it from then on (never during the standstill,
    when losing bidders may still complain).
    """
    if award.status == Award.Status.CONFIRMED:
        return True
    return award.status == Award.Status.APPROVED and award.standstill_over(now)

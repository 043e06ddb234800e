"""The evaluation panel: who sits on it, who has declared and scored, the scores each
person may read, the chair's moderation lines and the results."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet

from marketplace import rules, scoring
from marketplace.models.bids import Bid
from marketplace.models.panels import BidResult, ModeratedScore, Panel, PanelMember, Score
from marketplace.models.tenders import Criterion, Tender

panel_member_of = rules.panel_member_of


def panel_of(tender: Tender) -> Panel | None:
    """The tender's panel with who named it, its chair and members (names only: no scores,
    no bids)."""
    return (
        Panel.objects.select_related("chair", "tender", "created_by")
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
    scorers = [member.pk for member in members if member.may_score]
    submitted = set(
        Score.objects.filter(member_id__in=scorers, submitted_at__isnull=False)
        .values_list("member_id", flat=True)
        .distinct()
    )
    return bool(scorers) and submitted == set(scorers)


def _prices_revealed(tender: Tender) -> bool:
    """Read from the database, not from a tender object that may predate the lock."""
    return Panel.objects.filter(tender_id=tender.pk, quality_locked_at__isnull=False).exists()


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
                    mean=scoring.mean_score(values),
                    spread=scoring.spread(values),
                    flagged=scoring.is_disagreement(values),
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

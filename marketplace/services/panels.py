"""The evaluation panel: naming it, conflict declarations, the members' scores, the
chair's moderation and lock, and the results.

Two envelopes: members score quality and social value while prices stay
hidden, independently (nobody sees another's scores before submitting their
own); the chair moderates, with wide disagreements flagged, and locks — only
then are prices revealed and results computed (``marketplace.scoring``). A
member with a conflict of interest never sees a bid.
"""

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from accounts.rules import is_agency_user
from core.audit import record_change
from core.errors import ApplicationError
from evaluation.selectors import ratings as rating_selectors
from marketplace import rules, scoring
from marketplace.models.bids import Bid
from marketplace.models.panels import (
    SCORE_MAX,
    SCORE_MIN,
    BidResult,
    ModeratedScore,
    Panel,
    PanelMember,
    Score,
)
from marketplace.models.tenders import PANEL_STATES, Criterion, Tender
from marketplace.selectors.panels import (
    all_scores_submitted,
    has_submitted_scores,
    moderation_lines,
)
from marketplace.services.common import CENT, ZERO, raise_if, require_commissioner
from marketplace.services.timetable import require_evaluation


def _lock_panel(panel: Panel) -> Panel:
    return (
        Panel.objects.select_for_update(of=("self",))
        .select_related("tender", "chair")
        .get(pk=panel.pk)
    )


def _panel_audit(panel: Panel, action: str, actor, **details) -> None:
    record_change(
        action=action,
        actor=actor,
        organization=panel.tender.lead_agency,
        target=panel.tender,
        details=details,
        label=panel.tender.reference,
    )


@transaction.atomic
def set_panel(*, tender: Tender, chair: User, members: Iterable[User], actor: User) -> Panel:
    """Name (or change) the evaluation panel of a tender: a chair and members, all agency users.

    The chair is a member too: they declare conflicts and score like everyone
    else. A panel has at least ``settings.PANEL_MIN_MEMBERS`` people, the chair
    included, so that no one person decides a tender. Members may come from
    partner agencies (joint commissioning). The panel can change until
    moderation is locked, but a member who has submitted scores stays on it.
    """
    tender = Tender.objects.select_for_update().get(pk=tender.pk)
    require_commissioner(actor, tender)
    if tender.status not in PANEL_STATES:
        raise ApplicationError(
            _("A panel is named while the tender is open or under evaluation."), code="closed"
        )
    people = {user.pk: user for user in [chair, *members]}
    errors: dict[str, list[str]] = {}
    # Four eyes: a panel of one or two would let one person decide the tender.
    minimum = settings.PANEL_MIN_MEMBERS
    if len(people) < minimum:
        errors["members"] = [
            ngettext(
                "A panel has at least %(minimum)d member, the chair included.",
                "A panel has at least %(minimum)d members, the chair included: add %(missing)d "
                "more.",
                minimum,
            )
            % {"minimum": minimum, "missing": minimum - len(people)}
        ]
    outsiders = [user for user in people.values() if not (user.is_active and is_agency_user(user))]
    if outsiders:
        errors.setdefault("members", []).append(
            _("Only active agency users can sit on a panel: %(names)s.")
            % {"names": ", ".join(str(user) for user in outsiders)}
        )
    panel = Panel.objects.select_for_update().filter(tender=tender).first()
    if panel is not None and panel.quality_locked_at is not None:
        raise ApplicationError(
            _("Moderation is locked: the panel can no longer change."), code="locked"
        )
    if panel is not None:
        scored = set(
            Score.objects.filter(member__panel=panel, submitted_at__isnull=False).values_list(
                "member__user_id", flat=True
            )
        )
        staying = scored - set(people)
        if staying:
            errors.setdefault("members", []).append(
                _("Members who have submitted scores stay on the panel.")
            )
    raise_if(errors)
    if panel is None:
        panel = Panel.objects.create(tender=tender, chair=chair, created_by=actor)
    elif panel.chair_id != chair.pk:
        panel.chair = chair
        panel.save(update_fields=["chair"])
    PanelMember.objects.filter(panel=panel).exclude(user_id__in=list(people)).delete()
    existing = set(panel.members.values_list("user_id", flat=True))
    PanelMember.objects.bulk_create(
        [PanelMember(panel=panel, user=user) for pk, user in people.items() if pk not in existing]
    )
    rules.forget_panel_membership(actor)
    _panel_audit(
        panel, "panel.named", actor, chair=chair.pk, members=sorted(people), tender=tender.reference
    )
    return panel


@transaction.atomic
def declare_conflict(
    *, member: PanelMember, has_conflict: bool, note: str = "", user: User | None = None, now=None
) -> PanelMember:
    """A member declares, before seeing any bid, whether they have a conflict of interest.

    Only then are the bids shown to them — and never if they have one. A
    member who finds a conflict later may still declare it: from then on they
    see no bid and their scores no longer count (they stay on record).
    """
    now = now or timezone.now()
    member = (
        PanelMember.objects.select_for_update(of=("self",))
        .select_related("panel__tender__lead_agency", "user")
        .get(pk=member.pk)
    )
    if user is not None and not rules.holds_seat(user, member):
        raise PermissionDenied(_("Members declare their conflicts of interest themselves."))
    if member.panel.quality_locked_at is not None:
        raise ApplicationError(_("Moderation is locked."), code="locked")
    if member.conflict_declared_at is not None and (member.has_conflict or not has_conflict):
        raise ApplicationError(
            _("You have already declared. A conflict found later can still be declared."),
            code="declared",
        )
    note = (note or "").strip()
    if has_conflict and not note:
        raise ApplicationError(
            _("Some fields need attention."),
            field_errors={"note": [_("Say what the conflict is, so the chair can act on it.")]},
        )
    member.has_conflict = bool(has_conflict)
    member.conflict_note = note
    member.conflict_declared_at = now
    member.save(update_fields=["has_conflict", "conflict_note", "conflict_declared_at"])
    rules.forget_panel_membership(member.user)
    if user is not None:
        rules.forget_panel_membership(user)
    _panel_audit(
        member.panel,
        "panel.conflict_declared",
        member.user,
        tender=member.panel.tender.reference,
        has_conflict=member.has_conflict,
    )
    return member


def _score_value(value, *, field: str) -> Decimal:
    try:
        score = Decimal(str(value).strip())
    except (InvalidOperation, TypeError, ValueError):
        score = None
    if (
        score is None
        or not score.is_finite()
        or not SCORE_MIN <= score <= SCORE_MAX
        or score != score.quantize(CENT)
    ):
        raise ApplicationError(
            _("Some fields need attention."),
            field_errors={
                field: [
                    _("Give a score from %(min)s to %(max)s, at most two decimals.")
                    % {"min": SCORE_MIN, "max": SCORE_MAX}
                ]
            },
        )
    return score


def _scoring_member(member: PanelMember, user, now) -> tuple[PanelMember, Tender]:
    member = (
        PanelMember.objects.select_for_update(of=("self",))
        .select_related("panel__tender", "user")
        .get(pk=member.pk)
    )
    # Scores are the member's own: nobody scores in another member's seat.
    if user is not None and not rules.holds_seat(user, member):
        raise PermissionDenied(_("Members score in their own seat only."))
    tender = require_evaluation(member.panel.tender, now)
    if member.conflict_declared_at is None:
        raise ApplicationError(
            _("Declare whether you have a conflict of interest before scoring."),
            code="undeclared",
        )
    if member.has_conflict:
        raise PermissionDenied(_("A member with a conflict of interest does not score."))
    if member.panel.quality_locked_at is not None:
        raise ApplicationError(
            _("Moderation is locked: scores can no longer change."), code="locked"
        )
    if has_submitted_scores(member):
        raise ApplicationError(
            _("You have submitted your scores; they can no longer change."), code="submitted"
        )
    return member, tender


@transaction.atomic
def save_scores(
    *,
    member: PanelMember,
    bid: Bid,
    scores: dict,
    comments: dict | None = None,
    user: User | None = None,
    now=None,
) -> list[Score]:
    """A member's scores (0–10) of one bid on the criteria the panel scores, as a draft.

    ``scores`` and ``comments`` map a criterion (or its id) to the score and
    an optional comment. Only after the deadline, only a member who declared
    no conflict, until they submit (``submit_scores``). Prices play no part:
    they are still hidden (two envelopes). ``user`` is who acts (refused
    unless it is the member); None is a script acting for the member.
    """
    now = now or timezone.now()
    member, tender = _scoring_member(member, user, now)
    bid = Bid.objects.filter(pk=bid.pk, tender=tender, status=Bid.Status.SUBMITTED).first()
    if bid is None:
        raise ApplicationError(_("Score only the submitted bids of this tender."), code="bid")
    criteria = {c.pk: c for c in tender.criteria.all() if c.is_scored_by_panel}
    comments = {int(getattr(k, "pk", k)): v for k, v in (comments or {}).items()}
    saved = []
    for key, value in scores.items():
        criterion = criteria.get(int(getattr(key, "pk", key)))
        if criterion is None:
            raise ApplicationError(
                _(
                    "Score only the quality and social-value criteria: price and past performance "
                    "are computed."
                ),
                field_errors={"scores": [_("This criterion is not scored by the panel.")]},
            )
        score = _score_value(value, field=f"score_{criterion.pk}")
        row, _created = Score.objects.update_or_create(
            bid=bid,
            criterion=criterion,
            member=member,
            defaults={"score": score, "comment": (comments.get(criterion.pk) or "").strip()},
        )
        saved.append(row)
    _panel_audit(
        member.panel,
        "panel.scores_saved",
        member.user,
        tender=tender.reference,
        bid=str(bid.uuid),
        criteria=len(saved),
    )
    return saved


@transaction.atomic
def submit_scores(*, member: PanelMember, user: User | None = None, now=None) -> int:
    """Submit all of a member's scores at once; then they see the other members' submitted
    scores, and theirs can no longer change. Every submitted bid needs a score on every
    criterion the panel scores. Returns how many scores were submitted."""
    now = now or timezone.now()
    member, tender = _scoring_member(member, user, now)
    criteria = [c.pk for c in tender.criteria.all() if c.is_scored_by_panel]
    bids = list(
        Bid.objects.filter(tender=tender, status=Bid.Status.SUBMITTED).values_list("pk", flat=True)
    )
    have = set(
        Score.objects.filter(member=member, bid_id__in=bids).values_list("bid_id", "criterion_id")
    )
    missing = [
        (bid, criterion) for bid in bids for criterion in criteria if (bid, criterion) not in have
    ]
    if missing:
        raise ApplicationError(
            _("Score every bid on every criterion before submitting: %(count)d scores are missing.")
            % {"count": len(missing)},
            code="incomplete",
        )
    count = Score.objects.filter(member=member).update(submitted_at=now, updated_at=now)
    _panel_audit(member.panel, "panel.scores_submitted", member.user, tender=tender.reference)
    return count


def _chair_panel(panel: Panel, chair: User, now) -> tuple[Panel, Tender]:
    panel = _lock_panel(panel)
    if not rules.chairs(chair, panel):
        raise PermissionDenied(_("Only the chair of the panel can moderate."))
    tender = require_evaluation(panel.tender, now)
    member = rules.panel_member_of(chair, tender)
    if member is None or not member.may_score:
        raise ApplicationError(
            _(
                "The chair must declare no conflict of interest before moderating. A chair "
                "with a conflict is replaced by the commissioner."
            ),
            code="chair_conflict",
        )
    if panel.quality_locked_at is not None:
        raise ApplicationError(_("Moderation is locked."), code="locked")
    return panel, tender


def _require_all_submitted(panel: Panel, tender: Tender) -> None:
    panel_criteria = [c for c in tender.criteria.all() if c.is_scored_by_panel]
    if panel_criteria and not all_scores_submitted(panel):
        raise ApplicationError(
            _(
                "Moderation starts once every member has declared and every member without a "
                "conflict has submitted their scores."
            ),
            code="scores_outstanding",
        )


@transaction.atomic
def moderate(
    *,
    panel: Panel,
    bid: Bid,
    criterion: Criterion,
    score,
    note: str,
    chair: User,
    now=None,
) -> ModeratedScore:
    """The chair sets the agreed score of a bid on a criterion; members' scores stay as they were.

    A disagreement (members more than ``DISAGREEMENT_THRESHOLD`` apart) is
    flagged on the moderated score and needs a note saying how it was settled.
    """
    now = now or timezone.now()
    panel, tender = _chair_panel(panel, chair, now)
    _require_all_submitted(panel, tender)
    if not criterion.is_scored_by_panel or criterion.tender_id != tender.pk:
        raise ApplicationError(_("Moderate only the criteria the panel scores."), code="criterion")
    if not Bid.objects.filter(pk=bid.pk, tender=tender, status=Bid.Status.SUBMITTED).exists():
        raise ApplicationError(_("Moderate only the submitted bids of this tender."), code="bid")
    value = _score_value(score, field="score")
    members_scores = list(
        Score.objects.filter(
            bid_id=bid.pk,
            criterion=criterion,
            submitted_at__isnull=False,
            member__has_conflict=False,
        ).values_list("score", flat=True)
    )
    flagged = scoring.is_disagreement(members_scores)
    note = (note or "").strip()
    if flagged and not note:
        raise ApplicationError(
            _("Some fields need attention."),
            field_errors={
                "note": [
                    _("The members disagreed widely here: note how the panel settled the score.")
                ]
            },
        )
    moderated, _created = ModeratedScore.objects.update_or_create(
        bid_id=bid.pk,
        criterion=criterion,
        defaults={
            "score": value,
            "note": note,
            "flagged_disagreement": flagged,
            "moderated_by": chair,
            "moderated_at": now,
        },
    )
    _panel_audit(
        panel,
        "panel.score_moderated",
        chair,
        tender=tender.reference,
        bid=str(bid.uuid),
        criterion=criterion.pk,
        flagged=flagged,
    )
    return moderated


@transaction.atomic
def lock_moderation(*, panel: Panel, chair: User, now=None) -> Panel:
    """The chair locks the quality scores; only now are prices revealed and results computed.

    Refused while a member's scores are outstanding or a flagged disagreement
    has not been moderated.
    """
    now = now or timezone.now()
    panel, tender = _chair_panel(panel, chair, now)
    _require_all_submitted(panel, tender)
    unsettled = [line for line in moderation_lines(tender) if line.flagged and not line.moderated]
    if unsettled:
        raise ApplicationError(
            _("Moderate the %(count)d flagged disagreements before locking.")
            % {"count": len(unsettled)},
            code="disagreements",
        )
    panel.quality_locked_at = now
    panel.save(update_fields=["quality_locked_at"])
    tender.panel = panel
    results = compute_results(tender=tender, now=now)
    _panel_audit(
        panel, "panel.moderation_locked", chair, tender=tender.reference, results=len(results)
    )
    return panel


def _past_performances(tender: Tender, bids: list[Bid]) -> dict:
    """Each bid's ``PastPerformance``: its provider's rating in the lot's categories (or the
    tender's, for a lot that names none) — one query per lot."""
    tender_categories = [c.pk for c in tender.categories.all()]
    histories = {}
    for lot_id in {bid.lot_id for bid in bids}:
        on_lot = [bid for bid in bids if bid.lot_id == lot_id]
        lot_categories = [c.pk for c in on_lot[0].lot.categories.all()] or tender_categories
        found = rating_selectors.past_performances(
            {bid.provider_id for bid in on_lot}, lot_categories
        )
        histories.update({bid.pk: found[bid.provider_id] for bid in on_lot})
    return histories


@transaction.atomic
def compute_results(*, tender: Tender, now=None) -> list[BidResult]:
    """Points per kind of criterion, totals and ranks per lot, for every submitted bid.

    Only once prices are revealed (moderation locked). Recomputing replaces
    the previous results. The formulas are in ``marketplace.scoring``.
    """
    now = now or timezone.now()
    panel = Panel.objects.filter(tender=tender).first()
    if panel is None or panel.quality_locked_at is None:
        raise ApplicationError(
            _("Results are computed once the chair has locked moderation."), code="not_locked"
        )
    criteria = list(tender.criteria.order_by("order", "pk"))
    agreed = {(line.bid.pk, line.criterion.pk): line.agreed for line in moderation_lines(tender)}
    bids = list(
        Bid.objects.filter(tender=tender, status=Bid.Status.SUBMITTED).select_related(
            "provider", "lot"
        )
    )
    lowest: dict[int, Decimal] = {}
    for bid in bids:
        lowest[bid.lot_id] = min(lowest.get(bid.lot_id, bid.price), bid.price)
    histories = _past_performances(tender, bids)
    parts_of: dict[int, dict[str, Decimal]] = {}
    for bid in bids:
        parts = dict.fromkeys(Criterion.Kind.values, ZERO)
        for criterion in criteria:
            if criterion.kind == Criterion.Kind.PRICE:
                points = scoring.price_points(
                    price=bid.price, lowest=lowest[bid.lot_id], weight=criterion.weight
                )
            elif criterion.kind == Criterion.Kind.PAST_PERFORMANCE:
                points = scoring.past_performance_score(histories[bid.pk], criterion)
            else:
                score = agreed.get((bid.pk, criterion.pk))
                points = (
                    scoring.panel_points(score=score, weight=criterion.weight)
                    if score is not None
                    else ZERO
                )
            parts[criterion.kind] += points
        parts_of[bid.pk] = parts
    BidResult.objects.filter(bid__tender=tender).delete()
    results = []
    for lot_id in sorted(lowest):
        standings = [
            scoring.Standing(
                key=bid.pk,
                total=sum(parts_of[bid.pk].values(), ZERO),
                panel_points=parts_of[bid.pk][Criterion.Kind.QUALITY]
                + parts_of[bid.pk][Criterion.Kind.SOCIAL_VALUE],
                price=bid.price,
                submitted_at=bid.submitted_at,
            )
            for bid in bids
            if bid.lot_id == lot_id
        ]
        for rank, standing in enumerate(scoring.ranked(standings), start=1):
            parts = parts_of[standing.key]
            results.append(
                BidResult(
                    bid_id=standing.key,
                    quality_score=parts[Criterion.Kind.QUALITY],
                    price_score=parts[Criterion.Kind.PRICE],
                    past_performance_score=parts[Criterion.Kind.PAST_PERFORMANCE],
                    past_performance_basis=scoring.past_performance_basis(histories[standing.key]),
                    social_value_score=parts[Criterion.Kind.SOCIAL_VALUE],
                    total=standing.total,
                    rank=rank,
                    computed_at=now,
                )
            )
    return BidResult.objects.bulk_create(results)

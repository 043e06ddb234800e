"""Awards: the recommendation of a lot's award, its approval (money committed, notice
published, standstill started, bidders told) and its cancellation.

Four eyes: the panel chair or a commissioner recommends; another commissioner or a
supervisor of the lead agency approves — never whoever recommended the award or
chaired the panel (``rules.can_approve_award``).

Every status change goes along ``AWARD_LIFECYCLE``; confirmation at the end of
the standstill is beat's (``services.timetable``).
"""

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.audit import record_change
from core.errors import ApplicationError
from core.formatting import bilingual, moment_text
from core.lifecycle import move
from marketplace import rules, tasks
from marketplace.models.alerts import Alert
from marketplace.models.awards import AWARD_LIFECYCLE, AWARDED_STATES, Award
from marketplace.models.bids import Bid
from marketplace.models.panels import BidResult
from marketplace.models.tenders import Lot, Tender
from marketplace.selectors.awards import approval_refusal, award_approvers
from marketplace.selectors.common import provider_users
from marketplace.services.alerts import alert_users
from marketplace.services.budgets import commit_funds, release_funds
from marketplace.services.common import move_tender, require_commissioner, required_reason
from marketplace.services.timetable import require_evaluation


def _award_details(award: Award, **details) -> dict:
    return {"tender": award.tender.reference, "lot": award.lot.number, **details}


def _award_audit(award: Award, action: str, actor, **details) -> None:
    record_change(
        action=action,
        actor=actor,
        organization=award.tender.lead_agency,
        target=award,
        details=_award_details(award, **details),
        label=award.tender.reference,
    )


def lock_award(award: Award) -> Award:
    return (
        Award.objects.select_for_update(of=("self",))
        .select_related(
            "tender__lead_agency", "tender__budget", "lot", "bid__provider__organization"
        )
        .get(pk=award.pk)
    )


@transaction.atomic
def recommend_award(
    *, lot: Lot, actor: User, bid: Bid | None = None, reason: str = "", now=None
) -> Award:
    """Recommend the lot's award to a bid: the first-ranked one unless a reason says otherwise.

    By the panel chair or a commissioner of the lead agency, once results are
    computed. The people who may approve it — not the recommender, not the
    chair — are alerted, with the reason for passing over the first-ranked bid
    when there is one (also in the audit log).
    """
    now = now or timezone.now()
    tender = Tender.objects.select_for_update().get(pk=lot.tender_id)
    tender = require_evaluation(tender, now)
    if not rules.can_recommend_award(actor, tender):
        raise PermissionDenied(
            _("The panel chair or a commissioner recommends the award, once prices are revealed.")
        )
    results = list(
        BidResult.objects.filter(bid__lot=lot, bid__status=Bid.Status.SUBMITTED)
        .select_related("bid__provider__organization")
        .order_by("rank")
    )
    if not results:
        raise ApplicationError(_("This lot has no evaluated bid to award."), code="no_results")
    top = results[0]
    chosen = top if bid is None else next((r for r in results if r.bid_id == bid.pk), None)
    if chosen is None:
        raise ApplicationError(_("Choose an evaluated bid of this lot."), code="bid")
    reason = (reason or "").strip()
    if chosen.pk != top.pk and not reason:
        raise ApplicationError(
            _("Some fields need attention."),
            field_errors={
                "reason": [_("Say why the award should not go to the first-ranked bid.")]
            },
        )
    live = Award.objects.filter(lot=lot).exclude(status=Award.Status.CANCELLED).first()
    if live is not None:
        raise ApplicationError(
            _("This lot already has an award that is “%(status)s”.")
            % {"status": Award.Status(live.status).label},
            code="awarded",
        )
    award = Award.objects.create(
        tender=tender,
        lot=lot,
        bid=chosen.bid,
        value=chosen.bid.price,
        recommended_by=actor,
        recommended_at=now,
    )
    _award_audit(
        award, "award.recommended", actor, bid=str(chosen.bid.uuid), rank=chosen.rank, reason=reason
    )
    alert_users(
        users=award_approvers(award),
        tender=tender,
        kind=Alert.Kind.AWARD_NOTICE,
        key=f"recommended-{award.uuid.hex}",
        render=lambda: (
            _(
                "Lot %(lot)d of tender %(reference)s is recommended for award to %(provider)s "
                "(ranked %(rank)d). Approve or cancel the recommendation."
            )
            % {
                "lot": lot.number,
                "reference": tender.reference,
                "provider": chosen.bid.provider.name,
                "rank": chosen.rank,
            }
            + (" " + _("Reason: %(reason)s") % {"reason": reason} if reason else "")
        ),
    )
    return award


def _lots_all_awarded(tender: Tender) -> bool:
    """Every lot that received a submitted bid has an approved (or confirmed) award."""
    bid_lots = set(
        Bid.objects.filter(tender=tender, status=Bid.Status.SUBMITTED).values_list(
            "lot_id", flat=True
        )
    )
    awarded = set(
        Award.objects.filter(tender=tender, status__in=AWARDED_STATES).values_list(
            "lot_id", flat=True
        )
    )
    return bool(bid_lots) and bid_lots <= awarded


@transaction.atomic
def approve_award(*, award: Award, actor: User, now=None) -> Award:
    """Another commissioner or a supervisor of the lead agency approves a recommended award.

    Refused to whoever recommended it or chaired the panel (four eyes), with
    who may approve instead. Commits the award's value on the pooled budget
    (refused, with what is available, when it would overdraw the budget or an
    earmark — also when two approvals race: the budget row stays locked),
    publishes the award notice, starts the standstill
    (``Tender.standstill_days``) and, once every lot with bids is awarded,
    moves the tender to awarded. Every bidder on the lot is alerted and
    e-mailed its assessment summary (PDF) after commit.
    """
    now = now or timezone.now()
    tender = Tender.objects.select_for_update().get(pk=award.tender_id)
    award = lock_award(award)
    if not rules.can_approve_award(actor, award):
        raise PermissionDenied(approval_refusal(actor, award))
    # The table first: only a recommended award is approved, whatever else holds.
    AWARD_LIFECYCLE.check(award.status, Award.Status.APPROVED)
    tender = require_evaluation(tender, now)
    categories = list(award.lot.categories.all()) or list(tender.categories.all())
    commit_funds(
        budget=tender.budget,
        amount=award.value,
        categories=categories,
        tender=tender,
        lot=award.lot,
        award=award,
        actor=actor,
    )
    standstill_ends_at = now + timedelta(days=tender.standstill_days)
    move(
        award,
        Award.Status.APPROVED,
        lifecycle=AWARD_LIFECYCLE,
        actor=actor,
        now=now,
        values={
            "approved_by": actor,
            "approved_at": now,
            "standstill_ends_at": standstill_ends_at,
            "notice_published_at": now,
        },
        details=_award_details(award, standstill_ends_at=standstill_ends_at.isoformat()),
    )
    if _lots_all_awarded(tender):
        last = Award.objects.filter(tender=tender, status=Award.Status.APPROVED).aggregate(
            last=Max("standstill_ends_at")
        )["last"]
        note = bilingual(
            lambda: _("Awarded; the standstill ends on %(end)s.") % {"end": moment_text(last)}
        )
        move_tender(
            tender,
            Tender.Status.AWARDED,
            actor=actor,
            note=note,
            now=now,
            values={"standstill_ends_at": last},
        )
    _tell_bidders_of_award(award)
    return award


def _tell_bidders_of_award(award: Award) -> None:
    """Alert every bidder on the lot, and queue each one's e-mail with its assessment summary."""
    tender, lot = award.tender, award.lot
    bids = list(
        Bid.objects.filter(lot=lot, status=Bid.Status.SUBMITTED).values_list(
            "pk", "provider__organization_id"
        )
    )
    people = provider_users({org for _pk, org in bids})
    winner_org = award.bid.provider.organization_id
    values = {
        "lot": lot.number,
        "reference": tender.reference,
        "provider": award.bid.provider.name,
        "end": moment_text(award.standstill_ends_at),
    }
    alert_users(
        users=[user for org, user in people if org == winner_org],
        tender=tender,
        kind=Alert.Kind.AWARD_NOTICE,
        key=f"award-{award.uuid.hex}",
        render=lambda: (
            _(
                "Your bid for lot %(lot)d of tender %(reference)s has been awarded. The "
                "standstill ends on %(end)s; your assessment summary is on your bid's page."
            )
            % values
        ),
    )
    alert_users(
        users=[user for org, user in people if org != winner_org],
        tender=tender,
        kind=Alert.Kind.AWARD_NOTICE,
        key=f"award-{award.uuid.hex}",
        render=lambda: (
            _(
                "Lot %(lot)d of tender %(reference)s has been awarded to %(provider)s. Your "
                "assessment summary is on your bid's page; you may lodge a complaint until "
                "%(end)s."
            )
            % values
        ),
    )
    award_id = award.pk
    for bid_id, _org in bids:
        transaction.on_commit(
            lambda bid_id=bid_id: tasks.send_assessment_summary.delay(award_id, bid_id)
        )


def cancel_locked_award(award: Award, *, reason: str, actor: User | None, now) -> Award:
    """Cancel an award (locked by the caller), give its money back, and send the tender
    back to evaluation when it was awarded."""
    was_approved = award.status == Award.Status.APPROVED
    move(
        award,
        Award.Status.CANCELLED,
        lifecycle=AWARD_LIFECYCLE,
        actor=actor,
        now=now,
        values={"cancelled_at": now, "cancellation_reason": reason},
        details=_award_details(award),
    )
    # Only an approved award has money committed on the budget.
    if was_approved:
        release_funds(budget=award.tender.budget, award=award, actor=actor)
    tender = Tender.objects.select_for_update().get(pk=award.tender_id)
    if tender.status == Tender.Status.AWARDED:
        move_tender(
            tender,
            Tender.Status.EVALUATION,
            actor=actor,
            note=reason,
            now=now,
            values={"standstill_ends_at": None},
        )
    return award


@transaction.atomic
def cancel_award(*, award: Award, reason: str, actor: User, now=None) -> Award:
    """Cancel a recommended or approved award, with a reason; committed money goes back."""
    now = now or timezone.now()
    Tender.objects.select_for_update().get(pk=award.tender_id)
    award = lock_award(award)
    require_commissioner(actor, award.tender)
    return cancel_locked_award(award, reason=required_reason(reason), actor=actor, now=now)

"""Complaints: a bidder on the lot challenges an approved award during the standstill; a
commissioner upholds or dismisses it, or the complainant withdraws it.

An open complaint holds the tender's completion. Upheld, it cancels the award
(its money released) and the lot is evaluated again. Every status change goes
along ``COMPLAINT_LIFECYCLE``.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.audit import record_change
from core.errors import ApplicationError
from core.formatting import bilingual, moment_text
from core.lifecycle import move
from marketplace import rules
from marketplace.models.alerts import Alert
from marketplace.models.awards import AWARD_LIFECYCLE, Award
from marketplace.models.bids import Bid
from marketplace.models.complaints import COMPLAINT_LIFECYCLE, RESOLUTIONS, Complaint
from marketplace.models.tenders import Tender
from marketplace.selectors.common import provider_users
from marketplace.services.alerts import alert_users, commissioners_of
from marketplace.services.awards import cancel_locked_award, lock_award
from marketplace.services.common import raise_if, require_commissioner

MAX_COMPLAINT_LENGTH = 8000


def _lock_complaint(complaint: Complaint) -> Complaint:
    return (
        Complaint.objects.select_for_update(of=("self",))
        .select_related("award__tender__lead_agency", "award__lot", "provider__organization")
        .get(pk=complaint.pk)
    )


def _complaint_details(complaint: Complaint, **details) -> dict:
    # No complaint or response text: the record says who, when and what happened.
    return {
        "tender": complaint.award.tender.reference,
        "lot": complaint.award.lot.number,
        **details,
    }


def _complaint_audit(complaint: Complaint, action: str, actor, **details) -> None:
    record_change(
        action=action,
        actor=actor,
        organization=complaint.award.tender.lead_agency,
        target=complaint,
        details=_complaint_details(complaint, **details),
        label=complaint.award.tender.reference,
    )


@transaction.atomic
def lodge_complaint(*, award: Award, bid: Bid, user: User, text: str, now=None) -> Complaint:
    """A bidder on the lot challenges an approved award during the standstill.

    While it is open, the tender cannot complete. One open complaint per bid.
    """
    now = now or timezone.now()
    award = lock_award(award)
    bid = Bid.objects.select_related("provider__organization").get(pk=bid.pk)
    if not rules.is_bidder(user, bid):
        raise PermissionDenied(_("Only people of the bidding provider can complain about it."))
    if bid.lot_id != award.lot_id or bid.status != Bid.Status.SUBMITTED:
        raise ApplicationError(
            _("Only a provider that bid on this lot can complain about its award."), code="bid"
        )
    if award.status != Award.Status.APPROVED or award.standstill_ends_at is None:
        raise ApplicationError(
            _("Complaints are lodged against an approved award during its standstill."),
            code="not_in_standstill",
        )
    if award.standstill_over(now):
        raise ApplicationError(
            _("The standstill ended on %(end)s; complaints can no longer be lodged here.")
            % {"end": moment_text(award.standstill_ends_at)},
            code="standstill_over",
        )
    text = (text or "").strip()
    if not text or len(text) > MAX_COMPLAINT_LENGTH:
        raise ApplicationError(
            _("Some fields need attention."),
            field_errors={
                "text": [
                    _("Write your complaint, in at most %(limit)d characters.")
                    % {"limit": MAX_COMPLAINT_LENGTH}
                ]
            },
        )
    if Complaint.objects.filter(award=award, bid=bid, status=Complaint.Status.OPEN).exists():
        raise ApplicationError(
            _(
                "Your complaint about this award is still open; add to it by withdrawing and "
                "lodging it again."
            ),
            code="already_open",
        )
    complaint = Complaint.objects.create(
        award=award, bid=bid, provider=bid.provider, text=text, lodged_by=user, lodged_at=now
    )
    _complaint_audit(complaint, "complaint.lodged", user)
    tender = award.tender
    alert_users(
        users=commissioners_of(tender),
        tender=tender,
        kind=Alert.Kind.AWARD_NOTICE,
        key=f"complaint-{complaint.uuid.hex}",
        render=lambda: (
            _(
                "A bidder has lodged a complaint about the award of lot %(lot)d of tender "
                "%(reference)s. The tender cannot complete until it is resolved."
            )
            % {"lot": award.lot.number, "reference": tender.reference}
        ),
    )
    return complaint


@transaction.atomic
def resolve_complaint(
    *, complaint: Complaint, outcome: str, response: str, actor: User, now=None
) -> Complaint:
    """A commissioner of the lead agency answers a complaint: upheld or dismissed.

    Upheld: the award is cancelled, its money released and the tender goes
    back to evaluation, where the lot can be awarded again. The complainant
    is alerted either way.
    """
    now = now or timezone.now()
    Tender.objects.select_for_update().get(pk=complaint.award.tender_id)
    complaint = _lock_complaint(complaint)
    tender = complaint.award.tender
    require_commissioner(actor, tender)
    errors: dict[str, list[str]] = {}
    if outcome not in RESOLUTIONS:
        errors["outcome"] = [_("Choose upheld or dismissed.")]
    response = (response or "").strip()
    if not response:
        errors["response"] = [_("Give your answer: the complainant reads it.")]
    raise_if(errors)
    # The table refuses a complaint that is no longer open.
    move(
        complaint,
        outcome,
        lifecycle=COMPLAINT_LIFECYCLE,
        actor=actor,
        now=now,
        values={"response": response, "resolved_by": actor, "resolved_at": now},
        action="complaint.resolved",
        details=_complaint_details(complaint, outcome=outcome),
    )
    award = lock_award(complaint.award)
    if outcome == Complaint.Status.UPHELD and AWARD_LIFECYCLE.allows(
        award.status, Award.Status.CANCELLED
    ):
        reason = bilingual(
            lambda: (
                _("A complaint about the award was upheld. Lot %(lot)d is evaluated again.")
                % {"lot": award.lot.number}
            )
        )
        cancel_locked_award(award, reason=reason, actor=actor, now=now)
    people = provider_users([complaint.provider.organization_id])
    alert_users(
        users=[user for _org, user in people],
        tender=tender,
        kind=Alert.Kind.AWARD_NOTICE,
        key=f"complaint-resolved-{complaint.uuid.hex}",
        render=lambda: (
            _("Your complaint about tender %(reference)s was %(outcome)s.")
            % {
                "reference": tender.reference,
                "outcome": Complaint.Status(outcome).label.lower(),
            }
        ),
    )
    return complaint


@transaction.atomic
def withdraw_complaint(*, complaint: Complaint, user: User, now=None) -> Complaint:
    """The complainant withdraws an open complaint; it no longer blocks completion."""
    now = now or timezone.now()
    complaint = _lock_complaint(complaint)
    if not rules.is_complainant(user, complaint):
        raise PermissionDenied(_("Only the complaining provider can withdraw its complaint."))
    move(
        complaint,
        Complaint.Status.WITHDRAWN,
        lifecycle=COMPLAINT_LIFECYCLE,
        actor=user,
        now=now,
        values={"resolved_at": now},
        action="complaint.withdrawn",
        details=_complaint_details(complaint),
    )
    return complaint

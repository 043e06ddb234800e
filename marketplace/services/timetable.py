"""The moves of a tender's lifecycle, and the timed ones beat makes.

Beat runs ``advance_tenders`` every minute: scheduled publication, the end of
the question period, the deadline for bids, the end of the standstill. The
same moves serve people's actions: ``publish`` (a commissioner publishing
now), ``close`` (cancelling, or closing without an award). Pages and services
that act on a tender past its deadline for bids catch up first
(``require_evaluation``), so nobody waits for beat. Each move goes through
``core.lifecycle`` along ``TENDER_LIFECYCLE`` under the tender's row lock, so
a second run, or two at once, finds nothing left to do.
"""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import record_change
from core.errors import ApplicationError
from core.formatting import bilingual, moment_text
from core.lifecycle import move
from marketplace import tasks
from marketplace.models.alerts import Alert
from marketplace.models.awards import AWARD_LIFECYCLE, Award
from marketplace.models.bids import Bid
from marketplace.models.tenders import Tender
from marketplace.selectors.clarifications import unanswered_questions
from marketplace.selectors.complaints import open_complaints
from marketplace.selectors.tenders import tenders_due
from marketplace.services.alerts import alert_users, commissioners_of
from marketplace.services.budgets import release_funds
from marketplace.services.common import move_tender


def publish(tender: Tender, *, actor, now, note: str = "") -> Tender:
    """Publish a checked draft now; matching providers are alerted after commit."""
    # A planned time that has passed stays the moment of publication; a later one
    # gives way to now (the commissioner publishes early).
    planned = tender.publish_at
    publish_at = now if planned is None or planned > now else planned
    tender = move_tender(
        tender,
        Tender.Status.PUBLISHED,
        actor=actor,
        note=note,
        now=now,
        values={"publish_at": publish_at, "publish_scheduled": False},
    )
    tender_id = tender.pk
    transaction.on_commit(lambda: tasks.send_tender_published_alerts.delay(tender_id))
    return tender


def close(tender: Tender, to: str, *, reason: str, actor, now=None) -> Tender:
    """Cancel a tender or close it unsuccessful, with the reason published.

    Awards not yet confirmed are cancelled with it and the money committed for
    them goes back to the budget; a confirmed award has its contract and keeps it.
    """
    now = now or timezone.now()
    tender = move_tender(
        tender,
        to,
        actor=actor,
        note=reason,
        now=now,
        values={"cancellation_reason": reason, "publish_scheduled": False},
    )
    awards = (
        Award.objects.select_for_update(of=("self",))
        .select_related("tender", "lot")
        .filter(tender=tender, status__in=AWARD_LIFECYCLE.sources(Award.Status.CANCELLED))
    )
    for award in awards:
        move(
            award,
            Award.Status.CANCELLED,
            lifecycle=AWARD_LIFECYCLE,
            actor=actor,
            now=now,
            values={"cancelled_at": now, "cancellation_reason": reason},
            details={"tender": tender.reference, "lot": award.lot.number},
        )
        release_funds(budget=tender.budget, award=award, actor=actor)
    return tender


def complete(tender: Tender, *, now) -> Tender:
    """Confirm the approved awards and complete the tender (row locked by the caller)."""
    awards = (
        Award.objects.select_for_update(of=("self",))
        .select_related("tender", "lot")
        .filter(tender=tender, status__in=AWARD_LIFECYCLE.sources(Award.Status.CONFIRMED))
    )
    for award in awards:
        move(
            award,
            Award.Status.CONFIRMED,
            lifecycle=AWARD_LIFECYCLE,
            actor=None,
            now=now,
            values={"confirmed_at": now},
            details={"tender": tender.reference, "lot": award.lot.number},
        )
    note = bilingual(lambda: _("The standstill ended with no open complaint."))
    return move_tender(tender, Tender.Status.COMPLETE, actor=None, note=note, now=now)


def advance_tenders(*, now=None) -> int:
    """Make every timed move that is due, however long beat was away; returns how many.

    - a scheduled draft whose publication time has come is published;
    - a published tender whose deadline for questions has passed opens for
      bids (``tendering``) — unless questions are still unanswered: then it
      stays published and its commissioners are alerted, once;
    - a tender open for bids whose deadline has passed goes to evaluation, or
      is closed unsuccessful when no bid was submitted;
    - an awarded tender whose standstill has ended is complete (its awards
      confirmed) — unless a complaint is still open: then it stays awarded and
      its commissioners are alerted, once.

    A tender whose deadlines all passed during downtime walks through every
    step in one run. Each tender moves in its own transaction under a row
    lock, so a second run (or two running at once) finds nothing left to do.
    """
    now = now or timezone.now()
    moves = 0
    for tender_id in list(tenders_due(now).values_list("pk", flat=True)):
        moves += _advance_tender(tender_id, now)
    return moves


@transaction.atomic
def _advance_tender(tender_id: int, now) -> int:
    tender = Tender.objects.select_for_update().filter(pk=tender_id).first()
    moves = 0
    while tender is not None:
        tender = _next_timed_step(tender, now)
        if tender is not None:
            moves += 1
    return moves


def _next_timed_step(tender: Tender, now) -> Tender | None:
    """Take the next due step and return the moved tender, or None when nothing is due."""
    status = tender.status
    if status == Tender.Status.DRAFT and tender.publish_scheduled and tender.publish_at <= now:
        note = bilingual(lambda: _("Published at the scheduled time."))
        return publish(tender, actor=None, now=now, note=note)
    if status == Tender.Status.PUBLISHED and tender.enquiry_deadline <= now:
        if unanswered_questions(tender).exists():
            _alert_commissioners_of_unanswered_questions(tender)
            return None
        return move_tender(tender, Tender.Status.TENDERING, actor=None, now=now)
    if status == Tender.Status.TENDERING and tender.submission_deadline <= now:
        if Bid.objects.filter(tender=tender, status=Bid.Status.SUBMITTED).exists():
            return move_tender(tender, Tender.Status.EVALUATION, actor=None, now=now)
        reason = bilingual(lambda: _("No bids were submitted by the deadline."))
        return close(tender, Tender.Status.UNSUCCESSFUL, reason=reason, actor=None, now=now)
    if (
        status == Tender.Status.AWARDED
        and tender.standstill_ends_at is not None
        and tender.standstill_ends_at <= now
    ):
        # An open complaint blocks completion (issue #4): the tender waits.
        if open_complaints(tender).exists():
            _note_completion_blocked(tender)
            return None
        return complete(tender, now=now)
    return None


def _alert_commissioners_of_unanswered_questions(tender: Tender) -> None:
    # Questions must all be answered before the enquiry period closes (issue
    # #4): the tender waits in "published" and its commissioners hear once.
    alert_users(
        users=commissioners_of(tender),
        tender=tender,
        kind=Alert.Kind.UNANSWERED_QUESTIONS,
        url=reverse("marketplace:tender_questions", args=[tender.uuid]),
        render=lambda: (
            _(
                "The deadline for questions on tender %(reference)s has passed, but some "
                "questions are unanswered. The question period stays open until every question "
                "is answered."
            )
            % {"reference": tender.reference}
        ),
    )


def _note_completion_blocked(tender: Tender) -> None:
    """Tell the commissioners, once per standstill, that open complaints hold the tender."""
    count = open_complaints(tender).count()
    key = "complaints-" + timezone.localtime(tender.standstill_ends_at).strftime("%Y%m%dT%H%M")
    new = alert_users(
        users=commissioners_of(tender),
        tender=tender,
        kind=Alert.Kind.AWARD_NOTICE,
        key=key,
        render=lambda: (
            _(
                "The standstill of tender %(reference)s has ended, but %(count)d complaints are "
                "still open. The tender completes once they are resolved."
            )
            % {"reference": tender.reference, "count": count}
        ),
    )
    if new:
        record_change(
            action="tender.completion_blocked",
            actor=None,
            organization=tender.lead_agency,
            target=tender,
            details={"open_complaints": count},
            label=tender.reference,
        )


# --- catching up --------------------------------------------------------------


def catch_up(tender: Tender, now) -> Tender:
    """Take a tender past its submission deadline if beat has not yet (same step as beat)."""
    if tender.status == Tender.Status.TENDERING and tender.submission_deadline <= now:
        _advance_tender(tender.pk, now)
    return Tender.objects.select_related("lead_agency", "budget").get(pk=tender.pk)


def require_evaluation(tender: Tender, now) -> Tender:
    """The tender as it stands now, once its bids are open and it is under evaluation."""
    tender = catch_up(tender, now)
    if tender.bids_are_sealed(now):
        raise ApplicationError(
            _("Bids stay sealed until %(deadline)s.")
            % {"deadline": moment_text(tender.submission_deadline)},
            code="sealed",
        )
    if tender.status != Tender.Status.EVALUATION:
        raise ApplicationError(
            _("This tender is “%(status)s”, not under evaluation.")
            % {"status": Tender.Status(tender.status).label},
            code="not_in_evaluation",
        )
    return tender

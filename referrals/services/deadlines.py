"""Deadlines: the SLA clock that beat runs every five minutes (SPEC §5).

Half-way and at the deadline (``referrals.sla``) the provider is reminded; a
referral nobody answered in time, or left on a waiting list too long, comes
back to the caseworker as expired. The clock acts for nobody: its moves are
the system's (no actor), through the same lifecycle as every other move.
"""

from django.db import transaction
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.lifecycle import move
from referrals import sla
from referrals.models.lifecycle import AWAITING_ANSWER, REFERRAL_LIFECYCLE, Referral
from referrals.services.common import (
    leave_waiting_list,
    lock_service_of,
    locked,
    notify,
    waitlist_position,
)


def process_referral_deadlines(now=None) -> dict[str, int]:
    """Remind at half and full time, then return unanswered referrals to the caseworker.

    Idempotent and catches up: each step is stamped on the referral, so a
    second run changes nothing, and a run after downtime does only the step
    the clock has reached — a referral already past its expiry is returned
    without the reminders it missed, one past its due time gets the full-time
    reminder only.
    """
    now = now or timezone.now()
    counts = {"half": 0, "full": 0, "expired": 0}
    # Waiting for an answer, or on a waiting list: what the table lets expire.
    open_statuses = REFERRAL_LIFECYCLE.sources(Referral.Status.EXPIRED)
    expiring = Referral.objects.filter(status__in=open_statuses, expires_at__lte=now)
    for referral in expiring.only("pk", "service_id"):
        with transaction.atomic():
            lock_service_of(referral)
            referral = locked(referral)
            if (
                referral.status not in open_statuses
                or referral.expires_at is None
                or referral.expires_at > now
            ):
                continue  # answered since the query ran
            waitlisted_at = waitlist_position(referral)
            return_code = (
                Referral.ReturnCode.WAITLIST_TIMEOUT
                if waitlisted_at is not None
                else Referral.ReturnCode.NO_ANSWER
            )
            move(
                referral,
                Referral.Status.EXPIRED,
                lifecycle=REFERRAL_LIFECYCLE,
                actor=None,
                now=now,
                values={"return_code": return_code, "waitlist_position": None},
                details={"reason": str(return_code)},
                history={"reason_code": str(return_code)},
            )
            leave_waiting_list(referral, waitlisted_at)
            counts["expired"] += 1
            notify(referral, "expired")
    # Expired ones are gone from here: what is left is still waiting.
    waiting = Referral.objects.filter(status__in=AWAITING_ANSWER, due_at__isnull=False)
    for referral in waiting.filter(reminded_full_at__isnull=True, due_at__lte=now).only("pk"):
        with transaction.atomic():
            # Full time reached: the half-time reminder is past its use and is not sent.
            updated = Referral.objects.filter(
                pk=referral.pk, reminded_full_at__isnull=True, status__in=AWAITING_ANSWER
            ).update(reminded_full_at=now, reminded_half_at=Coalesce("reminded_half_at", now))
            if updated:
                counts["full"] += 1
                notify(referral, "reminder_full")
    candidates = (
        waiting.filter(reminded_half_at__isnull=True, due_at__gt=now, sent_at__isnull=False)
        .select_related("category")
        .only("pk", "sent_at", "urgency", "category__code")
    )
    for referral in candidates:
        clock = sla.clock_for(
            urgency=referral.urgency, category=referral.category, start=referral.sent_at
        )
        if now < clock.half_at:
            continue
        with transaction.atomic():
            updated = Referral.objects.filter(
                pk=referral.pk, reminded_half_at__isnull=True, status__in=AWAITING_ANSWER
            ).update(reminded_half_at=now)
            if updated:
                counts["half"] += 1
                notify(referral, "reminder_half")
    return counts

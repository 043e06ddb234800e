"""What the referrals services share: who may act, row locks, the waiting list, and the
notifications sent once a change is committed. Private to ``referrals.services``."""

import rules
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from evaluation.services import ratings as rating_services
from providers import services as provider_services
from providers.services import capacity as provider_capacity
from referrals import tasks
from referrals.models.lifecycle import Referral


def allowed(user, perm: str, obj) -> bool:
    """Whether the ``rules`` permission holds for ``user`` on ``obj``.

    Asked of the rules themselves, not through ``user.has_perm``: Django lets an
    active superuser pass every ``has_perm``, and nobody outside the agency and
    the provider the person was referred to — platform administrators and
    superusers included — may see or move a case (SPEC §4).
    """
    return rules.has_perm(perm, user, obj)


def check(user, perm: str, obj) -> None:
    """Refuse (``PermissionDenied``) unless ``user`` holds ``perm`` on ``obj``."""
    if not allowed(user, perm, obj):
        raise PermissionDenied


def fields_need_attention():
    return _("Some fields need attention.")


def locked(referral: Referral) -> Referral:
    """Reload the referral under a row lock so concurrent moves queue up.

    Only the referral's row: a plain FOR UPDATE over the join would also lock
    the provider, agency and category rows, queueing every move of every
    referral that shares them behind one another.
    """
    return (
        Referral.objects.select_for_update(of=("self",))
        .select_related("provider__organization", "agency", "category")
        .get(pk=referral.pk)
    )


def locked_for(user, perm: str, referral: Referral, *, service_first: bool = False) -> Referral:
    """The referral as it is now, under a row lock, if ``user`` holds ``perm`` on it.

    The permission is judged on the locked row, not on the caller's copy, which
    may be stale: a draft sent since is the provider's to answer now.
    ``service_first`` for moves that may change the service's places or waiting list.
    """
    if service_first:
        lock_service_of(referral)
    referral = locked(referral)
    check(user, perm, referral)
    return referral


def lock_service_of(referral: Referral) -> None:
    """Lock the referral's service before the referral itself.

    Leaving a waiting list moves up the referrals behind, which locks their rows
    while the service is locked; a move that locked one of those referrals first
    and then waited for the service would deadlock with it. So every move that may
    touch places or the waiting list queues on the service first, then takes its row.
    """
    provider_capacity.lock_service(service_id=referral.service_id)


def waitlist_position(referral: Referral) -> int | None:
    """The referral's place on the waiting list (0 when unknown), or None when not on it."""
    if referral.status != Referral.Status.WAITLISTED:
        return None
    return referral.waitlist_position or 0


def leave_waiting_list(referral: Referral, position: int | None) -> None:
    """The person leaves the service's waiting list; those behind them move up one place."""
    if position is None:
        return
    provider_services.leave_waiting_list(service_id=referral.service_id)
    if not position:
        return
    Referral.objects.filter(
        service_id=referral.service_id,
        status=Referral.Status.WAITLISTED,
        waitlist_position__gt=position,
    ).update(waitlist_position=F("waitlist_position") - 1)


# The provider's first answers to a referral are evidence of its responsiveness.
ANSWER_EVENTS = frozenset({"accepted", "waitlisted", "declined", "expired"})


def notify(referral: Referral, event: str) -> None:
    """Mail the people concerned about ``event`` once the change is committed; an answer
    of the provider also updates its ratings."""
    referral_id = referral.pk
    transaction.on_commit(lambda: tasks.send_referral_notification.delay(referral_id, event))
    if event in ANSWER_EVENTS:
        rating_services.schedule_rating_update(provider_id=referral.provider_id)

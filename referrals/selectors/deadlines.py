"""Reads of referrals that are late, for supervisors (SPEC §5: SLA per urgency and category).

Late means one of two things: the provider has not answered by the SLA
deadline (``referrals.sla``), or it reported an outcome that the caseworker
has not confirmed within ``OUTCOME_CONFIRMATION_DUE``.
"""

import datetime

from django.db import models
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import Role
from accounts.rules import organizations_where
from referrals.models.lifecycle import AWAITING_ANSWER, Referral
from referrals.selectors.common import with_list_related

# A provider that has reported an outcome waits for the caseworker to confirm it.
OUTCOME_CONFIRMATION_DUE = datetime.timedelta(days=5)


def overdue_referrals(user, now=None) -> QuerySet[Referral]:
    """For supervisors: referrals of their agencies not answered by their SLA deadline,
    and outcomes reported but not confirmed by the caseworker within 5 days."""
    now = now or timezone.now()
    agencies = organizations_where(user, Role.SUPERVISOR)
    if not agencies:
        return Referral.objects.none()
    return (
        with_list_related(Referral.objects.filter(agency_id__in=agencies))
        .filter(
            models.Q(status__in=list(AWAITING_ANSWER), due_at__lte=now)
            | models.Q(
                status__in=[Referral.Status.COMPLETED, Referral.Status.FAILED],
                status_changed_at__lte=now - OUTCOME_CONFIRMATION_DUE,
            )
        )
        .order_by("due_at", "status_changed_at")
    )


def overdue_count(user) -> int:
    """How many referrals of the supervisor's agencies are overdue (``overdue_referrals``)."""
    return overdue_referrals(user).count()

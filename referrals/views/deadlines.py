"""Deadlines: the supervisors' page of their agency's referrals that are late.

Late means one of two things (``selectors.overdue_referrals``): the provider
has not answered by the SLA deadline, or the provider reported an outcome that
the caseworker has not confirmed within five days. The page says which, how
late, who the caseworker is and which provider has it, so the supervisor knows
whom to call. Open to supervisors only (``referrals.view_overdue``).
"""

from dataclasses import dataclass
from datetime import datetime

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.permissions import rule_required
from referrals.models.lifecycle import AWAITING_ANSWER, Referral
from referrals.selectors import deadlines as selectors
from referrals.views.common import PAGE_SIZE, REFERRAL_LIST_DEFERRED, breadcrumbs


@dataclass(frozen=True)
class OverdueRow:
    referral: Referral
    late_since: datetime
    waiting_for_provider: bool


def _row(referral: Referral) -> OverdueRow:
    if referral.status in AWAITING_ANSWER:
        return OverdueRow(referral, referral.due_at, waiting_for_provider=True)
    return OverdueRow(
        referral,
        referral.status_changed_at + selectors.OUTCOME_CONFIRMATION_DUE,
        waiting_for_provider=False,
    )


@rule_required("referrals.view_overdue")
def overdue(request):
    now = timezone.now()
    referrals = selectors.overdue_referrals(request.user, now=now).defer(*REFERRAL_LIST_DEFERRED)
    page = Paginator(referrals, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "referrals/overdue.html",
        {
            "now": now,
            "page_obj": page,
            "rows": [_row(referral) for referral in page.object_list],
            "confirmation_days": selectors.OUTCOME_CONFIRMATION_DUE.days,
            "breadcrumbs": breadcrumbs((_("Overdue referrals"), "")),
        },
    )

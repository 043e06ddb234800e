"""The caseworker's page of services matched to one need, best first, with the reasons.

When nothing eligible has room, the same page offers to record the need as
unmet (``referrals.views.unmet_needs``).
"""

import rules
from django.shortcuts import render
from django.utils.translation import gettext as _

from core.permissions import rule_required
from referrals.forms import UnmetNeedForm
from referrals.matching import matches_for
from referrals.selectors import lifecycle as referral_selectors
from referrals.views.common import CASEWORK, breadcrumbs, need_or_404, people_crumb, person_crumb


def render_matches(request, need, *, unmet_form=None, status=200):
    """The matches page of ``need``; ``unmet_form`` when recording it as unmet failed."""
    beneficiary = need.assessment.beneficiary
    results = matches_for(beneficiary=beneficiary, category=need.category)
    eligible = [match for match in results if match.eligible]
    ineligible = [match for match in results if not match.eligible]
    return render(
        request,
        "referrals/matches.html",
        {
            "need": need,
            "beneficiary": beneficiary,
            "eligible": eligible,
            "ineligible": ineligible,
            "room": any(match.has_free_place for match in eligible),
            "open_referral": referral_selectors.active_referral_for_need(need),
            "can_change": rules.has_perm("referrals.change_beneficiary", request.user, beneficiary),
            "unmet_form": unmet_form or UnmetNeedForm(),
            "breadcrumbs": breadcrumbs(
                people_crumb(),
                person_crumb(beneficiary),
                (_("Services for %(need)s") % {"need": need.category.name}, ""),
            ),
        },
        status=status,
    )


@rule_required(CASEWORK)
def matches(request, uuid):
    return render_matches(request, need_or_404(request.user, uuid))

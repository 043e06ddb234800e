"""What the referral pages share: breadcrumbs, how a person is told apart without a name,
and the lookups that answer 404 outside the user's scope. Private to ``referrals.views``."""

import rules
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts import selectors as account_selectors
from accounts.models import Role
from referrals.models.assessments import Need
from referrals.models.beneficiaries import Beneficiary
from referrals.models.lifecycle import Referral
from referrals.selectors import assessments as assessment_selectors
from referrals.selectors import beneficiaries as beneficiary_selectors
from referrals.selectors import lifecycle as referral_selectors

PAGE_SIZE = 50
CASEWORK = "referrals.open_casework"
# Encrypted columns a list of referrals never shows, so never fetches.
REFERRAL_LIST_DEFERRED = (
    "reason",
    "outcome_note",
    *(f"beneficiary__{name}" for name in beneficiary_selectors.PERSONAL_FIELDS),
)


def breadcrumbs(*items):
    """Workspace first, then ``(label, url)`` pairs; the last one is the current page."""
    return [(_("Workspace"), reverse("accounts:workspace")), *items]


def people_crumb():
    return (_("People"), reverse("referrals:people"))


def reference_of(beneficiary: Beneficiary) -> str:
    """How pages tell people apart without naming them: the start of their identifier."""
    return str(beneficiary.uuid)[:8].upper()


def referral_reference(referral: Referral) -> str:
    return str(referral.uuid)[:8].upper()


def person_crumb(beneficiary: Beneficiary):
    return (
        _("Person %(reference)s") % {"reference": reference_of(beneficiary)},
        reverse("referrals:person", args=[beneficiary.uuid]),
    )


def caseworker_agencies(user):
    """The agencies the user records people for, as a caseworker (their first one first)."""
    return list(account_selectors.agencies_acting_for(user, Role.CASEWORKER))


# --- lookups: each answers 404 outside the user's scope ------------------------------


def person_or_404(user, uuid) -> Beneficiary:
    return get_object_or_404(beneficiary_selectors.beneficiaries_visible_to(user), uuid=uuid)


def editable_person_or_404(user, uuid) -> Beneficiary:
    """The caseworker's own agency's person; supervisors only read, so they get 404."""
    beneficiary = person_or_404(user, uuid)
    if not rules.has_perm("referrals.change_beneficiary", user, beneficiary):
        raise Http404
    return beneficiary


def need_or_404(user, uuid, *, change=False) -> Need:
    need = assessment_selectors.need_for(user, uuid)
    if need is None:
        raise Http404
    if change and not rules.has_perm(
        "referrals.change_beneficiary", user, need.assessment.beneficiary
    ):
        raise Http404
    return need


def referral_or_404(user, uuid) -> Referral:
    """The agency side of a referral: the provider's staff use the inbox instead."""
    referral = referral_selectors.referral_for(user, uuid)
    if referral is None or not rules.has_perm(
        "referrals.view_beneficiary", user, referral.beneficiary
    ):
        raise Http404
    return referral


def managed_referral_or_404(user, uuid, perm="referrals.manage_referral") -> Referral:
    """A referral of the agency that ``user`` may change with ``perm``; 404 otherwise."""
    referral = referral_or_404(user, uuid)
    if not rules.has_perm(perm, user, referral):
        raise Http404
    return referral

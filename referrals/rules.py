"""Permission predicates for beneficiaries and referrals (SPEC §4).

Caseworkers manage their own agency's beneficiaries and referrals;
supervisors of that agency see everything read-only and may override a
missing consent with a written reason. A provider sees the referrals sent to
it (never drafts) and answers them; it sees personal data only through the
consent (``referrals.services.consent.read_shared_fields``). Nobody else — not
another agency, not a platform administrator — has any path here.
"""

import rules

from accounts.models import Organization, Role
from accounts.rules import is_caseworker, is_provider_staff, is_supervisor, organizations_where

PROVIDER_ROLES = (Role.PROVIDER_ADMIN, Role.PROVIDER_STAFF)


@rules.predicate
def is_caseworker_of(user, agency):
    if agency is None or agency.kind != Organization.Kind.AGENCY:
        return False
    return agency.pk in organizations_where(user, Role.CASEWORKER)


@rules.predicate
def is_beneficiary_agency_caseworker(user, beneficiary):
    if beneficiary is None:
        return False
    return beneficiary.agency_id in organizations_where(user, Role.CASEWORKER)


@rules.predicate
def is_beneficiary_agency_supervisor(user, beneficiary):
    if beneficiary is None:
        return False
    return beneficiary.agency_id in organizations_where(user, Role.SUPERVISOR)


@rules.predicate
def is_referral_caseworker(user, referral):
    """A caseworker of the agency that made the referral."""
    if referral is None:
        return False
    return referral.agency_id in organizations_where(user, Role.CASEWORKER)


@rules.predicate
def is_referral_supervisor(user, referral):
    if referral is None:
        return False
    return referral.agency_id in organizations_where(user, Role.SUPERVISOR)


@rules.predicate
def is_referral_provider(user, referral):
    """Staff of the provider the referral was sent to; a draft is not theirs yet, nor is a
    draft the caseworker recalled before sending it."""
    if referral is None or referral.status == "draft":
        return False
    if referral.status == "recalled" and referral.sent_at is None:
        return False
    return referral.provider.organization_id in organizations_where(user, *PROVIDER_ROLES)


rules.add_perm("referrals.add_beneficiary", is_caseworker_of)
rules.add_perm(
    "referrals.view_beneficiary",
    is_beneficiary_agency_caseworker | is_beneficiary_agency_supervisor,
)
# Supervisors see the agency's cases but do not edit them.
rules.add_perm("referrals.change_beneficiary", is_beneficiary_agency_caseworker)
rules.add_perm(
    "referrals.view_referral",
    is_referral_caseworker | is_referral_supervisor | is_referral_provider,
)
rules.add_perm("referrals.manage_referral", is_referral_caseworker)
rules.add_perm("referrals.answer_referral", is_referral_provider)
rules.add_perm("referrals.override_consent", is_referral_supervisor)

# Which sections of the workspace a user may open at all (views use these with
# ``core.permissions.rule_required``); the object rules above then decide, person
# by person and referral by referral, what is in scope.
rules.add_perm("referrals.open_casework", is_caseworker | is_supervisor)
rules.add_perm("referrals.open_inbox", is_provider_staff)
rules.add_perm("referrals.view_overdue", is_supervisor)

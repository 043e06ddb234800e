"""Permission predicates for beneficiaries (SPEC §4).

Caseworkers manage their own agency's beneficiaries; supervisors of that
agency see everything read-only. Nobody else — not another agency, not a
provider, not a platform administrator — has any path to a beneficiary here:
providers see consented fields of accepted referrals only (a later slice).
"""

import rules

from accounts.models import Organization, Role
from accounts.rules import organizations_where


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


rules.add_perm("referrals.add_beneficiary", is_caseworker_of)
rules.add_perm(
    "referrals.view_beneficiary",
    is_beneficiary_agency_caseworker | is_beneficiary_agency_supervisor,
)
# Supervisors see the agency's cases but do not edit them.
rules.add_perm("referrals.change_beneficiary", is_beneficiary_agency_caseworker)

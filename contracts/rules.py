"""Permission predicates of contracts (``rules``), named as questions.

Services check these before they change anything, whoever calls them (a
page, the API, the admin, a task); views ask the same predicates with
``rules.test_rule``/``rules.has_perm`` — never ``user.has_perm``, which lets a
superuser through. Which contracts a list shows is ``contracts.selectors``.

SPEC §4: the lead agency's commissioners manage a contract, its finance
officers and supervisors follow it; the provider's administrators and staff
see their own contracts; each funder's finance officers see the contracts
their money backs. Nobody else.
"""

import rules

from accounts.models import Role
from accounts.rules import is_commissioner, organizations_where

AGENCY_ROLES = (Role.COMMISSIONER, Role.FINANCE, Role.SUPERVISOR)
PROVIDER_ROLES = (Role.PROVIDER_ADMIN, Role.PROVIDER_STAFF)


@rules.predicate
def is_award_commissioner(user, award) -> bool:
    """A commissioner of the award's lead agency: may make the contract from it."""
    if award is None:
        return False
    return award.tender.lead_agency_id in organizations_where(user, Role.COMMISSIONER)


@rules.predicate
def is_contract_commissioner(user, contract) -> bool:
    """A commissioner of the contract's lead agency: drafts, sends, suspends, ends it."""
    if contract is None:
        return False
    return contract.lead_agency_id in organizations_where(user, Role.COMMISSIONER)


@rules.predicate
def is_contract_agency_staff(user, contract) -> bool:
    """A commissioner, finance officer or supervisor of the lead agency."""
    if contract is None:
        return False
    return contract.lead_agency_id in organizations_where(user, *AGENCY_ROLES)


@rules.predicate
def works_for_contract_provider(user, contract) -> bool:
    """An administrator or staff member of the provider the contract is with."""
    if contract is None:
        return False
    return contract.provider.organization_id in organizations_where(user, *PROVIDER_ROLES)


@rules.predicate
def is_contract_funder_finance(user, contract) -> bool:
    """A finance officer of an agency or fund whose money backs the contract."""
    if contract is None:
        return False
    agencies = organizations_where(user, Role.FINANCE)
    if not agencies:
        return False
    return contract.funding_shares.filter(funder_id__in=agencies).exists()


@rules.predicate
def can_sign_for_agency(user, contract) -> bool:
    """The agency's authorized signatory: a commissioner of the lead agency."""
    return is_contract_commissioner(user, contract)


@rules.predicate
def can_sign_for_provider(user, contract) -> bool:
    """The provider's authorized signatory: an administrator of the provider's organization."""
    if contract is None:
        return False
    return contract.provider.organization_id in organizations_where(user, Role.PROVIDER_ADMIN)


@rules.predicate
def is_contract_provider_admin(user, contract) -> bool:
    """An administrator of the provider: reports and claims for it."""
    return can_sign_for_provider(user, contract)


@rules.predicate
def is_contract_finance(user, contract) -> bool:
    """A finance officer of the lead agency: approves payments."""
    if contract is None:
        return False
    return contract.lead_agency_id in organizations_where(user, Role.FINANCE)


can_view_contract = (
    is_contract_agency_staff | works_for_contract_provider | is_contract_funder_finance
)

rules.add_perm("contracts.create_contract", is_commissioner)
rules.add_perm("contracts.create_contract_from_award", is_award_commissioner)
rules.add_perm("contracts.manage_contract", is_contract_commissioner)
rules.add_perm("contracts.view_contract", can_view_contract)

"""Permission predicates for providers: who may edit a provider, verify it, verify its
evaluation grade, list its services and read its documents.

Services ask these questions before every write (``providers.services``), pages
and the API ask them to decide what to offer. They never look at
``is_superuser``: a superuser without a role at the provider, or without the
verifier's role, may not act for it (ask the predicates, never ``user.has_perm``,
which lets every active superuser through).
"""

import rules
from django.conf import settings

from accounts.models import Role
from accounts.rules import is_platform_admin, is_supervisor, organizations_where


@rules.predicate
def is_provider_member(user, provider):
    """Staff or administrator of this provider."""
    if provider is None:
        return False
    return provider.organization_id in organizations_where(
        user, Role.PROVIDER_ADMIN, Role.PROVIDER_STAFF
    )


@rules.predicate
def is_provider_administrator(user, provider):
    """Administrator of this provider: it speaks for the organization."""
    if provider is None:
        return False
    return provider.organization_id in organizations_where(user, Role.PROVIDER_ADMIN)


@rules.predicate
def supervisors_may_verify(user):
    return getattr(settings, "AGENCY_SUPERVISORS_VERIFY_PROVIDERS", False)


# Platform administrators verify; agency supervisors too where configured.
can_verify_providers = is_platform_admin | (is_supervisor & supervisors_may_verify)

# An evaluation grade counts for tenders and the directory once its certificate is
# checked: by a platform administrator only (not the agency supervisors who may
# verify registrations: grades decide who may bid), and never by someone who works
# for the provider, who would be vouching for their own organization.
can_verify_grade = is_platform_admin & ~is_provider_member

# The profile, its submission for verification and its documents speak for the
# organization: its administrators only.
can_edit_provider = is_provider_administrator
# Services, sites, capacity and confirming listings are everyday work: all its staff.
can_manage_services = is_provider_member
# Certificates name the legal representative: the provider's staff and the verifiers.
can_view_documents = is_provider_member | can_verify_providers

rules.add_perm("providers.verify_provider", can_verify_providers)
rules.add_perm("providers.verify_grade", can_verify_grade)
rules.add_perm("providers.edit_provider", can_edit_provider)
rules.add_perm("providers.manage_services", can_manage_services)
rules.add_perm("providers.update_capacity", can_manage_services)
rules.add_perm("providers.view_documents", can_view_documents)

"""Permission predicates for providers: who may edit a provider, verify it, read its documents."""

import rules

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
    if provider is None:
        return False
    return provider.organization_id in organizations_where(user, Role.PROVIDER_ADMIN)


@rules.predicate
def supervisors_may_verify(user):
    from django.conf import settings

    return getattr(settings, "AGENCY_SUPERVISORS_VERIFY_PROVIDERS", False)


# Platform administrators verify; agency supervisors too where configured.
can_verify_providers = is_platform_admin | (is_supervisor & supervisors_may_verify)

rules.add_perm("providers.verify_provider", can_verify_providers)
rules.add_perm("providers.edit_provider", is_provider_administrator)
rules.add_perm("providers.manage_services", is_provider_member)
rules.add_perm("providers.update_capacity", is_provider_member)
rules.add_perm("providers.view_documents", is_provider_member | can_verify_providers)

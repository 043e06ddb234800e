"""Permission predicates (``rules``) for roles of SPEC §4.

A user's active memberships are read once per request and kept on the user
object, so checking several predicates costs one query. Object-level scope
(which tender, which referral) lives in each app's own ``rules.py``; these are
the role questions they build on.
"""

import rules

from accounts.models import Organization, Role


def role_pairs(user) -> frozenset[tuple[int, str, str]]:
    """(organization id, organization kind, role) for the user's active memberships."""
    if not user or not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_role_pairs", None)
    if cached is None:
        cached = frozenset(
            user.memberships.filter(is_active=True, organization__is_active=True).values_list(
                "organization_id", "organization__kind", "role"
            )
        )
        user._role_pairs = cached
    return cached


def roles_of(user) -> set[str]:
    return {role for _org, _kind, role in role_pairs(user)}


def organizations_where(user, *roles: str) -> set[int]:
    """Ids of the organizations in which the user holds one of ``roles`` (any role if none)."""
    return {org for org, _kind, role in role_pairs(user) if not roles or role in roles}


def forget_roles(user) -> None:
    """Drop the cached memberships after they change."""
    if hasattr(user, "_role_pairs"):
        del user._role_pairs


def _has_role(role: str):
    @rules.predicate(name=f"has_role_{role}")
    def predicate(user):
        return role in roles_of(user)

    return predicate


is_commissioner = _has_role(Role.COMMISSIONER)
is_finance = _has_role(Role.FINANCE)
is_caseworker = _has_role(Role.CASEWORKER)
is_supervisor = _has_role(Role.SUPERVISOR)
is_provider_admin = _has_role(Role.PROVIDER_ADMIN)
is_provider_staff_only = _has_role(Role.PROVIDER_STAFF)
is_assessor = _has_role(Role.ASSESSOR)
is_editor = _has_role(Role.EDITOR)
is_moderator = _has_role(Role.MODERATOR)
is_platform_admin = _has_role(Role.PLATFORM_ADMIN)

# Provider administrators can do everything provider staff can.
is_provider_staff = is_provider_admin | is_provider_staff_only


@rules.predicate
def is_agency_user(user):
    return any(kind == Organization.Kind.AGENCY for _org, kind, _role in role_pairs(user))


@rules.predicate
def is_member_of(user, organization):
    if organization is None:
        return False
    return organization.pk in organizations_where(user)


@rules.predicate
def is_supervisor_of(user, organization):
    if organization is None:
        return False
    return organization.pk in organizations_where(user, Role.SUPERVISOR)


@rules.predicate
def is_api_token_owner(user, token):
    """A token acts as the person it was issued to; only they see and revoke it."""
    if token is None or not user or not user.is_authenticated:
        return False
    return token.user_id == user.pk


is_signed_in = rules.is_authenticated

rules.add_perm("accounts.view_workspace", is_signed_in)
rules.add_perm("accounts.view_audit_log", is_supervisor | is_platform_admin)
rules.add_perm("accounts.manage_organizations", is_platform_admin)
rules.add_perm("accounts.view_organization", is_member_of | is_platform_admin)

"""Reads of organizations and of the roles people hold in them."""

from django.db.models import QuerySet

from accounts import rules as account_rules
from accounts.models import Membership, Organization


def memberships_of(user) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user, is_active=True, organization__is_active=True)
        .select_related("organization", "organization__area")
        .order_by("organization__name_zh", "role")
    )


def organizations_visible_to(user) -> QuerySet[Organization]:
    """Organizations are public parties (as in OCDS); only active ones are listed."""
    return Organization.objects.filter(is_active=True).select_related("area", "parent")


def agencies_acting_for(user, *roles: str) -> QuerySet[Organization]:
    """The agencies ``user`` acts for in one of ``roles`` (in any role when none is given).

    Only active memberships of active agencies count. Ordered by name, then
    id, so that "their first agency" is the same on every page; area and
    parent are joined for display. Pages offer these as choices; when a
    person acts for exactly one, that is the agency an action is for.
    """
    return (
        organizations_visible_to(user)
        .filter(
            pk__in=account_rules.organizations_where(user, *roles),
            kind=Organization.Kind.AGENCY,
        )
        .order_by("name_zh", "pk")
    )


def organization_members(*, organization: Organization) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organization=organization, is_active=True)
        .select_related("user")
        .order_by("user__username", "role")
    )

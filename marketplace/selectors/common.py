"""Reads several topics of the marketplace share: the people of an organization, and
which areas lie within or above others."""

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from accounts.models import Membership, User
from marketplace.rules import PROVIDER_ROLES
from places import codes
from places.models import Area


def agency_users(organization_id: int, *roles: str) -> QuerySet[User]:
    """Active users holding one of ``roles`` in the organization."""
    return User.objects.filter(
        is_active=True,
        memberships__organization_id=organization_id,
        memberships__role__in=roles,
        memberships__is_active=True,
    ).distinct()


def provider_users(organization_ids: Iterable[int]) -> list[tuple[int, User]]:
    """(organization id, user) for every active administrator and staff member, in one query."""
    memberships = (
        Membership.objects.filter(
            organization_id__in=list(organization_ids),
            role__in=PROVIDER_ROLES,
            is_active=True,
            user__is_active=True,
        )
        .select_related("user")
        .order_by("organization_id", "user_id")
    )
    seen, pairs = set(), []
    for membership in memberships:
        key = (membership.organization_id, membership.user_id)
        if key not in seen:
            seen.add(key)
            pairs.append((membership.organization_id, membership.user))
    return pairs


def areas_within_and_above(areas: list[Area]) -> tuple[set[int], set[int]]:
    """(ids of areas in or under ``areas``, ids of the areas above them)."""
    if not areas:
        return set(), set()
    within = Q()
    above_codes = set()
    for area in areas:
        within |= Q(code__startswith=codes.significant_prefix(area.code))
        above_codes.update(codes.parent_candidates(area.code))
    inside = set(Area.objects.filter(within).values_list("pk", flat=True))
    above = set(Area.objects.filter(code__in=above_codes).values_list("pk", flat=True))
    return inside, above

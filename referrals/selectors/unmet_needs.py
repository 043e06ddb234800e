"""Reads of unmet needs: the agency's own list, and the public counts by district.

Unmet needs hold no personal data; the public figures count them by district
and top-level need category only.
"""

from django.db import models
from django.db.models import QuerySet

from accounts.models import Role
from accounts.rules import organizations_where
from places.models import Area
from referrals.models.unmet_needs import UnmetNeed
from referrals.selectors.common import category_group


def unmet_needs_visible_to(user) -> QuerySet[UnmetNeed]:
    """Unmet needs recorded by the user's agencies (caseworker or supervisor)."""
    agencies = organizations_where(user, Role.CASEWORKER, Role.SUPERVISOR)
    if not agencies:
        return UnmetNeed.objects.none()
    return UnmetNeed.objects.filter(agency_id__in=agencies).select_related(
        "category", "area", "recorded_by"
    )


def unmet_need_statistics() -> dict[tuple[str, str], int]:
    """Unmet needs recorded, by (district code, top-level need category code).

    The district code is the 6-digit code of the district the need's area lies in,
    or "" when the area was not recorded or is larger than a district. Raw counts:
    ``cms.statistics`` hides the small ones before publishing.
    """
    rows = (
        UnmetNeed.objects.annotate(group=category_group())
        .order_by()
        .values("area__code", "area__level", "group")
        .annotate(count=models.Count("pk"))
        .values_list("area__code", "area__level", "group", "count")
    )
    counts: dict[tuple[str, str], int] = {}
    for area_code, level, group, count in rows:
        district = area_code[:6] if area_code and level >= Area.Level.DISTRICT else ""
        counts[(district, group)] = counts.get((district, group), 0) + count
    return counts

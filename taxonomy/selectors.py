"""Reads of need categories and service tiers (public vocabulary, so no user argument)."""

from django.db.models import F, QuerySet
from django.db.models.functions import Coalesce

from taxonomy.models import NeedCategory, ServiceTier


def in_tree_order(categories: QuerySet[NeedCategory]) -> QuerySet[NeedCategory]:
    """Each group followed by its categories, groups and categories each by sort order.

    The tree has two levels, so ordering by the group's position and then by
    the row's own puts every category right after its group, in one query.
    """
    return categories.select_related("parent").order_by(
        Coalesce("parent__sort_order", "sort_order"),
        Coalesce("parent__code", "code"),
        F("parent").asc(nulls_first=True),
        "sort_order",
        "code",
    )


def active_categories() -> QuerySet[NeedCategory]:
    """Active categories whose group is active too, in tree order."""
    return in_tree_order(
        NeedCategory.objects.filter(is_active=True).exclude(parent__is_active=False)
    )


def category_groups() -> QuerySet[NeedCategory]:
    """The active top-level groups (基本生活救助, 专项救助…)."""
    return NeedCategory.objects.filter(is_active=True, parent=None).order_by("sort_order", "code")


def category_by_code(code: str) -> NeedCategory | None:
    """The category with ``code`` (active or not, so old records still resolve), or None."""
    return NeedCategory.objects.select_related("parent").filter(code=code).first()


def service_tiers() -> QuerySet[ServiceTier]:
    return ServiceTier.objects.order_by("sort_order", "code")


def tier_by_code(code: str) -> ServiceTier | None:
    return ServiceTier.objects.filter(code=code).first()

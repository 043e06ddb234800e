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


def category_choices() -> list:
    """Active categories as form choices: each group's categories under its name (one query).

    ``(code, name)`` pairs, so a form stores codes. A group with categories
    becomes an ``(group name, [(code, name), …])`` option group and cannot be
    chosen itself; a group without any is a plain choice, listed first. Groups
    and categories keep their tree order.
    """
    categories = list(active_categories())
    parents = {category.parent_id for category in categories if category.parent_id}
    ungrouped = []
    groups: dict[int, tuple[str, list]] = {}
    for category in categories:
        if category.parent_id is None:
            if category.pk not in parents:
                ungrouped.append((category.code, category.name))
            continue
        _name, options = groups.setdefault(category.parent_id, (category.parent.name, []))
        options.append((category.code, category.name))
    return [*ungrouped, *groups.values()]


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

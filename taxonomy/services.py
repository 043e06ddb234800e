"""Changes to need categories and service tiers (made by platform administrators).

Both are loaded by a data migration; administrators may later correct names
and descriptions, reorder, or retire a category. Codes are what other apps
store, so they cannot change once a row exists, and nothing is deleted.
"""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.audit import record_change
from core.errors import ApplicationError
from taxonomy.models import NeedCategory, ServiceTier

CODE_IS_PERMANENT = _(
    "A code cannot change once it exists: other records refer to it. Deactivate this category "
    "and create a new one instead."
)


def save_need_category(*, category: NeedCategory, actor, changed_fields=()) -> NeedCategory:
    """Validate and save a new or edited category, and record who changed what."""
    creating = category.pk is None
    action = "taxonomy.need_category_created" if creating else "taxonomy.need_category_changed"
    if not creating and "code" in changed_fields:
        stored_code = NeedCategory.objects.values_list("code", flat=True).get(pk=category.pk)
        if stored_code != category.code:
            raise ApplicationError(CODE_IS_PERMANENT, field_errors={"code": [CODE_IS_PERMANENT]})
    category.full_clean()
    with transaction.atomic():
        category.save()
        record_change(
            action=action,
            actor=actor,
            target=category,
            details={"code": category.code, "fields": sorted(changed_fields)},
            label=category.code,
        )
    return category


def save_service_tier(*, tier: ServiceTier, actor, changed_fields=()) -> ServiceTier:
    """Validate and save a tier's names, description or order, and record the change."""
    tier.full_clean()
    with transaction.atomic():
        tier.save()
        record_change(
            action="taxonomy.service_tier_changed",
            actor=actor,
            target=tier,
            details={"code": tier.code, "fields": sorted(changed_fields)},
            label=tier.code,
        )
    return tier

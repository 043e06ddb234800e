"""Factories for need categories and service tiers.

The real categories and tiers come from the data migration and exist in
every test database; ``need_category(code)`` and ``service_tier(code)`` fetch
them. The factories make extra ones for tests that need their own.
"""

import factory
from factory.django import DjangoModelFactory

from taxonomy.models import NeedCategory, ServiceTier


class NeedCategoryGroupFactory(DjangoModelFactory):
    class Meta:
        model = NeedCategory
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"test-group-{n}")
    name_zh = factory.Sequence(lambda n: f"测试类别组{n}")
    name_en = factory.Sequence(lambda n: f"Test group {n}")
    parent = None
    sort_order = factory.Sequence(lambda n: 1000 + n)
    is_active = True


class NeedCategoryFactory(NeedCategoryGroupFactory):
    parent = factory.SubFactory(NeedCategoryGroupFactory)
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.parent.code}.test-{n}")
    name_zh = factory.Sequence(lambda n: f"测试需求类别{n}")
    name_en = factory.Sequence(lambda n: f"Test need category {n}")
    sort_order = factory.Sequence(lambda n: n)


class ServiceTierFactory(DjangoModelFactory):
    class Meta:
        model = ServiceTier
        django_get_or_create = ("code",)

    code = ServiceTier.Code.SURVIVAL
    name_zh = "生存型"
    name_en = "Survival"


def _reload_vocabulary() -> None:
    """Reload the data migration's categories and tiers after a flush removed them.

    A test with ``transaction=True`` ends with a flush that empties what data
    migrations loaded; the transactional tests after it still need the real
    vocabulary. Loading is idempotent (update_or_create by code).
    """
    from importlib import import_module

    from django.apps import apps

    import_module("taxonomy.migrations.0002_need_categories_and_tiers").load(apps, None)


def need_category(code: str = "basic-living.dibao") -> NeedCategory:
    """A category loaded by the data migration, e.g. ``need_category("emergency.temporary")``."""
    try:
        return NeedCategory.objects.select_related("parent").get(code=code)
    except NeedCategory.DoesNotExist:
        _reload_vocabulary()
        return NeedCategory.objects.select_related("parent").get(code=code)


def service_tier(code: str = ServiceTier.Code.SURVIVAL) -> ServiceTier:
    try:
        return ServiceTier.objects.get(code=code)
    except ServiceTier.DoesNotExist:
        _reload_vocabulary()
        return ServiceTier.objects.get(code=code)

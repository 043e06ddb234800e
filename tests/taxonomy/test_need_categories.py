"""The need categories and service tiers loaded by the taxonomy data migration."""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from core.errors import ApplicationError
from core.models import AuditEvent
from taxonomy import selectors, services
from taxonomy.models import NeedCategory, ServiceTier
from tests.factories.taxonomy import NeedCategoryFactory, NeedCategoryGroupFactory, need_category

pytestmark = pytest.mark.django_db

GROUPS = {
    "basic-living": ("基本生活救助", "Basic living assistance"),
    "special-assistance": ("专项救助", "Special assistance"),
    "emergency": ("急难救助", "Emergency assistance"),
    "social-services": ("社会服务", "Social services"),
}
CATEGORIES = {
    "basic-living.dibao": "最低生活保障",
    "basic-living.extreme-poverty": "特困人员救助供养",
    "basic-living.low-income": "低收入家庭救助",
    "special-assistance.medical": "医疗救助",
    "special-assistance.education": "教育救助",
    "special-assistance.housing": "住房救助",
    "special-assistance.employment": "就业救助",
    "special-assistance.disaster": "受灾人员救助",
    "emergency.temporary": "临时救助",
    "emergency.homeless": "流浪乞讨人员救助",
    "social-services.elderly-care": "养老服务",
    "social-services.child-welfare": "儿童福利",
    "social-services.disability": "残疾人服务",
    "social-services.social-work": "社会工作与心理支持",
    "social-services.family-support": "家庭支持",
    "social-services.social-integration": "社会融入",
    "social-services.legal-aid": "法律援助",
}


def _load_migration_again():
    migration = importlib.import_module("taxonomy.migrations.0002_need_categories_and_tiers")
    migration.load(apps, schema_editor=None)


def test_every_group_is_loaded_with_both_names():
    for code, (name_zh, name_en) in GROUPS.items():
        group = need_category(code)
        assert (group.name_zh, group.name_en) == (name_zh, name_en)
        assert group.parent is None


def test_every_category_is_loaded_under_its_group_with_both_names():
    for code, name_zh in CATEGORIES.items():
        category = need_category(code)
        assert category.name_zh == name_zh
        assert category.name_en
        assert category.description_zh and category.description_en
        assert category.parent.code == code.split(".")[0]


def test_codes_are_unique_and_nothing_else_is_loaded():
    codes = list(NeedCategory.objects.values_list("code", flat=True))

    assert len(codes) == len(set(codes))
    assert set(codes) == set(GROUPS) | set(CATEGORIES)


def test_open_eligibility_crosswalk_is_numeric_or_blank():
    assert need_category("emergency").open_eligibility_code == "1101"
    assert need_category("social-services.legal-aid").open_eligibility_code == "1375"
    assert need_category("social-services.elderly-care").open_eligibility_code == ""
    for code in NeedCategory.objects.values_list("open_eligibility_code", flat=True):
        assert code == "" or code.isdigit()


def test_service_tiers_are_loaded_in_order():
    tiers = list(selectors.service_tiers().values_list("code", "name_zh", "name_en"))

    assert tiers == [
        ("survival", "生存型", "Survival"),
        ("development", "发展型", "Development"),
        ("opportunity", "机会型", "Opportunity"),
    ]


def test_running_the_data_migration_again_duplicates_nothing():
    NeedCategory.objects.filter(code="emergency.temporary").update(name_en="Changed")
    categories, tiers = NeedCategory.objects.count(), ServiceTier.objects.count()

    _load_migration_again()

    assert NeedCategory.objects.count() == categories
    assert ServiceTier.objects.count() == tiers
    assert need_category("emergency.temporary").name_en == "Temporary assistance"


def test_active_categories_come_in_tree_order(django_assert_num_queries):
    with django_assert_num_queries(1):
        categories = [
            (c.code, c.parent.code if c.parent else None) for c in selectors.active_categories()
        ]

    codes = [code for code, _parent in categories]
    assert codes[:5] == [
        "basic-living",
        "basic-living.dibao",
        "basic-living.extreme-poverty",
        "basic-living.low-income",
        "special-assistance",
    ]
    # Every category comes after its group and before the next group.
    current_group = None
    for code, parent in categories:
        if parent is None:
            current_group = code
        else:
            assert parent == current_group


def test_inactive_categories_and_the_categories_of_inactive_groups_are_left_out():
    NeedCategory.objects.filter(code="basic-living.low-income").update(is_active=False)
    NeedCategory.objects.filter(code="emergency").update(is_active=False)

    codes = set(selectors.active_categories().values_list("code", flat=True))

    assert "basic-living.low-income" not in codes
    assert "emergency" not in codes
    assert "emergency.temporary" not in codes
    assert "basic-living.dibao" in codes


def test_category_by_code_finds_retired_categories_too():
    NeedCategory.objects.filter(code="basic-living.low-income").update(is_active=False)

    assert selectors.category_by_code("basic-living.low-income").name_zh == "低收入家庭救助"
    assert selectors.category_by_code("no-such-code") is None


def test_name_follows_the_active_language(settings):
    from django.utils import translation

    dibao = need_category("basic-living.dibao")
    with translation.override("en"):
        assert dibao.name == "Minimum living allowance (dibao)"
    with translation.override("zh-hans"):
        assert dibao.name == "最低生活保障"


def test_categories_have_only_two_levels():
    category = need_category("basic-living.dibao")
    grandchild = NeedCategory(
        code="basic-living.dibao.extra", name_zh="孙", name_en="Grandchild", parent=category
    )

    with pytest.raises(ValidationError, match="two levels"):
        grandchild.full_clean()


def test_codes_must_be_lower_case_slugs():
    with pytest.raises(ValidationError):
        NeedCategory(code="Basic Living", name_zh="错", name_en="Wrong").full_clean()


def test_saving_a_category_is_validated_and_audited():
    group = NeedCategoryGroupFactory()
    category = NeedCategory(code=f"{group.code}.new", name_zh="新类别", name_en="New", parent=group)

    services.save_need_category(category=category, actor=None, changed_fields=["code"])

    event = AuditEvent.objects.get(action="taxonomy.need_category_created")
    assert event.details["code"] == f"{group.code}.new"


def test_a_code_cannot_change_once_it_exists():
    category = NeedCategoryFactory()
    category.code = "something-else"

    with pytest.raises(ApplicationError, match="cannot change"):
        services.save_need_category(category=category, actor=None, changed_fields=["code"])

"""Need categories as form choices (taxonomy.selectors.category_choices): grouped, active only."""

import pytest

from taxonomy.models import NeedCategory
from taxonomy.selectors import category_choices
from tests.factories.taxonomy import NeedCategoryFactory, NeedCategoryGroupFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def only_our_categories():
    """Set the migration's vocabulary aside (inside the test's transaction) to see ours alone."""
    NeedCategory.objects.update(is_active=False)


def test_categories_are_offered_under_their_group_s_name_in_tree_order(only_our_categories):
    first = NeedCategoryGroupFactory(name_en="Care", sort_order=1)
    second = NeedCategoryGroupFactory(name_en="Housing", sort_order=2)
    home_visits = NeedCategoryFactory(parent=first, name_en="Home visits", sort_order=2)
    day_care = NeedCategoryFactory(parent=first, name_en="Day care", sort_order=1)
    shelter = NeedCategoryFactory(parent=second, name_en="Shelter")

    assert category_choices() == [
        ("Care", [(day_care.code, "Day care"), (home_visits.code, "Home visits")]),
        ("Housing", [(shelter.code, "Shelter")]),
    ]


def test_a_group_without_categories_is_a_choice_of_its_own_listed_first(only_our_categories):
    group = NeedCategoryGroupFactory(name_en="Care", sort_order=1)
    category = NeedCategoryFactory(parent=group, name_en="Day care")
    alone = NeedCategoryGroupFactory(name_en="Legal aid", sort_order=2)

    assert category_choices() == [
        (alone.code, "Legal aid"),
        ("Care", [(category.code, "Day care")]),
    ]


def test_inactive_categories_and_the_categories_of_inactive_groups_are_not_offered(
    only_our_categories,
):
    group = NeedCategoryGroupFactory(name_en="Care")
    kept = NeedCategoryFactory(parent=group, name_en="Day care")
    NeedCategoryFactory(parent=group, name_en="Retired", is_active=False)
    closed = NeedCategoryGroupFactory(name_en="Closed", is_active=False)
    NeedCategoryFactory(parent=closed, name_en="Gone")

    assert category_choices() == [("Care", [(kept.code, "Day care")])]


def test_the_migration_s_vocabulary_is_offered_in_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        choices = category_choices()

    basic_living = dict(choices)["Basic living assistance"]
    assert ("basic-living.dibao", "Minimum living allowance (dibao)") in basic_living

"""The district an area lies in (places.selectors.district_of), the level services count at."""

import pytest

from places.models import Area
from places.selectors import area_by_code, district_of
from tests.factories.places import CityFactory, DistrictFactory, StreetFactory

pytestmark = pytest.mark.django_db


def test_a_district_is_its_own_district():
    district = DistrictFactory()
    assert district_of(district) == district


def test_a_street_and_a_community_lie_in_their_district():
    street = StreetFactory()
    community = StreetFactory(
        level=Area.Level.COMMUNITY, parent=street, code=f"{street.code[:9]}001"
    )

    assert district_of(street) == street.parent
    assert district_of(community) == street.parent


def test_a_city_or_province_has_no_district():
    city = CityFactory()
    assert district_of(city) is None
    assert district_of(city.parent) is None


def test_no_area_has_no_district():
    assert district_of(None) is None


def test_an_area_fetched_by_code_finds_its_district_without_another_query(
    django_assert_num_queries,
):
    street = StreetFactory()
    fetched = area_by_code(street.code)
    with django_assert_num_queries(0):
        assert district_of(fetched) == street.parent

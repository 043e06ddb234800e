"""The public, read-only areas API: /api/v1/areas/."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from places.models import Area
from tests.factories.places import CityFactory, DistrictFactory, ProvinceFactory, StreetFactory
from tests.openapi import assert_matches_schema

pytestmark = pytest.mark.django_db

LIST_URL = reverse("api-areas-list")


@pytest.fixture
def client():
    return APIClient()


def _queries_for(client, url, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200, response.content
    return len(queries)


def test_anyone_may_read_areas_without_signing_in(client):
    DistrictFactory()

    response = client.get(LIST_URL)

    assert response.status_code == 200
    assert response.json()["count"] >= 1


def test_a_province_has_no_parent_and_the_schema_says_so(client):
    province = ProvinceFactory()

    listed = client.get(LIST_URL, {"level": "province"})
    opened = client.get(reverse("api-areas-detail", args=[province.code]))

    assert opened.status_code == 200
    assert opened.json()["parent"] is None
    assert_matches_schema(listed, "GET", "/api/v1/areas/")
    assert_matches_schema(opened, "GET", "/api/v1/areas/{code}/")


def test_areas_cannot_be_written_through_the_api(client):
    response = client.post(LIST_URL, {"code": "990000000000", "name_zh": "假"}, format="json")

    assert response.status_code == 405


def test_list_costs_the_same_queries_for_two_or_twenty_areas(client):
    few = CityFactory()
    many = CityFactory(parent=few.parent)
    DistrictFactory.create_batch(2, parent=few)
    DistrictFactory.create_batch(20, parent=many)

    two = _queries_for(client, LIST_URL, parent=few.code)
    twenty = _queries_for(client, LIST_URL, parent=many.code)

    assert two == twenty <= 2


def test_filter_by_parent_and_level(client):
    district = DistrictFactory()
    StreetFactory.create_batch(3, parent=district)
    StreetFactory(parent=DistrictFactory(parent=district.parent))

    by_parent = client.get(LIST_URL, {"parent": district.code}).json()
    by_level = client.get(LIST_URL, {"parent": district.code[:6], "level": "street"}).json()
    by_number = client.get(LIST_URL, {"parent": district.code, "level": Area.Level.CITY}).json()

    assert by_parent["count"] == 3
    assert {row["parent"] for row in by_parent["results"]} == {district.code}
    assert by_level["count"] == 3
    assert by_number["count"] == 0


def test_search_by_chinese_or_english_name_or_code(client):
    province = ProvinceFactory(code="990000000000", name_zh="测试自治区", name_en="Testland")
    CityFactory(parent=province, code="990100000000", name_zh="样例市", name_en="Sample City")

    assert [r["code"] for r in client.get(LIST_URL, {"q": "样例"}).json()["results"]] == [
        "990100000000"
    ]
    assert [r["code"] for r in client.get(LIST_URL, {"q": "testland"}).json()["results"]] == [
        "990000000000"
    ]
    assert client.get(LIST_URL, {"q": "9901"}).json()["count"] == 1


def test_bad_filters_are_a_400_with_field_errors(client):
    response = client.get(LIST_URL, {"parent": "31x", "level": "galaxy"})

    assert response.status_code == 400
    body = response.json()
    assert set(body["errors"]) == {"parent", "level"}


def test_area_by_code_in_full_or_short_form(client):
    district = DistrictFactory(name_zh="测试区", name_en="Test District")

    full = client.get(reverse("api-areas-detail", args=[district.code]))
    short = client.get(reverse("api-areas-detail", args=[district.code[:6]]))

    assert full.status_code == short.status_code == 200
    assert full.json() == short.json()
    assert full.json()["parent"] == district.parent.code
    assert full.json()["level"] == Area.Level.DISTRICT


def test_name_follows_the_requested_language(client):
    district = DistrictFactory(name_zh="测试区", name_en="Test District")
    url = reverse("api-areas-detail", args=[district.code])

    assert client.get(url, HTTP_ACCEPT_LANGUAGE="en").json()["name"] == "Test District"
    assert client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").json()["name"] == "测试区"


def test_unknown_code_is_404(client):
    assert client.get(reverse("api-areas-detail", args=["999999"])).status_code == 404


def test_detail_costs_one_query(client, django_assert_num_queries):
    district = DistrictFactory()

    with django_assert_num_queries(1):
        client.get(reverse("api-areas-detail", args=[district.code]))

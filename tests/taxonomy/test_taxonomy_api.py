"""The public, read-only vocabulary API: /api/v1/need-categories/ and /api/v1/service-tiers/."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories.taxonomy import NeedCategoryFactory, NeedCategoryGroupFactory

pytestmark = pytest.mark.django_db

CATEGORIES_URL = reverse("api-need-categories-list")
TIERS_URL = reverse("api-service-tiers-list")


@pytest.fixture
def client():
    return APIClient()


def _queries_for(client, url, **params) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200, response.content
    return len(queries), response.json()


def test_anyone_may_read_the_vocabulary_without_signing_in(client):
    categories = client.get(CATEGORIES_URL)
    tiers = client.get(TIERS_URL)

    assert categories.status_code == tiers.status_code == 200
    assert categories.json()["count"] == 21
    assert [t["code"] for t in tiers.json()["results"]] == [
        "survival",
        "development",
        "opportunity",
    ]


def test_vocabulary_cannot_be_written_through_the_api(client):
    assert client.post(CATEGORIES_URL, {"code": "x"}, format="json").status_code == 405
    assert client.post(TIERS_URL, {"code": "x"}, format="json").status_code == 405


def test_category_list_costs_the_same_queries_for_two_or_twenty_categories(client):
    small, large = NeedCategoryGroupFactory(), NeedCategoryGroupFactory()
    NeedCategoryFactory.create_batch(2, parent=small)
    NeedCategoryFactory.create_batch(20, parent=large)

    two, two_body = _queries_for(client, CATEGORIES_URL, group=small.code)
    twenty, twenty_body = _queries_for(client, CATEGORIES_URL, group=large.code)

    assert (two_body["count"], twenty_body["count"]) == (2, 20)
    assert two == twenty <= 2


def test_filters_by_group_top_level_and_text(client):
    emergency = client.get(CATEGORIES_URL, {"group": "emergency"}).json()
    groups = client.get(CATEGORIES_URL, {"top_level": "true"}).json()
    found = client.get(CATEGORIES_URL, {"q": "临时"}).json()

    assert [c["code"] for c in emergency["results"]] == [
        "emergency.temporary",
        "emergency.homeless",
    ]
    assert [c["code"] for c in groups["results"]] == [
        "basic-living",
        "special-assistance",
        "emergency",
        "social-services",
    ]
    assert [c["code"] for c in found["results"]] == ["emergency.temporary"]


def test_category_by_code_includes_both_names_and_the_crosswalk(client):
    response = client.get(
        reverse("api-need-categories-detail", args=["basic-living.dibao"]),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Minimum living allowance (dibao)"
    assert body["name_zh"] == "最低生活保障"
    assert body["parent"] == "basic-living"
    assert body["open_eligibility_code"] == "1107"


def test_tier_by_code(client):
    response = client.get(reverse("api-service-tiers-detail", args=["development"]))

    assert response.status_code == 200
    assert response.json()["name_zh"] == "发展型"


def test_unknown_codes_are_404(client):
    assert client.get(reverse("api-need-categories-detail", args=["nope"])).status_code == 404
    assert client.get(reverse("api-service-tiers-detail", args=["nope"])).status_code == 404

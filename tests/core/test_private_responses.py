"""What a signed-in person or an API token holder is shown is kept out of every cache;
public answers to anonymous visitors stay cacheable."""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import Role
from tests.factories.accounts import user_with_role

pytestmark = pytest.mark.django_db


def test_an_api_answer_to_a_token_holder_is_never_cached():
    user = user_with_role(Role.CASEWORKER)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")

    response = api.get("/api/v1/beneficiaries/")

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_a_page_for_a_signed_in_person_is_never_cached(client):
    client.force_login(user_with_role(Role.CASEWORKER))

    response = client.get(reverse("accounts:workspace"))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_a_public_answer_to_an_anonymous_visitor_may_be_cached(client):
    response = client.get(reverse("marketplace:tender_feed_rss"))

    assert "no-store" not in response.get("Cache-Control", "")
    assert "public" in response["Cache-Control"]


def test_a_view_s_own_cache_rule_is_kept_for_signed_in_people(client):
    client.force_login(user_with_role(Role.CASEWORKER))

    response = client.get(reverse("marketplace:tender_feed_rss"))

    assert "public" in response["Cache-Control"]
    assert "no-store" not in response["Cache-Control"]

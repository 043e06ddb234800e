"""What a signed-in person or an API token holder is shown is kept out of every cache;
public answers to anonymous visitors stay cacheable."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import Role
from tests.factories.accounts import api_token_for, user_with_role

pytestmark = pytest.mark.django_db


def test_an_api_answer_to_a_token_holder_is_never_cached():
    user = user_with_role(Role.CASEWORKER)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(user)}")

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


def test_a_public_cache_rule_does_not_apply_to_a_signed_in_person_s_copy(client):
    """Issue #14: the feed's (or the sitemap's) ``public, max-age`` is for anonymous
    visitors; a signed-in person's answer carries their session cookie and stays theirs."""
    client.force_login(user_with_role(Role.CASEWORKER))

    response = client.get(reverse("marketplace:tender_feed_rss"))

    assert "public" not in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]


def test_a_signed_in_person_s_private_cache_rule_is_kept(rf):
    """A view that already keeps its answer to the person (``private``) keeps its rule."""
    from django.http import HttpResponse
    from django.utils.cache import patch_cache_control

    from core.middleware import PrivateResponsesMiddleware

    def view(request):
        response = HttpResponse("yours")
        patch_cache_control(response, private=True, max_age=60)
        return response

    request = rf.get("/")
    request.user = user_with_role(Role.CASEWORKER)

    response = PrivateResponsesMiddleware(view)(request)

    assert response["Cache-Control"] == "private, max-age=60"


def test_a_publicly_cacheable_answer_that_sets_a_cookie_becomes_private(rf):
    from django.http import HttpResponse
    from django.utils.cache import patch_cache_control

    from core.middleware import NoCookiesInSharedCachesMiddleware

    def view(request):
        response = HttpResponse("hello")
        patch_cache_control(response, public=True, max_age=3600)
        response.set_cookie("django_language", "en")
        return response

    response = NoCookiesInSharedCachesMiddleware(view)(rf.get("/"))

    assert "public" not in response["Cache-Control"]
    assert "private" in response["Cache-Control"]

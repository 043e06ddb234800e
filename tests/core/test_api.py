"""API skeleton: token exchange, authentication, JSON errors a person can act on, docs offline."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import Role
from tests.factories.accounts import TEST_PASSWORD, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def test_token_exchange_and_use(api):
    user = user_with_role(Role.CASEWORKER, username="cw")
    response = api.post(
        "/api/v1/auth/token/", {"username": "cw", "password": TEST_PASSWORD}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api.get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json()["username"] == user.username
    assert me.json()["memberships"][0]["role"] == "caseworker"


def test_missing_fields_give_400_with_field_errors(api):
    response = api.post("/api/v1/auth/token/", {}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "Some fields need attention."
    assert set(body["errors"]) == {"username", "password"}


def test_wrong_password_gives_400_not_500(api):
    user_with_role(Role.CASEWORKER, username="cw")
    response = api.post("/api/v1/auth/token/", {"username": "cw", "password": "bad"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["non_field_errors"]


def test_malformed_json_gives_400(api):
    response = api.post(
        "/api/v1/auth/token/",
        "{not json",
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.json()["detail"].startswith("The request body is not valid JSON: ")


@pytest.mark.parametrize("bracket", ["[", '{"a":'])
def test_json_nested_too_deeply_is_bad_input_not_a_server_error(api, bracket):
    api.force_authenticate(user_with_role(Role.CASEWORKER))
    body = bracket * 100_000

    response = api.post(
        "/api/v1/beneficiaries/", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 400
    assert response.json()["detail"] == (
        "The request body nests lists or objects too deeply to be read."
    )


def test_anonymous_gets_401_json_on_protected_endpoint(api):
    response = api.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["detail"]


def test_unknown_organization_is_404_json(api):
    api.force_authenticate(user_with_role(Role.CASEWORKER))
    response = api.get("/api/v1/organizations/00000000-0000-0000-0000-000000000000/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_organizations_list_has_fixed_query_count(api, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories.accounts import ProviderOrganizationFactory

    api.force_authenticate(user_with_role(Role.CASEWORKER))

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert api.get("/api/v1/organizations/").status_code == 200
        return len(queries)

    ProviderOrganizationFactory.create_batch(2)
    few = count()
    ProviderOrganizationFactory.create_batch(20)
    assert count() == few


def test_api_root_links_resources(api):
    body = api.get("/api/v1/").json()
    assert body["docs"].endswith(reverse("api-docs"))
    assert "organizations" in body


def test_schema_and_docs_are_served_without_the_internet(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/auth/token/" in schema.content
    docs = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in docs
    assert "cdn.jsdelivr" not in docs and "unpkg.com" not in docs

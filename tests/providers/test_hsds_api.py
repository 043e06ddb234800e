"""The public HSDS 3.0 API at /api/v1/hsds/: HSDS Page objects whose contents validate
against the standard's schemas, 404 for anything not public, and a fixed number of queries
whatever the number of rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from providers.hsds import vocabulary
from tests.factories.providers import ServiceFactory, SiteFactory, VerifiedProviderFactory
from tests.providers._hsds_factories import (
    STAFF_EMAIL,
    STAFF_USERNAME,
    assert_valid,
    public_directory,
)

pytestmark = pytest.mark.django_db

PAGE_KEYS = {
    "total_items",
    "total_pages",
    "page_number",
    "size",
    "first_page",
    "last_page",
    "empty",
    "contents",
}
LISTS = {
    "hsds-organizations": "organization",
    "hsds-services": "service",
    "hsds-locations": "location",
    "hsds-service_at_locations": "service_at_location",
    "hsds-taxonomy_terms": "taxonomy_term",
}


@pytest.fixture
def directory():
    return public_directory(providers=2, services_per_provider=2)


def test_index_describes_the_api(client):
    response = client.get("/api/v1/hsds/")

    assert response.status_code == 200
    body = response.json()
    assert body["version"] == "3.0"
    assert body["profile"] == vocabulary.HSDS_PROFILE_URL
    assert body["openapi_url"].endswith("/api/schema/")
    assert body["services"].endswith("/api/v1/hsds/services/")


@pytest.mark.parametrize(("route", "entity"), LISTS.items())
def test_lists_are_hsds_pages_of_valid_objects_for_anyone(client, directory, route, entity):
    response = client.get(reverse(route))

    assert response.status_code == 200
    page = response.json()
    assert set(page) == PAGE_KEYS
    assert page["page_number"] == 1
    assert page["first_page"] is True
    assert page["empty"] is False
    assert page["size"] == len(page["contents"]) > 0
    for item in page["contents"]:
        assert_valid(entity, item)


def test_list_counts_only_public_objects(client, directory):
    assert client.get(reverse("hsds-organizations")).json()["total_items"] == 2
    assert client.get(reverse("hsds-services")).json()["total_items"] == 4
    assert client.get(reverse("hsds-locations")).json()["total_items"] == 2
    assert client.get(reverse("hsds-service_at_locations")).json()["total_items"] == 4


def test_pages_follow_page_and_per_page(client, directory):
    first = client.get(reverse("hsds-services"), {"per_page": 3}).json()
    second = client.get(reverse("hsds-services"), {"per_page": 3, "page": 2}).json()

    assert (first["total_items"], first["total_pages"], first["size"]) == (4, 2, 3)
    assert (first["first_page"], first["last_page"]) == (True, False)
    assert (second["page_number"], second["size"], second["last_page"]) == (2, 1, True)
    ids = [s["id"] for s in first["contents"] + second["contents"]]
    assert len(set(ids)) == 4


def test_an_empty_directory_is_an_empty_page(client):
    page = client.get(reverse("hsds-organizations")).json()

    assert page["empty"] is True
    assert page["total_items"] == 0
    assert page["contents"] == []


def test_details_validate_and_nest_what_hsds_nests(client, directory):
    provider, service, site = directory.provider, directory.services[0], directory.sites[0]

    organization = client.get(reverse("hsds-organization", args=[provider.uuid])).json()
    assert_valid("organization", organization)
    assert {s["id"] for s in organization["services"]} == {
        str(s.uuid) for s in directory.services if s.provider_id == provider.pk
    }

    body = client.get(reverse("hsds-service", args=[service.uuid])).json()
    assert_valid("service", body)
    assert body["organization"]["id"] == str(provider.uuid)
    assert body["service_at_locations"][0]["location"]["id"] == str(site.uuid)

    location = client.get(reverse("hsds-location", args=[site.uuid])).json()
    assert_valid("location", location)

    term_id = vocabulary.stable_id(vocabulary.NEED_CATEGORY_TAXONOMY, "basic-living.dibao")
    term = client.get(reverse("hsds-taxonomy_term", args=[term_id])).json()
    assert_valid("taxonomy_term", term)
    assert term["code"] == "basic-living.dibao"


def test_objects_that_are_not_public_answer_404(client, directory):
    hidden = directory.hidden
    urls = [
        reverse("hsds-organization", args=[hidden["draft_provider"].uuid]),
        reverse("hsds-organization", args=[hidden["suspended_provider"].uuid]),
        reverse("hsds-service", args=[hidden["draft_service"].uuid]),
        reverse("hsds-service", args=[hidden["unconfirmed_service"].uuid]),
        reverse("hsds-service", args=[hidden["withdrawn_service"].uuid]),
        reverse("hsds-location", args=[hidden["draft_site"].uuid]),
        reverse("hsds-taxonomy_term", args=["5f0c7b0e-2f55-4a43-9d3a-6f1f7f1b9c11"]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json()["detail"]


def test_no_staff_or_document_appears_in_any_response(client, directory):
    text = "".join(
        client.get(reverse(route), {"per_page": 200}).content.decode() for route in LISTS
    )
    text += client.get(
        reverse("hsds-organization", args=[directory.provider.uuid])
    ).content.decode()
    assert STAFF_USERNAME not in text
    assert STAFF_EMAIL not in text
    assert str(directory.hidden["document"].uuid) not in text


def test_services_filter_by_organization_and_term(client, directory):
    provider = directory.provider
    by_organization = client.get(reverse("hsds-services"), {"organization_id": provider.uuid})
    assert by_organization.json()["total_items"] == 2

    legal_aid = vocabulary.stable_id(vocabulary.NEED_CATEGORY_TAXONOMY, "social-services.legal-aid")
    by_term = client.get(reverse("hsds-services"), {"taxonomy_term_id": legal_aid})
    assert by_term.json()["total_items"] == 2  # the first service of each provider

    bad = client.get(reverse("hsds-services"), {"organization_id": "42"})
    assert bad.status_code == 400
    assert "organization_id" in bad.json()["errors"]


def _directory_of(size: int):
    for _ in range(size):
        provider = VerifiedProviderFactory()
        site = SiteFactory(provider=provider)
        ServiceFactory(provider=provider, sites=[site])


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"per_page": 100})
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("route", LISTS)
def test_lists_run_a_fixed_number_of_queries(client, route):
    _directory_of(2)
    with_two = _queries(client, reverse(route))
    _directory_of(18)
    with_twenty = _queries(client, reverse(route))

    if route != "hsds-taxonomy_terms":  # the vocabulary does not grow with the directory
        assert client.get(reverse(route)).json()["total_items"] == 20
    assert with_twenty == with_two

"""The provider API: public reads of the directory, writes only by the provider's own staff."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Role
from places import geocoding
from providers.models import Provider, Service, Site
from tests.factories.accounts import user_with_role
from tests.factories.places import shanghai_district
from tests.factories.providers import (
    ProviderFactory,
    ServiceFactory,
    SiteFactory,
    VerifiedProviderFactory,
    provider_staff_of,
)
from tests.factories.taxonomy import need_category
from tests.openapi import assert_matches_schema

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def provider():
    return VerifiedProviderFactory()


@pytest.fixture
def staff_api(api, provider):
    api.force_authenticate(provider_staff_of(provider))
    return api


@pytest.fixture
def pudong():
    return shanghai_district()


@pytest.fixture
def xuhui():
    return shanghai_district("310104", "徐汇区", "Xuhui District")


def _results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


def _count_queries(api, url):
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url)
    assert response.status_code == 200
    return len(queries), response.json()["count"]


# --- providers ----------------------------------------------------------------------


def test_only_verified_providers_are_public(api, pudong):
    verified = VerifiedProviderFactory(organization__area=pudong)
    hidden = [
        ProviderFactory(status=status)
        for status in (
            Provider.Status.DRAFT,
            Provider.Status.SUBMITTED,
            Provider.Status.REJECTED,
            Provider.Status.SUSPENDED,
            Provider.Status.DEBARRED,
        )
    ]

    results = _results(api.get(reverse("api-providers-list")))

    assert [row["uuid"] for row in results] == [str(verified.uuid)]
    row = results[0]
    assert row["name_zh"] == verified.organization.name_zh
    assert row["credit_code"] == verified.organization.credit_code
    assert row["district"] == pudong.code
    for provider in hidden:
        detail = api.get(reverse("api-providers-detail", args=[provider.uuid]))
        assert detail.status_code == 404


def test_a_provider_with_blank_details_matches_the_schema(api):
    """No website, e-mail, grade, credit code or area: "" and null where the schema says so."""
    provider = VerifiedProviderFactory(
        organization__credit_code=None, organization__area=None, website="", public_email=""
    )

    listed = api.get(reverse("api-providers-list"))
    opened = api.get(reverse("api-providers-detail", args=[provider.uuid]))

    assert opened.status_code == 200
    body = opened.json()
    assert (body["website"], body["grade_source"]) == ("", "")
    assert (body["credit_code"], body["district"]) == (None, None)
    assert_matches_schema(listed, "GET", "/api/v1/providers/")
    assert_matches_schema(opened, "GET", "/api/v1/providers/{uuid}/")


def test_provider_list_runs_a_fixed_number_of_queries(api, pudong):
    VerifiedProviderFactory.create_batch(2, organization__area=pudong)
    with_two, count = _count_queries(api, reverse("api-providers-list"))
    assert count == 2
    VerifiedProviderFactory.create_batch(18, organization__area=pudong)
    with_twenty, count = _count_queries(api, reverse("api-providers-list"))
    assert count == 20
    assert with_two == with_twenty


def test_api_root_links_the_provider_resources(api):
    links = api.get("/api/v1/").json()

    assert {"providers", "services", "sites"} <= set(links)


# --- reading services -------------------------------------------------------------


def test_only_public_services_are_listed(api, provider):
    listed = ServiceFactory(provider=provider)
    ServiceFactory(provider=provider, is_active=False)
    ServiceFactory(provider=provider, last_confirmed_at=timezone.now() - timedelta(days=181))
    ServiceFactory(provider=ProviderFactory(status=Provider.Status.SUBMITTED))
    ServiceFactory(provider=VerifiedProviderFactory(status=Provider.Status.SUSPENDED))

    results = _results(api.get(reverse("api-services-list")))

    assert [row["uuid"] for row in results] == [str(listed.uuid)]


def test_service_shows_capacity_with_its_age_and_last_confirmation(api, provider):
    updated = timezone.now() - timedelta(days=8)
    service = ServiceFactory(
        provider=provider, free_slots=3, waitlist_length=4, capacity_updated_at=updated
    )

    row = api.get(reverse("api-services-detail", args=[service.uuid])).json()

    assert row["capacity"]["free_slots"] == 3
    assert row["capacity"]["waitlist_length"] == 4
    assert row["capacity"]["capacity_stale"] is True
    assert row["capacity"]["capacity_updated_at"] is not None
    assert row["last_confirmed_at"] is not None
    assert row["provider"] == str(provider.uuid)
    assert row["categories"] == ["social-services.elderly-care"]
    assert row["tier"] == "survival"


def test_service_list_runs_a_fixed_number_of_queries(api, provider, pudong):
    site = SiteFactory(provider=provider, area=pudong, district=pudong)
    categories = [
        need_category("social-services.elderly-care"),
        need_category("emergency.temporary"),
    ]

    def make(count):
        for _ in range(count):
            ServiceFactory(
                provider=VerifiedProviderFactory(),
                categories=categories,
                areas_covered=[pudong],
                sites=[site],
            )

    make(2)
    with_two, count = _count_queries(api, reverse("api-services-list"))
    assert count == 2
    make(18)
    with_twenty, count = _count_queries(api, reverse("api-services-list"))
    assert count == 20
    assert with_two == with_twenty


def test_services_filter_by_category_district_referrals_and_capacity(api, provider, pudong, xuhui):
    elderly = ServiceFactory(
        provider=provider,
        categories=[need_category("social-services.elderly-care")],
        areas_covered=[pudong],
        free_slots=0,
    )
    at_xuhui_site = ServiceFactory(
        provider=provider,
        categories=[need_category("emergency.temporary")],
        sites=[SiteFactory(provider=provider, area=xuhui, district=xuhui)],
        accepting_referrals=False,
        free_slots=2,
    )
    url = reverse("api-services-list")

    def uuids(**params):
        return {row["uuid"] for row in _results(api.get(url, params))}

    assert uuids(category="social-services.elderly-care") == {str(elderly.uuid)}
    assert uuids(category="social-services") == {str(elderly.uuid)}  # a group includes its own
    assert uuids(district="310115") == {str(elderly.uuid)}
    assert uuids(district=xuhui.code) == {str(at_xuhui_site.uuid)}
    assert uuids(district="not-a-code") == set()
    assert uuids(accepting_referrals="false") == {str(at_xuhui_site.uuid)}
    assert uuids(has_capacity="true") == {str(at_xuhui_site.uuid)}
    assert uuids(has_capacity="false") == {str(elderly.uuid)}


# --- writing services -------------------------------------------------------------


def _new_service(**overrides):
    data = {
        "name_zh": "临时救助咨询",
        "name_en": "Advice on temporary assistance",
        "categories": ["emergency.temporary"],
        "tier": "survival",
        "min_age": 18,
        "remote": True,
        "at_site": False,
        "languages": ["zh"],
    }
    data.update(overrides)
    return data


def test_anonymous_visitors_cannot_write(api, provider):
    service = ServiceFactory(provider=provider)

    assert api.post(reverse("api-services-list"), _new_service(), format="json").status_code == 401
    patch = api.patch(
        reverse("api-services-detail", args=[service.uuid]), {"name_en": "x"}, format="json"
    )
    assert patch.status_code == 401
    capacity = api.post(
        reverse("api-services-capacity", args=[service.uuid]),
        {"free_slots": 0, "waitlist_length": 0},
        format="json",
    )
    assert capacity.status_code == 401


def test_users_without_a_provider_cannot_write(api):
    api.force_authenticate(user_with_role(Role.CASEWORKER))

    response = api.post(reverse("api-services-list"), _new_service(), format="json")

    assert response.status_code == 403
    assert not Service.objects.exists()


def test_staff_create_a_service_for_their_own_provider(staff_api, provider):
    response = staff_api.post(reverse("api-services-list"), _new_service(), format="json")

    assert response.status_code == 201, response.json()
    service = Service.objects.get(uuid=response.json()["uuid"])
    assert service.provider == provider
    assert [c.code for c in service.categories.all()] == ["emergency.temporary"]
    assert (service.at_site, service.remote) == (False, True)
    assert response.json()["categories"] == ["emergency.temporary"]


def test_staff_change_their_own_service(staff_api, provider):
    service = ServiceFactory(provider=provider, name_en="Old")

    response = staff_api.patch(
        reverse("api-services-detail", args=[service.uuid]),
        {"name_en": "New", "accepting_referrals": False},
        format="json",
    )

    assert response.status_code == 200, response.json()
    service.refresh_from_db()
    assert service.name_en == "New"
    assert service.accepting_referrals is False
    assert [c.code for c in service.categories.all()] == ["social-services.elderly-care"]


def test_another_providers_service_answers_404(staff_api):
    foreign = ServiceFactory(name_en="Theirs")

    patch = staff_api.patch(
        reverse("api-services-detail", args=[foreign.uuid]), {"name_en": "Mine"}, format="json"
    )
    capacity = staff_api.post(
        reverse("api-services-capacity", args=[foreign.uuid]),
        {"free_slots": 0, "waitlist_length": 0},
        format="json",
    )
    confirm = staff_api.post(reverse("api-services-confirm", args=[foreign.uuid]))

    assert (patch.status_code, capacity.status_code, confirm.status_code) == (404, 404, 404)
    foreign.refresh_from_db()
    assert foreign.name_en == "Theirs"


def test_bad_input_is_400_with_field_errors(staff_api):
    url = reverse("api-services-list")

    ages = staff_api.post(url, _new_service(min_age=70, max_age=60), format="json")
    no_category = staff_api.post(url, _new_service(categories=[]), format="json")
    unknown = staff_api.post(url, _new_service(categories=["no.such"], tier="x"), format="json")

    assert ages.status_code == 400
    assert ages.json()["errors"]["max_age"] == [
        "The maximum age must not be below the minimum age."
    ]
    assert no_category.status_code == 400
    assert no_category.json()["errors"]["categories"] == ["Choose at least one need category."]
    assert unknown.status_code == 400
    assert {"categories", "tier"} <= set(unknown.json()["errors"])
    group = staff_api.post(url, _new_service(categories=["social-services"]), format="json")
    assert group.status_code == 400
    assert "categories" in group.json()["errors"]
    assert not Service.objects.exists()


def test_only_own_sites_can_be_named(staff_api):
    foreign_site = SiteFactory()

    response = staff_api.post(
        reverse("api-services-list"),
        _new_service(at_site=True, sites=[str(foreign_site.uuid)]),
        format="json",
    )

    assert response.status_code == 400
    assert "sites" in response.json()["errors"]


def test_capacity_update_sets_the_time_and_confirms(staff_api, provider):
    long_ago = timezone.now() - timedelta(days=30)
    service = ServiceFactory(provider=provider, capacity_updated_at=long_ago)

    response = staff_api.post(
        reverse("api-services-capacity", args=[service.uuid]),
        {"free_slots": 0, "waitlist_length": 9},
        format="json",
    )

    assert response.status_code == 200, response.json()
    service.refresh_from_db()
    assert service.capacity_updated_at > long_ago
    assert service.last_confirmed_at == service.capacity_updated_at
    assert (service.free_slots, service.waitlist_length) == (0, 9)
    assert response.json()["capacity"]["capacity_stale"] is False


def test_capacity_refuses_negative_numbers(staff_api, provider):
    service = ServiceFactory(provider=provider)

    response = staff_api.post(
        reverse("api-services-capacity", args=[service.uuid]),
        {"free_slots": -1, "waitlist_length": 0},
        format="json",
    )

    assert response.status_code == 400
    assert "free_slots" in response.json()["errors"]


def test_confirm_brings_an_unconfirmed_service_back(staff_api, api, provider):
    service = ServiceFactory(
        provider=provider, last_confirmed_at=timezone.now() - timedelta(days=200)
    )
    detail = reverse("api-services-detail", args=[service.uuid])
    assert APIClient().get(detail).status_code == 404

    response = staff_api.post(reverse("api-services-confirm", args=[service.uuid]))

    assert response.status_code == 200
    assert APIClient().get(detail).status_code == 200


# --- sites ------------------------------------------------------------------------


def test_only_sites_of_verified_providers_are_public(api, provider):
    public = SiteFactory(provider=provider)
    SiteFactory(provider=ProviderFactory(status=Provider.Status.SUBMITTED))

    results = _results(api.get(reverse("api-sites-list")))

    assert [row["uuid"] for row in results] == [str(public.uuid)]
    assert results[0]["provider"] == str(provider.uuid)


def test_staff_add_a_site_located_from_its_address(staff_api, provider, fake_geocoder, pudong):
    response = staff_api.post(
        reverse("api-sites-list"),
        {"name_zh": "塘桥服务站", "address": "上海市浦东新区蓝村路1号", "phone": "021-1234"},
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["district"] == pudong.code
    assert response.json()["geocode_precision"] == "district"
    assert Site.objects.get(provider=provider).name_zh == "塘桥服务站"


def test_site_input_errors(staff_api, fake_geocoder):
    url = reverse("api-sites-list")

    half_point = staff_api.post(
        url, {"name_zh": "站", "address": "上海市浦东新区", "latitude": "31.2"}, format="json"
    )
    not_found = staff_api.post(url, {"name_zh": "站", "address": "火星基地"}, format="json")

    assert half_point.status_code == 400
    assert "longitude" in half_point.json()["errors"]
    assert not_found.status_code == 400
    assert not_found.json()["errors"]["address"] == [str(geocoding.ADDRESS_NOT_FOUND)]


def test_another_providers_site_answers_404(staff_api):
    foreign = SiteFactory(name_zh="他们的站点")

    response = staff_api.patch(
        reverse("api-sites-detail", args=[foreign.uuid]), {"name_zh": "我的"}, format="json"
    )

    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.name_zh == "他们的站点"


def test_anonymous_visitors_cannot_add_sites(api):
    response = api.post(
        reverse("api-sites-list"), {"name_zh": "站", "address": "上海市浦东新区"}, format="json"
    )

    assert response.status_code == 401


# --- schema ------------------------------------------------------------------------


def test_openapi_schema_is_valid_without_warnings(tmp_path):
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml")
    )

    schema = (tmp_path / "schema.yml").read_text()
    assert "/api/v1/services/{uuid}/capacity/" in schema


@pytest.mark.parametrize("value", [100_001, 10**30, -1])
def test_capacity_out_of_range_is_a_field_error_and_changes_nothing(staff_api, provider, value):
    service = ServiceFactory(provider=provider, free_slots=3, waitlist_length=0)

    response = staff_api.post(
        reverse("api-services-capacity", args=[service.uuid]),
        {"free_slots": value, "waitlist_length": 0},
        format="json",
    )

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"free_slots"}
    service.refresh_from_db()
    assert service.free_slots == 3


def test_the_capacity_service_refuses_numbers_no_service_has(provider):
    from core.errors import ApplicationError
    from providers.services import capacity

    service = ServiceFactory(provider=provider, free_slots=3)

    with pytest.raises(ApplicationError) as refused:
        capacity.update_capacity(
            service=service,
            actor=provider_staff_of(provider),
            free_slots=10**30,
            waitlist_length=0,
        )

    assert refused.value.field_errors == {"free_slots": ["Enter a whole number from 0 to 100,000."]}

"""The provider's own workspace: who may use it, the service list, service and site forms,
the workspace card and the read-mostly Django admin."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from places import geocoding
from providers.models import Provider, Service, Site
from tests.factories.accounts import UserFactory, user_with_role
from tests.factories.places import StreetFactory, shanghai_district
from tests.factories.providers import (
    ProviderDocumentFactory,
    ServiceFactory,
    SiteFactory,
    VerifiedProviderFactory,
    provider_admin_of,
    provider_staff_of,
)
from tests.factories.taxonomy import need_category

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider():
    return VerifiedProviderFactory()


@pytest.fixture
def client_en(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def staff_client(client_en, provider):
    client_en.force_login(provider_staff_of(provider))
    return client_en


@pytest.fixture
def pudong():
    return shanghai_district()


# --- who may use the workspace -----------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("providers:service_list"))

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize(
    "url_name",
    ["providers:service_list", "providers:service_create", "providers:site_list"],
)
def test_users_without_a_provider_get_404(client, url_name):
    client.force_login(user_with_role(Role.CASEWORKER))

    assert client.get(reverse(url_name)).status_code == 404


@pytest.mark.parametrize("make_user", [provider_admin_of, provider_staff_of])
def test_provider_admins_and_staff_see_their_services(client_en, provider, make_user):
    ServiceFactory(provider=provider, name_en="Day care for older people")
    ServiceFactory(name_en="Someone else's service")
    client_en.force_login(make_user(provider))

    response = client_en.get(reverse("providers:service_list"))

    assert response.status_code == 200
    assert "Day care for older people" in response.text
    assert "Someone else&#x27;s service" not in response.text


def test_workspace_offers_services_and_capacity_to_provider_staff(client_en, provider):
    client_en.force_login(provider_staff_of(provider))

    response = client_en.get(reverse("accounts:workspace"))

    assert reverse("providers:service_list") in response.text
    assert "Services and capacity" in response.text


# --- the service list ----------------------------------------------------------


def test_service_list_states_each_status_in_words(staff_client, provider):
    now = timezone.now()
    ServiceFactory(provider=provider, name_en="Offered service")
    ServiceFactory(provider=provider, name_en="Paused service", is_active=False)
    ServiceFactory(
        provider=provider,
        name_en="Forgotten service",
        last_confirmed_at=now - timezone.timedelta(days=181),
    )

    page = staff_client.get(reverse("providers:service_list")).text

    assert "Offered" in page
    assert "Not offered" in page
    assert page.count("Hidden from the directory: not confirmed for 180 days") == 1


def test_service_list_runs_a_fixed_number_of_queries(staff_client, provider, pudong):
    site = SiteFactory(provider=provider)
    categories = [
        need_category("social-services.elderly-care"),
        need_category("emergency.temporary"),
    ]

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            response = staff_client.get(reverse("providers:service_list"))
        assert response.status_code == 200
        return len(queries)

    for _ in range(2):
        ServiceFactory(
            provider=provider, categories=categories, sites=[site], areas_covered=[pudong]
        )
    with_two = count_queries()
    for _ in range(18):
        ServiceFactory(
            provider=provider, categories=categories, sites=[site], areas_covered=[pudong]
        )
    with_twenty = count_queries()

    assert with_two == with_twenty


# --- creating and editing services -----------------------------------------------


def _service_post(**overrides):
    data = {
        "name_zh": "助餐服务",
        "name_en": "Meal service",
        "description_zh": "为老年人提供午餐。",
        "categories": ["social-services.elderly-care"],
        "tier": "survival",
        "min_age": "60",
        "max_age": "",
        "gender": "any",
        "household_registration": "any",
        "fee_kind": "free",
        "fee_amount": "",
        "languages": ["zh", "wuu"],
        "delivery_modes": ["at_site", "home_visit"],
        "is_active": "on",
        "accepting_referrals": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_staff_create_a_service_with_every_detail(staff_client, provider, pudong):
    site = SiteFactory(provider=provider)

    response = staff_client.post(
        reverse("providers:service_create"),
        _service_post(
            areas_covered=[pudong.code],
            sites=[str(site.uuid)],
            required_statuses=["dibao", "low_income"],
        ),
    )

    assert response.status_code == 302
    service = Service.objects.get(provider=provider)
    assert service.name_en == "Meal service"
    assert [c.code for c in service.categories.all()] == ["social-services.elderly-care"]
    assert service.tier.code == "survival"
    assert service.min_age == 60 and service.max_age is None
    assert service.required_statuses == ["dibao", "low_income"]
    assert service.languages == ["zh", "wuu"]
    assert (service.at_site, service.home_visit, service.remote) == (True, True, False)
    assert list(service.areas_covered.all()) == [pudong]
    assert list(service.sites.all()) == [site]
    assert service.is_active and service.accepting_referrals


def test_service_form_shows_service_errors_next_to_their_fields(staff_client):
    response = staff_client.post(
        reverse("providers:service_create"),
        _service_post(min_age="70", max_age="60", fee_kind="paid", fee_amount=""),
    )

    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["max_age"] == ["The maximum age must not be below the minimum age."]
    assert form.errors["fee_amount"] == ["Give the fee in yuan, or mark the service as free."]
    assert "The maximum age must not be below the minimum age." in response.text
    assert not Service.objects.exists()


def test_service_needs_a_category_and_a_delivery_mode(staff_client):
    response = staff_client.post(
        reverse("providers:service_create"), _service_post(categories=[], delivery_modes=[])
    )

    assert response.status_code == 400
    assert set(response.context["form"].errors) >= {"categories", "delivery_modes"}


def test_sites_of_another_provider_cannot_be_chosen(staff_client):
    foreign_site = SiteFactory()

    response = staff_client.post(
        reverse("providers:service_create"), _service_post(sites=[str(foreign_site.uuid)])
    )

    assert response.status_code == 400
    assert "sites" in response.context["form"].errors


def test_editing_a_service_keeps_what_is_not_changed(staff_client, provider):
    service = ServiceFactory(provider=provider, name_en="Old name", home_visit=True)
    edit_url = reverse("providers:service_edit", args=[service.uuid])
    form = staff_client.get(edit_url).context["form"]
    data = {
        name: value
        for name, value in form.initial.items()
        if value not in (None, False) and name not in ("tier",)
    }
    data["tier"] = service.tier.code
    data["name_en"] = "New name"
    data["sites"] = [str(uuid) for uuid in data.get("sites", [])]
    data["is_active"] = "on"
    data["accepting_referrals"] = "on"

    response = staff_client.post(edit_url, data)

    assert response.status_code == 302, response.context["form"].errors
    service.refresh_from_db()
    assert service.name_en == "New name"
    assert service.home_visit is True
    assert [c.code for c in service.categories.all()] == ["social-services.elderly-care"]


def test_another_providers_service_cannot_be_edited(staff_client):
    foreign = ServiceFactory()

    assert (
        staff_client.get(reverse("providers:service_edit", args=[foreign.uuid])).status_code == 404
    )
    response = staff_client.post(
        reverse("providers:service_edit", args=[foreign.uuid]), _service_post()
    )
    assert response.status_code == 404


# --- sites -------------------------------------------------------------------------


def _site_post(**overrides):
    data = {
        "name_zh": "塘桥服务站",
        "name_en": "Tangqiao service point",
        "address": "上海市浦东新区蓝村路1号",
        "latitude": "",
        "longitude": "",
        "opening_hours_zh": "周一至周五 9:00-17:00",
        "opening_hours_en": "Mon-Fri 9:00-17:00",
        "wheelchair_accessible": "on",
        "accessibility_notes": "",
        "phone": "021-12345678",
    }
    data.update(overrides)
    return data


def test_a_new_site_is_located_from_its_address(staff_client, provider, fake_geocoder, pudong):
    response = staff_client.post(reverse("providers:site_create"), _site_post(), follow=True)

    site = Site.objects.get(provider=provider)
    assert site.area == pudong and site.district == pudong
    assert site.geocode_precision == Site.Precision.DISTRICT
    assert site.wheelchair_accessible and not site.accessible_toilet
    assert "located in Pudong New Area (precision: District)" in response.text


def test_an_address_that_cannot_be_found_is_a_field_error(staff_client, provider, fake_geocoder):
    response = staff_client.post(
        reverse("providers:site_create"), _site_post(address="火星基地一号")
    )

    assert response.status_code == 400
    assert response.context["form"].errors["address"] == [str(geocoding.ADDRESS_NOT_FOUND)]
    assert not Site.objects.filter(provider=provider).exists()


def test_a_point_needs_both_latitude_and_longitude(staff_client, fake_geocoder):
    response = staff_client.post(reverse("providers:site_create"), _site_post(latitude="31.2"))

    assert response.status_code == 400
    assert "longitude" in response.context["form"].errors


def test_a_point_set_by_hand_wins_over_the_address(staff_client, provider, fake_geocoder):
    staff_client.post(
        reverse("providers:site_create"),
        _site_post(latitude="31.200000", longitude="121.500000"),
    )

    site = Site.objects.get(provider=provider)
    assert (site.latitude, site.longitude) == (Decimal("31.200000"), Decimal("121.500000"))
    assert site.geocode_precision == Site.Precision.MANUAL


def test_site_list_shows_area_and_precision(staff_client, provider, pudong):
    SiteFactory(provider=provider, name_en="Riverside point", area=pudong, district=pudong)

    page = staff_client.get(reverse("providers:site_list")).text

    assert "Riverside point" in page
    assert "Pudong New Area" in page
    assert "precision: District" in page


def test_another_providers_site_cannot_be_edited(staff_client, fake_geocoder):
    foreign = SiteFactory()

    url = reverse("providers:site_edit", args=[foreign.uuid])
    assert staff_client.get(url).status_code == 404
    assert staff_client.post(url, _site_post()).status_code == 404
    foreign.refresh_from_db()
    assert foreign.name_zh != "塘桥服务站"


# --- Django admin ----------------------------------------------------------------


@pytest.fixture
def admin_client_en(client_en):
    # A platform administrator with the Django admin's access: the admin's status
    # actions ask the verifier's role, which a superuser does not hold by being one.
    client_en.force_login(user_with_role(Role.PLATFORM_ADMIN, is_staff=True, is_superuser=True))
    return client_en


def test_admin_cannot_change_a_provider_status_directly(admin_client_en):
    provider = VerifiedProviderFactory()

    response = admin_client_en.post(
        reverse("admin:providers_provider_change", args=[provider.pk]),
        {"status": Provider.Status.DEBARRED},
    )

    provider.refresh_from_db()
    assert provider.status == Provider.Status.VERIFIED
    assert response.status_code in (302, 403)


def test_a_superuser_without_the_verifiers_role_cannot_verify_from_the_admin(client_en):
    submitted = VerifiedProviderFactory(status=Provider.Status.SUBMITTED)
    client_en.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:providers_provider_changelist")

    listed = client_en.get(url)
    client_en.post(url, {"action": "verify", "_selected_action": [submitted.pk]})

    assert listed.status_code == 200
    assert 'value="verify"' not in listed.text
    submitted.refresh_from_db()
    assert submitted.status == Provider.Status.SUBMITTED


def test_admin_verify_and_suspend_go_through_the_services(admin_client_en, mailoutbox):
    submitted = VerifiedProviderFactory(status=Provider.Status.SUBMITTED)
    verified = VerifiedProviderFactory()
    url = reverse("admin:providers_provider_changelist")

    admin_client_en.post(url, {"action": "verify", "_selected_action": [submitted.pk]})
    refused = admin_client_en.post(
        url, {"action": "suspend", "_selected_action": [verified.pk], "reason": ""}, follow=True
    )
    verified.refresh_from_db()
    assert verified.status == Provider.Status.VERIFIED
    assert "Give the reason" in refused.text

    admin_client_en.post(
        url,
        {"action": "suspend", "_selected_action": [verified.pk], "reason": "Complaints pending"},
    )

    submitted.refresh_from_db()
    verified.refresh_from_db()
    assert submitted.status == Provider.Status.VERIFIED
    assert verified.status == Provider.Status.SUSPENDED
    assert verified.status_reason == "Complaints pending"


def test_admin_never_links_to_document_files(admin_client_en):
    document = ProviderDocumentFactory()

    for url in (
        reverse("admin:providers_providerdocument_change", args=[document.pk]),
        reverse("admin:providers_provider_change", args=[document.provider.pk]),
    ):
        response = admin_client_en.get(url)
        assert response.status_code == 200
        assert document.file.name not in response.text


def test_editing_keeps_areas_the_form_does_not_offer(staff_client, provider, pudong):
    street = StreetFactory(parent=pudong)
    service = ServiceFactory(provider=provider, areas_covered=[street])
    data = _service_post(areas_covered=[pudong.code])

    response = staff_client.post(reverse("providers:service_edit", args=[service.uuid]), data)

    assert response.status_code == 302
    assert set(service.areas_covered.all()) == {pudong, street}

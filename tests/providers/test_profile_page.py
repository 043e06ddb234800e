"""The public profile of a provider /providers/<uuid>/."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from providers.models import Provider
from tests.factories.accounts import UserFactory, user_with_role
from tests.factories.places import shanghai_district
from tests.factories.providers import (
    ProviderDocumentFactory,
    ProviderFactory,
    ServiceFactory,
    SiteFactory,
    VerifiedProviderFactory,
    provider_staff_of,
)

pytestmark = pytest.mark.django_db


def profile_url(provider) -> str:
    return reverse("providers:profile", args=[provider.uuid])


def get_profile(client, provider):
    return client.get(profile_url(provider), headers={"accept-language": "en"})


@pytest.mark.parametrize(
    "status",
    [
        Provider.Status.DRAFT,
        Provider.Status.SUBMITTED,
        Provider.Status.REJECTED,
        Provider.Status.SUSPENDED,
        Provider.Status.DEBARRED,
    ],
)
def test_profile_of_a_provider_that_is_not_verified_is_not_found(client, status):
    provider = ProviderFactory(status=status)

    assert get_profile(client, provider).status_code == 404


def test_profile_of_an_inactive_organization_is_not_found(client):
    provider = VerifiedProviderFactory(organization__is_active=False)

    assert get_profile(client, provider).status_code == 404


def test_profile_of_an_unknown_provider_is_not_found(client):
    response = client.get(
        reverse("providers:profile", args=["00000000-0000-0000-0000-000000000000"])
    )

    assert response.status_code == 404


def test_profile_shows_who_the_provider_is(client):
    provider = VerifiedProviderFactory(
        organization__name_zh="浦东阳光社工服务社",
        organization__name_en="Pudong Sunshine Social Work",
        verified_at=timezone.make_aware(timezone.datetime(2024, 3, 5, 10, 0)),
        grade=Provider.Grade.A4,
        grade_date=date(2023, 11, 20),
        grade_status=Provider.GradeStatus.VERIFIED,
        grade_source=Provider.GradeSource.CERTIFICATE,
        legal_form=Provider.LegalForm.SOCIAL_WORK_FIRM,
        registration_authority="上海市浦东新区民政局",
        certified_social_workers=17,
        description_en="We support older people in Pudong.",
        public_email="contact@sunshine.example.org",
        public_phone="021-5888 1234",
    )

    response = get_profile(client, provider)

    content = response.content.decode()
    assert response.status_code == 200
    assert '<h1 id="provider-name">Pudong Sunshine Social Work</h1>' in content
    assert "浦东阳光社工服务社" in content
    assert "Verified on 2024-03-05" in content
    assert "Grade 4A — verified (certificate)" in content
    assert "awarded on 2023-11-20" in content
    assert "Social-work firm" in content
    assert "上海市浦东新区民政局" in content
    assert "Certified social workers" in content and "17" in content
    assert "We support older people in Pudong." in content
    assert "mailto:contact@sunshine.example.org" in content
    assert "021-5888 1234" in content
    assert "<title>Pudong Sunshine Social Work – " in content
    assert '<meta name="description" content="We support older people in Pudong.">' in content


def test_profile_lists_fresh_services_with_capacity_and_last_confirmation(client):
    provider = VerifiedProviderFactory()
    now = timezone.now()
    ServiceFactory(
        provider=provider,
        name_en="Meals on wheels",
        free_slots=4,
        last_confirmed_at=now - timedelta(days=3),
    )
    ServiceFactory(
        provider=provider, name_en="Forgotten service", last_confirmed_at=now - timedelta(days=200)
    )
    ServiceFactory(provider=provider, name_en="Withdrawn service", is_active=False)

    content = get_profile(client, provider).content.decode()

    assert "Meals on wheels" in content
    assert "4 free places" in content
    assert (now - timedelta(days=3)).astimezone(timezone.get_current_timezone()).strftime(
        "%Y-%m-%d"
    ) in content
    assert "Forgotten service" not in content
    assert "Withdrawn service" not in content


def test_profile_shows_stale_capacity_label(client):
    provider = VerifiedProviderFactory()
    ServiceFactory(provider=provider, capacity_updated_at=timezone.now() - timedelta(days=8))

    content = get_profile(client, provider).content.decode()

    assert "Stale" in content
    assert "not updated for more than 7 days" in content


def test_profile_does_not_label_fresh_capacity_stale(client):
    provider = VerifiedProviderFactory()
    ServiceFactory(provider=provider, capacity_updated_at=timezone.now() - timedelta(days=6))

    assert "Stale" not in get_profile(client, provider).content.decode()


def test_profile_shows_sites_with_address_hours_and_accessibility(client):
    provider = VerifiedProviderFactory()
    district = shanghai_district()
    site = SiteFactory(
        provider=provider,
        name_en="Lujiazui service point",
        address="上海市浦东新区陆家嘴环路100号",
        district=district,
        opening_hours_en="Mon–Fri 9:00–17:00",
        wheelchair_accessible=True,
        hearing_support=True,
        phone="021-5000 0000",
    )
    ServiceFactory(provider=provider, sites=[site])

    content = get_profile(client, provider).content.decode()

    assert f'id="site-{site.uuid}"' in content
    assert "Lujiazui service point" in content
    assert "上海市浦东新区陆家嘴环路100号" in content
    assert "Pudong New Area" in content
    assert "Mon–Fri 9:00–17:00" in content
    assert "Step-free / wheelchair access" in content
    assert "Hearing loop or sign language" in content
    assert "Accessible toilet" not in content


def test_profile_shows_no_documents_staff_or_personal_data(client):
    provider = VerifiedProviderFactory(organization__email="internal@sunshine.example.org")
    ProviderDocumentFactory(provider=provider, title="2023年度工作报告")
    staff = provider_staff_of(provider, username="wangfang", display_name="王芳")
    updater = UserFactory(username="lilei", display_name="李雷")
    ServiceFactory(provider=provider, capacity_updated_by=updater)

    content = get_profile(client, provider).content.decode()

    assert "2023年度工作报告" not in content
    assert "/documents/" not in content
    assert staff.display_name not in content
    assert updater.display_name not in content
    assert "internal@sunshine.example.org" not in content


def test_profile_looks_the_same_to_signed_in_users(client):
    provider = VerifiedProviderFactory()
    client.force_login(user_with_role(Role.CASEWORKER))

    assert get_profile(client, provider).status_code == 200


def test_profile_runs_a_fixed_number_of_queries(client):
    provider = VerifiedProviderFactory()
    district = shanghai_district()

    def add_services(count):
        for _ in range(count):
            site = SiteFactory(provider=provider, district=district, area=district)
            ServiceFactory(provider=provider, sites=[site], areas_covered=[district])

    add_services(1)
    get_profile(client, provider)
    with CaptureQueriesContext(connection) as few:
        get_profile(client, provider)

    add_services(12)
    with CaptureQueriesContext(connection) as many:
        response = get_profile(client, provider)

    assert len(response.context["services"]) == 13
    assert len(response.context["sites"]) == 13
    assert len(many) == len(few)

"""Every provider service that acts for a person checks that this person may do it,
whoever calls it: a page, the API, the admin, a command or a script.

For each service, people without the role are refused with ``PermissionDenied``
and nothing changes (no row, no audit entry); the right person succeeds. A
superuser without the role is refused like anyone else: the services ask the
``providers.rules`` predicates, never ``user.has_perm``.
"""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Role
from core.models import AuditEvent
from providers.models import Provider, ProviderDocument, Service, Site
from providers.services import capacity, documents, listings, registration, sites, verification
from tests.factories.accounts import UserFactory, user_with_role
from tests.factories.providers import (
    PDF_BYTES,
    ProviderDocumentFactory,
    ProviderFactory,
    ServiceFactory,
    SiteFactory,
    VerifiedProviderFactory,
    provider_admin_of,
    provider_staff_of,
)
from tests.factories.taxonomy import need_category, service_tier
from tests.providers._registration_factories import private_files  # noqa: F401 (fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_files")]


# --- the people ------------------------------------------------------------------

OUTSIDERS = {
    "another provider's administrator": lambda provider: provider_admin_of(ProviderFactory()),
    "a caseworker": lambda provider: user_with_role(Role.CASEWORKER),
    "a commissioner": lambda provider: user_with_role(Role.COMMISSIONER),
    "a platform administrator": lambda provider: user_with_role(Role.PLATFORM_ADMIN),
    "a superuser without a role": lambda provider: UserFactory(is_superuser=True, is_staff=True),
    "a signed-up user without a role": lambda provider: UserFactory(),
    "nobody (no actor)": lambda provider: None,
}
NOT_ADMINISTRATORS = {
    **OUTSIDERS,
    "the provider's own staff": provider_staff_of,
}
NOT_VERIFIERS = {
    "the provider's own administrator": provider_admin_of,
    "a caseworker": lambda provider: user_with_role(Role.CASEWORKER),
    # Supervisors verify only where AGENCY_SUPERVISORS_VERIFY_PROVIDERS is on.
    "an agency supervisor": lambda provider: user_with_role(Role.SUPERVISOR),
    "a superuser without a role": lambda provider: UserFactory(is_superuser=True, is_staff=True),
    "a signed-up user without a role": lambda provider: UserFactory(),
    "nobody (no actor)": lambda provider: None,
}
# Services, sites and capacity are saved as the system by imports (actor None).
NOT_STAFF = {name: who for name, who in OUTSIDERS.items() if name != "nobody (no actor)"}


def refused(action, provider, actor):
    """``action`` raises PermissionDenied and leaves no trace."""
    audit_entries = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        action(provider, actor)
    assert AuditEvent.objects.count() == audit_entries


# --- the provider's administrators: profile, submission, documents ---------------


def complete_draft() -> Provider:
    provider = ProviderFactory()
    ProviderDocumentFactory(provider=provider)
    return provider


def update_profile(provider, actor):
    return registration.update_provider_profile(
        provider=provider, actor=actor, description_en="Counselling for families."
    )


def submit(provider, actor):
    return verification.submit_provider(provider=provider, actor=actor)


def upload(provider, actor):
    return documents.upload_document(
        provider=provider,
        actor=actor,
        kind=ProviderDocument.Kind.ANNUAL_REPORT,
        title="年度报告",
        uploaded_file=SimpleUploadedFile("report.pdf", PDF_BYTES),
    )


def delete(provider, actor):
    return documents.delete_document(document=provider.documents.get(), actor=actor)


ADMINISTRATOR_SERVICES = {
    "update_provider_profile": update_profile,
    "submit_provider": submit,
    "upload_document": upload,
    "delete_document": delete,
}


@pytest.mark.parametrize("who", NOT_ADMINISTRATORS)
@pytest.mark.parametrize("service", ADMINISTRATOR_SERVICES)
def test_only_the_providers_administrators_change_its_profile_submission_and_documents(
    service, who
):
    provider = complete_draft()

    refused(ADMINISTRATOR_SERVICES[service], provider, NOT_ADMINISTRATORS[who](provider))

    provider.refresh_from_db()
    assert provider.status == Provider.Status.DRAFT
    assert provider.description_en == ProviderFactory.description_en
    assert provider.documents.count() == 1


def test_the_administrator_updates_the_profile():
    provider = complete_draft()

    update_profile(provider, provider_admin_of(provider))

    provider.refresh_from_db()
    assert provider.description_en == "Counselling for families."


def test_the_administrator_submits_for_verification():
    provider = complete_draft()

    submit(provider, provider_admin_of(provider))

    provider.refresh_from_db()
    assert provider.status == Provider.Status.SUBMITTED


def test_the_administrator_uploads_and_deletes_documents(django_capture_on_commit_callbacks):
    provider = complete_draft()
    admin = provider_admin_of(provider)

    uploaded = upload(provider, admin)
    assert set(provider.documents.values_list("kind", flat=True)) == {
        ProviderDocument.Kind.REGISTRATION_CERTIFICATE,
        ProviderDocument.Kind.ANNUAL_REPORT,
    }
    with django_capture_on_commit_callbacks(execute=True):  # the file goes too
        documents.delete_document(document=uploaded, actor=admin)
    assert provider.documents.count() == 1


# --- the people who verify providers ---------------------------------------------

REASON = "登记证书已过期。 / The registration certificate has expired."

# service → (the status it starts from, the call, the status it reaches)
VERIFIER_SERVICES = {
    "verify_provider": (
        Provider.Status.SUBMITTED,
        lambda provider, actor: verification.verify_provider(provider=provider, actor=actor),
        Provider.Status.VERIFIED,
    ),
    "reject_provider": (
        Provider.Status.SUBMITTED,
        lambda provider, actor: verification.reject_provider(
            provider=provider, actor=actor, reason=REASON
        ),
        Provider.Status.REJECTED,
    ),
    "suspend_provider": (
        Provider.Status.VERIFIED,
        lambda provider, actor: verification.suspend_provider(
            provider=provider, actor=actor, reason=REASON
        ),
        Provider.Status.SUSPENDED,
    ),
    "reinstate_provider": (
        Provider.Status.SUSPENDED,
        lambda provider, actor: verification.reinstate_provider(provider=provider, actor=actor),
        Provider.Status.VERIFIED,
    ),
    "debar_provider": (
        Provider.Status.VERIFIED,
        lambda provider, actor: verification.debar_provider(
            provider=provider, actor=actor, reason=REASON
        ),
        Provider.Status.DEBARRED,
    ),
}


@pytest.mark.parametrize("who", NOT_VERIFIERS)
@pytest.mark.parametrize("service", VERIFIER_SERVICES)
def test_only_the_people_who_verify_providers_change_their_status(service, who):
    source, action, _target = VERIFIER_SERVICES[service]
    provider = ProviderFactory(status=source)

    refused(action, provider, NOT_VERIFIERS[who](provider))

    provider.refresh_from_db()
    assert provider.status == source


@pytest.mark.parametrize("service", VERIFIER_SERVICES)
def test_a_platform_administrator_changes_a_providers_status(service):
    source, action, target = VERIFIER_SERVICES[service]
    provider = ProviderFactory(status=source)

    moved = action(provider, user_with_role(Role.PLATFORM_ADMIN))

    assert moved.status == target
    assert Provider.objects.get(pk=provider.pk).status == target


@pytest.mark.parametrize("service", VERIFIER_SERVICES)
def test_agency_supervisors_change_a_providers_status_where_configured(settings, service):
    settings.AGENCY_SUPERVISORS_VERIFY_PROVIDERS = True
    source, action, target = VERIFIER_SERVICES[service]
    provider = ProviderFactory(status=source)

    assert action(provider, user_with_role(Role.SUPERVISOR)).status == target


# --- the provider's staff: sites, services, capacity, confirmation ---------------


@pytest.fixture
def listed_service():
    return ServiceFactory(provider=VerifiedProviderFactory(), free_slots=5, waitlist_length=0)


def create_site(provider, actor):
    return sites.save_site(
        provider=provider, actor=actor, name_zh="新服务点", address="上海市浦东新区浦东南路1000号"
    )


def update_site(provider, actor):
    return sites.save_site(
        provider=provider, actor=actor, site=provider.sites.get(), phone="021-50001234"
    )


def create_service(provider, actor):
    return listings.save_service(
        provider=provider,
        actor=actor,
        name_zh="新的助餐服务",
        tier=service_tier("survival"),
        categories=[need_category("social-services.elderly-care")],
    )


def update_service(provider, actor):
    return listings.save_service(
        provider=provider, actor=actor, service=provider.services.get(), fee_note="免费"
    )


def set_capacity(provider, actor):
    return capacity.update_capacity(
        service=provider.services.get(), actor=actor, free_slots=0, waitlist_length=4
    )


def confirm(provider, actor):
    return listings.confirm_service(service=provider.services.get(), actor=actor)


STAFF_SERVICES = {
    "save_site (new)": create_site,
    "save_site (change)": update_site,
    "save_service (new)": create_service,
    "save_service (change)": update_service,
    "update_capacity": set_capacity,
    "confirm_service": confirm,
}


def provider_with_a_site_and_a_service() -> Provider:
    provider = VerifiedProviderFactory()
    site = SiteFactory(provider=provider)
    ServiceFactory(provider=provider, sites=[site], free_slots=5, waitlist_length=0)
    return provider


def listing_state(provider):
    service = provider.services.order_by("pk").first()
    return (
        list(provider.sites.values_list("name_zh", "phone")),
        list(provider.services.values_list("name_zh", "fee_note")),
        (service.free_slots, service.waitlist_length, service.last_confirmed_at),
    )


@pytest.mark.usefixtures("fake_geocoder")
@pytest.mark.parametrize("who", NOT_STAFF)
@pytest.mark.parametrize("service", STAFF_SERVICES)
def test_only_the_providers_staff_keep_its_sites_services_and_capacity(service, who):
    provider = provider_with_a_site_and_a_service()
    before = listing_state(provider)

    refused(STAFF_SERVICES[service], provider, NOT_STAFF[who](provider))

    assert listing_state(provider) == before


@pytest.mark.usefixtures("fake_geocoder")
@pytest.mark.parametrize("member", [provider_staff_of, provider_admin_of])
@pytest.mark.parametrize("service", STAFF_SERVICES)
def test_the_providers_staff_and_administrators_keep_its_listings(service, member):
    provider = provider_with_a_site_and_a_service()
    before = listing_state(provider)

    STAFF_SERVICES[service](provider, member(provider))

    assert listing_state(provider) != before


@pytest.mark.usefixtures("fake_geocoder")
def test_an_import_saves_sites_and_services_as_the_system():
    # Another directory's records are saved by the system (actor None), as today.
    provider = VerifiedProviderFactory()

    site = create_site(provider, None)
    service = create_service(provider, None)

    assert Site.objects.filter(pk=site.pk, provider=provider).exists()
    assert Service.objects.filter(pk=service.pk, provider=provider).exists()
    assert site.latitude == Decimal("31.221517")


def test_capacity_is_never_updated_by_nobody(listed_service):
    # Unlike sites and services, no import sets capacity: a person always does.
    with pytest.raises(PermissionDenied):
        capacity.update_capacity(
            service=listed_service, actor=None, free_slots=1, waitlist_length=0
        )

"""Factories for providers, services and sites.

``verified_provider()`` gives a provider the public directory shows;
``ServiceFactory`` a confirmed service with capacity updated now.
"""

from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from demo.accounts import credit_code
from providers.models import Provider, ProviderDocument, Service, Site
from providers.services.service_points import refresh_service_points
from tests.factories.accounts import ProviderOrganizationFactory, user_with_role
from tests.factories.taxonomy import need_category, service_tier

# Smallest files that pass the content check of each accepted type.
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG_BYTES = b"\xff\xd8\xff\xe0" + b"\x00" * 32


class ProviderFactory(DjangoModelFactory):
    class Meta:
        model = Provider

    organization = factory.SubFactory(
        ProviderOrganizationFactory,
        credit_code=factory.Sequence(
            lambda n: credit_code(authority="5", category="2", area_code="310115", seed=f"f{n}")
        ),
    )
    status = Provider.Status.DRAFT
    legal_form = Provider.LegalForm.SOCIAL_SERVICE_AGENCY
    nature = Provider.Nature.NON_PROFIT
    registration_authority = "上海市浦东新区民政局"
    registration_date = factory.LazyFunction(lambda: timezone.localdate().replace(year=2015))
    certified_social_workers = 5
    staff_count = 12
    description_zh = "为社区困难群众提供专业社会工作服务。"
    description_en = "Professional social work for families in need."


class VerifiedProviderFactory(ProviderFactory):
    status = Provider.Status.VERIFIED
    verified_at = factory.LazyFunction(timezone.now)
    submitted_at = factory.LazyFunction(timezone.now)


class ProviderDocumentFactory(DjangoModelFactory):
    class Meta:
        model = ProviderDocument

    provider = factory.SubFactory(ProviderFactory)
    kind = ProviderDocument.Kind.REGISTRATION_CERTIFICATE
    title = "登记证书"
    file = factory.django.FileField(filename="certificate.pdf", data=PDF_BYTES)
    content_type = "application/pdf"
    size = len(PDF_BYTES)
    sha256 = "0" * 64


class SiteFactory(DjangoModelFactory):
    class Meta:
        model = Site

    provider = factory.SubFactory(VerifiedProviderFactory)
    name_zh = factory.Sequence(lambda n: f"服务站点{n}")
    name_en = factory.Sequence(lambda n: f"Service point {n}")
    address = "上海市浦东新区浦东南路1000号"
    latitude = Decimal("31.221517")
    longitude = Decimal("121.544379")
    geocode_precision = Site.Precision.DISTRICT


class ServiceFactory(DjangoModelFactory):
    class Meta:
        model = Service
        skip_postgeneration_save = True

    provider = factory.SubFactory(VerifiedProviderFactory)
    name_zh = factory.Sequence(lambda n: f"居家养老服务{n}")
    name_en = factory.Sequence(lambda n: f"Home care service {n}")
    description_zh = "为高龄独居老人提供上门照护。"
    description_en = "Home visits for older people living alone."
    tier = factory.LazyFunction(lambda: service_tier("survival"))
    free_slots = 5
    waitlist_length = 0
    capacity_updated_at = factory.LazyFunction(timezone.now)
    last_confirmed_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        if create:
            self.categories.set(extracted or [need_category("social-services.elderly-care")])
            refresh_service_points(service_ids=[self.pk])

    @factory.post_generation
    def areas_covered(self, create, extracted, **kwargs):
        if create and extracted:
            self.areas_covered.set(extracted)
            refresh_service_points(service_ids=[self.pk])

    @factory.post_generation
    def sites(self, create, extracted, **kwargs):
        if create and extracted:
            self.sites.set(extracted)
            # As providers.services.listings.save_service does: matching finds it near its sites.
            refresh_service_points(service_ids=[self.pk])


def provider_admin_of(provider: Provider, **kwargs):
    return user_with_role("provider_admin", organization=provider.organization, **kwargs)


def provider_staff_of(provider: Provider, **kwargs):
    return user_with_role("provider_staff", organization=provider.organization, **kwargs)

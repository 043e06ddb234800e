"""Helpers of the HSDS tests: a small public directory, and an HSDS schema check.

The schema check is built here from the standard's files with ``jsonschema``
and ``referencing``, independently of ``providers.hsds``, so that a mistake in
the code under test cannot also hide in the check. References between the
schema files ("address.json") resolve to the local files; nothing is fetched.
"""

import json
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from providers.models import Provider, Service, Site
from tests.factories.accounts import user_with_role
from tests.factories.places import shanghai_district
from tests.factories.providers import (
    ProviderDocumentFactory,
    ProviderFactory,
    ServiceFactory,
    SiteFactory,
    VerifiedProviderFactory,
)
from tests.factories.taxonomy import need_category, service_tier

STANDARD_DIR = Path(settings.HSDS_SCHEMA_DIR)
FIXTURES = Path(__file__).parent / "hsds_fixtures"

SCHEMAS = {
    "organization": "compiled/organization.json",
    "service": "compiled/service.json",
    "service_at_location": "compiled/service_at_location.json",
    "location": "schema/location.json",
    "taxonomy_term": "schema/taxonomy_term.json",
}
FILES = {
    "organization": "organizations.json",
    "service": "services.json",
    "location": "locations.json",
    "service_at_location": "service_at_locations.json",
    "taxonomy_term": "taxonomy_terms.json",
}


@cache
def validator(entity: str) -> Draft202012Validator:
    resources = [
        (path.name, DRAFT202012.create_resource(json.loads(path.read_text(encoding="utf-8"))))
        for path in (STANDARD_DIR / "schema").glob("*.json")
        if path.name != "openapi.json"
    ]
    schema = json.loads((STANDARD_DIR / SCHEMAS[entity]).read_text(encoding="utf-8"))
    return Draft202012Validator(
        schema,
        registry=Registry().with_resources(resources),
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def assert_valid(entity: str, record: dict) -> None:
    problems = [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator(entity).iter_errors(record)
    ]
    assert not problems, f"{entity} {record.get('id')} is not valid HSDS:\n" + "\n".join(problems)


STAFF_USERNAME = "hsds_staff_member"
STAFF_EMAIL = "hsds.staff.private@example.org"
DOCUMENT_TITLE = "内部登记证书扫描件"


@dataclass
class Directory:
    provider: Provider
    sites: list[Site]
    services: list[Service]
    hidden: dict = field(default_factory=dict)


def public_directory(*, providers: int = 1, services_per_provider: int = 2) -> Directory:
    """Verified providers with sites and public services, plus what must never be exported:
    a draft provider, a suspended one, an unconfirmed and a withdrawn service, a document
    and a staff member."""
    pudong = shanghai_district()
    dibao = need_category("basic-living.dibao")
    legal_aid = need_category("social-services.legal-aid")
    first = None
    all_sites, all_services = [], []
    for index in range(providers):
        provider = VerifiedProviderFactory(
            public_phone="021-58880000",
            public_email=f"contact{index}@ngo.example.org",
            website="https://ngo.example.org",
        )
        site = SiteFactory(
            provider=provider,
            area=pudong,
            district=pudong,
            opening_hours_zh="周一至周五 9:00-17:00",
            opening_hours_en="Weekdays 9:00-17:00",
            wheelchair_accessible=True,
            accessibility_notes="入口有坡道",
            phone="021-58881111",
        )
        for number in range(services_per_provider):
            service = ServiceFactory(
                provider=provider,
                categories=[dibao, legal_aid] if number == 0 else [dibao],
                areas_covered=[pudong],
                sites=[site],
                min_age=18,
                max_age=80,
                gender=Service.Gender.FEMALE if number == 0 else Service.Gender.ANY,
                required_statuses=["dibao"] if number == 0 else [],
                fee_kind=Service.FeeKind.SUBSIDISED if number == 0 else Service.FeeKind.FREE,
                fee_amount=Decimal("30.00") if number == 0 else None,
                fee_note="每次" if number == 0 else "",
                languages=["zh", "wuu"],
                home_visit=number == 0,
                tier=service_tier("development"),
            )
            all_services.append(service)
        all_sites.append(site)
        first = first or provider
    hidden = {}
    hidden["draft_provider"] = ProviderFactory(status=Provider.Status.DRAFT)
    hidden["draft_site"] = SiteFactory(provider=hidden["draft_provider"], district=pudong)
    hidden["draft_service"] = ServiceFactory(provider=hidden["draft_provider"])
    hidden["suspended_provider"] = VerifiedProviderFactory(status=Provider.Status.SUSPENDED)
    hidden["unconfirmed_service"] = ServiceFactory(
        provider=first, last_confirmed_at=timezone.now() - timedelta(days=200)
    )
    hidden["withdrawn_service"] = ServiceFactory(provider=first, is_active=False)
    hidden["document"] = ProviderDocumentFactory(provider=first, title=DOCUMENT_TITLE)
    hidden["staff"] = user_with_role(
        "provider_staff",
        organization=first.organization,
        username=STAFF_USERNAME,
        email=STAFF_EMAIL,
    )
    return Directory(provider=first, sites=all_sites, services=all_services, hidden=hidden)

"""No public page, feed, sitemap, CSV or API list shows a person's name, phone or ID number.

The test seeds distinctive personal values wherever a careless page could pick them
up — a piece of feedback (name, contact, and an ID number in its message), a
provider staff member who updated a service's capacity and answered nothing
publicly, and an audit event label — then crawls, as an anonymous visitor in both
languages, every public address and checks none of them appears.

When beneficiaries exist (referrals), seed one with the same values in ``seeded``
and add producers for any new public pages to ``PUBLIC_URL_PRODUCERS``.
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.core.cache import cache
from wagtail.models import Page

from accounts.models import Role
from cms import services as cms_services
from cms import statistics
from cms.demo_content import seed_public_content
from cms.demo_policies import seed_policies
from cms.models import Feedback
from cms.sections import create_sections, section_pages
from core.audit import record_change
from providers.models import Service
from tests.factories.accounts import AgencyFactory, user_with_role
from tests.factories.places import ProvinceFactory, shanghai_district
from tests.factories.providers import ServiceFactory, SiteFactory, provider_staff_of

pytestmark = pytest.mark.django_db

NAME = "测试隐私张三丰"
PHONE = "13912345678"
ID_NUMBER = "11010519491231002X"
# Any 18-character resident ID number (GB 11643: area, birth date, sequence, check),
# not only the seeded one, standing alone rather than inside a longer code.
ID_LIKE = re.compile(
    r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
    r"\d{3}[\dXx](?![0-9A-Za-z])"
)


@dataclass
class Seeded:
    tracking_number: str
    provider_uuids: list[str]
    category_code: str
    district_code: str


# --- what a careless page could leak --------------------------------------------------


@pytest.fixture
def seeded(home_pages) -> Seeded:
    create_sections(apps)
    sections = section_pages()
    policies = seed_policies(sections["policies"]["zh-hans"], sections["policies"].get("en"))
    seed_public_content({policy.document_number: policy for policy in policies})

    pudong = shanghai_district("310115", "浦东新区", "Pudong New Area")
    shanghai = ProvinceFactory(code="310000000000")
    city_bureau = AgencyFactory(area=shanghai, parent=None)

    # A provider whose staff member carries the personal values and touched its data.
    site = SiteFactory(district=pudong, area=pudong, phone="021-50001234")
    provider = site.provider
    staff = provider_staff_of(provider, display_name=NAME, phone=PHONE, email="zsf@example.org")
    service = ServiceFactory(provider=provider, areas_covered=[pudong], sites=[site])
    Service.objects.filter(pk=service.pk).update(capacity_updated_by=staff)
    for _ in range(6):  # enough services that the statistics show real numbers
        ServiceFactory(areas_covered=[pudong])

    # Feedback from the person, answered by an agency caseworker.
    feedback = cms_services.submit_feedback(
        category=Feedback.Category.COMPLAINT_STAFF,
        area=pudong,
        message=f"我是{NAME}，身份证{ID_NUMBER}，电话{PHONE}，社工态度不好。",
        contact_name=NAME,
        contact=PHONE,
    )
    worker = user_with_role(Role.CASEWORKER, organization=city_bureau, display_name=NAME)
    cms_services.change_feedback_status(
        feedback=feedback, user=worker, status="answered", public_reply="已约谈相关社工并整改。"
    )

    # An audit entry whose label (wrongly) names the person.
    record_change(action="test.seeded", actor=staff, label=f"{NAME} {PHONE} {ID_NUMBER}")
    cache.clear()  # no feedback rate counts or cached pages from the seeding

    return Seeded(
        tracking_number=feedback.tracking_number,
        provider_uuids=[str(p.uuid) for p in {s.provider for s in Service.objects.all()}],
        category_code="social-services",
        district_code="310115",
    )


# --- every public address -------------------------------------------------------------
# Each producer yields the addresses of one part of the public site. Add one for each
# new public page or API; keep the list complete rather than clever.


def site_sections(seeded: Seeded) -> Iterable[str]:
    yield from ("/", "/policies/", "/guides/", "/news/", "/stats/")


def wagtail_pages(seeded: Seeded) -> Iterable[str]:
    for page in Page.objects.live().public().filter(depth__gt=1).specific():
        url = page.get_url()
        if url:
            yield url


def directory(seeded: Seeded) -> Iterable[str]:
    yield "/providers/"
    yield f"/providers/?district={seeded.district_code}"
    yield f"/providers/?category={seeded.category_code}"
    yield "/providers/?q=服务"
    yield "/providers/?has_capacity=on"
    for uuid in seeded.provider_uuids:
        yield f"/providers/{uuid}/"


def search_feeds_and_sitemap(seeded: Seeded) -> Iterable[str]:
    yield "/search/?query=张三丰"
    yield "/search/?query=救助"
    yield "/policies/feed/"
    yield "/policies/feed/?format=atom"
    yield "/news/feed/"
    yield "/sitemap.xml"


def statistics_downloads(seeded: Seeded) -> Iterable[str]:
    for table in statistics.all_tables():
        if table.available:
            yield f"/stats/data/{table.slug}.csv"


def api_lists(seeded: Seeded) -> Iterable[str]:
    yield from (
        "/api/v1/providers/",
        "/api/v1/services/",
        "/api/v1/sites/",
        "/api/v1/hsds/",
        "/api/v1/hsds/organizations/",
        "/api/v1/hsds/services/",
        "/api/v1/hsds/locations/",
        "/api/v1/hsds/service_at_locations/",
    )
    for uuid in seeded.provider_uuids:
        yield f"/api/v1/hsds/organizations/{uuid}/"


def feedback(seeded: Seeded) -> Iterable[str]:
    yield "/feedback/"
    yield "/feedback/status/"
    yield f"/feedback/status/?number={seeded.tracking_number}"


PUBLIC_URL_PRODUCERS: list[Callable[[Seeded], Iterable[str]]] = [
    site_sections,
    wagtail_pages,
    directory,
    search_feeds_and_sitemap,
    statistics_downloads,
    api_lists,
    feedback,
]


def test_no_public_address_shows_personal_data(client, seeded):
    urls = list(dict.fromkeys(url for produce in PUBLIC_URL_PRODUCERS for url in produce(seeded)))
    assert len(urls) > 30  # the crawl really covers the site
    checked = []
    for language in ("zh-hans", "en"):
        for url in urls:
            response = client.get(url, headers={"accept-language": language}, follow=True)
            assert response.status_code == 200, f"{url} ({language}): {response.status_code}"
            body = b"".join(response) if response.streaming else response.content
            text = body.decode("utf-8", errors="replace")
            assert NAME not in text, f"{url} ({language}) shows the person's name"
            assert PHONE not in text, f"{url} ({language}) shows the person's phone"
            assert ID_NUMBER not in text, f"{url} ({language}) shows the ID number"
            found = ID_LIKE.search(text)
            assert found is None, f"{url} ({language}) shows an ID-like number {found.group()}"
            checked.append(url)
    assert f"/feedback/status/?number={seeded.tracking_number}" in checked


def test_the_status_page_of_the_seeded_feedback_really_shows_it(client, seeded):
    """Guard against a crawl that passes because the page found nothing."""
    response = client.get(
        "/feedback/status/", {"number": seeded.tracking_number}, headers={"accept-language": "en"}
    )
    assert response.context["found"] is not None
    assert "已约谈相关社工并整改。" in response.content.decode()

"""No public page, feed, sitemap, CSV or API list shows a person's name, phone or ID number.

The test seeds distinctive personal values wherever a careless page could pick them
up — a piece of feedback (name, contact, and an ID number in its message), a
provider staff member who updated a service's capacity and answered nothing
publicly, an audit event label, and a beneficiary with those values who was assessed,
referred and recorded with an unmet need (the name written into the free texts too) —
and adds the demo data set's 300-odd people with their referrals and unmet needs. It
then crawls, as an anonymous visitor in both languages, every public address and
checks that none of those values appears, nor any demo person's name, ID number, phone
or household member; and that the referral pages and API give an anonymous visitor
nothing.

Add producers for any new public pages to ``PUBLIC_URL_PRODUCERS``.
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from io import StringIO

import pytest
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse
from wagtail.models import Page

from accounts.models import Role
from cms import services as cms_services
from cms import statistics
from cms.models import Feedback
from cms.sections import create_sections, section_pages
from core.audit import record_change
from demo import accounts as accounts_demo
from demo import providers as provider_demo
from demo import referrals as referral_demo
from demo.cms import seed_policies, seed_public_content
from providers.models import Service
from providers.selectors import public_services
from referrals import services as referral_services
from referrals.models import Beneficiary, Consent, Referral, ShareableField, UnmetNeed
from tests.cms.pages import ensure_home_pages
from tests.factories.accounts import AgencyFactory, user_with_role
from tests.factories.places import ProvinceFactory, shanghai_district
from tests.factories.providers import ServiceFactory, SiteFactory, provider_staff_of
from tests.factories.taxonomy import need_category

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
    # Names, ID numbers, phones and household members of every beneficiary.
    personal_values: list[str] = field(default_factory=list)
    beneficiary_uuids: list[str] = field(default_factory=list)
    referral_uuids: list[str] = field(default_factory=list)


# --- what a careless page could leak --------------------------------------------------


def _public_site() -> Seeded:
    ensure_home_pages()
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

    # The same person as a beneficiary of that agency: assessed, referred, one need unmet,
    # with the name (wrongly) written into every free text a caseworker fills in.
    _refer_the_person(worker, city_bureau, service)

    # An audit entry whose label (wrongly) names the person.
    record_change(action="test.seeded", actor=staff, label=f"{NAME} {PHONE} {ID_NUMBER}")
    cache.clear()  # no feedback rate counts or cached pages from the seeding

    return Seeded(
        tracking_number=feedback.tracking_number,
        provider_uuids=[str(p.uuid) for p in {s.provider for s in Service.objects.all()}],
        category_code="social-services",
        district_code="310115",
    )


def _refer_the_person(caseworker, agency, service) -> None:
    person = referral_services.record_beneficiary(
        agency=agency,
        user=caseworker,
        name=NAME,
        id_number=ID_NUMBER,
        phone=PHONE,
        address="上海市浦东新区塘桥街道浦建路1号",
        household_members=[{"name": f"{NAME}之子", "relation": "儿子"}],
    ).beneficiary
    assessment = referral_services.record_assessment(
        beneficiary=person,
        user=caseworker,
        needs=[
            {"category": need_category("social-services.elderly-care"), "notes": NAME},
            {"category": need_category("emergency.temporary")},
        ],
        notes=f"{NAME}独居，电话{PHONE}。",
    )
    by_code = {need.category.code: need for need in assessment.needs.all()}
    care, emergency = by_code["social-services.elderly-care"], by_code["emergency.temporary"]
    referral = referral_services.create_referral(
        need=care, service=service, user=caseworker, reason=f"{NAME}（{ID_NUMBER}）需要照护。"
    )
    referral_services.record_consent(
        referral=referral,
        user=caseworker,
        fields=ShareableField.values,
        purpose=f"联系{NAME}",
        method=Consent.Method.SIGNED_FORM,
    )
    referral_services.send_referral(referral=referral, user=caseworker)
    referral_services.record_unmet_need(
        user=caseworker,
        agency=agency,
        category=None,
        need=emergency,
        reason=UnmetNeed.Reason.OTHER,
        note=f"{NAME}需要夜间照护",
    )


def _demo_people(public_site: Seeded) -> Seeded:
    """seed_demo's people, referrals and unmet needs, added to the public site above."""
    call_command("load_areas", stdout=StringIO())
    parties = accounts_demo.seed_parties()
    accounts_demo.seed_users(parties, password="crawl-pass-2026")
    provider_demo.seed_providers(parties, password="crawl-pass-2026")
    referral_demo.seed_referrals(parties)
    cache.clear()
    people = list(Beneficiary.objects.all())
    assert len(people) > 300 and Referral.objects.count() > 600
    personal_values = {NAME, PHONE, ID_NUMBER}
    for person in people:
        personal_values.update((person.name, person.id_number, person.phone))
        personal_values.update(member["name"] for member in person.household_members)
    personal_values.discard("")
    public_site.personal_values = sorted(personal_values, key=len, reverse=True)
    public_site.beneficiary_uuids = [str(people[0].uuid), str(people[-1].uuid)]
    public_site.referral_uuids = [
        str(uuid) for uuid in Referral.objects.values_list("uuid", flat=True)[:2]
    ]
    # The directory's providers, the demo's included (a suspended one has no public page).
    public_site.provider_uuids = sorted(
        {str(s.provider.uuid) for s in public_services().select_related("provider")}
    )
    return public_site


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker) -> Seeded:
    """Seeded once for the module, in a transaction rolled back at its end (each test runs
    in a savepoint inside it)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _demo_people(_public_site())
        transaction.set_rollback(True)


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


PUBLIC_URL_PRODUCERS: list[Callable[[Seeded], Iterable[str]]] = [
    site_sections,
    wagtail_pages,
    directory,
    search_feeds_and_sitemap,
    statistics_downloads,
    api_lists,
    feedback,
]


def _text(response) -> str:
    body = b"".join(response) if response.streaming else response.content
    return body.decode("utf-8", errors="replace")


def test_no_public_address_shows_personal_data(client, seeded):
    urls = list(dict.fromkeys(url for produce in PUBLIC_URL_PRODUCERS for url in produce(seeded)))
    assert len(urls) > 30  # the crawl really covers the site
    # One pattern for every name, ID number, phone and household member of every person.
    anyone = re.compile("|".join(re.escape(value) for value in seeded.personal_values))
    checked = []
    for language in ("zh-hans", "en"):
        for url in urls:
            response = client.get(url, headers={"accept-language": language}, follow=True)
            assert response.status_code == 200, f"{url} ({language}): {response.status_code}"
            text = _text(response)
            assert NAME not in text, f"{url} ({language}) shows the person's name"
            assert PHONE not in text, f"{url} ({language}) shows the person's phone"
            assert ID_NUMBER not in text, f"{url} ({language}) shows the ID number"
            found = ID_LIKE.search(text) or anyone.search(text)
            assert found is None, f"{url} ({language}) shows personal data: {found.group()}"
            checked.append(url)
    # The status of a piece of feedback, looked up with its tracking number (a POST).
    for language in ("zh-hans", "en"):
        response = client.post(
            "/feedback/status/",
            {"number": seeded.tracking_number},
            headers={"accept-language": language},
        )
        assert response.status_code == 200
        assert response.context["found"] is not None
        text = _text(response)
        found = ID_LIKE.search(text) or anyone.search(text)
        assert found is None, f"feedback status ({language}) shows personal data: {found.group()}"
    assert "/stats/data/referrals-by-category.csv" in checked
    assert "/stats/data/unmet-needs-by-district.csv" in checked


def test_public_addresses_set_no_session_and_are_never_public_for_a_signed_in_person(seeded):
    """No shared cache may mix people: an anonymous visitor's copy of a public page starts
    no session (and a publicly cacheable answer sets no cookie at all); a signed-in
    person's copy of the same page is never publicly cacheable."""
    urls = list(dict.fromkeys(url for produce in PUBLIC_URL_PRODUCERS for url in produce(seeded)))
    signed_in = Client()
    signed_in.force_login(user_with_role(Role.CASEWORKER))
    publicly_cached = []
    for url in urls:
        anonymous = Client().get(url, headers={"accept-language": "zh-hans"})
        control = anonymous.get("Cache-Control", "")
        assert settings.SESSION_COOKIE_NAME not in anonymous.cookies, f"{url} starts a session"
        if "public" in control:
            publicly_cached.append(url)
            assert not anonymous.cookies, f"{url} is publicly cacheable and sets a cookie"

        theirs = signed_in.get(url, headers={"accept-language": "zh-hans"})
        control = theirs.get("Cache-Control", "")
        assert "public" not in control, f"{url} is publicly cacheable for a signed-in person"
        assert "private" in control or "no-store" in control, f"{url}: {control!r}"
    # The check means something: some public addresses are cacheable by anyone.
    assert "/sitemap.xml" in publicly_cached


def test_the_statistics_crawled_really_count_the_referrals(client, seeded):
    """Guard against a crawl that passes because the figures were empty."""
    csv = client.get("/stats/data/referrals-by-category.csv", headers={"accept-language": "en"})
    total = next(line for line in _text(csv).splitlines() if line.startswith("All kinds"))
    assert int(total.split(",")[1]) > 500
    csv = client.get("/stats/data/unmet-needs-by-district.csv", headers={"accept-language": "en"})
    total = next(line for line in _text(csv).splitlines() if line.startswith("Whole city"))
    assert int(total.split(",")[1]) > 50


# The referral workspace and its API: an anonymous visitor is sent to sign in or refused.
PRIVATE_API = (
    "/api/v1/beneficiaries/",
    "/api/v1/assessments/",
    "/api/v1/consents/",
    "/api/v1/referrals/",
    "/api/v1/unmet-needs/",
    "/api/v1/matches/",
)


def test_anonymous_visitors_get_nothing_from_the_referral_pages_and_api(client, seeded):
    urls = [
        reverse(name)
        for name in ("referrals:people", "referrals:referral_list", "referrals:inbox")
        + ("referrals:overdue", "referrals:unmet_needs")
    ]
    urls += [reverse("referrals:person", args=[uuid]) for uuid in seeded.beneficiary_uuids]
    urls += [reverse("referrals:referral", args=[uuid]) for uuid in seeded.referral_uuids]
    urls += [reverse("referrals:inbox_referral", args=[uuid]) for uuid in seeded.referral_uuids]
    urls += [*PRIVATE_API, *(f"/api/v1/beneficiaries/{u}/" for u in seeded.beneficiary_uuids)]
    anyone = re.compile("|".join(re.escape(value) for value in seeded.personal_values))
    for url in urls:
        response = client.get(url, headers={"accept-language": "zh-hans"})
        assert response.status_code in (302, 401, 403, 404), f"{url}: {response.status_code}"
        found = anyone.search(_text(response))
        assert found is None, f"{url} shows personal data to an anonymous visitor"


def test_the_status_page_of_the_seeded_feedback_really_shows_it(client, seeded):
    """Guard against a crawl that passes because the page found nothing."""
    response = client.post(
        "/feedback/status/", {"number": seeded.tracking_number}, headers={"accept-language": "en"}
    )
    assert response.context["found"] is not None
    assert "已约谈相关社工并整改。" in response.content.decode()

"""Journey: a resident looks for help on the public site and then sends feedback.

From the home page they search for 救助, open the temporary-assistance policy, follow
it to the service guide that explains how to apply, and from the guide to the
directory filtered to that kind of help, where a verified provider's service is
listed. Then they send a complaint about a service in Pudong, write down the
tracking number and look up its status, which shows in words and never repeats
what they wrote.

The journey reads the site in Chinese, as most visitors do. Controls are found by
their address, name or role rather than their wording, so it passes whatever Chinese
translations are compiled; statuses are checked in either language.
"""

import importlib
import re

import pytest
from django.apps import apps
from django.core.cache import cache
from playwright.sync_api import expect

from cms.models import Feedback
from cms.sections import create_sections, section_pages
from demo.cms import seed_guides, seed_policies
from tests.factories.accounts import AgencyFactory
from tests.factories.places import ProvinceFactory, shanghai_district
from tests.factories.providers import ServiceFactory
from tests.factories.taxonomy import need_category

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TAXONOMY_MIGRATION = importlib.import_module("taxonomy.migrations.0002_need_categories_and_tiers")

POLICY_TITLE = "国务院关于全面建立临时救助制度的通知"
POLICY_NUMBER = "国发〔2014〕47号"
GUIDE_TITLE = "申请临时救助"
GUIDE_CATEGORY = "emergency.temporary"
SERVICE_NAME = "浦东急难救助热线"
OTHER_SERVICE_NAME = "浦东长者日间照料"
MESSAGE = "我上个月申请临时救助，到现在还没有人联系我，想问问进度。"
TRACKING_NUMBER = re.compile(r"^FK-\d{8}-[0-9A-Z]{5}$")


@pytest.fixture
def public_site(site_pages, settings):
    """Sections, demo policies and guides, a provider's services and two agencies.

    Taxonomy rows come from a data migration and sections, like home pages, from
    another: earlier transactional tests flushed them, so they are made again here.
    """
    settings.FEEDBACK_MIN_SECONDS = 0  # the journey types faster than a person
    TAXONOMY_MIGRATION.load(apps, schema_editor=None)
    create_sections(apps)
    sections = section_pages()
    policies = seed_policies(sections["policies"]["zh-hans"], sections["policies"].get("en"))
    seed_guides(
        sections["guides"]["zh-hans"],
        sections["guides"].get("en"),
        {policy.document_number: policy for policy in policies},
    )

    pudong = shanghai_district()
    ServiceFactory(
        name_zh=SERVICE_NAME,
        categories=[need_category(GUIDE_CATEGORY)],
        areas_covered=[pudong],
    )
    # Another kind of help, which the guide's link to the directory must leave out.
    ServiceFactory(
        name_zh=OTHER_SERVICE_NAME,
        categories=[need_category("social-services.elderly-care")],
        areas_covered=[pudong],
    )
    # The city's lead agency and Pudong's bureau: feedback about Pudong goes to Pudong.
    AgencyFactory(area=ProvinceFactory(code="310000000000"), parent=None, name_zh="上海市民政局")
    pudong_bureau = AgencyFactory(area=pudong, name_zh="浦东新区民政局")
    cache.clear()  # no feedback allowance used and no page kept from an earlier test
    return pudong_bureau


def test_resident_finds_help_through_policy_and_guide_then_follows_feedback(page, public_site):
    page.goto("/")
    _search_from_the_home_page(page, "救助")
    _open_the_policy_and_its_guide(page)
    _open_the_directory_from_the_guide(page)

    page.locator(".site-header__name").click()
    tracking_number = _send_feedback(page)
    assert Feedback.objects.get(tracking_number=tracking_number).agency == public_site

    _look_up_the_status(page, tracking_number)
    assert page.outside_requests == []


def _search_from_the_home_page(page, words):
    search = page.locator('main form[action="/search/"]')
    search.get_by_role("searchbox").fill(words)
    search.get_by_role("button").click()

    expect(page).to_have_url(re.compile(r"/search/\?query="))
    results = page.locator("ol.search-results")
    expect(results.get_by_role("link", name=GUIDE_TITLE, exact=True)).to_be_visible()
    policy = results.locator(".search-result").filter(
        has=page.get_by_role("link", name=POLICY_TITLE, exact=True)
    )
    expect(policy).to_contain_text(POLICY_NUMBER)


def _open_the_policy_and_its_guide(page):
    page.locator("ol.search-results").get_by_role("link", name=POLICY_TITLE, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(POLICY_TITLE)
    expect(page.locator(".policy__facts")).to_contain_text(POLICY_NUMBER)

    # The guides that rest on this policy, under "How to apply".
    page.locator('section[aria-labelledby="guides-title"]').get_by_role(
        "link", name=GUIDE_TITLE, exact=True
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(GUIDE_TITLE)
    # And back the other way: the guide names the policy behind it.
    expect(
        page.locator(".guide__policies").get_by_role("link", name=POLICY_TITLE, exact=True)
    ).to_be_visible()


def _open_the_directory_from_the_guide(page):
    page.locator(".guide__summary + .guide__directory").get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/providers/\?category=emergency\.temporary$"))
    results = page.locator(".directory-results")
    expect(results.get_by_role("heading", name=SERVICE_NAME)).to_be_visible()
    expect(results.get_by_role("heading", name=OTHER_SERVICE_NAME)).to_have_count(0)


def _send_feedback(page) -> str:
    page.locator('main a[href="/feedback/"]').click()
    expect(page).to_have_url(re.compile(r"/feedback/$"))
    form = page.locator("form.feedback-form")
    form.locator('input[name="category"][value="complaint_service"]').check()
    form.locator('select[name="area"]').select_option(label="浦东新区")
    form.locator('textarea[name="message"]').fill(MESSAGE)
    form.locator('button[type="submit"]').click()

    expect(page).to_have_url(re.compile(r"/feedback/\?sent=1$"))
    number = page.locator(".tracking-number")
    expect(number).to_have_text(TRACKING_NUMBER)
    return number.inner_text().strip()


def _look_up_the_status(page, tracking_number):
    # As someone coming back later: from the feedback page's link, typing the number.
    page.goto("/feedback/")
    page.locator('main .prose a[href="/feedback/status/"]').click()
    expect(page).to_have_url(re.compile(r"/feedback/status/$"))
    page.locator('input[name="number"]').fill(f" {tracking_number.lower()} ")
    page.locator('main form[role="search"] button[type="submit"]').click()

    status = page.locator(".feedback-status")
    expect(status.get_by_role("heading", level=2)).to_contain_text(tracking_number)
    # Sent by POST: the number is in no address (history, access logs, Referer).
    expect(page).to_have_url(re.compile(r"/feedback/status/$"))
    expect(status.locator(".status-badge")).to_have_text(re.compile(r"^\s*(已受理|Received)\s*$"))
    expect(status.locator(".feedback-steps li")).to_have_count(1)
    # The number is a bearer token: whoever has it sees the status, never the message.
    expect(page.locator("main")).not_to_contain_text(MESSAGE[:12])

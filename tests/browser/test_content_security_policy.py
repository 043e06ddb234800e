"""Every page loads under the Content-Security-Policy with no violation.

A browser opens each public page (home, policies, search, guides, news, statistics,
feedback, the directory with its map, a provider's profile with its rating chart,
tenders and a tender, contracts, the survey, the rating method…) and the workspace of
a caseworker, a provider administrator and a commissioner (each card of their
workspace and the forms and records behind them), then the CMS, the Django admin and
the API docs as a platform administrator. On each it listens for
``securitypolicyviolation`` events and for the browser's console messages about the
Content-Security-Policy or Permissions-Policy: there must be none, and every answer
must carry the policy (a page without it would pass for the wrong reason).

One test checks the listener itself: an inline style added to a page is reported.
"""

import importlib
import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from cms.sections import create_sections, section_pages
from demo.cms import seed_guides, seed_news, seed_policies
from evaluation.services.ratings import recompute_ratings
from tests.browser.conftest import STEP_TIMEOUT_MS
from tests.browser.helpers import sign_in
from tests.factories.accounts import AgencyFactory, UserFactory, user_with_role
from tests.factories.contracts import active_contract
from tests.factories.evaluation import (
    OutcomeFactory,
    StandardsFrameworkFactory,
    SurveyInvitationFactory,
    in_service_referral,
)
from tests.factories.marketplace import PublishedTenderFactory, commissioner_of
from tests.factories.places import shanghai_district
from tests.factories.providers import (
    ServiceFactory,
    SiteFactory,
    VerifiedProviderFactory,
    provider_admin_of,
    provider_staff_of,
)
from tests.factories.taxonomy import need_category

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TAXONOMY_MIGRATION = importlib.import_module("taxonomy.migrations.0002_need_categories_and_tiers")
CATEGORY = "social-services.elderly-care"
# Pages that fetch or draw after loading (the CMS, Swagger UI) get longer.
SLOW_PAGE_TIMEOUT_MS = 20_000

# Runs in every document before the page's own scripts (the browser's automation
# channel is not subject to the page's policy) and keeps what the policy refused.
LISTEN_FOR_VIOLATIONS = """
window.__policyViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__policyViolations.push(
    `${event.disposition} ${event.effectiveDirective}: ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile || event.documentURI}:${event.lineNumber}`
  );
}, true);
"""
POLICY_MESSAGE = re.compile(r"Content.Security.Policy|Permissions.Policy|Feature.Policy", re.I)


@pytest.fixture
def site(site_pages, settings):
    """A small site with something on every page: policies, guides and news; a verified
    provider with a site on the map, a rated service and a survey link; a published
    tender; and the people who use the workspace."""
    TAXONOMY_MIGRATION.load(apps, schema_editor=None)
    create_sections(apps)
    sections = section_pages()
    policies = seed_policies(sections["policies"]["zh-hans"], sections["policies"].get("en"))
    guides = seed_guides(
        sections["guides"]["zh-hans"],
        sections["guides"].get("en"),
        {policy.document_number: policy for policy in policies},
    )
    news = seed_news(sections["news"]["zh-hans"], sections["news"].get("en"))

    pudong = shanghai_district()
    provider = VerifiedProviderFactory()
    service = ServiceFactory(
        provider=provider,
        categories=[need_category(CATEGORY)],
        areas_covered=[pudong],
        sites=[SiteFactory(provider=provider)],
        free_slots=10,
    )
    staff = provider_staff_of(provider)
    provider_admin_of(provider, username="ngo_admin")

    agency = AgencyFactory(area=pudong)
    caseworker = user_with_role(Role.CASEWORKER, agency, username="caseworker")
    referrals = [
        in_service_referral(service=service, caseworker=caseworker, staff=staff) for _ in range(2)
    ]
    earlier = timezone.now() - timedelta(days=75)
    OutcomeFactory(referral=referrals[0], recorded_at=earlier, confirmed_at=earlier)
    OutcomeFactory(referral=referrals[1])
    recompute_ratings()
    invitation = SurveyInvitationFactory(referral=referrals[1])

    tender = PublishedTenderFactory(areas=[pudong])
    commissioner_of(tender.lead_agency, username="commissioner")
    framework = StandardsFrameworkFactory()
    contract = active_contract()  # signed by both parties: on the public register
    UserFactory(username="platform", is_staff=True, is_superuser=True)

    # The directory draws its map from tiles of the site's own origin (absent tiles
    # answer 404, which is no concern of the policy).
    settings.MAP_TILE_URL = "/tiles/{z}/{x}/{y}.png"
    return {
        "policy": policies[0],
        "guide": guides[0],
        "news": news[0],
        "provider": provider,
        "beneficiary": referrals[0].need.assessment.beneficiary,
        "referral": referrals[0],
        "invitation": invitation,
        "surveyed_referral": referrals[1],
        "tender": tender,
        "framework": framework,
        "contract": contract,
        "stats": sections["stats"]["zh-hans"],
    }


@pytest.fixture
def browser_of(browser, live_server):
    """``browser_of(username=None)``: a browser of its own (signed in when a username is
    given) that records policy violations and console messages about the policies."""
    own_origin = re.compile("^" + re.escape(live_server.url) + "(/|$)")
    contexts, outside_requests = [], []

    def refuse_outside(route):
        outside_requests.append(route.request.url)
        route.abort()

    def open_for(username=None):
        context = browser.new_context(
            base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(STEP_TIMEOUT_MS)
        context.route(lambda url: not own_origin.match(url), refuse_outside)
        context.add_init_script(LISTEN_FOR_VIOLATIONS)
        contexts.append(context)
        page = context.new_page()
        page.console_policy_messages = []

        def keep_policy_message(message):
            if POLICY_MESSAGE.search(message.text):
                page.console_policy_messages.append(f"{message.type}: {message.text}")

        page.on("console", keep_policy_message)
        if username:
            sign_in(page, username, english=False)
        return page

    open_for.outside_requests = outside_requests
    yield open_for
    for context in contexts:
        context.close()


def visit(page, path, *, status=200):
    """Open ``path``, check that its answer carries the policy, and return the violations
    the page reported (none expected)."""
    response = page.goto(path)
    assert response is not None, path
    assert response.status == status, f"{path} answered {response.status}"
    assert "default-src 'self'" in response.headers.get("content-security-policy", ""), path
    assert "camera=()" in response.headers.get("permissions-policy", ""), path
    return violations(page)


def violations(page):
    found = page.evaluate("window.__policyViolations || []") + page.console_policy_messages
    page.console_policy_messages = []
    return found


def visit_all(page, paths):
    problems = {path: found for path in paths if (found := visit(page, path))}
    assert problems == {}


def workspace_paths(page):
    """The workspace and every page its cards open (the person's own set of pages)."""
    visit(page, "/app/")
    links = page.locator('main a[href^="/app/"]').evaluate_all(
        "links => links.map(link => link.getAttribute('href'))"
    )
    return ["/app/", *dict.fromkeys(links)]


def test_the_listener_reports_what_the_policy_refuses(site, browser_of):
    """Without this, "no violation" could mean that nothing was listening."""
    page = browser_of()
    assert visit(page, "/") == []

    with page.expect_console_message(lambda message: POLICY_MESSAGE.search(message.text)):
        page.evaluate(
            "document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">inline</p>')"
        )
    # Both channels see it: the page's event and the browser's console.
    page.wait_for_function("window.__policyViolations.length > 0")
    found = violations(page)
    assert any(violation.startswith("enforce style-src-attr") for violation in found), found
    assert any("Content Security Policy" in violation for violation in found), found


def test_public_pages_load_without_a_policy_violation(site, browser_of):
    page = browser_of()
    paths = [
        "/",
        site["policy"].url,
        site["policy"].get_parent().url,
        "/search/?query=%E6%95%91%E5%8A%A9",
        site["guide"].get_parent().url,
        site["guide"].url,
        site["news"].get_parent().url,
        site["news"].url,
        site["stats"].url,
        "/feedback/",
        "/feedback/status/",
        "/providers/",
        f"/providers/?category={CATEGORY}",
        f"/providers/{site['provider'].uuid}/",
        "/providers/register/",
        "/tenders/",
        f"/tenders/{site['tender'].uuid}/",
        "/contracts/",
        f"/contracts/{site['contract'].uuid}/",
        "/contracts/verify/",
        f"/survey/{site['invitation'].token}/",
        "/ratings/method/",
        "/assessments/standards/",
        f"/assessments/standards/{site['framework'].code}/",
        "/accounts/login/",
    ]
    visit_all(page, dict.fromkeys(paths))
    # The map is drawn by its script (tiles and markers placed through CSSOM, which the
    # policy allows, unlike style attributes).
    assert visit(page, "/providers/") == []
    expect(page.locator(".site-map__marker").first).to_be_visible()
    expect(page.locator(".site-map__tile").first).to_be_attached()
    assert violations(page) == []
    # Charts are inline SVG drawn on the server, styled by classes.
    assert visit(page, f"/providers/{site['provider'].uuid}/") == []
    expect(page.locator("svg.rating-chart").first).to_be_visible()
    assert visit(page, site["stats"].url) == []
    expect(page.locator("svg.bar-chart").first).to_be_visible()
    # An error page is served under the same policy.
    assert visit(page, "/no-such-page/", status=404) == []
    assert browser_of.outside_requests == []


@pytest.mark.parametrize("username", ["caseworker", "ngo_admin", "commissioner"])
def test_workspace_pages_load_without_a_policy_violation(site, browser_of, username):
    page = browser_of(username)
    paths = workspace_paths(page)
    assert len(paths) > 2, paths  # the person's cards were found
    extra = {
        "caseworker": [
            f"/app/people/{site['beneficiary'].uuid}/",
            "/app/people/new/",
            f"/app/referrals/{site['referral'].uuid}/",
            "/app/unmet-needs/",
            # The printable survey slip, with its QR code drawn as inline SVG.
            f"/app/evaluation/referrals/{site['surveyed_referral'].uuid}/survey-slip/",
        ],
        "ngo_admin": [
            "/app/provider/edit/",
            "/app/provider/services/new/",
            "/app/provider/sites/new/",
            "/app/provider/documents/",
            "/app/inbox/",
            f"/app/inbox/{site['referral'].uuid}/",
        ],
        "commissioner": [
            "/app/budgets/new/",
            "/app/contributions/",
            "/app/tenders/new/",
            f"/app/tenders/{site['tender'].uuid}/",
            "/app/evaluation/assessments/new/",
        ],
    }[username]
    visit_all(page, dict.fromkeys([*paths, *extra]))
    assert browser_of.outside_requests == []


def test_the_cms_works_under_its_looser_policy(site, browser_of):
    page = browser_of("platform")

    assert visit(page, "/cms-admin/") == []
    # The sidebar is drawn by the admin's scripts.
    expect(page.locator("#wagtail-sidebar nav")).to_be_visible(timeout=SLOW_PAGE_TIMEOUT_MS)
    home = site["policy"].get_parent().get_parent()
    assert visit(page, f"/cms-admin/pages/{home.pk}/") == []
    expect(page.locator("main table.listing")).to_be_visible()

    # The page editor (StreamField, rich text) and its preview, which is framed by the CMS.
    assert visit(page, f"/cms-admin/pages/{site['news'].pk}/edit/") == []
    expect(page.locator("form#page-edit-form [data-contentpath='title'] input")).to_have_value(
        site["news"].title, timeout=SLOW_PAGE_TIMEOUT_MS
    )
    page.locator('[data-side-panel-toggle="preview"]').click()
    preview = page.frame_locator("#w-preview-iframe")
    expect(preview.locator("h1")).to_have_text(site["news"].title, timeout=SLOW_PAGE_TIMEOUT_MS)
    page.wait_for_load_state("networkidle")
    assert violations(page) == []
    in_preview = preview.locator("body").evaluate("() => window.__policyViolations")
    assert in_preview == []

    # An editor sees Wagtail's user bar on the public site, under the site's policy.
    assert visit(page, "/") == []
    expect(page.locator("wagtail-userbar")).to_be_attached()
    page.wait_for_load_state("networkidle")
    assert violations(page) == []
    assert browser_of.outside_requests == []


def test_the_django_admin_works_under_the_site_policy(site, browser_of):
    page = browser_of("platform")
    organization = site["provider"].organization

    assert visit(page, "/django-admin/") == []
    assert visit(page, "/django-admin/accounts/organization/") == []
    expect(page.locator("#result_list")).to_be_visible()
    assert visit(page, f"/django-admin/accounts/organization/{organization.pk}/change/") == []
    # The calendar's date field: the admin's scripts add the calendar link next to it.
    assert visit(page, "/django-admin/core/calendarday/add/") == []
    expect(page.locator(".datetimeshortcuts").first).to_be_visible()
    assert violations(page) == []
    assert browser_of.outside_requests == []


def test_the_api_docs_work_under_their_looser_policy(site, browser_of):
    page = browser_of("platform")

    assert visit(page, "/api/docs/") == []
    expect(page.locator("#swagger-ui .opblock").first).to_be_visible(timeout=SLOW_PAGE_TIMEOUT_MS)
    page.locator("#swagger-ui .opblock-summary").first.click()
    expect(page.locator("#swagger-ui .opblock-body").first).to_be_visible()
    assert violations(page) == []
    assert browser_of.outside_requests == []

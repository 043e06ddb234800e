"""Journey: a caseworker refers an older woman to home care with her consent; the provider
answers, delivers and reports the outcome; the caseworker confirms it and closes.

The caseworker of a street office looks the woman up by her ID number, does not find
her and records her (the number is carried over), finds her again by the number,
assesses her need for elderly care and opens the services ranked for it: two, each
saying why it ranks where it does (distance to its nearest site, free places). She
refers to the first, records the woman's consent to share her name and phone, and
sends. In another browser, the provider's staff member sees in the inbox only the
kind of help, the district, the urgency and the age band — not the name — until they
accept; then the name and phone appear, never the address nobody consented to share.
They start the service and complete it with an outcome, which the caseworker, still
signed in in her own browser, confirms by closing the referral.

Both browsers read the site in English (each switches first), so the journey reads
the same whatever Chinese translations are compiled; what people type stays Chinese.
"""

import datetime
import importlib
import re
from decimal import Decimal

import pytest
from django.apps import apps
from playwright.sync_api import expect

from accounts.models import Role
from referrals.selectors import age_band
from tests.browser.conftest import STEP_TIMEOUT_MS
from tests.browser.helpers import sign_in
from tests.factories.accounts import AgencyFactory, user_with_role
from tests.factories.places import StreetFactory, shanghai_district
from tests.factories.providers import (
    ServiceFactory,
    SiteFactory,
    VerifiedProviderFactory,
    provider_staff_of,
)
from tests.factories.referrals import id_number
from tests.factories.taxonomy import need_category

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TAXONOMY_MIGRATION = importlib.import_module("taxonomy.migrations.0002_need_categories_and_tiers")

BIRTH_DATE = datetime.date(1948, 3, 2)
# Ends in X, which the caseworker types in lower case the second time.
ID_NUMBER = id_number(area_code="310104", birth_date=BIRTH_DATE, sequence=9, male=False)
NAME = "王秀英"
PHONE = "13912345678"
ADDRESS = "上海市徐汇区漕溪北路100弄3号"
FIRST_SERVICE = "Xujiahui home care for older people"
SECOND_SERVICE = "Xuhui day care centre"
FIRST_SITE = "Xujiahui service point"
SECOND_SITE = "Renmin Square centre"
FIRST_PROVIDER = "Xuhui Sunshine Social Work Agency"


@pytest.fixture
def people_and_services(transactional_db):
    """A street office's caseworker and two services for older people in her district.

    Taxonomy rows come from a data migration: earlier transactional tests flushed them.
    Areas get fixed centres, so that the person (placed at her district's centre from
    her address) is a known distance from each site.
    """
    TAXONOMY_MIGRATION.load(apps, schema_editor=None)
    xuhui = shanghai_district("310104", name_zh="徐汇区", name_en="Xuhui District")
    xuhui.latitude, xuhui.longitude = Decimal("31.188523"), Decimal("121.436525")
    xuhui.save(update_fields=["latitude", "longitude"])
    xujiahui = StreetFactory(
        code="310104011000",
        name_zh="徐家汇街道",
        name_en="Xujiahui Subdistrict",
        parent=xuhui,
        latitude=Decimal("31.195"),
        longitude=Decimal("121.437"),
    )
    street_office = AgencyFactory(
        name_zh="徐家汇街道办事处", name_en="Xujiahui Street Office", area=xujiahui
    )
    user_with_role(Role.CASEWORKER, street_office, username="caseworker", display_name="王芳")

    elderly_care = need_category("social-services.elderly-care")
    # First: a site next to the person and free places. Second: farther, and full.
    first_provider = VerifiedProviderFactory(
        organization__name_zh="徐汇阳光社工服务社", organization__name_en=FIRST_PROVIDER
    )
    first_site = SiteFactory(
        provider=first_provider,
        name_zh="徐家汇服务点",
        name_en=FIRST_SITE,
        address="上海市徐汇区漕溪北路200号",
        latitude=Decimal("31.192000"),
        longitude=Decimal("121.437500"),
    )
    ServiceFactory(
        provider=first_provider,
        name_zh="徐家汇居家养老",
        name_en=FIRST_SERVICE,
        categories=[elderly_care],
        areas_covered=[xuhui],
        sites=[first_site],
        free_slots=3,
    )
    second_provider = VerifiedProviderFactory(
        organization__name_zh="黄浦长者关爱中心", organization__name_en="Huangpu Elder Care Centre"
    )
    second_site = SiteFactory(
        provider=second_provider,
        name_zh="人民广场服务点",
        name_en=SECOND_SITE,
        address="上海市黄浦区人民大道200号",
        latitude=Decimal("31.230372"),
        longitude=Decimal("121.473662"),
    )
    ServiceFactory(
        provider=second_provider,
        name_zh="徐汇日间照料中心",
        name_en=SECOND_SERVICE,
        categories=[elderly_care],
        areas_covered=[xuhui],
        sites=[second_site],
        free_slots=0,
        waitlist_length=2,
    )
    provider_staff_of(first_provider, username="ngo_staff", display_name="李敏")


@pytest.fixture
def provider_page(browser, live_server, page):
    """A second browser, with its own cookies, for the provider's staff member."""
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(STEP_TIMEOUT_MS)
    own_origin = re.compile("^" + re.escape(live_server.url) + "(/|$)")

    def refuse_outside(route):
        page.outside_requests.append(route.request.url)
        route.abort()

    context.route(lambda url: not own_origin.match(url), refuse_outside)
    yield context.new_page()
    context.close()


def test_a_person_is_referred_with_consent_served_and_the_referral_closed(
    page, provider_page, people_and_services
):
    _sign_in(page, "caseworker")
    _record_the_person_not_found_by_id_number(page)
    _find_the_person_by_id_number(page)
    _assess_a_need(page)
    _see_the_ranked_services(page)
    _refer_to_the_first_with_consent_and_send(page)

    _sign_in(provider_page, "ngo_staff")
    _accept_without_seeing_who_it_is(provider_page)
    _see_the_consented_details_start_and_complete(provider_page)

    _confirm_the_outcome_and_close(page)
    assert page.outside_requests == []


def _sign_in(page, username):
    sign_in(page, username)


def _record_the_person_not_found_by_id_number(page):
    page.get_by_role("link", name="People and their needs").click()
    expect(page).to_have_url(re.compile(r"/app/people/$"))
    expect(page.locator("main")).to_contain_text("Nobody is recorded yet.")
    _search(page, ID_NUMBER)

    expect(page.get_by_role("heading", level=1)).to_have_text("Record a person")
    expect(page.locator("main")).to_contain_text("Not recorded yet:")
    expect(page.locator("main")).to_contain_text(
        "The person is recorded for Xujiahui Street Office."
    )
    expect(page.locator('input[name="id_number"]')).to_have_value(ID_NUMBER)
    page.fill('input[name="name"]', NAME)
    page.fill('input[name="phone"]', PHONE)
    page.fill('textarea[name="address"]', ADDRESS)
    page.get_by_role("button", name="Record the person").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Person \w{8}$"))
    expect(_messages(page)).to_contain_text("Person recorded as")
    summary = page.locator("section", has=page.get_by_role("heading", name="Summary"))
    expect(summary).to_contain_text("Xuhui District")
    expect(summary).to_contain_text(age_band(BIRTH_DATE))
    # Personal data stays hidden until the caseworker says why she needs it.
    expect(page.get_by_role("button", name="Show personal data")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(NAME)


def _find_the_person_by_id_number(page):
    reference = page.get_by_role("heading", level=1).inner_text()
    page.get_by_role("navigation", name="Casework").get_by_role("link", name="People").click()
    expect(page.locator("main")).to_contain_text("1 person")
    _search(page, ID_NUMBER.lower())  # a small x: still the same number
    expect(page.get_by_role("heading", level=1)).to_have_text(reference)
    expect(page.locator("main")).to_contain_text("No needs assessed yet.")


def _search(page, number):
    page.get_by_label("ID number").fill(number)
    page.get_by_role("button", name="Find", exact=True).click()


def _assess_a_need(page):
    page.get_by_role("link", name="Assess needs").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Assess needs")
    page.fill('textarea[name="notes"]', "独居，行动不便，需要上门照护。")
    page.get_by_role("group", name="Need 1").get_by_label("Need category").select_option(
        value="social-services.elderly-care"
    )
    page.get_by_role("button", name="Record the assessment").click()

    expect(_messages(page)).to_contain_text("Assessment recorded.")
    needs = page.locator("section", has=page.get_by_role("heading", name="Needs", exact=True))
    expect(needs.get_by_role("row", name=re.compile("Elderly care"))).to_contain_text(
        "Not referred yet"
    )


def _see_the_ranked_services(page):
    page.get_by_role("link", name="Find services").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Services for Elderly care")
    expect(page.get_by_role("heading", level=2, name="2 services")).to_be_visible()
    ranked = page.locator("#eligible-heading + ol > li")
    expect(ranked).to_have_count(2)

    first, second = ranked.nth(0), ranked.nth(1)
    expect(first.get_by_role("heading", level=3)).to_have_text(f"1. {FIRST_SERVICE}")
    expect(first).to_contain_text("Free place")
    expect(first).to_contain_text(re.compile(rf"\d\.\d km from {FIRST_SITE}"))
    expect(first).to_contain_text("3 free places (updated today)")
    expect(second.get_by_role("heading", level=3)).to_have_text(f"2. {SECOND_SERVICE}")
    expect(second).to_contain_text("No free place: waiting list")
    expect(second).to_contain_text(re.compile(rf"\d\.\d km from {SECOND_SITE}"))
    expect(second).to_contain_text("No free place; 2 people waiting (updated today)")


def _refer_to_the_first_with_consent_and_send(page):
    page.locator("#eligible-heading + ol > li").first.get_by_role("button", name="Refer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Refer to {FIRST_SERVICE}")
    expect(page.get_by_label("Routine")).to_be_checked()
    page.fill('textarea[name="reason"]', "需要每周两次上门照护。")
    page.get_by_role("button", name="Make a draft referral").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Referral to {FIRST_SERVICE}")
    expect(_messages(page)).to_contain_text("Draft referral")
    expect(_status(page)).to_have_text("Draft")
    expect(page.locator("main")).to_contain_text("No consent in force")

    consent = page.get_by_role("form", name="Record the person's consent")
    consent.get_by_label("Name", exact=True).check()
    consent.get_by_label("Phone", exact=True).check()
    consent.get_by_label("Purpose").fill("联系本人安排上门照护")
    consent.get_by_label("Signed consent form").check()
    consent.get_by_role("button", name="Record consent").click()
    expect(_messages(page)).to_contain_text("Consent recorded.")
    expect(page.locator("main")).to_contain_text("Consent in force")
    expect(page.locator("main")).to_contain_text("Name、Phone")

    page.get_by_role("button", name="Send to the provider").click()
    expect(_messages(page)).to_contain_text("Referral sent.")
    expect(_status(page)).to_have_text("Sent — awaiting answer")


def _accept_without_seeing_who_it_is(page):
    page.get_by_role("link", name="Referrals inbox").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Referrals inbox")
    expect(page.locator("main")).to_contain_text("1 referral waits for your answer.")
    row = page.get_by_role("row", name=re.compile("Elderly care"))
    expect(row).to_contain_text("Xuhui District")
    expect(row).to_contain_text("Routine")
    expect(row).to_contain_text(age_band(BIRTH_DATE))
    expect(row).to_contain_text("Sent — awaiting answer")
    expect(page.locator("main")).not_to_contain_text(NAME)

    row.get_by_role("link", name="Elderly care").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Referral: Elderly care")
    expect(_status(page)).to_have_text("Viewed by the provider")
    facts = page.locator("section", has=page.get_by_role("heading", name="The referral"))
    expect(facts).to_contain_text("Xuhui District")
    expect(facts).to_contain_text("Routine")
    expect(facts).to_contain_text(age_band(BIRTH_DATE))
    expect(page.locator("main")).to_contain_text("once you accept the referral")
    for secret in (NAME, PHONE, ADDRESS, ID_NUMBER):
        expect(page.locator("body")).not_to_contain_text(secret)

    page.get_by_role("button", name="Accept the referral").click()
    expect(_messages(page)).to_contain_text("Referral accepted")
    expect(_status(page)).to_have_text("Accepted")


def _see_the_consented_details_start_and_complete(page):
    person = page.locator("section", has=page.get_by_role("heading", name="The person"))
    expect(person).to_contain_text(NAME)
    expect(person).to_contain_text(PHONE)
    expect(person).not_to_contain_text("Address")
    expect(page.locator("body")).not_to_contain_text(ADDRESS)
    expect(page.locator("body")).not_to_contain_text(ID_NUMBER)

    page.get_by_role("button", name="Start", exact=True).click()
    expect(_messages(page)).to_contain_text("Service started.")
    expect(_status(page)).to_have_text("In service")

    outcome = page.locator("section", has=page.get_by_role("heading", name="Goals and outcome"))
    outcome.get_by_role("link", name="Agree the goals").click()
    goal = page.locator("fieldset", has=page.get_by_text("Goal 1", exact=True))
    goal.get_by_label("Goal 1").fill("每周自己做三次热饭")
    goal.get_by_label("Expected level (score 0)").fill("八周后每周三次")
    goal.get_by_label("Weight").select_option("2")
    page.get_by_role("button", name="Save the goals").click()
    expect(_messages(page)).to_contain_text("Goals saved")
    expect(outcome).to_contain_text("每周自己做三次热饭")
    expect(outcome).to_contain_text("not scored yet")

    outcome.get_by_role("link", name="Record the outcome").click()
    page.get_by_label("+1 somewhat more than expected").check()
    page.get_by_label("Note for the caseworker").fill("已完成八次上门照护，本人满意。")
    page.get_by_role("button", name="Complete the service").click()
    expect(_messages(page)).to_contain_text("Service completed with T-score 60.00")
    expect(_status(page)).to_have_text("Completed")
    expect(outcome).to_contain_text("T-score 60.00 (need met)")


def _confirm_the_outcome_and_close(page):
    page.reload()  # the caseworker's page still shows the referral as she sent it
    expect(_status(page)).to_have_text("Completed")
    expect(page.locator("main")).to_contain_text("已完成八次上门照护，本人满意。")
    outcome = page.locator("section", has=page.get_by_role("heading", name="Goals and outcome"))
    expect(outcome).to_contain_text("每周自己做三次热饭")
    expect(outcome).to_contain_text("+1")

    outcome.get_by_role("button", name="Confirm the outcome").click()
    expect(_messages(page)).to_contain_text("Outcome confirmed; the referral is closed.")
    expect(_status(page)).to_have_text("Closed")
    history = page.locator("section", has=page.get_by_role("heading", name="History"))
    expect(history.locator(".status-badge")).to_have_text(
        [
            "Draft",
            "Sent — awaiting answer",
            "Viewed by the provider",
            "Accepted",
            "In service",
            "Completed",
            "Closed",
        ]
    )


def _status(page):
    """The referral's status in words, next to "Status:" under the heading."""
    return page.locator("main p.lead .status-badge")


def _messages(page):
    """The confirmations and errors the site shows at the top of the page."""
    return page.locator("main .messages")

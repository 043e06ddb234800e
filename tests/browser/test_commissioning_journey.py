"""Journey: a commissioner publishes a tender; a provider asks a question and bids; after the
deadline the panel scores the bids and the commissioner awards.

The commissioner of the city civil affairs bureau opens a draft tender and publishes it.
The administrator of a verified provider asks a question on the public notice, writes a
bid (price and a proposal per criterion the panel scores) and submits it: eligibility is
checked and nothing is refused. The commissioner answers the question and names the
panel: a panel of two is refused, one of three is saved — the commissioner as chair, a
caseworker of a partner agency that funds the budget and one of the bureau's — and the
bids are sealed; a member declares no conflict of interest before the deadline and is
shown no bid. Then the deadline passes: the clock of the test process, which the live
server's thread shares, travels past it, and beat's job runs. Sessions last eight hours,
so everyone signs in again. The three members score both bids with the prices still
hidden and submit, the chair locks the moderated scores, prices are revealed and the bids
ranked, and the commissioner recommends the award to the first-ranked bid. Four eyes: the
commissioner is not offered "approve" and reads who may; the bureau's supervisor approves.
The standstill starts, the tender page shows who did what, and the provider reads that
its bid won.

Each person has their own browser (their own cookies) and reads the site in English, so
the journey reads the same whatever Chinese translations are compiled; what people
type stays Chinese.
"""

import importlib
import re
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.apps import apps
from django.utils import timezone
from playwright.sync_api import expect

from marketplace import services
from marketplace.models import Tender
from tests.browser.conftest import STEP_TIMEOUT_MS
from tests.browser.helpers import sign_in
from tests.factories.accounts import AgencyFactory, user_with_role
from tests.factories.marketplace import (
    ContributionFactory,
    SubmittedBidFactory,
    TenderFactory,
    agency_user,
    commissioner_of,
    complete_bid,
)
from tests.factories.places import shanghai_district
from tests.factories.providers import VerifiedProviderFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TAXONOMY_MIGRATION = importlib.import_module("taxonomy.migrations.0002_need_categories_and_tiers")

TITLE = "Home-based elderly care in Xuhui"
PROVIDER = "Xuhui Sunshine Social Work Agency"
RIVAL = "Huangpu Kangle Elderly Care Centre"
COMMISSIONER = "王建国"
MEMBER = "陈伟"
COLLEAGUE = "张丽"  # a caseworker of the bureau, the panel's third member
SUPERVISOR = "刘芳"  # the bureau's supervisor: approves the award
QUESTION = "失能老人的照护是否需要持证护理员提供？"
ANSWER = "是的，生活照料须由持有养老护理员证书的人员提供。"
# Approving an award renders each bidder's assessment summary (PDF) and e-mails it in
# the same request (Celery runs eagerly in tests): this one step may take longer.
AWARD_TIMEOUT_MS = 30_000


@pytest.fixture
def commissioning(transactional_db):
    """A draft tender of the city bureau, funded with a partner agency, and a verified provider.

    Taxonomy rows come from a data migration: earlier transactional tests flushed them.
    """
    TAXONOMY_MIGRATION.load(apps, schema_editor=None)
    xuhui = shanghai_district("310104", name_zh="徐汇区", name_en="Xuhui District")
    bureau = AgencyFactory(name_zh="上海市民政局", name_en="Shanghai Civil Affairs Bureau")
    partner = AgencyFactory(name_zh="上海市浦东新区民政局", name_en="Pudong Civil Affairs Bureau")
    commissioner_of(bureau, username="commissioner", display_name=COMMISSIONER)
    agency_user(partner, username="caseworker2", display_name=MEMBER)
    agency_user(bureau, username="caseworker", display_name=COLLEAGUE)
    user_with_role("supervisor", bureau, username="supervisor", display_name=SUPERVISOR)
    now = timezone.now()
    tender = TenderFactory(
        lead_agency=bureau,
        title_zh="徐汇区居家养老服务项目",
        title_en=TITLE,
        max_value=Decimal("900000.00"),
        areas=[xuhui],
        enquiry_deadline=now + timedelta(days=1),
        submission_deadline=now + timedelta(days=2),
    )
    # The partner pays into the budget too: its people may sit on the panel.
    ContributionFactory(budget=tender.budget, funder=partner, amount=Decimal("300000.00"))
    provider = VerifiedProviderFactory(
        organization__name_zh="徐汇阳光社工服务社", organization__name_en=PROVIDER
    )
    user_with_role("provider_admin", provider.organization, username="ngo_admin")
    return tender


@pytest.fixture
def browser_of(browser, live_server, site_pages):
    """``browser_of(username)``: a browser of that person's own, signed in, reading English.

    Requests to any other host than the live server are refused and recorded in
    ``browser_of.outside_requests``.
    """
    own_origin = re.compile("^" + re.escape(live_server.url) + "(/|$)")
    contexts, outside_requests = [], []

    def refuse_outside(route):
        outside_requests.append(route.request.url)
        route.abort()

    def open_for(username):
        context = browser.new_context(
            base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(STEP_TIMEOUT_MS)
        context.route(lambda url: not own_origin.match(url), refuse_outside)
        contexts.append(context)
        page = context.new_page()
        sign_in(page, username)
        return page

    open_for.outside_requests = outside_requests
    yield open_for
    for context in contexts:
        context.close()


def test_a_tender_is_published_bid_for_scored_and_awarded(commissioning, browser_of):
    tender = commissioning
    commissioner = browser_of("commissioner")
    _publish_the_draft(commissioner)

    ngo = browser_of("ngo_admin")
    _ask_a_question(ngo)
    _bid_and_submit(ngo)
    # A second provider bids too (written straight to the tables: not this journey's part).
    rival = SubmittedBidFactory(
        tender=tender,
        lot=tender.lots.get(number=1),
        price=Decimal("880000.00"),
        provider__organization__name_en=RIVAL,
    )
    complete_bid(rival)

    _answer_the_question(commissioner)
    _name_the_panel(commissioner)
    member = browser_of("caseworker2")
    _declare_no_conflict_while_bids_are_sealed(member)

    with time_machine.travel(tender.submission_deadline + timedelta(minutes=5), tick=True):
        # What beat does every minute: questions answered, deadlines passed → evaluation.
        services.advance_tenders()
        tender.refresh_from_db()
        assert tender.status == Tender.Status.EVALUATION
        # Two days on, yesterday's sessions have expired: everyone signs in again.
        member, commissioner = browser_of("caseworker2"), browser_of("commissioner")
        _score_both_bids_and_submit(member, plan=("8", "7"), rival=("6", "6"))
        colleague = browser_of("caseworker")
        _declare_no_conflict(colleague)
        _score_both_bids_and_submit(colleague, plan=("7.5", "7"), rival=("6", "6.5"))
        _declare_no_conflict(commissioner)
        _score_both_bids_and_submit(commissioner, plan=("8.5", "7.5"), rival=("6.5", "6"))
        _lock_moderation_and_see_the_ranking(commissioner)
        _recommend_the_award_and_see_who_may_approve_it(commissioner)
        _approve_the_award(browser_of("supervisor"))
        _see_the_award_as_the_winner(browser_of("ngo_admin"))

    assert browser_of.outside_requests == []


# --- the commissioner publishes --------------------------------------------------------


def _open_the_tender(page):
    page.get_by_role("banner").get_by_role("link", name="My workspace").click()
    page.locator("main").get_by_role("link", name="Tenders", exact=True).click()
    page.get_by_role("row", name=re.compile(TITLE)).get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)


def _publish_the_draft(page):
    _open_the_tender(page)
    expect(_status(page)).to_have_text("Draft")
    page.get_by_role("button", name="Publish now").click()
    expect(_messages(page)).to_contain_text("is published. Matching providers are being alerted.")
    expect(_status(page)).to_have_text("Published — enquiries open")
    # No bid yet can be seen, by anyone: the bids are sealed until the deadline.
    expect(page.locator("main")).to_contain_text("Bids are sealed until")


# --- the provider asks and bids ----------------------------------------------------------


def _ask_a_question(page):
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Tenders").click()
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(_status(page)).to_have_text("Published — enquiries open")
    page.get_by_role("textbox", name=re.compile(r"^Question")).fill(QUESTION)
    page.get_by_role("button", name="Send the question").click()
    expect(_messages(page)).to_contain_text("Your question is sent.")
    questions = page.locator("#questions")
    expect(questions).to_contain_text(QUESTION)
    expect(questions).to_contain_text("Your organization's question, awaiting an answer")


def _bid_and_submit(page):
    page.get_by_role("link", name="Bid for lot 1").click()
    page.get_by_label("Price (CNY)").fill("850000")
    page.get_by_role("textbox", name=re.compile(r"^Service plan")).fill(
        "组建由持证社工带领的上门照护团队，每位老人每周探访两次，建立个别化照护计划。"
    )
    page.get_by_role("textbox", name=re.compile(r"^Social value")).fill(
        "招募社区志愿者结对陪伴，优先吸纳本地就业困难人员担任护理员。"
    )
    page.get_by_role("button", name="Save the draft").click()
    expect(_messages(page)).to_contain_text("Draft saved.")
    expect(_status(page)).to_have_text("Draft")

    page.get_by_role("button", name="Submit the bid").click()
    expect(_messages(page)).to_contain_text("Bid submitted.")
    expect(_status(page)).to_have_text("Submitted")
    # Eligibility was checked on submission and nothing stood in the way.
    expect(page.get_by_text("Why this bid could not be submitted")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("¥850,000.00")


# --- the commissioner answers, names the panel -----------------------------------------


def _answer_the_question(page):
    _open_the_tender(page)
    page.get_by_role("link", name="Answer 1 question").click()
    expect(page.locator("main")).to_contain_text(QUESTION)
    page.get_by_role("textbox", name=re.compile(r"^Answer")).fill(ANSWER)
    page.get_by_role("button", name="Publish the answer").click()
    expect(_messages(page)).to_contain_text("Answer published.")
    expect(page.locator("main .status-badge").first).to_have_text("Answered")


def _name_the_panel(page):
    page.get_by_role("navigation", name="This tender").get_by_role(
        "link", name="Evaluation panel"
    ).click()
    page.get_by_label("Chair").select_option(label=COMMISSIONER)
    page.get_by_label(MEMBER, exact=True).check()
    page.get_by_role("button", name="Save the panel").click()
    # Two people are too few: the error is next to the members, who stay ticked.
    expect(page.locator(".form-field--error")).to_contain_text(
        "A panel has at least 3 members, the chair included: add 1 more."
    )
    expect(page.get_by_label(MEMBER, exact=True)).to_be_checked()
    page.get_by_label(COLLEAGUE, exact=True).check()
    page.get_by_role("button", name="Save the panel").click()
    expect(_messages(page)).to_contain_text("Panel saved.")
    expect(page.get_by_role("row", name=re.compile(COMMISSIONER))).to_contain_text("(chair)")
    expect(page.get_by_role("row", name=re.compile(MEMBER))).to_contain_text("Not declared yet")
    expect(page.get_by_role("row", name=re.compile(COLLEAGUE))).to_contain_text("Not declared")


# --- the panel -----------------------------------------------------------------------------


def _open_the_evaluation(page):
    page.get_by_role("banner").get_by_role("link", name="My workspace").click()
    page.get_by_role("link", name="Evaluation panels").click()
    page.get_by_role("link", name=re.compile(TITLE)).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Evaluate")


def _declare_no_conflict(page):
    _open_the_evaluation(page)
    page.get_by_label("No: I have no interest in any bidder").check()
    page.get_by_role("button", name="Record my declaration").click()
    expect(_messages(page)).to_contain_text("Declaration recorded.")


def _declare_no_conflict_while_bids_are_sealed(page):
    _declare_no_conflict(page)
    # Declared, yet before the deadline not even the number of bids is shown.
    expect(page.locator("main")).to_contain_text("Bids are sealed until")
    expect(page.get_by_role("link", name=PROVIDER)).to_have_count(0)


def _score(page, bidder, scores):
    page.get_by_role("link", name=bidder).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(bidder)
    # The second envelope is still closed: no price.
    expect(page.locator("main")).to_contain_text("sealed until the chair locks the quality scores")
    service_plan, social_value = scores
    page.get_by_label(re.compile(r"^Service plan: score")).fill(service_plan)
    page.get_by_label(re.compile(r"^Social value: score")).fill(social_value)
    page.get_by_role("button", name="Save my scores").click()
    expect(_messages(page)).to_contain_text("Scores saved.")


def _score_both_bids_and_submit(page, *, plan, rival):
    _open_the_evaluation(page)
    bids = page.get_by_role("table")
    expect(bids.get_by_role("row")).to_have_count(3)  # the header and two bids
    expect(bids).not_to_contain_text("¥")
    _score(page, PROVIDER, plan)
    _score(page, RIVAL, rival)
    expect(bids.get_by_role("row", name=re.compile(PROVIDER))).to_contain_text("2 of 2")
    page.get_by_role("button", name="Submit all my scores").click()
    expect(_messages(page)).to_contain_text("Scores submitted.")
    expect(page.locator("main")).to_contain_text("Your scores are submitted.")


def _lock_moderation_and_see_the_ranking(page):
    page.get_by_role("link", name="Moderate the scores").click()
    expect(page.locator("main")).to_contain_text("0 scores are flagged")
    page.get_by_role("button", name="Lock moderation and reveal prices").click()
    expect(_messages(page)).to_contain_text("Moderation locked.")
    ranking = page.get_by_role("table")
    first = ranking.get_by_role("row").nth(1)
    expect(first).to_contain_text(PROVIDER)
    expect(first).to_contain_text("¥850,000.00")
    expect(ranking.get_by_role("row").nth(2)).to_contain_text(RIVAL)


# --- the award ----------------------------------------------------------------------------


def _recommend_the_award_and_see_who_may_approve_it(page):
    expect(page.get_by_label(PROVIDER)).to_be_checked()  # the first-ranked bid
    page.get_by_role("button", name="Recommend the award of lot 1").click()
    expect(_messages(page)).to_contain_text(f"Lot 1 recommended for award to {PROVIDER}.")

    _open_the_tender(page)
    expect(_status(page)).to_have_text("Under evaluation")
    page.get_by_role("navigation", name="This tender").get_by_role("link", name="Awards").click()
    award = page.locator("main .managed-item").filter(has_text=PROVIDER)
    expect(award.locator(".status-badge")).to_have_text("Recommended")
    # Four eyes: the one who recommended (and chaired) is not offered "approve", and reads
    # who may.
    expect(page.get_by_role("button", name="Approve the award")).to_have_count(0)
    expect(award.get_by_role("note")).to_contain_text("You recommended this award")
    expect(award.get_by_role("note")).to_contain_text(f"Who may approve it: {SUPERVISOR}.")


def _approve_the_award(page):
    page.get_by_role("banner").get_by_role("link", name="My workspace").click()
    page.locator("main").get_by_role("link", name="Your agency's tenders", exact=True).click()
    page.get_by_role("row", name=re.compile(TITLE)).get_by_role("link").click()
    page.get_by_role("navigation", name="This tender").get_by_role("link", name="Awards").click()
    award = page.locator("main .managed-item").filter(has_text=PROVIDER)
    page.get_by_role("button", name="Approve the award").click()
    expect(_messages(page)).to_contain_text(
        "Award approved and its notice published.", timeout=AWARD_TIMEOUT_MS
    )
    expect(award.locator(".status-badge")).to_have_text("Approved — standstill")
    expect(award).to_contain_text("Standstill until")
    expect(award).to_contain_text(f"Recommended by {COMMISSIONER} on")
    expect(award).to_contain_text(f"approved by {SUPERVISOR} on")

    page.get_by_role("navigation", name="This tender").get_by_role("link", name="Overview").click()
    expect(_status(page)).to_have_text("Awarded — standstill")
    who = page.locator("section", has=page.get_by_role("heading", name="Who did what"))
    expect(who).to_contain_text(f"by {COMMISSIONER} on")  # named the panel
    expect(who).to_contain_text(f"{COMMISSIONER} · locked the moderated scores on")
    expect(who).to_contain_text(f"Recommended by {COMMISSIONER} on")
    expect(who).to_contain_text(f"approved by {SUPERVISOR} on")


def _see_the_award_as_the_winner(page):
    page.get_by_role("banner").get_by_role("link", name="My workspace").click()
    page.get_by_role("link", name="My tenders").click()
    page.get_by_role("link", name=re.compile(TITLE)).first.click()
    notices = page.locator("section", has=page.get_by_role("heading", name="Award notices"))
    expect(notices).to_contain_text(PROVIDER)
    expect(notices).to_contain_text("Approved — standstill")
    page.get_by_role("link", name="Open your bid").click()
    expect(page.locator("main")).to_contain_text("Your bid won this lot.")


def _status(page):
    """The status in words, in the badge under the page's heading."""
    return page.locator("main .status-badge").first


def _messages(page):
    """The confirmations and errors the site shows at the top of the page."""
    return page.locator("main .messages")

"""Journey: a beneficiary answers the survey on a phone, an assessor's assessment is
accepted, and the provider's public profile shows the rating that comes of it.

Three referrals to a provider's home care service were completed with their goals and
the caseworker confirmed each outcome; two of them months ago, so the rating already
has a history. The person served by the last one opens the survey link on a phone
360 px wide, set to English, with JavaScript off; answers the five questions and
writes a comment with a mobile number; the thank-you page follows, the link then says
it was answered, and the stored comment has the number masked. An assessor signs in,
opens the assessment assigned to their organization, scores each indicator with
evidence and submits it; the bureau's commissioner accepts it. Anyone then reads on
the profile the rating with what it is made of (outcomes, the survey answer, the
assessment), its history as a chart and a table, and the assessment's public summary.

The survey is its own test; the rating's journey gets its survey answer from the
service the page calls.
Celery runs eagerly: the rating updates and the report PDF run after the commit of
the request that brings the evidence.
"""

import importlib
import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from evaluation.models import Outcome, SurveyInvitation, SurveyResponse
from evaluation.services import assessments as assessment_services
from evaluation.services import outcomes as outcome_services
from evaluation.services import surveys as survey_services
from evaluation.services.ratings import month_of, month_range, recompute_ratings
from tests.browser.conftest import STEP_TIMEOUT_MS
from tests.browser.helpers import sign_in
from tests.factories.accounts import AgencyFactory, user_with_role
from tests.factories.evaluation import (
    AssessorOrganizationFactory,
    StandardsFrameworkFactory,
    in_service_referral,
)
from tests.factories.marketplace import commissioner_of
from tests.factories.providers import ServiceFactory, VerifiedProviderFactory, provider_staff_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TAXONOMY_MIGRATION = importlib.import_module("taxonomy.migrations.0002_need_categories_and_tiers")
PROVIDER = "Xuhui Sunshine Social Work Agency"
ASSESSOR = "Shanghai Social Work Evaluation Centre"
COMMENT = "社工很耐心，有事请打我电话 13812345678。"
MASKED_COMMENT = "社工很耐心，有事请打我电话 138******78。"
SUMMARY_EN = "Well-run home care; involve the people served more in planning."
# Accepting renders the report PDF (WeasyPrint) in the same request.
PDF_TIMEOUT_MS = 30_000
# The factory's framework: two dimensions (weights 60 and 40) of two indicators each.
SCORES = {"Indicator 1.1": "4", "Indicator 1.2": "3", "Indicator 2.1": "3", "Indicator 2.2": "3"}
LEVELS = {"3": "3 Good", "4": "4 Outstanding"}
WORDS = {4: "Mostly", 5: "Completely"}
ANSWERS = {"helped": 5, "respect": 5, "timely": 4, "explained": 4, "recommend": 5}


@pytest.fixture
def evidence(transactional_db, site_pages):
    """Three confirmed outcomes (two from months ago), the survey link of the last one,
    and an assessment the bureau commissioned and assigned to an assessor organization."""
    TAXONOMY_MIGRATION.load(apps, schema_editor=None)
    provider = VerifiedProviderFactory(
        organization__name_zh="徐汇阳光社工服务社", organization__name_en=PROVIDER
    )
    service = ServiceFactory(provider=provider, free_slots=10)
    staff = provider_staff_of(provider)
    caseworker = user_with_role(Role.CASEWORKER, AgencyFactory())
    outcomes = []
    for _number in range(3):
        referral = in_service_referral(service=service, caseworker=caseworker, staff=staff)
        goal = {"description": "每周自己做三次热饭", "expected": "能独立做饭", "weight": 1}
        outcome_services.set_goals(referral=referral, user=staff, goals=[goal])
        outcome = outcome_services.complete_with_goals(
            referral=referral, user=staff, attainments={1: 1}
        )
        outcomes.append(outcome_services.confirm_outcome(outcome=outcome, user=caseworker))
    earlier = timezone.now() - timedelta(days=75)
    Outcome.objects.filter(pk__in=[o.pk for o in outcomes[:2]]).update(
        recorded_at=earlier, confirmed_at=earlier
    )
    recompute_ratings()

    bureau = AgencyFactory(name_zh="上海市民政局", name_en="Shanghai Civil Affairs Bureau")
    commissioner = commissioner_of(bureau, username="commissioner", display_name="王建国")
    assessor_org = AssessorOrganizationFactory(name_zh="上海社工评估中心", name_en=ASSESSOR)
    user_with_role(Role.ASSESSOR, assessor_org, username="assessor", display_name="赵评估")
    assessment = assessment_services.commission_assessment(
        agency=bureau,
        actor=commissioner,
        provider=provider,
        assessor=assessor_org,
        framework=StandardsFrameworkFactory(name_en="Home care standards"),
        due_date=timezone.localdate() + timedelta(days=30),
        scope="2026 年居家养老服务",
    )
    return {
        "provider": provider,
        "invitation": SurveyInvitation.objects.get(referral_id=outcomes[-1].referral_id),
        "assessment": assessment,
        "months": month_range(month_of(earlier), month_of(timezone.now())),
    }


@pytest.fixture
def browser_of(browser, live_server):
    """A new browser (its own cookies) per person: a desktop one signed in, or a phone."""
    own_origin = re.compile("^" + re.escape(live_server.url) + "(/|$)")
    contexts, outside_requests = [], []

    def refuse_outside(route):
        outside_requests.append(route.request.url)
        route.abort()

    def open_for(username=None, *, phone=False):
        screen = (
            # A phone set to English, with JavaScript off.
            {
                "viewport": {"width": 360, "height": 640},
                "java_script_enabled": False,
                "locale": "en",
            }
            if phone
            else {"viewport": {"width": 1280, "height": 900}, "locale": "zh-CN"}
        )
        context = browser.new_context(base_url=live_server.url, **screen)
        context.set_default_timeout(STEP_TIMEOUT_MS)
        context.route(lambda url: not own_origin.match(url), refuse_outside)
        contexts.append(context)
        page = context.new_page()
        if username:
            sign_in(page, username)
        return page

    open_for.outside_requests = outside_requests
    yield open_for
    for context in contexts:
        context.close()


def test_a_beneficiary_answers_the_survey_on_a_phone_without_javascript(evidence, browser_of):
    _answer_the_survey_on_a_phone(browser_of(phone=True), evidence["invitation"])
    assert browser_of.outside_requests == []


def test_an_accepted_assessment_shows_in_the_providers_public_rating(evidence, browser_of):
    # The survey answer of the last referral arrives as the survey page would send it.
    survey_services.submit_survey(
        token=evidence["invitation"].token, answers=ANSWERS, comment=COMMENT, language="en"
    )
    reference = evidence["assessment"].reference
    _score_and_submit_the_assessment(browser_of("assessor"), reference)
    _accept_the_assessment(browser_of("commissioner"), reference)
    _read_the_public_rating(browser_of(), evidence["provider"], evidence["months"], reference)
    assert browser_of.outside_requests == []


def _answer_the_survey_on_a_phone(page, invitation):
    link = reverse("evaluation:survey", args=[invitation.token])
    page.goto(link)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tell us about the help you received")
    expect(page.locator("main")).to_contain_text(f"The service was given by {PROVIDER}.")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    questions = page.locator("main form fieldset")
    expect(questions).to_have_count(5)
    for index, value in enumerate(ANSWERS.values()):
        question = questions.nth(index)
        expect(question.get_by_role("radio")).to_have_count(5)
        choice = question.get_by_role("radio", name=f"{value} {WORDS[value]}")
        choice.check()
        expect(choice).to_be_checked()
    page.get_by_label(re.compile("^Anything else you would like to tell us")).fill(COMMENT)
    page.get_by_role("button", name="Send my answers").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for your answers")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    answer = SurveyResponse.objects.get(invitation=invitation)
    assert {name: getattr(answer, name) for name in ANSWERS} == ANSWERS
    assert answer.comment == MASKED_COMMENT
    assert answer.language == "en"

    again = page.goto(link)
    assert again.status == 410
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "This survey has already been answered"
    )
    expect(page.get_by_role("radio")).to_have_count(0)
    expect(page.get_by_role("button", name="Send my answers")).to_have_count(0)


def _score_and_submit_the_assessment(page, reference):
    page.get_by_role("link", name="Assessments", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Assessments")
    row = page.get_by_role("row", name=re.compile(reference))
    expect(row).to_contain_text(PROVIDER)
    expect(row).to_contain_text("Assigned")
    row.get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Assessment {reference}: {PROVIDER}")

    for indicator, score in SCORES.items():
        page.get_by_role("group", name=indicator).get_by_label(LEVELS[score]).check()
    for code in ("d1-i1", "d1-i2", "d2-i1", "d2-i2"):
        page.locator(f"#indicator-{code}").get_by_label("Evidence").fill(f"查阅了{code}档案。")
    page.get_by_label(re.compile(r"summary for the public \(Chinese\)", re.I)).fill(
        "机构服务规范，建议加强服务对象参与。"
    )
    page.get_by_label(re.compile(r"summary for the public \(English\)", re.I)).fill(SUMMARY_EN)
    page.get_by_role("button", name="Submit to the agency").click()

    expect(_messages(page)).to_contain_text(
        f"Assessment {reference} is submitted: the agency decides on it."
    )
    expect(page.locator("main .status-badge").first).to_have_text("Submitted for acceptance")
    expect(page.locator("main")).to_contain_text("3.30 / 4 · Good")
    expect(page.get_by_role("radio")).to_have_count(0)  # submitted: no more scoring


def _accept_the_assessment(page, reference):
    card = page.get_by_role("listitem").filter(
        has=page.get_by_role("link", name="Assessments", exact=True)
    )
    expect(card).to_contain_text("1 waits for you")
    card.get_by_role("link", name="Assessments", exact=True).click()
    page.get_by_role("row", name=re.compile(reference)).get_by_role("link", name=reference).click()
    expect(page.locator("main")).to_contain_text("查阅了d1-i1档案。")
    decision = page.locator("section", has=page.get_by_role("heading", name="Your decision"))
    decision.get_by_role("button", name="Accept the assessment").click(timeout=PDF_TIMEOUT_MS)

    expect(_messages(page)).to_contain_text(
        f"Assessment {reference} is accepted; its report and summary will be public.",
        timeout=PDF_TIMEOUT_MS,
    )
    expect(page.locator("main .status-badge").first).to_have_text("Accepted")
    expect(page.get_by_role("button", name="Accept the assessment")).to_have_count(0)


def _read_the_public_rating(page, provider, months, reference):
    page.goto(reverse("providers:profile", args=[provider.uuid]))
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(PROVIDER)

    rating = page.locator("section", has=page.get_by_role("heading", name="Rating from evidence"))
    expect(rating.locator(".rating-summary")).to_contain_text(
        re.compile(
            r"(\d\.\d) / 5\s+\1 ★ from 3 outcomes\s+"
            r"between \d\.\d and \d\.\d \(95 % band\); 8 pieces of evidence in all"
        )
    )
    breakdown = rating.get_by_role("table", name="What the rating is made of")
    expected = {
        "Outcomes": "3 outcomes",
        "Satisfaction": "1 survey answer",
        "Assessments": "1 assessment",
        "Contract performance": "platform mean: no evidence yet",
        "Responsiveness": "3 referrals answered",
    }
    expect(breakdown.locator("tbody tr")).to_have_count(len(expected))
    for part, text in expected.items():
        expect(breakdown.get_by_role("row", name=re.compile("^" + part))).to_contain_text(text)

    chart = rating.get_by_role("img", name=f"Rating of {PROVIDER} month by month")
    expect(chart).to_be_visible()
    expect(chart.locator("circle")).to_have_count(len(months))
    history = rating.get_by_role("table", name="Rating history")
    expect(history.locator("tbody th")).to_have_text([month.strftime("%Y-%m") for month in months])
    # Every month counts the two early outcomes; this one adds all that came since.
    expect(history.locator("tbody tr").first.locator("td").last).to_have_text("2")
    expect(history.locator("tbody tr").last.locator("td").last).to_have_text("8")

    # One answer alone is never shown, so nobody can tell whose it is.
    expect(page.locator("main")).to_contain_text("Fewer than 5 answers so far: not shown")

    summary = page.locator(
        "section", has=page.get_by_role("heading", name="Third-party assessments")
    )
    expect(summary.get_by_role("heading", level=3)).to_contain_text(f"Assessed by {ASSESSOR}")
    expect(summary).to_contain_text(f"Home care standards · {reference}")
    expect(summary).to_contain_text("Overall: Good (3.30 out of 4)")
    expect(summary.get_by_role("row", name=re.compile("^Dimension 1"))).to_contain_text("3.50")
    expect(summary.get_by_role("row", name=re.compile("^Dimension 2"))).to_contain_text("3.00")
    expect(summary).to_contain_text(SUMMARY_EN)
    expect(summary.get_by_role("link", name=f"Full report {reference} (PDF)")).to_be_visible()


def _messages(page):
    """The confirmations and errors the site shows at the top of the page."""
    return page.locator("main .messages")

"""Journey: from an award to a paid milestone on the public contract notice.

The commissioner of the city civil affairs bureau opens the awards of a complete
tender, makes the contract from the award (a KPI and a fixed milestone), sends it
for signature and signs it, typing the password again; the provider's administrator
signs too, and the contract is in force. The contract period began a few weeks ago,
so the first monthly report is due: the provider writes and submits it, and claims
the first instalment. The commissioner confirms the evidence, the bureau's finance
officer approves the payment, and anyone can read on the public contract notice that
the milestone is paid, and download the signed PDF.

Each person has their own browser and reads the site in English (what people type
stays Chinese). Celery runs eagerly: the PDF is rendered after the commit of the
request that sends the contract.
"""

import importlib
import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone
from playwright.sync_api import expect

from contracts.models import Contract, Milestone
from tests.browser.conftest import STEP_TIMEOUT_MS
from tests.browser.helpers import sign_in
from tests.factories.accounts import TEST_PASSWORD, AgencyFactory
from tests.factories.contracts import standing_award
from tests.factories.marketplace import (
    EvaluationTenderFactory,
    bidder_of,
    commissioner_of,
    finance_of,
)
from tests.factories.places import shanghai_district
from tests.factories.providers import VerifiedProviderFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TAXONOMY_MIGRATION = importlib.import_module("taxonomy.migrations.0002_need_categories_and_tiers")
PROVIDER = "Xuhui Sunshine Social Work Agency"
# Sending renders the PDF (WeasyPrint) and signing applies a signature: slower steps.
PDF_TIMEOUT_MS = 30_000


@pytest.fixture
def award(transactional_db):
    TAXONOMY_MIGRATION.load(apps, schema_editor=None)
    xuhui = shanghai_district("310104", name_zh="徐汇区", name_en="Xuhui District")
    bureau = AgencyFactory(name_zh="上海市民政局", name_en="Shanghai Civil Affairs Bureau")
    provider = VerifiedProviderFactory(
        organization__name_zh="徐汇阳光社工事务所", organization__name_en=PROVIDER
    )
    commissioner_of(bureau, username="commissioner", display_name="王建国")
    finance_of(bureau, username="finance", display_name="李会计")
    bidder_of(provider, role="provider_admin", username="ngo_admin", display_name="张主任")
    today = timezone.localdate()
    start = today - timedelta(days=40)
    tender = EvaluationTenderFactory(
        lead_agency=bureau,
        funded=False,
        title_zh="徐汇区居家养老服务项目",
        title_en="Home-based elderly care in Xuhui",
        areas=[xuhui],
        contract_start=start,
        contract_end=start.replace(year=start.year + 1) - timedelta(days=1),
    )
    award = standing_award(tender=tender)
    award.bid.provider = provider
    award.bid.save(update_fields=["provider"])
    return award


@pytest.fixture
def browser_of(browser, live_server):
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
        contexts.append(context)
        page = context.new_page()
        sign_in(page, username)
        return page

    open_for.outside_requests = outside_requests
    yield open_for
    for context in contexts:
        context.close()


def _sign(page):
    page.get_by_role("link", name="Read and sign version 1").click()
    page.get_by_label("I have read this version of the contract").check()
    page.get_by_label("Your password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign", exact=True).click(timeout=PDF_TIMEOUT_MS)
    expect(page.locator("main")).to_contain_text("is signed for", timeout=PDF_TIMEOUT_MS)


def test_an_award_becomes_a_signed_contract_whose_paid_milestone_the_public_reads(
    award, browser_of
):
    start = award.tender.contract_start
    commissioner = browser_of("commissioner")
    commissioner.goto(f"/app/tenders/{award.tender.uuid}/awards/")
    commissioner.get_by_role("link", name="Make the contract from this award, or open it").click()
    commissioner.select_option('select[name="report_every_months"]', "1")
    commissioner.fill('input[name="kpis-0-name_zh"]', "接收转介人次")
    commissioner.fill('input[name="kpis-0-unit"]', "人次")
    commissioner.fill('input[name="kpis-0-target"]', "120")
    commissioner.select_option('select[name="kpis-0-measured_by"]', "reported")
    commissioner.select_option('select[name="milestones-0-kind"]', "fixed")
    commissioner.fill('input[name="milestones-0-title_zh"]', "首期服务启动款")
    commissioner.fill('input[name="milestones-0-due_date"]', start.isoformat())
    commissioner.fill('input[name="milestones-0-amount"]', "100000.00")
    commissioner.get_by_role("button", name="Make the draft contract").click()
    expect(commissioner.locator("h2#next-title")).to_be_visible()
    contract = Contract.objects.get()
    commissioner.get_by_role("button", name="Send for signature").click(timeout=PDF_TIMEOUT_MS)
    expect(commissioner.get_by_role("link", name="Read and sign version 1")).to_be_visible(
        timeout=PDF_TIMEOUT_MS
    )
    _sign(commissioner)

    ngo = browser_of("ngo_admin")
    ngo.goto(f"/app/contracts/{contract.uuid}/")
    _sign(ngo)
    contract.refresh_from_db()
    assert contract.status == Contract.Status.ACTIVE

    # The first monthly report's period is over: the provider reports and claims.
    ngo.goto(f"/app/contracts/{contract.uuid}/")
    ngo.get_by_role("link", name="Report 1", exact=True).click()
    ngo.get_by_label("Outputs delivered").fill("上门服务86人次，新接案12人。")
    ngo.get_by_label("Narrative").fill("首月建立服务台账，与街道完成转介对接。")
    ngo.get_by_label(re.compile("接收转介人次")).fill("86")
    ngo.get_by_role("button", name="Submit to the agency").click()
    expect(ngo.locator("main")).to_contain_text("is submitted")
    ngo.goto(f"/app/contracts/{contract.uuid}/")
    ngo.get_by_role("button", name=re.compile("^Claim ")).click()
    expect(ngo.locator("main")).to_contain_text("the commissioner checks it")

    commissioner.goto(f"/app/contracts/{contract.uuid}/")
    commissioner.get_by_role("button", name="Confirm the evidence").click()
    expect(commissioner.locator("main")).to_contain_text("Evidence confirmed")

    finance = browser_of("finance")
    finance.goto(f"/app/contracts/{contract.uuid}/")
    finance.get_by_role("button", name="Approve the payment").click()
    expect(finance.locator("main")).to_contain_text("Paid ¥100,000.00 from the pooled budget")
    assert contract.milestones.get().status == Milestone.Status.PAID

    public = browser_of()
    public.goto(f"/contracts/{contract.uuid}/")
    expect(public.locator("main")).to_contain_text(contract.reference)
    expect(public.locator("main")).to_contain_text("首期服务启动款")
    expect(public.locator("main")).to_contain_text("100,000.00")
    with public.expect_download() as download:
        public.get_by_role("link", name=re.compile("signed PDF", re.I)).click()
    assert download.value.suggested_filename.endswith(".pdf")
    assert browser_of.outside_requests == []

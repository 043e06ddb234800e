"""The contract pages of the workspace: the contract made from an award, sent, signed
by both parties on the signing page, a milestone claimed, confirmed and approved by
somebody else, a report written and reviewed, a notice published — and 404 for
everybody outside the contract."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contracts.models import (
    Claim,
    Contract,
    ContractVersion,
    Milestone,
    PerformanceNotice,
    ProgressReport,
)
from contracts.services import payments
from tests.contracts.test_payments import _at
from tests.factories.accounts import TEST_PASSWORD, AgencyFactory
from tests.factories.contracts import (
    active_contract,
    contract_from_award,
    render_pending_documents,
    signatories,
    standing_award,
)
from tests.factories.marketplace import (
    EvaluationTenderFactory,
    bidder_of,
    commissioner_of,
    finance_of,
)
from tests.factories.providers import ProviderFactory

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(user)
    return client


def _detail(contract):
    return reverse("contracts:detail", args=[contract.uuid])


def test_the_commissioner_makes_the_contract_from_the_award_on_its_page():
    award = standing_award()
    commissioner = commissioner_of(award.tender.lead_agency)
    client = _client(commissioner)
    url = reverse("contracts:from_award", args=[award.uuid])
    page = client.get(url)
    assert page.status_code == 200
    assert award.tender.title_zh in page.content.decode()
    data = {
        "title_zh": "社区居家养老服务合同",
        "scope_zh": "上门照护。",
        "start_date": award.tender.contract_start.isoformat(),
        "end_date": award.tender.contract_end.isoformat(),
        "report_every_months": "3",
        "kpis-TOTAL_FORMS": "1",
        "kpis-INITIAL_FORMS": "0",
        "kpis-0-name_zh": "完成转介人数",
        "kpis-0-unit": "人",
        "kpis-0-target": "abc",
        "kpis-0-measured_by": "platform",
        "kpis-0-measure": "referrals_completed",
        "outcome_targets-TOTAL_FORMS": "0",
        "outcome_targets-INITIAL_FORMS": "0",
        "milestones-TOTAL_FORMS": "1",
        "milestones-INITIAL_FORMS": "0",
        "milestones-0-kind": "fixed",
        "milestones-0-title_zh": "首期款",
        "milestones-0-due_date": award.tender.contract_start.isoformat(),
        "milestones-0-amount": "100000.00",
    }
    refused = client.post(url, data)
    assert refused.status_code == 400  # a target that is not a number, said next to it
    assert not Contract.objects.exists()
    data["kpis-0-target"] = "200"
    made = client.post(url, data)
    contract = Contract.objects.get()
    assert made.status_code == 302 and made["Location"] == _detail(contract)
    assert contract.title_zh == "社区居家养老服务合同"
    assert contract.kpis.get().target == 200
    # Never twice for one award: the page goes to the contract it has.
    again = client.get(url)
    assert again.status_code == 302 and again["Location"] == _detail(contract)


def test_a_contract_cannot_be_made_from_the_page_before_the_standstill_ends():
    award = standing_award(standstill_ends_at=timezone.now() + timedelta(days=3))
    client = _client(commissioner_of(award.tender.lead_agency))
    url = reverse("contracts:from_award", args=[award.uuid])
    page = client.post(
        url,
        {
            "kpis-TOTAL_FORMS": "0",
            "kpis-INITIAL_FORMS": "0",
            "outcome_targets-TOTAL_FORMS": "0",
            "outcome_targets-INITIAL_FORMS": "0",
            "milestones-TOTAL_FORMS": "0",
            "milestones-INITIAL_FORMS": "0",
        },
    )
    assert page.status_code == 400
    assert "standstill" in page.content.decode()
    assert not Contract.objects.exists()


def test_sent_the_page_waits_for_the_pdf_then_both_parties_sign_on_the_signing_page():
    contract = contract_from_award()
    commissioner, provider_admin = signatories(contract)
    client = _client(commissioner)
    assert client.post(reverse("contracts:send", args=[contract.uuid])).status_code == 302
    waiting = client.get(_detail(contract))
    assert 'http-equiv="refresh"' in waiting.content.decode()
    render_pending_documents(contract)
    ready = client.get(_detail(contract)).content.decode()
    assert 'http-equiv="refresh"' not in ready
    sign_url = reverse("contracts:sign", args=[contract.uuid, 1])
    assert sign_url in ready
    document = contract.versions.get().document
    document.refresh_from_db()
    pdf = client.get(reverse("contracts:version_pdf", args=[contract.uuid, 1]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")

    wrong = client.post(
        sign_url, {"password": "nope", "shown_sha256": document.sha256, "confirm": "on"}
    )
    assert wrong.status_code == 400
    assert "password" in wrong.content.decode().lower()
    for user in (commissioner, provider_admin):
        shown = contract.versions.get().document.sha256
        signed = _client(user).post(
            sign_url, {"password": TEST_PASSWORD, "shown_sha256": shown, "confirm": "on"}
        )
        assert signed.status_code == 302, signed.content.decode()[:2000]
    contract.refresh_from_db()
    assert contract.status == Contract.Status.ACTIVE
    assert contract.versions.get().status == ContractVersion.Status.SIGNED


def test_claimed_confirmed_and_approved_from_the_contract_page():
    contract = active_contract()
    milestone = contract.milestones.get()
    admin = bidder_of(contract.provider, role="provider_admin")
    commissioner, finance = commissioner_of(contract.lead_agency), finance_of(contract.lead_agency)
    with time_machine.travel(_at(milestone.due_date + timedelta(days=1)), tick=False):
        page = _client(admin).get(_detail(contract)).content.decode()
        claim_url = reverse("contracts:claim", args=[milestone.pk])
        assert claim_url in page
        _client(admin).post(claim_url, {"note": "首期款"})
        claim = Claim.objects.get()
        # The provider cannot confirm its own claim: not its to touch, 404.
        assert (
            _client(admin).post(reverse("contracts:confirm_claim", args=[claim.uuid])).status_code
            == 404
        )
        _client(commissioner).post(reverse("contracts:confirm_claim", args=[claim.uuid]))
        _client(finance).post(reverse("contracts:approve_claim", args=[claim.uuid]))
    milestone.refresh_from_db()
    assert milestone.status == Milestone.Status.PAID
    page = _client(finance).get(_detail(contract)).content.decode()
    assert "Approve the payment" not in page  # nothing left to approve


def test_the_provider_writes_and_submits_a_report_and_the_commissioner_returns_it():
    contract = active_contract(
        kpis=[{"name_zh": "服务满意度", "unit": "%", "target": "90", "measured_by": "reported"}]
    )
    report = contract.reports.order_by("number").first()
    admin = bidder_of(contract.provider, role="provider_admin")
    url = reverse("contracts:report", args=[report.uuid])
    with time_machine.travel(_at(report.period_end + timedelta(days=1)), tick=False):
        page = _client(admin).get(url)
        assert page.status_code == 200
        missing = _client(admin).post(url, {"outputs": "", "narrative": "", "submit": "1"})
        assert missing.status_code == 400
        upload = SimpleUploadedFile(
            "签到表.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf"
        )
        _client(admin).post(
            reverse("contracts:add_attachment", args=[report.uuid]), {"file": upload}
        )
        assert report.attachments.count() == 1
        done = _client(admin).post(
            url,
            {"outputs": "上门服务120次", "narrative": "按计划完成。", "kpi_1": "93", "submit": "1"},
        )
        assert done.status_code == 302
        report.refresh_from_db()
        assert report.status == ProgressReport.Status.SUBMITTED
        commissioner = commissioner_of(contract.lead_agency)
        review = reverse("contracts:review_report", args=[report.uuid])
        _client(commissioner).post(review, {"decision": "return", "comments": ""})
        report.refresh_from_db()
        assert report.status == ProgressReport.Status.SUBMITTED  # comments are needed
        _client(commissioner).post(review, {"decision": "return", "comments": "请补充照片。"})
        report.refresh_from_db()
        assert (report.status, report.review_comments) == (
            ProgressReport.Status.RETURNED,
            "请补充照片。",
        )


def test_the_commissioner_publishes_a_performance_notice_from_the_contract_page():
    contract = active_contract()
    client = _client(commissioner_of(contract.lead_agency))
    opened = client.post(
        reverse("contracts:new_notice", args=[contract.uuid]), {"kind": "periodic"}
    )
    notice = PerformanceNotice.objects.get()
    assert opened["Location"] == reverse("contracts:notice", args=[notice.uuid])
    url = reverse("contracts:notice", args=[notice.uuid])
    refused = client.post(url, {"summary_zh": "", "publish": "1"})
    assert refused.status_code == 400
    client.post(url, {"summary_zh": "服务按期推进。", "rating_1": "good", "publish": "1"})
    notice.refresh_from_db()
    assert notice.status == PerformanceNotice.Status.PUBLISHED


@pytest.mark.parametrize("who", ["other provider", "other agency", "partner finance"])
def test_nobody_outside_the_contract_reaches_it_its_pdf_reports_or_claims(who):
    contract = active_contract()
    report = contract.reports.first()
    outsider = {
        "other provider": lambda: bidder_of(ProviderFactory(), role="provider_admin"),
        "other agency": lambda: commissioner_of(AgencyFactory()),
        "partner finance": lambda: finance_of(AgencyFactory()),
    }[who]()
    client = _client(outsider)
    for url in (
        _detail(contract),
        reverse("contracts:version_pdf", args=[contract.uuid, 1]),
        reverse("contracts:sign", args=[contract.uuid, 1]),
        reverse("contracts:report", args=[report.uuid]),
        reverse("contracts:edit", args=[contract.uuid]),
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(reverse("contracts:claim", args=[contract.milestones.get().pk])).status_code
        == 404
    )
    assert contract.reference not in client.get(reverse("contracts:list")).content.decode()


def test_the_list_costs_the_same_queries_for_one_contract_or_five(django_assert_num_queries):
    agency = AgencyFactory()
    commissioner = commissioner_of(agency)

    def contract_of_agency():
        award = standing_award(tender=EvaluationTenderFactory(lead_agency=agency, funded=False))
        return contract_from_award(award, actor=commissioner)

    contract_of_agency()
    client = _client(commissioner)
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("contracts:list")).status_code == 200
    for _ in range(4):
        contract_of_agency()
    with django_assert_num_queries(len(one.captured_queries)):
        page = client.get(reverse("contracts:list"))
    assert page.content.decode().count("<code>CT-") == 5 or len(page.context["contracts"]) == 5


def test_the_funder_sees_what_its_money_backs_committed_paid_per_year_and_left():
    partner = AgencyFactory()
    award = standing_award(contributions=["300000.00", (partner, "150000.00")])
    contract = active_contract(award)
    milestone = contract.milestones.get()
    with time_machine.travel(_at(milestone.due_date + timedelta(days=1)), tick=False):
        made = payments.claim_milestone(
            milestone=milestone, actor=bidder_of(contract.provider, role="provider_admin")
        )
        made = payments.confirm_claim(claim=made, actor=commissioner_of(contract.lead_agency))
        payment = payments.approve_claim(claim=made, actor=finance_of(contract.lead_agency))
    share = payment.shares.get(funder=partner)
    page = _client(finance_of(partner)).get(reverse("contracts:funding"))
    text = page.content.decode()
    assert contract.reference in text
    assert "¥150,000.00" in text  # the partner's share of the contract
    assert f"¥{share.amount:,.2f}" in text
    assert f"Paid in {timezone.localtime(payment.paid_at).year}" in text
    assert f"¥{Decimal('150000.00') - share.amount:,.2f}" in text  # still to pay
    # Another agency's finance officer sees nothing of it.
    other = _client(finance_of(AgencyFactory())).get(reverse("contracts:funding"))
    assert contract.reference not in other.content.decode()


def test_the_awards_page_leads_the_commissioner_to_the_contract_of_a_standing_award():
    award = standing_award()
    page = _client(commissioner_of(award.tender.lead_agency)).get(
        reverse("marketplace:tender_awards", args=[award.tender.uuid])
    )
    assert reverse("contracts:from_award", args=[award.uuid]) in page.content.decode()

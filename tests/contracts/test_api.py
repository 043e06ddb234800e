"""The contracts API: who sees a contract and its records (404 for everyone else), what a
milestone needs before it is claimed, claims confirmed and approved by two people, payments
split across the funders, progress reports and performance notices moved through the
services — each list in a fixed number of queries, every bad input a 400 naming the field."""

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from contracts.models import Claim, Contract, ProgressReport
from contracts.services import milestones as milestone_services
from contracts.services import notices as notice_services
from contracts.services import payments
from tests.factories.accounts import AgencyFactory, user_with_role
from tests.factories.contracts import (
    VALUE,
    active_contract,
    contract_from_award,
    milestone_input,
    standing_award,
)
from tests.factories.marketplace import (
    EvaluationTenderFactory,
    bidder_of,
    commissioner_of,
    finance_of,
)
from tests.factories.providers import VerifiedProviderFactory
from tests.openapi import assert_matches_schema

pytestmark = pytest.mark.django_db

SIGNING_IP = "203.0.113.7"  # what tests.factories.contracts.sign records


def client_for(user=None):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_authenticate(user)
    return client


def _at(day, hour=10):
    return timezone.make_aware(datetime.combine(day, time(hour)), timezone.get_current_timezone())


def in_force(contract, days=5):
    """Frozen time a few days into the contract's period (its first milestone is due)."""
    return time_machine.travel(_at(contract.start_date + timedelta(days=days)), tick=False)


def admin_of(contract):
    return bidder_of(contract.provider, role="provider_admin")


def contract_url(contract, rest=""):
    return f"/api/v1/contracts/{contract.uuid}/{rest}"


@pytest.fixture
def partner():
    return AgencyFactory(name_zh="区残联", name_en="District Disabled Persons' Federation")


@pytest.fixture
def contract(partner):
    """Active, worth ¥450,000: ¥300,000 from the lead agency, ¥150,000 from the partner."""
    return active_contract(standing_award(contributions=["300000.00", (partner, "150000.00")]))


def claim_through_api(contract, milestone=1):
    with in_force(contract):
        return client_for(admin_of(contract)).post(
            "/api/v1/claims/",
            {"contract": str(contract.uuid), "milestone": milestone, "note": "首期款"},
            format="json",
        )


def paid_claim(contract, milestone):
    payments.approve_claim(
        claim=payments.confirm_claim(
            claim=payments.claim_milestone(milestone=milestone, actor=admin_of(contract)),
            actor=commissioner_of(contract.lead_agency),
        ),
        actor=finance_of(contract.lead_agency),
    )


# --- who sees a contract ------------------------------------------------------------


def test_a_party_opens_the_contract_with_its_parties_terms_and_milestones(contract, partner):
    response = client_for(commissioner_of(contract.lead_agency)).get(contract_url(contract))

    assert response.status_code == 200
    data = response.json()
    assert (data["reference"], data["status"]) == (contract.reference, "active")
    assert data["lead_agency"]["uuid"] == str(contract.lead_agency.uuid)
    assert data["provider"]["uuid"] == str(contract.provider.organization.uuid)
    assert Decimal(data["value"]) == VALUE
    assert (data["start_date"], data["end_date"]) == (
        contract.start_date.isoformat(),
        contract.end_date.isoformat(),
    )
    assert data["categories"] == [c.code for c in contract.categories.all()]
    assert data["areas"] == [a.code for a in contract.areas.all()]
    assert {row["funder"]["uuid"]: row["amount"] for row in data["funding"]} == {
        str(contract.lead_agency.uuid): "300000.00",
        str(partner.uuid): "150000.00",
    }
    assert [kpi["measure"] for kpi in data["kpis"]] == ["referrals_completed"]
    [milestone] = data["milestones"]
    assert milestone["status"] == "pending"
    assert milestone["claimable"] is False
    assert contract.start_date.isoformat() in milestone["not_claimable_because"]


def test_a_fixed_milestone_is_claimable_once_its_date_has_come(contract):
    with in_force(contract):
        response = client_for(bidder_of(contract.provider)).get(contract_url(contract))

    [milestone] = response.json()["milestones"]
    assert milestone["claimable"] is True
    assert milestone["not_claimable_because"] == ""
    assert milestone["claim_amount"] == "100000.00"


def test_the_list_shows_milestones_without_working_out_whether_they_are_claimable(contract):
    response = client_for(commissioner_of(contract.lead_agency)).get("/api/v1/contracts/")

    [row] = response.json()["results"]
    assert row["uuid"] == str(contract.uuid)
    [milestone] = row["milestones"]
    assert milestone["status"] == "pending"
    assert "claimable" not in milestone


def test_the_list_the_contract_and_its_milestones_match_the_schema(contract):
    """The list's milestones leave out the claim fields, the contract's have them (and a
    milestone no longer pending has no claim amount); blank kinds of outcome answer ""."""
    commissioner = commissioner_of(contract.lead_agency)
    client = client_for(commissioner)
    [milestone] = contract.milestones.all()
    milestone_services.waive_milestone(
        milestone=milestone, actor=commissioner, reason="服务对象已迁出"
    )

    answers = {
        "/api/v1/contracts/": client.get("/api/v1/contracts/"),
        "/api/v1/contracts/{uuid}/": client.get(contract_url(contract)),
        "/api/v1/contracts/{uuid}/milestones/": client.get(contract_url(contract, "milestones/")),
    }

    assert [answer.status_code for answer in answers.values()] == [200, 200, 200]
    [waived] = answers["/api/v1/contracts/{uuid}/milestones/"].json()
    assert (waived["status"], waived["outcome_kind"], waived["claim_amount"]) == (
        "waived",
        "",
        None,
    )
    for path, answer in answers.items():
        assert_matches_schema(answer, "GET", path)


def test_a_funders_finance_officer_follows_the_money_but_not_the_reports(contract, partner):
    claim = claim_through_api(contract).json()
    client = client_for(finance_of(partner))

    assert client.get(contract_url(contract)).status_code == 200
    assert client.get(f"/api/v1/claims/{claim['uuid']}/").status_code == 200
    report = contract.reports.first()
    assert client.get(f"/api/v1/progress-reports/{report.uuid}/").status_code == 404
    assert client.get("/api/v1/progress-reports/").json()["results"] == []


def test_people_are_named_to_the_parties_only(contract, partner):
    claim = claim_through_api(contract).json()
    assert "claimed_by" in claim  # the provider's administrator is a party

    as_funder = client_for(finance_of(partner)).get(f"/api/v1/claims/{claim['uuid']}/").json()

    assert "claimed_by" not in as_funder
    assert as_funder["status"] == "submitted"


@pytest.mark.parametrize(
    "make_user",
    [
        lambda contract: bidder_of(VerifiedProviderFactory(), role="provider_admin"),
        lambda contract: commissioner_of(AgencyFactory()),
        lambda contract: user_with_role("caseworker", contract.lead_agency),
    ],
    ids=["provider not party", "another agency's commissioner", "lead agency's caseworker"],
)
def test_a_contract_and_its_records_answer_404_outside_the_users_scope(contract, make_user):
    claim = claim_through_api(contract).json()
    report = contract.reports.first()
    client = client_for(make_user(contract))

    for url in (
        contract_url(contract),
        contract_url(contract, "versions/"),
        contract_url(contract, "milestones/"),
        contract_url(contract, "notices/"),
        f"/api/v1/claims/{claim['uuid']}/",
        f"/api/v1/progress-reports/{report.uuid}/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/api/v1/claims/{claim['uuid']}/confirm/").status_code == 404
    assert client.post(f"/api/v1/progress-reports/{report.uuid}/submit/").status_code == 404
    for url in ("/api/v1/contracts/", "/api/v1/claims/", "/api/v1/progress-reports/"):
        assert client.get(url).json()["results"] == [], url


def test_contracts_need_a_signed_in_user(contract):
    assert client_for().get("/api/v1/contracts/").status_code in (401, 403)
    assert client_for().get(contract_url(contract)).status_code in (401, 403)


def test_a_malformed_uuid_answers_404_not_500(contract):
    client = client_for(commissioner_of(contract.lead_agency))

    assert client.get("/api/v1/contracts/------------------------------------/").status_code == 404
    assert client.get("/api/v1/payments/------------------------------------/").status_code == 404


# --- versions and signatures -------------------------------------------------------


def test_versions_show_who_signed_for_each_party_but_never_the_ip_address(contract):
    response = client_for(bidder_of(contract.provider)).get(contract_url(contract, "versions/"))

    assert response.status_code == 200
    [version] = response.json()
    assert (version["number"], version["status"]) == (1, "signed")
    assert version["document"]["status"] == "ready"
    parties = {s["party"]: s for s in version["signatures"]}
    assert set(parties) == {"agency", "provider"}
    assert parties["provider"]["organization"]["uuid"] == str(contract.provider.organization.uuid)
    assert parties["agency"]["signer_name"]
    assert SIGNING_IP not in response.content.decode()


def test_a_funder_sees_the_signatures_without_the_signatories_names(contract, partner):
    response = client_for(finance_of(partner)).get(contract_url(contract, "versions/1/"))

    assert response.status_code == 200
    signatures = response.json()["signatures"]
    assert len(signatures) == 2
    assert all("signer_name" not in s and s["signed_at"] for s in signatures)


def test_a_version_that_does_not_exist_answers_404(contract):
    client = client_for(commissioner_of(contract.lead_agency))

    assert client.get(contract_url(contract, "versions/9/")).status_code == 404


def test_signing_is_not_offered_and_the_schema_says_so(contract):
    client = client_for(commissioner_of(contract.lead_agency))

    assert client.post(contract_url(contract, "sign/")).status_code == 404
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert "Signing is not offered over the API" in schema.content.decode()


# --- the contract's moves ------------------------------------------------------------


def test_a_commissioner_sends_a_complete_draft_for_signature():
    draft = contract_from_award()

    response = client_for(commissioner_of(draft.lead_agency)).post(
        contract_url(draft, "send/"), {}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "awaiting_signatures"


def test_a_suspension_needs_a_reason_and_stops_claims_until_resumed(contract):
    client = client_for(commissioner_of(contract.lead_agency))

    missing = client.post(contract_url(contract, "suspend/"), {"reason": " "}, format="json")
    assert missing.status_code == 400
    assert "reason" in missing.json()["errors"]

    suspended = client.post(
        contract_url(contract, "suspend/"), {"reason": "安全评估期间暂停。"}, format="json"
    )
    assert suspended.json()["status"] == "suspended"
    with in_force(contract):
        [milestone] = client.get(contract_url(contract, "milestones/")).json()
    assert milestone["claimable"] is False
    assert "suspended" in milestone["not_claimable_because"]

    resumed = client.post(contract_url(contract, "resume/"), {}, format="json")
    assert resumed.json()["status"] == "active"


def test_only_a_commissioner_of_the_lead_agency_ends_a_contract(contract):
    response = client_for(admin_of(contract)).post(
        contract_url(contract, "terminate/"), {"reason": "不再需要。"}, format="json"
    )

    assert response.status_code == 403
    contract.refresh_from_db()
    assert contract.status == Contract.Status.ACTIVE


def test_completion_is_refused_while_a_milestone_is_pending(contract):
    response = client_for(commissioner_of(contract.lead_agency)).post(
        contract_url(contract, "complete/"), {}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "milestones_pending"


# --- claims and payments -------------------------------------------------------------


def test_claimed_confirmed_and_approved_the_payment_is_split_across_the_funders(contract, partner):
    claimed = claim_through_api(contract)
    assert claimed.status_code == 201, claimed.json()
    claim = claimed.json()
    assert (claim["status"], claim["amount"]) == ("submitted", "100000.00")
    assert claim["milestone"]["number"] == 1

    with in_force(contract):
        confirmed = client_for(commissioner_of(contract.lead_agency)).post(
            f"/api/v1/claims/{claim['uuid']}/confirm/", {"note": "已核对"}, format="json"
        )
        assert confirmed.json()["status"] == "confirmed"
        approved = client_for(finance_of(contract.lead_agency)).post(
            f"/api/v1/claims/{claim['uuid']}/approve/"
        )

    assert approved.status_code == 200, approved.json()
    assert approved.json()["status"] == "approved"
    payment = client_for(finance_of(partner)).get(f"/api/v1/payments/{approved.json()['payment']}/")
    assert payment.status_code == 200
    shares = {s["funder"]["uuid"]: Decimal(s["amount"]) for s in payment.json()["shares"]}
    assert shares == {
        str(contract.lead_agency.uuid): Decimal("66666.67"),
        str(partner.uuid): Decimal("33333.33"),
    }
    assert "approved_by" not in payment.json()  # the funder is not a party


def test_a_commissioner_cannot_approve_a_payment(contract):
    claim = claim_through_api(contract).json()
    client = client_for(commissioner_of(contract.lead_agency))
    with in_force(contract):
        client.post(f"/api/v1/claims/{claim['uuid']}/confirm/")
        response = client.post(f"/api/v1/claims/{claim['uuid']}/approve/")

    assert response.status_code == 403
    assert Claim.objects.get(uuid=claim["uuid"]).status == Claim.Status.CONFIRMED


def test_a_milestone_not_yet_due_is_refused_with_the_reason(contract):
    response = client_for(admin_of(contract)).post(
        "/api/v1/claims/", {"contract": str(contract.uuid), "milestone": 1}, format="json"
    )

    assert response.status_code == 400
    assert contract.start_date.isoformat() in response.json()["detail"]


def test_a_second_claim_of_the_same_milestone_is_refused(contract):
    assert claim_through_api(contract).status_code == 201

    again = claim_through_api(contract)

    assert again.status_code == 400
    assert again.json()["code"] == "already_claimed"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"contract": None}, "contract"),
        ({"contract": "not-a-uuid"}, "contract"),
        ({"contract": "00000000-0000-0000-0000-000000000000"}, "contract"),
        ({"milestone": 7}, "milestone"),
        ({"milestone": "first"}, "milestone"),
        ({"milestone": 0}, "milestone"),
    ],
    ids=["no contract", "not a uuid", "no such contract", "no such milestone", "not a number", "0"],
)
def test_a_bad_claim_is_a_400_naming_the_field(contract, body, field):
    body = {"contract": str(contract.uuid), "milestone": 1, **body}

    with in_force(contract):
        response = client_for(admin_of(contract)).post("/api/v1/claims/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_a_contract_out_of_scope_cannot_be_claimed_on_and_says_nothing_about_it(contract):
    stranger = bidder_of(VerifiedProviderFactory(), role="provider_admin")

    with in_force(contract):
        response = client_for(stranger).post(
            "/api/v1/claims/", {"contract": str(contract.uuid), "milestone": 1}, format="json"
        )

    assert response.status_code == 400
    assert response.json()["errors"] == {"contract": ["No such contract."]}


def test_returning_a_claim_needs_a_reason(contract):
    claim = claim_through_api(contract).json()
    client = client_for(commissioner_of(contract.lead_agency))

    missing = client.post(f"/api/v1/claims/{claim['uuid']}/return/", {}, format="json")
    returned = client.post(
        f"/api/v1/claims/{claim['uuid']}/return/", {"reason": "缺少签到表。"}, format="json"
    )

    assert missing.status_code == 400 and "reason" in missing.json()["errors"]
    assert returned.json()["status"] == "returned"
    assert returned.json()["returned_reason"] == "缺少签到表。"


def test_provider_staff_cannot_claim(contract):
    with in_force(contract):
        response = client_for(bidder_of(contract.provider)).post(
            "/api/v1/claims/", {"contract": str(contract.uuid), "milestone": 1}, format="json"
        )

    assert response.status_code == 403


# --- progress reports -----------------------------------------------------------------


@pytest.fixture
def report(contract):
    return contract.reports.get(number=1)


def after_period(report):
    return time_machine.travel(_at(report.period_end + timedelta(days=1)), tick=False)


def report_url(report, rest=""):
    return f"/api/v1/progress-reports/{report.uuid}/{rest}"


def test_the_provider_keeps_a_draft_and_submits_once_the_period_is_over(contract, report):
    client = client_for(admin_of(contract))

    saved = client.patch(report_url(report), {"outputs": "上门服务 320 人次"}, format="json")
    assert saved.status_code == 200, saved.json()
    assert saved.json()["outputs"] == "上门服务 320 人次"
    early = client.post(report_url(report, "submit/"), {"narrative": "按计划推进。"}, format="json")
    assert early.status_code == 400
    assert early.json()["code"] == "period_not_over"

    with after_period(report):
        submitted = client.post(
            report_url(report, "submit/"), {"narrative": "按计划推进。"}, format="json"
        )

    assert submitted.status_code == 200, submitted.json()
    data = submitted.json()
    assert data["status"] == "submitted"
    assert data["outputs"] == "上门服务 320 人次"  # kept: only the narrative was sent
    assert [row["from_platform"] for row in data["actuals"]] == [True]


def test_submitting_an_empty_report_is_a_400_naming_each_field(contract, report):
    with after_period(report):
        response = client_for(admin_of(contract)).post(report_url(report, "submit/"))

    assert response.status_code == 400
    assert {"outputs", "narrative"} <= set(response.json()["errors"])


def test_a_figure_that_is_not_a_number_is_a_400_not_a_500(contract, report):
    response = client_for(admin_of(contract)).patch(
        report_url(report), {"actuals": [{"kpi": 1, "value": "many"}]}, format="json"
    )

    assert response.status_code == 400
    assert "actuals" in response.json()["errors"]


def test_the_commissioner_returns_with_comments_and_accepts_the_next_submission(contract, report):
    provider = client_for(admin_of(contract))
    agency = client_for(commissioner_of(contract.lead_agency))
    text = {"outputs": "上门服务 320 人次", "narrative": "按计划推进。"}
    with after_period(report):
        provider.post(report_url(report, "submit/"), text, format="json")
        no_comments = agency.post(report_url(report, "return/"), {}, format="json")
        returned = agency.post(
            report_url(report, "return/"), {"comments": "请补充满意度调查。"}, format="json"
        )
        provider.post(report_url(report, "submit/"), {}, format="json")
        accepted = agency.post(report_url(report, "accept/"), {}, format="json")

    assert no_comments.status_code == 400 and "comments" in no_comments.json()["errors"]
    assert returned.json()["status"] == "returned"
    assert accepted.json()["status"] == "accepted"
    assert accepted.json()["reviewed_by"]["name"]


def test_attachments_are_listed_by_name_and_size_only(contract, report):
    report.attachments.create(
        name="签到表.pdf", content_type="application/pdf", size=2048, file="x/签到表.pdf"
    )

    response = client_for(bidder_of(contract.provider)).get(report_url(report))

    assert response.json()["attachments"] == [{"name": "签到表.pdf", "size": 2048}]


def test_provider_staff_cannot_write_the_report(contract, report):
    response = client_for(bidder_of(contract.provider)).patch(
        report_url(report), {"outputs": "..."}, format="json"
    )

    assert response.status_code == 403
    assert ProgressReport.objects.get(pk=report.pk).outputs == ""


# --- performance notices ------------------------------------------------------------


def test_a_commissioner_drafts_rates_and_publishes_a_performance_notice(contract):
    client = client_for(commissioner_of(contract.lead_agency))
    with in_force(contract, days=30):
        drafted = client.post(contract_url(contract, "notices/"), {}, format="json")
    assert drafted.status_code == 201, drafted.json()
    notice = drafted.json()
    assert (notice["kind"], notice["status"]) == ("periodic", "draft")
    assert [(r["kpi"], r["rating"]) for r in notice["ratings"]] == [(1, "")]
    url = f"/api/v1/performance-notices/{notice['uuid']}/"

    incomplete = client.post(f"{url}publish/", {}, format="json")
    assert incomplete.status_code == 400
    assert {"rating_1", "summary_zh"} <= set(incomplete.json()["errors"])

    published = client.post(
        f"{url}publish/",
        {"summary_zh": "服务按计划推进。", "ratings": [{"kpi": 1, "rating": "good"}]},
        format="json",
    )
    assert published.status_code == 200, published.json()
    assert published.json()["status"] == "published"
    assert published.json()["ratings"][0]["rating"] == "good"
    assert client.post(f"{url}publish/", {}, format="json").status_code == 400


def test_an_unknown_rating_is_a_400_on_the_ratings(contract):
    with in_force(contract, days=30):
        notice = notice_services.draft_notice(
            contract=contract, actor=commissioner_of(contract.lead_agency)
        )

    response = client_for(commissioner_of(contract.lead_agency)).patch(
        f"/api/v1/performance-notices/{notice.uuid}/",
        {"ratings": [{"kpi": 1, "rating": "excellent"}]},
        format="json",
    )

    assert response.status_code == 400
    assert "ratings" in response.json()["errors"]


def test_the_assessment_at_the_end_waits_for_the_end(contract):
    response = client_for(commissioner_of(contract.lead_agency)).post(
        contract_url(contract, "notices/"), {"final": True}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "not_ended"


def test_only_the_commissioner_writes_a_notice(contract):
    response = client_for(admin_of(contract)).post(
        contract_url(contract, "notices/"), {}, format="json"
    )

    assert response.status_code == 403


# --- a fixed number of queries --------------------------------------------------------


def contracts_of(lead, partner, count):
    """``count`` active contracts of ``lead``, each with a paid claim and a draft notice."""
    made = []
    for _ in range(count):
        tender = EvaluationTenderFactory(funded=False, max_value=VALUE, lead_agency=lead)
        contract = active_contract(
            standing_award(tender=tender, contributions=["300000.00", (partner, "150000.00")])
        )
        with in_force(contract):
            paid_claim(contract, contract.milestones.get())
            notice_services.draft_notice(contract=contract, actor=commissioner_of(lead))
        made.append(contract)
    return made


LIST_QUERIES = {
    "/api/v1/contracts/": 8,
    "/api/v1/claims/": 2,
    "/api/v1/payments/": 3,
    "/api/v1/progress-reports/": 4,
    "/api/v1/performance-notices/": 3,
}


@pytest.mark.parametrize("count", [1, 3])
def test_every_list_runs_a_fixed_number_of_queries(partner, count, django_assert_num_queries):
    lead = AgencyFactory()
    contracts_of(lead, partner, count)
    commissioner = commissioner_of(lead)
    client = client_for(commissioner)
    client.get("/api/v1/contracts/")  # the user's roles are read once and kept

    for url, queries in LIST_QUERIES.items():
        with django_assert_num_queries(queries):
            response = client.get(url)
        assert response.status_code == 200
        expected = count * 4 if "reports" in url else count
        assert response.json()["count"] == expected, url


@pytest.mark.parametrize("count", [1, 3])
def test_a_contracts_milestones_are_read_in_a_fixed_number_of_queries(
    count, django_assert_num_queries
):
    award = standing_award()
    start = award.tender.contract_start
    contract = active_contract(
        award,
        milestones=[
            milestone_input(start, title_zh=f"第{n}期", amount=Decimal("100000.00"))
            for n in range(1, count + 1)
        ],
    )
    client = client_for(commissioner_of(contract.lead_agency))
    client.get(contract_url(contract))

    with in_force(contract), django_assert_num_queries(10):
        response = client.get(contract_url(contract, "milestones/"))

    assert [m["claimable"] for m in response.json()] == [True] * count

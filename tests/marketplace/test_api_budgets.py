"""The budgets API: the lead agency and the funders see a budget and its ledger, nobody else;
commissioners record contributions and only the funder's finance officer approves them."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from marketplace.models import Contribution
from tests.factories.accounts import TEST_PASSWORD, AgencyFactory, user_with_role
from tests.factories.marketplace import (
    ContributionFactory,
    PendingContributionFactory,
    PooledBudgetFactory,
    commissioner_of,
    finance_of,
    this_year,
)
from tests.factories.taxonomy import need_category

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def lead():
    return AgencyFactory(name_zh="市民政局", name_en="Municipal Civil Affairs Bureau")


@pytest.fixture
def partner():
    return AgencyFactory(name_zh="区残联", name_en="District Disabled Persons' Federation")


@pytest.fixture
def budget(lead, partner):
    budget = PooledBudgetFactory(lead_agency=lead, name_zh="养老服务资金池")
    ContributionFactory(budget=budget, funder=lead, amount=Decimal("600000.00"))
    ContributionFactory(budget=budget, funder=partner, amount=Decimal("400000.00"))
    return budget


def as_user(api, user):
    api.force_authenticate(user)
    return api


def detail_url(budget):
    return f"/api/v1/budgets/{budget.uuid}/"


# --- who sees a budget ----------------------------------------------------------------


def test_lead_commissioner_sees_the_budget_with_its_ledger_per_funder(api, budget, lead, partner):
    response = as_user(api, commissioner_of(lead)).get(detail_url(budget))

    assert response.status_code == 200
    data = response.json()
    assert data["name_zh"] == "养老服务资金池"
    assert data["lead_agency"]["uuid"] == str(lead.uuid)
    ledger = data["ledger"]
    assert Decimal(ledger["contributed"]) == Decimal("1000000.00")
    shares = {line["funder"]["uuid"]: Decimal(line["contributed"]) for line in ledger["funders"]}
    assert shares == {str(lead.uuid): Decimal("600000.00"), str(partner.uuid): Decimal("400000.00")}
    assert len(data["contributions"]) == 2


def test_a_ledger_summing_past_what_one_amount_holds_is_still_shown(api, lead):
    big = PooledBudgetFactory(lead_agency=lead)
    largest = Decimal("999999999999.99")  # the most one contribution may be (14 digits)
    for year_offset in range(3):
        ContributionFactory(
            budget=big, funder=lead, amount=largest, year=big.first_year + year_offset
        )

    response = as_user(api, commissioner_of(lead)).get(detail_url(big))

    assert response.status_code == 200
    assert Decimal(response.json()["ledger"]["contributed"]) == largest * 3


def test_a_funders_finance_officer_sees_the_budget_it_pays_into(api, budget, partner):
    response = as_user(api, finance_of(partner)).get("/api/v1/budgets/")

    assert [row["uuid"] for row in response.json()["results"]] == [str(budget.uuid)]


@pytest.mark.parametrize(
    "make_user",
    [
        lambda: commissioner_of(AgencyFactory()),
        lambda: user_with_role("caseworker"),
        lambda: user_with_role("provider_admin"),
    ],
    ids=["another agency's commissioner", "caseworker", "provider"],
)
def test_a_budget_outside_the_users_scope_answers_404(api, budget, make_user):
    client = as_user(api, make_user())

    assert client.get(detail_url(budget)).status_code == 404
    assert client.get(f"{detail_url(budget)}contributions/").status_code == 404
    assert client.get("/api/v1/budgets/").json()["results"] == []


def test_budgets_need_a_signed_in_user(api, budget):
    assert api.get("/api/v1/budgets/").status_code in (401, 403)
    assert api.get(detail_url(budget)).status_code in (401, 403)


def test_a_token_from_the_token_endpoint_opens_the_budgets(api, budget, lead):
    commissioner = commissioner_of(lead)
    token = api.post(
        "/api/v1/auth/token/", {"username": commissioner.username, "password": TEST_PASSWORD}
    ).json()["token"]

    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    assert api.get(detail_url(budget)).status_code == 200


def test_the_budget_list_runs_a_fixed_number_of_queries(api, lead):
    client = as_user(api, commissioner_of(lead))
    client.get("/api/v1/budgets/")  # the user's roles are read once and kept

    def queries_for(count):
        for _ in range(count):
            ContributionFactory(budget=PooledBudgetFactory(lead_agency=lead))
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/api/v1/budgets/")
        assert response.status_code == 200
        return len(queries), response.json()["count"]

    small, listed_small = queries_for(2)
    large, listed_large = queries_for(5)

    assert (listed_small, listed_large) == (2, 7)
    assert small == large


# --- creating budgets and recording contributions -------------------------------------


def test_a_commissioner_creates_a_budget_for_their_agency(api, lead):
    response = as_user(api, commissioner_of(lead)).post(
        "/api/v1/budgets/",
        {"name_zh": "儿童福利资金池", "first_year": this_year(), "last_year": this_year() + 1},
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["lead_agency"]["uuid"] == str(lead.uuid)
    assert response.json()["ledger"]["funders"] == []


def test_years_in_the_wrong_order_are_a_400_with_field_errors(api, lead):
    response = as_user(api, commissioner_of(lead)).post(
        "/api/v1/budgets/",
        {"name_zh": "资金池", "first_year": this_year() + 1, "last_year": this_year()},
        format="json",
    )

    assert response.status_code == 400
    assert "last_year" in response.json()["errors"]


def test_missing_fields_are_a_400_naming_each_field(api, lead):
    response = as_user(api, commissioner_of(lead)).post("/api/v1/budgets/", {}, format="json")

    assert response.status_code == 400
    assert {"name_zh", "first_year", "last_year"} <= set(response.json()["errors"])


def test_only_commissioners_create_budgets(api):
    response = as_user(api, user_with_role("finance")).post(
        "/api/v1/budgets/",
        {"name_zh": "资金池", "first_year": this_year(), "last_year": this_year()},
        format="json",
    )

    assert response.status_code == 403


def test_the_lead_commissioner_records_a_pledge_that_counts_once_the_funder_approves(
    api, budget, lead, partner
):
    elderly_care = need_category("social-services.elderly-care")
    response = as_user(api, commissioner_of(lead)).post(
        f"{detail_url(budget)}contributions/",
        {
            "funder": str(partner.uuid),
            "amount": "250000.00",
            "year": budget.first_year,
            "source": Contribution.Source.WELFARE_LOTTERY,
            "earmarked_categories": [elderly_care.code],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    pledge = response.json()
    assert pledge["status"] == "pending"
    assert pledge["earmarked_categories"] == [elderly_care.code]

    approved = as_user(APIClient(), finance_of(partner)).post(
        f"/api/v1/contributions/{pledge['uuid']}/approve/"
    )

    assert approved.status_code == 200
    assert approved.json()["status"] == "approved"
    ledger = as_user(api, commissioner_of(lead)).get(detail_url(budget)).json()["ledger"]
    assert Decimal(ledger["contributed"]) == Decimal("1250000.00")


def test_a_contribution_in_a_year_outside_the_budget_is_a_400_on_year(api, budget, lead):
    response = as_user(api, commissioner_of(lead)).post(
        f"{detail_url(budget)}contributions/",
        {
            "funder": str(lead.uuid),
            "amount": "1000.00",
            "year": budget.last_year + 1,
            "source": Contribution.Source.GENERAL_BUDGET,
        },
        format="json",
    )

    assert response.status_code == 400
    assert "year" in response.json()["errors"]


def test_an_unknown_funder_or_source_is_a_400_on_that_field(api, budget, lead):
    response = as_user(api, commissioner_of(lead)).post(
        f"{detail_url(budget)}contributions/",
        {
            "funder": "00000000-0000-0000-0000-000000000000",
            "amount": "not money",
            "year": budget.first_year,
            "source": "lottery",
        },
        format="json",
    )

    assert response.status_code == 400
    assert {"funder", "amount", "source"} <= set(response.json()["errors"])


def test_the_lead_commissioner_cannot_approve_another_funders_money(api, budget, lead, partner):
    pledge = PendingContributionFactory(budget=budget, funder=partner)

    response = as_user(api, commissioner_of(lead)).post(
        f"/api/v1/contributions/{pledge.uuid}/approve/"
    )

    assert response.status_code == 403
    pledge.refresh_from_db()
    assert pledge.status == Contribution.Status.PENDING


def test_a_contribution_of_a_budget_out_of_scope_answers_404(api, budget, partner):
    pledge = PendingContributionFactory(budget=budget, funder=partner)
    stranger = finance_of(AgencyFactory())

    client = as_user(api, stranger)

    assert client.get(f"/api/v1/contributions/{pledge.uuid}/").status_code == 404
    assert client.post(f"/api/v1/contributions/{pledge.uuid}/approve/").status_code == 404


def test_approving_twice_is_a_400_saying_why(api, budget, partner):
    pledge = PendingContributionFactory(budget=budget, funder=partner)
    client = as_user(api, finance_of(partner))
    client.post(f"/api/v1/contributions/{pledge.uuid}/approve/")

    response = client.post(f"/api/v1/contributions/{pledge.uuid}/approve/")

    assert response.status_code == 400
    assert "cannot become" in response.json()["detail"]

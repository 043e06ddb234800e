"""The tenders API: published tenders are public and filterable, drafts stay with their agency,
and only the lead agency's commissioners draft, publish, amend and cancel."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from marketplace.models import Tender
from tests.factories.accounts import AgencyFactory, user_with_role
from tests.factories.marketplace import (
    ContributionFactory,
    PooledBudgetFactory,
    PublishedTenderFactory,
    SubmittedBidFactory,
    TenderFactory,
    TenderingTenderFactory,
    commissioner_of,
    criteria_input,
)
from tests.factories.places import DistrictFactory, shanghai_district
from tests.factories.providers import PDF_BYTES
from tests.factories.taxonomy import need_category

pytestmark = pytest.mark.django_db

ELDERLY_CARE = "social-services.elderly-care"
DIBAO = "basic-living.dibao"


@pytest.fixture
def api():
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def agency():
    return AgencyFactory()


@pytest.fixture
def commissioner(agency):
    return commissioner_of(agency)


@pytest.fixture
def budget(agency):
    budget = PooledBudgetFactory(lead_agency=agency)
    ContributionFactory(budget=budget, amount=Decimal("2000000.00"))
    return budget


def as_user(api, user):
    api.force_authenticate(user)
    return api


def moment(**delta) -> str:
    return (timezone.now() + timedelta(**delta)).isoformat()


def new_tender(budget, area, **overrides) -> dict:
    start = timezone.localdate() + timedelta(days=40)
    payload = {
        "budget": str(budget.uuid),
        "title_zh": "高龄独居老人居家照护服务",
        "title_en": "Home care for older people living alone",
        "description_zh": "为辖区高龄独居老人提供上门照护服务。",
        "max_value": "800000.00",
        "categories": [ELDERLY_CARE],
        "areas": [area.code],
        "enquiry_deadline": moment(days=10),
        "submission_deadline": moment(days=20),
        "contract_start": start.isoformat(),
        "contract_end": start.replace(year=start.year + 2).isoformat(),
        "criteria": criteria_input(),
        "lots": [
            {"title_zh": "第一标段", "max_value": "500000.00"},
            {"title_zh": "第二标段", "max_value": "300000.00"},
        ],
    }
    payload.update(overrides)
    return payload


def tender_url(tender, suffix=""):
    return f"/api/v1/tenders/{tender.uuid}/{suffix}"


# --- public reads -------------------------------------------------------------------


def test_anyone_lists_published_tenders_but_no_drafts(api):
    published = PublishedTenderFactory()
    TenderFactory()  # a draft

    response = api.get("/api/v1/tenders/")

    assert response.status_code == 200
    assert [row["uuid"] for row in response.json()["results"]] == [str(published.uuid)]


def test_a_tender_is_found_by_uuid_or_by_reference(api):
    tender = PublishedTenderFactory(reference="SH-MCA-2026-0007")

    by_uuid = api.get(tender_url(tender))
    by_reference = api.get("/api/v1/tenders/SH-MCA-2026-0007/")

    assert by_uuid.status_code == by_reference.status_code == 200
    assert by_uuid.json() == by_reference.json()
    data = by_uuid.json()
    assert data["reference"] == "SH-MCA-2026-0007"
    assert [lot["number"] for lot in data["lots"]] == [1]
    assert sum(criterion["weight"] for criterion in data["criteria"]) == 100
    assert data["bids_sealed"] is True
    # Deadlines carry their time zone.
    assert data["submission_deadline"].endswith("+08:00")


def test_a_draft_is_seen_by_its_agency_only(api, agency, commissioner):
    draft = TenderFactory(lead_agency=agency)

    assert as_user(api, commissioner).get(tender_url(draft)).status_code == 200
    assert APIClient().get(tender_url(draft)).status_code == 404
    for outsider in (commissioner_of(AgencyFactory()), user_with_role("platform_admin")):
        assert as_user(APIClient(), outsider).get(tender_url(draft)).status_code == 404


def test_tenders_filter_by_status_category_area_and_agency(api):
    pudong = shanghai_district()
    xuhui = shanghai_district("310104", "徐汇区", "Xuhui District")
    agency = AgencyFactory()
    elderly = PublishedTenderFactory(areas=[pudong], lead_agency=agency)
    dibao = TenderingTenderFactory(areas=[xuhui], categories=[need_category(DIBAO)])
    citywide = PublishedTenderFactory(areas=[xuhui.parent])

    def listed(query):
        response = api.get(f"/api/v1/tenders/?{query}")
        assert response.status_code == 200, response.json()
        return {row["uuid"] for row in response.json()["results"]}

    assert listed("status=tendering") == {str(dibao.uuid)}
    assert listed(f"category={ELDERLY_CARE}") == {str(elderly.uuid), str(citywide.uuid)}
    assert listed("category=basic-living") == {str(dibao.uuid)}
    assert listed("area=310115") == {str(elderly.uuid), str(citywide.uuid)}
    assert listed("area=310104000000") == {str(dibao.uuid), str(citywide.uuid)}
    assert listed(f"agency={agency.uuid}") == {str(elderly.uuid)}
    assert listed("area=not-a-code") == set()


def test_the_tender_list_runs_a_fixed_number_of_queries(api):
    def queries_for(count):
        for _ in range(count):
            tender = PublishedTenderFactory(areas=[DistrictFactory(), DistrictFactory()])
            SubmittedBidFactory(tender=tender)
        with CaptureQueriesContext(connection) as queries:
            response = api.get("/api/v1/tenders/")
        assert response.status_code == 200
        return len(queries), response.json()["count"]

    small, listed_small = queries_for(2)
    large, listed_large = queries_for(6)

    assert (listed_small, listed_large) == (2, 8)
    assert small == large


def test_a_tender_page_runs_a_fixed_number_of_queries(api):
    few = PublishedTenderFactory()
    many = PublishedTenderFactory(areas=[DistrictFactory() for _ in range(4)])
    for _ in range(4):
        SubmittedBidFactory(tender=many, lot=many.lots.get())

    counts = []
    for tender in (few, many):
        with CaptureQueriesContext(connection) as queries:
            assert api.get(tender_url(tender)).status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1]


# --- drafting -----------------------------------------------------------------------


def test_a_commissioner_drafts_a_tender_with_lots_and_criteria(api, commissioner, budget):
    area = DistrictFactory()

    response = as_user(api, commissioner).post(
        "/api/v1/tenders/", new_tender(budget, area), format="json"
    )

    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["status"] == "draft"
    assert data["reference"]
    assert [lot["title_zh"] for lot in data["lots"]] == ["第一标段", "第二标段"]
    assert data["areas"] == [area.code]
    assert Tender.objects.get(uuid=data["uuid"]).created_by == commissioner


def test_weights_not_adding_up_and_past_deadlines_are_400s_on_those_fields(
    api, commissioner, budget
):
    payload = new_tender(
        budget,
        DistrictFactory(),
        criteria=criteria_input((40, 40, 10, 5)),
        submission_deadline=moment(days=-1),
        enquiry_deadline=moment(days=-2),
    )

    response = as_user(api, commissioner).post("/api/v1/tenders/", payload, format="json")

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert any("add up to 95" in message for message in errors["criteria"])
    assert "submission_deadline" in errors


def test_a_maximum_value_above_the_budget_is_a_400_on_max_value(api, commissioner, budget):
    payload = new_tender(budget, DistrictFactory(), max_value="9000000.00", lots=None)
    payload.pop("lots")

    response = as_user(api, commissioner).post("/api/v1/tenders/", payload, format="json")

    assert response.status_code == 400
    assert "max_value" in response.json()["errors"]


def test_unknown_codes_and_malformed_values_are_400s_not_500s(api, commissioner, budget):
    payload = new_tender(
        budget,
        DistrictFactory(),
        categories=["no-such-category"],
        areas=["999999999999"],
        max_value="a lot",
        enquiry_deadline="next week",
        criteria=[{"kind": "charm", "name_zh": "魅力", "weight": "heavy"}],
    )

    response = as_user(api, commissioner).post("/api/v1/tenders/", payload, format="json")

    assert response.status_code == 400
    assert {"categories", "areas", "max_value", "enquiry_deadline", "criteria"} <= set(
        response.json()["errors"]
    )


def test_another_agencys_budget_cannot_pay_for_a_tender(api, commissioner):
    foreign = PooledBudgetFactory()

    response = as_user(api, commissioner).post(
        "/api/v1/tenders/", new_tender(foreign, DistrictFactory()), format="json"
    )

    assert response.status_code == 400
    assert "budget" in response.json()["errors"]


def test_only_commissioners_draft_tenders(api, budget):
    for user in (user_with_role("provider_admin"), user_with_role("caseworker")):
        response = as_user(APIClient(), user).post(
            "/api/v1/tenders/", new_tender(budget, DistrictFactory()), format="json"
        )
        assert response.status_code in (400, 403)
    assert APIClient().post("/api/v1/tenders/", {}, format="json").status_code in (401, 403)
    assert not Tender.objects.exists()


def test_a_draft_is_changed_with_patch(api, agency, commissioner):
    draft = TenderFactory(lead_agency=agency)

    response = as_user(api, commissioner).patch(
        tender_url(draft), {"title_zh": "新的标题", "standstill_days": 15}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert response.json()["title_zh"] == "新的标题"
    assert response.json()["standstill_days"] == 15


def test_a_published_tender_is_not_patched_but_amended(api, agency, commissioner):
    tender = PublishedTenderFactory(lead_agency=agency)
    client = as_user(api, commissioner)

    refused = client.patch(tender_url(tender), {"title_zh": "新的标题"}, format="json")
    amended = client.post(
        tender_url(tender, "amend/"),
        {
            "summary": "延长投标截止时间",
            "summary_en": "Bids close later",
            "is_material": False,
            "new_values": {"submission_deadline": moment(days=30)},
        },
        format="json",
    )

    assert refused.status_code == 400
    assert refused.json()["code"] == "not_draft"
    assert amended.status_code == 200, amended.json()
    assert [a["number"] for a in amended.json()["amendments"]] == [1]
    assert amended.json()["amendments"][0]["summary_en"] == "Bids close later"


def test_an_amendment_changing_nothing_is_a_400(api, agency, commissioner):
    tender = PublishedTenderFactory(lead_agency=agency)

    response = as_user(api, commissioner).post(
        tender_url(tender, "amend/"),
        {"summary": "无", "is_material": False, "new_values": {}},
        format="json",
    )

    assert response.status_code == 400
    assert "new_values" in response.json()["errors"]


def test_publishing_a_draft(api, agency, commissioner):
    draft = TenderFactory(lead_agency=agency)

    response = as_user(api, commissioner).post(tender_url(draft, "publish/"))

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "published"
    assert APIClient().get(tender_url(draft)).status_code == 200


def test_a_commissioner_of_another_agency_cannot_manage_a_public_tender(api):
    tender = PublishedTenderFactory()
    client = as_user(api, commissioner_of(AgencyFactory()))

    assert client.post(tender_url(tender, "cancel/"), {"reason": "x"}).status_code == 403
    assert client.patch(tender_url(tender), {"title_zh": "x"}, format="json").status_code == 403
    tender.refresh_from_db()
    assert tender.status == Tender.Status.PUBLISHED


def test_cancelling_needs_a_reason_that_is_then_published(api, agency, commissioner):
    tender = PublishedTenderFactory(lead_agency=agency)
    client = as_user(api, commissioner)

    refused = client.post(tender_url(tender, "cancel/"), {"reason": " "}, format="json")
    cancelled = client.post(tender_url(tender, "cancel/"), {"reason": "需求变更"}, format="json")

    assert refused.status_code == 400
    assert "reason" in refused.json()["errors"]
    assert cancelled.status_code == 200
    public = APIClient().get(tender_url(tender)).json()
    assert public["status"] == "cancelled"
    assert public["cancellation_reason"] == "需求变更"


def test_publishing_twice_is_a_400_saying_why(api, agency, commissioner):
    tender = PublishedTenderFactory(lead_agency=agency)

    response = as_user(api, commissioner).post(tender_url(tender, "publish/"))

    assert response.status_code == 400
    assert "cannot be published again" in response.json()["detail"]


# --- documents ----------------------------------------------------------------------


def upload(client, tender, data=PDF_BYTES, name="spec.pdf"):
    return client.post(
        tender_url(tender, "documents/"),
        {"title": "服务需求说明", "file": SimpleUploadedFile(name, data)},
        format="multipart",
    )


def test_documents_are_added_to_a_draft_and_public_once_published(api, agency, commissioner):
    draft = TenderFactory(lead_agency=agency)
    client = as_user(api, commissioner)

    added = upload(client, draft)
    client.post(tender_url(draft, "publish/"))
    public = APIClient().get(tender_url(draft)).json()

    assert added.status_code == 201, added.json()
    assert [d["title"] for d in public["documents"]] == ["服务需求说明"]
    assert public["documents"][0]["url"].startswith("http://testserver/")


def test_a_document_that_is_not_a_pdf_or_image_is_a_400_on_file(api, agency, commissioner):
    draft = TenderFactory(lead_agency=agency)

    response = upload(as_user(api, commissioner), draft, data=b"MZ\x90\x00", name="spec.pdf")

    assert response.status_code == 400
    assert "file" in response.json()["errors"]


def test_documents_are_removed_from_drafts_only(api, agency, commissioner):
    draft = TenderFactory(lead_agency=agency)
    client = as_user(api, commissioner)
    first = upload(client, draft).json()["documents"][0]["uuid"]

    removed = client.delete(tender_url(draft, f"documents/{first}/"))
    second = upload(client, draft).json()["documents"][0]["uuid"]
    client.post(tender_url(draft, "publish/"))
    kept = client.delete(tender_url(draft, f"documents/{second}/"))

    assert removed.status_code == 204
    assert kept.status_code == 400
    assert len(APIClient().get(tender_url(draft)).json()["documents"]) == 1


def test_only_the_lead_agency_adds_documents(api):
    tender = PublishedTenderFactory()

    response = upload(as_user(api, user_with_role("provider_admin")), tender)

    assert response.status_code == 403


def test_the_api_root_links_budgets_tenders_and_bids(api):
    links = api.get("/api/v1/").json()

    assert links["budgets"].endswith("/api/v1/budgets/")
    assert links["tenders"].endswith("/api/v1/tenders/")
    assert links["bids"].endswith("/api/v1/bids/")

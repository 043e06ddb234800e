"""Bids through the API: a provider drafts, submits, reopens, withdraws and reconfirms its own
bid; before the deadline nobody else — lead agency, panel, finance, platform admin, superuser,
rival — learns its price, its responses or even that it exists; after the deadline evaluators
read the responses, and the price only once moderation is locked."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from marketplace.models import Bid, Criterion
from tests.factories.accounts import TEST_PASSWORD, UserFactory, user_with_role
from tests.factories.marketplace import (
    PanelFactory,
    PanelMemberFactory,
    TenderingTenderFactory,
    agency_user,
    bidder_of,
    commissioner_of,
    finance_of,
    submitted_bids,
)
from tests.factories.providers import PDF_BYTES, VerifiedProviderFactory

pytestmark = pytest.mark.django_db

PRICE = "432109.87"
SECRET = "我们的独家服务方案：每周三次上门"


def client_for(user=None):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def tender():
    return TenderingTenderFactory()


@pytest.fixture
def provider():
    return VerifiedProviderFactory()


@pytest.fixture
def bidder(provider):
    return bidder_of(provider)


def numbers(tender):
    return {c.kind: c.order for c in tender.criteria.all()}


def bid_payload(tender, price=PRICE, text=SECRET):
    kinds = numbers(tender)
    return {
        "lot": 1,
        "price": price,
        "responses": [
            {"criterion": kinds[Criterion.Kind.QUALITY], "text": text},
            {"criterion": kinds[Criterion.Kind.SOCIAL_VALUE], "text": f"{text}（社会价值）"},
        ],
    }


@pytest.fixture
def bid(tender, bidder):
    """A submitted bid with a price, two responses and an attachment."""
    client = client_for(bidder)
    created = client.post(
        f"/api/v1/tenders/{tender.uuid}/bids/", bid_payload(tender), format="json"
    )
    assert created.status_code == 201, created.json()
    uuid = created.json()["uuid"]
    attached = client.post(
        f"/api/v1/bids/{uuid}/attachments/",
        {"title": "机构资质", "file": SimpleUploadedFile("quals.pdf", PDF_BYTES)},
        format="multipart",
    )
    assert attached.status_code == 201, attached.json()
    submitted = client.post(f"/api/v1/bids/{uuid}/submit/")
    assert submitted.status_code == 200, submitted.json()
    return Bid.objects.get(uuid=uuid)


def cleared_member(tender):
    """A panel member who has declared no conflict of interest."""
    user = agency_user(tender.lead_agency)
    panel = PanelFactory(tender=tender, chair=user)
    PanelMemberFactory(panel=panel, user=user, conflict_declared_at=timezone.now())
    return user


def superuser():
    return UserFactory(is_superuser=True, is_staff=True)


ROLES = {
    "lead commissioner": lambda tender: commissioner_of(tender.lead_agency),
    "panel member": cleared_member,
    "finance officer": lambda tender: finance_of(tender.lead_agency),
    "platform admin": lambda tender: user_with_role("platform_admin"),
    "superuser": lambda tender: superuser(),
    "rival bidder": lambda tender: bidder_of(VerifiedProviderFactory()),
}


def after_deadline(tender, **delta):
    return time_machine.travel(
        tender.submission_deadline + timedelta(minutes=1, **delta), tick=False
    )


def everything_about(client, tender, bid):
    """The text of every answer the API gives about the tender and the bid."""
    answers = [
        client.get(f"/api/v1/tenders/{tender.uuid}/"),
        client.get(f"/api/v1/tenders/{tender.uuid}/bids/"),
        client.get(f"/api/v1/bids/{bid.uuid}/"),
        client.get("/api/v1/bids/"),
        client.get(f"/api/v1/ocds/releases/?tender={tender.uuid}"),
    ]
    return "".join(answer.content.decode() for answer in answers)


# --- the bidder's own bid ---------------------------------------------------------------


def test_the_bidder_sees_its_whole_bid_before_the_deadline(tender, bid, bidder):
    data = client_for(bidder).get(f"/api/v1/bids/{bid.uuid}/").json()

    assert data["status"] == "submitted"
    assert data["is_own"] is True and data["sealed"] is True
    assert Decimal(data["price"]) == Decimal(PRICE)
    assert [r["text"] for r in data["responses"]][0] == SECRET
    assert [a["title"] for a in data["attachments"]] == ["机构资质"]
    assert data["eligibility_report"] == []
    listed = client_for(bidder).get("/api/v1/bids/").json()["results"]
    assert [row["uuid"] for row in listed] == [str(bid.uuid)]
    assert "price" not in listed[0]


def test_a_patch_changes_the_responses_and_keeps_the_price(tender, bidder):
    client = client_for(bidder)
    uuid = client.post(
        f"/api/v1/tenders/{tender.uuid}/bids/", bid_payload(tender), format="json"
    ).json()["uuid"]

    response = client.patch(
        f"/api/v1/bids/{uuid}/",
        {"responses": [{"criterion": numbers(tender)[Criterion.Kind.QUALITY], "text": "新方案"}]},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert Decimal(response.json()["price"]) == Decimal(PRICE)
    assert "新方案" in [r["text"] for r in response.json()["responses"]]


def test_reopen_withdraw_and_submit_again(tender, bid, bidder):
    client = client_for(bidder)

    reopened = client.post(f"/api/v1/bids/{bid.uuid}/reopen/")
    withdrawn = client.post(f"/api/v1/bids/{bid.uuid}/withdraw/")
    revived = client.patch(f"/api/v1/bids/{bid.uuid}/", {"price": "400000.00"}, format="json")
    resubmitted = client.post(f"/api/v1/bids/{bid.uuid}/submit/")

    assert [r.status_code for r in (reopened, withdrawn, revived, resubmitted)] == [200] * 4
    assert [r.json()["status"] for r in (reopened, withdrawn, revived, resubmitted)] == [
        "draft",
        "withdrawn",
        "draft",
        "submitted",
    ]


def test_a_late_submission_is_refused_by_server_time(tender, bidder):
    client = client_for(bidder)
    uuid = client.post(
        f"/api/v1/tenders/{tender.uuid}/bids/", bid_payload(tender), format="json"
    ).json()["uuid"]

    with after_deadline(tender):
        response = client.post(f"/api/v1/bids/{uuid}/submit/")

    assert response.status_code == 400
    assert response.json()["code"] == "late"


def test_reconfirming_a_bid_that_needs_no_reconfirmation_is_a_400(bid, bidder):
    response = client_for(bidder).post(f"/api/v1/bids/{bid.uuid}/reconfirm/")

    assert response.status_code == 400


def test_bad_bid_input_is_a_400_naming_each_field(tender, bidder):
    client = client_for(bidder)
    url = f"/api/v1/tenders/{tender.uuid}/bids/"

    bad_price = client.post(url, {"lot": 1, "price": "lots"}, format="json")
    bad_lot = client.post(url, {"lot": 9, "price": "1.00"}, format="json")
    bad_criterion = client.post(
        url, {"lot": 1, "responses": [{"criterion": 42, "text": "x"}]}, format="json"
    )
    above_maximum = client.post(url, {"lot": 1, "price": "99999999.00"}, format="json")
    # Numbers no database integer holds are field errors too, not server errors.
    huge_lot = client.post(url, {"lot": 10**30, "price": "1.00"}, format="json")
    huge_criterion = client.post(
        url, {"lot": 1, "responses": [{"criterion": 10**30, "text": "x"}]}, format="json"
    )

    assert "price" in bad_price.json()["errors"]
    assert "lot" in bad_lot.json()["errors"]
    assert "responses" in bad_criterion.json()["errors"]
    assert "price" in above_maximum.json()["errors"]
    assert "lot" in huge_lot.json()["errors"]
    assert "responses" in huge_criterion.json()["errors"]
    responses = (bad_price, bad_lot, bad_criterion, above_maximum, huge_lot, huge_criterion)
    assert {r.status_code for r in responses} == {400}


def test_an_ineligible_submission_lists_every_reason(tender):
    unverified = VerifiedProviderFactory(status="submitted")
    client = client_for(bidder_of(unverified))
    uuid = client.post(
        f"/api/v1/tenders/{tender.uuid}/bids/", bid_payload(tender), format="json"
    ).json()["uuid"]

    response = client.post(f"/api/v1/bids/{uuid}/submit/")

    assert response.status_code == 400
    assert response.json()["code"] == "ineligible"
    assert response.json()["errors"]["eligibility"]
    kept = client.get(f"/api/v1/bids/{uuid}/").json()
    assert kept["status"] == "draft" and kept["eligibility_report"]


def test_only_provider_people_bid(tender):
    response = client_for(commissioner_of(tender.lead_agency)).post(
        f"/api/v1/tenders/{tender.uuid}/bids/", bid_payload(tender), format="json"
    )

    assert response.status_code == 403
    assert not Bid.objects.exists()


def test_a_token_works_for_the_bidder(bid, bidder):
    client = APIClient()
    token = client.post(
        "/api/v1/auth/token/", {"username": bidder.username, "password": TEST_PASSWORD}
    ).json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    assert client.get(f"/api/v1/bids/{bid.uuid}/").status_code == 200
    assert APIClient().get(f"/api/v1/bids/{bid.uuid}/").status_code in (401, 403)


# --- sealed: before the deadline ----------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_before_the_deadline_no_one_else_learns_anything_of_the_bid(tender, bid, role):
    client = client_for(ROLES[role](tender))

    assert client.get(f"/api/v1/bids/{bid.uuid}/").status_code == 404
    assert client.get(f"/api/v1/tenders/{tender.uuid}/bids/").json() == []
    text = everything_about(client, tender, bid)
    assert PRICE not in text and "432109" not in text
    assert SECRET not in text
    assert "机构资质" not in text
    assert str(bid.uuid) not in text
    assert bid.provider.organization.name_zh not in text


@pytest.mark.parametrize("role", ["lead commissioner", "superuser", "rival bidder"])
def test_before_the_deadline_no_one_else_changes_or_downloads_anything(tender, bid, role):
    client = client_for(ROLES[role](tender))
    attachment = bid.attachments.get()

    assert (
        client.patch(f"/api/v1/bids/{bid.uuid}/", {"price": "1.00"}, format="json").status_code
        == 404
    )
    assert client.post(f"/api/v1/bids/{bid.uuid}/withdraw/").status_code == 404
    assert client.get(f"/api/v1/bids/{bid.uuid}/attachments/{attachment.uuid}/").status_code == 404
    bid.refresh_from_db()
    assert bid.status == Bid.Status.SUBMITTED and bid.price == Decimal(PRICE)


def test_the_anonymous_public_sees_no_bid(tender, bid):
    client = client_for()

    assert client.get(f"/api/v1/tenders/{tender.uuid}/bids/").json() == []
    assert client.get(f"/api/v1/bids/{bid.uuid}/").status_code in (401, 403)
    assert PRICE not in everything_about(client, tender, bid)


# --- after the deadline: two envelopes ----------------------------------------------------


@pytest.mark.parametrize("role", ["lead commissioner", "panel member"])
def test_after_the_deadline_evaluators_read_responses_but_no_price(tender, bid, role):
    user = ROLES[role](tender)
    with after_deadline(tender):
        client = client_for(user)
        data = client.get(f"/api/v1/bids/{bid.uuid}/").json()
        listed = client.get(f"/api/v1/tenders/{tender.uuid}/bids/").json()
        download = client.get(f"/api/v1/bids/{bid.uuid}/attachments/{bid.attachments.get().uuid}/")
        text = everything_about(client, tender, bid)

    assert data["sealed"] is False
    assert SECRET in [r["text"] for r in data["responses"]]
    assert "price" not in data
    assert "eligibility_report" not in data
    assert [row["uuid"] for row in listed] == [str(bid.uuid)]
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF_BYTES
    assert PRICE not in text


@pytest.mark.parametrize("role", ["finance officer", "platform admin", "superuser", "rival bidder"])
def test_after_the_deadline_people_who_do_not_evaluate_still_see_nothing(tender, bid, role):
    with after_deadline(tender):
        client = client_for(ROLES[role](tender))
        status_code = client.get(f"/api/v1/bids/{bid.uuid}/").status_code
        text = everything_about(client, tender, bid)

    assert status_code == 404
    assert SECRET not in text and PRICE not in text


def test_a_member_who_has_not_declared_sees_no_bid(tender, bid):
    user = agency_user(tender.lead_agency)
    PanelMemberFactory(panel=PanelFactory(tender=tender, chair=user), user=user)

    with after_deadline(tender):
        assert client_for(user).get(f"/api/v1/bids/{bid.uuid}/").status_code == 404


def test_once_moderation_is_locked_evaluators_see_the_price(tender, bid):
    member = cleared_member(tender)
    with after_deadline(tender, hours=2):
        tender.panel.quality_locked_at = timezone.now() - timedelta(hours=1)
        tender.panel.save()
        data = client_for(member).get(f"/api/v1/bids/{bid.uuid}/").json()

    assert Decimal(data["price"]) == Decimal(PRICE)


def test_after_the_deadline_the_bidder_can_no_longer_change_its_bid(tender, bid, bidder):
    with after_deadline(tender):
        response = client_for(bidder).patch(
            f"/api/v1/bids/{bid.uuid}/", {"price": "1.00"}, format="json"
        )

    assert response.status_code == 400
    assert response.json()["code"] == "late"


def test_the_bids_of_a_tender_are_listed_in_a_fixed_number_of_queries(tender):
    commissioner = commissioner_of(tender.lead_agency)
    client = client_for(commissioner)

    def queries_for(count):
        submitted_bids(tender, ["300000.00"] * count)  # each with its responses
        with after_deadline(tender):
            client.get(f"/api/v1/tenders/{tender.uuid}/bids/")  # roles read once per user
            with CaptureQueriesContext(connection) as queries:
                response = client.get(f"/api/v1/tenders/{tender.uuid}/bids/")
        return len(queries), len(response.json())

    small, listed_small = queries_for(2)
    large, listed_large = queries_for(4)

    assert (listed_small, listed_large) == (2, 6)
    assert small == large

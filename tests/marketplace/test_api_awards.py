"""Awards and complaints through the API: recommended by the chair or a commissioner, approved
by another commissioner (the notice becomes public), challenged by bidders during the standstill
and resolved by the lead agency — each step only for the people SPEC §4 names. (The four-eyes
refusals are in ``test_awards_four_eyes``.)"""

import pytest
from rest_framework.test import APIClient

from marketplace import services
from marketplace.models import Award, Complaint
from tests.factories.accounts import AgencyFactory, user_with_role
from tests.factories.marketplace import (
    EvaluationTenderFactory,
    award_approver,
    bidder_of,
    commissioner_of,
    finance_of,
    locked_panel,
    submitted_bids,
)
from tests.factories.providers import VerifiedProviderFactory
from tests.openapi import assert_matches_schema

pytestmark = pytest.mark.django_db


def client_for(user=None):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def tender():
    return EvaluationTenderFactory()


@pytest.fixture
def commissioner(tender):
    return commissioner_of(tender.lead_agency)


@pytest.fixture
def bids(tender, commissioner):
    """Two evaluated bids: prices open, results ranked (the cheaper first)."""
    bids = submitted_bids(tender, ["400000.00", "480000.00"])
    locked_panel(tender, chair=commissioner)
    services.compute_results(tender=tender)
    return bids


def awards_url(tender):
    return f"/api/v1/tenders/{tender.uuid}/awards/"


@pytest.fixture
def recommended(tender, bids, commissioner):
    response = client_for(commissioner).post(awards_url(tender), {"lot": 1}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


@pytest.fixture
def approver(tender):
    """Another commissioner of the lead agency: neither the recommender nor the chair."""
    return award_approver(tender)


@pytest.fixture
def approved(recommended, approver):
    response = client_for(approver).post(f"/api/v1/awards/{recommended['uuid']}/approve/")
    assert response.status_code == 200, response.json()
    return response.json()


def test_the_first_ranked_bid_is_recommended(recommended, bids):
    assert recommended["status"] == "recommended"
    assert recommended["bid"] == str(bids[0].uuid)
    assert recommended["value"] == "400000.00"
    assert recommended["supplier"]["uuid"] == str(bids[0].provider.organization.uuid)


def test_a_recommendation_is_not_public_until_approved(tender, recommended, bids):
    for user in (None, bidder_of(bids[1].provider), finance_of(tender.lead_agency)):
        client = client_for(user)
        assert client.get(awards_url(tender)).json() == []
        assert client.get(f"/api/v1/awards/{recommended['uuid']}/").status_code in (401, 404)


def test_passing_over_the_first_ranked_bid_needs_a_reason(tender, bids, commissioner):
    response = client_for(commissioner).post(
        awards_url(tender), {"lot": 1, "bid": str(bids[1].uuid)}, format="json"
    )

    assert response.status_code == 400
    assert "reason" in response.json()["errors"]


def test_bidders_and_finance_officers_do_not_recommend(tender, bids):
    for user in (bidder_of(bids[0].provider), finance_of(tender.lead_agency)):
        response = client_for(user).post(awards_url(tender), {"lot": 1}, format="json")
        assert response.status_code == 403
    assert not Award.objects.exists()


def test_an_unknown_lot_is_a_400_on_lot(tender, bids, commissioner):
    response = client_for(commissioner).post(awards_url(tender), {"lot": 7}, format="json")

    assert response.status_code == 400
    assert "lot" in response.json()["errors"]


def test_approval_publishes_the_notice_and_starts_the_standstill(tender, approved, bids):
    public = client_for()

    notice = public.get(f"/api/v1/awards/{approved['uuid']}/")
    listed = public.get(awards_url(tender)).json()

    assert approved["status"] == "approved"
    assert approved["standstill_ends_at"]
    assert notice.status_code == 200
    assert notice.json()["supplier"]["uuid"] == str(bids[0].provider.organization.uuid)
    assert [award["uuid"] for award in listed] == [approved["uuid"]]


def test_only_the_lead_agencys_commissioner_approves(tender, recommended):
    other = commissioner_of(AgencyFactory())

    response = client_for(other).post(f"/api/v1/awards/{recommended['uuid']}/approve/")

    assert response.status_code == 404  # a recommendation is not theirs to see
    assert Award.objects.get().status == Award.Status.RECOMMENDED


def test_cancelling_an_award_needs_a_reason(recommended, commissioner):
    client = client_for(commissioner)

    refused = client.post(f"/api/v1/awards/{recommended['uuid']}/cancel/", {"reason": ""})
    cancelled = client.post(f"/api/v1/awards/{recommended['uuid']}/cancel/", {"reason": "重新评审"})

    assert refused.status_code == 400
    assert "reason" in refused.json()["errors"]
    assert cancelled.json()["status"] == "cancelled"


# --- complaints ---------------------------------------------------------------------------


def complain(approved, user, text="评分未考虑我方经验。"):
    return client_for(user).post(
        f"/api/v1/awards/{approved['uuid']}/complaints/", {"text": text}, format="json"
    )


def test_a_losing_bidder_complains_during_the_standstill(approved, bids, commissioner):
    loser = bidder_of(bids[1].provider)

    lodged = complain(approved, loser)

    assert lodged.status_code == 201, lodged.json()
    assert lodged.json()["status"] == "open"
    assert lodged.json()["provider"]["uuid"] == str(bids[1].provider.organization.uuid)
    seen_by_agency = client_for(commissioner).get(f"/api/v1/awards/{approved['uuid']}/complaints/")
    assert [c["uuid"] for c in seen_by_agency.json()] == [lodged.json()["uuid"]]
    assert_matches_schema(lodged, "POST", "/api/v1/awards/{uuid}/complaints/")
    assert_matches_schema(seen_by_agency, "GET", "/api/v1/awards/{uuid}/complaints/")


def test_a_provider_that_did_not_bid_cannot_complain(approved):
    response = complain(approved, bidder_of(VerifiedProviderFactory()))

    assert response.status_code == 403
    assert not Complaint.objects.exists()


def test_an_empty_complaint_is_a_400_on_text(approved, bids):
    response = complain(approved, bidder_of(bids[1].provider), text="")

    assert response.status_code == 400
    assert "text" in response.json()["errors"]


def test_a_complaint_is_seen_by_the_agency_and_the_complainant_only(approved, bids, commissioner):
    uuid = complain(approved, bidder_of(bids[1].provider)).json()["uuid"]

    assert client_for(commissioner).get(f"/api/v1/complaints/{uuid}/").status_code == 200
    assert (
        client_for(bidder_of(bids[1].provider)).get(f"/api/v1/complaints/{uuid}/").status_code
        == 200
    )
    for outsider in (bidder_of(bids[0].provider), user_with_role("platform_admin")):
        assert client_for(outsider).get(f"/api/v1/complaints/{uuid}/").status_code == 404
    assert (
        client_for(bidder_of(bids[0].provider))
        .get(f"/api/v1/awards/{approved['uuid']}/complaints/")
        .json()
        == []
    )


def test_the_commissioner_resolves_a_complaint_with_an_answer(approved, bids, commissioner):
    uuid = complain(approved, bidder_of(bids[1].provider)).json()["uuid"]
    client = client_for(commissioner)

    bad_outcome = client.post(
        f"/api/v1/complaints/{uuid}/resolve/", {"outcome": "maybe", "response": "x"}, format="json"
    )
    no_answer = client.post(
        f"/api/v1/complaints/{uuid}/resolve/", {"outcome": "upheld", "response": " "}, format="json"
    )
    resolved = client.post(
        f"/api/v1/complaints/{uuid}/resolve/",
        {"outcome": "dismissed", "response": "评分符合评审办法。"},
        format="json",
    )

    assert bad_outcome.status_code == no_answer.status_code == 400
    assert "outcome" in bad_outcome.json()["errors"]
    assert "response" in no_answer.json()["errors"]
    assert resolved.status_code == 200, resolved.json()
    assert resolved.json()["status"] == "dismissed"


def test_the_complainant_may_not_resolve_but_may_withdraw(approved, bids):
    complainant = bidder_of(bids[1].provider)
    uuid = complain(approved, complainant).json()["uuid"]
    client = client_for(complainant)

    resolved = client.post(
        f"/api/v1/complaints/{uuid}/resolve/",
        {"outcome": "upheld", "response": "我方胜诉"},
        format="json",
    )
    withdrawn = client.post(f"/api/v1/complaints/{uuid}/withdraw/")

    assert resolved.status_code == 403
    assert withdrawn.json()["status"] == "withdrawn"


def test_each_bidder_downloads_its_own_assessment_summary(approved, bids):
    own = client_for(bidder_of(bids[1].provider)).get(
        f"/api/v1/bids/{bids[1].uuid}/assessment-summary/"
    )
    others = client_for(bidder_of(bids[0].provider)).get(
        f"/api/v1/bids/{bids[1].uuid}/assessment-summary/"
    )

    assert own.status_code == 200
    assert own["Content-Type"] == "application/pdf"
    assert own.content.startswith(b"%PDF")
    assert others.status_code == 404

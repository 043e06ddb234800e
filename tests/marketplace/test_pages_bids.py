"""The provider's pages: my tenders, writing a bid per lot, submitting with every
eligibility reason shown, withdrawing, reopening and reconfirming, attachments, the
assessment summary after the award and complaints during the standstill. Another
provider, the lead agency and anyone else get 404 on a provider's bid."""

from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from marketplace import services
from marketplace.models import Alert, Bid, Complaint, Criterion
from tests.factories.accounts import AgencyFactory
from tests.factories.marketplace import (
    BidFactory,
    TenderingTenderFactory,
    award_approver,
    bidder_of,
    commissioner_of,
    complete_bid,
    locked_panel,
    submitted_bids,
)
from tests.factories.providers import PDF_BYTES, VerifiedProviderFactory, provider_admin_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_en(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def tender():
    return TenderingTenderFactory(title_en="Home care in Pudong")


@pytest.fixture
def provider():
    return VerifiedProviderFactory(organization__name_en="Sunshine Social Work")


@pytest.fixture
def bidder(provider):
    return provider_admin_of(provider, username="bidder")


def text(response) -> str:
    return response.content.decode()


@contextmanager
def signed_in_at(client, user, moment):
    """The clock at ``moment``, with ``user`` signed in then (sessions last hours, not days)."""
    with time_machine.travel(moment, tick=False):
        client.force_login(user)
        yield client


def criteria_of(tender):
    return {criterion.kind: criterion for criterion in tender.criteria.all()}


def bid_form_data(tender, price="420000", quality="Weekly visits by certified social workers."):
    kinds = criteria_of(tender)
    return {
        "price": price,
        f"response_{kinds[Criterion.Kind.QUALITY].pk}": quality,
        f"response_{kinds[Criterion.Kind.SOCIAL_VALUE].pk}": "We hire local residents.",
    }


def bid_url(tender, lot=1):
    return reverse("marketplace:bid_edit", args=[tender.uuid, lot])


def action_url(bid, action):
    return reverse("marketplace:bid_action", args=[bid.uuid, action])


# --- finding tenders ------------------------------------------------------------------


def test_my_tenders_lists_alerts_and_the_provider_bids(client_en, tender, provider, bidder):
    Alert.objects.create(
        recipient=bidder,
        tender=tender,
        kind=Alert.Kind.TENDER_PUBLISHED,
        message_zh="新招标",
        message_en="A new tender matches your services.",
        url=reverse("marketplace:tender_detail", args=[tender.uuid]),
    )
    BidFactory(tender=tender, provider=provider)
    other = BidFactory(tender=TenderingTenderFactory(title_en="Someone else's tender"))
    client_en.force_login(bidder)

    page = text(client_en.get(reverse("marketplace:my_tenders")))

    assert "A new tender matches your services." in page
    assert "Home care in Pudong" in page
    assert other.tender.title_en not in page


def test_my_tenders_is_for_provider_people_only(client_en):
    client_en.force_login(commissioner_of(AgencyFactory()))

    assert client_en.get(reverse("marketplace:my_tenders")).status_code == 404


def test_the_notice_offers_a_bid_per_lot_while_bids_are_open(client_en, tender, bidder):
    client_en.force_login(bidder)

    page = text(client_en.get(reverse("marketplace:tender_detail", args=[tender.uuid])))

    assert "Bid for lot 1" in page
    assert bid_url(tender) in page


# --- writing and submitting -----------------------------------------------------------


def test_a_provider_saves_a_draft_and_sees_its_own_price_and_answers(
    client_en, tender, provider, bidder
):
    client_en.force_login(bidder)
    assert client_en.get(bid_url(tender)).status_code == 200

    response = client_en.post(bid_url(tender), bid_form_data(tender))

    bid = Bid.objects.get(provider=provider)
    assert response.status_code == 302
    assert response["Location"] == reverse("marketplace:bid_detail", args=[bid.uuid])
    assert bid.status == Bid.Status.DRAFT
    page = text(client_en.get(response["Location"]))
    assert "¥420,000.00" in page
    assert "Weekly visits by certified social workers." in page
    assert "This bid is a draft" in page


def test_a_price_above_the_lot_maximum_comes_back_next_to_the_price(client_en, tender, bidder):
    client_en.force_login(bidder)

    response = client_en.post(bid_url(tender), bid_form_data(tender, price="999999"))

    assert response.status_code == 400
    assert "At most the lot&#x27;s maximum value" in text(response) or "At most the lot's" in text(
        response
    )
    assert 'id="id_price_error"' in text(response)
    assert not Bid.objects.exists()


def test_a_complete_bid_is_submitted(client_en, tender, provider, bidder):
    client_en.force_login(bidder)
    client_en.post(bid_url(tender), bid_form_data(tender))
    bid = Bid.objects.get(provider=provider)

    response = client_en.post(action_url(bid, "submit"), follow=True)

    bid.refresh_from_db()
    assert bid.status == Bid.Status.SUBMITTED
    assert "Bid submitted." in text(response)


def test_submission_lists_every_reason_the_bid_is_not_eligible(client_en, tender):
    provider = VerifiedProviderFactory(certified_social_workers=0)
    tender.min_certified_social_workers = 3
    tender.save()
    bidder = bidder_of(provider)
    client_en.force_login(bidder)
    client_en.post(bid_url(tender), {"price": "100000"})  # no answers
    bid = Bid.objects.get(provider=provider)

    response = client_en.post(action_url(bid, "submit"), follow=True)

    page = text(response)
    bid.refresh_from_db()
    assert bid.status == Bid.Status.DRAFT
    assert "Why this bid could not be submitted" in page
    assert "at least 3 certified social workers" in page
    assert "Write a response to every criterion the panel scores." in page


def test_a_submitted_bid_is_reopened_changed_and_submitted_again(
    client_en, tender, provider, bidder
):
    bid = complete_bid(BidFactory(tender=tender, provider=provider, price=Decimal("400000")))
    services.submit_bid(bid=bid, user=bidder)
    client_en.force_login(bidder)

    assert client_en.get(bid_url(tender)).status_code == 302  # submitted: reopen first
    client_en.post(action_url(bid, "reopen"))
    bid.refresh_from_db()
    assert bid.status == Bid.Status.DRAFT

    client_en.post(bid_url(tender), bid_form_data(tender, price="380000"))
    client_en.post(action_url(bid, "submit"))

    bid.refresh_from_db()
    assert bid.status == Bid.Status.SUBMITTED
    assert bid.price == Decimal("380000.00")


def test_a_bid_is_withdrawn(client_en, tender, provider, bidder):
    bid = complete_bid(BidFactory(tender=tender, provider=provider, price=Decimal("400000")))
    client_en.force_login(bidder)

    client_en.post(action_url(bid, "withdraw"))

    bid.refresh_from_db()
    assert bid.status == Bid.Status.WITHDRAWN


def test_a_bid_awaiting_reconfirmation_is_reconfirmed(client_en, tender, provider, bidder):
    bid = complete_bid(BidFactory(tender=tender, provider=provider, price=Decimal("400000")))
    services.submit_bid(bid=bid, user=bidder)
    Bid.objects.filter(pk=bid.pk).update(status=Bid.Status.NEEDS_RECONFIRMATION)
    client_en.force_login(bidder)

    page = text(client_en.get(reverse("marketplace:bid_detail", args=[bid.uuid])))
    assert "reconfirm your bid" in page
    client_en.post(action_url(bid, "reconfirm"))

    bid.refresh_from_db()
    assert bid.status == Bid.Status.SUBMITTED
    assert bid.reconfirmed_at is not None


def test_a_late_submission_is_refused_by_server_time(client_en, tender, provider, bidder):
    bid = complete_bid(BidFactory(tender=tender, provider=provider, price=Decimal("400000")))

    with signed_in_at(client_en, bidder, tender.submission_deadline + timedelta(seconds=1)):
        response = client_en.post(action_url(bid, "submit"), follow=True)

    bid.refresh_from_db()
    assert bid.status == Bid.Status.DRAFT
    assert "Late bids are refused." in text(response)


def test_an_unknown_action_answers_404(client_en, tender, provider, bidder):
    bid = BidFactory(tender=tender, provider=provider)
    client_en.force_login(bidder)

    assert client_en.post(action_url(bid, "approve")).status_code == 404


# --- who sees a bid ---------------------------------------------------------------------


def test_another_provider_or_the_agency_gets_404_on_a_bid(client_en, tender, provider):
    bid = complete_bid(BidFactory(tender=tender, provider=provider, price=Decimal("400000")))
    outsiders = [
        bidder_of(VerifiedProviderFactory()),
        commissioner_of(tender.lead_agency),
    ]
    for outsider in outsiders:
        client_en.force_login(outsider)
        assert client_en.get(reverse("marketplace:bid_detail", args=[bid.uuid])).status_code == 404
        for action in ("submit", "withdraw"):
            assert client_en.post(action_url(bid, action)).status_code == 404
    bid.refresh_from_db()
    assert bid.status == Bid.Status.DRAFT


def test_staff_of_the_same_provider_share_its_bid(client_en, tender, provider):
    bid = BidFactory(tender=tender, provider=provider, price=Decimal("400000"))
    client_en.force_login(bidder_of(provider, role="provider_staff"))

    assert client_en.get(reverse("marketplace:bid_detail", args=[bid.uuid])).status_code == 200


# --- attachments ------------------------------------------------------------------------


def test_attachments_are_added_downloaded_by_the_bidder_and_sealed_from_others(
    client_en, tender, provider, bidder
):
    bid = BidFactory(tender=tender, provider=provider, price=Decimal("400000"))
    client_en.force_login(bidder)

    response = client_en.post(
        reverse("marketplace:bid_attachment_add", args=[bid.uuid]),
        {"title": "Service plan", "file": SimpleUploadedFile("plan.pdf", PDF_BYTES)},
    )
    refused = client_en.post(
        reverse("marketplace:bid_attachment_add", args=[bid.uuid]),
        {"title": "Program", "file": SimpleUploadedFile("run.pdf", b"MZ\x90\x00 not a pdf")},
    )

    assert response.status_code == 302
    assert refused.status_code == 400
    assert "Only PDF, PNG or JPEG files are accepted" in text(refused)
    attachment = bid.attachments.get()
    url = reverse("marketplace:bid_attachment", args=[bid.uuid, attachment.uuid])
    download = client_en.get(url)
    assert download.status_code == 200
    assert download["Cache-Control"] == "no-store"
    assert b"".join(download.streaming_content) == PDF_BYTES
    for outsider in (bidder_of(VerifiedProviderFactory()), commissioner_of(tender.lead_agency)):
        client_en.force_login(outsider)
        assert client_en.get(url).status_code == 404


def test_an_attachment_is_removed_from_a_draft(client_en, tender, provider, bidder):
    bid = BidFactory(tender=tender, provider=provider)
    attachment = services.add_bid_attachment(
        bid=bid, user=bidder, title="Old plan", uploaded_file=SimpleUploadedFile("a.pdf", PDF_BYTES)
    )
    client_en.force_login(bidder)

    client_en.post(reverse("marketplace:bid_attachment_remove", args=[bid.uuid, attachment.uuid]))

    assert not bid.attachments.exists()


# --- after the award ---------------------------------------------------------------------


@pytest.fixture
def awarded(tender):
    """Two submitted bids on lot 1; after the deadline the lower price wins and is approved."""
    winning, losing = submitted_bids(tender, ["400000.00", "450000.00"])
    commissioner = commissioner_of(tender.lead_agency)
    after = tender.submission_deadline + timedelta(minutes=5)
    with time_machine.travel(after, tick=False):
        services.advance_tenders()
        locked_panel(tender, chair=commissioner)
        services.compute_results(tender=tender)
        award = services.recommend_award(lot=tender.lots.get(), actor=commissioner)
        award = services.approve_award(award=award, actor=award_approver(tender))
    return {"winning": winning, "losing": losing, "award": award, "after": after}


def test_each_bidder_downloads_its_assessment_summary_after_the_award(client_en, awarded):
    losing = awarded["losing"]
    url = reverse("marketplace:assessment_summary", args=[losing.uuid])

    with signed_in_at(client_en, bidder_of(losing.provider), awarded["after"]):
        page = text(client_en.get(reverse("marketplace:bid_detail", args=[losing.uuid])))
        response = client_en.get(url)

    assert "Download your assessment summary (PDF)" in page
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    with signed_in_at(client_en, bidder_of(awarded["winning"].provider), awarded["after"]):
        assert client_en.get(url).status_code == 404  # not another bidder's summary


def test_no_assessment_summary_before_the_award(client_en, tender, provider, bidder):
    bid = complete_bid(BidFactory(tender=tender, provider=provider, price=Decimal("400000")))
    client_en.force_login(bidder)

    response = client_en.get(reverse("marketplace:assessment_summary", args=[bid.uuid]))

    assert response.status_code == 404


def test_a_losing_bidder_lodges_a_complaint_during_the_standstill(client_en, awarded):
    losing = awarded["losing"]
    person = bidder_of(losing.provider)

    with signed_in_at(client_en, person, awarded["after"] + timedelta(hours=1)):
        page = text(client_en.get(reverse("marketplace:bid_detail", args=[losing.uuid])))
        empty = client_en.post(
            reverse("marketplace:lodge_complaint", args=[losing.uuid]), {"text": ""}
        )
        response = client_en.post(
            reverse("marketplace:lodge_complaint", args=[losing.uuid]),
            {"text": "The panel ignored our ten years of experience."},
        )

    assert "Lodge a complaint" in page
    assert empty.status_code == 400
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.provider == losing.provider
    assert complaint.status == Complaint.Status.OPEN


def test_a_complaint_is_withdrawn_by_its_provider(client_en, awarded):
    losing = awarded["losing"]
    person = bidder_of(losing.provider)
    with time_machine.travel(awarded["after"], tick=False):
        complaint = services.lodge_complaint(
            award=awarded["award"], bid=losing, user=person, text="Scores were unfair."
        )
    url = reverse("marketplace:withdraw_complaint", args=[losing.uuid, complaint.uuid])

    with signed_in_at(client_en, bidder_of(awarded["winning"].provider), awarded["after"]):
        assert client_en.post(url).status_code == 404
    with signed_in_at(client_en, person, awarded["after"]):
        assert "Withdraw the complaint" in text(
            client_en.get(reverse("marketplace:bid_detail", args=[losing.uuid]))
        )
        client_en.post(url)

    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.WITHDRAWN


def test_no_complaint_after_the_standstill(client_en, awarded):
    losing = awarded["losing"]
    late = awarded["award"].standstill_ends_at + timedelta(minutes=1)

    with signed_in_at(client_en, bidder_of(losing.provider), late):
        page = text(client_en.get(reverse("marketplace:bid_detail", args=[losing.uuid])))
        response = client_en.post(
            reverse("marketplace:lodge_complaint", args=[losing.uuid]), {"text": "Too late?"}
        )

    assert "Lodge a complaint" not in page
    assert response.status_code == 404
    assert not Complaint.objects.exists()


def test_bid_pages_render_in_chinese(client, tender, provider, bidder):
    bid = complete_bid(BidFactory(tender=tender, provider=provider, price=Decimal("400000")))
    client.force_login(bidder)

    page = text(client.get(reverse("marketplace:bid_detail", args=[bid.uuid])))

    assert '<html lang="zh-Hans"' in page
    assert "¥400,000.00" in page
    assert timezone.get_current_timezone_name() in page


def test_my_tenders_costs_the_same_number_of_queries_however_many_bids(client_en, provider, bidder):
    client_en.force_login(bidder)
    url = reverse("marketplace:my_tenders")
    BidFactory(provider=provider)
    client_en.get(url)
    with CaptureQueriesContext(connection) as few:
        client_en.get(url)
    for _number in range(5):
        BidFactory(provider=provider)
        Alert.objects.create(
            recipient=bidder,
            tender=TenderingTenderFactory(),
            kind=Alert.Kind.TENDER_PUBLISHED,
            message_zh="新招标",
        )
    with CaptureQueriesContext(connection) as many:
        client_en.get(url)

    assert len(few) == len(many)

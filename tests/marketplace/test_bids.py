"""The life of a bid: a draft with a price and a response per criterion, attachments checked by
content, submitted, reopened and resubmitted, withdrawn, reconfirmed after a material amendment —
and refused by server time once the deadline has passed."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from core.errors import ApplicationError, InvalidTransition
from core.storage import PrivateStorage
from marketplace import services
from marketplace.models import Bid, BidResponse, Criterion, Tender
from providers.models import Provider
from tests.factories.marketplace import (
    TenderingTenderFactory,
    bidder_of,
    commissioner_of,
)
from tests.factories.providers import PDF_BYTES, PNG_BYTES, VerifiedProviderFactory

pytestmark = pytest.mark.django_db

PRICE = Decimal("420000.00")


@pytest.fixture
def tender():
    return TenderingTenderFactory()


@pytest.fixture
def lot(tender):
    return tender.lots.get(number=1)


@pytest.fixture
def provider():
    return VerifiedProviderFactory()


@pytest.fixture
def bidder(provider):
    return bidder_of(provider)


def responses_for(tender, text="我们的方案"):
    return {
        criterion.pk: f"{text}：{criterion.name_zh}"
        for criterion in tender.criteria.all()
        if criterion.is_scored_by_panel
    }


@pytest.fixture
def draft(tender, lot, provider, bidder):
    return services.save_bid_draft(
        lot=lot, provider=provider, user=bidder, price=PRICE, responses=responses_for(tender)
    )


def test_a_provider_saves_a_draft_with_its_price_and_a_response_per_criterion(draft, tender):
    assert draft.status == Bid.Status.DRAFT
    assert draft.price == PRICE
    assert draft.tender == tender
    assert BidResponse.objects.filter(bid=draft).count() == 2  # quality and social value


def test_saving_again_changes_the_same_draft_and_an_empty_response_removes_it(
    draft, tender, lot, provider, bidder
):
    quality = tender.criteria.get(kind=Criterion.Kind.QUALITY)
    again = services.save_bid_draft(
        lot=lot, provider=provider, user=bidder, price="399999.5", responses={quality.pk: ""}
    )
    assert again.pk == draft.pk
    assert again.price == Decimal("399999.50")
    assert not BidResponse.objects.filter(bid=draft, criterion=quality).exists()


def test_a_draft_checks_the_price_and_the_criteria_answered(tender, lot, provider, bidder):
    price_criterion = tender.criteria.get(kind=Criterion.Kind.PRICE)
    cases = [
        ({"price": "0"}, "price", "above zero"),
        ({"price": "cheap"}, "price", "yuan"),
        ({"price": lot.max_value + 1}, "price", "maximum value"),
        ({"price": PRICE, "responses": {price_criterion.pk: "便宜"}}, "responses", "criteria"),
    ]
    for values, field, message in cases:
        with pytest.raises(ApplicationError) as refused:
            services.save_bid_draft(lot=lot, provider=provider, user=bidder, **values)
        assert message in " ".join(refused.value.field_errors[field])
    assert not Bid.objects.exists()


def test_only_the_providers_own_people_touch_its_bid(draft, tender, lot, provider):
    for outsider in (
        bidder_of(VerifiedProviderFactory()),
        commissioner_of(tender.lead_agency),
    ):
        with pytest.raises(PermissionDenied):
            services.save_bid_draft(lot=lot, provider=provider, user=outsider, price=PRICE)
        with pytest.raises(PermissionDenied):
            services.submit_bid(bid=draft, user=outsider)
        with pytest.raises(PermissionDenied):
            services.withdraw_bid(bid=draft, user=outsider)


def test_a_debarred_provider_cannot_bid(tender, lot, provider, bidder):
    Provider.objects.filter(pk=provider.pk).update(status=Provider.Status.DEBARRED)
    provider.refresh_from_db()
    with pytest.raises(ApplicationError) as refused:
        services.save_bid_draft(lot=lot, provider=provider, user=bidder, price=PRICE)
    assert refused.value.code == "debarred"


def test_a_complete_draft_is_submitted_with_the_server_time(draft, bidder):
    with time_machine.travel(draft.tender.submission_deadline - timedelta(days=1), tick=False):
        submitted = services.submit_bid(bid=draft, user=bidder)
        assert submitted.status == Bid.Status.SUBMITTED
        assert submitted.submitted_at == draft.tender.submission_deadline - timedelta(days=1)
        assert submitted.eligibility_report == []


def test_a_bid_one_second_before_the_deadline_is_accepted(draft, bidder):
    with time_machine.travel(draft.tender.submission_deadline - timedelta(seconds=1), tick=False):
        assert services.submit_bid(bid=draft, user=bidder).status == Bid.Status.SUBMITTED


@pytest.mark.parametrize("after", [timedelta(0), timedelta(seconds=1), timedelta(days=3)])
def test_a_late_bid_is_refused_by_server_time(draft, bidder, after):
    with (
        time_machine.travel(draft.tender.submission_deadline + after, tick=False),
        pytest.raises(ApplicationError) as refused,
    ):
        services.submit_bid(bid=draft, user=bidder)
    assert refused.value.code == "late"
    assert "Late bids are refused" in refused.value.message
    draft.refresh_from_db()
    assert draft.status == Bid.Status.DRAFT


def test_after_the_deadline_a_bid_can_no_longer_change_in_any_way(draft, bidder):
    services.submit_bid(bid=draft, user=bidder)
    lot, provider = draft.lot, draft.provider
    with time_machine.travel(draft.tender.submission_deadline + timedelta(seconds=1), tick=False):
        for change in (
            lambda: services.save_bid_draft(lot=lot, provider=provider, user=bidder, price=1),
            lambda: services.reopen_bid(bid=draft, user=bidder),
            lambda: services.withdraw_bid(bid=draft, user=bidder),
            lambda: services.add_bid_attachment(
                bid=draft,
                user=bidder,
                title="补充材料",
                uploaded_file=SimpleUploadedFile("a.pdf", PDF_BYTES),
            ),
        ):
            with pytest.raises(ApplicationError) as refused:
                change()
            assert refused.value.code == "late"
    draft.refresh_from_db()
    assert (draft.status, draft.price) == (Bid.Status.SUBMITTED, PRICE)


def test_a_bid_on_a_tender_not_yet_open_or_already_closed_is_refused(draft, bidder):
    Tender.objects.filter(pk=draft.tender_id).update(status=Tender.Status.CANCELLED)
    with pytest.raises(ApplicationError) as refused:
        services.submit_bid(bid=draft, user=bidder)
    assert refused.value.code == "closed"


def test_a_submitted_bid_is_reopened_to_change_it_and_submitted_again(
    draft, bidder, tender, lot, provider
):
    services.submit_bid(bid=draft, user=bidder)
    with pytest.raises(ApplicationError) as refused:
        services.save_bid_draft(lot=lot, provider=provider, user=bidder, price=PRICE - 1)
    assert refused.value.code == "submitted"

    reopened = services.reopen_bid(bid=draft, user=bidder)
    assert (reopened.status, reopened.submitted_at) == (Bid.Status.DRAFT, None)
    services.save_bid_draft(lot=lot, provider=provider, user=bidder, price=PRICE - 1)
    resubmitted = services.submit_bid(bid=draft, user=bidder)
    assert (resubmitted.status, resubmitted.price) == (Bid.Status.SUBMITTED, PRICE - 1)


def test_a_bid_is_withdrawn_and_can_be_revived_as_a_draft(draft, bidder, lot, provider):
    services.submit_bid(bid=draft, user=bidder)
    withdrawn = services.withdraw_bid(bid=draft, user=bidder)
    assert withdrawn.status == Bid.Status.WITHDRAWN and withdrawn.withdrawn_at
    with pytest.raises(InvalidTransition):
        services.withdraw_bid(bid=draft, user=bidder)
    revived = services.save_bid_draft(lot=lot, provider=provider, user=bidder, price=PRICE)
    assert revived.status == Bid.Status.DRAFT
    assert services.submit_bid(bid=revived, user=bidder).status == Bid.Status.SUBMITTED


def test_a_material_amendment_asks_for_reconfirmation_which_is_checked_like_a_submission(
    draft, bidder, tender
):
    services.submit_bid(bid=draft, user=bidder)
    commissioner = commissioner_of(tender.lead_agency)
    with time_machine.travel(tender.submission_deadline - timedelta(days=2), tick=False):
        services.amend_tender(
            tender=tender,
            summary="服务人数由200人增加到260人",
            is_material=True,
            new_values={"description_zh": "为辖区内260名高龄独居老人提供上门照护服务。"},
            actor=commissioner,
        )
        draft.refresh_from_db()
        assert draft.status == Bid.Status.NEEDS_RECONFIRMATION
        reconfirmed = services.reconfirm_bid(bid=draft, user=bidder)
    assert reconfirmed.status == Bid.Status.SUBMITTED
    assert reconfirmed.reconfirmed_at is not None


def test_only_a_bid_awaiting_reconfirmation_is_reconfirmed(draft, bidder):
    with pytest.raises(InvalidTransition):
        services.reconfirm_bid(bid=draft, user=bidder)


def test_a_bid_never_reconfirmed_does_not_count_at_the_deadline(draft, bidder, tender):
    services.submit_bid(bid=draft, user=bidder)
    Bid.objects.filter(pk=draft.pk).update(status=Bid.Status.NEEDS_RECONFIRMATION)
    services.advance_tenders(now=tender.submission_deadline + timedelta(seconds=1))
    tender.refresh_from_db()
    assert tender.status == Tender.Status.UNSUCCESSFUL


def test_attachments_are_checked_by_content_and_kept_in_private_storage(draft, bidder):
    attachment = services.add_bid_attachment(
        bid=draft,
        user=bidder,
        title="服务方案",
        uploaded_file=SimpleUploadedFile("plan.png", PNG_BYTES),
    )
    assert attachment.content_type == "image/png"
    assert isinstance(attachment.file.storage, PrivateStorage)
    assert "plan" not in attachment.file.name  # the stored name is ours, not the uploader's
    assert attachment.file.name.startswith(f"bids/{draft.uuid}/")

    with pytest.raises(ApplicationError) as refused:
        services.add_bid_attachment(
            bid=draft,
            user=bidder,
            title="伪装的文件",
            uploaded_file=SimpleUploadedFile("plan.pdf", b"MZ\x90\x00 not a pdf"),
        )
    assert "whatever the file name says" in refused.value.field_errors["file"][0]

    services.remove_bid_attachment(attachment=attachment, user=bidder)
    assert not draft.attachments.exists()


def test_changing_attachments_of_a_submitted_bid_needs_reopening(draft, bidder):
    services.submit_bid(bid=draft, user=bidder)
    with pytest.raises(ApplicationError) as refused:
        services.add_bid_attachment(
            bid=draft,
            user=bidder,
            title="补充材料",
            uploaded_file=SimpleUploadedFile("a.pdf", PDF_BYTES),
        )
    assert refused.value.code == "submitted"

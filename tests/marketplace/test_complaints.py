"""Complaints: a bidder on the lot may challenge an approved award during the standstill; while
a complaint is open the tender cannot complete (its commissioners are told once); upheld, the
award is cancelled and the lot evaluated again; dismissed or withdrawn, the tender completes."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from core.errors import ApplicationError, InvalidTransition
from core.models import AuditEvent
from marketplace import selectors, services
from marketplace.models import Alert, Award, Complaint, Tender
from tests.factories.marketplace import (
    EvaluationTenderFactory,
    LotFactory,
    award_approver,
    bidder_of,
    locked_panel,
    submitted_bids,
)
from tests.factories.providers import VerifiedProviderFactory

pytestmark = pytest.mark.django_db

COMPLAINT = "评分时未考虑我方在本区十年的服务经验，请求复核。"


@pytest.fixture
def setting():
    """An approved award of lot 1: bids[0] won, bids[1] lost."""
    tender = EvaluationTenderFactory()
    bids = submitted_bids(tender, ["400000.00", "450000.00"])
    locked_panel(tender)
    services.compute_results(tender=tender)
    commissioner = tender.panel.chair
    award = services.recommend_award(lot=tender.lots.get(number=1), actor=commissioner)
    award = services.approve_award(award=award, actor=award_approver(tender))
    return tender, bids, award, commissioner


@pytest.fixture
def loser(setting):
    _tender, bids, _award, _commissioner = setting
    return bids[1], bidder_of(bids[1].provider)


def lodge(setting, loser, **kwargs):
    _tender, _bids, award, _commissioner = setting
    bid, person = loser
    return services.lodge_complaint(award=award, bid=bid, user=person, text=COMPLAINT, **kwargs)


def test_a_losing_bidder_lodges_a_complaint_during_the_standstill(setting, loser):
    tender, _bids, award, commissioner = setting
    complaint = lodge(setting, loser, now=award.standstill_ends_at - timedelta(seconds=1))
    assert complaint.status == Complaint.Status.OPEN
    assert complaint.provider == loser[0].provider
    assert Alert.objects.filter(
        recipient=commissioner, key=f"complaint-{complaint.uuid.hex}"
    ).exists()


def test_no_complaint_once_the_standstill_has_ended(setting, loser):
    _tender, _bids, award, _commissioner = setting
    with pytest.raises(ApplicationError) as refused:
        lodge(setting, loser, now=award.standstill_ends_at)
    assert refused.value.code == "standstill_over"


def test_no_complaint_against_an_award_not_yet_approved():
    tender = EvaluationTenderFactory()
    bids = submitted_bids(tender, ["400000.00", "450000.00"])
    locked_panel(tender)
    services.compute_results(tender=tender)
    award = services.recommend_award(lot=tender.lots.get(number=1), actor=tender.panel.chair)
    with pytest.raises(ApplicationError) as refused:
        services.lodge_complaint(
            award=award, bid=bids[1], user=bidder_of(bids[1].provider), text=COMPLAINT
        )
    assert refused.value.code == "not_in_standstill"


def test_only_a_bidder_on_that_lot_complains(setting, loser):
    tender, _bids, award, _commissioner = setting
    bid, _person = loser
    with pytest.raises(PermissionDenied):
        services.lodge_complaint(
            award=award, bid=bid, user=bidder_of(VerifiedProviderFactory()), text=COMPLAINT
        )
    other_lot = LotFactory(tender=tender, number=2, max_value=Decimal("100000.00"))
    [elsewhere] = submitted_bids(tender, ["90000.00"], lot=other_lot)
    with pytest.raises(ApplicationError) as refused:
        services.lodge_complaint(
            award=award, bid=elsewhere, user=bidder_of(elsewhere.provider), text=COMPLAINT
        )
    assert refused.value.code == "bid"


def test_a_complaint_needs_text_and_one_open_complaint_per_bid_is_enough(setting, loser):
    _tender, _bids, award, _commissioner = setting
    bid, person = loser
    with pytest.raises(ApplicationError) as refused:
        services.lodge_complaint(award=award, bid=bid, user=person, text="  ")
    assert "text" in refused.value.field_errors
    lodge(setting, loser)
    with pytest.raises(ApplicationError) as refused:
        lodge(setting, loser)
    assert refused.value.code == "already_open"


def test_an_open_complaint_blocks_completion_and_is_recorded_once(setting, loser):
    tender, _bids, award, commissioner = setting
    lodge(setting, loser)
    end = award.standstill_ends_at

    for minutes in (0, 1, 60):
        assert services.advance_tenders(now=end + timedelta(minutes=minutes)) == 0
    tender.refresh_from_db()
    award.refresh_from_db()
    assert tender.status == Tender.Status.AWARDED
    assert award.status == Award.Status.APPROVED
    assert AuditEvent.objects.filter(action="tender.completion_blocked").count() == 1
    blocked = Alert.objects.filter(recipient=commissioner, key__startswith="complaints-")
    assert blocked.count() == 1
    assert "1 complaints are still open" in blocked.get().message_en


def test_a_dismissed_complaint_lets_the_tender_complete(setting, loser):
    tender, _bids, award, commissioner = setting
    complaint = lodge(setting, loser)
    services.advance_tenders(now=award.standstill_ends_at)

    resolved = services.resolve_complaint(
        complaint=complaint,
        outcome=Complaint.Status.DISMISSED,
        response="经复核，评分符合招标文件规定。",
        actor=commissioner,
    )
    assert resolved.status == Complaint.Status.DISMISSED and resolved.resolved_at
    assert Alert.objects.filter(
        recipient=loser[1], key=f"complaint-resolved-{complaint.uuid.hex}"
    ).exists()

    assert services.advance_tenders(now=award.standstill_ends_at + timedelta(minutes=1)) == 1
    tender.refresh_from_db()
    assert tender.status == Tender.Status.COMPLETE


def test_an_upheld_complaint_cancels_the_award_releases_the_money_and_reopens_evaluation(
    setting, loser
):
    tender, bids, award, commissioner = setting
    complaint = lodge(setting, loser)
    services.resolve_complaint(
        complaint=complaint,
        outcome=Complaint.Status.UPHELD,
        response="经复核，第一名的资质证明已过期，重新评审。",
        actor=commissioner,
    )
    award.refresh_from_db()
    tender.refresh_from_db()
    assert award.status == Award.Status.CANCELLED
    assert tender.status == Tender.Status.EVALUATION
    assert selectors.budget_ledger(tender.budget).committed == Decimal("0.00")
    # the lot is awarded again; passing over the first-ranked bid needs the reason
    again = services.recommend_award(
        lot=award.lot, bid=bids[1], actor=commissioner, reason="投诉成立，第一名资质过期"
    )
    assert again.bid == bids[1]


def test_a_withdrawn_complaint_no_longer_blocks(setting, loser):
    tender, _bids, award, _commissioner = setting
    complaint = lodge(setting, loser)
    with pytest.raises(PermissionDenied):
        services.withdraw_complaint(complaint=complaint, user=bidder_of(VerifiedProviderFactory()))
    services.withdraw_complaint(complaint=complaint, user=loser[1])
    with pytest.raises(InvalidTransition):
        services.withdraw_complaint(complaint=complaint, user=loser[1])
    services.advance_tenders(now=award.standstill_ends_at)
    tender.refresh_from_db()
    assert tender.status == Tender.Status.COMPLETE


def test_only_a_commissioner_of_the_lead_agency_resolves_with_an_answer(setting, loser):
    _tender, _bids, _award, commissioner = setting
    complaint = lodge(setting, loser)
    with pytest.raises(PermissionDenied):
        services.resolve_complaint(
            complaint=complaint, outcome="dismissed", response="不成立", actor=loser[1]
        )
    with pytest.raises(ApplicationError) as refused:
        services.resolve_complaint(
            complaint=complaint, outcome="maybe", response="", actor=commissioner
        )
    assert set(refused.value.field_errors) == {"outcome", "response"}
    services.resolve_complaint(
        complaint=complaint, outcome="dismissed", response="不成立", actor=commissioner
    )
    with pytest.raises(InvalidTransition):
        services.resolve_complaint(
            complaint=complaint, outcome="upheld", response="改为成立", actor=commissioner
        )


def test_who_reads_complaints(setting, loser):
    tender, bids, _award, commissioner = setting
    complaint = lodge(setting, loser)
    assert list(selectors.complaints_visible_to(commissioner, tender)) == [complaint]
    assert list(selectors.complaints_visible_to(loser[1], tender)) == [complaint]
    assert not selectors.complaints_visible_to(bidder_of(bids[0].provider), tender).exists()
    assert selectors.complaint_for(bidder_of(bids[0].provider), complaint.uuid) is None


def test_the_audit_log_records_complaints_without_their_text(setting, loser):
    _tender, _bids, _award, commissioner = setting
    complaint = lodge(setting, loser)
    services.resolve_complaint(
        complaint=complaint, outcome="dismissed", response="答复内容不入日志", actor=commissioner
    )
    events = AuditEvent.objects.filter(action__startswith="complaint.")
    assert {event.action for event in events} == {"complaint.lodged", "complaint.resolved"}
    for event in events:
        written = json.dumps(event.details, ensure_ascii=False)
        assert COMPLAINT not in written and "答复内容不入日志" not in written

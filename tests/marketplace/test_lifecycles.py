"""Every lifecycle table of the marketplace, walked.

Each move a table allows is made here through the public service a person
(or beat) uses, and leaves one audit entry saying from what to what. Every
move a table does not allow — staying put included — is refused with
``InvalidTransition`` by ``core.lifecycle.move`` from every state, and the
services refuse the typical wrong moves the same way. A move added to a table
without a way to make it here fails the first test.
"""

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from core.errors import InvalidTransition
from core.lifecycle import lifecycles, move
from core.models import AuditEvent
from marketplace import services
from marketplace.models import (
    AWARD_LIFECYCLE,
    BID_LIFECYCLE,
    COMPLAINT_LIFECYCLE,
    CONTRIBUTION_LIFECYCLE,
    TENDER_LIFECYCLE,
    Award,
    Bid,
    Complaint,
    Contribution,
    Tender,
)
from tests.factories.marketplace import (
    AwardFactory,
    BidFactory,
    ComplaintFactory,
    ContributionFactory,
    EvaluationTenderFactory,
    PendingContributionFactory,
    PublishedTenderFactory,
    TenderFactory,
    TenderingTenderFactory,
    award_approver,
    bidder_of,
    commissioner_of,
    finance_of,
    locked_panel,
    submitted_bids,
)
from tests.factories.providers import VerifiedProviderFactory

pytestmark = pytest.mark.django_db

REASON = "预算调整，本项目暂停。"
PRICE = Decimal("420000.00")

Maker = Callable[[], object]


# --- contributions ----------------------------------------------------------------


def _approve_pledge():
    contribution = PendingContributionFactory()
    return services.approve_contribution(
        contribution=contribution, actor=finance_of(contribution.funder)
    )


def _withdraw(contribution):
    commissioner = commissioner_of(contribution.budget.lead_agency)
    return services.withdraw_contribution(contribution=contribution, actor=commissioner)


CONTRIBUTION_MOVES: dict[tuple[str, str], Maker] = {
    ("pending", "approved"): _approve_pledge,
    ("pending", "withdrawn"): lambda: _withdraw(PendingContributionFactory()),
    ("approved", "withdrawn"): lambda: _withdraw(ContributionFactory()),
}


# --- tenders ------------------------------------------------------------------------


def _commissioner(tender):
    return commissioner_of(tender.lead_agency)


def _cancel(tender):
    return services.cancel_tender(tender=tender, reason=REASON, actor=_commissioner(tender))


def _close_unsuccessful(tender):
    return services.mark_unsuccessful(tender=tender, reason=REASON, actor=_commissioner(tender))


def _publish():
    tender = TenderFactory()
    return services.publish_tender(tender=tender, actor=_commissioner(tender))


def _close_questions():
    tender = PublishedTenderFactory()
    services.advance_tenders(now=tender.enquiry_deadline + timedelta(seconds=1))
    return tender


def _close_bids():
    tender = TenderingTenderFactory()
    submitted_bids(tender, ["400000.00"])
    services.advance_tenders(now=tender.submission_deadline + timedelta(seconds=1))
    return tender


def _recommended():
    """A recommended award of lot 1 of a tender under evaluation, and its commissioner."""
    tender = EvaluationTenderFactory()
    submitted_bids(tender, ["400000.00", "450000.00"])
    locked_panel(tender)
    services.compute_results(tender=tender)
    commissioner = tender.panel.chair  # locked_panel makes a commissioner the chair
    award = services.recommend_award(lot=tender.lots.get(number=1), actor=commissioner)
    return award, commissioner


def _approved():
    """An approved award of the tender's only lot (by another commissioner than the one who
    recommended it): the tender is awarded."""
    award, commissioner = _recommended()
    return services.approve_award(award=award, actor=award_approver(award.tender)), commissioner


def _award_tender():
    award, _commissioner = _approved()
    return award.tender


def _complete_after_the_standstill():
    award, _commissioner = _approved()
    services.advance_tenders(now=award.standstill_ends_at)
    return award.tender


def _cancel_the_award_of_an_awarded_tender():
    award, commissioner = _approved()
    services.cancel_award(award=award, reason=REASON, actor=commissioner)
    return award.tender


TENDER_MOVES: dict[tuple[str, str], Maker] = {
    ("draft", "published"): _publish,
    ("draft", "cancelled"): lambda: _cancel(TenderFactory()),
    ("published", "tendering"): _close_questions,
    ("published", "cancelled"): lambda: _cancel(PublishedTenderFactory()),
    ("published", "unsuccessful"): lambda: _close_unsuccessful(PublishedTenderFactory()),
    ("tendering", "evaluation"): _close_bids,
    ("tendering", "cancelled"): lambda: _cancel(TenderingTenderFactory()),
    ("tendering", "unsuccessful"): lambda: _close_unsuccessful(TenderingTenderFactory()),
    ("evaluation", "awarded"): _award_tender,
    ("evaluation", "cancelled"): lambda: _cancel(EvaluationTenderFactory()),
    ("evaluation", "unsuccessful"): lambda: _close_unsuccessful(EvaluationTenderFactory()),
    ("awarded", "complete"): _complete_after_the_standstill,
    ("awarded", "evaluation"): _cancel_the_award_of_an_awarded_tender,
    ("awarded", "cancelled"): lambda: _cancel(_award_tender()),
    ("awarded", "unsuccessful"): lambda: _close_unsuccessful(_award_tender()),
}


# --- bids ---------------------------------------------------------------------------


def _draft():
    """A complete draft bid on a tender open for bids, and the bidder who wrote it."""
    tender = TenderingTenderFactory()
    provider = VerifiedProviderFactory()
    bidder = bidder_of(provider)
    responses = {
        criterion.pk: f"我们的方案：{criterion.name_zh}"
        for criterion in tender.criteria.all()
        if criterion.is_scored_by_panel
    }
    bid = services.save_bid_draft(
        lot=tender.lots.get(number=1),
        provider=provider,
        user=bidder,
        price=PRICE,
        responses=responses,
    )
    return bid, bidder


def _submitted():
    bid, bidder = _draft()
    return services.submit_bid(bid=bid, user=bidder), bidder


def _awaiting_reconfirmation():
    bid, bidder = _submitted()
    tender = bid.tender
    with time_machine.travel(tender.submission_deadline - timedelta(days=2), tick=False):
        services.amend_tender(
            tender=tender,
            summary="服务人数由200人增加到260人",
            is_material=True,
            new_values={"description_zh": "为辖区内260名高龄独居老人提供上门照护服务。"},
            actor=_commissioner(tender),
        )
    bid.refresh_from_db()
    return bid, bidder


def _withdrawn():
    bid, bidder = _draft()
    return services.withdraw_bid(bid=bid, user=bidder), bidder


def _edit(made):
    """Change the bid's price: a bid that is not a draft becomes one again."""
    bid, bidder = made
    return services.save_bid_draft(lot=bid.lot, provider=bid.provider, user=bidder, price=PRICE)


def _with(service):
    def make(made):
        bid, bidder = made
        return service(bid=bid, user=bidder)

    return make


BID_MOVES: dict[tuple[str, str], Maker] = {
    ("draft", "submitted"): lambda: _with(services.submit_bid)(_draft()),
    ("draft", "withdrawn"): lambda: _with(services.withdraw_bid)(_draft()),
    ("submitted", "draft"): lambda: _with(services.reopen_bid)(_submitted()),
    ("submitted", "withdrawn"): lambda: _with(services.withdraw_bid)(_submitted()),
    ("submitted", "needs_reconfirmation"): lambda: _awaiting_reconfirmation()[0],
    ("needs_reconfirmation", "submitted"): lambda: _with(services.reconfirm_bid)(
        _awaiting_reconfirmation()
    ),
    ("needs_reconfirmation", "draft"): lambda: _edit(_awaiting_reconfirmation()),
    ("needs_reconfirmation", "withdrawn"): lambda: _with(services.withdraw_bid)(
        _awaiting_reconfirmation()
    ),
    ("withdrawn", "draft"): lambda: _edit(_withdrawn()),
}


# --- awards -------------------------------------------------------------------------


def _cancel_award(made):
    award, commissioner = made
    return services.cancel_award(award=award, reason=REASON, actor=commissioner)


def _confirm_after_the_standstill():
    award, _commissioner = _approved()
    services.advance_tenders(now=award.standstill_ends_at)
    return award


AWARD_MOVES: dict[tuple[str, str], Maker] = {
    ("recommended", "approved"): lambda: _approved()[0],
    ("recommended", "cancelled"): lambda: _cancel_award(_recommended()),
    ("approved", "confirmed"): _confirm_after_the_standstill,
    ("approved", "cancelled"): lambda: _cancel_award(_approved()),
}


# --- complaints ---------------------------------------------------------------------


def _lodged():
    """An open complaint of the losing bidder against the approved award, and who is who."""
    award, commissioner = _approved()
    loser = award.tender.bids.exclude(pk=award.bid_id).get()
    complainant = bidder_of(loser.provider)
    complaint = services.lodge_complaint(
        award=award, bid=loser, user=complainant, text="评分时未考虑我方的服务经验，请求复核。"
    )
    return complaint, commissioner, complainant


def _resolve(outcome):
    def make():
        complaint, commissioner, _complainant = _lodged()
        return services.resolve_complaint(
            complaint=complaint, outcome=outcome, response="经复核，答复如下。", actor=commissioner
        )

    return make


def _withdraw_complaint():
    complaint, _commissioner, complainant = _lodged()
    return services.withdraw_complaint(complaint=complaint, user=complainant)


COMPLAINT_MOVES: dict[tuple[str, str], Maker] = {
    ("open", "upheld"): _resolve(Complaint.Status.UPHELD),
    ("open", "dismissed"): _resolve(Complaint.Status.DISMISSED),
    ("open", "withdrawn"): _withdraw_complaint,
}


# Each lifecycle (by name) and how to make each of its moves.
MOVES = {
    CONTRIBUTION_LIFECYCLE.name: (CONTRIBUTION_LIFECYCLE, CONTRIBUTION_MOVES),
    TENDER_LIFECYCLE.name: (TENDER_LIFECYCLE, TENDER_MOVES),
    BID_LIFECYCLE.name: (BID_LIFECYCLE, BID_MOVES),
    AWARD_LIFECYCLE.name: (AWARD_LIFECYCLE, AWARD_MOVES),
    COMPLAINT_LIFECYCLE.name: (COMPLAINT_LIFECYCLE, COMPLAINT_MOVES),
}


def test_every_marketplace_table_and_every_move_in_it_is_walked_here():
    declared = {
        name
        for name, lifecycle in lifecycles().items()
        if lifecycle.states.__module__.startswith("marketplace.")
    }
    assert declared == set(MOVES)
    for name, (lifecycle, moves) in MOVES.items():
        assert set(lifecycle.moves()) == set(moves), name


# --- every allowed move, through its service --------------------------------------------


@pytest.mark.parametrize(
    ("name", "current", "target"),
    [
        pytest.param(name, current, target, id=f"{name}:{current}->{target}")
        for name, (_lifecycle, moves) in MOVES.items()
        for current, target in moves
    ],
)
def test_each_allowed_move_is_made_by_a_service_and_audited(name, current, target):
    _lifecycle, moves = MOVES[name]
    moved = moves[(current, target)]()

    moved.refresh_from_db()
    assert moved.status == target
    entries = AuditEvent.objects.filter(object_id=str(moved.uuid))
    assert any(
        entry.details.get("from") == current and entry.details.get("to") == target
        for entry in entries
    ), [entry.details for entry in entries]


# --- every move the table does not allow -----------------------------------------------


def _contribution():
    return ContributionFactory(approved_at=timezone.now())


def _bid():
    return BidFactory(price=PRICE, submitted_at=timezone.now())


def _complaint():
    return ComplaintFactory(resolved_at=timezone.now())


# An object of each table, with every field a state's constraints ask for.
OBJECTS = {
    CONTRIBUTION_LIFECYCLE.name: (Contribution, _contribution),
    TENDER_LIFECYCLE.name: (Tender, TenderFactory),
    BID_LIFECYCLE.name: (Bid, _bid),
    AWARD_LIFECYCLE.name: (Award, AwardFactory),
    COMPLAINT_LIFECYCLE.name: (Complaint, _complaint),
}


@pytest.mark.parametrize("name", list(OBJECTS))
def test_every_move_the_table_does_not_allow_is_refused(name):
    lifecycle, _moves = MOVES[name]
    model, make = OBJECTS[name]
    obj = make()
    refusals = list(lifecycle.refusals())
    assert refusals  # staying put is never a move
    for current, target in refusals:
        # Put the object in ``current`` as the table's previous moves would have.
        model.objects.filter(pk=obj.pk).update(status=current)
        obj.refresh_from_db()
        entries_before = AuditEvent.objects.count()

        with pytest.raises(InvalidTransition) as refused:
            move(obj, target, lifecycle=lifecycle, actor=None)

        assert str(lifecycle.state_label(current)) in refused.value.message
        obj.refresh_from_db()
        assert obj.status == current, (current, target)
        assert AuditEvent.objects.count() == entries_before


# --- and the services refuse them the same way -------------------------------------------


def test_a_published_tender_is_not_published_again():
    tender = PublishedTenderFactory()
    with pytest.raises(InvalidTransition):
        services.publish_tender(tender=tender, actor=_commissioner(tender))


def test_a_completed_tender_is_neither_cancelled_nor_closed():
    tender = _complete_after_the_standstill()
    with pytest.raises(InvalidTransition):
        _cancel(tender)
    with pytest.raises(InvalidTransition):
        _close_unsuccessful(tender)


def test_an_approved_contribution_is_not_approved_again():
    contribution = ContributionFactory()
    with pytest.raises(InvalidTransition):
        services.approve_contribution(
            contribution=contribution, actor=finance_of(contribution.funder)
        )


def test_a_withdrawn_bid_is_not_withdrawn_again_nor_reopened_by_submitting():
    bid, bidder = _withdrawn()
    with pytest.raises(InvalidTransition):
        services.withdraw_bid(bid=bid, user=bidder)
    with pytest.raises(InvalidTransition):
        services.submit_bid(bid=bid, user=bidder)


def test_a_cancelled_award_is_neither_approved_nor_cancelled_again():
    award, commissioner = _recommended()
    services.cancel_award(award=award, reason=REASON, actor=commissioner)
    with pytest.raises(InvalidTransition):
        services.approve_award(award=award, actor=award_approver(award.tender))
    with pytest.raises(InvalidTransition):
        services.cancel_award(award=award, reason=REASON, actor=commissioner)


def test_a_resolved_complaint_is_neither_withdrawn_nor_resolved_again():
    complaint, commissioner, complainant = _lodged()
    services.resolve_complaint(
        complaint=complaint, outcome="dismissed", response="不成立", actor=commissioner
    )
    with pytest.raises(InvalidTransition) as refused:
        services.withdraw_complaint(complaint=complaint, user=complainant)
    assert str(Complaint.Status.DISMISSED.label) in refused.value.message
    with pytest.raises(InvalidTransition):
        services.resolve_complaint(
            complaint=complaint, outcome="upheld", response="改为成立", actor=commissioner
        )

"""Awards: the first-ranked bid is recommended (another only with a reason), another commissioner
of the lead agency approves — committing the money on the pooled budget, refusing an overdraw even
when two approvals race — the award notice is published, every bidder is told and sent its
assessment summary, and the tender completes when the standstill ends. (Who may approve — never
the recommender or the chair — is ``test_awards_four_eyes``.)"""

import contextlib
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone

from core.errors import ApplicationError, InvalidTransition
from core.models import AuditEvent
from marketplace import selectors, services
from marketplace.models import Alert, Award, Commitment, Tender, TenderEvent
from tests.factories.accounts import AgencyFactory, user_with_role
from tests.factories.marketplace import (
    ContributionFactory,
    EvaluationTenderFactory,
    LotFactory,
    PanelFactory,
    PooledBudgetFactory,
    agency_user,
    award_approver,
    bidder_of,
    commissioner_of,
    locked_panel,
    submitted_bids,
)

pytestmark = pytest.mark.django_db

D = Decimal


def evaluated(**tender_kwargs):
    """A tender under evaluation with two ranked bids (400 000 first, 450 000 second)."""
    tender = EvaluationTenderFactory(**tender_kwargs)
    bids = submitted_bids(tender, ["400000.00", "450000.00"])
    locked_panel(tender)
    services.compute_results(tender=tender)
    return tender, bids


@pytest.fixture
def tender_and_bids():
    return evaluated()


@pytest.fixture
def tender(tender_and_bids):
    return tender_and_bids[0]


@pytest.fixture
def bids(tender_and_bids):
    return tender_and_bids[1]


@pytest.fixture
def commissioner(tender):
    return tender.panel.chair  # locked_panel makes a commissioner the chair


@pytest.fixture
def approver(tender):
    """Another commissioner of the lead agency: neither the recommender nor the chair."""
    return award_approver(tender)


@pytest.fixture
def lot(tender):
    return tender.lots.get(number=1)


@pytest.fixture
def recommended(lot, commissioner):
    return services.recommend_award(lot=lot, actor=commissioner)


# --- recommendation -----------------------------------------------------------


def test_the_first_ranked_bid_is_recommended_by_default(tender, lot, bids, commissioner):
    approver = award_approver(tender)
    recommended = services.recommend_award(lot=lot, actor=commissioner)

    assert recommended.bid == bids[0]
    assert recommended.value == D("400000.00")
    assert recommended.status == Award.Status.RECOMMENDED
    # Those who may approve it are alerted; the recommender (here also the chair) is not.
    alerts = Alert.objects.filter(kind=Alert.Kind.AWARD_NOTICE, key__startswith="recommended-")
    assert list(alerts.values_list("recipient", flat=True)) == [approver.pk]


def test_recommending_another_bid_needs_a_reason_which_the_approvers_read(
    tender, lot, bids, commissioner, approver
):
    with pytest.raises(ApplicationError) as refused:
        services.recommend_award(lot=lot, bid=bids[1], actor=commissioner)
    assert "first-ranked" in refused.value.field_errors["reason"][0]

    award = services.recommend_award(
        lot=lot, bid=bids[1], actor=commissioner, reason="第一名的人员配置不符合招标文件"
    )
    assert award.bid == bids[1]
    alert = Alert.objects.get(recipient=approver, key=f"recommended-{award.uuid.hex}")
    assert "第一名的人员配置不符合招标文件" in alert.message_en
    assert AuditEvent.objects.get(action="award.recommended").details["rank"] == 2


def test_a_lot_has_one_live_award(recommended, lot, commissioner):
    with pytest.raises(ApplicationError) as refused:
        services.recommend_award(lot=lot, actor=commissioner)
    assert refused.value.code == "awarded"


def test_only_the_chair_or_a_commissioner_recommends_and_only_after_the_lock(tender, lot):
    with pytest.raises(PermissionDenied):
        services.recommend_award(lot=lot, actor=agency_user(tender.lead_agency))

    unlocked = EvaluationTenderFactory()
    submitted_bids(unlocked, ["300000.00"])
    PanelFactory(tender=unlocked, chair=commissioner_of(unlocked.lead_agency))
    with pytest.raises(PermissionDenied):
        services.recommend_award(lot=unlocked.lots.get(number=1), actor=unlocked.panel.chair)


# --- approval -------------------------------------------------------------------


def test_approval_commits_the_money_publishes_the_notice_and_starts_the_standstill(
    tender, recommended, approver, bids
):
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        award = services.approve_award(award=recommended, actor=approver)

    assert award.status == Award.Status.APPROVED
    assert (award.approved_by, award.approved_at) == (approver, now)
    assert award.notice_published_at == now
    assert award.standstill_ends_at == now + timedelta(days=10)
    ledger = selectors.budget_ledger(tender.budget)
    assert ledger.committed == D("400000.00")
    assert ledger.available == D("100000.00")
    assert Commitment.objects.get(award=award).kind == Commitment.Kind.COMMITTED

    tender.refresh_from_db()
    assert tender.status == Tender.Status.AWARDED
    assert tender.standstill_ends_at == award.standstill_ends_at
    assert TenderEvent.objects.filter(tender=tender, to_status=Tender.Status.AWARDED).exists()
    assert list(selectors.award_notices(tender)) == [award]


def test_the_standstill_lasts_the_tenders_own_number_of_days():
    tender, _bids = evaluated(standstill_days=15)
    award = services.recommend_award(lot=tender.lots.get(number=1), actor=tender.panel.chair)
    award = services.approve_award(award=award, actor=award_approver(tender))
    assert award.standstill_ends_at - award.approved_at == timedelta(days=15)


def test_a_recommended_award_is_not_yet_a_public_notice(tender, recommended):
    assert not selectors.award_notices(tender).exists()


def test_every_bidder_is_alerted_and_emailed_its_assessment_summary(
    tender, recommended, approver, bids, django_capture_on_commit_callbacks
):
    winner, loser = (bidder_of(bid.provider) for bid in bids)
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_award(award=recommended, actor=approver)

    winner_alert = Alert.objects.get(recipient=winner, kind=Alert.Kind.AWARD_NOTICE)
    loser_alert = Alert.objects.get(recipient=loser, kind=Alert.Kind.AWARD_NOTICE)
    assert "has been awarded" in winner_alert.message_en
    assert "complaint" in loser_alert.message_en
    assert bids[0].provider.organization.name_en in loser_alert.message_en

    assert len(mail.outbox) == 2
    for message in mail.outbox:
        [(filename, content, mimetype)] = message.attachments
        assert mimetype == "application/pdf" and content.startswith(b"%PDF")
        assert filename.startswith(f"assessment-summary-{tender.reference}")
    # each provider gets its own summary only: it carries that provider's price
    to_loser = [message for message in mail.outbox if loser.email in message.to]
    to_winner = [message for message in mail.outbox if winner.email in message.to]
    assert len(to_loser) == len(to_winner) == 1
    assert winner.email not in to_loser[0].to


def test_only_a_commissioner_or_supervisor_of_the_lead_agency_approves(tender, recommended):
    for outsider in (
        user_with_role("finance", tender.lead_agency),
        agency_user(tender.lead_agency),
        commissioner_of(AgencyFactory()),
        user_with_role("supervisor", AgencyFactory()),
    ):
        with pytest.raises(PermissionDenied):
            services.approve_award(award=recommended, actor=outsider)


def test_an_award_is_approved_once(recommended, approver):
    services.approve_award(award=recommended, actor=approver)
    with pytest.raises(InvalidTransition):
        services.approve_award(award=recommended, actor=approver)


def test_an_award_that_would_overdraw_the_budget_is_refused_and_nothing_changes():
    tender, _bids = evaluated(funded=False)
    ContributionFactory(budget=tender.budget, amount=D("300000.00"))
    commissioner = tender.panel.chair
    award = services.recommend_award(lot=tender.lots.get(number=1), actor=commissioner)

    with pytest.raises(ApplicationError) as refused:
        services.approve_award(award=award, actor=award_approver(tender))

    assert refused.value.code == "overdraw"
    assert "300,000.00" in refused.value.message
    award.refresh_from_db()
    tender.refresh_from_db()
    assert award.status == Award.Status.RECOMMENDED and award.notice_published_at is None
    assert tender.status == Tender.Status.EVALUATION
    assert not Commitment.objects.exists()


def test_money_earmarked_for_other_services_does_not_pay_for_the_award():
    from tests.factories.taxonomy import need_category

    tender, _bids = evaluated(funded=False)
    ContributionFactory(
        budget=tender.budget,
        amount=D("900000.00"),
        earmarked_categories=[need_category("social-services.child-welfare")],
    )
    award = services.recommend_award(lot=tender.lots.get(number=1), actor=tender.panel.chair)
    with pytest.raises(ApplicationError) as refused:
        services.approve_award(award=award, actor=award_approver(tender))
    assert refused.value.code == "overdraw"


def test_the_tender_is_awarded_once_every_lot_with_bids_is():
    tender = EvaluationTenderFactory(max_value=D("500000.00"))
    tender.lots.filter(number=1).update(max_value=D("250000.00"))
    second = LotFactory(tender=tender, number=2, max_value=D("250000.00"))
    submitted_bids(tender, ["200000.00"])
    submitted_bids(tender, ["210000.00"], lot=second)
    locked_panel(tender)
    services.compute_results(tender=tender)
    chair, approver = tender.panel.chair, award_approver(tender)

    first = services.recommend_award(lot=tender.lots.get(number=1), actor=chair)
    services.approve_award(award=first, actor=approver)
    tender.refresh_from_db()
    assert tender.status == Tender.Status.EVALUATION

    later = timezone.now() + timedelta(days=1)
    with time_machine.travel(later, tick=False):
        services.approve_award(
            award=services.recommend_award(lot=second, actor=chair), actor=approver
        )
    tender.refresh_from_db()
    assert tender.status == Tender.Status.AWARDED
    assert tender.standstill_ends_at == later + timedelta(days=10)  # the later of the two


# --- cancellation and the end of the standstill -------------------------------


def test_cancelling_an_approved_award_releases_its_money_and_reopens_evaluation(
    tender, recommended, commissioner, approver, lot
):
    award = services.approve_award(award=recommended, actor=approver)
    with pytest.raises(ApplicationError):
        services.cancel_award(award=award, reason=" ", actor=commissioner)
    services.cancel_award(award=award, reason="中标机构放弃中标", actor=commissioner)

    award.refresh_from_db()
    tender.refresh_from_db()
    assert award.status == Award.Status.CANCELLED
    assert selectors.budget_ledger(tender.budget).committed == D("0.00")
    assert tender.status == Tender.Status.EVALUATION
    assert not selectors.award_notices(tender).exists()
    # the lot can be awarded again, with a reason when not to the first-ranked bid
    assert services.recommend_award(lot=lot, actor=commissioner).status == "recommended"


def test_the_tender_completes_when_the_standstill_ends_and_not_a_second_earlier(
    tender, recommended, approver
):
    award = services.approve_award(award=recommended, actor=approver)
    end = award.standstill_ends_at

    assert services.advance_tenders(now=end - timedelta(seconds=1)) == 0
    tender.refresh_from_db()
    assert tender.status == Tender.Status.AWARDED

    assert services.advance_tenders(now=end) == 1
    tender.refresh_from_db()
    award.refresh_from_db()
    assert tender.status == Tender.Status.COMPLETE
    assert (award.status, award.confirmed_at) == (Award.Status.CONFIRMED, end)
    assert services.advance_tenders(now=end + timedelta(minutes=1)) == 0  # idempotent


def test_beat_catches_up_on_a_standstill_that_ended_during_downtime(tender, recommended, approver):
    award = services.approve_award(award=recommended, actor=approver)
    services.advance_tenders(now=award.standstill_ends_at + timedelta(days=30))
    tender.refresh_from_db()
    assert tender.status == Tender.Status.COMPLETE


# --- concurrency (PostgreSQL) ---------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_approvals_racing_for_the_same_money_cannot_both_succeed(on_postgres, monkeypatch):
    budget = PooledBudgetFactory()
    ContributionFactory(budget=budget, amount=D("500000.00"))
    awards = []
    for _ in range(2):
        tender = EvaluationTenderFactory(
            budget=budget, lead_agency=budget.lead_agency, funded=False
        )
        submitted_bids(tender, ["400000.00"])
        locked_panel(tender, chair=commissioner_of(budget.lead_agency))
        services.compute_results(tender=tender)
        awards.append(
            services.recommend_award(lot=tender.lots.get(number=1), actor=tender.panel.chair)
        )
    start = threading.Barrier(2)
    both_read = threading.Barrier(2, timeout=0.5)
    read_ledger = selectors.remaining_by_contribution

    def remaining_then_wait(*args, **kwargs):
        remaining = read_ledger(*args, **kwargs)
        with contextlib.suppress(threading.BrokenBarrierError):
            both_read.wait()
        return remaining

    monkeypatch.setattr(selectors, "remaining_by_contribution", remaining_then_wait)
    outcomes = []
    approver = award_approver(awards[0].tender)  # the budget's lead agency leads both tenders

    def approve(award):
        try:
            start.wait(timeout=5)
            services.approve_award(award=award, actor=approver)
            outcomes.append("approved")
        except ApplicationError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(award,)) for award in awards]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["approved", "overdraw"]
    assert selectors.budget_ledger(budget).committed == D("400000.00")
    assert Award.objects.filter(status=Award.Status.APPROVED).count() == 1

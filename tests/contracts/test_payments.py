"""Paying milestones: what each kind needs before it is claimed, the commissioner's
confirmation and finance's approval by somebody else (four eyes), the money drawn
from the award's commitment split across the funders to the fen, and the refusals
that hold when requests race on PostgreSQL."""

import threading
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone

from contracts import services
from contracts.models import Claim, Contract, Milestone, Payment, PaymentShare
from contracts.services import payments
from core.errors import ApplicationError
from core.models import AuditEvent
from evaluation.models import Outcome as EvaluatedOutcome
from marketplace.models import Commitment
from marketplace.selectors import budget_ledger
from referrals.models.lifecycle import Referral, ReferralEvent
from tests.factories.accounts import AgencyFactory, MembershipFactory, user_with_role
from tests.factories.contracts import (
    active_contract,
    kpi_input,
    milestone_input,
    standing_award,
)
from tests.factories.evaluation import OutcomeFactory
from tests.factories.marketplace import bidder_of, commissioner_of, finance_of
from tests.factories.providers import ProviderFactory, ServiceFactory
from tests.factories.referrals import ReferralFactory

pytestmark = pytest.mark.django_db

REASON = "佐证材料缺少服务签到表。"


def _at(day, hour=10):
    zone = timezone.get_current_timezone()
    return timezone.make_aware(datetime.combine(day, time(hour)), zone)


def _in_force(contract):
    """Frozen time a few days into the contract's period."""
    return time_machine.travel(_at(contract.start_date + timedelta(days=5)), tick=False)


def _admin(contract):
    return bidder_of(contract.provider, role="provider_admin")


def _claimed(contract, milestone=None):
    milestone = milestone or contract.milestones.get(number=1)
    return payments.claim_milestone(milestone=milestone, actor=_admin(contract), note="首期款")


def _confirmed(contract, milestone=None):
    claim = _claimed(contract, milestone)
    return payments.confirm_claim(claim=claim, actor=commissioner_of(contract.lead_agency))


# --- the way through ----------------------------------------------------------


def test_claimed_confirmed_and_approved_the_milestone_is_paid_from_the_pooled_budget():
    contract = active_contract()
    with _in_force(contract):
        claim = _confirmed(contract)
        finance = finance_of(contract.lead_agency)
        payment = payments.approve_claim(claim=claim, actor=finance)
    milestone = contract.milestones.get(number=1)
    claim.refresh_from_db()
    assert (milestone.status, claim.status) == (Milestone.Status.PAID, Claim.Status.APPROVED)
    assert payment.amount == milestone.amount == claim.amount
    assert claim.approved_by == finance and claim.confirmed_by != finance
    assert claim.evidence == {"kind": "fixed", "due_date": milestone.due_date.isoformat()}
    assert budget_ledger(contract.award.tender.budget).spent == payment.amount
    assert AuditEvent.objects.filter(action="payment.made", object_id=str(payment.uuid)).exists()


def test_each_funder_pays_its_part_to_the_fen_and_the_ledger_shows_it_spent_per_funder():
    partner, third = AgencyFactory(), AgencyFactory()
    award = standing_award(
        value=Decimal("450000.00"),
        contributions=[
            Decimal("150000.01"),
            (partner, Decimal("150000.00")),
            (third, Decimal("149999.99")),
        ],
    )
    contract = active_contract(
        award,
        milestones=[
            milestone_input(award.tender.contract_start, amount=Decimal("100000.01")),
            milestone_input(
                award.tender.contract_start + timedelta(days=1), amount=Decimal("0.02")
            ),
        ],
    )
    paid = []
    with time_machine.travel(_at(contract.start_date + timedelta(days=3)), tick=False):
        for milestone in contract.milestones.order_by("number"):
            claim = _confirmed(contract, milestone)
            paid.append(payments.approve_claim(claim=claim, actor=finance_of(contract.lead_agency)))
    for payment in paid:
        shares = list(payment.shares.all())
        assert sum(share.amount for share in shares) == payment.amount  # no fen lost or made
    assert {share.funder_id for share in paid[0].shares.all()} == {
        contract.lead_agency_id,
        partner.pk,
        third.pk,
    }
    by_funder = {}
    for share in PaymentShare.objects.filter(payment__contract=contract):
        by_funder[share.funder_id] = by_funder.get(share.funder_id, Decimal(0)) + share.amount
        assert share.amount <= share.funding_share.amount
    ledger_by_funder = {}
    for row in Commitment.objects.filter(award=contract.award, kind=Commitment.Kind.SPENT):
        funder = row.contribution.funder_id
        ledger_by_funder[funder] = ledger_by_funder.get(funder, Decimal(0)) + row.amount
    assert by_funder == ledger_by_funder
    assert sum(by_funder.values()) == Decimal("100000.03")


# --- who may do what ---------------------------------------------------------


def test_the_confirmer_cannot_approve_even_holding_the_finance_role():
    contract = active_contract()
    both = commissioner_of(contract.lead_agency)
    MembershipFactory(user=both, organization=contract.lead_agency, role="finance")
    with _in_force(contract):
        claim = payments.confirm_claim(claim=_claimed(contract), actor=both)
        with pytest.raises(PermissionDenied) as refused:
            payments.approve_claim(claim=claim, actor=both)
        assert "another finance officer" in str(refused.value)
        assert not Payment.objects.exists()
        payments.approve_claim(claim=claim, actor=finance_of(contract.lead_agency))
    assert Payment.objects.get().approved_by != both


@pytest.mark.parametrize("who", ["provider staff", "other provider's admin", "commissioner"])
def test_only_the_providers_administrator_claims(who):
    contract = active_contract()
    actor = {
        "provider staff": lambda: bidder_of(contract.provider, role="provider_staff"),
        "other provider's admin": lambda: bidder_of(ProviderFactory(), role="provider_admin"),
        "commissioner": lambda: commissioner_of(contract.lead_agency),
    }[who]()
    with _in_force(contract), pytest.raises(PermissionDenied):
        payments.claim_milestone(milestone=contract.milestones.get(), actor=actor)
    assert not Claim.objects.exists()


def test_only_the_lead_agencys_commissioner_confirms_and_its_finance_approves():
    contract = active_contract()
    partner = AgencyFactory()
    with _in_force(contract):
        claim = _claimed(contract)
        for outsider in (
            commissioner_of(partner),
            finance_of(contract.lead_agency),
            _admin(contract),
        ):
            with pytest.raises(PermissionDenied):
                payments.confirm_claim(claim=claim, actor=outsider)
        claim = payments.confirm_claim(claim=claim, actor=commissioner_of(contract.lead_agency))
        for outsider in (
            finance_of(partner),
            user_with_role("supervisor", organization=contract.lead_agency),
            _admin(contract),
        ):
            with pytest.raises(PermissionDenied):
                payments.approve_claim(claim=claim, actor=outsider)
    claim.refresh_from_db()
    assert claim.status == Claim.Status.CONFIRMED


# --- what each kind of milestone needs ----------------------------------------


def test_a_fixed_milestone_is_claimed_from_its_date():
    contract = active_contract()
    milestone = contract.milestones.get()
    with time_machine.travel(_at(milestone.due_date - timedelta(days=1)), tick=False):
        with pytest.raises(ApplicationError) as refused:
            _claimed(contract)
        assert milestone.due_date.isoformat() in refused.value.message
    with time_machine.travel(_at(milestone.due_date), tick=False):
        assert _claimed(contract).status == Claim.Status.SUBMITTED


def _output_contract(target=2):
    contract = active_contract(
        milestones=[
            {
                "kind": "output",
                "title_zh": "接收并受理转介2人",
                "title_en": "Two referrals accepted",
                "amount": Decimal("50000.00"),
                "output_measure": "referrals_accepted",
                "output_target": target,
            }
        ],
        kpis=[kpi_input()],
    )
    return contract


def _accepted_referral(contract, at, *, provider=None, district=None):
    """A referral the provider accepted at ``at``, for the contract's category and area."""
    service = ServiceFactory(provider=provider or contract.provider)
    referral = ReferralFactory(
        service=service,
        need__category=contract.categories.first(),
        district=district or contract.areas.first(),
        status=Referral.Status.ACCEPTED,
        sent_at=at - timedelta(days=1),
    )
    ReferralEvent.objects.create(
        referral=referral,
        from_status=Referral.Status.SENT,
        to_status=Referral.Status.ACCEPTED,
        at=at,
    )
    return referral


def test_an_output_milestone_is_claimed_once_counted_with_the_referrals_as_evidence():
    contract = _output_contract(target=2)
    day = _at(contract.start_date + timedelta(days=2))
    counted = _accepted_referral(contract, day)
    # Neither another provider's referral nor one from before the contract counts.
    _accepted_referral(contract, day, provider=ProviderFactory())
    _accepted_referral(contract, _at(contract.start_date - timedelta(days=3)))
    with _in_force(contract):
        with pytest.raises(ApplicationError) as refused:
            payments.claim_milestone(milestone=contract.milestones.get(), actor=_admin(contract))
        assert "1 of 2" in refused.value.message
        second = _accepted_referral(contract, day + timedelta(hours=1))
        claim = payments.claim_milestone(
            milestone=contract.milestones.get(), actor=_admin(contract)
        )
    assert claim.evidence["count"] == 2 and claim.evidence["target"] == 2
    assert claim.evidence["referrals"] == [str(counted.uuid), str(second.uuid)]
    # Evidence by reference only: no name, ID number or reason of anybody.
    text = str(claim.evidence)
    assert counted.reason not in text
    assert counted.beneficiary.name not in text


def _outcome_contract(*, amount="80000.00", price="800.00", kind="goal_attained"):
    return active_contract(
        milestones=[
            {
                "kind": "outcome",
                "title_zh": "服务对象目标达成",
                "title_en": "Goals attained",
                "amount": Decimal(amount),
                "outcome_kind": kind,
                "outcome_price": Decimal(price),
            }
        ]
    )


def _outcome(contract, at, *, t_score, status=EvaluatedOutcome.Status.CONFIRMED, provider=None):
    referral = _accepted_referral(contract, at, provider=provider)
    return OutcomeFactory(
        referral=referral,
        t_score=Decimal(t_score),
        status=status,
        recorded_at=at,
        confirmed_at=at,
    )


def test_an_outcome_milestone_pays_confirmed_outcomes_by_the_rate_card_up_to_its_cap():
    contract = _outcome_contract(amount="2000.00", price="800.00")
    day = _at(contract.start_date + timedelta(days=2))
    paid_for = [_outcome(contract, day, t_score=55), _outcome(contract, day, t_score=50)]
    # Neither a T-score under 50, nor a disputed outcome, nor another provider's counts.
    _outcome(contract, day, t_score=45)
    _outcome(contract, day, t_score=70, status=EvaluatedOutcome.Status.DISPUTED)
    _outcome(contract, day, t_score=70, provider=ProviderFactory())
    milestone = contract.milestones.get()

    with _in_force(contract):
        terms = payments.claim_terms(milestone)
        assert terms.claimable and terms.count == 2
        assert terms.amount == Decimal("1600.00")  # 2 × 800
        assert terms.evidence["outcomes"] == [str(outcome.uuid) for outcome in paid_for]
        _outcome(contract, day, t_score=65)
        # Three would be 2,400: the cap holds.
        claim = payments.claim_milestone(milestone=milestone, actor=_admin(contract))
    assert claim.amount == Decimal("2000.00")
    assert claim.evidence["count"] == 3 and claim.evidence["kind"] == "outcome"


def test_an_outcome_milestone_for_exceeded_goals_counts_t_scores_of_60_and_above():
    contract = _outcome_contract(kind="goal_exceeded")
    day = _at(contract.start_date + timedelta(days=2))
    _outcome(contract, day, t_score=59)
    exceeded = _outcome(contract, day, t_score=60)
    with _in_force(contract):
        terms = payments.claim_terms(contract.milestones.get())
    assert terms.evidence["outcomes"] == [str(exceeded.uuid)]


def test_an_outcome_milestone_without_confirmed_outcomes_cannot_be_claimed():
    contract = _outcome_contract()
    milestone = contract.milestones.get()
    terms = payments.claim_terms(milestone)
    assert not terms.claimable and "No outcome data yet" in terms.reason
    with _in_force(contract), pytest.raises(ApplicationError) as refused:
        payments.claim_milestone(milestone=milestone, actor=_admin(contract))
    assert "No outcome data yet" in refused.value.message


# --- refusals -----------------------------------------------------------------


def test_a_milestone_is_claimed_once_at_a_time_and_paid_once():
    contract = active_contract()
    with _in_force(contract):
        claim = _confirmed(contract)
        with pytest.raises(ApplicationError) as refused:
            _claimed(contract)
        assert refused.value.code == "already_claimed"
        payments.approve_claim(claim=claim, actor=finance_of(contract.lead_agency))
        with pytest.raises(ApplicationError):
            _claimed(contract)
        claim.refresh_from_db()
        with pytest.raises(ApplicationError):
            payments.approve_claim(claim=claim, actor=finance_of(contract.lead_agency))
    assert Payment.objects.count() == 1


def test_a_returned_claim_keeps_its_reason_and_a_new_claim_can_be_made():
    contract = active_contract()
    with _in_force(contract):
        claim = _claimed(contract)
        with pytest.raises(ApplicationError) as refused:
            payments.return_claim(
                claim=claim, actor=commissioner_of(contract.lead_agency), reason=" "
            )
        assert list(refused.value.field_errors) == ["reason"]
        claim = payments.return_claim(
            claim=claim, actor=commissioner_of(contract.lead_agency), reason=REASON
        )
        assert (claim.status, claim.returned_reason) == (Claim.Status.RETURNED, REASON)
        assert _claimed(contract).status == Claim.Status.SUBMITTED


def test_paying_more_than_the_milestone_is_refused():
    contract = active_contract()
    with _in_force(contract):
        claim = _confirmed(contract)
    Claim.objects.filter(pk=claim.pk).update(amount=claim.milestone.amount + Decimal("0.01"))
    with _in_force(contract), pytest.raises(ApplicationError) as refused:
        payments.approve_claim(claim=claim, actor=finance_of(contract.lead_agency))
    assert refused.value.code == "overpayment"
    assert not Payment.objects.exists()
    assert budget_ledger(contract.award.tender.budget).spent == 0


def test_after_termination_open_claims_are_returned_and_nothing_is_paid():
    contract = active_contract()
    commissioner = commissioner_of(contract.lead_agency)
    with _in_force(contract):
        claim = _confirmed(contract)
        services.terminate_contract(contract=contract, actor=commissioner, reason=REASON)
        claim.refresh_from_db()
        assert claim.status == Claim.Status.RETURNED and claim.returned_reason == REASON
        with pytest.raises(ApplicationError) as refused:
            _claimed(contract)
        assert refused.value.code == "not_in_force"
    assert not Payment.objects.exists()


def test_a_suspended_contract_pays_nothing_until_it_is_resumed():
    contract = active_contract()
    commissioner = commissioner_of(contract.lead_agency)
    with _in_force(contract):
        claim = _confirmed(contract)
        services.suspend_contract(contract=contract, actor=commissioner, reason=REASON)
        with pytest.raises(ApplicationError) as refused:
            payments.approve_claim(claim=claim, actor=finance_of(contract.lead_agency))
        assert refused.value.code == "suspended"
        services.resume_contract(contract=Contract.objects.get(pk=contract.pk), actor=commissioner)
        payments.approve_claim(claim=claim, actor=finance_of(contract.lead_agency))
    assert Payment.objects.count() == 1


# --- concurrency (PostgreSQL) -------------------------------------------------


def _race(*jobs):
    """Run the jobs at once on their own connections; what each ended with."""
    start = threading.Barrier(len(jobs))
    outcomes = [None] * len(jobs)

    def run(index, job):
        try:
            start.wait(timeout=5)
            job()
            outcomes[index] = "done"
        except ApplicationError as error:
            outcomes[index] = error.code
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_finance_officers_approving_at_once_pay_the_milestone_once(on_postgres):
    contract = active_contract()
    with _in_force(contract):
        claim = _confirmed(contract)
        first, second = finance_of(contract.lead_agency), finance_of(contract.lead_agency)
        outcomes = _race(
            lambda: payments.approve_claim(claim=claim, actor=first),
            lambda: payments.approve_claim(claim=claim, actor=second),
        )
    # The second waits on the contract's lock, then finds the claim already approved.
    assert sorted(outcomes) == ["done", "invalid_transition"]
    assert Payment.objects.count() == 1
    assert budget_ledger(contract.award.tender.budget).spent == claim.amount


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_claims_of_one_milestone_at_once_make_one_claim(on_postgres):
    contract = active_contract()
    admin = _admin(contract)
    milestone = contract.milestones.get()
    with _in_force(contract):
        outcomes = _race(
            lambda: payments.claim_milestone(milestone=milestone, actor=admin),
            lambda: payments.claim_milestone(milestone=milestone, actor=admin),
        )
    assert sorted(outcomes) == ["already_claimed", "done"]
    assert Claim.objects.filter(milestone=milestone).count() == 1

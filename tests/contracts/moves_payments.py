"""The moves of payment claims, each made through the service a person uses, for
test_lifecycles.py to walk: {lifecycle name: (lifecycle, {(from, to): maker})}."""

from datetime import timedelta

import time_machine

from contracts.models import Claim
from contracts.models.payments import CLAIM_LIFECYCLE
from contracts.services import payments
from tests.factories.contracts import active_contract
from tests.factories.marketplace import bidder_of, commissioner_of, finance_of

REASON = "佐证材料缺少服务签到表。"


def _claimed():
    contract = active_contract()
    milestone = contract.milestones.get()
    with time_machine.travel(milestone.due_date + timedelta(days=1), tick=False):
        return payments.claim_milestone(
            milestone=milestone, actor=bidder_of(contract.provider, role="provider_admin")
        )


def _confirmed():
    claim = _claimed()
    return payments.confirm_claim(claim=claim, actor=commissioner_of(claim.contract.lead_agency))


def paid_claim():
    claim = _confirmed()
    payments.approve_claim(claim=claim, actor=finance_of(claim.contract.lead_agency))
    return claim


def _returned(make, by):
    def returned():
        claim = make()
        return payments.return_claim(
            claim=claim, actor=by(claim.contract.lead_agency), reason=REASON
        )

    return returned


CLAIM_MOVES = {
    (Claim.Status.SUBMITTED, Claim.Status.CONFIRMED): _confirmed,
    (Claim.Status.SUBMITTED, Claim.Status.RETURNED): _returned(_claimed, commissioner_of),
    (Claim.Status.CONFIRMED, Claim.Status.APPROVED): paid_claim,
    (Claim.Status.CONFIRMED, Claim.Status.RETURNED): _returned(_confirmed, finance_of),
}

MOVES = {CLAIM_LIFECYCLE.name: (CLAIM_LIFECYCLE, CLAIM_MOVES)}

"""Suspension, termination and completion: the reasons they need, the milestones
completion waits for, and the money that goes back to the pooled budget."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from contracts import services
from contracts.models import Contract, Milestone
from core.errors import ApplicationError
from core.models import AuditEvent
from marketplace.selectors import available_funds, budget_ledger
from marketplace.services.budgets import spend_funds
from tests.factories.accounts import AgencyFactory
from tests.factories.contracts import (
    VALUE,
    active_contract,
    contract_from_award,
    milestone_input,
    standing_award,
)
from tests.factories.marketplace import bidder_of, commissioner_of, finance_of

pytestmark = pytest.mark.django_db

REASON = "服务机构未按合同配备持证社工。"


def _commissioner(contract):
    return commissioner_of(contract.lead_agency)


@pytest.mark.parametrize("reason", ["", "   "])
def test_suspension_needs_a_reason(reason):
    contract = active_contract()
    with pytest.raises(ApplicationError) as refused:
        services.suspend_contract(contract=contract, actor=_commissioner(contract), reason=reason)
    assert list(refused.value.field_errors) == ["reason"]
    contract.refresh_from_db()
    assert contract.status == Contract.Status.ACTIVE


def test_suspension_keeps_its_reason_in_the_contract_and_its_history():
    contract = active_contract()
    contract = services.suspend_contract(
        contract=contract, actor=_commissioner(contract), reason=f"  {REASON} "
    )
    assert contract.status_reason == REASON
    assert contract.events.last().note == REASON


@pytest.mark.parametrize("reason", ["", "   "])
def test_termination_needs_a_reason(reason):
    contract = active_contract()
    available = available_funds(contract.award.tender.budget)
    with pytest.raises(ApplicationError) as refused:
        services.terminate_contract(contract=contract, actor=_commissioner(contract), reason=reason)
    assert list(refused.value.field_errors) == ["reason"]
    contract.refresh_from_db()
    assert contract.status == Contract.Status.ACTIVE
    assert available_funds(contract.award.tender.budget) == available


def test_termination_gives_the_committed_money_back_to_the_pooled_budget():
    award = standing_award(value=Decimal("450000.00"), contributions=["300000.00", "200000.00"])
    budget = award.tender.budget
    contract = active_contract(award)
    assert available_funds(budget) == Decimal("50000.00")

    services.terminate_contract(contract=contract, actor=_commissioner(contract), reason=REASON)

    assert available_funds(budget) == Decimal("500000.00")
    assert budget_ledger(budget).committed == Decimal("0.00")
    entry = AuditEvent.objects.get(action="contract.terminated")
    assert entry.details["released"] == "450000.00"


def test_termination_gives_back_only_what_was_not_paid():
    award = standing_award(value=VALUE, contributions=["500000.00"])
    budget = award.tender.budget
    contract = active_contract(award)
    spend_funds(award=award, amount=Decimal("100000.00"))  # a payment made before the end

    services.terminate_contract(contract=contract, actor=_commissioner(contract), reason=REASON)

    ledger = budget_ledger(budget)
    assert ledger.spent == Decimal("100000.00")
    assert available_funds(budget) == Decimal("500000.00") - Decimal("100000.00")


def test_abandoning_a_draft_releases_its_money_too():
    contract = contract_from_award()
    budget = contract.award.tender.budget
    before = available_funds(budget)
    services.terminate_contract(contract=contract, actor=_commissioner(contract), reason=REASON)
    assert available_funds(budget) == before + contract.value


@pytest.mark.parametrize("who", ["finance", "provider admin", "other commissioner"])
def test_only_a_commissioner_of_the_lead_agency_suspends_or_terminates(who):
    contract = active_contract()
    actor = {
        "finance": lambda: finance_of(contract.lead_agency),
        "provider admin": lambda: bidder_of(contract.provider, role="provider_admin"),
        "other commissioner": lambda: commissioner_of(AgencyFactory()),
    }[who]()
    with pytest.raises(PermissionDenied):
        services.suspend_contract(contract=contract, actor=actor, reason=REASON)
    with pytest.raises(PermissionDenied):
        services.terminate_contract(contract=contract, actor=actor, reason=REASON)
    contract.refresh_from_db()
    assert contract.status == Contract.Status.ACTIVE


def test_completion_is_refused_while_a_milestone_is_pending():
    award = standing_award()
    start = award.tender.contract_start
    contract = active_contract(
        award, milestones=[milestone_input(start), milestone_input(start, amount="50000.00")]
    )
    actor = _commissioner(contract)
    services.waive_milestone(milestone=contract.milestones.first(), actor=actor, reason=REASON)
    with pytest.raises(ApplicationError) as refused:
        services.complete_contract(contract=contract, actor=actor)
    assert refused.value.code == "milestones_pending"
    assert refused.value.message.startswith("1 milestone is neither paid nor waived")
    contract.refresh_from_db()
    assert contract.status == Contract.Status.ACTIVE


def test_completion_once_every_milestone_is_settled_releases_what_was_never_paid():
    contract = active_contract()
    budget = contract.award.tender.budget
    actor = _commissioner(contract)
    before = available_funds(budget)
    for milestone in contract.milestones.all():
        services.waive_milestone(milestone=milestone, actor=actor, reason=REASON)
    services.complete_contract(contract=contract, actor=actor)
    contract.refresh_from_db()
    assert contract.status == Contract.Status.COMPLETED
    assert available_funds(budget) == before + contract.value


def test_a_milestone_is_waived_only_with_a_reason_and_on_a_contract_in_force():
    draft = contract_from_award()
    actor = _commissioner(draft)
    with pytest.raises(ApplicationError) as refused:
        services.waive_milestone(milestone=draft.milestones.get(), actor=actor, reason=REASON)
    assert refused.value.code == "contract_not_live"

    contract = active_contract()
    milestone = contract.milestones.get()
    with pytest.raises(ApplicationError) as refused:
        services.waive_milestone(milestone=milestone, actor=_commissioner(contract), reason=" ")
    assert list(refused.value.field_errors) == ["reason"]
    milestone.refresh_from_db()
    assert milestone.status == Milestone.Status.PENDING

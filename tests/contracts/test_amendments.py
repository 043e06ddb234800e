"""Amendments: a new version with a reason and a summary, signed again by both parties;
a raise drawn from the pooled budget (refused, with what is available, when the money
is not there); a withdrawn proposal gives back what it committed; earlier versions and
their PDFs stay readable."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from contracts.models import Contract, ContractVersion
from contracts.services import amendments
from core.errors import ApplicationError
from marketplace.models import Commitment
from marketplace.selectors import available_funds
from tests.factories.contracts import (
    active_contract,
    contract_from_award,
    render_pending_documents,
    sign,
    signatories,
    standing_award,
)
from tests.factories.marketplace import bidder_of, commissioner_of

pytestmark = pytest.mark.django_db

REASON = "服务对象增加，追加服务量。"
SUMMARY = "合同金额增加五万元，服务人数相应增加。"


def _committed(award) -> Decimal:
    rows = Commitment.objects.filter(award=award)
    total = Decimal("0")
    for row in rows:
        sign_of = {"committed": 1, "released": -1}.get(row.kind, 0)
        total += sign_of * row.amount
    return total


def _propose(contract, **changes):
    return amendments.propose_amendment(
        contract=contract,
        actor=commissioner_of(contract.lead_agency),
        reason=REASON,
        summary=SUMMARY,
        **changes,
    )


def _sign_both(contract, version):
    render_pending_documents(contract)
    for user in signatories(contract):
        sign(version, user)


def test_a_raise_is_committed_now_and_applies_once_both_parties_sign_the_new_version():
    award = standing_award(value=Decimal("450000.00"), contributions=["500000.00"])
    contract = active_contract(award)
    budget = award.tender.budget
    before = available_funds(budget)
    version = _propose(contract, value="500000.00")
    assert (version.number, version.status) == (2, ContractVersion.Status.AWAITING_SIGNATURES)
    assert available_funds(budget) == before - Decimal("50000.00")
    contract.refresh_from_db()
    assert contract.value == Decimal("450000.00")  # in force as it was until signed
    _sign_both(contract, version)
    contract.refresh_from_db()
    version.refresh_from_db()
    assert version.status == ContractVersion.Status.SIGNED
    assert contract.value == Decimal("500000.00")
    assert sum(share.amount for share in contract.funding_shares.all()) == Decimal("500000.00")
    # Version 1 and its signed PDF stay readable.
    first = contract.versions.get(number=1)
    assert first.status == ContractVersion.Status.SIGNED and first.document.sha256
    assert first.document.sha256 != version.document.sha256


def test_a_raise_the_budget_cannot_pay_is_refused_with_what_is_available():
    award = standing_award(value=Decimal("450000.00"), contributions=["460000.00"])
    contract = active_contract(award)
    with pytest.raises(ApplicationError) as refused:
        _propose(contract, value="500000.00")
    assert "10,000.00" in refused.value.message
    assert not contract.versions.filter(number=2).exists()
    assert _committed(award) == Decimal("450000.00")


def test_withdrawing_a_proposal_gives_back_what_it_committed():
    award = standing_award(value=Decimal("450000.00"), contributions=["500000.00"])
    contract = active_contract(award)
    available = available_funds(award.tender.budget)
    version = _propose(contract, value="480000.00")
    with pytest.raises(ApplicationError):
        amendments.withdraw_amendment(
            version=version, actor=commissioner_of(contract.lead_agency), reason=" "
        )
    amendments.withdraw_amendment(
        version=version, actor=commissioner_of(contract.lead_agency), reason="双方未达成一致。"
    )
    version.refresh_from_db()
    assert version.status == ContractVersion.Status.WITHDRAWN
    assert available_funds(award.tender.budget) == available
    assert _committed(award) == Decimal("450000.00")


def test_a_longer_period_needs_a_reason_a_summary_and_one_proposal_at_a_time():
    contract = active_contract()
    commissioner = commissioner_of(contract.lead_agency)
    with pytest.raises(ApplicationError) as refused:
        amendments.propose_amendment(
            contract=contract, actor=commissioner, reason="", summary="", end_date=None
        )
    assert "reason" in refused.value.field_errors
    with pytest.raises(ApplicationError) as nothing:
        _propose(contract)
    assert "changes nothing" in nothing.value.message
    version = _propose(contract, end_date=contract.end_date + timedelta(days=90))
    with pytest.raises(ApplicationError) as pending:
        _propose(contract, value="1.00")
    assert pending.value.code == "pending"
    _sign_both(contract, version)
    contract.refresh_from_db()
    assert contract.end_date == version.end_date
    assert contract.status == Contract.Status.ACTIVE


def test_only_the_lead_agencys_commissioner_amends_and_only_a_contract_in_force():
    contract = active_contract()
    with pytest.raises(PermissionDenied):
        amendments.propose_amendment(
            contract=contract,
            actor=bidder_of(contract.provider, role="provider_admin"),
            reason=REASON,
            summary=SUMMARY,
            value="1.00",
        )
    unsigned = contract_from_award()
    with pytest.raises(ApplicationError) as refused:
        _propose(unsigned, value="1.00")
    assert refused.value.code == "not_live"

"""The funding split: each contributor's share of the contract, to the fen, from the
award's commitment on the pooled budget."""

from decimal import Decimal

import pytest

from contracts.models import Contract
from core.errors import ApplicationError
from marketplace.models import Award
from marketplace.selectors import commitment_by_contribution
from tests.factories.accounts import AgencyFactory
from tests.factories.contracts import contract_from_award, standing_award

pytestmark = pytest.mark.django_db


def test_three_funders_in_awkward_proportions_share_the_value_to_the_fen():
    civil_affairs, disability_federation, charity = (
        AgencyFactory(),
        AgencyFactory(),
        AgencyFactory(),
    )
    value = Decimal("333333.34")
    award = standing_award(
        value=value,
        contributions=[
            (civil_affairs, "100000.01"),
            (disability_federation, "233333.33"),
            (charity, "66666.67"),
        ],
    )

    contract = contract_from_award(award, milestones=[])

    shares = list(contract.funding_shares.select_related("contribution"))
    assert sum(share.amount for share in shares) == value
    assert {share.funder for share in shares} == {civil_affairs, disability_federation, charity}
    ledger = {line.contribution.pk: line.committed for line in commitment_by_contribution(award)}
    assert {share.contribution_id: share.amount for share in shares} == ledger
    for share in shares:
        assert share.funder_id == share.contribution.funder_id
        assert share.amount == share.amount.quantize(Decimal("0.01"))
        # No share is more than the contribution it comes from.
        assert share.amount <= share.contribution.amount


def test_a_funder_with_two_contributions_has_a_share_of_each():
    agency = AgencyFactory()
    award = standing_award(
        value=Decimal("100000.00"), contributions=[(agency, "70000.00"), (agency, "70000.00")]
    )
    contract = contract_from_award(award, milestones=[])
    assert sorted(contract.funding_shares.values_list("amount", flat=True)) == [
        Decimal("50000.00"),
        Decimal("50000.00"),
    ]


def test_a_contract_is_not_made_when_the_budget_does_not_hold_the_awards_value():
    award = standing_award(value=Decimal("100000.00"))
    # The award's value no longer matches what the budget reserved for it.
    Award.objects.filter(pk=award.pk).update(value=Decimal("120000.00"))
    award.refresh_from_db()
    with pytest.raises(ApplicationError) as refused:
        contract_from_award(award, milestones=[])
    assert refused.value.code == "commitment"
    assert "¥100,000.00" in refused.value.message
    assert not Contract.objects.exists()

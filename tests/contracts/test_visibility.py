"""Who sees a contract: the lead agency's commissioners, finance officers and
supervisors; the provider's people; the funders' finance officers. Nobody else."""

import pytest

from contracts.selectors import contract_for, contracts_visible_to
from tests.factories.accounts import AgencyFactory, user_with_role
from tests.factories.contracts import contract_from_award, standing_award
from tests.factories.marketplace import (
    EvaluationTenderFactory,
    bidder_of,
    commissioner_of,
    finance_of,
)
from tests.factories.providers import VerifiedProviderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner():
    return AgencyFactory()


@pytest.fixture
def contract(partner):
    award = standing_award(contributions=["300000.00", (partner, "150000.00")])
    return contract_from_award(award)


@pytest.mark.parametrize(
    "who",
    [
        "lead commissioner",
        "lead finance",
        "lead supervisor",
        "provider admin",
        "provider staff",
        "funder finance",
    ],
)
def test_the_parties_and_the_funders_finance_see_the_contract(contract, partner, who):
    user = {
        "lead commissioner": lambda: commissioner_of(contract.lead_agency),
        "lead finance": lambda: finance_of(contract.lead_agency),
        "lead supervisor": lambda: user_with_role("supervisor", contract.lead_agency),
        "provider admin": lambda: bidder_of(contract.provider, role="provider_admin"),
        "provider staff": lambda: bidder_of(contract.provider),
        "funder finance": lambda: finance_of(partner),
    }[who]()
    assert list(contracts_visible_to(user)) == [contract]
    assert contract_for(user, contract.uuid) == contract


@pytest.mark.parametrize(
    "who",
    [
        "provider not party",
        "funder commissioner",
        "lead caseworker",
        "other agency finance",
        "platform admin",
    ],
)
def test_nobody_else_sees_it(contract, partner, who):
    user = {
        "provider not party": lambda: bidder_of(VerifiedProviderFactory(), role="provider_admin"),
        "funder commissioner": lambda: commissioner_of(partner),
        "lead caseworker": lambda: user_with_role("caseworker", contract.lead_agency),
        "other agency finance": lambda: finance_of(AgencyFactory()),
        "platform admin": lambda: user_with_role("platform_admin"),
    }[who]()
    assert list(contracts_visible_to(user)) == []
    assert contract_for(user, contract.uuid) is None


def test_a_uuid_that_is_not_one_finds_nothing(contract):
    assert contract_for(commissioner_of(contract.lead_agency), "not-a-uuid") is None


def _list(user):
    return [
        (c.reference, c.lead_agency.name, c.provider.name, c.lot.number, c.award.tender.reference)
        + tuple(category.code for category in c.categories.all())
        + tuple(area.code for area in c.areas.all())
        for c in contracts_visible_to(user)
    ]


def test_the_list_costs_the_same_queries_for_one_contract_or_five(django_assert_num_queries):
    agency = AgencyFactory()
    commissioner = commissioner_of(agency)

    def contract_of_agency():
        award = standing_award(tender=EvaluationTenderFactory(lead_agency=agency, funded=False))
        return contract_from_award(award, actor=commissioner)

    contract_of_agency()
    commissioner = type(commissioner).objects.get(pk=commissioner.pk)  # memberships not cached
    with django_assert_num_queries(4) as one:
        assert len(_list(commissioner)) == 1
    for _ in range(4):
        contract_of_agency()
    commissioner = type(commissioner).objects.get(pk=commissioner.pk)
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(_list(commissioner)) == 5

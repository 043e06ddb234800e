"""Matching's contract component: a service whose provider holds a contract in force for
the need's category covering the person's area ranks higher, and says which contract."""

import pytest

from contracts import services
from referrals.matching import matches_for
from tests.factories.contracts import active_contract, standing_award
from tests.factories.marketplace import EvaluationTenderFactory, commissioner_of
from tests.factories.places import StreetFactory, shanghai_district
from tests.factories.taxonomy import need_category
from tests.referrals.test_matching import (
    ELDERLY_CARE,
    NEXT_DOOR,
    names,
    person,
    service_near,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def xuhui():
    return shanghai_district("310104", "徐汇区", "Xuhui District")


@pytest.fixture
def xujiahui(xuhui):
    return StreetFactory(code="310104008000", name_zh="徐家汇街道", parent=xuhui)


@pytest.fixture
def pudong():
    return shanghai_district("310115", "浦东新区", "Pudong New Area")


def _contract_for(provider, area, category=ELDERLY_CARE):
    tender = EvaluationTenderFactory(
        funded=False, categories=[need_category(category)], areas=[area]
    )
    award = standing_award(tender=tender)
    award.bid.provider = provider
    award.bid.save(update_fields=["provider"])
    return active_contract(award)


def _reason(match, name):
    return next(text for key, text, _points in match.reasons if key == name)


def test_the_contracted_provider_ranks_first_and_the_reason_names_the_contract(xujiahui, xuhui):
    contracted = service_near(NEXT_DOOR, name_zh="乙机构")
    other = service_near(NEXT_DOOR, name_zh="甲机构")  # first by name when scores are equal
    contract = _contract_for(contracted.provider, xuhui)

    matches = matches_for(beneficiary=person(xujiahui), category=ELDERLY_CARE)

    assert names(matches) == ["乙机构", "甲机构"]
    first, second = matches
    assert contract.reference in _reason(first, "contract")
    assert contract.lead_agency.name in _reason(first, "contract")
    assert {k: p for k, _t, p in first.reasons}["contract"] == 15.0
    assert {k: p for k, _t, p in second.reasons}["contract"] == 0.0
    assert second.service == other


def test_a_contract_elsewhere_for_another_need_or_no_longer_in_force_does_not_count(
    xujiahui, pudong
):
    elsewhere = service_near(NEXT_DOOR, name_zh="浦东机构")
    _contract_for(elsewhere.provider, pudong)
    other_need = service_near(NEXT_DOOR, name_zh="助残机构")
    _contract_for(other_need.provider, xujiahui.parent, category="social-services.disability")
    ended = service_near(NEXT_DOOR, name_zh="终止机构")
    contract = _contract_for(ended.provider, xujiahui.parent)
    services.terminate_contract(
        contract=contract, actor=commissioner_of(contract.lead_agency), reason="提前终止。"
    )

    matches = matches_for(beneficiary=person(xujiahui), category=ELDERLY_CARE)

    assert {{k: p for k, _t, p in m.reasons}["contract"] for m in matches} == {0.0}

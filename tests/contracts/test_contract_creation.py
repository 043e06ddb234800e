"""Making a contract from an award: who may, when, once per award, and what it carries."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from contracts.models import Contract, ContractVersion
from contracts.services import create_contract_from_award
from core.errors import ApplicationError
from core.models import AuditEvent
from marketplace.models import Award
from tests.factories.accounts import AgencyFactory
from tests.factories.contracts import (
    VALUE,
    contract_from_award,
    kpi_input,
    milestone_input,
    standing_award,
)
from tests.factories.marketplace import (
    ComplaintFactory,
    bidder_of,
    commissioner_of,
    finance_of,
)

pytestmark = pytest.mark.django_db


def test_a_commissioner_of_the_lead_agency_makes_the_draft_from_a_standing_award():
    award = standing_award()
    commissioner = commissioner_of(award.tender.lead_agency)

    contract = contract_from_award(award, actor=commissioner)

    assert contract.status == Contract.Status.DRAFT
    assert contract.award == award
    assert contract.lot == award.lot
    assert contract.lead_agency == award.tender.lead_agency
    assert contract.provider == award.bid.provider
    assert contract.value == award.value == VALUE
    assert (contract.start_date, contract.end_date) == (
        award.tender.contract_start,
        award.tender.contract_end,
    )
    assert contract.title_zh == award.lot.title_zh
    assert set(contract.categories.all()) == set(award.tender.categories.all())
    assert set(contract.areas.all()) == set(award.tender.areas.all())
    assert contract.reference == f"HT-{timezone.localdate().year}-0001"
    assert list(contract.versions.values_list("number", "created_by")) == [(1, commissioner.pk)]
    assert contract.kpis.count() == 1
    assert contract.milestones.get().amount == Decimal("100000.00")
    entry = AuditEvent.objects.get(action="contract.created")
    assert entry.organization_id == contract.lead_agency_id
    assert entry.object_label == contract.reference
    assert entry.details["value"] == str(VALUE)


def test_references_are_numbered_within_the_year():
    first = contract_from_award()
    second = contract_from_award()
    year = timezone.localdate().year
    assert [first.reference, second.reference] == [f"HT-{year}-0001", f"HT-{year}-0002"]


def test_a_contract_cannot_be_made_before_the_standstill_ends():
    award = standing_award(standstill_ends_at=timezone.now() + timedelta(hours=1))
    with pytest.raises(ApplicationError) as refused:
        contract_from_award(award)
    assert refused.value.code == "standstill"
    assert "standstill" in refused.value.message
    assert not Contract.objects.exists()


def test_a_contract_is_made_the_moment_the_standstill_ends_and_not_a_second_earlier():
    end = timezone.now() + timedelta(days=1)
    award = standing_award(standstill_ends_at=end)
    with pytest.raises(ApplicationError):
        contract_from_award(award, now=end - timedelta(seconds=1))
    assert contract_from_award(award, now=end).award == award


def test_a_recommended_award_cannot_be_contracted():
    award = standing_award(status=Award.Status.RECOMMENDED)
    with pytest.raises(ApplicationError) as refused:
        contract_from_award(award)
    assert refused.value.code == "standstill"


def test_a_confirmed_award_is_contracted():
    award = standing_award(status=Award.Status.CONFIRMED)
    assert contract_from_award(award).status == Contract.Status.DRAFT


def test_an_open_complaint_about_the_award_blocks_the_contract():
    award = standing_award()
    ComplaintFactory(award=award)
    with pytest.raises(ApplicationError) as refused:
        contract_from_award(award)
    assert refused.value.code == "complaint"


def test_an_award_is_contracted_once():
    award = standing_award()
    first = contract_from_award(award)
    with pytest.raises(ApplicationError) as refused:
        contract_from_award(award)
    assert refused.value.code == "already_contracted"
    assert first.reference in refused.value.message
    assert Contract.objects.filter(award=award).count() == 1


def test_the_database_refuses_a_second_contract_of_an_award_whatever_the_code_does():
    contract = contract_from_award()
    twin = Contract(
        reference="HT-1999-0001",
        award=contract.award,
        lot=contract.lot,
        lead_agency=contract.lead_agency,
        provider=contract.provider,
        title_zh=contract.title_zh,
        scope_zh=contract.scope_zh,
        value=contract.value,
        start_date=contract.start_date,
        end_date=contract.end_date,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()


@pytest.mark.parametrize(
    "who",
    ["finance of the lead agency", "commissioner of another agency", "the winning provider"],
)
def test_only_a_commissioner_of_the_lead_agency_makes_the_contract(who):
    award = standing_award()
    actor = {
        "finance of the lead agency": lambda: finance_of(award.tender.lead_agency),
        "commissioner of another agency": lambda: commissioner_of(AgencyFactory()),
        "the winning provider": lambda: bidder_of(award.bid.provider, role="provider_admin"),
    }[who]()
    with pytest.raises(PermissionDenied):
        contract_from_award(award, actor=actor)
    assert not Contract.objects.exists()


# --- what a person is told when the input does not hold ------------------------------------


def _refused(award=None, **kwargs) -> dict:
    with pytest.raises(ApplicationError) as refused:
        contract_from_award(award or standing_award(), **kwargs)
    assert not Contract.objects.exists()
    return refused.value.field_errors


def test_a_period_that_ends_before_it_starts_is_refused_on_the_end_date():
    today = timezone.localdate()
    errors = _refused(start_date=today, end_date=today - timedelta(days=1), milestones=[])
    assert list(errors) == ["end_date"]


def test_milestones_that_pay_more_than_the_value_are_refused():
    award = standing_award()
    start = award.tender.contract_start
    errors = _refused(
        award,
        milestones=[
            milestone_input(start, amount="300000.00"),
            milestone_input(start, amount="150000.01"),
        ],
    )
    assert list(errors) == ["milestones"]
    assert "¥450,000.01" in errors["milestones"][0]


def test_each_milestone_and_kpi_error_names_the_row_and_field_to_fix():
    award = standing_award()
    errors = _refused(
        award,
        kpis=[kpi_input(), kpi_input(measure="")],
        milestones=[
            milestone_input(award.tender.contract_start, amount="ten thousand"),
            milestone_input(None),
            milestone_input(None, kind="output", output_measure="median_days_to_accept"),
            milestone_input(None, kind="outcome", outcome_price="200000.00", outcome_kind=""),
            milestone_input(award.tender.contract_end + timedelta(days=1)),
        ],
    )
    assert set(errors) == {
        "kpis-1-measure",
        "milestones-0-amount",
        "milestones-1-due_date",
        "milestones-2-output_measure",
        "milestones-2-output_target",
        "milestones-3-outcome_kind",
        "milestones-3-outcome_price",
        "milestones-4-due_date",
    }
    assert errors["milestones-0-amount"] == ["Enter an amount in yuan, such as 120000.00."]


def test_a_yearly_price_adjustment_belongs_to_a_contract_of_more_than_a_year():
    award = standing_award()  # the tender's contract period is one year
    errors = _refused(award, price_adjustment_cap=Decimal("3.00"), price_adjustment_index="CPI")
    assert list(errors) == ["price_adjustment_cap"]


def test_a_multi_year_contract_carries_its_price_adjustment_clause():
    award = standing_award()
    start = award.tender.contract_start
    contract = contract_from_award(
        award,
        end_date=start.replace(year=start.year + 3) - timedelta(days=1),
        price_adjustment_cap=Decimal("3.00"),
        price_adjustment_index="上海市居民消费价格指数",
    )
    assert contract.is_multi_year and contract.has_price_adjustment


def test_a_price_adjustment_cap_needs_the_index_it_follows():
    award = standing_award()
    start = award.tender.contract_start
    errors = _refused(
        award,
        end_date=start.replace(year=start.year + 2),
        price_adjustment_cap=Decimal("3.00"),
    )
    assert list(errors) == ["price_adjustment_index"]


def test_a_period_longer_than_five_years_is_refused():
    award = standing_award()
    start = award.tender.contract_start
    errors = _refused(award, end_date=start.replace(year=start.year + 5))
    assert list(errors) == ["end_date"]


def test_version_one_is_made_with_the_contract():
    contract = contract_from_award()
    assert ContractVersion.objects.filter(contract=contract).count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        ContractVersion.objects.create(contract=contract, number=1)


def test_the_service_takes_keyword_arguments_only():
    with pytest.raises(TypeError):
        create_contract_from_award(standing_award(), None)  # type: ignore[misc]

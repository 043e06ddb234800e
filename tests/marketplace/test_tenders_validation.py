"""Drafting a tender: every field is checked, and each problem is named where it can be fixed."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from core.errors import ApplicationError
from core.models import AuditEvent
from marketplace import services
from marketplace.models import Criterion, Tender
from tests.factories.accounts import AgencyFactory
from tests.factories.marketplace import (
    ContributionFactory,
    PooledBudgetFactory,
    PublishedTenderFactory,
    commissioner_of,
    criteria_input,
)
from tests.factories.places import DistrictFactory, StreetFactory
from tests.factories.taxonomy import need_category

pytestmark = pytest.mark.django_db

ELDERLY_CARE = "social-services.elderly-care"


@pytest.fixture
def agency():
    return AgencyFactory()


@pytest.fixture
def commissioner(agency):
    return commissioner_of(agency)


@pytest.fixture
def budget(agency):
    budget = PooledBudgetFactory(lead_agency=agency)
    ContributionFactory(budget=budget, amount=Decimal("1000000"))
    return budget


@pytest.fixture
def district():
    return DistrictFactory()


def tender_values(agency, budget, district, **overrides):
    """A tender that passes every check; tests change one thing at a time."""
    now = timezone.now()
    contract_start = timezone.localdate() + timedelta(days=40)
    values = {
        "lead_agency": agency,
        "budget": budget,
        "title_zh": "高龄老人居家照护服务",
        "title_en": "Home care for older people",
        "description_zh": "为高龄独居老人提供上门照护。",
        "max_value": "400000",
        "categories": [need_category(ELDERLY_CARE)],
        "areas": [district],
        "criteria": criteria_input(),
        "enquiry_deadline": now + timedelta(days=10),
        "submission_deadline": now + timedelta(days=20),
        "contract_start": contract_start,
        "contract_end": contract_start.replace(year=contract_start.year + 2) - timedelta(days=1),
    }
    values.update(overrides)
    return values


def refused(commissioner, values) -> dict[str, list[str]]:
    with pytest.raises(ApplicationError) as error:
        services.create_tender(actor=commissioner, **values)
    assert error.value.message == "Some fields need attention."
    assert not Tender.objects.exists()
    return error.value.field_errors


def test_a_valid_tender_is_drafted_with_lot_1_criteria_and_a_reference(
    agency, budget, district, commissioner
):
    tender = services.create_tender(actor=commissioner, **tender_values(agency, budget, district))

    assert tender.status == Tender.Status.DRAFT
    assert tender.max_value == Decimal("400000.00")
    assert [(lot.number, lot.max_value) for lot in tender.lots.all()] == [(1, Decimal("400000.00"))]
    assert [(c.kind, c.weight) for c in tender.criteria.all()] == [
        (Criterion.Kind.PRICE, 40),
        (Criterion.Kind.QUALITY, 40),
        (Criterion.Kind.PAST_PERFORMANCE, 10),
        (Criterion.Kind.SOCIAL_VALUE, 10),
    ]
    assert tender.reference == f"CN-{timezone.localdate().year}-0001"
    assert AuditEvent.objects.filter(action="tender.created", object_id=str(tender.uuid)).exists()


def test_references_are_numbered_per_area_and_year(budget, district):
    agency = budget.lead_agency
    agency.area = DistrictFactory(code="920101000000")
    agency.save()
    commissioner = commissioner_of(agency)
    year = timezone.localdate().year

    first = services.create_tender(actor=commissioner, **tender_values(agency, budget, district))
    second = services.create_tender(actor=commissioner, **tender_values(agency, budget, district))

    assert (first.reference, second.reference) == (f"920101-{year}-0001", f"920101-{year}-0002")


def test_lots_are_created_as_given(agency, budget, district, commissioner):
    street = StreetFactory(parent=district)
    lots = [
        {"title_zh": "第一标段", "max_value": "150000", "areas": [street]},
        {"title_zh": "第二标段", "max_value": "250000"},
    ]

    tender = services.create_tender(
        actor=commissioner, lots=lots, **tender_values(agency, budget, district)
    )

    assert [(lot.number, lot.title_zh, lot.max_value) for lot in tender.lots.all()] == [
        (1, "第一标段", Decimal("150000.00")),
        (2, "第二标段", Decimal("250000.00")),
    ]
    assert list(tender.lots.get(number=1).areas.all()) == [street]


def test_deadlines_in_the_past_are_refused(agency, budget, district, commissioner):
    an_hour_ago = timezone.now() - timedelta(hours=1)

    errors = refused(
        commissioner,
        tender_values(
            agency,
            budget,
            district,
            publish_at=an_hour_ago - timedelta(days=2),
            enquiry_deadline=an_hour_ago - timedelta(days=1),
            submission_deadline=an_hour_ago,
        ),
    )

    assert errors["publish_at"] == [
        "This publication time has already passed. Choose a later time, or leave it empty "
        "to publish when you press publish."
    ]
    assert errors["enquiry_deadline"] == ["This deadline for questions has already passed."]
    assert errors["submission_deadline"] == ["This deadline for bids has already passed."]


def test_the_timeline_must_run_in_order(agency, budget, district, commissioner):
    now = timezone.now()

    errors = refused(
        commissioner,
        tender_values(
            agency,
            budget,
            district,
            publish_at=now + timedelta(days=12),
            enquiry_deadline=now + timedelta(days=11),
            submission_deadline=now + timedelta(days=10),
            contract_start=timezone.localdate() + timedelta(days=5),
            contract_end=timezone.localdate() + timedelta(days=4),
        ),
    )

    assert errors["publish_at"] == ["Publish the tender before the deadline for questions."]
    assert errors["enquiry_deadline"] == [
        "Questions must close before the deadline for bids, so that bidders can use the answers."
    ]
    assert errors["contract_start"] == ["The contract must start after the deadline for bids."]
    assert errors["contract_end"] == ["The contract cannot end before it starts."]


def test_a_contract_lasts_at_most_five_years(agency, budget, district, commissioner):
    start = timezone.localdate() + timedelta(days=40)
    last_day = start.replace(year=start.year + 5) - timedelta(days=1)

    errors = refused(
        commissioner,
        tender_values(agency, budget, district, contract_end=last_day + timedelta(days=1)),
    )
    assert errors["contract_end"] == [
        f"A contract may last at most 5 years: end it by {last_day.isoformat()}."
    ]

    tender = services.create_tender(
        actor=commissioner, **tender_values(agency, budget, district, contract_end=last_day)
    )
    assert tender.contract_end == last_day


def test_the_planned_award_date_falls_between_the_bid_deadline_and_the_contract(
    agency, budget, district, commissioner
):
    errors = refused(
        commissioner,
        tender_values(agency, budget, district, award_date_planned=timezone.localdate()),
    )

    assert errors["award_date_planned"] == [
        "Plan the award between the deadline for bids and the contract start."
    ]


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ((40, 30, 10, 10), "The weights add up to 90; they must add up to 100."),
        ((50, 40, 10, 10), "The weights add up to 110; they must add up to 100."),
    ],
)
def test_the_weights_must_add_up_to_100(agency, budget, district, commissioner, weights, message):
    errors = refused(
        commissioner, tender_values(agency, budget, district, criteria=criteria_input(weights))
    )

    assert errors["criteria"] == [message]


def test_a_tender_without_criteria_is_told_how_far_it_is_from_100(
    agency, budget, district, commissioner
):
    errors = refused(commissioner, tender_values(agency, budget, district, criteria=[]))

    assert errors["criteria"] == ["The weights add up to 0; they must add up to 100."]


def test_price_appears_once_and_every_criterion_is_named_and_weighted(
    agency, budget, district, commissioner
):
    criteria = [
        {"kind": "price", "name_zh": "价格", "weight": 30},
        {"kind": "price", "name_zh": "价格二", "weight": 30},
        {"kind": "quality", "name_zh": "", "weight": 40},
    ]
    errors = refused(commissioner, tender_values(agency, budget, district, criteria=criteria))
    assert errors["criteria"] == [
        "A tender can have only one price criterion.",
        "Give each criterion a name in Chinese.",
    ]

    criteria = [{"kind": "charm", "name_zh": "魅力", "weight": 0}]
    errors = refused(commissioner, tender_values(agency, budget, district, criteria=criteria))
    assert errors["criteria"] == [
        "Unknown kind of criterion: charm.",
        "Give each criterion a weight from 1 to 100.",
    ]


def test_several_quality_sub_criteria_are_fine(agency, budget, district, commissioner):
    criteria = [
        {"kind": "price", "name_zh": "价格", "weight": 30},
        {"kind": "quality", "name_zh": "服务方案", "weight": 30},
        {"kind": "quality", "name_zh": "人员配置", "weight": 20},
        {"kind": "quality", "name_zh": "风险管理", "weight": 20},
    ]

    tender = services.create_tender(
        actor=commissioner, **tender_values(agency, budget, district, criteria=criteria)
    )

    assert tender.criteria.filter(kind=Criterion.Kind.QUALITY).count() == 3


def test_the_maximum_value_cannot_exceed_the_money_available(
    agency, budget, district, commissioner
):
    errors = refused(commissioner, tender_values(agency, budget, district, max_value="1000000.01"))

    assert errors["max_value"] == [
        "The maximum value (¥1,000,000.01) is more than the ¥1,000,000.00 still available in "
        "the pooled budget for these need categories."
    ]


def test_money_earmarked_for_other_categories_does_not_fund_the_tender(
    agency, district, commissioner
):
    budget = PooledBudgetFactory(lead_agency=agency)
    ContributionFactory(
        budget=budget,
        amount=Decimal("900000"),
        earmarked_categories=[need_category("basic-living.dibao")],
    )

    errors = refused(commissioner, tender_values(agency, budget, district, max_value="1000"))

    assert "the ¥0.00 still available" in errors["max_value"][0]


def test_a_tender_needs_categories_and_areas(agency, budget, district, commissioner):
    errors = refused(commissioner, tender_values(agency, budget, district, categories=[], areas=[]))

    assert errors["categories"] == ["Choose at least one need category."]
    assert errors["areas"] == ["Choose at least one area."]


def test_the_budget_must_be_led_by_the_tenders_agency(agency, district, commissioner):
    foreign_budget = PooledBudgetFactory()
    ContributionFactory(budget=foreign_budget)

    errors = refused(commissioner, tender_values(agency, foreign_budget, district))

    assert errors["budget"] == ["Choose a pooled budget that your agency leads."]


def test_lots_stay_within_the_tenders_value_categories_and_areas(
    agency, budget, district, commissioner
):
    lots = [
        {"title_zh": "第一标段", "max_value": "300000", "areas": [DistrictFactory()]},
        {
            "title_zh": "",
            "max_value": "200000",
            "categories": [need_category("basic-living.dibao")],
        },
    ]

    errors = refused(commissioner, tender_values(agency, budget, district, lots=lots))

    assert errors["lots"] == [
        "Lot 1 can only cover the tender's areas or areas inside them.",
        "Give lot 2 a title in Chinese.",
        "Lot 2 can only use the tender's need categories.",
        "The lots' maximum values add up to ¥500,000.00, more than the tender's ¥400,000.00.",
    ]


def test_required_texts_are_asked_for(agency, budget, district, commissioner):
    errors = refused(
        commissioner, tender_values(agency, budget, district, title_zh="", description_zh="")
    )

    assert errors["title_zh"] == ["This field cannot be blank."]
    assert errors["description_zh"] == ["This field cannot be blank."]


def test_every_problem_is_reported_at_once(agency, budget, district, commissioner):
    errors = refused(
        commissioner,
        tender_values(
            agency, budget, district, categories=[], criteria=criteria_input((10, 10, 10, 10))
        ),
    )

    assert set(errors) == {"categories", "criteria"}


def test_only_a_commissioner_of_the_lead_agency_drafts_its_tenders(agency, budget, district):
    other_commissioner = commissioner_of(AgencyFactory())

    with pytest.raises(PermissionDenied):
        services.create_tender(actor=other_commissioner, **tender_values(agency, budget, district))


def test_a_draft_can_be_edited_and_is_checked_again(agency, budget, district, commissioner):
    tender = services.create_tender(actor=commissioner, **tender_values(agency, budget, district))

    services.update_tender(tender=tender, actor=commissioner, title_zh="新标题")
    tender.refresh_from_db()
    assert tender.title_zh == "新标题"

    with pytest.raises(ApplicationError) as error:
        services.update_tender(
            tender=tender, actor=commissioner, criteria=criteria_input((40, 40, 10, 5))
        )
    assert error.value.field_errors["criteria"] == [
        "The weights add up to 95; they must add up to 100."
    ]


def test_a_published_tender_is_changed_only_by_an_amendment():
    tender = PublishedTenderFactory()

    with pytest.raises(ApplicationError) as error:
        services.update_tender(
            tender=tender, actor=commissioner_of(tender.lead_agency), title_zh="新标题"
        )

    assert error.value.code == "not_draft"
    assert "changed by an amendment" in error.value.message

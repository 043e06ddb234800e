"""Eligibility is checked automatically when a bid is submitted: every reason is listed at
once, kept on the bid for its provider to read (in Chinese and English), and the bid stays a
draft until they are put right."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from core.errors import ApplicationError
from marketplace import eligibility, services
from marketplace.models import Bid, BidResponse, Criterion
from providers.models import Provider
from tests.factories.marketplace import (
    BidFactory,
    TenderingTenderFactory,
    bidder_of,
    complete_bid,
)
from tests.factories.places import CityFactory, DistrictFactory, StreetFactory
from tests.factories.providers import (
    ProviderDocumentFactory,
    ProviderFactory,
    ServiceFactory,
    SiteFactory,
    VerifiedProviderFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def district():
    return DistrictFactory()


def make_bid(provider=None, price=Decimal("300000.00"), **tender_requirements):
    tender = TenderingTenderFactory(**tender_requirements)
    bid = BidFactory(tender=tender, provider=provider or VerifiedProviderFactory(), price=price)
    return complete_bid(bid)


def codes(bid):
    return [problem["code"] for problem in eligibility.eligibility_report(bid)]


def test_an_eligible_complete_bid_has_nothing_to_report():
    assert codes(make_bid()) == []


def test_every_reason_is_listed_at_once_kept_on_the_bid_and_the_bid_stays_a_draft(district):
    provider = ProviderFactory(status=Provider.Status.SUBMITTED, certified_social_workers=1)
    ProviderDocumentFactory(
        provider=provider, title="年度检查报告", expires_on=timezone.localdate() - timedelta(days=1)
    )
    bid = make_bid(
        provider,
        price=Decimal("600000.00"),
        min_grade=Provider.Grade.A3,
        require_area_presence=True,
        min_certified_social_workers=3,
        areas=[district],
    )
    BidResponse.objects.filter(bid=bid, criterion__kind=Criterion.Kind.SOCIAL_VALUE).delete()

    with pytest.raises(ApplicationError) as refused:
        services.submit_bid(bid=bid, user=bidder_of(provider))

    assert refused.value.code == "ineligible"
    bid.refresh_from_db()
    assert bid.status == Bid.Status.DRAFT
    assert [problem["code"] for problem in bid.eligibility_report] == [
        "not_verified",
        "grade",
        "area",
        "social_workers",
        "documents_expired",
        "price_above_maximum",
        "response_missing",
    ]
    messages = refused.value.field_errors["eligibility"]
    assert len(messages) == 7
    assert "Only verified providers may bid" in messages[0]
    assert "at least 3A" in messages[1]
    assert district.name_zh in messages[2]
    assert "at least 3 certified social workers; your profile lists 1" in messages[3]
    assert "年度检查报告" in messages[4]
    assert "Social value" in messages[6]


def test_the_reasons_are_kept_in_chinese_and_english():
    provider = ProviderFactory(status=Provider.Status.SUBMITTED)
    bid = make_bid(provider)
    [problem] = eligibility.eligibility_report(bid)
    assert problem["message_en"].startswith("Only verified providers may bid")
    with translation.override("zh-hans"):
        assert eligibility.eligibility_messages([problem]) == [problem["message_zh"]]
    with translation.override("en"):
        assert eligibility.eligibility_messages([problem]) == [problem["message_en"]]


def test_a_tender_open_to_unverified_providers_accepts_them_but_never_debarred_or_suspended():
    assert codes(make_bid(ProviderFactory(), require_verified=False)) == []
    for status, code in (
        (Provider.Status.DEBARRED, "debarred"),
        (Provider.Status.SUSPENDED, "suspended"),
    ):
        assert codes(make_bid(ProviderFactory(status=status), require_verified=False)) == [code]


def graded(grade, standing=Provider.GradeStatus.VERIFIED):
    return VerifiedProviderFactory(
        grade=grade,
        grade_date=timezone.localdate(),
        grade_status=standing,
        grade_source=Provider.GradeSource.CERTIFICATE,
    )


def test_the_minimum_grade_is_met_by_a_verified_grade_that_high_or_better():
    provider = graded(Provider.Grade.A4)
    assert codes(make_bid(provider, min_grade=Provider.Grade.A4)) == []
    assert codes(make_bid(provider, min_grade=Provider.Grade.A3)) == []
    assert codes(make_bid(provider, min_grade=Provider.Grade.A5)) == ["grade"]


def test_a_declared_grade_does_not_meet_the_minimum_and_the_reason_says_so():
    provider = graded(Provider.Grade.A5, Provider.GradeStatus.DECLARED)
    [problem] = eligibility.eligibility_report(make_bid(provider, min_grade=Provider.Grade.A4))
    assert problem["code"] == "grade"
    assert "your grade 5A is declared but not verified" in problem["message_en"]


def test_a_declared_grade_below_the_minimum_is_shown_with_its_standing():
    provider = graded(Provider.Grade.A2, Provider.GradeStatus.DECLARED)
    [problem] = eligibility.eligibility_report(make_bid(provider, min_grade=Provider.Grade.A3))
    assert "yours is “2A (declared, not verified)”" in problem["message_en"]


def test_a_verified_grade_below_the_minimum_is_shown_with_its_evidence():
    provider = graded(Provider.Grade.A3)
    [problem] = eligibility.eligibility_report(make_bid(provider, min_grade=Provider.Grade.A4))
    assert "yours is “3A — verified (certificate)”" in problem["message_en"]


def test_presence_in_the_area_is_a_site_inside_it(district):
    provider = VerifiedProviderFactory()
    SiteFactory(provider=provider, area=StreetFactory(parent=district))
    assert codes(make_bid(provider, require_area_presence=True, areas=[district])) == []


def test_presence_in_the_area_is_an_offered_service_covering_it_or_the_city_around_it(district):
    provider = VerifiedProviderFactory()
    ServiceFactory(provider=provider, areas_covered=[district.parent])
    assert codes(make_bid(provider, require_area_presence=True, areas=[district])) == []

    hidden = VerifiedProviderFactory()
    ServiceFactory(provider=hidden, areas_covered=[district], is_active=False)
    assert codes(make_bid(hidden, require_area_presence=True, areas=[district])) == ["area"]


def test_a_site_elsewhere_is_no_presence(district):
    provider = VerifiedProviderFactory()
    SiteFactory(provider=provider, area=DistrictFactory(parent=CityFactory()))
    assert codes(make_bid(provider, require_area_presence=True, areas=[district])) == ["area"]


def test_a_lots_own_areas_are_the_ones_that_count(district):
    provider = VerifiedProviderFactory()
    SiteFactory(provider=provider, area=district)
    other = DistrictFactory(parent=district.parent)
    bid = make_bid(provider, require_area_presence=True, areas=[district, other])
    bid.lot.areas.set([other])
    assert codes(bid) == ["area"]


def test_documents_that_expire_later_or_never_are_fine():
    provider = VerifiedProviderFactory()
    ProviderDocumentFactory(provider=provider, expires_on=timezone.localdate())
    ProviderDocumentFactory(provider=provider, expires_on=None)
    assert codes(make_bid(provider)) == []
    ProviderDocumentFactory(provider=provider, expires_on=timezone.localdate() - timedelta(days=1))
    assert codes(make_bid(provider)) == ["documents_expired"]
    assert codes(make_bid(provider, require_valid_documents=False)) == []


def test_a_bid_needs_a_price_and_a_response_to_every_criterion_the_panel_scores():
    bid = BidFactory(tender=TenderingTenderFactory())
    assert codes(bid) == ["price_missing", "response_missing"]


def test_once_put_right_the_bid_is_submitted_and_the_report_cleared():
    provider = ProviderFactory(status=Provider.Status.SUBMITTED)
    bid = make_bid(provider)
    bidder = bidder_of(provider)
    with pytest.raises(ApplicationError):
        services.submit_bid(bid=bid, user=bidder)
    Provider.objects.filter(pk=provider.pk).update(
        status=Provider.Status.VERIFIED, verified_at=timezone.now()
    )
    bid.refresh_from_db()
    submitted = services.submit_bid(bid=bid, user=bidder)
    assert submitted.status == Bid.Status.SUBMITTED
    assert submitted.eligibility_report == []

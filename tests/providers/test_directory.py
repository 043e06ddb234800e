"""The public service directory /providers/: what it lists, its filters, counts and pages."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from providers.models import Provider, Service
from providers.services import verification
from tests.factories.accounts import user_with_role
from tests.factories.places import StreetFactory, shanghai_district
from tests.factories.providers import (
    ServiceFactory,
    SiteFactory,
    VerifiedProviderFactory,
)
from tests.factories.taxonomy import need_category, service_tier

pytestmark = pytest.mark.django_db

DIRECTORY = reverse("providers:directory")


@pytest.fixture
def pudong():
    return shanghai_district("310115", "浦东新区", "Pudong New Area")


@pytest.fixture
def xuhui():
    return shanghai_district("310104", "徐汇区", "Xuhui")


def listed(client, **params) -> list[str]:
    """Chinese names of the services the directory lists on its first page for ``params``."""
    response = client.get(DIRECTORY, params, headers={"accept-language": "en"})
    assert response.status_code == 200
    return [service.name_zh for service in response.context["services"]]


# --- what the directory shows -------------------------------------------------------


def test_lists_services_of_verified_providers_only(client):
    ServiceFactory(name_zh="已认证服务")
    for status in (
        Provider.Status.DRAFT,
        Provider.Status.SUBMITTED,
        Provider.Status.REJECTED,
        Provider.Status.SUSPENDED,
        Provider.Status.DEBARRED,
    ):
        ServiceFactory(name_zh=f"{status}服务", provider__status=status)

    assert listed(client) == ["已认证服务"]


def test_hides_services_unconfirmed_for_180_days_and_services_not_offered(client):
    now = timezone.now()
    ServiceFactory(name_zh="最近确认", last_confirmed_at=now - timedelta(days=179))
    ServiceFactory(name_zh="过期未确认", last_confirmed_at=now - timedelta(days=181))
    ServiceFactory(name_zh="暂停提供", is_active=False)

    assert listed(client) == ["最近确认"]


def test_suspending_a_provider_removes_its_services(client):
    service = ServiceFactory(name_zh="社区助餐")
    admin = user_with_role(Role.PLATFORM_ADMIN)
    assert listed(client) == ["社区助餐"]

    verification.suspend_provider(provider=service.provider, actor=admin, reason="年检不合格")

    assert listed(client) == []


def test_shows_count_provider_grade_capacity_and_confirmation(client):
    ServiceFactory(
        name_en="Meals for older people",
        provider__grade=Provider.Grade.A4,
        provider__grade_date=timezone.localdate(),
        provider__grade_status=Provider.GradeStatus.VERIFIED,
        provider__grade_source=Provider.GradeSource.CERTIFICATE,
        provider__organization__name_en="Sunshine Social Work",
        free_slots=3,
        waitlist_length=2,
    )

    response = client.get(DIRECTORY, headers={"accept-language": "en"})

    content = response.content.decode()
    assert "1 service found" in content
    assert "Meals for older people" in content
    assert "Sunshine Social Work" in content
    assert "Grade 4A" in content
    assert "3 free places" in content
    assert "2 people waiting" in content
    assert "Last confirmed" in content
    assert "Stale" not in content


def test_marks_capacity_not_updated_for_a_week_as_stale(client):
    ServiceFactory(capacity_updated_at=timezone.now() - timedelta(days=8))

    response = client.get(DIRECTORY, headers={"accept-language": "en"})

    assert "Stale" in response.content.decode()


def test_lists_services_with_current_free_places_first(client):
    ServiceFactory(name_zh="A 无空位", free_slots=0)
    ServiceFactory(
        name_zh="B 有空位但未更新", capacity_updated_at=timezone.now() - timedelta(days=9)
    )
    ServiceFactory(name_zh="C 有空位", free_slots=2)

    assert listed(client) == ["C 有空位", "A 无空位", "B 有空位但未更新"]


def test_empty_result_explains_what_to_try(client):
    ServiceFactory()

    response = client.get(DIRECTORY, {"q": "没有这样的服务"}, headers={"accept-language": "en"})

    content = response.content.decode()
    assert "0 services found" in content
    assert "No service matches all of these choices." in content
    assert "12345" in content


def test_page_is_in_chinese_by_default(client):
    ServiceFactory()

    response = client.get(DIRECTORY)

    assert response.status_code == 200
    assert "<title>" in response.content.decode()


# --- filters -------------------------------------------------------------------------------


def test_category_filter_matches_the_category(client):
    ServiceFactory(name_zh="养老", categories=[need_category("social-services.elderly-care")])
    ServiceFactory(name_zh="低保", categories=[need_category("basic-living.dibao")])

    assert listed(client, category="basic-living.dibao") == ["低保"]


def test_category_group_matches_services_in_its_categories(client):
    ServiceFactory(name_zh="低保", categories=[need_category("basic-living.dibao")])
    ServiceFactory(name_zh="特困", categories=[need_category("basic-living.extreme-poverty")])
    ServiceFactory(name_zh="养老", categories=[need_category("social-services.elderly-care")])

    assert sorted(listed(client, category="basic-living")) == ["低保", "特困"]


def test_service_in_several_categories_of_a_group_is_counted_once(client):
    ServiceFactory(
        name_zh="综合救助",
        categories=[
            need_category("basic-living.dibao"),
            need_category("basic-living.low-income"),
            need_category("basic-living.extreme-poverty"),
        ],
    )

    response = client.get(DIRECTORY, {"category": "basic-living", "q": "救助"})

    assert response.context["page_obj"].paginator.count == 1
    assert [s.name_zh for s in response.context["services"]] == ["综合救助"]


def test_district_filter_matches_areas_covered(client, pudong, xuhui):
    ServiceFactory(name_zh="浦东服务", areas_covered=[pudong])
    ServiceFactory(name_zh="徐汇服务", areas_covered=[xuhui])

    assert listed(client, district="310115") == ["浦东服务"]


def test_district_filter_matches_a_street_covered_and_the_whole_city(client, pudong, xuhui):
    street = StreetFactory(code="310115001000", parent=pudong)
    ServiceFactory(name_zh="街道服务", areas_covered=[street])
    ServiceFactory(name_zh="全市服务", areas_covered=[pudong.parent])
    ServiceFactory(name_zh="徐汇服务", areas_covered=[xuhui])

    assert sorted(listed(client, district="310115")) == ["全市服务", "街道服务"]


def test_district_filter_matches_a_site_in_the_district(client, pudong, xuhui):
    provider = VerifiedProviderFactory()
    pudong_site = SiteFactory(provider=provider, district=pudong, area=pudong)
    xuhui_site = SiteFactory(provider=provider, district=xuhui, area=xuhui)
    ServiceFactory(name_zh="浦东站点", provider=provider, sites=[pudong_site])
    ServiceFactory(name_zh="徐汇站点", provider=provider, sites=[xuhui_site])

    assert listed(client, district="310115") == ["浦东站点"]


def test_service_matching_a_district_twice_is_listed_once(client, pudong):
    provider = VerifiedProviderFactory()
    sites = [SiteFactory(provider=provider, district=pudong) for _ in range(2)]
    ServiceFactory(name_zh="两处站点", provider=provider, sites=sites, areas_covered=[pudong])

    response = client.get(DIRECTORY, {"district": "310115"})

    assert response.context["page_obj"].paginator.count == 1
    assert len(response.context["services"]) == 1


def test_tier_fee_and_delivery_filters(client):
    ServiceFactory(name_zh="生存", tier=service_tier("survival"), fee_kind=Service.FeeKind.FREE)
    ServiceFactory(
        name_zh="发展",
        tier=service_tier("development"),
        fee_kind=Service.FeeKind.PAID,
        at_site=False,
        home_visit=True,
    )
    ServiceFactory(name_zh="远程", fee_kind=Service.FeeKind.SUBSIDISED, at_site=False, remote=True)

    assert listed(client, tier="development") == ["发展"]
    assert listed(client, fee="subsidised") == ["远程"]
    assert listed(client, fee="free") == ["生存"]
    assert listed(client, delivery="home_visit") == ["发展"]
    assert sorted(listed(client, delivery=["home_visit", "remote"])) == ["发展", "远程"]


def test_referral_and_capacity_filters(client):
    ServiceFactory(name_zh="有空位", free_slots=4)
    ServiceFactory(name_zh="已满", free_slots=0)
    ServiceFactory(name_zh="不接受转介", accepting_referrals=False)

    assert sorted(listed(client, has_capacity="on")) == ["不接受转介", "有空位"]
    assert sorted(listed(client, accepting_referrals="on")) == ["已满", "有空位"]
    # Unticked boxes do not narrow the list.
    assert len(listed(client)) == 3


def test_minimum_grade_filter(client):
    today = timezone.localdate()
    verified = {
        "provider__grade_status": Provider.GradeStatus.VERIFIED,
        "provider__grade_source": Provider.GradeSource.CERTIFICATE,
    }
    ServiceFactory(name_zh="5A", provider__grade=5, provider__grade_date=today, **verified)
    ServiceFactory(name_zh="3A", provider__grade=3, provider__grade_date=today, **verified)
    ServiceFactory(name_zh="未评级", provider__grade=0)
    # Declared, not verified: the provider's claim counts in no filter (issue #13).
    ServiceFactory(
        name_zh="自称5A",
        provider__grade=5,
        provider__grade_date=today,
        provider__grade_status=Provider.GradeStatus.DECLARED,
        provider__grade_source=Provider.GradeSource.CERTIFICATE,
    )

    assert sorted(listed(client, grade="3")) == ["3A", "5A"]
    assert listed(client, grade="5") == ["5A"]


def test_search_in_chinese_matches_names_descriptions_providers_and_categories(client):
    ServiceFactory(name_zh="老年助餐服务", name_en="Meals", description_zh="")
    ServiceFactory(name_zh="甲", name_en="A", description_zh="为独居老人提供助餐")
    ServiceFactory(name_zh="乙", name_en="B", provider__organization__name_zh="浦东助餐社")
    ServiceFactory(
        name_zh="丙",
        name_en="C",
        description_zh="",
        categories=[need_category("special-assistance.medical")],
    )

    assert sorted(listed(client, q="助餐")) == ["乙", "甲", "老年助餐服务"]
    assert listed(client, q="医疗救助") == ["丙"]


def test_search_in_english_is_case_insensitive(client):
    dibao = [need_category("basic-living.dibao")]
    ServiceFactory(name_zh="甲", name_en="Home Care for Older People", categories=dibao)
    ServiceFactory(
        name_zh="乙",
        name_en="B",
        description_en="",
        categories=dibao,
        provider__organization__name_en="Sunshine Social Work",
    )
    ServiceFactory(
        name_zh="丙",
        name_en="C",
        description_en="",
        categories=[need_category("social-services.legal-aid")],
    )

    assert listed(client, q="home care") == ["甲"]
    assert listed(client, q="SUNSHINE") == ["乙"]
    assert listed(client, q="legal aid") == ["丙"]


def test_every_search_word_must_match(client):
    ServiceFactory(name_zh="浦东 老年助餐", description_zh="")
    ServiceFactory(name_zh="徐汇 老年助餐", description_zh="")

    assert listed(client, q="老年助餐 浦东") == ["浦东 老年助餐"]
    # A full-width space separates words too.
    assert listed(client, q="老年助餐\u3000徐汇") == ["徐汇 老年助餐"]


def test_filters_combine(client, pudong):
    ServiceFactory(
        name_zh="浦东养老有空位",
        areas_covered=[pudong],
        categories=[need_category("social-services.elderly-care")],
        free_slots=2,
    )
    ServiceFactory(
        name_zh="浦东养老已满",
        areas_covered=[pudong],
        categories=[need_category("social-services.elderly-care")],
        free_slots=0,
    )
    ServiceFactory(
        name_zh="浦东儿童",
        areas_covered=[pudong],
        categories=[need_category("social-services.child-welfare")],
    )

    assert listed(
        client,
        category="social-services.elderly-care",
        district="310115",
        has_capacity="on",
        q="养老",
    ) == ["浦东养老有空位"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"district": "abc"}, "district"),
        ({"grade": "9"}, "grade"),
        ({"category": "no-such-category"}, "category"),
        ({"fee": "cheap"}, "fee"),
        ({"delivery": "teleport"}, "delivery"),
        ({"q": "x" * 101}, "q"),
    ],
)
def test_invalid_filter_values_show_an_error_next_to_the_field(client, params, field):
    ServiceFactory()

    response = client.get(DIRECTORY, params, headers={"accept-language": "en"})

    assert response.status_code == 200
    form = response.context["filter"].form
    assert field in form.errors
    content = response.content.decode()
    assert "Please correct the following" in content
    assert f'id="id_{field}_error"' in content or f'id="id_{field}_0_error"' in content


def test_invalid_filter_is_left_out_and_the_valid_ones_still_apply(client):
    ServiceFactory(
        name_zh="5A",
        provider__grade=5,
        provider__grade_date=timezone.localdate(),
        provider__grade_status=Provider.GradeStatus.VERIFIED,
        provider__grade_source=Provider.GradeSource.CERTIFICATE,
    )
    ServiceFactory(name_zh="未评级")

    assert listed(client, district="abc", grade="5") == ["5A"]


# --- pages and queries -------------------------------------------------------------------


def test_pagination_keeps_the_filters(client):
    category = need_category("social-services.elderly-care")
    for _ in range(25):
        ServiceFactory(categories=[category])
    ServiceFactory(categories=[need_category("basic-living.dibao")])

    first = client.get(DIRECTORY, {"category": category.code, "has_capacity": "on"})
    second = client.get(DIRECTORY, {"category": category.code, "has_capacity": "on", "page": 2})

    assert first.context["page_obj"].paginator.count == 25
    content = first.content.decode()
    assert "category=social-services.elderly-care" in content
    assert "has_capacity=on&amp;page=2" in content
    assert len(first.context["services"]) == 20
    assert len(second.context["services"]) == 5


def _services_with_everything(count, district):
    provider = VerifiedProviderFactory()
    site = SiteFactory(provider=provider, district=district, area=district)
    categories = [need_category("basic-living.dibao"), need_category("basic-living.low-income")]
    for _ in range(count):
        ServiceFactory(
            provider=VerifiedProviderFactory(),
            categories=categories,
            areas_covered=[district],
            sites=[site],
        )


@pytest.mark.parametrize(
    "params", [{}, {"category": "basic-living", "district": "310115", "q": "服务"}]
)
def test_directory_runs_a_fixed_number_of_queries(client, pudong, params):
    _services_with_everything(2, pudong)
    client.get(DIRECTORY, params)  # warm caches (content types, sites) outside the count
    with CaptureQueriesContext(connection) as few:
        response = client.get(DIRECTORY, params)
    assert len(response.context["services"]) == 2

    _services_with_everything(28, pudong)
    with CaptureQueriesContext(connection) as many:
        response = client.get(DIRECTORY, params)
    assert len(response.context["services"]) == 20

    assert len(many) == len(few)

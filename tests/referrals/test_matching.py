"""Matching (issue #5 point 5): which services a caseworker sees for a person's need, in
which order, and why — eligibility, category, coverage or distance, capacity, and the
places kept for ratings and contracts."""

import datetime
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone

from core.errors import ApplicationError
from providers.models import Provider, Service
from referrals.matching import MAX_DISTANCE_KM, Match, matches_for
from referrals.models import AssistanceStatus
from tests.factories.places import CityFactory, StreetFactory, shanghai_district
from tests.factories.providers import ServiceFactory, SiteFactory, VerifiedProviderFactory
from tests.factories.referrals import BeneficiaryFactory, id_number
from tests.factories.taxonomy import need_category

pytestmark = pytest.mark.django_db

ELDERLY_CARE = "social-services.elderly-care"
# The person lives by Xujiahui; the sites are this far away (geodesic, rounded).
HOME = (Decimal("31.188000"), Decimal("121.437000"))
NEXT_DOOR = (Decimal("31.192000"), Decimal("121.437000"))  # 0.4 km
ACROSS_TOWN = (Decimal("31.250000"), Decimal("121.500000"))  # 9.1 km
OUT_OF_REACH = (Decimal("31.400000"), Decimal("121.440000"))  # 23.5 km


@pytest.fixture
def xuhui():
    return shanghai_district("310104", "徐汇区", "Xuhui District")


@pytest.fixture
def xujiahui(xuhui):
    return StreetFactory(
        code="310104008000", name_zh="徐家汇街道", name_en="Xujiahui Subdistrict", parent=xuhui
    )


@pytest.fixture
def pudong():
    return shanghai_district("310115", "浦东新区", "Pudong New Area")


def person(area=None, *, age=45, male=True, point=HOME, **fields):
    """A beneficiary of ``age`` today living at ``point`` (None: location unknown)."""
    today = timezone.localdate()
    number = id_number(birth_date=datetime.date(today.year - age, 1, 1), male=male)
    latitude, longitude = point if point else (None, None)
    return BeneficiaryFactory(
        id_number=number, area=area, latitude=latitude, longitude=longitude, **fields
    )


def site_at(point, **fields):
    latitude, longitude = point
    return SiteFactory(latitude=latitude, longitude=longitude, **fields)


def service_near(point=NEXT_DOOR, *, categories=None, **fields):
    """A service offering elderly care with one site at ``point``."""
    provider = fields.pop("provider", None) or VerifiedProviderFactory()
    site = site_at(point, provider=provider)
    return ServiceFactory(
        provider=provider,
        sites=[site],
        categories=categories or [need_category(ELDERLY_CARE)],
        **fields,
    )


def names(matches: list[Match]) -> list[str]:
    return [match.service.name_zh for match in matches]


def eligible(matches):
    return [match for match in matches if match.eligible]


def ineligible(matches):
    return [match for match in matches if not match.eligible]


def reason(match: Match, component: str) -> str:
    return next(text for name, text, _points in match.reasons if name == component)


def points(match: Match, component: str) -> float:
    return next(p for name, _text, p in match.reasons if name == component)


# --- eligibility: a hard filter, explained ------------------------------------------


def test_a_service_for_another_age_group_is_listed_apart_with_the_reason(xujiahui):
    service_near(name_zh="长者照护", min_age=60)
    service_near(name_zh="儿童照护", max_age=17)
    service_near(name_zh="中年照护", min_age=40, max_age=50)

    matches = matches_for(beneficiary=person(xujiahui, age=45), category=ELDERLY_CARE)

    assert names(eligible(matches)) == ["中年照护"]
    assert {m.service.name_zh: m.ineligible_because for m in ineligible(matches)} == {
        "长者照护": ["For people aged 60 and over; this person is 45."],
        "儿童照护": ["For people aged up to 17; this person is 45."],
    }


def test_a_service_for_women_only_is_not_a_match_for_a_man(xujiahui):
    service_near(name_zh="妇女服务", gender=Service.Gender.FEMALE)
    service_near(name_zh="男士服务", gender=Service.Gender.MALE)
    service_near(name_zh="所有人", gender=Service.Gender.ANY)

    for_him = matches_for(beneficiary=person(xujiahui, male=True), category=ELDERLY_CARE)
    for_her = matches_for(beneficiary=person(xujiahui, male=False), category=ELDERLY_CARE)

    assert sorted(names(eligible(for_him))) == ["所有人", "男士服务"]
    assert [m.ineligible_because for m in ineligible(for_him)] == [["For women and girls only."]]
    assert sorted(names(eligible(for_her))) == ["妇女服务", "所有人"]
    assert [m.ineligible_because for m in ineligible(for_her)] == [["For men and boys only."]]


def test_a_service_for_local_household_registration_only_is_not_a_match_for_a_migrant(xujiahui):
    service_near(name_zh="本市户籍", household_registration=Service.HouseholdRegistration.LOCAL)
    service_near(name_zh="不限户籍", household_registration=Service.HouseholdRegistration.ANY)

    migrant = matches_for(
        beneficiary=person(xujiahui, local_household_registration=False), category=ELDERLY_CARE
    )
    local = matches_for(
        beneficiary=person(xujiahui, local_household_registration=True), category=ELDERLY_CARE
    )

    assert names(eligible(migrant)) == ["不限户籍"]
    assert ineligible(migrant)[0].ineligible_because == [
        "Only for people with a local household registration (hukou); this person's is elsewhere."
    ]
    assert sorted(names(eligible(local))) == ["不限户籍", "本市户籍"]


def test_a_service_requiring_an_assistance_status_needs_any_one_of_them(xujiahui):
    service_near(name_zh="低保或特困", required_statuses=["dibao", "extreme_poverty"])
    service_near(name_zh="残疾人", required_statuses=["disability"])
    service_near(name_zh="面向所有人", required_statuses=[])

    on_dibao = person(xujiahui, assistance_statuses=[AssistanceStatus.DIBAO])
    low_income = person(xujiahui, assistance_statuses=[AssistanceStatus.LOW_INCOME])
    no_status = person(xujiahui, assistance_statuses=[])

    assert sorted(names(eligible(matches_for(beneficiary=on_dibao, category=ELDERLY_CARE)))) == [
        "低保或特困",
        "面向所有人",
    ]
    assert names(eligible(matches_for(beneficiary=low_income, category=ELDERLY_CARE))) == [
        "面向所有人"
    ]
    refused = ineligible(matches_for(beneficiary=no_status, category=ELDERLY_CARE))
    assert {m.service.name_zh: m.ineligible_because for m in refused} == {
        "低保或特困": [
            "Only for people receiving one of: Dibao (minimum living allowance), Extreme "
            "poverty support; this person receives none."
        ],
        "残疾人": [
            "Only for people receiving one of: Disability certificate; this person receives none."
        ],
    }


def test_every_rule_failed_is_explained_and_eligible_matches_come_first(xujiahui):
    service_near(name_zh="不符合", min_age=60, gender=Service.Gender.FEMALE, free_slots=9)
    service_near(name_zh="符合但已满", free_slots=0)

    matches = matches_for(beneficiary=person(xujiahui, age=30, male=True), category=ELDERLY_CARE)

    assert [(m.service.name_zh, m.eligible) for m in matches] == [
        ("符合但已满", True),
        ("不符合", False),
    ]
    assert matches[1].ineligible_because == [
        "For people aged 60 and over; this person is 30.",
        "For women and girls only.",
    ]
    assert matches[0].ineligible_because == []


# --- category -------------------------------------------------------------------------


def test_a_need_of_a_group_matches_services_of_every_category_in_it(xujiahui):
    service_near(name_zh="养老", categories=[need_category(ELDERLY_CARE)])
    service_near(name_zh="儿童", categories=[need_category("social-services.child-welfare")])
    service_near(name_zh="低保", categories=[need_category("basic-living.dibao")])

    matches = matches_for(beneficiary=person(xujiahui), category="social-services")

    assert sorted(names(matches)) == ["儿童", "养老"]
    assert reason(matches[0], "category") in {"Offers Elderly care", "Offers Child welfare"}


def test_a_need_of_a_category_matches_it_and_generalists_of_its_group_but_no_sibling(xujiahui):
    service_near(name_zh="专门养老", categories=[need_category(ELDERLY_CARE)])
    service_near(name_zh="综合社会服务", categories=[need_category("social-services")])
    service_near(name_zh="儿童", categories=[need_category("social-services.child-welfare")])

    matches = matches_for(beneficiary=person(xujiahui), category=need_category(ELDERLY_CARE))

    assert names(matches) == ["专门养老", "综合社会服务"]
    specialist, generalist = matches
    assert reason(specialist, "category") == "Offers Elderly care"
    assert reason(generalist, "category") == (
        "Offers Social services in general, not Elderly care specifically"
    )
    assert points(specialist, "category") > points(generalist, "category")


def test_an_unknown_category_code_is_refused_with_a_field_error(xujiahui):
    with pytest.raises(ApplicationError) as refused:
        matches_for(beneficiary=person(xujiahui), category="no-such.category")

    assert refused.value.field_errors == {"category": ["Choose a need category from the list."]}


# --- reach: coverage of the person's area, or a site nearby ------------------------------


def test_coverage_of_the_area_or_of_any_ancestor_reaches_the_person(xujiahui, xuhui, pudong):
    city, shanghai = xuhui.parent, xuhui.parent.parent
    far = {"point": OUT_OF_REACH}  # the sites are out of reach: only coverage counts
    service_near(name_zh="覆盖街道", areas_covered=[xujiahui], **far)
    service_near(name_zh="覆盖徐汇", areas_covered=[xuhui], **far)
    service_near(name_zh="覆盖市辖区", areas_covered=[city], **far)
    service_near(name_zh="覆盖全市", areas_covered=[shanghai], **far)
    service_near(name_zh="覆盖浦东", areas_covered=[pudong], **far)
    service_near(name_zh="覆盖外地", areas_covered=[CityFactory(name_zh="外地市")], **far)

    matches = matches_for(beneficiary=person(xujiahui), category=ELDERLY_CARE)

    assert {m.service.name_zh: reason(m, "coverage") for m in matches} == {
        "覆盖街道": "Covers Xujiahui Subdistrict",
        "覆盖徐汇": "Covers Xuhui District",
        "覆盖市辖区": "Covers all of Shanghai",
        "覆盖全市": "Covers all of Shanghai",
    }
    by_name = {m.service.name_zh: m for m in matches}
    # A local service counts more than a city-wide one.
    assert points(by_name["覆盖徐汇"], "coverage") > points(by_name["覆盖全市"], "coverage")
    assert all(m.distance_km is None and m.nearest_site is None for m in matches)
    assert reason(by_name["覆盖徐汇"], "distance") == "No site within 15 km"


def test_a_site_within_the_maximum_distance_reaches_the_person_without_coverage(xujiahui):
    service_near(NEXT_DOOR, name_zh="隔壁")
    service_near(ACROSS_TOWN, name_zh="城另一头")
    service_near(OUT_OF_REACH, name_zh="太远")

    matches = matches_for(beneficiary=person(xujiahui), category=ELDERLY_CARE)

    assert names(matches) == ["隔壁", "城另一头"]
    next_door, across_town = matches
    assert next_door.distance_km == pytest.approx(0.4, abs=0.05)
    assert across_town.distance_km == pytest.approx(9.1, abs=0.1)
    assert across_town.distance_km < MAX_DISTANCE_KM
    assert reason(next_door, "distance") == f"0.4 km from {next_door.nearest_site.name}"
    assert (
        reason(next_door, "coverage")
        == "Does not list Xujiahui Subdistrict among the areas it covers"
    )


def test_the_nearest_of_a_services_sites_counts(xujiahui):
    provider = VerifiedProviderFactory()
    near = site_at(NEXT_DOOR, provider=provider, name_zh="近站", name_en="Near point")
    far = site_at(ACROSS_TOWN, provider=provider, name_zh="远站", name_en="Far point")
    ServiceFactory(provider=provider, sites=[far, near], categories=[need_category(ELDERLY_CARE)])

    (match,) = matches_for(beneficiary=person(xujiahui), category=ELDERLY_CARE)

    assert match.nearest_site == near
    assert reason(match, "distance") == "0.4 km from Near point"


def test_nearer_ranks_first_when_everything_else_is_equal(xujiahui, xuhui):
    for name, point in (("远", ACROSS_TOWN), ("近", NEXT_DOOR)):
        service_near(point, name_zh=name, areas_covered=[xuhui])

    matches = matches_for(beneficiary=person(xujiahui), category=ELDERLY_CARE)

    assert names(matches) == ["近", "远"]
    assert matches[0].score > matches[1].score


def test_without_a_location_only_coverage_of_the_area_counts(xujiahui, xuhui):
    service_near(NEXT_DOOR, name_zh="附近但不覆盖")
    service_near(OUT_OF_REACH, name_zh="覆盖徐汇", areas_covered=[xuhui])

    (match,) = matches_for(beneficiary=person(xujiahui, point=None), category=ELDERLY_CARE)

    assert match.service.name_zh == "覆盖徐汇"
    assert match.distance_km is None
    assert reason(match, "distance") == (
        "The person's location is not recorded, so distance is not counted"
    )


def test_without_an_area_a_site_nearby_still_reaches_the_person():
    service_near(NEXT_DOOR, name_zh="附近")

    (match,) = matches_for(beneficiary=person(None), category=ELDERLY_CARE)

    assert match.service.name_zh == "附近"
    assert reason(match, "coverage") == (
        "The person's area is not recorded, so coverage is not counted"
    )


def test_a_service_reaching_the_person_several_ways_is_listed_once(xujiahui, xuhui):
    provider = VerifiedProviderFactory()
    sites = [site_at(NEXT_DOOR, provider=provider), site_at(ACROSS_TOWN, provider=provider)]
    ServiceFactory(
        provider=provider,
        name_zh="多个站点",
        sites=sites,
        areas_covered=[xujiahui, xuhui, xuhui.parent],
        categories=[need_category(ELDERLY_CARE), need_category("social-services")],
    )

    matches = matches_for(beneficiary=person(xujiahui), category=ELDERLY_CARE)

    assert names(matches) == ["多个站点"]


def test_without_area_or_location_nothing_can_be_matched():
    service_near(NEXT_DOOR)

    assert matches_for(beneficiary=person(None, point=None), category=ELDERLY_CARE) == []


# --- capacity --------------------------------------------------------------------------


def test_a_free_place_beats_none_and_a_short_waiting_list_beats_a_long_one(xujiahui):
    service_near(NEXT_DOOR, name_zh="满员长队", free_slots=0, waitlist_length=8)
    service_near(NEXT_DOOR, name_zh="满员无人排队", free_slots=0, waitlist_length=0)
    # Farther away, but with room: room matters more.
    service_near(ACROSS_TOWN, name_zh="有空位", free_slots=2)

    matches = matches_for(beneficiary=person(xujiahui), category=ELDERLY_CARE)

    assert names(matches) == ["有空位", "满员无人排队", "满员长队"]
    assert [m.has_free_place for m in matches] == [True, False, False]
    assert reason(matches[0], "capacity") == "2 free places (updated today)"
    assert reason(matches[1], "capacity") == "No free place; nobody waiting (updated today)"
    assert reason(matches[2], "capacity") == "No free place; 8 people waiting (updated today)"


def test_stale_capacity_counts_less_than_fresh(xujiahui):
    now = timezone.now()
    service_near(
        NEXT_DOOR, name_zh="旧数据", free_slots=9, capacity_updated_at=now - timedelta(days=12)
    )
    service_near(
        ACROSS_TOWN, name_zh="新数据", free_slots=1, capacity_updated_at=now - timedelta(days=2)
    )
    service_near(ACROSS_TOWN, name_zh="从未更新", free_slots=3, capacity_updated_at=None)

    matches = matches_for(beneficiary=person(xujiahui), category=ELDERLY_CARE, now=now)

    assert names(matches)[0] == "新数据"
    by_name = {m.service.name_zh: m for m in matches}
    assert reason(by_name["新数据"], "capacity") == "1 free place (updated 2 days ago)"
    assert reason(by_name["旧数据"], "capacity") == (
        "9 free places — capacity not updated for 12 days, counts less"
    )
    assert reason(by_name["从未更新"], "capacity") == (
        "3 free places — capacity never updated, counts less"
    )
    assert points(by_name["旧数据"], "capacity") < points(by_name["新数据"], "capacity")
    # Stale room still beats no room at all.
    assert points(by_name["旧数据"], "capacity") > 6


# --- what is never offered ----------------------------------------------------------------


def test_services_a_caseworker_may_not_refer_to_never_appear(xujiahui, xuhui):
    now = timezone.now()
    everywhere = {"areas_covered": [xuhui]}
    service_near(name_zh="可转介", **everywhere)
    service_near(
        name_zh="超过180天未确认", last_confirmed_at=now - timedelta(days=181), **everywhere
    )
    service_near(name_zh="不接受转介", accepting_referrals=False, **everywhere)
    service_near(name_zh="暂停提供", is_active=False, **everywhere)
    for status in (
        Provider.Status.DRAFT,
        Provider.Status.SUBMITTED,
        Provider.Status.SUSPENDED,
        Provider.Status.DEBARRED,
    ):
        service_near(
            name_zh=f"{status}机构", provider=VerifiedProviderFactory(status=status), **everywhere
        )

    matches = matches_for(beneficiary=person(xujiahui), category=ELDERLY_CARE, now=now)

    assert names(matches) == ["可转介"]


# --- explanation, order and cost ---------------------------------------------------------


def test_every_match_explains_distance_capacity_rating_and_contract(xujiahui):
    service_near(NEXT_DOOR, free_slots=4)

    (match,) = matches_for(beneficiary=person(xujiahui), category=ELDERLY_CARE)

    assert [name for name, _text, _points in match.reasons] == [
        "category",
        "coverage",
        "distance",
        "capacity",
        "rating",
        "contract",
    ]
    assert reason(match, "distance").startswith("0.4 km from ")
    assert reason(match, "capacity") == "4 free places (updated today)"
    assert reason(match, "rating") == "No rating yet: counts as average"
    assert reason(match, "contract") == "No contract in force for this need in the person's area"
    # The score is the sum of the points each reason shows.
    assert match.score == pytest.approx(sum(p for _name, _text, p in match.reasons), abs=0.2)
    assert match.provider == match.service.provider


def test_equal_scores_are_sorted_by_name_and_the_limit_applies(xujiahui):
    for name in ("丙", "甲", "乙", "丁"):
        service_near(NEXT_DOOR, name_zh=name)
    service_near(NEXT_DOOR, name_zh="不符合", min_age=90)

    matches = matches_for(beneficiary=person(xujiahui), category=ELDERLY_CARE, limit=3)

    assert names(matches) == [*sorted(["丙", "甲", "乙", "丁"])[:3], "不符合"]


def build_services(count: int, area) -> None:
    for number in range(count):
        service_near(
            NEXT_DOOR if number % 2 else ACROSS_TOWN,
            name_zh=f"服务{number}",
            areas_covered=[area] if number % 3 else [],
            min_age=70 if number % 4 == 0 else None,
            free_slots=number % 3,
        )


@pytest.mark.parametrize("count", [3, 30])
def test_matching_runs_a_fixed_number_of_queries(count, xujiahui, xuhui, django_assert_num_queries):
    build_services(count, xuhui)
    beneficiary = person(xujiahui)

    # categories, areas, the ranking, the services shown, the areas they cover, the
    # contracts their providers hold here, their providers' ratings and their sites
    # nearby (for a category, the points say whether a service is a specialist)
    with django_assert_num_queries(8):
        matches = matches_for(beneficiary=beneficiary, category=ELDERLY_CARE, limit=count)

    assert len(matches) == count
    # A whole group's explanation names the categories offered: one query more.
    cache.clear()
    with django_assert_num_queries(9):
        matches = matches_for(beneficiary=beneficiary, category="social-services", limit=count)

    assert len(matches) == count


def test_categories_and_areas_are_read_once_for_a_while(xujiahui, xuhui, django_assert_num_queries):
    """Reference data: the second match reads only the ranking and what it shows."""
    build_services(3, xuhui)
    beneficiary = person(xujiahui)
    first = matches_for(beneficiary=beneficiary, category=ELDERLY_CARE)

    # the ranking, the services shown, the contracts their providers hold, their ratings,
    # their sites
    with django_assert_num_queries(6):
        again = matches_for(beneficiary=beneficiary, category=ELDERLY_CARE)

    assert [m.service.pk for m in again] == [m.service.pk for m in first]
    assert [m.reasons for m in again] == [m.reasons for m in first]

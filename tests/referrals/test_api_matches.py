"""The matches and unmet-needs API: ranked services with their reasons for one person's need,
parameters checked as field errors, and unmet needs recorded without personal data."""

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import Role
from providers.models import Service
from referrals.models import UnmetNeed
from tests.factories.accounts import AgencyFactory, api_token_for, user_with_role
from tests.factories.places import StreetFactory, shanghai_district
from tests.factories.providers import ServiceFactory, SiteFactory, VerifiedProviderFactory
from tests.factories.referrals import BeneficiaryFactory, NeedFactory, id_number
from tests.factories.taxonomy import need_category

pytestmark = pytest.mark.django_db

ELDERLY_CARE = "social-services.elderly-care"
NAME = "赵大海"
PHONE = "13511112222"
HOME = (Decimal("31.188000"), Decimal("121.437000"))
NEXT_DOOR = (Decimal("31.192000"), Decimal("121.437000"))  # 0.4 km
ACROSS_TOWN = (Decimal("31.250000"), Decimal("121.500000"))  # 9 km


@pytest.fixture
def agency():
    return AgencyFactory(name_zh="徐家汇街道办事处", name_en="Xujiahui Street Office")


@pytest.fixture
def caseworker(agency):
    return user_with_role(Role.CASEWORKER, agency)


@pytest.fixture
def xuhui():
    return shanghai_district("310104", "徐汇区", "Xuhui District")


@pytest.fixture
def xujiahui(xuhui):
    return StreetFactory(
        code="310104008000", name_zh="徐家汇街道", name_en="Xujiahui Subdistrict", parent=xuhui
    )


@pytest.fixture
def person(agency, caseworker, xujiahui):
    """A man of 72 living by Xujiahui."""
    born = datetime.date(datetime.date.today().year - 72, 1, 1)
    return BeneficiaryFactory(
        agency=agency,
        created_by=caseworker,
        id_number=id_number(birth_date=born, sequence=3, male=True),
        name=NAME,
        phone=PHONE,
        area=xujiahui,
        latitude=HOME[0],
        longitude=HOME[1],
    )


def service_at(point, name, **fields):
    provider = VerifiedProviderFactory()
    site = SiteFactory(provider=provider, latitude=point[0], longitude=point[1])
    return ServiceFactory(
        provider=provider,
        name_zh=name,
        sites=[site],
        categories=[need_category(ELDERLY_CARE)],
        **fields,
    )


def client_for(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def matches(client, **params):
    return client.get(reverse("api-matches-list"), params)


# --- matches ---------------------------------------------------------------------------


def test_matches_are_ranked_with_the_reasons_for_their_place(caseworker, person):
    near = service_at(NEXT_DOOR, "近处养老服务", free_slots=3)
    far = service_at(ACROSS_TOWN, "远处养老服务", free_slots=3)
    full = service_at(NEXT_DOOR, "满员养老服务", free_slots=0, waitlist_length=4)
    women_only = service_at(NEXT_DOOR, "女性养老服务", gender=Service.Gender.FEMALE)

    response = matches(client_for(caseworker), beneficiary=str(person.uuid), category=ELDERLY_CARE)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["beneficiary"] == str(person.uuid)
    assert body["category"] == ELDERLY_CARE
    results = body["results"]
    eligible = [row["service"]["uuid"] for row in results if row["eligible"]]
    assert eligible == [str(near.uuid), str(far.uuid), str(full.uuid)]
    [ineligible] = [row for row in results if not row["eligible"]]
    assert ineligible["service"]["uuid"] == str(women_only.uuid)
    assert "eligibility" in {reason["component"] for reason in ineligible["reasons"]}

    first = results[0]
    assert first["provider"]["uuid"] == str(near.provider.uuid)
    assert first["has_free_place"] is True
    assert first["site"]["uuid"] == str(near.sites.get().uuid)
    assert 0 < first["distance_km"] < 1
    assert {"distance", "capacity", "rating", "contract"} <= {
        reason["component"] for reason in first["reasons"]
    }
    assert first["score"] == pytest.approx(sum(r["points"] for r in first["reasons"]))
    assert all(reason["text"] for reason in first["reasons"])
    assert results[2]["has_free_place"] is False
    # Matching is about services: nothing about the person comes back.
    assert NAME not in response.content.decode() and PHONE not in response.content.decode()


def test_a_group_code_matches_the_services_of_its_categories(caseworker, person):
    service = service_at(NEXT_DOOR, "综合养老服务")

    response = matches(
        client_for(caseworker), beneficiary=str(person.uuid), category="social-services"
    )

    assert [row["service"]["uuid"] for row in response.json()["results"]] == [str(service.uuid)]


def test_limit_caps_the_results(caseworker, person):
    for index in range(3):
        service_at(NEXT_DOOR, f"养老服务{index}")

    response = matches(
        client_for(caseworker), beneficiary=str(person.uuid), category=ELDERLY_CARE, limit=2
    )

    assert len(response.json()["results"]) == 2


PERSON = "the person's uuid"


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ({}, {"beneficiary", "category"}),
        ({"category": ELDERLY_CARE}, {"beneficiary"}),
        ({"beneficiary": "not-a-uuid", "category": ELDERLY_CARE}, {"beneficiary"}),
        (
            {"beneficiary": "00000000-0000-0000-0000-000000000000", "category": ELDERLY_CARE},
            {"beneficiary"},
        ),
        ({"beneficiary": PERSON}, {"category"}),
        ({"beneficiary": PERSON, "category": "no-such-category"}, {"category"}),
        ({"beneficiary": PERSON, "category": ELDERLY_CARE, "limit": 0}, {"limit"}),
        ({"beneficiary": PERSON, "category": ELDERLY_CARE, "limit": "many"}, {"limit"}),
    ],
)
def test_missing_or_invalid_parameters_are_field_errors(caseworker, person, params, fields):
    if params.get("beneficiary") == PERSON:
        params = {**params, "beneficiary": str(person.uuid)}

    response = matches(client_for(caseworker), **params)

    assert response.status_code == 400, response.content
    assert set(response.json()["errors"]) == fields


def test_another_agencys_person_cannot_be_matched(person):
    elsewhere = user_with_role(Role.CASEWORKER, AgencyFactory())
    service_at(NEXT_DOOR, "养老服务")

    response = matches(client_for(elsewhere), beneficiary=str(person.uuid), category=ELDERLY_CARE)

    # The same answer as for an identifier that does not exist: nothing to probe.
    assert response.status_code == 400
    assert response.json()["errors"]["beneficiary"] == [
        "No person with this identifier is recorded by your agency."
    ]


def test_matching_runs_a_fixed_number_of_queries(caseworker, person):
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(caseworker)}")

    def count():
        cache.clear()  # the categories and areas read again, as after a restart
        with CaptureQueriesContext(connection) as queries:
            response = matches(api, beneficiary=str(person.uuid), category=ELDERLY_CARE)
        assert response.status_code == 200
        return len(queries), len(response.json()["results"])

    service_at(NEXT_DOOR, "养老服务")
    few = count()
    for index in range(8):
        service_at(ACROSS_TOWN, f"远处养老服务{index}")
    many = count()

    assert (few[1], many[1]) == (1, 9)
    assert few[0] == many[0]


# --- unmet needs ------------------------------------------------------------------------


def test_an_unmet_need_takes_its_category_and_district_from_the_need(caseworker, person, xuhui):
    need = NeedFactory(assessment__beneficiary=person)

    response = client_for(caseworker).post(
        reverse("api-unmet-needs-list"),
        {"need": str(need.uuid), "reason": "no_capacity", "note": "Every service nearby is full"},
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["need"] == str(need.uuid)
    assert body["category"] == ELDERLY_CARE
    assert body["area"] == xuhui.code
    assert body["reason"] == "no_capacity"
    unmet = UnmetNeed.objects.get(uuid=body["uuid"])
    assert unmet.agency == person.agency
    assert unmet.recorded_by == caseworker


def test_an_unmet_need_can_be_recorded_without_an_assessment(caseworker, agency, xuhui):
    response = client_for(caseworker).post(
        reverse("api-unmet-needs-list"),
        {"category": "emergency.homeless", "area": xuhui.code, "reason": "no_service"},
        format="json",
    )

    assert response.status_code == 201, response.content
    assert UnmetNeed.objects.get().agency == agency


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"reason": "no_service"}, {"category"}),
        ({"category": ELDERLY_CARE}, {"reason"}),
        ({"category": ELDERLY_CARE, "reason": "other"}, {"note"}),
        ({"category": ELDERLY_CARE, "reason": "bad_luck"}, {"reason"}),
        ({"category": "nothing", "reason": "no_service"}, {"category"}),
        ({"category": ELDERLY_CARE, "reason": "no_service", "area": "999"}, {"area"}),
        ({"need": "00000000-0000-0000-0000-000000000000", "reason": "no_service"}, {"need"}),
    ],
)
def test_bad_unmet_needs_are_400_with_field_errors(caseworker, payload, fields):
    response = client_for(caseworker).post(reverse("api-unmet-needs-list"), payload, format="json")

    assert response.status_code == 400, response.content
    assert set(response.json()["errors"]) == fields
    assert not UnmetNeed.objects.exists()


def test_only_caseworkers_record_unmet_needs(agency):
    supervisor = user_with_role(Role.SUPERVISOR, agency)

    response = client_for(supervisor).post(
        reverse("api-unmet-needs-list"),
        {"category": ELDERLY_CARE, "reason": "no_service"},
        format="json",
    )

    assert response.status_code == 403


def test_unmet_needs_are_listed_for_the_agency_only_and_filtered(caseworker, person, agency):
    api = client_for(caseworker)
    need = NeedFactory(assessment__beneficiary=person)
    api.post(
        reverse("api-unmet-needs-list"),
        {"need": str(need.uuid), "reason": "no_capacity"},
        format="json",
    )
    api.post(
        reverse("api-unmet-needs-list"),
        {"category": "emergency.homeless", "reason": "no_service"},
        format="json",
    )
    UnmetNeed.objects.create(
        agency=AgencyFactory(), category=need_category(ELDERLY_CARE), reason="no_service"
    )

    everything = api.get(reverse("api-unmet-needs-list")).json()
    elderly = api.get(reverse("api-unmet-needs-list"), {"category": "social-services"}).json()
    open_only = api.get(reverse("api-unmet-needs-list"), {"resolved": "false"}).json()

    assert everything["count"] == 2
    assert [row["category"] for row in elderly["results"]] == [ELDERLY_CARE]
    assert open_only["count"] == 2


def test_the_unmet_need_list_runs_a_fixed_number_of_queries(caseworker, person, agency):
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(caseworker)}")

    def add(count):
        for _index in range(count):
            UnmetNeed.objects.create(
                agency=agency,
                need=NeedFactory(assessment__beneficiary=person),
                category=need_category(ELDERLY_CARE),
                area=person.area,
                reason="no_capacity",
                recorded_by=caseworker,
            )

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = api.get(reverse("api-unmet-needs-list"))
        return len(captured), response.json()["count"]

    add(1)
    few = queries()
    add(7)
    many = queries()

    assert (few[1], many[1]) == (1, 8)
    assert few[0] == many[0]

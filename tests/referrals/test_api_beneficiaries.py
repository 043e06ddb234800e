"""The beneficiaries and assessments API: lists without personal data, lookup by blind index,
personal data only with a purpose that the audit log keeps, bad input as field errors."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import Role
from core.models import AuditEvent
from referrals.models import AssistanceStatus, Beneficiary, NeedAssessment
from tests.factories.accounts import TEST_PASSWORD, AgencyFactory, api_token_for, user_with_role
from tests.factories.places import shanghai_district
from tests.factories.providers import VerifiedProviderFactory, provider_staff_of
from tests.factories.referrals import BeneficiaryFactory, NeedAssessmentFactory, id_number
from tests.factories.taxonomy import need_category

pytestmark = pytest.mark.django_db

NAME = "王秀英"
PHONE = "13912345678"
ADDRESS = "上海市浦东新区塘桥街道蓝村路100弄5号"
WOMAN_1948 = id_number(birth_date=datetime.date(1948, 5, 6), sequence=7, male=False)
PERSONAL_VALUES = (NAME, PHONE, ADDRESS, WOMAN_1948, "蓝村路")
SUMMARY_KEYS = {
    "uuid",
    "gender",
    "birth_year",
    "age_band",
    "area",
    "assistance_statuses",
    "household_size",
    "created_at",
}


@pytest.fixture
def agency():
    return AgencyFactory(name_zh="浦东新区民政局", name_en="Pudong Civil Affairs Bureau")


@pytest.fixture
def caseworker(agency):
    return user_with_role(Role.CASEWORKER, agency)


@pytest.fixture
def supervisor(agency):
    return user_with_role(Role.SUPERVISOR, agency)


@pytest.fixture
def pudong():
    return shanghai_district()


@pytest.fixture
def person(agency, caseworker, pudong):
    return BeneficiaryFactory(
        agency=agency,
        created_by=caseworker,
        id_number=WOMAN_1948,
        name=NAME,
        phone=PHONE,
        address=ADDRESS,
        area=pudong,
        household_members=[{"name": "李建国", "relation": "spouse"}],
        household_size=2,
        assistance_statuses=[AssistanceStatus.DIBAO],
    )


def client_for(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def token_client(user) -> APIClient:
    """A client signed in by token, as an integration would be: the user is loaded per request."""
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(user)}")
    return client


def personal_data_url(beneficiary):
    return reverse("api-beneficiaries-personal-data", args=[beneficiary.uuid])


def assert_no_personal_values(response):
    text = response.content.decode()
    for value in PERSONAL_VALUES:
        assert value not in text


# --- recording ---------------------------------------------------------------------


def test_caseworker_records_a_person_and_learns_which_agency_already_knows_them(
    caseworker, fake_geocoder
):
    BeneficiaryFactory(
        agency=AgencyFactory(name_zh="静安区民政局", name_en="Jing'an Civil Affairs Bureau"),
        id_number=WOMAN_1948,
        phone="13511112222",
        assistance_statuses=[AssistanceStatus.DISABILITY],
        disability_grade=2,
    )

    response = client_for(caseworker).post(
        reverse("api-beneficiaries-list"),
        {
            "name": NAME,
            "id_number": WOMAN_1948.lower(),
            "phone": PHONE,
            "address": ADDRESS,
            "household_members": [{"name": "李建国", "relation": "spouse"}],
            "assistance_statuses": ["dibao"],
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["known_elsewhere"] == [
        {
            "agency_name": "Jing'an Civil Affairs Bureau",
            "active_help": ["disability"],
            "active_help_labels": ["Disability certificate"],
        }
    ]
    assert body["location_message"] == ""
    record = body["beneficiary"]
    assert record["gender"] == "female"
    assert record["birth_date"] == "1948-05-06"
    assert record["area"] == shanghai_district().code
    assert record["household_size"] == 2
    saved = Beneficiary.objects.get(uuid=record["uuid"])
    assert (saved.name, saved.phone, saved.agency) == (
        NAME,
        PHONE,
        caseworker.memberships.get().organization,
    )
    # Nothing typed about the person comes back, and nothing of the other agency's case.
    assert_no_personal_values(response)
    assert "13511112222" not in response.content.decode()


def test_an_address_the_geocoder_cannot_place_is_kept_with_a_message(caseworker, fake_geocoder):
    response = client_for(caseworker).post(
        reverse("api-beneficiaries-list"),
        {"name": NAME, "id_number": WOMAN_1948, "address": "无名小路"},
        format="json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["location_message"]
    assert response.json()["beneficiary"]["area"] is None


def test_a_legacy_id_number_is_refused_with_a_field_error(caseworker):
    response = client_for(caseworker).post(
        reverse("api-beneficiaries-list"),
        {"name": NAME, "id_number": "110105491231002"},
        format="json",
    )

    assert response.status_code == 400
    assert "15-digit ID numbers were replaced" in response.json()["errors"]["id_number"][0]
    assert not Beneficiary.objects.exists()


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({}, {"name", "id_number"}),
        ({"name": NAME, "id_number": WOMAN_1948, "gender": "male"}, {"gender"}),
        (
            {"name": NAME, "id_number": WOMAN_1948, "assistance_statuses": ["rich"]},
            {"assistance_statuses"},
        ),
        (
            {"name": NAME, "id_number": WOMAN_1948, "household_members": [{"relation": "son"}]},
            {"household_members"},
        ),
        ({"name": NAME, "id_number": WOMAN_1948, "household_size": 0}, {"household_size"}),
        ({"name": NAME, "id_number": WOMAN_1948, "disability_grade": 2}, {"disability_grade"}),
        ({"name": NAME, "id_number": WOMAN_1948, "birth_date": "1948-13-01"}, {"birth_date"}),
    ],
)
def test_bad_input_is_a_400_naming_the_fields(caseworker, payload, fields):
    response = client_for(caseworker).post(
        reverse("api-beneficiaries-list"), payload, format="json"
    )

    assert response.status_code == 400, response.content
    body = response.json()
    assert body["detail"]
    assert set(body["errors"]) == fields


def test_recording_the_same_person_twice_says_so(caseworker, person):
    response = client_for(caseworker).post(
        reverse("api-beneficiaries-list"), {"name": NAME, "id_number": WOMAN_1948}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "duplicate"
    assert "already recorded by your agency" in response.json()["errors"]["id_number"][0]


def test_a_caseworker_of_two_agencies_says_which_one_the_person_is_for(caseworker, fake_geocoder):
    second = AgencyFactory()
    user_with_role(Role.CASEWORKER, second, username=caseworker.username)
    api = client_for(caseworker)
    url = reverse("api-beneficiaries-list")

    unspecified = api.post(url, {"name": NAME, "id_number": WOMAN_1948}, format="json")
    specified = api.post(
        url, {"name": NAME, "id_number": WOMAN_1948, "agency": str(second.uuid)}, format="json"
    )

    assert unspecified.status_code == 400
    assert set(unspecified.json()["errors"]) == {"agency"}
    assert specified.status_code == 201
    assert Beneficiary.objects.get().agency == second


def test_only_caseworkers_record_people(supervisor):
    provider_staff = provider_staff_of(VerifiedProviderFactory())
    for user in (supervisor, provider_staff):
        response = client_for(user).post(
            reverse("api-beneficiaries-list"),
            {"name": NAME, "id_number": WOMAN_1948},
            format="json",
        )
        assert response.status_code == 403
    assert not Beneficiary.objects.exists()


# --- reading -----------------------------------------------------------------------


def test_the_list_shows_no_personal_data(caseworker, person):
    response = client_for(caseworker).get(reverse("api-beneficiaries-list"))

    assert response.status_code == 200
    [row] = response.json()["results"]
    assert set(row) == SUMMARY_KEYS
    assert row == {
        "uuid": str(person.uuid),
        "gender": "female",
        "birth_year": 1948,
        "age_band": row["age_band"],
        "area": person.area.code,
        "assistance_statuses": ["dibao"],
        "household_size": 2,
        "created_at": row["created_at"],
    }
    assert row["age_band"] in {"70–79", "80+"}
    assert_no_personal_values(response)


def test_the_record_shows_no_personal_data_and_says_how_to_ask_for_it(supervisor, person):
    response = client_for(supervisor).get(reverse("api-beneficiaries-detail", args=[person.uuid]))

    assert response.status_code == 200
    assert response.json()["personal_fields"] == [
        "name",
        "id_number",
        "phone",
        "address",
        "household_members",
    ]
    assert_no_personal_values(response)
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.READ).exists()


def test_a_person_is_found_by_id_number_through_the_blind_index(caseworker, person, agency):
    BeneficiaryFactory(agency=agency)  # someone else of the same agency
    BeneficiaryFactory(id_number=WOMAN_1948)  # the same person, known to another agency
    api = client_for(caseworker)
    url = reverse("api-beneficiaries-find")

    typed_loosely = api.post(
        url, {"id_number": " " + WOMAN_1948.lower().replace("x", "X") + " "}, format="json"
    )
    unknown = api.post(url, {"id_number": id_number(sequence=30)}, format="json")

    assert typed_loosely.status_code == 200
    assert [row["uuid"] for row in typed_loosely.json()["results"]] == [str(person.uuid)]
    assert unknown.json()["results"] == []
    assert_no_personal_values(typed_loosely)


def test_searching_with_an_invalid_id_number_is_a_field_error(caseworker, person):
    response = client_for(caseworker).post(
        reverse("api-beneficiaries-find"), {"id_number": WOMAN_1948[:17] + "0"}, format="json"
    )

    assert response.status_code == 400
    assert "does not match" in response.json()["errors"]["id_number"][0]


def test_an_id_number_in_the_web_address_is_refused(caseworker, person):
    response = client_for(caseworker).get(
        reverse("api-beneficiaries-list"), {"id_number": WOMAN_1948}
    )

    assert response.status_code == 400
    assert "find/" in response.json()["errors"]["id_number"][0]


def test_beneficiary_list_runs_a_fixed_number_of_queries(caseworker, agency):
    api = token_client(caseworker)
    BeneficiaryFactory.create_batch(2, agency=agency, area=shanghai_district())

    with CaptureQueriesContext(connection) as with_two:
        assert api.get(reverse("api-beneficiaries-list")).json()["count"] == 2
    BeneficiaryFactory.create_batch(13, agency=agency, area=shanghai_district())
    with CaptureQueriesContext(connection) as with_fifteen:
        assert api.get(reverse("api-beneficiaries-list")).json()["count"] == 15

    assert len(with_two) == len(with_fifteen)


def test_token_authentication_reaches_the_agencys_people(caseworker, person):
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    anonymous = api.get(reverse("api-beneficiaries-list"))
    token = api.post(
        reverse("api-token"),
        {"username": caseworker.username, "password": TEST_PASSWORD},
        format="json",
    ).json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    response = api.get(reverse("api-beneficiaries-list"))

    assert anonymous.status_code == 401
    assert [row["uuid"] for row in response.json()["results"]] == [str(person.uuid)]


# --- personal data -------------------------------------------------------------------


def test_personal_data_comes_with_a_purpose_and_the_read_is_audited(supervisor, person):
    response = client_for(supervisor).post(
        personal_data_url(person),
        {"purpose": "Phone the person about the home visit", "fields": ["name", "phone"]},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert response.json() == {
        "beneficiary": str(person.uuid),
        "purpose": "Phone the person about the home visit",
        "data": {"name": NAME, "phone": PHONE},
    }
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.READ)
    assert event.action == "beneficiary.personal_data_read"
    assert event.actor == supervisor
    assert event.purpose == "Phone the person about the home visit"
    assert event.details == {"fields": ["name", "phone"]}
    assert event.object_id == str(person.uuid)
    # The log names the fields, never their values.
    assert NAME not in str(event.details) and PHONE not in str(event.details)


def test_household_members_come_back_as_recorded(caseworker, person):
    response = client_for(caseworker).post(
        personal_data_url(person),
        {"purpose": "Check who lives with her", "fields": ["household_members"]},
        format="json",
    )

    assert response.json()["data"] == {
        "household_members": [{"name": "李建国", "relation": "spouse"}]
    }


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"fields": ["name"]}, {"purpose"}),
        ({"purpose": "   ", "fields": ["name"]}, {"purpose"}),
        ({"purpose": "Visit", "fields": []}, {"fields"}),
        ({"purpose": "Visit", "fields": ["id_number_index"]}, {"fields"}),
        ({"purpose": "Visit"}, {"fields"}),
    ],
)
def test_personal_data_without_a_purpose_or_fields_is_refused_and_nothing_is_read(
    caseworker, person, payload, fields
):
    response = client_for(caseworker).post(personal_data_url(person), payload, format="json")

    assert response.status_code == 400
    assert set(response.json()["errors"]) == fields
    assert_no_personal_values(response)
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.READ).exists()


# --- correcting --------------------------------------------------------------------


def test_a_caseworker_corrects_a_record_with_the_same_checks(caseworker, person):
    api = client_for(caseworker)
    url = reverse("api-beneficiaries-detail", args=[person.uuid])

    changed = api.patch(url, {"phone": "13600001111", "household_size": 3}, format="json")
    contradicted = api.patch(url, {"birth_date": "1950-01-01"}, format="json")

    assert changed.status_code == 200, changed.content
    assert changed.json()["beneficiary"]["household_size"] == 3
    person.refresh_from_db()
    assert person.phone == "13600001111"
    assert contradicted.status_code == 400
    assert "1948-05-06" in contradicted.json()["errors"]["birth_date"][0]


def test_a_supervisor_reads_but_does_not_change_a_record(supervisor, person):
    response = client_for(supervisor).patch(
        reverse("api-beneficiaries-detail", args=[person.uuid]), {"phone": "1"}, format="json"
    )

    assert response.status_code == 403
    person.refresh_from_db()
    assert person.phone == PHONE


# --- assessments -------------------------------------------------------------------


def test_caseworker_records_an_assessment_with_its_needs(caseworker, person):
    response = client_for(caseworker).post(
        reverse("api-assessments-list"),
        {
            "beneficiary": str(person.uuid),
            "priority": "high",
            "notes": "独居，行动不便。",
            "needs": [
                {
                    "category": "social-services.elderly-care",
                    "tier": "survival",
                    "severity": 3,
                    "notes": "需要上门照护。",
                },
                {"category": "basic-living.dibao"},
            ],
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["beneficiary"] == str(person.uuid)
    assert body["priority"] == "high"
    needs = {need["category"]: need for need in body["needs"]}
    assert set(needs) == {"social-services.elderly-care", "basic-living.dibao"}
    assert needs["social-services.elderly-care"]["tier"] == "survival"
    assert needs["social-services.elderly-care"]["severity"] == 3
    assert needs["basic-living.dibao"]["severity"] == 2
    assessment = NeedAssessment.objects.get(uuid=body["uuid"])
    assert assessment.assessed_by == caseworker
    assert {str(need.uuid) for need in assessment.needs.all()} == {
        need["uuid"] for need in body["needs"]
    }


@pytest.mark.parametrize(
    ("needs", "extra", "fields"),
    [
        ([], {}, {"needs"}),
        ([{"category": "no-such-category"}], {}, {"needs"}),
        ([{"category": "basic-living"}], {}, {"needs"}),  # a group, not a category
        ([{"category": "basic-living.dibao", "severity": 9}], {}, {"needs"}),
        (
            [{"category": "basic-living.dibao"}, {"category": "basic-living.dibao"}],
            {},
            {"needs"},
        ),
        ([{"category": "basic-living.dibao"}], {"assessed_on": "2999-01-01"}, {"assessed_on"}),
        ([{"category": "basic-living.dibao"}], {"priority": "whenever"}, {"priority"}),
    ],
)
def test_bad_assessments_are_400_with_field_errors(caseworker, person, needs, extra, fields):
    response = client_for(caseworker).post(
        reverse("api-assessments-list"),
        {"beneficiary": str(person.uuid), "needs": needs, **extra},
        format="json",
    )

    assert response.status_code == 400, response.content
    assert set(response.json()["errors"]) == fields
    assert not NeedAssessment.objects.exists()


def test_assessments_are_listed_per_person_in_a_fixed_number_of_queries(caseworker, person, agency):
    api = token_client(caseworker)
    other = BeneficiaryFactory(agency=agency)
    NeedAssessmentFactory(beneficiary=other)
    url = reverse("api-assessments-list")

    def count_for(beneficiary):
        with CaptureQueriesContext(connection) as queries:
            response = api.get(url, {"beneficiary": str(beneficiary.uuid)})
        assert response.status_code == 200
        return len(queries), response.json()["count"]

    NeedAssessmentFactory(beneficiary=person)
    few = count_for(person)
    for _index in range(6):
        assessment = NeedAssessmentFactory(beneficiary=person)
        for code in ("basic-living.dibao", "social-services.elderly-care"):
            assessment.needs.create(category=need_category(code))
    many = count_for(person)

    assert (few[1], many[1]) == (1, 7)
    assert few[0] == many[0]

"""Scope of the referrals API (SPEC §4): outside its agency or provider, a user gets 404 on
every detail and action URL, sees nothing in any list, and cannot point a write at a case.

One agency (Xujiahui) has a person, an assessment, a referral sent to one
provider with a consent, and a draft to another. Everyone else — a caseworker
and a supervisor of another agency, the staff of an unrelated provider, a
platform administrator, a superuser — is walked over every URL.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Role
from core.models import AuditEvent
from referrals import services
from referrals.models import Consent, NeedAssessment, Referral, UnmetNeed
from tests.factories.accounts import AgencyFactory, UserFactory, user_with_role
from tests.factories.places import shanghai_district
from tests.factories.providers import ServiceFactory, VerifiedProviderFactory, provider_staff_of
from tests.factories.referrals import (
    BeneficiaryFactory,
    ConsentFactory,
    NeedFactory,
    ReferralFactory,
    id_number,
)
from tests.factories.taxonomy import need_category

pytestmark = pytest.mark.django_db

ID_NUMBER = id_number(birth_date=datetime.date(1951, 2, 3), sequence=9, male=True)
NAME = "赵大海"
PHONE = "13511112222"

# Every detail and action URL of one agency's case: (route name, kind of object, method, body).
CASE_URLS = [
    ("api-beneficiaries-detail", "person", "get", None),
    ("api-beneficiaries-detail", "person", "patch", {"phone": "13000000000"}),
    (
        "api-beneficiaries-personal-data",
        "person",
        "post",
        {"purpose": "curious", "fields": ["name", "phone"]},
    ),
    ("api-assessments-detail", "assessment", "get", None),
    ("api-consents-detail", "consent", "get", None),
    ("api-consents-revoke", "consent", "post", {}),
    ("api-referrals-detail", "referral", "get", None),
    ("api-referrals-send", "draft", "post", {}),
    ("api-referrals-view", "referral", "post", {}),
    ("api-referrals-accept", "referral", "post", {}),
    ("api-referrals-decline", "referral", "post", {"reason_code": "no_capacity"}),
    ("api-referrals-waitlist", "referral", "post", {}),
    ("api-referrals-start", "referral", "post", {}),
    ("api-referrals-complete", "referral", "post", {"outcome": "achieved"}),
    ("api-referrals-fail", "referral", "post", {"reason_code": "withdrew"}),
    ("api-referrals-recall", "referral", "post", {}),
    ("api-referrals-close", "referral", "post", {}),
    ("api-referrals-reopen", "referral", "post", {"note": "Came back"}),
    (
        "api-referrals-override-consent",
        "draft",
        "post",
        {"fields": ["name"], "purpose": "Visit", "reason": "Emergency without any contact"},
    ),
]
LISTS = [
    "api-beneficiaries-list",
    "api-assessments-list",
    "api-consents-list",
    "api-referrals-list",
    "api-unmet-needs-list",
]


@pytest.fixture
def case():
    """The Xujiahui street office's case, with the people who may see it."""
    agency = AgencyFactory(name_zh="徐家汇街道办事处", name_en="Xujiahui Street Office")
    caseworker = user_with_role(Role.CASEWORKER, agency)
    provider = VerifiedProviderFactory()
    person = BeneficiaryFactory(
        agency=agency,
        created_by=caseworker,
        id_number=ID_NUMBER,
        name=NAME,
        phone=PHONE,
        area=shanghai_district(),
    )
    need = NeedFactory(assessment__beneficiary=person)
    now = timezone.now()
    referral = ReferralFactory(
        need=need,
        service=ServiceFactory(provider=provider),
        status=Referral.Status.SENT,
        sent_at=now,
        due_at=now + datetime.timedelta(days=2),
        caseworker=caseworker,
    )
    consent = ConsentFactory(referral=referral)
    other_need = NeedFactory(
        assessment=need.assessment, category=need_category("basic-living.dibao")
    )
    draft = ReferralFactory(need=other_need, service=ServiceFactory(), caseworker=caseworker)
    UnmetNeed.objects.create(agency=agency, need=need, category=need.category, reason="no_capacity")
    return {
        "agency": agency,
        "caseworker": caseworker,
        "provider": provider,
        "person": person,
        "assessment": need.assessment,
        "need": need,
        "referral": referral,
        "consent": consent,
        "draft": draft,
    }


def outsider(kind):
    if kind == "caseworker of another agency":
        return user_with_role(Role.CASEWORKER, AgencyFactory())
    if kind == "supervisor of another agency":
        return user_with_role(Role.SUPERVISOR, AgencyFactory())
    if kind == "staff of another provider":
        return provider_staff_of(VerifiedProviderFactory())
    if kind == "platform administrator":
        return user_with_role(Role.PLATFORM_ADMIN)
    if kind == "superuser":
        return UserFactory(is_superuser=True, is_staff=True)
    raise AssertionError(kind)


OUTSIDERS = [
    "caseworker of another agency",
    "supervisor of another agency",
    "staff of another provider",
    "platform administrator",
    "superuser",
]


def client_for(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def call(client, route, obj, method, body):
    url = reverse(route, args=[obj.uuid])
    if method == "get":
        return client.get(url)
    return getattr(client, method)(url, body, format="json")


def snapshot(case):
    """What must not change when an outsider tries every URL."""
    case["person"].refresh_from_db()
    return (
        case["person"].phone,
        Referral.objects.get(pk=case["referral"].pk).status,
        Referral.objects.get(pk=case["draft"].pk).status,
        Consent.objects.filter(revoked_at__isnull=True).count(),
        Consent.objects.count(),
        AuditEvent.objects.filter(kind=AuditEvent.Kind.READ).count(),
    )


@pytest.mark.parametrize("kind", OUTSIDERS)
def test_an_outsider_gets_404_on_every_detail_and_action_url(case, kind):
    api = client_for(outsider(kind))
    before = snapshot(case)

    answers = {
        (route, method): call(api, route, case[obj], method, body).status_code
        for route, obj, method, body in CASE_URLS
    }

    assert answers == {(route, method): 404 for route, _obj, method, _body in CASE_URLS}
    assert snapshot(case) == before


@pytest.mark.parametrize("kind", OUTSIDERS)
def test_an_outsider_sees_nothing_of_the_case_in_any_list(case, kind):
    api = client_for(outsider(kind))

    for route in LISTS:
        response = api.get(reverse(route))
        assert response.status_code == 200, route
        assert response.json()["results"] == [], route
    found = api.post(reverse("api-beneficiaries-find"), {"id_number": ID_NUMBER}, format="json")
    assert found.json()["results"] == []


def test_another_agency_cannot_point_a_write_at_the_case(case):
    api = client_for(user_with_role(Role.CASEWORKER, AgencyFactory()))
    writes = {
        "api-assessments-list": {
            "beneficiary": str(case["person"].uuid),
            "needs": [{"category": "basic-living.dibao"}],
        },
        "api-referrals-list": {
            "need": str(case["need"].uuid),
            "service": str(ServiceFactory().uuid),
        },
        "api-consents-list": {
            "referral": str(case["draft"].uuid),
            "fields": ["name"],
            "purpose": "Visit",
            "method": "verbal",
        },
        "api-unmet-needs-list": {"need": str(case["need"].uuid), "reason": "no_service"},
    }

    for route, body in writes.items():
        response = api.post(reverse(route), body, format="json")
        # Refused as if the identifier did not exist: nothing to learn from the answer.
        assert response.status_code == 400, route
        assert "your agency" in str(response.json()["errors"]), route
    matched = api.get(
        reverse("api-matches-list"),
        {"beneficiary": str(case["person"].uuid), "category": case["need"].category.code},
    )
    assert matched.status_code == 400
    assert NeedAssessment.objects.count() == 1
    assert Referral.objects.count() == 2
    assert Consent.objects.count() == 1
    assert UnmetNeed.objects.count() == 1


def test_the_provider_sees_its_referral_but_never_the_person_record_or_the_consent(case):
    api = client_for(provider_staff_of(case["provider"]))

    assert api.get(reverse("api-referrals-detail", args=[case["referral"].uuid])).status_code == 200
    for route, obj, method, body in CASE_URLS:
        if obj == "referral":
            continue  # its own referral: the provider's steps are tested with the lifecycle
        response = call(api, route, case[obj], method, body)
        assert response.status_code == 404, (route, method)


def test_a_draft_never_reaches_the_provider_even_after_it_is_recalled(case):
    draft = case["draft"]
    api = client_for(provider_staff_of(draft.provider))
    url = reverse("api-referrals-detail", args=[draft.uuid])
    as_draft = api.get(url)

    services.recall_referral(referral=draft, user=case["caseworker"])
    as_recalled = api.get(url)
    inbox = api.get(reverse("api-referrals-list"))

    assert as_draft.status_code == as_recalled.status_code == 404
    assert inbox.json()["results"] == []


def test_a_supervisor_of_the_agency_reads_the_case_but_moves_nothing(case):
    api = client_for(user_with_role(Role.SUPERVISOR, case["agency"]))

    assert (
        api.get(reverse("api-beneficiaries-detail", args=[case["person"].uuid])).status_code == 200
    )
    assert api.get(reverse("api-referrals-detail", args=[case["referral"].uuid])).status_code == 200
    assert api.get(reverse("api-consents-detail", args=[case["consent"].uuid])).status_code == 200
    for step in ("send", "recall", "close"):
        response = api.post(reverse(f"api-referrals-{step}", args=[case["draft"].uuid]))
        assert response.status_code == 403, step
    assert Referral.objects.get(pk=case["draft"].pk).status == Referral.Status.DRAFT


def test_identifiers_that_are_not_uuids_are_not_routes(case):
    api = client_for(case["caseworker"])

    for prefix in ("beneficiaries", "assessments", "consents", "referrals"):
        response = api.get(f"/api/v1/{prefix}/1/")
        assert response.status_code == 404, prefix


def test_anonymous_requests_are_refused(case):
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")

    for route in [*LISTS, "api-matches-list"]:
        assert api.get(reverse(route)).status_code == 401, route
    detail = api.get(reverse("api-referrals-detail", args=[case["referral"].uuid]))
    assert detail.status_code == 401


def test_the_api_root_links_the_referral_resources(case):
    links = APIClient().get("/api/v1/").json()

    assert {
        "beneficiaries",
        "assessments",
        "consents",
        "referrals",
        "matches",
        "unmet-needs",
    } <= set(links)

"""The referrals and consents API: the loop from draft to closed through POST actions, what a
provider sees before and after accepting, consent and its override, filters and query counts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Role
from core.models import AuditEvent
from referrals.models import Consent, Referral, ShareableField
from tests.factories.accounts import AgencyFactory, api_token_for, user_with_role
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
from tests.openapi import assert_matches_schema

pytestmark = pytest.mark.django_db

NAME = "王秀英"
PHONE = "13912345678"
ADDRESS = "上海市浦东新区塘桥街道蓝村路100弄5号"
ID_NUMBER = id_number(birth_date=datetime.date(1948, 5, 6), sequence=7, male=False)
REASON = "独居，女儿在外地，需要每周两次上门照护。"
# What a provider may see of a referral it has not accepted (SPEC §4), and nothing else.
PENDING_KEYS = {
    "uuid",
    "service",
    "status",
    "category",
    "district",
    "urgency",
    "age_band",
    "due_at",
    "waitlist_position",
}


@pytest.fixture
def agency():
    return AgencyFactory(name_zh="徐家汇街道办事处", name_en="Xujiahui Street Office")


@pytest.fixture
def caseworker(agency):
    return user_with_role(Role.CASEWORKER, agency)


@pytest.fixture
def supervisor(agency):
    return user_with_role(Role.SUPERVISOR, agency)


@pytest.fixture
def provider():
    return VerifiedProviderFactory()


@pytest.fixture
def staff(provider):
    return provider_staff_of(provider)


@pytest.fixture
def service(provider):
    return ServiceFactory(provider=provider, free_slots=2)


@pytest.fixture
def person(agency, caseworker):
    return BeneficiaryFactory(
        agency=agency,
        created_by=caseworker,
        id_number=ID_NUMBER,
        name=NAME,
        phone=PHONE,
        address=ADDRESS,
        area=shanghai_district(),
    )


@pytest.fixture
def need(person):
    return NeedFactory(assessment__beneficiary=person, notes="需要上门照护。")


def referral_in(status, need, service, **kwargs):
    """A referral already at ``status`` (built directly: the lifecycle test walks the API)."""
    now = timezone.now()
    values = {"sent_at": now, "due_at": now + datetime.timedelta(days=2)}
    if status == Referral.Status.DRAFT:
        values = {}
    return ReferralFactory(
        need=need,
        service=service,
        status=status,
        district=shanghai_district(),
        caseworker=need.assessment.beneficiary.created_by,
        reason=REASON,
        **{**values, **kwargs},
    )


def client_for(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def token_client(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(user)}")
    return client


def detail(referral):
    return reverse("api-referrals-detail", args=[referral.uuid])


def act(client, referral, step, payload=None):
    return client.post(
        reverse(f"api-referrals-{step}", args=[referral.uuid]), payload or {}, format="json"
    )


def assert_nothing_personal(response):
    text = response.content.decode()
    for value in (NAME, PHONE, ADDRESS, ID_NUMBER, REASON, "需要上门照护"):
        assert value not in text


# --- the loop ------------------------------------------------------------------------


def test_a_referral_goes_round_the_loop_through_the_api(caseworker, staff, service, need, person):
    cw, ngo = client_for(caseworker), client_for(staff)

    created = cw.post(
        reverse("api-referrals-list"),
        {"need": str(need.uuid), "service": str(service.uuid), "reason": REASON},
        format="json",
    )
    assert created.status_code == 201, created.content
    referral = Referral.objects.get(uuid=created.json()["uuid"])
    assert created.json()["status"] == "draft"
    assert created.json()["beneficiary"] == str(person.uuid)

    no_consent = act(cw, referral, "send")
    assert no_consent.status_code == 400
    assert no_consent.json()["code"] == "consent_required"

    consent = cw.post(
        reverse("api-consents-list"),
        {
            "referral": str(referral.uuid),
            "fields": ["name", "phone"],
            "purpose": "Arrange home care",
            "method": "signed_form",
        },
        format="json",
    )
    assert consent.status_code == 201, consent.content

    sent = act(cw, referral, "send")
    again = act(cw, referral, "send")
    assert sent.status_code == again.status_code == 200
    assert sent.json()["status"] == again.json()["status"] == "sent"
    assert sent.json()["due_at"]
    assert referral.events.filter(to_status="sent").count() == 1

    assert act(ngo, referral, "view").json()["status"] == "viewed"
    accepted = act(ngo, referral, "accept")
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["shared"] == {"name": NAME, "phone": PHONE}
    assert act(ngo, referral, "start").json()["status"] == "in_service"
    goals = act(
        ngo,
        referral,
        "goals",
        {"goals": [{"description": "每天按时服药", "expected": "一周漏服不超过一次", "weight": 2}]},
    )
    assert goals.status_code == 200, goals.content
    completed = act(
        ngo,
        referral,
        "complete",
        {"attainments": [{"goal": 1, "attainment": 0}], "note": "照护已安排"},
    )
    assert completed.json()["status"] == "completed"
    assert completed.json()["outcome"] == "achieved"

    # Closing waits for the caseworker's word on the outcome, which then closes it.
    assert act(cw, referral, "close").json()["code"] == "outcome_awaits_caseworker"
    (outcome,) = cw.get(reverse("api-outcomes-list")).json()["results"]
    assert outcome["t_score"] == "50.00"
    confirmed = cw.post(
        reverse("api-outcomes-confirm", args=[outcome["uuid"]]),
        {"note": "Confirmed with the family"},
        format="json",
    )
    assert confirmed.json()["status"] == "confirmed"
    closed = cw.get(reverse("api-referrals-detail", args=[referral.uuid]))
    assert closed.json()["status"] == "closed"
    assert [event["to_status"] for event in closed.json()["events"]] == [
        "draft",
        "sent",
        "viewed",
        "accepted",
        "in_service",
        "completed",
        "closed",
    ]
    assert closed.json()["consent"]["fields"] == ["name", "phone"]

    unexplained = act(cw, referral, "reopen")
    reopened = act(cw, referral, "reopen", {"note": "Care stopped after a fall"})
    assert unexplained.status_code == 400
    assert set(unexplained.json()["errors"]) == {"note"}
    assert reopened.json()["status"] == "reopened"


def test_a_step_the_lifecycle_does_not_allow_is_a_400_with_the_reason(staff, need, service):
    referral = referral_in(Referral.Status.SENT, need, service)

    response = act(
        client_for(staff), referral, "complete", {"attainments": [{"goal": 1, "attainment": 0}]}
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_transition"
    assert "cannot become" in response.json()["detail"]
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SENT


@pytest.mark.parametrize(
    ("step", "payload", "fields"),
    [
        ("decline", {}, {"reason_code"}),
        ("decline", {"reason_code": "bored"}, {"reason_code"}),
        ("decline", {"reason_code": "other"}, {"note"}),
        ("fail", {"reason_code": "no_capacity"}, {"reason_code"}),
        ("complete", {}, {"attainments"}),
        ("complete", {"attainments": [{"goal": 1, "attainment": 3}]}, {"attainments"}),
    ],
)
def test_provider_answers_without_a_valid_reason_are_field_errors(
    staff, need, service, step, payload, fields
):
    status = Referral.Status.IN_SERVICE if step in {"fail", "complete"} else Referral.Status.SENT
    referral = referral_in(status, need, service)

    response = act(client_for(staff), referral, step, payload)

    assert response.status_code == 400, response.content
    assert set(response.json()["errors"]) == fields
    referral.refresh_from_db()
    assert referral.status == status


def test_a_declined_referral_returns_to_the_caseworker_with_the_reason(
    caseworker, staff, need, service
):
    referral = referral_in(Referral.Status.VIEWED, need, service)

    declined = act(client_for(staff), referral, "decline", {"reason_code": "out_of_area"})
    seen_by_caseworker = client_for(caseworker).get(detail(referral)).json()

    assert declined.status_code == 200
    assert declined.json()["status"] == "declined"
    assert seen_by_caseworker["decline_reason"] == "out_of_area"
    assert seen_by_caseworker["returned_reason"] == "Outside the area we serve"


def test_waitlisting_gives_a_position_and_failing_records_why(staff, need, service, person):
    waiting = referral_in(Referral.Status.SENT, need, service)
    other_need = NeedFactory(
        assessment__beneficiary=person, category=need_category("basic-living.dibao")
    )
    in_service = referral_in(Referral.Status.IN_SERVICE, other_need, service)
    ngo = client_for(staff)

    waitlisted = act(ngo, waiting, "waitlist", {"note": "Place expected next month"})
    failed = act(ngo, in_service, "fail", {"reason_code": "could_not_contact"})

    assert waitlisted.json()["status"] == "waitlisted"
    assert waitlisted.json()["waitlist_position"] == 1
    assert failed.json()["status"] == "failed"
    assert failed.json()["failure_reason"] == "could_not_contact"


def test_the_caseworker_recalls_a_sent_referral(caseworker, need, service):
    referral = referral_in(Referral.Status.SENT, need, service)

    response = act(client_for(caseworker), referral, "recall", {"note": "Family found help"})

    assert response.status_code == 200
    assert response.json()["status"] == "recalled"
    assert response.json()["returned_reason"] == "Recalled by the caseworker"


def test_each_side_only_takes_its_own_steps(caseworker, supervisor, staff, need, service):
    sent = referral_in(Referral.Status.SENT, need, service)
    ConsentFactory(referral=sent)

    assert act(client_for(caseworker), sent, "accept").status_code == 403
    assert act(client_for(supervisor), sent, "recall").status_code == 403
    assert act(client_for(staff), sent, "recall").status_code == 403
    sent.refresh_from_db()
    assert sent.status == Referral.Status.SENT


# --- creating ---------------------------------------------------------------------------


def test_a_second_open_referral_for_the_same_need_is_refused(caseworker, need, service):
    referral_in(Referral.Status.SENT, need, service)

    response = client_for(caseworker).post(
        reverse("api-referrals-list"),
        {"need": str(need.uuid), "service": str(ServiceFactory().uuid)},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "duplicate_referral"
    assert "already has an open referral" in response.json()["errors"]["need"][0]


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"need": "00000000-0000-0000-0000-000000000000"}, {"need"}),
        ({"need": "not-a-uuid"}, {"need"}),
        ({"service": "00000000-0000-0000-0000-000000000000"}, {"service"}),
        ({"urgency": "yesterday"}, {"urgency"}),
    ],
)
def test_bad_referral_input_is_a_400_with_field_errors(caseworker, need, service, change, fields):
    payload = {"need": str(need.uuid), "service": str(service.uuid), **change}

    response = client_for(caseworker).post(reverse("api-referrals-list"), payload, format="json")

    assert response.status_code == 400, response.content
    assert set(response.json()["errors"]) == fields
    assert not Referral.objects.exists()


def test_a_service_not_taking_referrals_is_refused_with_the_reason(caseworker, need, provider):
    closed = ServiceFactory(provider=provider, accepting_referrals=False)

    response = client_for(caseworker).post(
        reverse("api-referrals-list"),
        {"need": str(need.uuid), "service": str(closed.uuid)},
        format="json",
    )

    assert response.status_code == 400
    assert "does not take referrals" in response.json()["errors"]["service"][0]


# --- what the provider sees -------------------------------------------------------------


def test_a_pending_referral_shows_the_provider_only_the_allowed_keys(staff, need, service):
    referral = referral_in(Referral.Status.SENT, need, service, urgency="urgent")
    ConsentFactory(referral=referral, fields=list(ShareableField.values))
    ngo = client_for(staff)

    opened = ngo.get(detail(referral))
    listed = ngo.get(reverse("api-referrals-list"))
    viewed = act(ngo, referral, "view")

    assert opened.status_code == 200
    body = opened.json()
    assert set(body) == PENDING_KEYS
    assert body["category"] == "social-services.elderly-care"
    assert body["district"] == shanghai_district().code
    assert body["urgency"] == "urgent"
    assert body["age_band"] in {"70–79", "80+"}
    assert body["service"] == str(service.uuid)
    [row] = listed.json()["results"]
    assert set(row) == PENDING_KEYS
    assert set(viewed.json()) == PENDING_KEYS
    for response in (opened, listed, viewed):
        assert_nothing_personal(response)
    assert not AuditEvent.objects.filter(action="referral.shared_data_read").exists()


def test_after_accepting_the_provider_sees_exactly_the_consented_fields(staff, need, service):
    referral = referral_in(Referral.Status.ACCEPTED, need, service)
    ConsentFactory(referral=referral, fields=["name", "situation"], purpose="Arrange home care")

    response = client_for(staff).get(detail(referral))

    assert response.status_code == 200
    body = response.json()
    assert set(body) == PENDING_KEYS | {"outcome", "failure_reason", "shared"}
    assert set(body["shared"]) == {"name", "situation"}
    assert body["shared"]["name"] == NAME
    assert body["shared"]["situation"]["reason"] == REASON
    text = response.content.decode()
    for value in (PHONE, ADDRESS, ID_NUMBER):
        assert value not in text
    read = AuditEvent.objects.get(action="referral.shared_data_read")
    assert read.actor == staff
    assert read.purpose == "Arrange home care"
    assert read.details == {"fields": ["name", "situation"], "provider": str(service.provider.uuid)}
    assert read.organization == need.assessment.beneficiary.agency


def test_the_provider_list_never_carries_shared_data(staff, need, service):
    referral = referral_in(Referral.Status.ACCEPTED, need, service)
    ConsentFactory(referral=referral, fields=list(ShareableField.values))

    response = client_for(staff).get(reverse("api-referrals-list"))

    [row] = response.json()["results"]
    assert set(row) == PENDING_KEYS
    assert_nothing_personal(response)


def test_each_view_of_a_referral_matches_the_schema(caseworker, staff, person, need, service):
    """The agency's view (blank reasons), the provider's pending view and its accepted
    view (the pending one and more: the schema must not call that ambiguous)."""
    draft = referral_in(Referral.Status.DRAFT, need, service)
    other_needs = NeedFactory.create_batch(2, assessment__beneficiary=person)
    pending = referral_in(Referral.Status.SENT, other_needs[0], service)
    accepted = referral_in(Referral.Status.ACCEPTED, other_needs[1], service)
    ConsentFactory(referral=accepted, fields=["name"], purpose="Arrange home care")

    answers = [
        client_for(caseworker).get(detail(draft)),
        client_for(staff).get(detail(pending)),
        client_for(staff).get(detail(accepted)),
    ]

    assert [answer.status_code for answer in answers] == [200, 200, 200]
    assert answers[0].json()["decline_reason"] == ""
    assert "shared" in answers[2].json()
    for answer in answers:
        assert_matches_schema(answer, "GET", "/api/v1/referrals/{uuid}/")
    for user in (caseworker, staff):
        listed = client_for(user).get(reverse("api-referrals-list"))
        assert listed.status_code == 200
        assert_matches_schema(listed, "GET", "/api/v1/referrals/")


def test_a_revoked_consent_hides_the_fields_again(caseworker, staff, need, service):
    referral = referral_in(Referral.Status.IN_SERVICE, need, service)
    consent = ConsentFactory(referral=referral, fields=["name", "phone"])
    ngo = client_for(staff)
    before = ngo.get(detail(referral)).json()["shared"]

    revoked = client_for(caseworker).post(
        reverse("api-consents-revoke", args=[consent.uuid]),
        {"note": "She asked us to stop sharing"},
        format="json",
    )
    after = ngo.get(detail(referral))

    assert before == {"name": NAME, "phone": PHONE}
    assert revoked.status_code == 200
    assert revoked.json()["in_force"] is False
    assert revoked.json()["revoked_at"]
    assert after.json()["shared"] == {}
    assert_nothing_personal(after)


def test_an_expired_consent_shares_nothing(staff, need, service):
    referral = referral_in(Referral.Status.ACCEPTED, need, service)
    ConsentFactory(
        referral=referral,
        given_at=timezone.now() - datetime.timedelta(days=30),
        expires_at=timezone.now() - datetime.timedelta(days=1),
    )

    response = client_for(staff).get(detail(referral))

    assert response.json()["shared"] == {}


# --- consent ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"fields": ["name", "bank_account"]}, {"fields"}),
        ({"purpose": ""}, {"purpose"}),
        ({"method": "override"}, {"method"}),
        ({"method": "telepathy"}, {"method"}),
        ({"expires_at": "2000-01-01T00:00:00Z"}, {"expires_at"}),
        ({"given_at": "2999-01-01T00:00:00Z"}, {"given_at"}),
        ({"referral": "00000000-0000-0000-0000-000000000000"}, {"referral"}),
    ],
)
def test_bad_consent_is_a_400_with_field_errors(caseworker, need, service, change, fields):
    referral = referral_in(Referral.Status.DRAFT, need, service)
    payload = {
        "referral": str(referral.uuid),
        "fields": ["name"],
        "purpose": "Arrange home care",
        "method": "verbal",
        **change,
    }

    response = client_for(caseworker).post(reverse("api-consents-list"), payload, format="json")

    assert response.status_code == 400, response.content
    assert set(response.json()["errors"]) == fields
    assert not Consent.objects.exists()


def test_consents_are_listed_per_referral(caseworker, need, service, person):
    referral = referral_in(Referral.Status.DRAFT, need, service)
    mine = ConsentFactory(referral=referral)
    other_need = NeedFactory(
        assessment__beneficiary=person, category=need_category("basic-living.dibao")
    )
    ConsentFactory(referral=referral_in(Referral.Status.DRAFT, other_need, service))

    response = client_for(caseworker).get(
        reverse("api-consents-list"), {"referral": str(referral.uuid)}
    )

    [row] = response.json()["results"]
    assert row["uuid"] == str(mine.uuid)
    assert row["fields"] == ["name", "phone"]
    assert row["in_force"] is True


def test_a_supervisor_overrides_missing_consent_with_a_written_reason(
    caseworker, supervisor, need, service
):
    referral = referral_in(Referral.Status.DRAFT, need, service)
    url = reverse("api-referrals-override-consent", args=[referral.uuid])
    payload = {
        "fields": ["name", "address"],
        "purpose": "Emergency home visit",
        "reason": "She cannot be reached and lives alone after a fall.",
    }

    by_caseworker = client_for(caseworker).post(url, payload, format="json")
    too_short = client_for(supervisor).post(url, {**payload, "reason": "urgent"}, format="json")
    overridden = client_for(supervisor).post(url, payload, format="json")
    sent = act(client_for(caseworker), referral, "send")

    assert by_caseworker.status_code == 403
    assert too_short.status_code == 400
    assert set(too_short.json()["errors"]) == {"reason"}
    assert overridden.status_code == 201, overridden.content
    assert overridden.json()["method"] == "override"
    assert overridden.json()["override_reason"] == payload["reason"]
    assert AuditEvent.objects.filter(action="referral.consent_overridden").count() == 1
    assert sent.json()["status"] == "sent"


# --- filters and lists -----------------------------------------------------------------


def test_referrals_filter_by_status_category_and_urgency(caseworker, person, service):
    needs = {
        code: NeedFactory(assessment__beneficiary=person, category=need_category(code))
        for code in (
            "social-services.elderly-care",
            "basic-living.dibao",
            "special-assistance.medical",
        )
    }
    elderly = referral_in(Referral.Status.SENT, needs["social-services.elderly-care"], service)
    dibao = referral_in(
        Referral.Status.DRAFT, needs["basic-living.dibao"], service, urgency="urgent"
    )
    medical = referral_in(Referral.Status.ACCEPTED, needs["special-assistance.medical"], service)
    api = client_for(caseworker)

    def uuids(**params):
        response = api.get(reverse("api-referrals-list"), params)
        assert response.status_code == 200, response.content
        return {row["uuid"] for row in response.json()["results"]}

    assert uuids(status="sent") == {str(elderly.uuid)}
    assert uuids(status=["sent", "accepted"]) == {str(elderly.uuid), str(medical.uuid)}
    assert uuids(category="basic-living") == {str(dibao.uuid)}
    assert uuids(category="social-services.elderly-care") == {str(elderly.uuid)}
    assert uuids(urgency="urgent") == {str(dibao.uuid)}


def test_an_unknown_filter_value_is_a_field_error(caseworker):
    response = client_for(caseworker).get(reverse("api-referrals-list"), {"status": "lost"})

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"status"}


def _add_referrals(count, *, agency, service, status):
    for _index in range(count):
        need = NeedFactory(assessment__beneficiary=BeneficiaryFactory(agency=agency))
        referral_in(status, need, service)


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.json()["count"]


def test_the_agency_list_runs_a_fixed_number_of_queries(caseworker, agency, service):
    api, url = token_client(caseworker), reverse("api-referrals-list")
    _add_referrals(2, agency=agency, service=service, status=Referral.Status.SENT)
    few = _queries(api, url)
    _add_referrals(12, agency=agency, service=ServiceFactory(), status=Referral.Status.ACCEPTED)
    many = _queries(api, url)

    assert (few[1], many[1]) == (2, 14)
    assert few[0] == many[0]


def test_the_inbox_runs_a_fixed_number_of_queries(staff, agency, service):
    api, url = token_client(staff), reverse("api-referrals-list")
    _add_referrals(2, agency=agency, service=service, status=Referral.Status.SENT)
    few = _queries(api, url)
    _add_referrals(6, agency=AgencyFactory(), service=service, status=Referral.Status.ACCEPTED)
    _add_referrals(6, agency=agency, service=service, status=Referral.Status.VIEWED)
    many = _queries(api, url)

    assert (few[1], many[1]) == (2, 14)
    assert few[0] == many[0]


def test_the_consent_list_runs_a_fixed_number_of_queries(caseworker, agency, service):
    api, url = token_client(caseworker), reverse("api-consents-list")

    def add(count):
        for _index in range(count):
            need = NeedFactory(assessment__beneficiary=BeneficiaryFactory(agency=agency))
            ConsentFactory(referral=referral_in(Referral.Status.DRAFT, need, service))

    add(1)
    few = _queries(api, url)
    add(9)
    many = _queries(api, url)

    assert (few[1], many[1]) == (1, 10)
    assert few[0] == many[0]

"""The caseworker's pages: who may open them, finding and recording people without
exposing them, the audited view of personal data, assessing, matching, referring
with consent, following up and closing."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from core import crypto
from core.models import AuditEvent
from referrals.models import (
    REFERRAL_LIFECYCLE,
    AssistanceStatus,
    Beneficiary,
    Consent,
    Need,
    NeedAssessment,
    Referral,
    UnmetNeed,
)
from tests.factories.accounts import AgencyFactory, user_with_role
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

NAME = "王秀英"
PHONE = "13912345678"
ADDRESS = "上海市浦东新区塘桥街道蓝村路100弄5号"
WOMAN_1948 = id_number(birth_date=datetime.date(1948, 3, 2), sequence=7, male=False)


@pytest.fixture
def pudong():
    return shanghai_district()


@pytest.fixture
def agency():
    return AgencyFactory(name_zh="徐家汇街道办事处", name_en="Xujiahui Street Office")


@pytest.fixture
def other_agency():
    return AgencyFactory(name_zh="浦东新区民政局", name_en="Pudong Civil Affairs Bureau")


@pytest.fixture
def caseworker(agency):
    return user_with_role(Role.CASEWORKER, agency, username="cw")


@pytest.fixture
def supervisor(agency):
    return user_with_role(Role.SUPERVISOR, agency, username="sup")


@pytest.fixture
def caseworker2(other_agency):
    return user_with_role(Role.CASEWORKER, other_agency, username="cw2")


@pytest.fixture
def client_en(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def signed_in(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def as_caseworker(client_en, caseworker):
    return signed_in(client_en, caseworker)


@pytest.fixture
def person(agency, pudong, caseworker):
    return BeneficiaryFactory(
        agency=agency,
        created_by=caseworker,
        name=NAME,
        id_number=WOMAN_1948,
        phone=PHONE,
        address=ADDRESS,
        area=pudong,
        latitude=Decimal("31.221517"),
        longitude=Decimal("121.544379"),
        assistance_statuses=[AssistanceStatus.DIBAO],
    )


@pytest.fixture
def need(person):
    return NeedFactory(assessment__beneficiary=person)


@pytest.fixture
def provider():
    return VerifiedProviderFactory()


@pytest.fixture
def service(provider, pudong):
    return ServiceFactory(provider=provider, name_en="Home care in Pudong", areas_covered=[pudong])


@pytest.fixture
def referral(need, service, caseworker):
    return ReferralFactory(need=need, service=service, caseworker=caseworker)


def send(referral, user):
    from referrals import services

    ConsentFactory(referral=referral, fields=["name", "phone"])
    return services.send_referral(referral=referral, user=user)


# --- who may open what ---------------------------------------------------------


def object_urls(person, need, referral):
    consent = ConsentFactory(referral=referral)
    return [
        ("get", reverse("referrals:person", args=[person.uuid])),
        ("get", reverse("referrals:edit_person", args=[person.uuid])),
        ("post", reverse("referrals:personal_data", args=[person.uuid])),
        ("get", reverse("referrals:assess", args=[person.uuid])),
        ("get", reverse("referrals:matches", args=[need.uuid])),
        ("get", reverse("referrals:record_unmet", args=[need.uuid])),
        ("get", reverse("referrals:create_referral", args=[need.uuid])),
        ("get", reverse("referrals:referral", args=[referral.uuid])),
        ("post", reverse("referrals:consent", args=[referral.uuid])),
        ("post", reverse("referrals:override", args=[referral.uuid])),
        ("post", reverse("referrals:revoke_consent", args=[referral.uuid, consent.uuid])),
        ("post", reverse("referrals:send", args=[referral.uuid])),
        ("post", reverse("referrals:recall", args=[referral.uuid])),
        ("post", reverse("referrals:close", args=[referral.uuid])),
        ("post", reverse("referrals:reopen", args=[referral.uuid])),
    ]


LIST_URLS = [
    "referrals:people",
    "referrals:record_person",
    "referrals:referral_list",
    "referrals:unmet_needs",
]


def test_a_caseworker_of_another_agency_gets_404_on_every_page_of_our_people(
    client_en, caseworker2, person, need, referral
):
    signed_in(client_en, caseworker2)

    for method, url in object_urls(person, need, referral):
        response = getattr(client_en, method)(url, {"purpose": "x", "consent-purpose": "x"})
        assert response.status_code == 404, (method, url)
    referral.refresh_from_db()
    assert referral.status == Referral.Status.DRAFT
    assert not Consent.objects.filter(revoked_at__isnull=False).exists()


def test_a_caseworker_of_another_agency_sees_none_of_our_people_in_lists(
    client_en, caseworker2, person, referral
):
    signed_in(client_en, caseworker2)

    for url_name in LIST_URLS:
        response = client_en.get(reverse(url_name))
        assert response.status_code == 200
        assert str(person.uuid)[:8].upper() not in response.text
        assert str(referral.uuid) not in response.text


def test_provider_staff_get_404_on_every_caseworker_page(
    client_en, provider, person, need, referral
):
    signed_in(client_en, provider_staff_of(provider))
    send(referral, referral.caseworker)  # even the referral sent to them

    for url_name in [*LIST_URLS, "referrals:overdue"]:
        assert client_en.get(reverse(url_name)).status_code == 404, url_name
    for method, url in object_urls(person, need, referral):
        assert getattr(client_en, method)(url).status_code == 404, (method, url)


def test_anonymous_visitors_are_sent_to_sign_in(client_en, person, need, referral):
    for url_name in LIST_URLS:
        response = client_en.get(reverse(url_name))
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]
    for method, url in object_urls(person, need, referral):
        response = getattr(client_en, method)(url)
        assert response.status_code == 302, url
        assert reverse("accounts:login") in response["Location"]


def test_supervisors_read_but_do_not_record_edit_assess_or_refer(
    client_en, supervisor, person, need, service
):
    signed_in(client_en, supervisor)

    page = client_en.get(reverse("referrals:person", args=[person.uuid]))
    assert page.status_code == 200
    assert reverse("referrals:edit_person", args=[person.uuid]) not in page.text
    assert reverse("referrals:assess", args=[person.uuid]) not in page.text
    for url in [
        reverse("referrals:record_person"),
        reverse("referrals:edit_person", args=[person.uuid]),
        reverse("referrals:assess", args=[person.uuid]),
        reverse("referrals:record_unmet", args=[need.uuid]),
        reverse("referrals:create_referral", args=[need.uuid]) + f"?service={service.uuid}",
    ]:
        assert client_en.get(url).status_code == 404, url


def test_the_workspace_links_caseworkers_to_people_and_referrals(as_caseworker):
    page = as_caseworker.get(reverse("accounts:workspace")).text

    assert reverse("referrals:people") in page
    assert reverse("referrals:referral_list") in page
    assert reverse("referrals:overdue") not in page


# --- finding and listing people ----------------------------------------------------


def test_the_people_list_shows_a_reference_and_never_decrypts_personal_data(
    as_caseworker, person, need, monkeypatch
):
    decrypted = []
    real_decrypt = crypto.decrypt
    monkeypatch.setattr(
        crypto, "decrypt", lambda *a, **k: decrypted.append(a) or real_decrypt(*a, **k)
    )

    response = as_caseworker.get(reverse("referrals:people"))

    assert response.status_code == 200
    assert decrypted == []
    assert str(person.uuid)[:8].upper() in response.text
    assert NAME not in response.text
    assert PHONE not in response.text
    assert WOMAN_1948 not in response.text
    assert "Female" in response.text
    assert "70–79" in response.text or "80+" in response.text
    assert "Pudong New Area" in response.text
    assert "Elderly care" in response.text or need.category.name_en in response.text


def test_the_people_list_runs_a_fixed_number_of_queries(as_caseworker, agency):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert as_caseworker.get(reverse("referrals:people")).status_code == 200
        return len(queries)

    for _ in range(2):
        NeedFactory(assessment__beneficiary=BeneficiaryFactory(agency=agency))
    with_two = count()
    for _ in range(4):
        NeedFactory(assessment__beneficiary=BeneficiaryFactory(agency=agency))

    assert count() == with_two


def test_finding_a_recorded_person_by_id_number_opens_their_page(as_caseworker, person):
    response = as_caseworker.post(
        reverse("referrals:people"), {"find-id_number": WOMAN_1948.lower()}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:person", args=[person.uuid])


def test_an_unknown_id_number_offers_the_record_form_with_the_number_filled_in(
    as_caseworker, other_agency
):
    # Known to another agency only: for this caseworker, not recorded yet.
    BeneficiaryFactory(agency=other_agency, id_number=WOMAN_1948)

    response = as_caseworker.post(reverse("referrals:people"), {"find-id_number": WOMAN_1948})

    assert response.status_code == 200
    assert "Not recorded yet" in response.text
    assert f'value="{WOMAN_1948}"' in response.text
    assert reverse("referrals:record_person") in response.text


def test_finding_without_a_number_shows_the_error_next_to_the_field(as_caseworker):
    response = as_caseworker.post(reverse("referrals:people"), {"find-id_number": ""})

    assert response.status_code == 400
    assert "Please correct the following" in response.text
    assert 'id="id_find-id_number_error"' in response.text


# --- recording a person ------------------------------------------------------------------


def person_data(**overrides):
    data = {
        "name": NAME,
        "id_number": WOMAN_1948,
        "phone": PHONE,
        "address": ADDRESS,
        "household_members": "李建国, spouse\n李小明，son",
        "household_size": "",
        "assistance_statuses": [AssistanceStatus.DIBAO],
        "disability_grade": "",
        "local_household_registration": "on",
    }
    return {**data, **overrides}


def test_recording_a_person_saves_the_record_and_says_who_else_knows_them(
    as_caseworker, agency, other_agency, fake_geocoder
):
    BeneficiaryFactory(
        agency=other_agency,
        id_number=WOMAN_1948,
        assistance_statuses=[AssistanceStatus.LOW_INCOME],
    )

    response = as_caseworker.post(reverse("referrals:record_person"), person_data(), follow=True)

    beneficiary = Beneficiary.objects.get(agency=agency)
    assert response.redirect_chain[-1][0] == reverse("referrals:person", args=[beneficiary.uuid])
    assert beneficiary.name == NAME
    assert beneficiary.household_members == [
        {"name": "李建国", "relation": "spouse"},
        {"name": "李小明", "relation": "son"},
    ]
    assert beneficiary.household_size == 3
    assert beneficiary.area is not None
    assert "Pudong Civil Affairs Bureau" in response.text
    assert str(AssistanceStatus.LOW_INCOME.label) in response.text
    # The notice names the agency and the help, nothing of the other case.
    assert "Xujiahui" not in response.text.split("also known to")[1].split("</li>")[0]


def test_an_address_that_cannot_be_placed_is_kept_and_explained(as_caseworker, fake_geocoder):
    response = as_caseworker.post(
        reverse("referrals:record_person"),
        person_data(address="某个不存在的地方"),
        follow=True,
    )

    assert response.status_code == 200
    assert "Address not found" in response.text
    assert Beneficiary.objects.get().area is None


def test_an_invalid_id_number_is_shown_next_to_the_field_and_nothing_is_saved(
    as_caseworker, fake_geocoder
):
    response = as_caseworker.post(
        reverse("referrals:record_person"), person_data(id_number="110105491231002")
    )

    assert response.status_code == 400
    assert "Please correct the following" in response.text
    assert 'id="id_id_number_error"' in response.text
    assert "15-digit" in response.text
    assert not Beneficiary.objects.exists()


def test_a_missing_name_is_a_form_error(as_caseworker, fake_geocoder):
    response = as_caseworker.post(reverse("referrals:record_person"), person_data(name=""))

    assert response.status_code == 400
    assert 'id="id_name_error"' in response.text


# --- the person page and personal data ---------------------------------------------------


def test_the_person_page_hides_personal_data_behind_a_purpose(as_caseworker, person, need):
    response = as_caseworker.get(reverse("referrals:person", args=[person.uuid]))

    assert response.status_code == 200
    assert NAME not in response.text
    assert PHONE not in response.text
    assert "Show personal data" in response.text
    assert reverse("referrals:matches", args=[need.uuid]) in response.text
    assert reverse("referrals:record_unmet", args=[need.uuid]) in response.text
    assert not AuditEvent.objects.filter(action="beneficiary.personal_data_read").exists()


def test_showing_personal_data_writes_the_purpose_to_the_audit_log(
    as_caseworker, caseworker, person
):
    response = as_caseworker.post(
        reverse("referrals:personal_data", args=[person.uuid]),
        {"purpose": "Phone her to arrange a home visit"},
    )

    assert response.status_code == 200
    assert NAME in response.text
    assert PHONE in response.text
    assert ADDRESS in response.text
    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get(action="beneficiary.personal_data_read")
    assert event.actor == caseworker
    assert event.purpose == "Phone her to arrange a home visit"
    assert event.object_id == str(person.uuid)


def test_personal_data_without_a_purpose_is_refused_next_to_the_field(as_caseworker, person):
    response = as_caseworker.post(
        reverse("referrals:personal_data", args=[person.uuid]), {"purpose": "  "}
    )

    assert response.status_code == 400
    assert NAME not in response.text
    assert 'id="id_purpose_error"' in response.text
    assert not AuditEvent.objects.filter(action="beneficiary.personal_data_read").exists()


def test_supervisors_may_see_personal_data_with_a_purpose(client_en, supervisor, person):
    signed_in(client_en, supervisor)

    response = client_en.post(
        reverse("referrals:personal_data", args=[person.uuid]), {"purpose": "Case review"}
    )

    assert NAME in response.text
    assert AuditEvent.objects.filter(actor=supervisor, purpose="Case review").exists()


def test_correcting_a_record_is_an_audited_read_then_an_update(
    as_caseworker, caseworker, person, fake_geocoder
):
    url = reverse("referrals:edit_person", args=[person.uuid])

    form = as_caseworker.get(url)

    assert form.status_code == 200
    assert NAME in form.text
    assert AuditEvent.objects.filter(
        action="beneficiary.personal_data_read", actor=caseworker
    ).exists()

    response = as_caseworker.post(url, person_data(phone="13700000000", household_members=""))

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.phone == "13700000000"


# --- assessing ------------------------------------------------------------------------------


def assessment_data(*needs, priority="routine"):
    data = {
        "assessed_on": timezone.localdate().isoformat(),
        "priority": priority,
        "notes": "独居",
        "needs-TOTAL_FORMS": "4",
        "needs-INITIAL_FORMS": "0",
        "needs-MIN_NUM_FORMS": "0",
        "needs-MAX_NUM_FORMS": "12",
    }
    for index in range(4):
        code, severity = needs[index] if index < len(needs) else ("", "2")
        data[f"needs-{index}-category"] = code
        data[f"needs-{index}-tier"] = ""
        data[f"needs-{index}-severity"] = severity
        data[f"needs-{index}-notes"] = ""
    return data


def test_an_assessment_records_several_needs(as_caseworker, person):
    response = as_caseworker.post(
        reverse("referrals:assess", args=[person.uuid]),
        assessment_data(("social-services.elderly-care", "3"), ("emergency.temporary", "4")),
    )

    assert response.status_code == 302
    assessment = NeedAssessment.objects.get(beneficiary=person)
    assert sorted(need.category.code for need in assessment.needs.all()) == [
        "emergency.temporary",
        "social-services.elderly-care",
    ]


def test_an_assessment_without_a_need_is_refused_with_a_message(as_caseworker, person):
    response = as_caseworker.post(
        reverse("referrals:assess", args=[person.uuid]), assessment_data()
    )

    assert response.status_code == 400
    assert "Record at least one need." in response.text
    assert not NeedAssessment.objects.exists()


def test_the_same_need_twice_in_one_assessment_is_refused(as_caseworker, person):
    response = as_caseworker.post(
        reverse("referrals:assess", args=[person.uuid]),
        assessment_data(("emergency.temporary", "2"), ("emergency.temporary", "3")),
    )

    assert response.status_code == 400
    assert "Each need category can be recorded once per assessment." in response.text


def test_a_future_assessment_date_is_shown_next_to_the_field(as_caseworker, person):
    data = assessment_data(("emergency.temporary", "2"))
    data["assessed_on"] = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()

    response = as_caseworker.post(reverse("referrals:assess", args=[person.uuid]), data)

    assert response.status_code == 400
    assert 'id="id_assessed_on_error"' in response.text


# --- matching, referring, unmet needs -----------------------------------------------------


def test_matches_are_ranked_with_their_reasons_and_offer_to_refer(
    as_caseworker, need, service, pudong
):
    full = ServiceFactory(name_en="Full service", free_slots=0, areas_covered=[pudong])

    response = as_caseworker.get(reverse("referrals:matches", args=[need.uuid]))

    assert response.status_code == 200
    text = response.text
    assert text.index("Home care in Pudong") < text.index("Full service")
    assert "Covers Pudong New Area" in text
    assert "5 free places" in text
    assert "No rating yet: counts as average" in text
    assert "No contract in force for this need in the person&#x27;s area" in text
    assert f'value="{service.uuid}"' in text
    assert f'value="{full.uuid}"' in text  # a waiting list is still a referral
    assert "No eligible service has a free place" not in text


def test_when_nothing_eligible_has_room_the_unmet_need_form_comes_first(
    as_caseworker, need, pudong
):
    ServiceFactory(name_en="Full service", free_slots=0, areas_covered=[pudong])

    response = as_caseworker.get(reverse("referrals:matches", args=[need.uuid]))

    assert "No eligible service has a free place" in response.text
    assert response.text.index("No eligible service has a free place") < response.text.index(
        "Full service"
    )


def test_ineligible_services_are_explained_apart(as_caseworker, need, pudong, service):
    ServiceFactory(name_en="Men only", gender="male", areas_covered=[pudong])

    response = as_caseworker.get(reverse("referrals:matches", args=[need.uuid]))

    text = response.text
    assert "<details>" in text
    assert text.index("Men only") > text.index("<details>")
    assert "Not eligible:" in text


def test_refer_confirms_then_makes_a_draft_and_opens_it_for_consent(
    as_caseworker, need, service, caseworker
):
    url = reverse("referrals:create_referral", args=[need.uuid])

    confirm = as_caseworker.get(url, {"service": service.uuid})
    assert confirm.status_code == 200
    assert "Home care in Pudong" in confirm.text

    response = as_caseworker.post(
        url, {"service": service.uuid, "urgency": "urgent", "reason": "需要每周上门两次"}
    )

    referral = Referral.objects.get(need=need)
    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:referral", args=[referral.uuid])
    assert referral.status == Referral.Status.DRAFT
    assert referral.urgency == "urgent"
    assert referral.caseworker == caseworker


def test_a_second_referral_of_the_same_need_is_refused_with_a_message(
    as_caseworker, need, service, referral, pudong
):
    other = ServiceFactory(areas_covered=[pudong])

    response = as_caseworker.post(
        reverse("referrals:create_referral", args=[need.uuid]),
        {"service": other.uuid, "urgency": "routine"},
    )

    assert response.status_code == 400
    assert "already has an open referral" in response.text
    assert Referral.objects.filter(need=need).count() == 1


def test_referring_to_a_service_that_takes_no_referrals_goes_back_to_the_list(
    as_caseworker, need, pudong
):
    closed = ServiceFactory(accepting_referrals=False, areas_covered=[pudong])

    response = as_caseworker.get(
        reverse("referrals:create_referral", args=[need.uuid]), {"service": closed.uuid}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:matches", args=[need.uuid])


def test_recording_an_unmet_need(as_caseworker, need, pudong):
    response = as_caseworker.post(
        reverse("referrals:record_unmet", args=[need.uuid]),
        {"unmet-reason": UnmetNeed.Reason.NO_CAPACITY, "unmet-note": "两家都满员"},
    )

    assert response.status_code == 302
    unmet = UnmetNeed.objects.get()
    assert unmet.need == need
    assert unmet.category == need.category
    assert unmet.area == pudong


def test_an_unmet_need_for_another_reason_needs_a_note(as_caseworker, need):
    response = as_caseworker.post(
        reverse("referrals:record_unmet", args=[need.uuid]), {"unmet-reason": "other"}
    )

    assert response.status_code == 400
    assert 'id="id_unmet-note_error"' in response.text
    assert not UnmetNeed.objects.exists()


def test_the_unmet_needs_list_shows_the_agency_s_records(as_caseworker, caseworker, need):
    from referrals import services

    services.record_unmet_need(
        user=caseworker,
        agency=None,
        category=None,
        need=need,
        reason=UnmetNeed.Reason.TOO_FAR,
    )

    response = as_caseworker.get(reverse("referrals:unmet_needs"))

    assert response.status_code == 200
    assert str(UnmetNeed.Reason.TOO_FAR.label) in response.text


# --- the referral page: consent, send, recall, close, reopen ------------------------------


def test_the_referral_page_states_status_and_due_time_with_its_time_zone(as_caseworker, referral):
    Referral.objects.filter(pk=referral.pk).update(
        status=Referral.Status.SENT,
        sent_at=datetime.datetime(2026, 11, 24, 4, 0, tzinfo=datetime.UTC),
        due_at=datetime.datetime(2026, 11, 24, 8, 0, tzinfo=datetime.UTC),
    )

    response = as_caseworker.get(reverse("referrals:referral", args=[referral.uuid]))

    assert response.status_code == 200
    assert "2026-11-24 16:00 CST" in response.text
    assert "Sent — awaiting answer" in response.text


def consent_data(**overrides):
    data = {
        "consent-fields": ["name", "phone"],
        "consent-purpose": "联系本人安排上门服务",
        "consent-method": Consent.Method.SIGNED_FORM,
        "consent-expires_on": "",
    }
    return {**data, **overrides}


def test_recording_consent_then_sending(as_caseworker, referral):
    url = reverse("referrals:referral", args=[referral.uuid])
    assert "No consent in force" in as_caseworker.get(url).text

    response = as_caseworker.post(
        reverse("referrals:consent", args=[referral.uuid]), consent_data(), follow=True
    )
    assert "Consent in force" in response.text
    assert Consent.objects.get(referral=referral).fields == ["name", "phone"]

    response = as_caseworker.post(reverse("referrals:send", args=[referral.uuid]), follow=True)

    referral.refresh_from_db()
    assert referral.status == Referral.Status.SENT
    assert referral.due_at is not None
    assert "Referral sent" in response.text


def test_consent_with_a_past_expiry_is_shown_next_to_the_field(as_caseworker, referral):
    response = as_caseworker.post(
        reverse("referrals:consent", args=[referral.uuid]),
        consent_data(**{"consent-expires_on": "2020-01-01"}),
    )

    assert response.status_code == 400
    assert 'id="id_consent-expires_on_error"' in response.text
    assert not Consent.objects.exists()


def test_sending_without_consent_is_refused_with_the_reason(as_caseworker, referral):
    response = as_caseworker.post(reverse("referrals:send", args=[referral.uuid]))

    assert response.status_code == 400
    assert "Record the person&#x27;s consent before sending" in response.text
    referral.refresh_from_db()
    assert referral.status == Referral.Status.DRAFT


def test_revoking_consent(as_caseworker, referral):
    consent = ConsentFactory(referral=referral)

    response = as_caseworker.post(
        reverse("referrals:revoke_consent", args=[referral.uuid, consent.uuid]),
        {"revoke-note": "本人撤回"},
    )

    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.revoked_at is not None
    assert consent.revocation_note == "本人撤回"


def test_only_supervisors_see_and_use_the_override(client_en, as_caseworker, supervisor, referral):
    url = reverse("referrals:referral", args=[referral.uuid])
    override_url = reverse("referrals:override", args=[referral.uuid])
    data = {
        "override-fields": ["name"],
        "override-purpose": "紧急安置",
        "override-reason": "本人昏迷无法表达意愿，需紧急安置",
    }
    assert override_url not in as_caseworker.get(url).text
    assert as_caseworker.post(override_url, data).status_code == 404

    signed_in(client_en, supervisor)
    page = client_en.get(url).text
    assert override_url in page
    assert reverse("referrals:send", args=[referral.uuid]) not in page

    short = client_en.post(override_url, {**data, "override-reason": "急"})
    assert short.status_code == 400
    assert 'id="id_override-reason_error"' in short.text

    assert client_en.post(override_url, data).status_code == 302
    consent = Consent.objects.get(referral=referral)
    assert consent.method == Consent.Method.SUPERVISOR_OVERRIDE
    assert AuditEvent.objects.filter(action="referral.consent_overridden").exists()


def test_recalling_a_sent_referral(as_caseworker, referral, caseworker):
    send(referral, caseworker)

    response = as_caseworker.post(
        reverse("referrals:recall", args=[referral.uuid]), {"recall-note": "家属已安排"}
    )

    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == Referral.Status.RECALLED


def test_closing_a_completed_referral_and_reopening_it_with_a_note(
    as_caseworker, referral, caseworker
):
    Referral.objects.filter(pk=referral.pk).update(
        status=Referral.Status.COMPLETED, outcome=Referral.Outcome.ACHIEVED
    )
    url = reverse("referrals:referral", args=[referral.uuid])
    assert "Close the referral" in as_caseworker.get(url).text

    as_caseworker.post(reverse("referrals:close", args=[referral.uuid]), {"close-note": ""})
    referral.refresh_from_db()
    assert referral.status == Referral.Status.CLOSED

    without_note = as_caseworker.post(
        reverse("referrals:reopen", args=[referral.uuid]), {"reopen-note": ""}
    )
    assert without_note.status_code == 400
    assert 'id="id_reopen-note_error"' in without_note.text

    as_caseworker.post(
        reverse("referrals:reopen", args=[referral.uuid]), {"reopen-note": "需求反复"}
    )
    referral.refresh_from_db()
    assert referral.status == Referral.Status.REOPENED


def test_a_move_the_lifecycle_does_not_allow_is_explained_not_crashed(as_caseworker, referral):
    response = as_caseworker.post(
        reverse("referrals:close", args=[referral.uuid]), {"close-note": ""}
    )

    assert response.status_code == 400
    assert "cannot become" in response.text


# Each move the referral page offers the caseworker, and the state it moves to.
CASEWORKER_MOVES = {
    "send": Referral.Status.SENT,
    "recall": Referral.Status.RECALLED,
    "close": Referral.Status.CLOSED,
    "reopen": Referral.Status.REOPENED,
}


@pytest.mark.parametrize("status", Referral.Status.values)
def test_the_referral_page_offers_exactly_the_moves_the_lifecycle_allows(
    as_caseworker, referral, status
):
    Referral.objects.filter(pk=referral.pk).update(status=status)

    text = as_caseworker.get(reverse("referrals:referral", args=[referral.uuid])).text

    offered = {
        move
        for move in CASEWORKER_MOVES
        if reverse(f"referrals:{move}", args=[referral.uuid]) in text
    }
    allowed = {
        move
        for move, target in CASEWORKER_MOVES.items()
        if REFERRAL_LIFECYCLE.allows(status, target)
    }
    assert offered == allowed


def test_a_supervisor_is_offered_no_move_of_the_caseworkers(client_en, agency, referral):
    client_en.force_login(user_with_role(Role.SUPERVISOR, agency))

    text = client_en.get(reverse("referrals:referral", args=[referral.uuid])).text

    assert reverse("referrals:override", args=[referral.uuid]) in text
    for move in CASEWORKER_MOVES:
        assert reverse(f"referrals:{move}", args=[referral.uuid]) not in text


# --- the referral list ------------------------------------------------------------------------


def test_the_referral_list_has_status_tabs_and_what_came_back(
    as_caseworker, agency, referral, caseworker
):
    declined = ReferralFactory(
        need=NeedFactory(
            assessment__beneficiary=BeneficiaryFactory(agency=agency),
            category=need_category("emergency.temporary"),
        ),
        status=Referral.Status.DECLINED,
        status_changed_at=timezone.now(),
        decline_reason=Referral.DeclineReason.NO_CAPACITY,
        return_code=Referral.ReturnCode.DECLINED,
    )

    response = as_caseworker.get(reverse("referrals:referral_list"))

    text = response.text
    assert "Returned to you" in text
    assert reverse("referrals:referral", args=[declined.uuid]) in text
    assert "No free place" in text
    assert 'Draft <span class="status-tabs__count">(1)</span>' in text
    only_drafts = as_caseworker.get(reverse("referrals:referral_list"), {"status": "draft"})
    assert reverse("referrals:referral", args=[referral.uuid]) in only_drafts.text
    assert reverse("referrals:referral", args=[declined.uuid]) in only_drafts.text  # returned box
    assert only_drafts.text.count(reverse("referrals:referral", args=[declined.uuid])) == 1


def test_the_referral_list_runs_a_fixed_number_of_queries(as_caseworker, agency, service):
    def make():
        ReferralFactory(
            need=NeedFactory(assessment__beneficiary=BeneficiaryFactory(agency=agency)),
            service=service,
        )
        ReferralFactory(
            need=NeedFactory(assessment__beneficiary=BeneficiaryFactory(agency=agency)),
            service=ServiceFactory(),
            status=Referral.Status.DECLINED,
            status_changed_at=timezone.now(),
        )

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert as_caseworker.get(reverse("referrals:referral_list")).status_code == 200
        return len(queries)

    make()
    with_two = count()
    make()
    make()

    assert count() == with_two


def test_need_rows_show_the_referral_status_in_words(as_caseworker, person, referral):
    response = as_caseworker.get(reverse("referrals:person", args=[person.uuid]))

    assert "status-badge" in response.text
    assert "Draft" in response.text
    assert Need.objects.count() == 1


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_caseworker_pages_render_in_both_languages(
    client, caseworker, person, need, referral, language
):
    client.force_login(caseworker)
    urls = [
        reverse("referrals:people"),
        reverse("referrals:record_person"),
        reverse("referrals:person", args=[person.uuid]),
        reverse("referrals:assess", args=[person.uuid]),
        reverse("referrals:matches", args=[need.uuid]),
        reverse("referrals:referral", args=[referral.uuid]),
        reverse("referrals:referral_list"),
        reverse("referrals:unmet_needs"),
    ]

    for url in urls:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, url
        assert f'lang="{"zh-Hans" if language == "zh-hans" else "en"}"' in response.text


def test_the_unmet_needs_list_runs_a_fixed_number_of_queries(as_caseworker, agency, caseworker):
    from referrals import services

    def record():
        services.record_unmet_need(
            user=caseworker,
            agency=None,
            category=None,
            need=NeedFactory(assessment__beneficiary=BeneficiaryFactory(agency=agency)),
            reason=UnmetNeed.Reason.NO_SERVICE,
        )

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert as_caseworker.get(reverse("referrals:unmet_needs")).status_code == 200
        return len(queries)

    record()
    with_one = count()
    record()
    record()

    assert count() == with_one

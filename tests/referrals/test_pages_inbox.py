"""The provider's inbox: who may open it, what a pending referral shows (the need, the
district, the urgency and the age band — nothing else), exactly the consented fields
after accepting, hidden again when consent is revoked, and every answer."""

import datetime
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from core.models import AuditEvent
from referrals import services
from referrals.models import REFERRAL_LIFECYCLE, Referral, ReferralEvent, ShareableField
from tests.factories.accounts import AgencyFactory, user_with_role
from tests.factories.places import shanghai_district
from tests.factories.providers import (
    ServiceFactory,
    VerifiedProviderFactory,
    provider_admin_of,
    provider_staff_of,
)
from tests.factories.referrals import (
    BeneficiaryFactory,
    ConsentFactory,
    NeedFactory,
    ReferralFactory,
    id_number,
)
from tests.factories.taxonomy import need_category

pytestmark = pytest.mark.django_db

NAME = "张桂兰"
PHONE = "13987654321"
ADDRESS = "上海市浦东新区洋泾街道崂山路55弄2号"
ID_NUMBER = id_number(birth_date=datetime.date(1941, 6, 9), sequence=3, male=False)
REASON = "独居高龄，近期跌倒两次。"
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
ACTIONS = ["accept", "decline", "waitlist", "start", "complete", "fail"]


@pytest.fixture
def pudong():
    return shanghai_district()


@pytest.fixture
def agency():
    return AgencyFactory(name_en="Xujiahui Street Office")


@pytest.fixture
def caseworker(agency):
    return user_with_role(Role.CASEWORKER, agency, username="cw")


@pytest.fixture
def provider():
    return VerifiedProviderFactory()


@pytest.fixture
def staff(provider):
    return provider_staff_of(provider, username="ngo_staff")


@pytest.fixture
def other_provider():
    return VerifiedProviderFactory()


@pytest.fixture
def service(provider, pudong):
    return ServiceFactory(provider=provider, name_en="Home care", areas_covered=[pudong])


@pytest.fixture
def client_en(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def as_staff(client_en, staff):
    client_en.force_login(staff)
    return client_en


def make_referral(
    agency, service, caseworker, *, fields=("name", "phone"), pudong=None, number=ID_NUMBER
):
    """A referral sent with consent to share ``fields``."""
    person = BeneficiaryFactory(
        agency=agency,
        name=NAME,
        phone=PHONE,
        address=ADDRESS,
        id_number=number,
        area=pudong,
        household_members=[{"name": "李建国", "relation": "spouse"}],
        household_size=2,
    )
    referral = ReferralFactory(
        need=NeedFactory(assessment__beneficiary=person, notes="需要上门照护。"),
        service=service,
        caseworker=caseworker,
        district=pudong,
        urgency=Referral.Urgency.URGENT,
        reason=REASON,
    )
    ConsentFactory(referral=referral, fields=list(fields))
    return services.send_referral(referral=referral, user=caseworker)


@pytest.fixture
def referral(agency, service, caseworker, pudong):
    return make_referral(agency, service, caseworker, pudong=pudong)


PERSONAL = (NAME, PHONE, ADDRESS, ID_NUMBER, "李建国", REASON, "需要上门照护")


def assert_nothing_personal(text):
    for value in PERSONAL:
        assert value not in text, value


# --- who may open what -------------------------------------------------------------


def test_another_provider_gets_404_on_every_inbox_url_of_our_referral(
    client_en, other_provider, referral
):
    client_en.force_login(provider_admin_of(other_provider))

    assert (
        client_en.get(reverse("referrals:inbox_referral", args=[referral.uuid])).status_code == 404
    )
    for action in ACTIONS:
        url = reverse("referrals:answer", args=[referral.uuid, action])
        assert client_en.post(url, {f"{action}-reason_code": "other"}).status_code == 404
    inbox = client_en.get(reverse("referrals:inbox"))
    assert inbox.status_code == 200
    assert str(referral.uuid) not in inbox.text
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SENT


def test_caseworkers_and_supervisors_get_404_on_the_inbox(client_en, agency, caseworker, referral):
    for user in (caseworker, user_with_role(Role.SUPERVISOR, agency)):
        client_en.force_login(user)
        assert client_en.get(reverse("referrals:inbox")).status_code == 404
        assert (
            client_en.get(reverse("referrals:inbox_referral", args=[referral.uuid])).status_code
            == 404
        )
        assert (
            client_en.post(reverse("referrals:answer", args=[referral.uuid, "accept"])).status_code
            == 404
        )


def test_anonymous_visitors_are_sent_to_sign_in(client_en, referral):
    for url in [
        reverse("referrals:inbox"),
        reverse("referrals:inbox_referral", args=[referral.uuid]),
        reverse("referrals:answer", args=[referral.uuid, "accept"]),
    ]:
        response = client_en.post(url) if "accept" in url else client_en.get(url)
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]


def test_a_draft_is_not_the_provider_s_yet(as_staff, agency, service, caseworker):
    draft = ReferralFactory(
        need=NeedFactory(assessment__beneficiary=BeneficiaryFactory(agency=agency)),
        service=service,
    )

    assert as_staff.get(reverse("referrals:inbox_referral", args=[draft.uuid])).status_code == 404
    assert str(draft.uuid) not in as_staff.get(reverse("referrals:inbox")).text


def test_an_unknown_action_is_404_and_answers_are_post_only(as_staff, referral):
    assert (
        as_staff.post(reverse("referrals:answer", args=[referral.uuid, "delete"])).status_code
        == 404
    )
    assert (
        as_staff.get(reverse("referrals:answer", args=[referral.uuid, "accept"])).status_code == 405
    )


def test_the_workspace_links_provider_staff_to_the_inbox(as_staff):
    page = as_staff.get(reverse("accounts:workspace")).text

    assert reverse("referrals:inbox") in page


# --- the inbox list ----------------------------------------------------------------------


def test_the_inbox_lists_need_district_urgency_age_band_and_due_time_only(as_staff, referral):
    response = as_staff.get(reverse("referrals:inbox"))

    text = response.text
    assert response.status_code == 200
    assert reverse("referrals:inbox_referral", args=[referral.uuid]) in text
    assert "Elderly care" in text
    assert "Pudong New Area" in text
    assert "Urgent" in text
    assert "80+" in text
    assert referral.due_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M CST") in text
    assert_nothing_personal(text)
    assert "Xujiahui" not in text


def test_the_inbox_has_tabs_by_status_with_counts(
    as_staff, staff, referral, agency, service, caseworker
):
    second = make_referral(agency, service, caseworker, number=id_number(sequence=11))
    services.accept_referral(referral=second, user=staff)

    response = as_staff.get(reverse("referrals:inbox"))

    assert 'Accepted <span class="status-tabs__count">(1)</span>' in response.text
    assert 'Sent — awaiting answer <span class="status-tabs__count">(1)</span>' in response.text
    accepted_only = as_staff.get(reverse("referrals:inbox"), {"status": "accepted"}).text
    assert reverse("referrals:inbox_referral", args=[second.uuid]) in accepted_only
    assert reverse("referrals:inbox_referral", args=[referral.uuid]) not in accepted_only


def test_the_inbox_runs_a_fixed_number_of_queries(as_staff, agency, service, caseworker, pudong):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert as_staff.get(reverse("referrals:inbox")).status_code == 200
        return len(queries)

    make_referral(agency, service, caseworker, pudong=pudong)
    with_one = count()
    for sequence in range(3):
        make_referral(
            agency,
            ServiceFactory(provider=service.provider),
            caseworker,
            number=id_number(sequence=20 + sequence),
        )

    assert count() == with_one


# --- a pending referral ------------------------------------------------------------------


def test_opening_a_sent_referral_marks_it_viewed(as_staff, staff, referral):
    response = as_staff.get(reverse("referrals:inbox_referral", args=[referral.uuid]))

    assert response.status_code == 200
    referral.refresh_from_db()
    assert referral.status == Referral.Status.VIEWED
    assert ReferralEvent.objects.filter(referral=referral, to_status="viewed", actor=staff).exists()
    assert "Viewed by the provider" in response.text
    as_staff.get(reverse("referrals:inbox_referral", args=[referral.uuid]))
    assert ReferralEvent.objects.filter(referral=referral, to_status="viewed").count() == 1


def test_a_pending_referral_shows_nothing_of_the_person(as_staff, referral):
    response = as_staff.get(reverse("referrals:inbox_referral", args=[referral.uuid]))

    text = response.text
    assert "Elderly care" in text
    assert "Pudong New Area" in text
    assert "Urgent" in text
    assert "80+" in text
    assert_nothing_personal(text)
    assert "no-store" in response["Cache-Control"]
    assert not AuditEvent.objects.filter(action="referral.shared_data_read").exists()
    for action in ("accept", "decline", "waitlist"):
        assert reverse("referrals:answer", args=[referral.uuid, action]) in text
    for action in ("start", "complete", "fail"):
        assert reverse("referrals:answer", args=[referral.uuid, action]) not in text


# Each answer of the page and the state it moves the referral to.
ANSWER_TARGETS = {
    "accept": Referral.Status.ACCEPTED,
    "waitlist": Referral.Status.WAITLISTED,
    "decline": Referral.Status.DECLINED,
    "start": Referral.Status.IN_SERVICE,
    "complete": Referral.Status.COMPLETED,
    "fail": Referral.Status.FAILED,
}


def answer_url(referral, action):
    """Completing and "did not go ahead" are the outcome's pages (evaluation)."""
    if action in {"complete", "fail"}:
        return reverse(f"evaluation:{action}", args=[referral.uuid])
    return reverse("referrals:answer", args=[referral.uuid, action])


@pytest.mark.parametrize("status", sorted(set(Referral.Status.values) - {Referral.Status.DRAFT}))
def test_the_page_offers_exactly_the_answers_the_lifecycle_allows(
    as_staff, agency, service, caseworker, status
):
    referral = make_referral(agency, service, caseworker)
    Referral.objects.filter(pk=referral.pk).update(status=status)

    text = as_staff.get(reverse("referrals:inbox_referral", args=[referral.uuid])).text

    shown = Referral.objects.get(pk=referral.pk).status  # a sent one is viewed by opening it
    offered = {action for action in ANSWER_TARGETS if answer_url(referral, action) in text}
    allowed = {
        action
        for action, target in ANSWER_TARGETS.items()
        if REFERRAL_LIFECYCLE.allows(shown, target)
    }
    assert offered == allowed


# --- accepting: exactly the consented fields ---------------------------------------------


def test_after_accepting_the_provider_sees_exactly_the_consented_fields(as_staff, staff, referral):
    response = as_staff.post(
        reverse("referrals:answer", args=[referral.uuid, "accept"]),
        {"accept-note": ""},
        follow=True,
    )

    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACCEPTED
    text = response.text
    assert NAME in text
    assert PHONE in text
    for hidden in (ADDRESS, ID_NUMBER, "李建国", REASON):
        assert hidden not in text, hidden
    event = AuditEvent.objects.filter(action="referral.shared_data_read").latest("pk")
    assert event.actor == staff
    assert event.purpose == "Deliver the referred service"
    assert event.details == {"fields": ["name", "phone"], "provider": str(referral.provider.uuid)}
    assert event.organization == referral.agency


def test_a_consent_to_share_the_situation_shows_the_reason_and_notes(
    as_staff, agency, service, caseworker
):
    referral = make_referral(
        agency, service, caseworker, fields=(ShareableField.ADDRESS, ShareableField.SITUATION)
    )
    as_staff.post(reverse("referrals:answer", args=[referral.uuid, "accept"]))

    text = as_staff.get(reverse("referrals:inbox_referral", args=[referral.uuid])).text

    assert ADDRESS in text
    assert REASON in text
    assert "需要上门照护" in text
    assert NAME not in text
    assert PHONE not in text


def test_a_revoked_consent_hides_the_fields_again(as_staff, caseworker, referral):
    as_staff.post(reverse("referrals:answer", args=[referral.uuid, "accept"]))
    services.revoke_consent(consent=referral.consents.get(), user=caseworker, note="本人撤回")

    response = as_staff.get(reverse("referrals:inbox_referral", args=[referral.uuid]))

    assert response.status_code == 200
    assert_nothing_personal(response.text)
    assert "No details shared" in response.text


def test_accepting_without_a_free_place_is_explained(as_staff, referral):
    referral.service.__class__.objects.filter(pk=referral.service_id).update(free_slots=0)

    response = as_staff.post(reverse("referrals:answer", args=[referral.uuid, "accept"]))

    assert response.status_code == 400
    assert "Please correct the following" in response.text
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SENT


# --- the other answers -------------------------------------------------------------------


def test_declining_needs_a_reason_code(as_staff, referral):
    url = reverse("referrals:answer", args=[referral.uuid, "decline"])

    missing = as_staff.post(url, {"decline-reason_code": ""})
    assert missing.status_code == 400
    assert 'id="id_decline-reason_code_error"' in missing.text

    other_without_note = as_staff.post(url, {"decline-reason_code": "other", "decline-note": ""})
    assert other_without_note.status_code == 400
    assert 'id="id_decline-note_error"' in other_without_note.text
    assert "Explain the reason in a note." in other_without_note.text

    assert as_staff.post(url, {"decline-reason_code": "no_capacity"}).status_code == 302
    referral.refresh_from_db()
    assert referral.status == Referral.Status.DECLINED
    assert referral.decline_reason == "no_capacity"


def test_putting_on_the_waiting_list(as_staff, referral):
    as_staff.post(reverse("referrals:answer", args=[referral.uuid, "waitlist"]))

    referral.refresh_from_db()
    assert referral.status == Referral.Status.WAITLISTED
    page = as_staff.get(reverse("referrals:inbox_referral", args=[referral.uuid])).text
    assert "Waiting list position" in page
    assert_nothing_personal(page)


def test_start_agree_goals_then_complete_with_their_scores(as_staff, referral):
    as_staff.post(reverse("referrals:answer", args=[referral.uuid, "accept"]))
    as_staff.post(reverse("referrals:answer", args=[referral.uuid, "start"]), {"start-note": ""})
    referral.refresh_from_db()
    assert referral.status == Referral.Status.IN_SERVICE

    complete = reverse("evaluation:complete", args=[referral.uuid])
    assert "Agree the goals" in as_staff.get(complete).text
    goals = reverse("evaluation:goals", args=[referral.uuid])
    missing = as_staff.post(goals, {"goal_1_description": "每周自己做饭", "goal_1_weight": "2"})
    assert missing.status_code == 400
    assert 'id="id_goal_1_expected_error"' in missing.text
    as_staff.post(
        goals,
        {
            "goal_1_description": "每周自己做饭",
            "goal_1_expected": "三次",
            "goal_1_weight": "2",
            "goal_2_weight": "1",
            "goal_3_weight": "1",
        },
    )

    unscored = as_staff.post(complete, {"note": "done"})
    assert unscored.status_code == 400
    assert 'id="id_goal_1_error"' in unscored.text
    as_staff.post(complete, {"goal_1": "1", "note": "每周上门两次"})
    referral.refresh_from_db()
    assert referral.status == Referral.Status.COMPLETED
    assert referral.outcome == "achieved"
    assert (
        "T-score 60.00"
        in as_staff.get(reverse("referrals:inbox_referral", args=[referral.uuid])).text
    )


def test_recording_that_the_service_did_not_go_ahead(as_staff, referral):
    as_staff.post(reverse("referrals:answer", args=[referral.uuid, "accept"]))

    as_staff.post(
        reverse("evaluation:fail", args=[referral.uuid]),
        {"reason_code": "could_not_contact"},
    )

    referral.refresh_from_db()
    assert referral.status == Referral.Status.FAILED
    assert referral.failure_reason == "could_not_contact"


def test_an_answer_the_state_no_longer_allows_is_explained_not_crashed(as_staff, referral):
    response = as_staff.post(reverse("referrals:answer", args=[referral.uuid, "start"]))

    assert response.status_code == 400
    assert "cannot become" in response.text
    assert_nothing_personal(response.text)


def test_the_pending_page_in_chinese_still_shows_nothing_personal(client, staff, referral):
    client.force_login(staff)

    response = client.get(
        reverse("referrals:inbox_referral", args=[referral.uuid]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    )

    assert response.status_code == 200
    assert_nothing_personal(response.text)
    assert need_category("social-services.elderly-care").name_zh in response.text


def test_a_referral_no_longer_with_the_provider_shares_nothing(as_staff, caseworker, referral):
    as_staff.post(reverse("referrals:answer", args=[referral.uuid, "accept"]))
    services.recall_referral(referral=referral, user=caseworker, note="家属已安排")

    response = as_staff.get(reverse("referrals:inbox_referral", args=[referral.uuid]))

    assert response.status_code == 200
    assert "Recalled by the caseworker" in response.text
    assert "no longer with you" in response.text
    assert_nothing_personal(response.text)
    assert "家属已安排" not in response.text

"""Feedback and complaints: the public form with its tracking number and status lookup,
routing to an agency, protection from bots and floods, and the agency's inbox."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from cms import services
from cms.forms import form_started_token
from cms.models import Feedback
from core.errors import ApplicationError, InvalidTransition
from core.models import AuditEvent
from places.models import Area
from tests.factories.accounts import AgencyFactory, UserFactory, user_with_role
from tests.factories.places import shanghai_district

pytestmark = pytest.mark.django_db

FEEDBACK = reverse("cms:feedback")
STATUS = reverse("cms:feedback_status")
INBOX = reverse("cms:feedback_inbox")
MESSAGE = "楼下的助餐点已经两周没有开门了，老人没地方吃饭。"
NUMBER_PATTERN = re.compile(r"^FK-\d{8}-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{5}$")


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def pudong():
    return shanghai_district("310115", "浦东新区", "Pudong New Area")


@pytest.fixture
def xuhui():
    return shanghai_district("310104", "徐汇区", "Xuhui")


@pytest.fixture
def city_bureau(pudong):
    return AgencyFactory(
        name_zh="上海市民政局", area=Area.objects.get(code="310000000000"), parent=None
    )


@pytest.fixture
def pudong_bureau(pudong, city_bureau):
    return AgencyFactory(name_zh="上海市浦东新区民政局", area=pudong, parent=city_bureau)


def started_seconds_ago(seconds: float) -> str:
    with time_machine.travel(timezone.now() - timedelta(seconds=seconds)):
        return form_started_token()


def form_data(**overrides) -> dict:
    return {
        "category": Feedback.Category.COMPLAINT_SERVICE,
        "area": "",
        "message": MESSAGE,
        "contact_name": "",
        "contact": "",
        "website": "",
        "started": started_seconds_ago(30),
        **overrides,
    }


def send(client, ip="203.0.113.7", **overrides):
    return client.post(
        FEEDBACK, form_data(**overrides), REMOTE_ADDR=ip, headers={"accept-language": "en"}
    )


def submitted(**overrides) -> Feedback:
    values = {
        "category": Feedback.Category.QUESTION,
        "message": MESSAGE,
        "contact_name": "王阿姨",
        "contact": "13800001111",
    }
    return services.submit_feedback(**{**values, **overrides})


# --- sending feedback and the tracking number --------------------------------------------


def test_sending_feedback_shows_a_tracking_number_and_a_status_link(client, pudong_bureau):
    response = send(client, area=str(pudong_bureau.area.pk))

    assert response.status_code == 302
    thanks = client.get(response["Location"], headers={"accept-language": "en"})
    feedback = Feedback.objects.get()
    content = thanks.content.decode()
    assert feedback.tracking_number in content
    # The status button posts the number: nothing secret in an address.
    assert f'action="{STATUS}"' in content
    assert f'name="number" value="{feedback.tracking_number}"' in content
    assert "?number=" not in content
    assert feedback.message == MESSAGE
    assert feedback.agency == pudong_bureau
    assert "no-cache" in thanks["Cache-Control"] or "private" in thanks["Cache-Control"]


def test_tracking_number_has_the_date_and_five_unambiguous_characters(city_bureau):
    day = datetime(2026, 11, 23, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(day, tick=False):
        numbers = {submitted().tracking_number for _ in range(20)}
    assert len(numbers) == 20
    for number in numbers:
        assert NUMBER_PATTERN.match(number)
        assert number.startswith("FK-20261123-")


def test_a_colliding_tracking_number_is_drawn_again(city_bureau, monkeypatch):
    taken = submitted().tracking_number
    draws = iter([taken, taken, "FK-20261123-ABCDE"])
    monkeypatch.setattr(services, "new_tracking_number", lambda today=None: next(draws))

    assert submitted().tracking_number == "FK-20261123-ABCDE"


def test_giving_up_after_repeated_collisions_is_a_clear_error(city_bureau, monkeypatch):
    taken = submitted().tracking_number
    monkeypatch.setattr(services, "new_tracking_number", lambda today=None: taken)

    with pytest.raises(ApplicationError):
        submitted()
    assert Feedback.objects.count() == 1


def test_the_form_checks_message_length_and_contact(client, city_bureau):
    response = send(client, message="太短", contact="hello")
    form = response.context["form"]
    assert "message" in form.errors
    assert "contact" in form.errors
    assert not Feedback.objects.exists()


@pytest.mark.parametrize(
    "contact", ["13912345678", "139 1234 5678", "+8613912345678", "021-64321234", "a@b.cn"]
)
def test_phone_numbers_and_e_mail_are_accepted_as_contact(client, city_bureau, contact):
    assert send(client, contact=contact, consent="on").status_code == 302
    assert Feedback.objects.get().contact == contact


def test_contact_details_need_consent_to_be_contacted(client, city_bureau):
    response = send(client, contact="13912345678")
    assert "consent" in response.context["form"].errors
    assert not Feedback.objects.exists()


# --- routing -----------------------------------------------------------------------


def test_feedback_about_a_district_goes_to_its_bureau(pudong, pudong_bureau):
    assert services.responsible_agency(pudong) == pudong_bureau


def test_feedback_without_a_district_bureau_goes_to_the_city_lead_agency(
    xuhui, pudong_bureau, city_bureau
):
    assert services.responsible_agency(xuhui) == city_bureau
    assert services.responsible_agency(None) == city_bureau


def test_the_lead_agency_is_a_city_agency_without_a_parent(pudong, city_bureau):
    shanghai = Area.objects.get(code="310000000000")
    # An earlier city-level body under another agency is not the lead.
    AgencyFactory(area=shanghai, parent=city_bureau)
    AgencyFactory(area=shanghai, parent=None, is_active=False)
    assert services.responsible_agency(None) == city_bureau


def test_a_setting_can_name_the_lead_agency(pudong, city_bureau, settings):
    from demo.accounts import credit_code

    chosen = AgencyFactory(
        credit_code=credit_code(authority="1", category="1", area_code="310000", seed="lead")
    )
    settings.FEEDBACK_LEAD_AGENCY = chosen.credit_code
    assert services.responsible_agency(None) == chosen


def test_without_any_agency_the_person_is_told_where_else_to_go(client, pudong):
    response = send(client)
    assert response.status_code == 200
    assert "12345" in response.content.decode()
    assert not Feedback.objects.exists()


# --- status lookup ------------------------------------------------------------------


def test_status_shows_progress_and_answer_but_never_the_message_or_contact(client, city_bureau):
    feedback = submitted()
    worker = user_with_role(Role.CASEWORKER, organization=city_bureau)
    services.change_feedback_status(
        feedback=feedback, user=worker, status="in_progress", note="已转街道办事处上门核实。"
    )
    services.change_feedback_status(
        feedback=feedback, user=worker, status="answered", public_reply="助餐点已于本周恢复营业。"
    )

    response = client.post(
        STATUS, {"number": feedback.tracking_number}, headers={"accept-language": "en"}
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "Question" in content and "Answered" in content and "Being handled" in content
    assert "助餐点已于本周恢复营业。" in content
    assert "已转街道办事处上门核实。" in content
    assert MESSAGE not in content
    assert "王阿姨" not in content
    assert "13800001111" not in content
    assert worker.display_name not in content
    assert "public" not in response["Cache-Control"]


def test_status_accepts_the_number_in_lower_case_with_spaces(client, city_bureau):
    feedback = submitted()
    typed = f"  {feedback.tracking_number.lower()} "
    response = client.post(STATUS, {"number": typed}, headers={"accept-language": "en"})
    assert response.context["found"].tracking_number == feedback.tracking_number


@pytest.mark.parametrize("number", ["FK-20261123-ZZZZZ", "not a number", "FK-' OR 1=1 --"])
def test_an_unknown_number_says_it_was_not_found(client, city_bureau, number):
    submitted()
    response = client.post(STATUS, {"number": number}, headers={"accept-language": "en"})
    assert response.status_code == 200
    assert response.context["found"] is None
    assert "We could not find feedback with this number" in response.content.decode()


def test_the_status_page_without_a_number_shows_the_form(client):
    response = client.get(STATUS, headers={"accept-language": "en"})
    assert response.status_code == 200
    assert "We could not find" not in response.content.decode()
    assert '<form method="post"' in response.content.decode()


def test_a_number_in_the_address_is_not_looked_up(client, city_bureau):
    feedback = submitted()

    response = client.get(
        STATUS, {"number": feedback.tracking_number}, headers={"accept-language": "en"}
    )

    assert response.status_code == 200
    assert response.context["found"] is None
    assert 'id="feedback-status-title"' not in response.content.decode()


def test_looking_up_numbers_is_rate_limited_per_connection(client, city_bureau):
    feedback = submitted()
    for attempt in range(services.LOOKUPS_PER_HOUR):
        guess = client.post(STATUS, {"number": f"FK-20261123-{attempt:05d}"})
        assert guess.status_code == 200

    refused = client.post(
        STATUS, {"number": feedback.tracking_number}, headers={"accept-language": "en"}
    )

    assert refused.status_code == 429
    assert refused.context["found"] is None
    assert "checked a lot of tracking numbers" in refused.content.decode()
    assert "助餐" not in refused.content.decode()
    # Another connection is not held back.
    other = client.post(STATUS, {"number": feedback.tracking_number}, REMOTE_ADDR="198.51.100.7")
    assert other.status_code == 200
    assert other.context["found"].tracking_number == feedback.tracking_number


# --- bots and floods ----------------------------------------------------------------


def test_the_honeypot_is_hidden_from_people(client):
    content = client.get(FEEDBACK, headers={"accept-language": "en"}).content.decode()
    honeypot = re.search(
        r'<div class="visually-hidden" aria-hidden="true">(.*?)</div>', content, re.S
    )
    assert honeypot is not None
    assert 'name="website"' in honeypot.group(1)
    assert 'tabindex="-1"' in honeypot.group(1)
    assert 'autocomplete="off"' in honeypot.group(1)


def test_a_filled_honeypot_is_refused(client, city_bureau):
    response = send(client, website="http://spam.example")
    assert response.status_code == 200
    assert not Feedback.objects.exists()
    assert "Leave this field empty" in response.content.decode()


def test_a_form_sent_within_three_seconds_is_refused_with_a_message(client, city_bureau):
    response = send(client, started=started_seconds_ago(1))
    assert not Feedback.objects.exists()
    content = response.content.decode()
    assert "That was very quick" in content
    assert MESSAGE in content  # the text is kept for the person to send again


def test_a_form_older_than_two_hours_is_refused_with_a_message(client, city_bureau):
    response = send(client, started=started_seconds_ago(2 * 60 * 60 + 5))
    assert not Feedback.objects.exists()
    assert "for your security it has expired" in response.content.decode()


def test_a_forged_timestamp_is_refused(client, city_bureau):
    response = send(client, started="1700000000:forged")
    assert not Feedback.objects.exists()
    assert response.context["form"].non_field_errors()


def test_a_refused_form_can_be_sent_again_after_a_few_seconds(client, city_bureau):
    refused = send(client, started=started_seconds_ago(1))
    renewed = refused.context["form"].data["started"]
    with time_machine.travel(timezone.now() + timedelta(seconds=5)):
        assert send(client, started=renewed).status_code == 302


def test_at_most_five_submissions_an_hour_from_one_address(client, city_bureau):
    for _ in range(5):
        assert send(client, ip="198.51.100.1").status_code == 302

    refused = send(client, ip="198.51.100.1")

    assert refused.status_code == 429
    assert "Please wait an hour" in refused.content.decode()
    assert Feedback.objects.count() == 5
    assert send(client, ip="198.51.100.2").status_code == 302
    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        assert send(client, ip="198.51.100.1").status_code == 302


# --- audit --------------------------------------------------------------------------


def test_submitting_and_changing_status_are_audited_without_the_message(city_bureau):
    feedback = submitted()
    worker = user_with_role(Role.SUPERVISOR, organization=city_bureau)
    services.change_feedback_status(feedback=feedback, user=worker, status="in_progress")

    events = AuditEvent.objects.filter(object_id=str(feedback.uuid)).order_by("pk")
    assert [event.action for event in events] == ["feedback.submitted", "feedback.status_changed"]
    assert events[1].details["from"] == "received" and events[1].details["to"] == "in_progress"
    for event in events:
        text = str(event.details) + event.object_label
        assert MESSAGE not in text and "13800001111" not in text and "王阿姨" not in text


# --- the agency's inbox -------------------------------------------------------------


def test_inbox_lists_only_the_agencys_own_feedback(client, pudong, pudong_bureau, city_bureau):
    own = submitted(area=pudong)
    other = submitted()
    client.force_login(user_with_role(Role.CASEWORKER, organization=pudong_bureau))

    response = client.get(INBOX, headers={"accept-language": "en"})

    content = response.content.decode()
    assert own.tracking_number in content
    assert other.tracking_number not in content
    assert MESSAGE not in content  # the list shows no personal data


def test_inbox_filters_by_status(client, city_bureau):
    waiting = submitted()
    handled = submitted()
    worker = user_with_role(Role.COMMISSIONER, organization=city_bureau)
    services.change_feedback_status(feedback=handled, user=worker, status="in_progress")
    client.force_login(worker)

    in_progress = client.get(INBOX, {"status": "in_progress"}).context["items"]
    everything = client.get(INBOX).context["items"]

    assert [item.pk for item in in_progress] == [handled.pk]
    assert {item.pk for item in everything} == {waiting.pk, handled.pk}


@pytest.mark.parametrize("role", [Role.FINANCE, Role.PROVIDER_ADMIN])
def test_inbox_is_not_found_for_other_roles(client, city_bureau, role):
    client.force_login(user_with_role(role))
    assert client.get(INBOX).status_code == 404


def test_inbox_is_not_found_for_a_superuser_without_a_role_at_an_agency(client, city_bureau):
    submitted()
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    assert client.get(INBOX).status_code == 404


def test_inbox_needs_sign_in(client):
    assert client.get(INBOX).status_code == 302


def test_inbox_runs_a_fixed_number_of_queries(client, pudong, city_bureau):
    worker = user_with_role(Role.CASEWORKER, organization=city_bureau)
    client.force_login(worker)
    for _ in range(2):
        submitted(area=pudong)
    client.get(INBOX)
    with CaptureQueriesContext(connection) as few:
        assert client.get(INBOX).status_code == 200
    for _ in range(18):
        submitted(area=pudong)
    with CaptureQueriesContext(connection) as many:
        response = client.get(INBOX)
    assert len(response.context["items"]) == 20
    assert len(many) == len(few)


def test_handling_another_agencys_feedback_is_not_found(client, pudong, pudong_bureau):
    theirs = submitted()  # no district: the city bureau's
    client.force_login(user_with_role(Role.SUPERVISOR, organization=pudong_bureau))

    assert client.get(reverse("cms:feedback_handle", args=[theirs.uuid])).status_code == 404
    response = client.post(
        reverse("cms:feedback_handle", args=[theirs.uuid]), {"status": "in_progress"}
    )
    assert response.status_code == 404
    assert Feedback.objects.get(pk=theirs.pk).status == "received"


def test_opening_feedback_shows_the_message_and_records_the_read(client, city_bureau):
    feedback = submitted()
    worker = user_with_role(Role.CASEWORKER, organization=city_bureau)
    client.force_login(worker)

    response = client.get(
        reverse("cms:feedback_handle", args=[feedback.uuid]), headers={"accept-language": "en"}
    )

    content = response.content.decode()
    assert MESSAGE in content and "13800001111" in content and "王阿姨" in content
    read = AuditEvent.objects.get(kind=AuditEvent.Kind.READ, object_id=str(feedback.uuid))
    assert read.actor == worker
    assert read.purpose == "handle feedback"
    assert read.organization == city_bureau
    assert read.details == {"fields": ["contact", "contact_name", "message"]}


def test_answering_through_the_page_shows_the_answer_publicly(client, city_bureau):
    feedback = submitted()
    client.force_login(user_with_role(Role.CASEWORKER, organization=city_bureau))
    url = reverse("cms:feedback_handle", args=[feedback.uuid])

    response = client.post(url, {"status": "answered", "public_reply": "已处理。", "note": ""})

    assert response.status_code == 302
    feedback.refresh_from_db()
    assert feedback.status == "answered"
    assert feedback.public_reply == "已处理。"


def test_an_illegal_move_through_the_page_is_explained(client, city_bureau):
    feedback = submitted()
    client.force_login(user_with_role(Role.CASEWORKER, organization=city_bureau))
    url = reverse("cms:feedback_handle", args=[feedback.uuid])

    response = client.post(url, {"status": "closed"}, headers={"accept-language": "en"})

    assert response.status_code == 200
    assert "status" in response.context["form"].errors
    assert Feedback.objects.get(pk=feedback.pk).status == "received"


def test_answering_needs_a_reply(client, city_bureau):
    feedback = submitted()
    client.force_login(user_with_role(Role.CASEWORKER, organization=city_bureau))
    url = reverse("cms:feedback_handle", args=[feedback.uuid])

    response = client.post(url, {"status": "answered", "public_reply": ""})

    assert "public_reply" in response.context["form"].errors
    assert Feedback.objects.get(pk=feedback.pk).status == "received"


# --- the transition table -----------------------------------------------------------

ALLOWED = {
    ("received", "in_progress"),
    ("received", "answered"),
    ("in_progress", "answered"),
    ("answered", "closed"),
    ("answered", "in_progress"),
}
PATHS = {
    "received": [],
    "in_progress": ["in_progress"],
    "answered": ["answered"],
    "closed": ["answered", "closed"],
}


@pytest.mark.parametrize("source", Feedback.Status.values)
@pytest.mark.parametrize("target", Feedback.Status.values)
def test_the_transition_table(city_bureau, source, target):
    worker = user_with_role(Role.CASEWORKER, organization=city_bureau)
    feedback = submitted()
    for step in PATHS[source]:
        feedback = services.change_feedback_status(
            feedback=feedback, user=worker, status=step, public_reply="好的"
        )

    if (source, target) in ALLOWED:
        moved = services.change_feedback_status(
            feedback=feedback, user=worker, status=target, public_reply="好的"
        )
        assert moved.status == target
        assert moved.events.last().status == target
    else:
        with pytest.raises(InvalidTransition):
            services.change_feedback_status(
                feedback=feedback, user=worker, status=target, public_reply="好的"
            )

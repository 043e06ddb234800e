"""E-mails about referrals (SPEC §4): the right people hear of each move, in Chinese and
English, and no mail ever carries the person's name, phone, ID number, address or story."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Role
from providers.notifications import LANGUAGE_SEPARATOR
from referrals import notifications, services
from referrals.models import Consent, Priority, ShareableField
from tests.factories.accounts import AgencyFactory, user_with_role
from tests.factories.places import shanghai_district
from tests.factories.providers import ServiceFactory, provider_admin_of, provider_staff_of
from tests.factories.referrals import BeneficiaryFactory, NeedFactory, id_number

pytestmark = pytest.mark.django_db

NAME = "赵淑芬"
PHONE = "13501239876"
ID_NUMBER = id_number(birth_date=datetime.date(1944, 8, 15), sequence=33, male=False)
ADDRESS = "上海市浦东新区陆家嘴街道东昌路66号"
REASON = "丈夫去世后独居，情绪低落。"
NOTE = "本人说周三下午在家。"
PERSONAL = (NAME, PHONE, ID_NUMBER, ID_NUMBER[:17], ADDRESS, REASON, NOTE, "东昌路")

PROVIDER_OFFICE = "office@provider.example.cn"
PROVIDER_ADMIN = "admin@provider.example.cn"
PROVIDER_STAFF = "staff@provider.example.cn"
CASEWORKER = "caseworker@agency.example.cn"
PROVIDER_SIDE = [PROVIDER_OFFICE, PROVIDER_ADMIN, PROVIDER_STAFF]


@pytest.fixture
def agency():
    return AgencyFactory()


@pytest.fixture
def caseworker(agency):
    return user_with_role(Role.CASEWORKER, agency, email=CASEWORKER)


@pytest.fixture
def service():
    service = ServiceFactory(free_slots=2)
    service.provider.organization.email = PROVIDER_OFFICE
    service.provider.organization.save()
    return service


@pytest.fixture
def staff(service):
    provider_admin_of(service.provider, email=PROVIDER_ADMIN)
    return provider_staff_of(service.provider, email=PROVIDER_STAFF)


@pytest.fixture
def draft(agency, caseworker, service, staff):
    beneficiary = BeneficiaryFactory(
        agency=agency,
        name=NAME,
        phone=PHONE,
        id_number=ID_NUMBER,
        address=ADDRESS,
        area=shanghai_district(),
    )
    need = NeedFactory(assessment__beneficiary=beneficiary, assessment__priority=Priority.URGENT)
    referral = services.create_referral(need=need, service=service, user=caseworker, reason=REASON)
    services.record_consent(
        referral=referral,
        user=caseworker,
        fields=list(ShareableField.values),
        purpose="安排上门探访",
        method=Consent.Method.SIGNED_FORM,
    )
    return referral


@pytest.fixture
def mails(django_capture_on_commit_callbacks, mailoutbox):
    """Run a step with its after-commit mails sent; returns {recipient: mail} for that step."""

    def mails(step):
        mailoutbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            step()
        received = {}
        for mail in mailoutbox:
            for address in mail.to:
                assert address not in received, f"{address} got two mails for one event"
                received[address] = mail
        return received

    return mails


def inbox_link(referral) -> str:
    return "http://testserver" + reverse("referrals:inbox_referral", args=[referral.uuid])


def casework_link(referral) -> str:
    return "http://testserver" + reverse("referrals:referral", args=[referral.uuid])


def sent(draft, caseworker):
    return services.send_referral(referral=draft, user=caseworker)


# --- who hears of what ------------------------------------------------------------------


def test_a_new_referral_is_announced_to_the_whole_provider_side_only(draft, caseworker, mails):
    received = mails(lambda: sent(draft, caseworker))

    assert sorted(received) == sorted(PROVIDER_SIDE)
    mail = received[PROVIDER_STAFF]
    assert mail.subject.endswith("New referral waiting for your answer")
    assert inbox_link(draft) in mail.body
    assert casework_link(draft) not in mail.body


def test_the_caseworker_hears_of_each_answer(draft, caseworker, staff, mails):
    sent(draft, caseworker)

    for step, status in [
        (lambda: services.accept_referral(referral=draft, user=staff), "Accepted"),
        (lambda: services.start_service(referral=draft, user=staff), None),
        (
            lambda: services.complete_referral(referral=draft, user=staff, outcome="achieved"),
            "Completed",
        ),
    ]:
        received = mails(step)
        if status is None:
            assert received == {}  # starting the service is the provider's own business
            continue
        assert list(received) == [CASEWORKER]
        assert received[CASEWORKER].subject.endswith(f"Referral update: {status}")
        assert casework_link(draft) in received[CASEWORKER].body
        assert inbox_link(draft) not in received[CASEWORKER].body


@pytest.mark.parametrize(
    ("answer", "subject"),
    [
        ("decline", "Referral update: Declined by the provider"),
        ("waitlist", "Referral update: On the waiting list"),
    ],
)
def test_a_decline_or_a_waiting_list_goes_to_the_caseworker(
    draft, caseworker, staff, mails, answer, subject
):
    sent(draft, caseworker)

    if answer == "decline":
        received = mails(
            lambda: services.decline_referral(
                referral=draft, user=staff, reason_code="out_of_area", note=NOTE
            )
        )
    else:
        received = mails(lambda: services.waitlist_referral(referral=draft, user=staff, note=NOTE))

    assert list(received) == [CASEWORKER]
    assert received[CASEWORKER].subject.endswith(subject)


def test_a_declined_referral_mail_says_why_in_words(draft, caseworker, staff, mails):
    sent(draft, caseworker)

    received = mails(
        lambda: services.decline_referral(referral=draft, user=staff, reason_code="out_of_area")
    )

    english = received[CASEWORKER].body.split(LANGUAGE_SEPARATOR)[1]
    assert "Returned because: Outside the area we serve" in english


def test_a_failure_goes_to_the_caseworker(draft, caseworker, staff, mails):
    sent(draft, caseworker)
    services.accept_referral(referral=draft, user=staff)

    received = mails(
        lambda: services.fail_referral(referral=draft, user=staff, reason_code="withdrew")
    )

    assert list(received) == [CASEWORKER]
    assert received[CASEWORKER].subject.endswith("Referral update: Did not go ahead")


def test_a_recall_is_told_to_the_provider_and_a_draft_recall_to_nobody(
    draft, caseworker, agency, service, mails
):
    sent(draft, caseworker)

    received = mails(lambda: services.recall_referral(referral=draft, user=caseworker))

    assert sorted(received) == sorted(PROVIDER_SIDE)
    assert received[PROVIDER_STAFF].subject.endswith("A referral was recalled")
    never_sent = services.create_referral(
        need=NeedFactory(assessment__beneficiary__agency=agency), service=service, user=caseworker
    )
    assert mails(lambda: services.recall_referral(referral=never_sent, user=caseworker)) == {}


def test_a_reopened_referral_is_told_to_the_provider(draft, caseworker, staff, mails):
    sent(draft, caseworker)
    services.accept_referral(referral=draft, user=staff)
    services.start_service(referral=draft, user=staff)
    services.complete_referral(referral=draft, user=staff, outcome="partly")
    assert mails(lambda: services.close_referral(referral=draft, user=caseworker)) == {}

    received = mails(
        lambda: services.reopen_referral(referral=draft, user=caseworker, note="需求再次出现")
    )

    assert sorted(received) == sorted(PROVIDER_SIDE)
    assert received[PROVIDER_STAFF].subject.endswith("A referral was reopened")


def test_the_clock_reminds_the_provider_then_both_sides_then_returns_the_referral(
    draft, caseworker, mails
):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sent(draft, caseworker)  # urgent: due in 4 hours, back to the caseworker after 6

    def beat(hours):
        moment = start + datetime.timedelta(hours=hours)
        return mails(lambda: services.process_referral_deadlines(now=moment))

    half, full, expired = beat(2), beat(4), beat(6)

    assert sorted(half) == sorted(PROVIDER_SIDE)
    assert half[PROVIDER_STAFF].subject.endswith("Reminder: a referral is waiting for your answer")
    assert "Please answer by" in half[PROVIDER_STAFF].body
    assert sorted(full) == sorted([*PROVIDER_SIDE, CASEWORKER])
    assert full[CASEWORKER].subject.endswith("Overdue: a referral has not been answered")
    assert "the referral goes back to the caseworker" in full[PROVIDER_STAFF].body
    assert "the referral comes back to you" in full[CASEWORKER].body
    assert sorted(expired) == sorted([*PROVIDER_SIDE, CASEWORKER])
    assert expired[CASEWORKER].subject.endswith("A referral expired without an answer")
    assert "Returned because: The provider did not answer in time" in expired[CASEWORKER].body
    assert "Please answer by" not in expired[PROVIDER_STAFF].body


def test_staff_who_left_or_have_no_address_get_no_mail(draft, caseworker, service, mails):
    departed = provider_staff_of(service.provider, email="left@provider.example.cn")
    Membership.objects.filter(user=departed).update(is_active=False)
    provider_staff_of(service.provider, email="")

    received = mails(lambda: sent(draft, caseworker))

    assert sorted(received) == sorted(PROVIDER_SIDE)


def test_news_that_is_no_longer_true_is_not_sent(draft, caseworker, staff, mailoutbox):
    sent(draft, caseworker)
    services.accept_referral(referral=draft, user=staff)

    for stale in ("sent", "reminder_half", "reminder_full"):
        assert notifications.send_referral_notification(referral_id=draft.pk, event=stale) == 0
    assert mailoutbox == []


def test_a_referral_gone_before_the_mail_sends_nothing():
    assert notifications.send_referral_notification(referral_id=0, event="sent") == 0


# --- what a mail says and does not say --------------------------------------------------


def test_a_mail_is_in_chinese_first_then_english(draft, caseworker, mails):
    received = mails(lambda: sent(draft, caseworker))

    chinese, english = received[PROVIDER_STAFF].body.split(LANGUAGE_SEPARATOR)
    assert "养老服务" in chinese and "浦东新区" in chinese
    assert "Elderly care" in english and "Pudong New Area" in english
    assert "Elderly care" not in chinese and "养老服务" not in english
    assert "urgency: Urgent" in english


def test_no_mail_in_the_whole_loop_carries_personal_data(draft, caseworker, staff, mails):
    everything = []
    steps = [
        lambda: sent(draft, caseworker),
        lambda: services.mark_viewed(referral=draft, user=staff),
        lambda: services.waitlist_referral(referral=draft, user=staff, note=NOTE),
        lambda: services.accept_referral(referral=draft, user=staff, note=NOTE),
        lambda: services.start_service(referral=draft, user=staff, note=NOTE),
        lambda: services.complete_referral(
            referral=draft, user=staff, outcome="achieved", note=NOTE
        ),
        lambda: services.close_referral(referral=draft, user=caseworker, note=NOTE),
        lambda: services.reopen_referral(referral=draft, user=caseworker, note=NOTE),
        lambda: services.fail_referral(
            referral=draft, user=staff, reason_code="withdrew", note=NOTE
        ),
    ]
    for step in steps:
        everything += mails(step).values()

    # sent (3 on the provider side), waitlisted, accepted, completed, reopened (3), failed.
    assert len(everything) == 10
    for mail in everything:
        text = mail.subject + mail.body + " ".join(mail.to)
        for secret in PERSONAL:
            assert secret not in text
        assert "personal details" in mail.body

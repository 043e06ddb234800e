"""The SLA clock (SPEC §5): how long a provider has to answer, the reminders at half and full
time, and the return to the caseworker when nobody answered — run by beat, with frozen time."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.conf import settings

from accounts.models import Role
from core import services as core_services
from core.models import AuditEvent, CalendarDay
from referrals import selectors, services, tasks
from referrals.models import Consent, Priority, Referral, ReferralEvent, ShareableField
from tests.factories.accounts import AgencyFactory, user_with_role
from tests.factories.providers import ServiceFactory, provider_staff_of
from tests.factories.referrals import NeedFactory
from tests.factories.taxonomy import need_category

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int = 0, minute: int = 0) -> datetime.datetime:
    """A moment in January 2026, Shanghai time: the 9th is a Friday, the 12th a Monday."""
    return datetime.datetime(2026, 1, day, hour, minute, tzinfo=SHANGHAI)


FRIDAY, SATURDAY, SUNDAY, MONDAY, TUESDAY, WEDNESDAY = 9, 10, 11, 12, 13, 14


@pytest.fixture
def agency():
    return AgencyFactory()


@pytest.fixture
def caseworker(agency):
    return user_with_role(Role.CASEWORKER, agency, email="caseworker@agency.example.cn")


@pytest.fixture
def service():
    service = ServiceFactory(free_slots=3)
    service.provider.organization.email = "office@provider.example.cn"
    service.provider.organization.save()
    return service


@pytest.fixture
def staff(service):
    return provider_staff_of(service.provider, email="staff@provider.example.cn")


@pytest.fixture
def send_at(agency, caseworker, service):
    """Send a referral at a given moment; urgency from the assessment, category by code."""

    def send_at(moment, *, category="social-services.elderly-care", priority=Priority.ROUTINE):
        with time_machine.travel(moment, tick=False):
            need = NeedFactory(
                assessment__beneficiary__agency=agency,
                assessment__priority=priority,
                category=need_category(category),
            )
            service.categories.add(need.category)  # the service offers the help needed
            referral = services.create_referral(need=need, service=service, user=caseworker)
            services.record_consent(
                referral=referral,
                user=caseworker,
                fields=[ShareableField.NAME],
                purpose="安排服务",
                method=Consent.Method.SIGNED_FORM,
            )
            services.send_referral(referral=referral, user=caseworker)
        return Referral.objects.get(pk=referral.pk)

    return send_at


@pytest.fixture
def run_beat(django_capture_on_commit_callbacks, mailoutbox):
    """Run the beat task at a moment; returns its counts and the subjects of the mails sent."""

    def run_beat(moment):
        mailoutbox.clear()
        with (
            time_machine.travel(moment, tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            counts = tasks.process_referral_deadlines()
        return counts, sorted((mail.to[0], mail.subject.split(" / ")[-1]) for mail in mailoutbox)

    return run_beat


NOTHING = {"half": 0, "full": 0, "expired": 0}
HALF_TIME = "Reminder: a referral is waiting for your answer"
OVERDUE = "Overdue: a referral has not been answered"
EXPIRED = "A referral expired without an answer"


# --- how long the provider has ------------------------------------------------------------


def test_an_urgent_referral_is_due_in_four_hours_weekend_or_not(send_at):
    referral = send_at(at(SATURDAY, 10), priority=Priority.URGENT)

    assert referral.urgency == Referral.Urgency.URGENT
    assert referral.sent_at == at(SATURDAY, 10)
    assert referral.due_at == at(SATURDAY, 14)
    assert referral.expires_at == at(SATURDAY, 16)


@pytest.mark.parametrize("category", ["emergency.temporary", "emergency.homeless"])
def test_temporary_assistance_is_due_in_24_hours(send_at, category):
    referral = send_at(at(FRIDAY, 16), category=category)

    assert referral.due_at == at(SATURDAY, 16)
    assert referral.expires_at == at(SUNDAY, 4)


def test_a_routine_referral_is_due_in_two_working_days(send_at):
    referral = send_at(at(FRIDAY, 16))

    assert referral.due_at == at(TUESDAY, 16)
    # Half an SLA (one working day) after it fell due.
    assert referral.expires_at == at(WEDNESDAY, 16)


@pytest.mark.parametrize(
    "sent", [at(SATURDAY, 10), at(SUNDAY, 23, 30)], ids=["saturday", "sunday night"]
)
def test_a_routine_referral_sent_at_the_weekend_starts_its_clock_on_monday(send_at, sent):
    referral = send_at(sent)

    assert referral.due_at == at(WEDNESDAY, 0)


def national_day_week() -> None:
    """2026's National Day holiday as an administrator enters it from the State Council notice:
    1–7 October off, Saturday 10 October a make-up working day."""
    admin = user_with_role(Role.PLATFORM_ADMIN)
    for day in range(1, 8):
        core_services.save_calendar_day(
            day=CalendarDay(
                date=datetime.date(2026, 10, day),
                kind=CalendarDay.Kind.HOLIDAY,
                name_zh="国庆节",
                name_en="National Day",
            ),
            actor=admin,
        )
    core_services.save_calendar_day(
        day=CalendarDay(
            date=datetime.date(2026, 10, 10),
            kind=CalendarDay.Kind.WORKDAY,
            name_zh="国庆节调休上班",
            name_en="National Day make-up working day",
        ),
        actor=admin,
    )


def in_october(day: int, hour: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, 10, day, hour, tzinfo=SHANGHAI)


def test_public_holidays_stop_the_routine_clock(send_at):
    national_day_week()

    referral = send_at(datetime.datetime(2026, 9, 30, 10, tzinfo=SHANGHAI))

    # 14 hours on Wednesday 30 September, nothing from 1 to 7 October, then
    # Thursday the 8th and Friday the 9th until 10:00.
    assert referral.due_at == in_october(9, 10)


def test_a_make_up_working_day_runs_the_routine_clock(send_at):
    national_day_week()

    referral = send_at(in_october(9, 10))

    # Friday 10:00 to midnight, all of Saturday (a make-up day), Sunday off, Monday to 10:00.
    assert referral.due_at == in_october(12, 10)


def test_without_the_calendar_those_days_follow_the_weekday_pattern(send_at):
    referral = send_at(in_october(9, 10))

    assert referral.due_at == in_october(13, 10)


def test_a_calendar_change_counts_at_once_and_is_audited(send_at):
    before = send_at(in_october(9, 10))
    national_day_week()
    after = send_at(in_october(9, 10))

    assert (before.due_at, after.due_at) == (in_october(13, 10), in_october(12, 10))
    assert AuditEvent.objects.filter(action="calendar.day_saved").count() == 8


def test_working_days_are_shanghai_days_not_utc_days(send_at):
    # 02:00 on Saturday in Shanghai is 18:00 on Friday in UTC; 07:00 on Monday is Sunday in UTC.
    saturday_night = send_at(at(SATURDAY, 2))
    monday_morning = send_at(at(MONDAY, 7))

    assert saturday_night.due_at == at(WEDNESDAY, 0)
    assert monday_morning.due_at == at(WEDNESDAY, 7)


def test_an_urgent_need_in_any_category_gets_the_urgent_clock(send_at):
    referral = send_at(at(MONDAY, 9), category="emergency.temporary", priority=Priority.URGENT)

    assert referral.due_at == at(MONDAY, 13)


# --- reminders --------------------------------------------------------------------------


def test_the_half_time_reminder_goes_to_the_provider_once(send_at, run_beat):
    send_at(at(MONDAY, 10), priority=Priority.URGENT)  # due at 14:00

    assert run_beat(at(MONDAY, 11, 59)) == (NOTHING, [])
    counts, mails = run_beat(at(MONDAY, 12))
    assert counts == {**NOTHING, "half": 1}
    assert mails == [("office@provider.example.cn", HALF_TIME)]
    assert run_beat(at(MONDAY, 12, 30)) == (NOTHING, [])


def test_the_half_time_reminder_goes_to_every_provider_staff_member_in_one_mail(
    send_at, run_beat, staff, mailoutbox
):
    send_at(at(MONDAY, 10), priority=Priority.URGENT)

    run_beat(at(MONDAY, 12))

    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["office@provider.example.cn", "staff@provider.example.cn"]


def test_a_routine_half_time_reminder_falls_in_working_time(send_at, run_beat):
    send_at(at(FRIDAY, 16))  # due Tuesday 16:00: half time is Monday 16:00, not Sunday

    assert run_beat(at(SUNDAY, 16))[0] == NOTHING
    assert run_beat(at(MONDAY, 15, 59))[0] == NOTHING
    assert run_beat(at(MONDAY, 16))[0] == {**NOTHING, "half": 1}


def test_the_full_time_reminder_goes_to_provider_and_caseworker_once(send_at, run_beat):
    referral = send_at(at(MONDAY, 10), priority=Priority.URGENT)
    run_beat(at(MONDAY, 12))

    counts, mails = run_beat(at(MONDAY, 14))

    assert counts == {**NOTHING, "full": 1}
    assert mails == [
        ("caseworker@agency.example.cn", OVERDUE),
        ("office@provider.example.cn", OVERDUE),
    ]
    assert run_beat(at(MONDAY, 15)) == (NOTHING, [])
    assert Referral.objects.get(pk=referral.pk).status == Referral.Status.SENT


def test_a_viewed_referral_is_still_waiting_and_still_chased(send_at, run_beat, staff):
    referral = send_at(at(MONDAY, 10), priority=Priority.URGENT)
    services.mark_viewed(referral=referral, user=staff)

    assert run_beat(at(MONDAY, 12))[0] == {**NOTHING, "half": 1}


def test_an_answered_referral_is_not_chased(send_at, run_beat, staff):
    referral = send_at(at(MONDAY, 10), priority=Priority.URGENT)
    with time_machine.travel(at(MONDAY, 11), tick=False):
        services.accept_referral(referral=referral, user=staff)

    assert run_beat(at(MONDAY, 12)) == (NOTHING, [])
    assert run_beat(at(MONDAY, 20)) == (NOTHING, [])


# --- expiry -------------------------------------------------------------------------------


def test_an_unanswered_referral_returns_to_the_caseworker_half_an_sla_after_it_fell_due(
    send_at, run_beat, caseworker
):
    referral = send_at(at(MONDAY, 10), priority=Priority.URGENT)
    run_beat(at(MONDAY, 12))
    run_beat(at(MONDAY, 14))

    assert run_beat(at(MONDAY, 15, 59))[0] == NOTHING
    counts, mails = run_beat(at(MONDAY, 16))

    assert counts == {**NOTHING, "expired": 1}
    expired = Referral.objects.get(pk=referral.pk)
    assert expired.status == Referral.Status.EXPIRED
    assert expired.returned_reason == "The provider did not answer in time"
    event = expired.events.last()
    assert (event.to_status, event.reason_code, event.actor) == ("expired", "no_answer", None)
    assert list(selectors.returned_to(caseworker)) == [expired]
    assert mails == [
        ("caseworker@agency.example.cn", EXPIRED),
        ("office@provider.example.cn", EXPIRED),
    ]


def test_running_the_clock_twice_changes_nothing_the_second_time(send_at, run_beat):
    referral = send_at(at(MONDAY, 10), priority=Priority.URGENT)

    for moment in (at(MONDAY, 12), at(MONDAY, 14), at(MONDAY, 16)):
        first = run_beat(moment)
        events = list(ReferralEvent.objects.filter(referral=referral).values_list("pk", flat=True))
        stamps = Referral.objects.filter(pk=referral.pk).values(
            "status", "reminded_half_at", "reminded_full_at", "status_changed_at"
        )[0]

        assert first[0] != NOTHING
        assert run_beat(moment) == (NOTHING, [])
        assert list(referral.events.values_list("pk", flat=True)) == events
        assert (
            Referral.objects.filter(pk=referral.pk).values(
                "status", "reminded_half_at", "reminded_full_at", "status_changed_at"
            )[0]
            == stamps
        )


def test_after_downtime_past_the_expiry_the_referral_expires_without_stale_reminders(
    send_at, run_beat
):
    referral = send_at(at(MONDAY, 10), priority=Priority.URGENT)

    counts, mails = run_beat(at(TUESDAY, 9))

    assert counts == {**NOTHING, "expired": 1}
    assert {subject for _to, subject in mails} == {EXPIRED}
    assert Referral.objects.get(pk=referral.pk).status == Referral.Status.EXPIRED
    assert run_beat(at(TUESDAY, 10)) == (NOTHING, [])


def test_after_downtime_past_the_due_time_only_the_full_time_reminder_goes(send_at, run_beat):
    referral = send_at(at(MONDAY, 10), priority=Priority.URGENT)

    counts, mails = run_beat(at(MONDAY, 15))

    assert counts == {**NOTHING, "full": 1}
    assert {subject for _to, subject in mails} == {OVERDUE}
    assert run_beat(at(MONDAY, 15, 5)) == (NOTHING, [])
    assert run_beat(at(MONDAY, 16))[0] == {**NOTHING, "expired": 1}
    assert Referral.objects.get(pk=referral.pk).status == Referral.Status.EXPIRED


def test_a_waitlisted_referral_expires_after_30_days_and_leaves_the_waiting_list(
    send_at, run_beat, service, staff, caseworker
):
    referral = send_at(at(MONDAY, 10))
    with time_machine.travel(at(MONDAY, 11), tick=False):
        services.waitlist_referral(referral=referral, user=staff)
    service.refresh_from_db()
    assert service.waitlist_length == 1

    # Waiting on the list is no silence: no reminders, and the two working days do not apply.
    assert run_beat(at(MONDAY, 11) + datetime.timedelta(days=29, hours=23))[0] == NOTHING
    counts, mails = run_beat(at(MONDAY, 11) + datetime.timedelta(days=30))

    assert counts == {**NOTHING, "expired": 1}
    expired = Referral.objects.get(pk=referral.pk)
    assert expired.status == Referral.Status.EXPIRED
    assert expired.waitlist_position is None
    assert expired.returned_reason == "Still on the waiting list after 30 days"
    assert expired.events.last().reason_code == "waitlist_timeout"
    service.refresh_from_db()
    assert service.waitlist_length == 0
    assert {to for to, _subject in mails} == {
        "caseworker@agency.example.cn",
        "office@provider.example.cn",
    }


def test_beat_runs_the_clock_every_five_minutes():
    entries = settings.CELERY_BEAT_SCHEDULE.values()
    schedule = {entry["task"]: entry["schedule"] for entry in entries}

    assert schedule["referrals.tasks.process_referral_deadlines"] == 5 * 60

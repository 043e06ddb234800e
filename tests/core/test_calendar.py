"""The official calendar: public holidays are days off, make-up days are working days, and an
administrator's entry in the Django admin counts at once (the cached copy is dropped)."""

import datetime

import pytest
from django.urls import reverse

from core import calendar
from core.models import AuditEvent, CalendarDay
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db

NATIONAL_DAY = datetime.date(2026, 10, 1)  # a Thursday
MAKE_UP_SATURDAY = datetime.date(2026, 10, 10)


@pytest.fixture
def admin_client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_without_entries_working_days_are_monday_to_friday():
    assert calendar.is_working_date(NATIONAL_DAY)
    assert not calendar.is_working_date(MAKE_UP_SATURDAY)


def test_an_entry_made_in_the_admin_counts_at_once_and_is_audited(admin_client):
    assert calendar.is_working_date(NATIONAL_DAY)  # now cached

    response = admin_client.post(
        reverse("admin:core_calendarday_add"),
        {"date": "2026-10-01", "kind": "holiday", "name_zh": "国庆节", "name_en": "National Day"},
    )
    assert response.status_code == 302
    admin_client.post(
        reverse("admin:core_calendarday_add"),
        {"date": "2026-10-10", "kind": "workday", "name_zh": "调休上班", "name_en": ""},
    )

    assert not calendar.is_working_date(NATIONAL_DAY)
    assert calendar.is_working_date(MAKE_UP_SATURDAY)
    saved = AuditEvent.objects.filter(action="calendar.day_saved")
    assert sorted(event.details["date"] for event in saved) == ["2026-10-01", "2026-10-10"]


def test_deleting_an_entry_in_the_admin_restores_the_weekday_pattern(admin_client):
    day = CalendarDay.objects.create(date=NATIONAL_DAY, kind="holiday", name_zh="国庆节")
    calendar.forget_calendar()
    assert not calendar.is_working_date(NATIONAL_DAY)

    admin_client.post(reverse("admin:core_calendarday_delete", args=[day.pk]), {"post": "yes"})

    assert not CalendarDay.objects.exists()
    assert calendar.is_working_date(NATIONAL_DAY)
    assert AuditEvent.objects.filter(action="calendar.day_deleted").exists()


def test_a_date_entered_twice_is_refused_with_a_message(admin_client):
    CalendarDay.objects.create(date=NATIONAL_DAY, kind="holiday", name_zh="国庆节")

    response = admin_client.post(
        reverse("admin:core_calendarday_add"),
        {"date": "2026-10-01", "kind": "workday", "name_zh": "重复"},
    )

    assert response.status_code == 200
    assert "already exists" in response.text
    assert CalendarDay.objects.count() == 1

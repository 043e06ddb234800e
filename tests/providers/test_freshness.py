"""Freshness: every service carries its last confirmation; providers are reminded every
90 days, and a service unconfirmed for 180 days leaves the public directory until confirmed."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from providers import selectors
from providers.services import capacity, listings
from providers.tasks import send_confirmation_reminders
from tests.factories.providers import (
    ServiceFactory,
    VerifiedProviderFactory,
    provider_admin_of,
    provider_staff_of,
)

pytestmark = pytest.mark.django_db

CONFIRMED = timezone.datetime(2025, 1, 6, 10, 0, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def provider():
    provider = VerifiedProviderFactory(
        organization__name_zh="阳光社工服务社", organization__name_en="Sunshine Social Work"
    )
    provider.organization.email = "office@sunshine.example"
    provider.organization.save()
    return provider


@pytest.fixture
def staff(provider):
    return provider_staff_of(provider, email="staff@sunshine.example")


@pytest.fixture
def service(provider):
    with time_machine.travel(CONFIRMED, tick=False):
        return ServiceFactory(
            provider=provider,
            name_zh="长者助餐",
            name_en="Meals for older people",
            last_confirmed_at=CONFIRMED,
        )


def _public(now):
    return set(selectors.public_services(now))


# --- leaving and re-entering the directory ---------------------------------------------


def test_service_confirmed_179_days_ago_is_listed_and_181_days_ago_is_not(service):
    with time_machine.travel(CONFIRMED + timedelta(days=179), tick=False):
        assert service in _public(timezone.now())
        assert service.is_confirmed()
    with time_machine.travel(CONFIRMED + timedelta(days=181), tick=False):
        assert service not in _public(timezone.now())
        assert not service.is_confirmed()


def test_confirming_brings_a_hidden_service_back(service, staff):
    with time_machine.travel(CONFIRMED + timedelta(days=181), tick=False):
        assert service not in _public(timezone.now())
        listings.confirm_service(service=service, actor=staff)
        assert service in _public(timezone.now())


def test_updating_capacity_also_confirms(service, staff):
    with time_machine.travel(CONFIRMED + timedelta(days=200), tick=False):
        capacity.update_capacity(service=service, actor=staff, free_slots=2, waitlist_length=0)
        service.refresh_from_db()
        assert service.last_confirmed_at == timezone.now()
        assert service in _public(timezone.now())


def test_staff_confirm_from_the_service_list(client, service, staff):
    with time_machine.travel(CONFIRMED + timedelta(days=181), tick=False):
        client.force_login(staff)
        response = client.post(reverse("providers:confirm_service", args=[service.uuid]))
        assert response.status_code == 302
        assert service in _public(timezone.now())


def test_another_providers_service_cannot_be_confirmed(client, staff):
    foreign = ServiceFactory(last_confirmed_at=CONFIRMED)
    client.force_login(staff)

    response = client.post(reverse("providers:confirm_service", args=[foreign.uuid]))

    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.last_confirmed_at == CONFIRMED


def test_service_list_warns_when_a_service_is_hidden(client, service, staff):
    with time_machine.travel(CONFIRMED + timedelta(days=181), tick=False):
        client.force_login(staff)
        page = client.get(reverse("providers:service_list"), HTTP_ACCEPT_LANGUAGE="en").text

    assert "Hidden from the directory: not confirmed for 180 days" in page


# --- reminders every 90 days ----------------------------------------------------------------


def test_no_reminder_before_90_days(service, mailoutbox):
    with time_machine.travel(CONFIRMED + timedelta(days=89), tick=False):
        send_confirmation_reminders()

    assert mailoutbox == []


def test_reminder_after_90_days_is_sent_once(provider, service, staff, mailoutbox):
    admin = provider_admin_of(provider, email="director@sunshine.example")

    with time_machine.travel(CONFIRMED + timedelta(days=91), tick=False):
        send_confirmation_reminders()
        send_confirmation_reminders()  # a second beat run sends nothing

    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert set(mail.to) == {"office@sunshine.example", admin.email}
    assert staff.email not in mail.to
    # Chinese first, then English, with a link to the service list.
    assert mail.body.index("长者助餐") < mail.body.index("Meals for older people")
    assert mail.body.index("阳光社工服务社") < mail.body.index("Sunshine Social Work")
    assert "http://testserver" + reverse("providers:service_list") in mail.body
    assert "2025-01-06" in mail.body


def test_one_reminder_lists_every_service_due_of_a_provider(provider, service, mailoutbox):
    with time_machine.travel(CONFIRMED, tick=False):
        ServiceFactory(provider=provider, name_en="Home visits", last_confirmed_at=CONFIRMED)
    ServiceFactory(name_en="Another provider's", last_confirmed_at=CONFIRMED)

    with time_machine.travel(CONFIRMED + timedelta(days=91), tick=False):
        send_confirmation_reminders()

    ours = [mail for mail in mailoutbox if "office@sunshine.example" in mail.to]
    assert len(ours) == 1
    assert "Meals for older people" in ours[0].body and "Home visits" in ours[0].body
    assert "Another provider's" not in ours[0].body


def test_next_reminder_comes_90_days_after_the_next_confirmation(service, staff, mailoutbox):
    with time_machine.travel(CONFIRMED + timedelta(days=91), tick=False):
        send_confirmation_reminders()
    assert len(mailoutbox) == 1

    reconfirmed = CONFIRMED + timedelta(days=100)
    with time_machine.travel(reconfirmed, tick=False):
        listings.confirm_service(service=service, actor=staff)
    with time_machine.travel(reconfirmed + timedelta(days=60), tick=False):
        send_confirmation_reminders()
    assert len(mailoutbox) == 1

    with time_machine.travel(reconfirmed + timedelta(days=91), tick=False):
        send_confirmation_reminders()
        send_confirmation_reminders()
    assert len(mailoutbox) == 2


def test_unconfirmed_service_is_reminded_again_every_90_days(service, mailoutbox):
    with time_machine.travel(CONFIRMED + timedelta(days=91), tick=False):
        send_confirmation_reminders()
    with time_machine.travel(CONFIRMED + timedelta(days=150), tick=False):
        send_confirmation_reminders()
    assert len(mailoutbox) == 1

    with time_machine.travel(CONFIRMED + timedelta(days=182), tick=False):
        send_confirmation_reminders()
        send_confirmation_reminders()
    assert len(mailoutbox) == 2


def test_services_not_offered_are_not_reminded(provider, mailoutbox):
    with time_machine.travel(CONFIRMED, tick=False):
        ServiceFactory(provider=provider, is_active=False, last_confirmed_at=CONFIRMED)

    with time_machine.travel(CONFIRMED + timedelta(days=91), tick=False):
        send_confirmation_reminders()

    assert mailoutbox == []

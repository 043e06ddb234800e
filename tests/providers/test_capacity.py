"""Capacity: free places and waiting list, updated in one action, stale after 7 days."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from providers.models import Service
from providers.services import capacity
from tests.factories.providers import (
    ServiceFactory,
    VerifiedProviderFactory,
    provider_staff_of,
)

pytestmark = pytest.mark.django_db

NOW = timezone.datetime(2025, 3, 10, 9, 0, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def provider():
    return VerifiedProviderFactory()


@pytest.fixture
def staff(provider):
    return provider_staff_of(provider)


@pytest.fixture
def staff_client(client, staff):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(staff)
    return client


def _capacity_data(service, free, waiting):
    prefix = f"capacity-{service.uuid}"
    return {f"{prefix}-free_slots": free, f"{prefix}-waitlist_length": waiting}


def test_capacity_younger_than_7_days_is_fresh_and_older_is_stale():
    with time_machine.travel(NOW, tick=False):
        service = ServiceFactory.build(capacity_updated_at=timezone.now())

    with time_machine.travel(NOW + timedelta(days=7), tick=False):
        assert not service.capacity_is_stale()
    with time_machine.travel(NOW + timedelta(days=7, seconds=1), tick=False):
        assert service.capacity_is_stale()


def test_capacity_never_updated_is_stale():
    assert ServiceFactory.build(capacity_updated_at=None).capacity_is_stale()


def test_one_action_updates_both_numbers_with_the_time_and_who(provider, staff):
    service = ServiceFactory(provider=provider, capacity_updated_at=None)

    with time_machine.travel(NOW, tick=False):
        capacity.update_capacity(service=service, actor=staff, free_slots=3, waitlist_length=7)

    service.refresh_from_db()
    assert (service.free_slots, service.waitlist_length) == (3, 7)
    assert service.capacity_updated_at == NOW
    assert service.capacity_updated_by == staff


def test_staff_update_capacity_from_the_service_list(staff_client, provider, staff):
    service = ServiceFactory(provider=provider, free_slots=5, waitlist_length=0)

    with time_machine.travel(NOW, tick=False):
        staff_client.force_login(staff)
        response = staff_client.post(
            reverse("providers:update_capacity", args=[service.uuid]),
            _capacity_data(service, 0, 12),
        )

    assert response.status_code == 302
    assert response["Location"].endswith(f"#service-{service.uuid}")
    service.refresh_from_db()
    assert (service.free_slots, service.waitlist_length) == (0, 12)
    assert service.capacity_updated_at == NOW


def test_negative_numbers_are_refused_next_to_the_field(staff_client, provider):
    service = ServiceFactory(provider=provider, free_slots=5, waitlist_length=1)

    response = staff_client.post(
        reverse("providers:update_capacity", args=[service.uuid]),
        _capacity_data(service, -1, 2),
    )

    assert response.status_code == 400
    assert "Ensure this value is greater than or equal to 0." in response.text
    service.refresh_from_db()
    assert (service.free_slots, service.waitlist_length) == (5, 1)


def test_capacity_of_another_providers_service_answers_404(staff_client):
    foreign = ServiceFactory(free_slots=5)

    response = staff_client.post(
        reverse("providers:update_capacity", args=[foreign.uuid]), _capacity_data(foreign, 0, 0)
    )

    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.free_slots == 5


def test_capacity_update_answers_only_post(staff_client, provider):
    service = ServiceFactory(provider=provider)

    response = staff_client.get(reverse("providers:update_capacity", args=[service.uuid]))

    assert response.status_code == 405


def test_service_list_says_how_old_the_capacity_is(staff_client, provider, staff):
    with time_machine.travel(NOW, tick=False):
        ServiceFactory(
            provider=provider,
            name_en="Recently updated",
            capacity_updated_at=NOW - timedelta(days=3),
        )
        ServiceFactory(
            provider=provider,
            name_en="Long forgotten",
            capacity_updated_at=NOW - timedelta(days=8),
        )
        staff_client.force_login(staff)
        page = staff_client.get(reverse("providers:service_list")).text

    assert "updated 3\xa0days ago" in page
    assert page.count("stale: not updated for more than 7 days") == 1


def test_capacity_counts_as_stale_in_the_service_list_only_after_7_days(
    staff_client, provider, staff
):
    ServiceFactory(provider=provider, capacity_updated_at=NOW)

    with time_machine.travel(NOW + timedelta(days=6), tick=False):
        staff_client.force_login(staff)  # sessions last hours: sign in at the travelled time
        fresh_page = staff_client.get(reverse("providers:service_list")).text
    with time_machine.travel(NOW + timedelta(days=8), tick=False):
        staff_client.force_login(staff)
        stale_page = staff_client.get(reverse("providers:service_list")).text

    assert "stale: not updated for more than 7 days" not in fresh_page
    assert "stale: not updated for more than 7 days" in stale_page


def test_capacity_values_are_kept_as_whole_numbers(provider, staff):
    service = ServiceFactory(provider=provider)

    capacity.update_capacity(service=service, actor=staff, free_slots="4", waitlist_length="0")

    assert Service.objects.get(pk=service.pk).free_slots == 4

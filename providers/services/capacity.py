"""Capacity: a service's free places and waiting list.

The provider's staff set both numbers in one action
(``providers.rules.can_manage_services``), which also confirms the listing.
Below that, the one place where places are taken and given back: referrals
call these when a provider accepts, waitlists or ends a service (after
checking, in ``referrals.services``, that the person may act on the
referral); contracts will draw on the same numbers. Each locks the service
row, so two staff accepting at once cannot both take the last place.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.audit import record_change
from core.errors import ApplicationError
from providers.models import MAX_PLACES, Service
from providers.rules import can_manage_services
from providers.services.common import NOT_PROVIDER_STAFF, check_permission


@transaction.atomic
def update_capacity(
    *, service: Service, actor: User, free_slots: int, waitlist_length: int
) -> Service:
    """Free places and waiting list in one action, stamped with the time.

    Updating capacity also confirms the listing: someone at the provider has
    just looked at it.
    """
    check_permission(can_manage_services, actor, service.provider, message=NOT_PROVIDER_STAFF)
    errors = {}
    for field, value in (("free_slots", free_slots), ("waitlist_length", waitlist_length)):
        if value is None or not 0 <= int(value) <= MAX_PLACES:
            errors[field] = [
                _("Enter a whole number from 0 to %(max)s.") % {"max": f"{MAX_PLACES:,}"}
            ]
    if errors:
        raise ApplicationError(_("Some fields need attention."), field_errors=errors)
    now = timezone.now()
    Service.objects.filter(pk=service.pk).update(
        free_slots=int(free_slots),
        waitlist_length=int(waitlist_length),
        capacity_updated_at=now,
        capacity_updated_by=actor,
        last_confirmed_at=now,
    )
    service.refresh_from_db()
    record_change(
        action="provider.capacity_updated",
        actor=actor,
        organization=service.provider.organization,
        target=service,
        details={"free_slots": int(free_slots), "waitlist_length": int(waitlist_length)},
    )
    return service


# --- capacity accounting ----------------------------------------------------


def _no_free_place():
    return _("This service has no free place left. Put the person on the waiting list instead.")


def take_place(*, service_id: int) -> Service:
    """Take one free place of the service, or refuse when none is left."""
    with transaction.atomic():
        service = Service.objects.select_for_update().get(pk=service_id)
        if service.free_slots < 1:
            raise ApplicationError(_no_free_place(), code="no_free_place")
        service.free_slots -= 1
        service.save(update_fields=["free_slots", "updated_at"])
    return service


def release_place(*, service_id: int) -> Service:
    """Give a place back when the person leaves the service."""
    with transaction.atomic():
        service = Service.objects.select_for_update().get(pk=service_id)
        service.free_slots += 1
        service.save(update_fields=["free_slots", "updated_at"])
    return service


def join_waiting_list(*, service_id: int) -> int:
    """Add one person to the service's waiting list; returns their position."""
    with transaction.atomic():
        service = Service.objects.select_for_update().get(pk=service_id)
        service.waitlist_length += 1
        service.save(update_fields=["waitlist_length", "updated_at"])
    return service.waitlist_length


def leave_waiting_list(*, service_id: int) -> None:
    """One person leaves the waiting list (taken in, declined or gone)."""
    with transaction.atomic():
        service = Service.objects.select_for_update().get(pk=service_id)
        if service.waitlist_length > 0:
            service.waitlist_length -= 1
            service.save(update_fields=["waitlist_length", "updated_at"])


def lock_service(*, service_id: int) -> None:
    """Hold the service's row lock until the caller's transaction ends.

    For a move that may change the service's places or waiting list: taking the
    service's lock before the referral's own keeps every such move in one order,
    so two of them never wait for each other (see ``referrals.services.common``).
    """
    list(Service.objects.select_for_update().filter(pk=service_id).values_list("pk", flat=True))

"""Service listings: what a provider offers, as the directory and matching show it, and
the freshness rule that keeps listings true.

A service's categories, tier, eligibility, fee, delivery modes, areas and sites
are kept by the provider's staff (``providers.rules.can_manage_services``); an
import from another directory saves them as the system (``actor`` None). A
listing unconfirmed for 90 days gets a reminder, and one unconfirmed for 180
days leaves the public directory until someone at the provider confirms it.
"""

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.audit import record_change
from core.errors import ApplicationError
from providers.models import CONFIRMATION_REMINDER_EVERY, Provider, Service, ServiceAtSite
from providers.rules import can_manage_services
from providers.services.common import NOT_PROVIDER_STAFF, check_permission, full_clean
from providers.services.service_points import refresh_service_points

SERVICE_FIELDS = (
    "name_zh",
    "name_en",
    "description_zh",
    "description_en",
    "tier",
    "min_age",
    "max_age",
    "gender",
    "household_registration",
    "required_statuses",
    "fee_kind",
    "fee_amount",
    "fee_note",
    "languages",
    "at_site",
    "home_visit",
    "remote",
    "is_active",
    "accepting_referrals",
)


def _check_service(service: Service, categories, sites) -> None:
    errors: dict[str, list[str]] = {}
    if not (service.at_site or service.home_visit or service.remote):
        errors["at_site"] = [_("Choose at least one way the service is delivered.")]
    if (
        service.min_age is not None
        and service.max_age is not None
        and service.min_age > service.max_age
    ):
        errors["max_age"] = [_("The maximum age must not be below the minimum age.")]
    if service.fee_kind == Service.FeeKind.FREE:
        service.fee_amount = None
    elif service.fee_amount is None:
        errors["fee_amount"] = [_("Give the fee in yuan, or mark the service as free.")]
    bad_statuses = set(service.required_statuses or []) - set(Service.AssistanceStatus.values)
    if bad_statuses:
        errors["required_statuses"] = [
            _("Unknown assistance status: %(codes)s") % {"codes": ", ".join(sorted(bad_statuses))}
        ]
    bad_languages = set(service.languages or []) - set(Service.Language.values)
    if bad_languages:
        errors["languages"] = [
            _("Unknown language: %(codes)s") % {"codes": ", ".join(sorted(bad_languages))}
        ]
    if categories is not None and not list(categories):
        errors["categories"] = [_("Choose at least one need category.")]
    if sites is not None and any(site.provider_id != service.provider_id for site in sites):
        errors["sites"] = [_("Choose sites of your own organization.")]
    if errors:
        raise ApplicationError(_("Some fields need attention."), field_errors=errors)


@transaction.atomic
def save_service(
    *,
    provider: Provider,
    actor: User | None,
    service: Service | None = None,
    categories=None,
    areas_covered=None,
    sites=None,
    **fields,
) -> Service:
    """Create or update a service; a new one counts as confirmed today."""
    if actor is not None:
        check_permission(can_manage_services, actor, provider, message=NOT_PROVIDER_STAFF)
    unknown = set(fields) - set(SERVICE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown service fields: {sorted(unknown)}")
    if provider.status == Provider.Status.DEBARRED:
        raise ApplicationError(_("A debarred provider cannot offer services."))
    creating = service is None
    if creating:
        service = Service(provider=provider, last_confirmed_at=timezone.now())
        if categories is None:
            categories = []
    elif service.provider_id != provider.pk:
        raise ApplicationError(_("This service belongs to another provider."))
    for field, value in fields.items():
        setattr(service, field, value)
    categories = list(categories) if categories is not None else None
    sites = list(sites) if sites is not None else None
    _check_service(service, categories, sites)
    full_clean(service)
    service.save()
    if categories is not None:
        service.categories.set(categories)
    if areas_covered is not None:
        service.areas_covered.set(areas_covered)
    if sites is not None:
        ServiceAtSite.objects.filter(service=service).exclude(site__in=sites).delete()
        for site in sites:
            ServiceAtSite.objects.get_or_create(service=service, site=site)
    if categories is not None or sites is not None or areas_covered is not None:
        refresh_service_points(service_ids=[service.pk])
    record_change(
        action="provider.service_created" if creating else "provider.service_updated",
        actor=actor,
        organization=provider.organization,
        target=service,
        details={"fields": sorted(fields)},
    )
    return service


# --- freshness ----------------------------------------------------------------


@transaction.atomic
def confirm_service(*, service: Service, actor: User) -> Service:
    """Someone at the provider confirms the listing is still right (freshness rule)."""
    check_permission(can_manage_services, actor, service.provider, message=NOT_PROVIDER_STAFF)
    service.last_confirmed_at = timezone.now()
    service.save(update_fields=["last_confirmed_at", "updated_at"])
    record_change(
        action="provider.service_confirmed",
        actor=actor,
        organization=service.provider.organization,
        target=service,
    )
    return service


def _reminder_due(now) -> Q:
    # Providers are reminded every 90 days while a service stays unconfirmed:
    # at 90 days, again at 180 (when it leaves the directory), and so on.
    return (
        Q(confirmation_reminded_at__isnull=True)
        | Q(confirmation_reminded_at__lt=F("last_confirmed_at"))
        | Q(confirmation_reminded_at__lte=now - CONFIRMATION_REMINDER_EVERY)
    )


def services_needing_confirmation_reminder(now):
    """Services unconfirmed for 90 days whose provider has not been reminded for 90 days."""
    due = now - CONFIRMATION_REMINDER_EVERY
    return (
        Service.objects.filter(is_active=True, last_confirmed_at__lte=due)
        .filter(_reminder_due(now))
        .select_related("provider__organization")
    )


@transaction.atomic
def mark_confirmation_reminded(*, service: Service, now) -> bool:
    """Record that the reminder went out (for beat); False when another run already did."""
    updated = (
        Service.objects.filter(pk=service.pk)
        .filter(_reminder_due(now))
        .update(confirmation_reminded_at=now)
    )
    return bool(updated)

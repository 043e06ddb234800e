"""Reads of providers, services and sites, scoped to what the user may see.

Public reads show verified providers only, and services that are offered and
confirmed within 180 days. Every list prefetches what its page shows, so the
number of queries does not grow with the number of rows.
"""

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from accounts.models import Role
from accounts.rules import organizations_where
from providers.models import UNCONFIRMED_HIDDEN_AFTER, Provider, Service, Site


def provider_of(user) -> Provider | None:
    """The provider the user works for (provider admin or staff), or None."""
    organization_ids = organizations_where(user, Role.PROVIDER_ADMIN, Role.PROVIDER_STAFF)
    if not organization_ids:
        return None
    return (
        Provider.objects.select_related("organization", "organization__area")
        .filter(organization_id__in=organization_ids)
        .order_by("pk")
        .first()
    )


def public_providers() -> QuerySet[Provider]:
    return Provider.objects.filter(
        status=Provider.Status.VERIFIED, organization__is_active=True
    ).select_related("organization", "organization__area")


def public_services(now=None) -> QuerySet[Service]:
    """Services the public directory lists (the freshness rule hides unconfirmed ones)."""
    now = now or timezone.now()
    return Service.objects.filter(
        provider__status=Provider.Status.VERIFIED,
        provider__organization__is_active=True,
        is_active=True,
        last_confirmed_at__gte=now - UNCONFIRMED_HIDDEN_AFTER,
    )


def public_service_details(now=None) -> QuerySet[Service]:
    """Public services with everything a list or API page shows, in a fixed number of queries."""
    return (
        public_services(now)
        .select_related("provider__organization", "tier")
        .prefetch_related(
            "categories",
            "areas_covered",
            Prefetch("sites", queryset=Site.objects.select_related("area", "district")),
        )
    )


def services_of(provider: Provider) -> QuerySet[Service]:
    """All services of a provider, for its own staff (including hidden and stale ones)."""
    return (
        Service.objects.filter(provider=provider)
        .select_related("tier", "capacity_updated_by")
        .prefetch_related("categories", "areas_covered", "sites")
        .order_by("name_zh")
    )


def sites_of(provider: Provider) -> QuerySet[Site]:
    return Site.objects.filter(provider=provider).select_related("area", "district")


def providers_awaiting_verification() -> QuerySet[Provider]:
    return (
        Provider.objects.filter(status=Provider.Status.SUBMITTED)
        .select_related("organization", "organization__area")
        .order_by("submitted_at")
    )


def providers_for_verifiers() -> QuerySet[Provider]:
    """Every provider that has left draft, for the people who verify them."""
    return (
        Provider.objects.exclude(status=Provider.Status.DRAFT)
        .select_related("organization", "organization__area")
        .order_by("-submitted_at")
    )


def public_sites() -> QuerySet[Site]:
    """Sites of verified providers, for the public API and map."""
    return (
        Site.objects.filter(
            provider__status=Provider.Status.VERIFIED, provider__organization__is_active=True
        )
        .select_related("provider", "area", "district")
        .order_by("name_zh", "pk")
    )


# --- verification (platform administrators; agency supervisors where configured) ---


def verification_queue(status: str | None = None) -> QuerySet[Provider]:
    """Providers that have left draft: those awaiting verification first, oldest
    submission first, so nobody waits behind later arrivals."""
    from django.db.models import Case, IntegerField, Value, When

    providers = providers_for_verifiers()
    if status:
        providers = providers.filter(status=status)
    return providers.order_by(
        Case(
            When(status=Provider.Status.SUBMITTED, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ),
        "submitted_at",
        "pk",
    )


def verification_counts() -> dict[str, int]:
    """How many providers are in each status verifiers deal with (one query)."""
    from django.db.models import Count

    rows = (
        providers_for_verifiers()
        .order_by()
        .values_list("status")
        .annotate(count=Count("pk"))
    )
    return dict(rows)


def provider_history(provider: Provider):
    """The audit trail of a provider (registration, profile changes, status changes)."""
    from core.models import AuditEvent

    return (
        AuditEvent.objects.filter(object_type="providers.provider", object_id=str(provider.uuid))
        .select_related("actor")
        .order_by("-occurred_at", "-pk")
    )

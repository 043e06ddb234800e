"""Reads of providers, services and sites, scoped to what the user may see.

Public reads show verified providers only, and services that are offered and
confirmed within 180 days. Every list prefetches what its page shows, so the
number of queries does not grow with the number of rows.
"""

from django.db.models import Case, F, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from accounts.models import Membership, Role
from accounts.rules import organizations_where
from core.mail import unique_addresses
from providers.models import (
    CAPACITY_STALE_AFTER,
    UNCONFIRMED_HIDDEN_AFTER,
    Provider,
    Service,
    ServiceCoverage,
    ServicePoint,
    Site,
)


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


def referable_services(now=None) -> QuerySet[Service]:
    """Services a caseworker may refer to: public, and accepting referrals."""
    return public_services(now).filter(accepting_referrals=True)


def can_take_referrals(service: Service, now=None) -> bool:
    return referable_services(now).filter(pk=service.pk).exists()


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

    rows = providers_for_verifiers().order_by().values_list("status").annotate(count=Count("pk"))
    return dict(rows)


def provider_history(provider: Provider):
    """The audit trail of a provider (registration, profile changes, status changes)."""
    from core.models import AuditEvent

    return (
        AuditEvent.objects.filter(object_type="providers.provider", object_id=str(provider.uuid))
        .select_related("actor")
        .order_by("-occurred_at", "-pk")
    )


def directory_services(now=None) -> QuerySet[Service]:
    """The public directory: services with free places confirmed this week first, then by name.

    People looking for help want a place they can have now; the stable
    tie-breakers (name, then id) keep pages from shuffling between requests.
    """
    now = now or timezone.now()
    has_current_capacity = Q(free_slots__gt=0, capacity_updated_at__gte=now - CAPACITY_STALE_AFTER)
    return (
        public_service_details(now)
        .alias(
            capacity_rank=Case(
                When(has_current_capacity, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("capacity_rank", "name_zh", "pk")
    )


def public_provider(uuid) -> Provider | None:
    """A verified provider for its public profile page, or None (others must not be probed)."""
    return public_providers().filter(uuid=uuid).first()


def public_services_of(provider: Provider, now=None) -> QuerySet[Service]:
    """The services a provider's public profile lists (the freshness rule applies)."""
    return public_service_details(now).filter(provider=provider).order_by("name_zh", "pk")


# --- HSDS export and API: public data only ----------------------------------
# Verified providers, their public services and sites; never documents, staff
# or capacity editors. Stable orders keep exports reproducible and pages steady.


def _hsds_category_prefetch(prefix: str = "") -> Prefetch:
    from taxonomy.models import NeedCategory

    return Prefetch(f"{prefix}categories", queryset=NeedCategory.objects.select_related("parent"))


def _hsds_site_links_prefetch(prefix: str = "") -> Prefetch:
    from providers.models import ServiceAtSite

    return Prefetch(
        f"{prefix}site_links",
        queryset=ServiceAtSite.objects.select_related(
            "site__provider", "site__area__parent__parent", "site__district__parent__parent"
        ).order_by("site__name_zh", "site__uuid"),
    )


def hsds_organizations() -> QuerySet[Provider]:
    return public_providers().order_by("organization__name_zh", "uuid")


def hsds_services(now=None) -> QuerySet[Service]:
    return (
        public_services(now)
        .select_related("provider__organization", "tier")
        .prefetch_related(_hsds_category_prefetch(), "areas_covered", _hsds_site_links_prefetch())
        .order_by("name_zh", "uuid")
    )


def hsds_sites() -> QuerySet[Site]:
    return (
        Site.objects.filter(
            provider__status=Provider.Status.VERIFIED, provider__organization__is_active=True
        )
        .select_related("provider", "area__parent__parent", "district__parent__parent")
        .order_by("name_zh", "uuid")
    )


def hsds_services_at_sites(now=None):
    """Links between public services and their sites, with both ends for nesting."""
    from providers.models import ServiceAtSite

    return (
        ServiceAtSite.objects.filter(service__in=public_services(now))
        .select_related(
            "service__provider__organization",
            "service__tier",
            "site__provider",
            "site__area__parent__parent",
            "site__district__parent__parent",
        )
        .prefetch_related(
            _hsds_category_prefetch("service__"),
            "service__areas_covered",
            _hsds_site_links_prefetch("service__"),
        )
        .order_by("service__name_zh", "service__uuid", "site__name_zh", "site__uuid")
    )


def imported_object(model, *, source: str, entity: str, external_id: str):
    """Our object imported from ``source``'s record ``external_id``, or None."""
    from providers.models import ExternalRecord

    record = ExternalRecord.objects.filter(
        source=source, entity=entity, external_id=external_id
    ).first()
    if record is None:
        return None
    return model.objects.filter(uuid=record.object_uuid).first()


# --- what referrals read of providers --------------------------------------------------
# Referrals compare a person with a service's eligibility, rank services over the
# matching index that ``providers.services`` keeps, lock a service while a
# referral takes or gives back one of its places, and mail a provider's people.
# They read all of it here, so that no other app names this app's models.

# The codes of a service's eligibility: a person's assistance statuses, gender and
# household registration are compared with them like for like.
AssistanceStatus = Service.AssistanceStatus
ServiceGender = Service.Gender
ServiceHouseholdRegistration = Service.HouseholdRegistration


def service_category_links() -> QuerySet:
    """Which service offers which need category (rows of ``Service.categories``)."""
    return Service.categories.through.objects.all()


def service_area_links() -> QuerySet:
    """Which service covers which area (rows of ``Service.areas_covered``)."""
    return Service.areas_covered.through.objects.all()


def service_coverage() -> QuerySet[ServiceCoverage]:
    """The matching index of (category, area) pairs each service covers."""
    return ServiceCoverage.objects.all()


def service_points() -> QuerySet[ServicePoint]:
    """The matching index of (category, site position) pairs of each service."""
    return ServicePoint.objects.all()


def services_in_bulk(pks, *, fields) -> dict[int, Service]:
    """The services ``pks`` with their provider's organization, only ``fields``, by pk.

    Whatever their state: the caller has already chosen them (matching shows the
    services it ranked among the referable ones).
    """
    return Service.objects.select_related("provider__organization").only(*fields).in_bulk(pks)


def sites_of_services(service_pks, *, within: Q, fields) -> QuerySet[Site]:
    """The sites of these services inside ``within``, each annotated with the service
    it is shown for (``shown_for``: a site shared by two services comes twice)."""
    return (
        Site.objects.filter(within, service_links__service_id__in=list(service_pks))
        .annotate(shown_for=F("service_links__service_id"))
        .only(*fields)
        .order_by("pk")
    )


def provider_mail_recipients(provider: Provider, *, staff: bool = False) -> list[str]:
    """Where mail about the provider goes: the organization's address and its active
    administrators' (with ``staff``, its active staff's too), each address once."""
    roles = (Role.PROVIDER_ADMIN, Role.PROVIDER_STAFF) if staff else (Role.PROVIDER_ADMIN,)
    addresses = [provider.organization.email]
    for role in roles:
        addresses += (
            Membership.objects.filter(
                organization_id=provider.organization_id,
                role=role,
                is_active=True,
                user__is_active=True,
            )
            .exclude(user__email="")
            .order_by("pk")
            .values_list("user__email", flat=True)
        )
    return unique_addresses(addresses)


def service_offers(service: Service, category_ids) -> bool:
    """Whether ``service`` offers any of the need categories ``category_ids`` (one query)."""
    return service.categories.filter(pk__in=list(category_ids)).exists()


# --- what the marketplace reads of providers -------------------------------------------
# A tender names the grade a bidder needs (only a verified grade counts:
# ``Provider.verified_grade``), a bid is refused for a provider's status,
# and a new tender alerts the providers whose listed services match it. The
# marketplace reads them here, so that it names none of this app's models.

ProviderStatus = Provider.Status
ProviderGrade = Provider.Grade
ProviderGradeStatus = Provider.GradeStatus


def providers_of_services(services: QuerySet[Service]) -> QuerySet[Provider]:
    """The providers offering ``services``, each once, with their organization, by id."""
    return (
        Provider.objects.filter(pk__in=services.values("provider_id"))
        .select_related("organization")
        .order_by("pk")
    )

"""The matching index: where each service is found, per need category.

``ServicePoint`` (service, site with a point, category) and ``ServiceCoverage``
(service, area covered, category) are derived data that referral matching
reads instead of joining every site and area to every service. They are
rebuilt here, and only here, whenever a service's categories, sites or areas,
or a site's point, change. Nobody acts for a person here: the writes that
change those facts call these functions.
"""

from django.db import transaction

from providers.models import Service, ServiceAtSite, ServiceCoverage, ServicePoint


def refresh_service_points(*, service_ids=(), site_ids=()) -> int:
    """Rebuild the matching index (``ServicePoint``, ``ServiceCoverage``) of these
    services and of every service at these sites, from their categories, their
    sites' points and the areas they cover.

    Called wherever one of those changes; returns the number of rows written.
    ``refresh_all_service_points`` rebuilds everything (after a bulk load).
    """
    ids = set(service_ids)
    if site_ids:
        ids |= set(
            ServiceAtSite.objects.filter(site_id__in=list(site_ids)).values_list(
                "service_id", flat=True
            )
        )
    if not ids:
        return 0
    with transaction.atomic():
        ServicePoint.objects.filter(service_id__in=ids).delete()
        ServiceCoverage.objects.filter(service_id__in=ids).delete()
        return _write_matching_index(service_ids=ids)


def refresh_all_service_points() -> int:
    """Rebuild the whole matching index, e.g. after rows were bulk-created."""
    with transaction.atomic():
        ServicePoint.objects.all().delete()
        ServiceCoverage.objects.all().delete()
        return _write_matching_index(service_ids=None)


def _write_matching_index(*, service_ids, batch_size: int = 5000) -> int:
    def of_services(queryset):
        return queryset if service_ids is None else queryset.filter(service_id__in=service_ids)

    categories_of: dict[int, list[int]] = {}
    category_links = of_services(Service.categories.through.objects.all())
    for service_id, category_id in category_links.values_list(
        "service_id", "needcategory_id"
    ).iterator():
        categories_of.setdefault(service_id, []).append(category_id)
    sites = of_services(
        ServiceAtSite.objects.filter(site__latitude__isnull=False, site__longitude__isnull=False)
    ).values_list("service_id", "site_id", "site__latitude", "site__longitude")
    points = ServicePoint.objects.bulk_create(
        (
            ServicePoint(
                service_id=service_id,
                site_id=site_id,
                category_id=category_id,
                latitude=float(latitude),
                longitude=float(longitude),
            )
            for service_id, site_id, latitude, longitude in sites.iterator()
            for category_id in categories_of.get(service_id, ())
        ),
        batch_size=batch_size,
    )
    areas = of_services(Service.areas_covered.through.objects.all()).values_list(
        "service_id", "area_id"
    )
    coverage = ServiceCoverage.objects.bulk_create(
        (
            ServiceCoverage(service_id=service_id, area_id=area_id, category_id=category_id)
            for service_id, area_id in areas.iterator()
            for category_id in categories_of.get(service_id, ())
        ),
        batch_size=batch_size,
    )
    return len(points) + len(coverage)

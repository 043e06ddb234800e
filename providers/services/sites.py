"""Sites: the places where a provider delivers its services.

A site's address is the provider's, never a person's. It is geocoded offline
(``places.geocoding``) to find its area, district and point; a point set by
hand wins. The provider's staff keep their sites
(``providers.rules.can_manage_services``); an import from another directory
saves them as the system (``actor`` None).
"""

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core.audit import record_change
from core.errors import ApplicationError
from places import geocoding
from places.selectors import district_of
from providers.models import Provider, Site
from providers.rules import can_manage_services
from providers.services.common import NOT_PROVIDER_STAFF, check_permission, full_clean
from providers.services.service_points import refresh_service_points

SITE_FIELDS = (
    "name_zh",
    "name_en",
    "address",
    "opening_hours_zh",
    "opening_hours_en",
    "wheelchair_accessible",
    "accessible_toilet",
    "hearing_support",
    "accessibility_notes",
    "phone",
)


@transaction.atomic
def save_site(
    *,
    provider: Provider,
    actor: User | None,
    site: Site | None = None,
    latitude=None,
    longitude=None,
    **fields,
) -> Site:
    """Create or update a site. The address is geocoded offline; a point given by hand wins."""
    if actor is not None:
        check_permission(can_manage_services, actor, provider, message=NOT_PROVIDER_STAFF)
    unknown = set(fields) - set(SITE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown site fields: {sorted(unknown)}")
    creating = site is None
    site = site or Site(provider=provider)
    if site.provider_id != provider.pk:
        raise ApplicationError(_("This site belongs to another provider."))
    address_changed = creating or fields.get("address", site.address) != site.address
    for field, value in fields.items():
        setattr(site, field, value)
    if address_changed:
        result = geocoding.geocode(site.address)
        if not result.found:
            raise ApplicationError(
                str(result.message), field_errors={"address": [str(result.message)]}
            )
        site.area = result.area
        site.district = district_of(result.area)
        site.latitude, site.longitude = result.latitude, result.longitude
        site.geocode_precision = str(result.precision)
    manual_point = latitude is not None and longitude is not None
    if manual_point and (latitude, longitude) != (site.latitude, site.longitude):
        site.latitude, site.longitude = latitude, longitude
        site.geocode_precision = Site.Precision.MANUAL
    full_clean(site)
    site.save()
    if not creating:
        # Its services are found near its (possibly new) point.
        refresh_service_points(site_ids=[site.pk])
    record_change(
        action="provider.site_created" if creating else "provider.site_updated",
        actor=actor,
        organization=provider.organization,
        target=site,
    )
    return site

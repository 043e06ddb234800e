"""The public service directory and provider profiles.

Anyone may read them; they show verified providers only, and only services
confirmed within the last 180 days. The list is the page's content; the map
is an extra drawn by ``static/js/map.js`` when a tile server is configured.
"""

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from core.permissions import public
from evaluation.selectors import ratings as rating_selectors
from providers import selectors
from providers.filters import ServiceDirectoryFilter

SERVICES_PER_PAGE = 20


@public
def directory(request):
    service_filter = ServiceDirectoryFilter(
        request.GET or None, queryset=selectors.directory_services()
    )
    page = Paginator(service_filter.qs, SERVICES_PER_PAGE).get_page(request.GET.get("page"))
    # Each provider's rating and responsiveness, for the services shown (one query).
    ratings = rating_selectors.ratings_of_providers({s.provider_id for s in page.object_list})
    for service in page.object_list:
        service.provider_rating = ratings.get(service.provider_id)
    return render(
        request,
        "providers/directory/directory.html",
        {
            "filter": service_filter,
            "page_obj": page,
            "services": page.object_list,
            "map_points": _map_points(
                (site, service.provider, service.name)
                for service in page.object_list
                for site in service.sites.all()
            ),
        },
    )


@public
def profile(request, uuid):
    provider = selectors.public_provider(uuid)
    if provider is None:
        raise Http404
    services = list(selectors.public_services_of(provider))
    sites = list(selectors.sites_of(provider))
    service_sites = [
        (site, provider, service.name) for service in services for site in service.sites.all()
    ]
    return render(
        request,
        "providers/directory/profile.html",
        {
            "provider": provider,
            "services": services,
            "sites": sites,
            "map_points": _map_points([(site, provider, None) for site in sites] + service_sites),
            "breadcrumbs": [
                (_("Home"), "/"),
                (_("Service directory"), reverse("providers:directory")),
                (provider.name, ""),
            ],
        },
    )


def _map_points(entries) -> list[dict] | None:
    """One point per located site, for the map script, from (site, provider, service name) rows.

    None when no tile server is configured: then the page has no map at all.
    """
    if not settings.MAP_TILE_URL:
        return None
    points = {}
    for site, provider, service_name in entries:
        if site.latitude is None or site.longitude is None:
            continue
        point = points.setdefault(
            site.pk,
            {
                "lat": float(site.latitude),
                "lng": float(site.longitude),
                "name": site.name,
                "provider": provider.name,
                "url": f"{reverse('providers:profile', args=[provider.uuid])}#site-{site.uuid}",
                "services": [],
            },
        )
        if service_name and service_name not in point["services"]:
            point["services"].append(service_name)
    return list(points.values())

"""The provider's own sites: where its services are delivered.

Open to the provider's administrators and staff
(``providers.views.access.provider_member_required``); everyone else gets 404.
A site is always looked up among the provider's own, so another provider's
site answers 404 too. Every change goes through ``providers.services.sites``.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.forms import attach_errors
from providers import selectors
from providers.forms.sites import SiteForm
from providers.models import Site
from providers.services import sites as site_services
from providers.views.access import provider_member_required
from providers.views.listings import breadcrumbs

SITES_PER_PAGE = 50


def _located_message(site: Site) -> str:
    if site.area is None:
        return _("Site “%(site)s” saved.") % {"site": site.name}
    return _("Site “%(site)s” saved, located in %(area)s (precision: %(precision)s).") % {
        "site": site.name,
        "area": site.area.name,
        "precision": site.get_geocode_precision_display(),
    }


@provider_member_required
def site_list(request, provider):
    page = Paginator(selectors.sites_of(provider).order_by("name_zh", "pk"), SITES_PER_PAGE)
    page_obj = page.get_page(request.GET.get("page"))
    return render(
        request,
        "providers/manage/site_list.html",
        {
            "provider": provider,
            "page_obj": page_obj,
            "sites": page_obj.object_list,
            "coarse_precisions": (Site.Precision.CITY, Site.Precision.PROVINCE),
            "breadcrumbs": breadcrumbs((_("Sites"), "")),
        },
    )


def _site_form(request, provider, site: Site | None):
    data = request.POST if request.method == "POST" else None
    form = SiteForm(data, site=site)
    if data is not None and form.is_valid():
        try:
            saved = site_services.save_site(
                provider=provider, actor=request.user, site=site, **form.site_arguments()
            )
        except ApplicationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _located_message(saved))
            return redirect(f"{reverse('providers:site_list')}#site-{saved.uuid}")
    return render(
        request,
        "providers/manage/site_form.html",
        {
            "provider": provider,
            "site": site,
            "form": form,
            "breadcrumbs": breadcrumbs(
                (_("Sites"), "providers:site_list"), (site.name if site else _("Add a site"), "")
            ),
        },
        status=400 if form.errors else 200,
    )


@provider_member_required
def site_create(request, provider):
    return _site_form(request, provider, site=None)


@provider_member_required
def site_edit(request, provider, uuid):
    site = get_object_or_404(selectors.sites_of(provider), uuid=uuid)
    return _site_form(request, provider, site=site)

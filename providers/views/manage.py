"""The provider's own workspace: its services with capacity and freshness, and its sites.

Open to the provider's administrators and staff; everyone else gets 404. A
service or site is always looked up among the provider's own, so another
provider's object answers 404 too. Every change goes through
``providers.services``.
"""

from dataclasses import dataclass
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import ApplicationError
from providers import selectors, services
from providers.forms.manage import CapacityForm, ServiceForm, SiteForm, attach_errors
from providers.models import Service, Site

SERVICES_PER_PAGE = 50
SITES_PER_PAGE = 50


def provider_member_required(view):
    """Administrators and staff of a provider only; the view receives their provider.

    Anyone else gets 404 (SPEC §4), anonymous visitors the sign-in page.
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        provider = selectors.provider_of(request.user)
        if provider is None or not request.user.has_perm("providers.manage_services", provider):
            raise Http404
        return view(request, provider, *args, **kwargs)

    wrapped.permission_policy = "rule:providers.manage_services"
    return wrapped


def _breadcrumbs(*items):
    """Workspace first, then ``(label, url name)`` pairs; the last one is the current page."""
    trail = [(_("Workspace"), reverse("accounts:workspace"))]
    trail += [(label, reverse(url_name) if url_name else "") for label, url_name in items]
    return trail


# --- services ----------------------------------------------------------------


@dataclass
class ServiceRow:
    """One service as the list shows it, with its capacity form and freshness."""

    service: Service
    capacity_form: CapacityForm
    capacity_stale: bool
    confirmed: bool


def _service_list_anchor(service: Service) -> str:
    return f"{reverse('providers:service_list')}#service-{service.uuid}"


def _render_service_list(request, provider, *, bound_form=None, bound_uuid=None, status=200):
    page = Paginator(selectors.services_of(provider), SERVICES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    now = timezone.now()
    rows = [
        ServiceRow(
            service=service,
            capacity_form=(
                bound_form if service.uuid == bound_uuid else CapacityForm(service=service)
            ),
            capacity_stale=service.capacity_is_stale(now),
            confirmed=service.is_confirmed(now),
        )
        for service in page.object_list
    ]
    return render(
        request,
        "providers/manage/service_list.html",
        {
            "provider": provider,
            "page_obj": page,
            "rows": rows,
            "breadcrumbs": _breadcrumbs((_("Services and capacity"), "")),
        },
        status=status,
    )


@provider_member_required
def service_list(request, provider):
    return _render_service_list(request, provider)


@provider_member_required
@require_POST
def update_capacity(request, provider, uuid):
    service = get_object_or_404(selectors.services_of(provider), uuid=uuid)
    form = CapacityForm(request.POST, service=service)
    if form.is_valid():
        try:
            services.update_capacity(service=service, actor=request.user, **form.cleaned_data)
        except ApplicationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request,
                _("Capacity of “%(service)s” updated: %(free)d free, %(waiting)d waiting.")
                % {
                    "service": service.name,
                    "free": service.free_slots,
                    "waiting": service.waitlist_length,
                },
            )
            return redirect(_service_list_anchor(service))
    return _render_service_list(
        request, provider, bound_form=form, bound_uuid=service.uuid, status=400
    )


@provider_member_required
@require_POST
def confirm_service(request, provider, uuid):
    service = get_object_or_404(selectors.services_of(provider), uuid=uuid)
    services.confirm_service(service=service, actor=request.user)
    messages.success(
        request,
        _("“%(service)s” confirmed as still correct today.") % {"service": service.name},
    )
    return redirect(_service_list_anchor(service))


def _service_form(request, provider, service: Service | None):
    data = request.POST if request.method == "POST" else None
    form = ServiceForm(data, provider=provider, service=service)
    if data is not None and form.is_valid():
        try:
            saved = services.save_service(
                provider=provider, actor=request.user, service=service, **form.service_arguments()
            )
        except ApplicationError as error:
            attach_errors(form, error, field_map=ServiceForm.FIELD_MAP)
        else:
            messages.success(request, _("Service “%(service)s” saved.") % {"service": saved.name})
            return redirect(_service_list_anchor(saved))
    return render(
        request,
        "providers/manage/service_form.html",
        {
            "provider": provider,
            "service": service,
            "form": form,
            "breadcrumbs": _breadcrumbs(
                (_("Services and capacity"), "providers:service_list"),
                (service.name if service else _("Add a service"), ""),
            ),
        },
        status=400 if form.errors else 200,
    )


@provider_member_required
def service_create(request, provider):
    return _service_form(request, provider, service=None)


@provider_member_required
def service_edit(request, provider, uuid):
    service = get_object_or_404(selectors.services_of(provider), uuid=uuid)
    return _service_form(request, provider, service=service)


# --- sites -------------------------------------------------------------------


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
            "breadcrumbs": _breadcrumbs((_("Sites"), "")),
        },
    )


def _site_form(request, provider, site: Site | None):
    data = request.POST if request.method == "POST" else None
    form = SiteForm(data, site=site)
    if data is not None and form.is_valid():
        try:
            saved = services.save_site(
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
            "breadcrumbs": _breadcrumbs(
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

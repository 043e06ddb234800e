"""The provider's own services: the list with capacity and freshness, and the form
that describes a service.

Open to the provider's administrators and staff
(``providers.views.access.provider_member_required``); everyone else gets 404.
A service is always looked up among the provider's own, so another
provider's service answers 404 too. Every change goes through
``providers.services``.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import ApplicationError
from core.forms import attach_errors
from providers import selectors
from providers.forms.capacity import CapacityForm
from providers.forms.listings import ServiceForm
from providers.models import Service
from providers.services import listings
from providers.views.access import provider_member_required

SERVICES_PER_PAGE = 50


def breadcrumbs(*items):
    """Workspace first, then ``(label, url name)`` pairs; the last one is the current page."""
    trail = [(_("Workspace"), reverse("accounts:workspace"))]
    trail += [(label, reverse(url_name) if url_name else "") for label, url_name in items]
    return trail


@dataclass
class ServiceRow:
    """One service as the list shows it, with its capacity form and freshness."""

    service: Service
    capacity_form: CapacityForm
    capacity_stale: bool
    confirmed: bool


def service_list_anchor(service: Service) -> str:
    return f"{reverse('providers:service_list')}#service-{service.uuid}"


def render_service_list(request, provider, *, bound_form=None, bound_uuid=None, status=200):
    """The list, with ``bound_form`` (a capacity form sent with errors) in its row."""
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
            "breadcrumbs": breadcrumbs((_("Services and capacity"), "")),
        },
        status=status,
    )


@provider_member_required
def service_list(request, provider):
    return render_service_list(request, provider)


@provider_member_required
@require_POST
def confirm_service(request, provider, uuid):
    service = get_object_or_404(selectors.services_of(provider), uuid=uuid)
    listings.confirm_service(service=service, actor=request.user)
    messages.success(
        request,
        _("“%(service)s” confirmed as still correct today.") % {"service": service.name},
    )
    return redirect(service_list_anchor(service))


def _service_form(request, provider, service: Service | None):
    data = request.POST if request.method == "POST" else None
    form = ServiceForm(data, provider=provider, service=service)
    if data is not None and form.is_valid():
        try:
            saved = listings.save_service(
                provider=provider, actor=request.user, service=service, **form.service_arguments()
            )
        except ApplicationError as error:
            attach_errors(form, error, field_map=ServiceForm.FIELD_MAP)
        else:
            messages.success(request, _("Service “%(service)s” saved.") % {"service": saved.name})
            return redirect(service_list_anchor(saved))
    return render(
        request,
        "providers/manage/service_form.html",
        {
            "provider": provider,
            "service": service,
            "form": form,
            "breadcrumbs": breadcrumbs(
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

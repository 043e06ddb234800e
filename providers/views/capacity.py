"""Capacity: the provider's staff set a service's free places and waiting list from
its row in the service list, in one action that also confirms the listing."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import ApplicationError
from core.forms import attach_errors
from providers import selectors
from providers.forms.capacity import CapacityForm
from providers.services import capacity
from providers.views.access import provider_member_required
from providers.views.listings import render_service_list, service_list_anchor


@provider_member_required
@require_POST
def update_capacity(request, provider, uuid):
    service = get_object_or_404(selectors.services_of(provider), uuid=uuid)
    form = CapacityForm(request.POST, service=service)
    if form.is_valid():
        try:
            capacity.update_capacity(service=service, actor=request.user, **form.cleaned_data)
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
            return redirect(service_list_anchor(service))
    return render_service_list(
        request, provider, bound_form=form, bound_uuid=service.uuid, status=400
    )
